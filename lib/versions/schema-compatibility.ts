/**
 * Whether a new version of an API contract breaks the clients of the previous one, decided from
 * the two JSON schemas (the draft-04 subset the project's contracts use):
 *
 * - a **request** schema must accept every body the previous one accepted (it may drop a
 *   requirement, widen a bound, allow a new optional member), or it is a new major version;
 * - a **response** schema may only add optional members: every member a client of the previous
 *   version reads is still there, with no value that client did not expect.
 *
 * The check is conservative: a keyword it cannot compare (a changed `pattern`, an unknown keyword)
 * counts as breaking, so a change it lets through is one it has shown to be compatible.
 */

/** A JSON schema (or `true`/`false`, the schemas that accept everything or nothing). */
export type JsonSchema = boolean | { readonly [keyword: string]: unknown };

/** A change that breaks clients, with where it is (a JSON pointer into the schema's instances). */
export interface BreakingChange {
  /** Where in a body, e.g. `/items/*\/quantity` (`*` for every array element). */
  readonly path: string;
  readonly change: string;
}

/** Keywords that only describe: a change to them breaks nobody. */
const ANNOTATIONS = new Set(['title', 'description', '$schema', '$id', 'id', 'default', 'examples']);
/** The keywords compared below; any other keyword must be the same in both schemas. */
const COMPARED = new Set([
  'type',
  'enum',
  'minimum',
  'maximum',
  'minLength',
  'maxLength',
  'minItems',
  'maxItems',
  'minProperties',
  'maxProperties',
  'uniqueItems',
  'items',
  'required',
  'properties',
  'additionalProperties',
]);
const LOWER_BOUNDS = ['minimum', 'minLength', 'minItems', 'minProperties'] as const;
const UPPER_BOUNDS = ['maximum', 'maxLength', 'maxItems', 'maxProperties'] as const;

/** The changes that make `next` refuse a request body `previous` accepted. */
export function requestBreakingChanges(previous: JsonSchema, next: JsonSchema): BreakingChange[] {
  return compare(previous, next, 'request', '');
}

/** The changes that make `next` give an answer a client of `previous` does not expect. */
export function responseBreakingChanges(previous: JsonSchema, next: JsonSchema): BreakingChange[] {
  return compare(previous, next, 'response', '');
}

/**
 * A request schema must be at least as permissive as its predecessor (`wider`: every instance of
 * `previous` is one of `next`); a response schema at least as strict (`narrower`: every instance of
 * `next` is one of `previous`), and it may add members only as optional ones.
 */
function compare(
  previous: JsonSchema,
  next: JsonSchema,
  kind: 'request' | 'response',
  path: string,
): BreakingChange[] {
  // For a request, `next` must contain `previous`; for a response, `previous` must contain `next`.
  const [inner, outer] = kind === 'request' ? [previous, next] : [next, previous];
  if (inner === false || outer === true) return [];
  if (outer === false) return [{ path: path || '/', change: refusal(kind) }];
  const innerSchema = inner === true ? {} : inner;
  const changes: BreakingChange[] = [];
  const broken = (change: string) => changes.push({ path: path || '/', change });

  for (const keyword of new Set([...Object.keys(innerSchema), ...Object.keys(outer)])) {
    if (ANNOTATIONS.has(keyword) || COMPARED.has(keyword)) continue;
    if (keyword in outer && !deepEqual(innerSchema[keyword], outer[keyword])) {
      broken(
        `${keyword} changed from ${json(previousOf(kind, innerSchema, outer)[keyword])} to ${json(nextOf(kind, innerSchema, outer)[keyword])}; not shown compatible`,
      );
    }
  }

  const innerTypes = typesOf(innerSchema);
  const outerTypes = typesOf(outer);
  if (outerTypes !== undefined) {
    const uncovered =
      innerTypes === undefined
        ? ['any type']
        : innerTypes.filter(
            (type) => !outerTypes.includes(type) && !(type === 'integer' && outerTypes.includes('number')),
          );
    if (uncovered.length > 0)
      broken(
        `type ${json(typeOfSchema(kind, innerSchema, outer, 'previous'))} became ${json(typeOfSchema(kind, innerSchema, outer, 'next'))}`,
      );
  }
  const outerEnum = outer.enum;
  if (Array.isArray(outerEnum)) {
    const innerValues: unknown[] | undefined = Array.isArray(innerSchema.enum) ? innerSchema.enum : undefined;
    const missing = innerValues?.filter(
      (value) => !outerEnum.some((candidate) => deepEqual(candidate, value)),
    );
    if (missing === undefined)
      broken(
        kind === 'request' ? 'an enum now limits the values' : 'the values are no longer limited to an enum',
      );
    else if (missing.length > 0)
      broken(kind === 'request' ? `enum no longer accepts ${json(missing)}` : `enum gained ${json(missing)}`);
  }
  for (const bound of LOWER_BOUNDS) {
    if (typeof outer[bound] !== 'number') continue;
    const value = innerSchema[bound];
    if (typeof value !== 'number' || value < outer[bound])
      broken(boundChange(kind, bound, innerSchema, outer));
  }
  for (const bound of UPPER_BOUNDS) {
    if (typeof outer[bound] !== 'number') continue;
    const value = innerSchema[bound];
    if (typeof value !== 'number' || value > outer[bound])
      broken(boundChange(kind, bound, innerSchema, outer));
  }
  if (outer.uniqueItems === true && innerSchema.uniqueItems !== true) broken('items must now be unique');

  if (outer.items !== undefined || innerSchema.items !== undefined) {
    changes.push(...compareBoth(kind, innerSchema.items ?? true, outer.items ?? true, `${path}/*`));
  }

  // Members: what `required` and `properties` say.
  const innerRequired = stringsOf(innerSchema.required);
  const outerRequired = stringsOf(outer.required);
  for (const name of outerRequired.filter((member) => !innerRequired.includes(member))) {
    changes.push({
      path: `${path}/${name}`,
      change: kind === 'request' ? 'is required now' : 'is no longer always in the answer',
    });
  }
  const innerProperties = recordOf(innerSchema.properties);
  const outerProperties = recordOf(outer.properties);
  for (const name of new Set([...Object.keys(innerProperties), ...Object.keys(outerProperties)])) {
    const member = `${path}/${name}`;
    if (kind === 'response' && !(name in innerProperties)) {
      // Clients of the previous version may read it, even when it was optional.
      changes.push({ path: member, change: 'was removed; a new version may only add members' });
      continue;
    }
    if (kind === 'response' && !(name in outerProperties)) {
      // A member a client of the previous version never saw: it may come only as an optional one.
      if (innerRequired.includes(name)) {
        changes.push({
          path: member,
          change: 'is a new member and required; a new version may only add optional members',
        });
      }
      continue;
    }
    changes.push(...compareBoth(kind, memberSchema(innerSchema, name), memberSchema(outer, name), member));
  }
  changes.push(
    ...compareBoth(kind, additionalOf(innerSchema), additionalOf(outer), `${path}/<other members>`),
  );
  return changes;
}

