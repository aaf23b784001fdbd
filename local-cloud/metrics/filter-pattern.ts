/**
 * CloudWatch Logs filter patterns, the part metric filters on JSON logs use (the API's access log is
 * JSON): `{ $.status = "429" }`, string values with `*` wildcards or a `%regex%`, numeric comparisons,
 * `IS NULL`, `NOT EXISTS`, `IS TRUE`/`IS FALSE`, `&&`, `||` and parentheses; plus the empty pattern
 * (every event) and plain terms (every term must occur). Space-delimited patterns (`[ip, user, …]`)
 * are not emulated: {@link parseFilterPattern} refuses them, so a filter that uses one is reported
 * as not emulated rather than silently never matching.
 *
 * Source of the semantics: "Filter pattern syntax for metric filters, subscription filters and
 * filter log events" and "Using filter patterns to match terms in JSON log events", CloudWatch Logs
 * user guide.
 */

/** A parsed filter pattern: whether a log event matches it. */
export interface FilterPattern {
  /** The pattern as written. */
  readonly source: string;
  matches(message: string): boolean;
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

type Expression =
  | { readonly kind: 'and' | 'or'; readonly left: Expression; readonly right: Expression }
  | {
      readonly kind: 'compare';
      readonly selector: Selector;
      readonly operator: string;
      readonly value: Literal;
    }
  | {
      readonly kind: 'test';
      readonly selector: Selector;
      readonly test: 'null' | 'not-exists' | 'true' | 'false';
    };

type Literal =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'string'; readonly value: string }
  | { readonly kind: 'regex'; readonly value: RegExp };

/** Path steps of a `$.a.b[0]` selector. */
type Selector = ReadonlyArray<string | number>;

/**
 * Parses a filter pattern.
 *
 * @throws Error naming the position and what was expected, or saying that the form is not emulated
 */
export function parseFilterPattern(source: string): FilterPattern {
  const trimmed = source.trim();
  if (trimmed === '' || trimmed === '""') return { source, matches: () => true };
  if (trimmed.startsWith('{')) {
    const expression = new JsonPatternParser(trimmed).parse();
    return {
      source,
      matches: (message) => {
        const event = parseJsonEvent(message);
        return event !== undefined && evaluate(expression, event);
      },
    };
  }
  if (trimmed.startsWith('[')) {
    throw new Error(`Filter pattern ${source}: space-delimited patterns ([…]) are not emulated`);
  }
  const terms = [...trimmed.matchAll(/"((?:[^"\\]|\\.)*)"|(\S+)/g)].map(
    ([, quoted, plain]) => quoted ?? plain,
  );
  if (terms.some((term) => /^[-?]/.test(term))) {
    throw new Error(`Filter pattern ${source}: optional (?) and excluded (-) terms are not emulated`);
  }
  return { source, matches: (message) => terms.every((term) => message.includes(term)) };
}

/** The value a `$.field` metric value selects from a JSON event, if it is a number (or a numeric string). */
export function selectNumber(selectorSource: string, message: string): number | undefined {
  const value = selectFromMessage(selectorSource, message);
  if (typeof value === 'number') return value;
  if (typeof value === 'string' && value.trim() !== '' && Number.isFinite(Number(value)))
    return Number(value);
  return undefined;
}

/** The text a `$.field` dimension selects from a JSON event: a string, number or boolean as text. */
export function selectText(selectorSource: string, message: string): string | undefined {
  const value = selectFromMessage(selectorSource, message);
  return typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean'
    ? String(value)
    : undefined;
}

function selectFromMessage(selectorSource: string, message: string): JsonValue | undefined {
  const event = parseJsonEvent(message);
  return event === undefined ? undefined : select(parseSelector(selectorSource), event);
}

function parseJsonEvent(message: string): JsonValue | undefined {
  try {
    return JSON.parse(message) as JsonValue;
  } catch {
    // A JSON pattern never matches an event that is not JSON.
    return undefined;
  }
}

/** What a selector finds; `undefined` when the path does not exist. */
function select(selector: Selector, event: JsonValue): JsonValue | undefined {
  let current: JsonValue | undefined = event;
  for (const step of selector) {
    if (current === null || typeof current !== 'object') return undefined;
    current = Array.isArray(current)
      ? typeof step === 'number'
        ? current[step]
        : undefined
      : typeof step === 'string'
        ? current[step]
        : undefined;
  }
  return current;
}

function evaluate(expression: Expression, event: JsonValue): boolean {
  switch (expression.kind) {
    case 'and':
      return evaluate(expression.left, event) && evaluate(expression.right, event);
    case 'or':
      return evaluate(expression.left, event) || evaluate(expression.right, event);
    case 'test': {
      const value = select(expression.selector, event);
      if (expression.test === 'not-exists') return value === undefined;
      if (expression.test === 'null') return value === null;
      return value === (expression.test === 'true');
    }
    case 'compare':
      return compare(select(expression.selector, event), expression.operator, expression.value);
  }
}

