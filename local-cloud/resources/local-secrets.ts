/**
 * Secrets Manager dynamic references (`{{resolve:secretsmanager:<secret>:SecretString:<field>::}}`)
 * in API key values. CloudFormation reads the secret at deploy time; locally there is no secret, so
 * each reference gets one random value for the life of the local cloud, the same in every stack and
 * region, as a secret replicated to every region under one name gives.
 */
import { resourcesOfType, type StackTemplate } from '../assembly/cloud-assembly';
import { generateApiKeyValue } from '../apigateway/api-gateway-emulator';

const SECRETS_MANAGER_REFERENCE = /^\{\{resolve:secretsmanager:[^}]+\}\}$/;

/** One local value per dynamic reference. */
export class LocalSecrets {
  private readonly values = new Map<string, string>();

  /** The value of a reference (the same every time it is asked for). */
  public valueOf(reference: string): string {
    let value = this.values.get(reference);
    if (value === undefined) {
      value = generateApiKeyValue();
      this.values.set(reference, value);
    }
    return value;
  }

  /** The values of the template's API keys whose `Value` is a Secrets Manager reference, by logical id. */
  public apiKeyValuesOf(template: StackTemplate): Map<string, string> {
    return new Map(
      resourcesOfType(template, 'AWS::ApiGateway::ApiKey').flatMap(({ logicalId, resource }) => {
        const value = resource.Properties?.Value;
        return typeof value === 'string' && SECRETS_MANAGER_REFERENCE.test(value)
          ? [[logicalId, this.valueOf(value)] as const]
          : [];
      }),
    );
  }
}