/** Compares two subschemas found in the inner and the outer schema, turned back to previous/next. */
function compareBoth(
  kind: 'request' | 'response',
  inner: unknown,
  outer: unknown,
  path: string,
): BreakingChange[] {
  const [previous, next] = kind === 'request' ? [inner, outer] : [outer, inner];
  return compare(previous as JsonSchema, next as JsonSchema, kind, path);
}

function refusal(kind: 'request' | 'response'): string {
  return kind === 'request' ? 'no longer accepted' : 'was never in an answer before';
}

/** The schema a member must match: its own, else the additional members' schema. */
function memberSchema(schema: { readonly [keyword: string]: unknown }, name: string): JsonSchema {
  const own = recordOf(schema.properties)[name];
  return own !== undefined ? (own as JsonSchema) : additionalOf(schema);
}

function additionalOf(schema: { readonly [keyword: string]: unknown }): JsonSchema {
  const additional = schema.additionalProperties;
  return additional === undefined ? true : (additional as JsonSchema);
}

function typesOf(schema: { readonly [keyword: string]: unknown }): string[] | undefined {
  const type = schema.type;
  if (type === undefined) return undefined;
  return (Array.isArray(type) ? type : [type]).map((name) => (typeof name === 'string' ? name : json(name)));
}

function typeOfSchema(
  kind: 'request' | 'response',
  inner: { readonly [keyword: string]: unknown },
  outer: { readonly [keyword: string]: unknown },
  which: 'previous' | 'next',
): unknown {
  const schema = which === 'previous' ? previousOf(kind, inner, outer) : nextOf(kind, inner, outer);
  return schema.type ?? 'any';
}

function previousOf<T>(kind: 'request' | 'response', inner: T, outer: T): T {
  return kind === 'request' ? inner : outer;
}

function nextOf<T>(kind: 'request' | 'response', inner: T, outer: T): T {
  return kind === 'request' ? outer : inner;
}

function boundChange(
  kind: 'request' | 'response',
  bound: string,
  inner: { readonly [keyword: string]: unknown },
  outer: { readonly [keyword: string]: unknown },
): string {
  const from = previousOf(kind, inner, outer)[bound];
  const to = nextOf(kind, inner, outer)[bound];
  return `${bound} ${from === undefined ? 'unset' : json(from)} became ${to === undefined ? 'unset' : json(to)}`;
}

function stringsOf(value: unknown): string[] {
  return Array.isArray(value) ? value.map(String) : [];
}

function recordOf(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : {};
}

function json(value: unknown): string {
  return JSON.stringify(value);
}

function deepEqual(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  const aKeys = Object.keys(a);
  const bKeys = Object.keys(b);
  return (
    aKeys.length === bKeys.length &&
    aKeys.every((key) => deepEqual((a as Record<string, unknown>)[key], (b as Record<string, unknown>)[key]))
  );
}
