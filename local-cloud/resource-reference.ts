/**
 * How callers name a local resource (a function, an alarm): its name or ARN, its logical id,
 * `<stack>/<logical id>`, and, where allowed, the start or a part of its logical id. One mechanism
 * for the region runtime, the chaos commands and the alarm registry.
 */

/** What a resource answers to. */
export interface ReferenceTarget {
  readonly stackName: string;
  readonly logicalId: string;
  /** Physical names and ARNs. */
  readonly names: readonly string[];
}

/** Options of {@link findByReference}. */
export interface ReferenceOptions {
  /** Also accept the start of a logical id or of `<stack>/<logical id>`. @default false */
  readonly allowPrefix?: boolean;
  /** Also accept any part of a logical id (`QueueAge`). @default false */
  readonly allowPart?: boolean;
}

/** The resources a lookup matched: one (found), none, or several (ambiguous). */
export interface ReferenceLookup<T> {
  readonly matches: readonly T[];
}

/** `<stack>/<logical id>` of a resource, as errors list it. */
export function qualifiedIdOf(target: ReferenceTarget): string {
  return `${target.stackName}/${target.logicalId}`;
}

/**
 * The resources a reference names, by the first kind of match that finds any: exact (name, ARN,
 * logical id, `<stack>/<logical id>`), then, if allowed, a prefix, then a part of the logical id.
 * The caller turns none or several into its own error.
 */
export function findByReference<T>(
  items: readonly T[],
  targetOf: (item: T) => ReferenceTarget,
  reference: string,
  options: ReferenceOptions = {},
): ReferenceLookup<T> {
  const kinds: Array<(target: ReferenceTarget) => boolean> = [
    (target) =>
      target.names.includes(reference) ||
      target.logicalId === reference ||
      qualifiedIdOf(target) === reference,
  ];
  if (options.allowPrefix) {
    kinds.push(
      (target) => target.logicalId.startsWith(reference) || qualifiedIdOf(target).startsWith(reference),
    );
  }
  if (options.allowPart) kinds.push((target) => target.logicalId.includes(reference));
  for (const matchesKind of kinds) {
    const matches = items.filter((item) => matchesKind(targetOf(item)));
    if (matches.length > 0) return { matches };
  }
  return { matches: [] };
}
