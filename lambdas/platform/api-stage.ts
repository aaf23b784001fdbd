/**
 * Data access for an API Gateway stage: the only module that calls the API Gateway control plane.
 */
import { APIGatewayClient, GetStageCommand, UpdateStageCommand } from '@aws-sdk/client-api-gateway';
import { requestHandler } from './clients';
import { DependencyUnavailableError } from './data-access';
import { SDK_MAX_ATTEMPTS } from '../contract/sdk-config';

const DEPENDENCY_NAME = 'API Gateway';

/** API Gateway client, created once per container. */
export const apiGatewayClient = new APIGatewayClient({ maxAttempts: SDK_MAX_ATTEMPTS, requestHandler });

/** One stage of a REST API. */
export class ApiStage {
  constructor(
    private readonly client: APIGatewayClient,
    private readonly restApiId: string,
    private readonly stageName: string,
  ) {}

  /**
   * A stage variable's value, `undefined` when the stage does not have it (needs `apigateway:GET` on
   * the stage). Every SDK failure surfaces as a {@link DependencyUnavailableError}.
   */
  async getVariable(name: string): Promise<string | undefined> {
    try {
      const stage = await this.client.send(
        new GetStageCommand({ restApiId: this.restApiId, stageName: this.stageName }),
      );
      return stage.variables?.[name];
    } catch (error) {
      throw new DependencyUnavailableError(DEPENDENCY_NAME, error);
    }
  }

  /**
   * Sets a stage variable (needs `apigateway:PATCH` on the stage). API Gateway applies it to the
   * next requests without a deployment. Every SDK failure surfaces as a {@link DependencyUnavailableError}.
   */
  async setVariable(name: string, value: string): Promise<void> {
    try {
      await this.client.send(
        new UpdateStageCommand({
          restApiId: this.restApiId,
          stageName: this.stageName,
          patchOperations: [{ op: 'replace', path: `/variables/${name}`, value }],
        }),
      );
    } catch (error) {
      throw new DependencyUnavailableError(DEPENDENCY_NAME, error);
    }
  }
}
