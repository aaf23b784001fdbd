/**
 * The API Gateway emulator's only knowledge of CloudFormation intrinsics: how one resource points at
 * another (`Ref`, `Fn::GetAtt`) and a minimal resolver for the values it needs as plain strings. The
 * local cloud's shared intrinsic resolver replaces {@link createMinimalResolver} when it is injected
 * as `resolve`; the structural helpers stay, because the emulator needs logical ids, not the
 * physical names a resolver turns them into.
 */
import { createHash } from 'node:crypto';

/** A resource of a synthesized CloudFormation template. */
export interface CloudFormationResource {
  readonly Type: string;
  readonly Properties?: Record<string, unknown>;
}

/** A synthesized CloudFormation template, as found in the cloud assembly. */
export interface CloudFormationTemplate {
  readonly Resources?: Record<string, CloudFormationResource>;
  readonly Outputs?: Record<string, unknown>;
}

/** Turns a template value that may contain intrinsic functions into a plain value. */
export type IntrinsicResolver = (value: unknown) => unknown;

/** Where the template is deployed locally: what the pseudo parameters resolve to. */
export interface LocalDeployment {
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
}

/**
 * The logical id a `{ Ref }` or `{ "Fn::GetAtt" }` points at, or undefined for anything else
 * (pseudo parameters such as `AWS::Region` included).
 */
export function referencedLogicalId(value: unknown): string | undefined {
  if (!isRecord(value)) return undefined;
  if (typeof value.Ref === 'string') return value.Ref.startsWith('AWS::') ? undefined : value.Ref;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string') return getAtt.split('.')[0];
  return undefined;
}

/**
 * The logical id of the first `Fn::GetAtt [<id>, <attribute>]` anywhere inside a value, e.g. the
 * function inside a Lambda integration's `Fn::Join` URI.
 */
export function findGetAttTarget(value: unknown, attribute: string): string | undefined {
  if (Array.isArray(value)) {
    for (const item of value) {
      const found = findGetAttTarget(item, attribute);
      if (found) return found;
    }
    return undefined;
  }
  if (!isRecord(value)) return undefined;
  const getAtt = value['Fn::GetAtt'];
  if (Array.isArray(getAtt) && getAtt[1] === attribute && typeof getAtt[0] === 'string') return getAtt[0];
  if (typeof getAtt === 'string' && getAtt.endsWith(`.${attribute}`)) return getAtt.split('.')[0];
  for (const nested of Object.values(value)) {
    const found = findGetAttTarget(nested, attribute);
    if (found) return found;
  }
  return undefined;
}

/**
 * A stable, API Gateway-looking identifier (lowercase letters and digits) for a logical id, so ids
 * survive restarts of the local cloud.
 */
export function physicalIdOf(deployment: LocalDeployment, logicalId: string, length = 10): string {
  const digest = createHash('sha256').update(`${deployment.stackName}/${logicalId}`).digest();
  const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
  let id = '';
  for (let i = 0; i < length; i++) id += alphabet[digest[i] % alphabet.length];
  return id;
}

/** What a logical id stands for locally: its `Ref` value and its `Fn::GetAtt` attributes. */
export interface LocalResourceValues {
  readonly ref: string;
  readonly attributes?: Readonly<Record<string, string>>;
}

/**
 * The local values of the template's API Gateway resources, to register with the shared intrinsic
 * resolver before it is injected: stages `Ref` to their name (literal names only), models to theirs,
 * other API Gateway resources to stable generated ids, a REST API's `RootResourceId` likewise.
 */
export function apiGatewayLocalValues(
  template: CloudFormationTemplate,
  deployment: LocalDeployment,
): Map<string, LocalResourceValues> {
  const values = new Map<string, LocalResourceValues>();
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (!resource.Type.startsWith('AWS::ApiGateway::')) continue;
    const properties = resource.Properties ?? {};
    switch (resource.Type) {
      case 'AWS::ApiGateway::RestApi':
        values.set(logicalId, {
          ref: physicalIdOf(deployment, logicalId),
          attributes: { RootResourceId: physicalIdOf(deployment, `${logicalId}/root`, 6) },
        });
        break;
      case 'AWS::ApiGateway::Stage':
        if (typeof properties.StageName === 'string') values.set(logicalId, { ref: properties.StageName });
        break;
      case 'AWS::ApiGateway::Model':
        values.set(logicalId, { ref: typeof properties.Name === 'string' ? properties.Name : logicalId });
        break;
      case 'AWS::ApiGateway::Resource':
        values.set(logicalId, { ref: physicalIdOf(deployment, logicalId, 6) });
        break;
      default:
        values.set(logicalId, { ref: physicalIdOf(deployment, logicalId) });
    }
  }
  return values;
}

/**
 * Resolves `Ref`, `Fn::GetAtt`, `Fn::Join`, `Fn::Sub` (without a variable map) and the pseudo
 * parameters well enough for the API Gateway resources (see {@link apiGatewayLocalValues}); any
 * other resource resolves to a readable placeholder.
 */
export function createMinimalResolver(
  template: CloudFormationTemplate,
  deployment: LocalDeployment,
): IntrinsicResolver {
  const resources = template.Resources ?? {};
  const apiGateway = apiGatewayLocalValues(template, deployment);
  const pseudo: Record<string, string> = {
    'AWS::Region': deployment.region,
    'AWS::AccountId': deployment.accountId,
    'AWS::StackName': deployment.stackName,
    'AWS::Partition': 'aws',
    'AWS::URLSuffix': 'amazonaws.com',
    'AWS::StackId': `arn:aws:cloudformation:${deployment.region}:${deployment.accountId}:stack/${deployment.stackName}/local`,
  };

  const refOf = (logicalId: string): string => {
    if (logicalId in pseudo) return pseudo[logicalId];
    const resource = resources[logicalId];
    if (!resource) throw new Error(`Ref to ${logicalId}, which is not in the template`);
    if (resource.Type === 'AWS::ApiGateway::Stage') return String(resolve(resource.Properties?.StageName));
    return apiGateway.get(logicalId)?.ref ?? `${deployment.stackName}-${logicalId}`;
  };

  const getAttOf = (logicalId: string, attribute: string): string => {
    const known = apiGateway.get(logicalId)?.attributes?.[attribute];
    if (known !== undefined) return known;
    if (attribute === 'Arn') return `arn:aws:local:${deployment.region}:${deployment.accountId}:${logicalId}`;
    return `${deployment.stackName}-${logicalId}`;
  };

  function resolve(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(resolve);
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1) {
      const [key] = keys;
      const argument = value[key];
      if (key === 'Ref' && typeof argument === 'string') return refOf(argument);
      if (key === 'Fn::GetAtt') {
        const [logicalId, attribute] = Array.isArray(argument) ? argument : String(argument).split('.');
        return getAttOf(String(logicalId), String(attribute));
      }
      if (key === 'Fn::Join' && Array.isArray(argument)) {
        const [separator, parts] = argument as [string, unknown[]];
        return (resolve(parts) as unknown[]).map(String).join(separator);
      }
      if (key === 'Fn::Sub' && typeof argument === 'string') {
        return argument.replace(/\$\{([^}!]+)\}/g, (_match, name: string) => {
          const [logicalId, attribute] = name.split('.');
          return attribute === undefined ? refOf(logicalId) : getAttOf(logicalId, attribute);
        });
      }
    }
    return Object.fromEntries(keys.map((key) => [key, resolve(value[key])]));
  }
  return resolve;
}

/** Whether a value is a plain object (a JSON object of the template). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