function compare(actual: JsonValue | undefined, operator: string, expected: Literal): boolean {
  if (actual === undefined || actual === null || typeof actual === 'object') return false;
  if (expected.kind === 'number') {
    const value = typeof actual === 'number' ? actual : typeof actual === 'string' ? Number(actual) : NaN;
    if (Number.isNaN(value)) return false;
    switch (operator) {
      case '=':
        return value === expected.value;
      case '!=':
        return value !== expected.value;
      case '<':
        return value < expected.value;
      case '>':
        return value > expected.value;
      case '<=':
        return value <= expected.value;
      case '>=':
        return value >= expected.value;
    }
    return false;
  }
  const text = String(actual);
  const equal =
    expected.kind === 'regex' ? expected.value.test(text) : wildcardRegExp(expected.value).test(text);
  return operator === '=' ? equal : !equal;
}

/** A string value with `*` wildcards as an anchored regular expression. */
function wildcardRegExp(value: string): RegExp {
  const escaped = value
    .split('*')
    .map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))
    .join('.*');
  return new RegExp(`^${escaped}$`, 's');
}

function parseSelector(source: string): Selector {
  if (!source.startsWith('$')) throw new Error(`Selector ${source} must start with $`);
  const steps: Array<string | number> = [];
  const pattern = /\.([A-Za-z0-9_@-]+)|\[(\d+)\]/gy;
  pattern.lastIndex = 1;
  while (pattern.lastIndex < source.length) {
    const match = pattern.exec(source);
    if (!match) throw new Error(`Selector ${source}: unexpected ${source.slice(pattern.lastIndex)}`);
    steps.push(match[1] ?? Number(match[2]));
  }
  return steps;
}

/** A recursive-descent parser of `{ … }`: `||` binds looser than `&&`, as in the user guide. */
class JsonPatternParser {
  private position = 0;

  constructor(private readonly source: string) {}

  public parse(): Expression {
    this.expect('{');
    const expression = this.parseOr();
    this.expect('}');
    this.skipSpace();
    if (this.position !== this.source.length) this.fail('the end of the pattern');
    return expression;
  }

  private parseOr(): Expression {
    let left = this.parseAnd();
    while (this.accept('||')) left = { kind: 'or', left, right: this.parseAnd() };
    return left;
  }

  private parseAnd(): Expression {
    let left = this.parsePrimary();
    while (this.accept('&&')) left = { kind: 'and', left, right: this.parsePrimary() };
    return left;
  }

  private parsePrimary(): Expression {
    if (this.accept('(')) {
      const inner = this.parseOr();
      this.expect(')');
      return inner;
    }
    this.skipSpace();
    const selectorMatch = /\$[A-Za-z0-9_.@[\]-]*/y;
    selectorMatch.lastIndex = this.position;
    const selectorText = selectorMatch.exec(this.source)?.[0];
    if (!selectorText) this.fail('a selector ($.field) or (');
    this.position += selectorText.length;
    const selector = parseSelector(selectorText);
    for (const [keyword, test] of [
      ['IS NULL', 'null'],
      ['NOT EXISTS', 'not-exists'],
      ['IS TRUE', 'true'],
      ['IS FALSE', 'false'],
    ] as const) {
      if (this.accept(keyword)) return { kind: 'test', selector, test };
    }
    const operator = ['!=', '<=', '>=', '=', '<', '>'].find((candidate) => this.accept(candidate));
    if (!operator) this.fail('=, !=, <, >, <=, >=, IS NULL, NOT EXISTS, IS TRUE or IS FALSE');
    const value = this.parseLiteral();
    if (value.kind !== 'number' && operator !== '=' && operator !== '!=') {
      this.fail(`a number after ${operator}`);
    }
    return { kind: 'compare', selector, operator, value };
  }

  private parseLiteral(): Literal {
    this.skipSpace();
    const rest = this.source.slice(this.position);
    const quoted = /^"((?:[^"\\]|\\.)*)"/.exec(rest);
    if (quoted) {
      this.position += quoted[0].length;
      return { kind: 'string', value: quoted[1].replace(/\\(.)/g, '$1') };
    }
    const regex = /^%((?:[^%\\]|\\.)*)%/.exec(rest);
    if (regex) {
      this.position += regex[0].length;
      return { kind: 'regex', value: new RegExp(regex[1]) };
    }
    const token = /^[^\s()&|}]+/.exec(rest);
    if (!token) this.fail('a value');
    this.position += token[0].length;
    const number = Number(token[0]);
    return /^-?\d/.test(token[0]) && Number.isFinite(number)
      ? { kind: 'number', value: number }
      : { kind: 'string', value: token[0] };
  }

  private accept(text: string): boolean {
    this.skipSpace();
    if (!this.source.startsWith(text, this.position)) return false;
    this.position += text.length;
    return true;
  }

  private expect(text: string): void {
    if (!this.accept(text)) this.fail(text);
  }

  private skipSpace(): void {
    while (/\s/.test(this.source[this.position] ?? '')) this.position += 1;
  }

  private fail(expected: string): never {
    throw new Error(
      `Filter pattern ${this.source}: expected ${expected} at position ${this.position} ` +
        `(found ${JSON.stringify(this.source.slice(this.position, this.position + 12) || 'the end')})`,
    );
  }
}
