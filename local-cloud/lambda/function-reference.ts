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
 * The one function a reference names.
 *
 * @throws Error for a reference that names no function, or several
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
      // Qualified by an alias or the published version, as an invoker's ARN may be.
      ...[
        ...definition.aliases.map((alias) => alias.name),
        ...(definition.version === '$LATEST' ? [] : [definition.version]),
      ].flatMap((qualifier) => [
        `${definition.functionName}:${qualifier}`,
        `${definition.functionArn}:${qualifier}`,
      ]),
    ],
  });
  const qualifiedId = (fn: LocalFunction) => qualifiedIdOf(targetOf(fn));
  const { matches } = findByReference(functions, targetOf, reference, { allowPrefix: options.allowPrefix });
  if (matches.length === 0) {
    const unqualified = reference.slice(0, reference.lastIndexOf(':'));
    const byUnqualified = findByReference(functions, targetOf, unqualified).matches;
    if (reference.includes(':') && byUnqualified.length === 1) {
      // Lambda's ResourceNotFoundException for a qualifier the function does not have.
      throw new Error(`Function not found: ${reference} (no such alias or version)`);
    }
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

/**
 * The alias or version a reference names after the function's name or ARN (`…:orders:live` →
 * `live`), or undefined for an unqualified reference (a name, an ARN, a logical id).
 */
export function qualifierIn(fn: LocalFunction, reference: string): string | undefined {
  const { functionName, functionArn } = fn.definition;
  for (const unqualified of [functionArn, functionName]) {
    if (reference.startsWith(`${unqualified}:`)) return reference.slice(unqualified.length + 1);
  }
  return undefined;
}

/** A function of any stack of the given regions, by reference (as {@link findFunctionByReference}, prefixes allowed). */
export function findRegionFunction(regions: readonly RegionRuntime[], reference: string): LocalFunction {
  const all = regions.flatMap((region) =>
    [...region.stacks.values()].flatMap((stack) => [...stack.functions.values()]),
  );
  return findFunctionByReference(all, reference, { allowPrefix: true });
}
