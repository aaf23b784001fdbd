/**
 * How callers name a local function: its name, ARN, logical id or `<stack>/<logical id>`, and, where
 * allowed, the start of its logical id (the shared mechanism is `../resource-reference.ts`).
 */
import { findByReference, qualifiedIdOf } from '../resource-reference';
import type { LocalFunction } from './local-function';
import type { RegionRuntime } from '../region-runtime';

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
 * A reference split as Lambda's `FunctionName` pattern reads it: the function's part (a name, an
 * ARN, a partial ARN `<account>:function:<name>`, or, locally, a logical id) and the qualifier after
 * it (`live`, `1`, `$LATEST`), if there is one.
 */
export function splitQualifier(reference: string): { readonly base: string; readonly qualifier?: string } {
  const parts = reference.split(':');
  const qualifiedLength = parts[0] === 'arn' ? 8 : parts[1] === 'function' ? 4 : 2;
  if (parts.length !== qualifiedLength) return { base: reference };
  return { base: parts.slice(0, -1).join(':'), qualifier: parts.at(-1) };
}

/**
 * The one function a reference names, qualified or not (the qualifier must be `$LATEST`, the
 * published version or one of its aliases).
 *
 * @throws Error for a reference that names no function, several, or a qualifier the function lacks
 */
export function findFunctionByReference(
  functions: readonly LocalFunction[],
  reference: string,
  options: FunctionReferenceOptions = {},
): LocalFunction {
  const targetOf = ({ definition }: LocalFunction) => ({
    stackName: definition.stackName,
    logicalId: definition.logicalId,
    names: [
      definition.functionName,
      definition.functionArn,
      // The partial ARN Lambda accepts: <account>:function:<name>.
      definition.functionArn.split(':').slice(4).join(':'),
    ],
  });
  const qualifiedId = (fn: LocalFunction) => qualifiedIdOf(targetOf(fn));
  const { base, qualifier } = splitQualifier(reference);
  const { matches } = findByReference(functions, targetOf, base, { allowPrefix: options.allowPrefix });
  if (matches.length === 0) {
    const known = functions.map(qualifiedId).join(', ');
    throw new Error(`No local function ${reference} (known: ${known || 'none'})`);
  }
  if (matches.length > 1) {
    throw new Error(
      `${reference} names several functions (${matches.map(qualifiedId).join(', ')}); use <stackName>/<logicalId>`,
    );
  }
  const [fn] = matches;
  if (qualifier !== undefined && !isQualifierOf(fn, qualifier)) {
    // Lambda's ResourceNotFoundException for a qualifier the function does not have.
    throw new Error(
      `Function not found: ${fn.definition.functionArn}:${qualifier} (no such alias or version)`,
    );
  }
  return fn;
}

/** Whether a function answers to a qualifier: `$LATEST`, its published version or one of its aliases. */
function isQualifierOf(fn: LocalFunction, qualifier: string): boolean {
  const { version, aliases } = fn.definition;
  return (
    qualifier === '$LATEST' || qualifier === version || aliases.some((alias) => alias.name === qualifier)
  );
}

/**
 * The alias or version a reference names (`…:orders:live` → `live`), or undefined for an
 * unqualified reference (a name, an ARN, a logical id).
 */
export function qualifierIn(reference: string): string | undefined {
  return splitQualifier(reference).qualifier;
}

/** A function of any stack of the given regions, by reference (as {@link findFunctionByReference}, prefixes allowed). */
export function findRegionFunction(regions: readonly RegionRuntime[], reference: string): LocalFunction {
  const all = regions.flatMap((region) =>
    [...region.stacks.values()].flatMap((stack) => [...stack.functions.values()]),
  );
  return findFunctionByReference(all, reference, { allowPrefix: true });
}
