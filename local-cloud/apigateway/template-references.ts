/**
 * The API Gateway emulator's knowledge of how one template resource points at another (`Ref`,
 * `Fn::GetAtt`), the local values of its API Gateway resources, and the resolver a gateway served
 * on its own uses (the local cloud injects its stack's resolver instead). The structural helpers
 * stay beside the resolver, because the emulator needs logical ids, not the physical names a
 * resolver turns them into.
 */
import { createHash } from 'node:crypto';
import type { StackTemplate } from '../assembly/cloud-assembly';
import { IntrinsicResolver, type LocalResourceValues } from '../assembly/intrinsic-resolver';

/** Turns a template value that may contain intrinsic functions into a plain value. */
export type ResolveValue = (value: unknown) => unknown;

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

/** Every logical id referenced by `Ref` or `Fn::GetAtt` inside a value, in document order. */
export function referencedLogicalIds(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(referencedLogicalIds);
  if (!isRecord(value)) return [];
  const direct = referencedLogicalId(value);
  if (direct !== undefined) return [direct];
  return Object.values(value).flatMap(referencedLogicalIds);
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

/**
 * The local values of the template's API Gateway resources, to register with the shared intrinsic
 * resolver before it is injected: stages `Ref` to their name (literal names only), models to theirs,
 * other API Gateway resources to stable generated ids, a REST API's `RootResourceId` likewise.
 */
export function apiGatewayLocalValues(
  template: StackTemplate,
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
 * The resolver of a gateway served on its own (tests, the fidelity corpus): the local cloud's
 * {@link IntrinsicResolver} with the template's API Gateway resources registered (see
 * {@link apiGatewayLocalValues}) and placeholders for every other resource, since nothing else of
 * the stack runs.
 */
export function standaloneResolver(template: StackTemplate, deployment: LocalDeployment): IntrinsicResolver {
  const resolver = new IntrinsicResolver({ ...deployment, template, placeholders: true });
  for (const [logicalId, values] of apiGatewayLocalValues(template, deployment))
    resolver.register(logicalId, values);
  return resolver;
}

/** Whether a value is a plain object (a JSON object of the template). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
