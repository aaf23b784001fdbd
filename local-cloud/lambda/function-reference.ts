/**
 * How callers name a local function: its name, ARN, logical id or `<stack>/<logical id>`, and, where
 * allowed, the start of its logical id. One place for the region runtime and the chaos commands.
 */
import type { LocalFunction } from './local-function';

/** Options of {@link findFunctionByReference}. */
export interface FunctionReferenceOptions {
  /**
   * Also accept the start of a logical id (`CreateOrder`, `ResilientApi-sync/GetOrder`) when no
   * function matches exactly and only one starts so.
   * @default false
   */
  readonly allowPrefix?: boolean;
}

/**
 * The one function a reference names.
 *
 * @throws Error for a reference that names no function, or several
 */
export function findFunctionByReference(
  functions: readonly LocalFunction[],
  reference: string,
  options: FunctionReferenceOptions = {},
): LocalFunction {
  const qualifiedId = (fn: LocalFunction) => `${fn.definition.stackName}/${fn.definition.logicalId}`;
  const exact = functions.filter(({ definition }) =>
    [
      definition.logicalId,
      `${definition.stackName}/${definition.logicalId}`,
      definition.functionName,
      definition.functionArn,
    ].includes(reference),
  );
  const matches =
    exact.length > 0 || !options.allowPrefix
      ? exact
      : functions.filter(
          (fn) => fn.definition.logicalId.startsWith(reference) || qualifiedId(fn).startsWith(reference),
        );
  if (matches.length === 0) {
    const known = functions.map(qualifiedId).join(', ');
    throw new Error(`No local function ${reference} (known: ${known || 'none'})`);
  }
  if (matches.length > 1) {
    throw new Error(
      `${reference} names several functions (${matches.map(qualifiedId).join(', ')}); use <stackName>/<logicalId>`,
    );
  }
  return matches[0];
}
