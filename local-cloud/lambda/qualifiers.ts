/**
 * Published versions and aliases of a template's functions (`AWS::Lambda::Version`,
 * `AWS::Lambda::Alias`), and which function an invoker reaches through them. Lambda calls the
 * version or alias part of a function ARN its qualifier: `…:function:orders:live`.
 *
 * Locally a function has one code, the template's, so every qualifier runs it: the version number
 * a published version gets is 1 (on AWS it counts the function's deployments).
 */
import type { StackTemplate } from '../assembly/cloud-assembly';
import { referencedLogicalId, referencedLogicalIds } from '../apigateway/template-references';

export const VERSION_TYPE = 'AWS::Lambda::Version';
export const ALIAS_TYPE = 'AWS::Lambda::Alias';
export const FUNCTION_TYPE = 'AWS::Lambda::Function';

/** The number the local cloud gives a published version (there is one code per function). */
export const LOCAL_VERSION_NUMBER = '1';

/** An alias of a template function. */
export interface TemplateAlias {
  readonly logicalId: string;
  /** The alias name, the qualifier invokers use (e.g. `live`). */
  readonly name: string;
  /** Provisioned concurrency configured on the alias, when it has some. */
  readonly provisionedConcurrency?: number;
}

/** The provisioned concurrency of a function: what its aliases configure, added up. */
export function provisionedConcurrencyOf(aliases: readonly TemplateAlias[]): number {
  return aliases.reduce((sum, alias) => sum + (alias.provisionedConcurrency ?? 0), 0);
}

/** The versions and aliases of one function of a template. */
export interface FunctionQualifiers {
  /** Logical ids of the function's `AWS::Lambda::Version` resources. */
  readonly versionLogicalIds: readonly string[];
  readonly aliases: readonly TemplateAlias[];
}

/** What an invoker's reference reaches: a function, through an alias or version or directly. */
export interface InvokedFunction {
  readonly functionLogicalId: string;
  /** The alias name or version number invoked, or undefined for the unqualified function. */
  readonly qualifier?: string;
}

/**
 * The versions and aliases of each function of a template, by the function's logical id (functions
 * without any are left out). A version or alias whose `FunctionName` is not a reference to a
 * function of the template is left out too: it belongs to a function the local cloud does not run.
 */
export function functionQualifiersOf(template: StackTemplate): Map<string, FunctionQualifiers> {
  const qualifiers = new Map<string, { versionLogicalIds: string[]; aliases: TemplateAlias[] }>();
  const entryOf = (functionLogicalId: string) => {
    let entry = qualifiers.get(functionLogicalId);
    if (!entry) qualifiers.set(functionLogicalId, (entry = { versionLogicalIds: [], aliases: [] }));
    return entry;
  };
  for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
    if (resource.Type !== VERSION_TYPE && resource.Type !== ALIAS_TYPE) continue;
    const functionLogicalId = functionLogicalIdOf(template, resource.Properties?.FunctionName);
    if (functionLogicalId === undefined) continue;
    if (resource.Type === VERSION_TYPE) {
      entryOf(functionLogicalId).versionLogicalIds.push(logicalId);
    } else {
      const properties = resource.Properties ?? {};
      const provisioned = (
        properties.ProvisionedConcurrencyConfig as { ProvisionedConcurrentExecutions?: unknown }
      )?.ProvisionedConcurrentExecutions;
      entryOf(functionLogicalId).aliases.push({
        logicalId,
        name: String(properties.Name),
        provisionedConcurrency: provisioned === undefined ? undefined : Number(provisioned),
      });
    }
  }
  return qualifiers;
}

/**
 * The function of the template that a value invokes (an integration URI, an event source's
 * `FunctionName`): the first `Ref` or `Fn::GetAtt` inside it to a function, version or alias, the
 * latter two followed to their function. Undefined when the value names none.
 */
export function invokedFunctionIn(template: StackTemplate, value: unknown): InvokedFunction | undefined {
  for (const logicalId of referencedLogicalIds(value)) {
    const resource = template.Resources?.[logicalId];
    switch (resource?.Type) {
      case FUNCTION_TYPE:
        return { functionLogicalId: logicalId };
      case VERSION_TYPE:
      case ALIAS_TYPE: {
        const functionLogicalId = functionLogicalIdOf(template, resource.Properties?.FunctionName);
        if (functionLogicalId === undefined) return undefined;
        const qualifier =
          resource.Type === ALIAS_TYPE ? String(resource.Properties?.Name) : LOCAL_VERSION_NUMBER;
        return { functionLogicalId, qualifier };
      }
    }
  }
  return undefined;
}

/** The template function a `FunctionName` refers to, or undefined for anything else. */
function functionLogicalIdOf(template: StackTemplate, functionName: unknown): string | undefined {
  const logicalId = referencedLogicalId(functionName);
  return logicalId !== undefined && template.Resources?.[logicalId]?.Type === FUNCTION_TYPE
    ? logicalId
    : undefined;
}
