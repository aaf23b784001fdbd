/**
 * API Gateway mapping templates (Velocity Template Language) rendered with velocityjs, with the
 * variables API Gateway offers: `$context`, `$input`, `$util` and `$stageVariables`.
 *
 * API Gateway runs Apache Velocity on the JVM, so templates call Java `String` methods
 * (`$key.matches(...)`, `.replaceAll(...)`). velocityjs calls methods on JavaScript values, where
 * `String.prototype.replaceAll` exists with a different meaning (a literal, not a regex) and
 * `matches` does not exist; strings handed to templates are therefore wrapped in {@link JavaString}.
 */
import { Compile, parse } from 'velocityjs';

/** A string with the Java `String` methods mapping templates use. */
export class JavaString {
  constructor(private readonly value: string) {}

  public toString(): string {
    return this.value;
  }

  /** Serializes as the plain string. */
  public toJSON(): string {
    return this.value;
  }

  /** Lets `==` in templates compare a wrapped string with a literal. */
  public valueOf(): string {
    return this.value;
  }

  /** Java `String.matches`: the whole string must match the regex. */
  public matches(regex: unknown): boolean {
    return javaRegex(String(regex), { whole: true }).test(this.value);
  }

  /** Java `String.replaceAll`: every match of the regex, with Java's replacement syntax. */
  public replaceAll(regex: unknown, replacement: unknown): JavaString {
    return new JavaString(
      this.value.replace(javaRegex(String(regex), { global: true }), javaReplacement(String(replacement))),
    );
  }

  /** Java `String.replaceFirst`. */
  public replaceFirst(regex: unknown, replacement: unknown): JavaString {
    return new JavaString(this.value.replace(javaRegex(String(regex)), javaReplacement(String(replacement))));
  }

  /** Java `String.replace`: every occurrence of a literal. */
  public replace(target: unknown, replacement: unknown): JavaString {
    return new JavaString(this.value.split(String(target)).join(String(replacement)));
  }

  public length(): number {
    return this.value.length;
  }

  public isEmpty(): boolean {
    return this.value.length === 0;
  }

  public contains(part: unknown): boolean {
    return this.value.includes(String(part));
  }

  public startsWith(prefix: unknown): boolean {
    return this.value.startsWith(String(prefix));
  }

  public endsWith(suffix: unknown): boolean {
    return this.value.endsWith(String(suffix));
  }

  public equals(other: unknown): boolean {
    return other !== null && other !== undefined && this.value === stringOf(other);
  }

  public equalsIgnoreCase(other: unknown): boolean {
    return (
      other !== null && other !== undefined && this.value.toLowerCase() === stringOf(other).toLowerCase()
    );
  }

  public indexOf(part: unknown): number {
    return this.value.indexOf(String(part));
  }

  public substring(begin: number, end?: number): JavaString {
    return new JavaString(this.value.substring(begin, end));
  }

  public toLowerCase(): JavaString {
    return new JavaString(this.value.toLowerCase());
  }

  public toUpperCase(): JavaString {
    return new JavaString(this.value.toUpperCase());
  }

  public trim(): JavaString {
    return new JavaString(this.value.trim());
  }

  public split(regex: unknown): JavaString[] {
    const parts = this.value.split(javaRegex(String(regex)));
    // Java drops trailing empty strings.
    while (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    return parts.map((part) => new JavaString(part));
  }
}

/** A Java regex as a JavaScript one (the syntax templates use is common to both). */
export function javaRegex(pattern: string, options: { whole?: boolean; global?: boolean } = {}): RegExp {
  const translated = pattern.replace(/\\A/g, '^').replace(/\\[zZ]/g, '$');
  return new RegExp(options.whole ? `^(?:${translated})$` : translated, options.global ? 'g' : '');
}

/** A Java `Matcher` replacement (`$1`, `\$` for a dollar, `\\` for a backslash) in JavaScript's syntax. */
export function javaReplacement(replacement: string): string {
  let result = '';
  for (let i = 0; i < replacement.length; i++) {
    const char = replacement[i];
    if (char === '\\' && i + 1 < replacement.length) {
      const escaped = replacement[++i];
      result += escaped === '$' ? '$$' : escaped;
    } else {
      result += char;
    }
  }
  return result;
}

/**
 * Marks a list that came from JSON (`$input.path`, `$util.parseJson`): API Gateway hands those to
 * templates as JSON arrays, whose `toString` is JSON, while a list a template builds (`[1, 2]`) is a
 * Java `ArrayList`, whose `toString` is `[1, 2]`.
 */
const JSON_LIST = Symbol('json-list');

/** Wraps strings (deeply) so templates can call Java string methods on them; marks JSON lists. */
export function toTemplateValue(value: unknown): unknown {
  if (typeof value === 'string') return new JavaString(value);
  if (Array.isArray(value)) {
    const list = value.map(toTemplateValue);
    Object.defineProperty(list, JSON_LIST, { value: true });
    return list;
  }
  if (value !== null && typeof value === 'object' && !(value instanceof JavaString)) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toTemplateValue(item)]));
  }
  return value;
}

/**
 * The objects of `$context` that are not plain maps on AWS (`identity`, `requestOverride`,
 * `responseOverride` and their `header`/`path`/`querystring`): they render as nothing, as AWS
 * recorded (`"$context.identity"` is `""`), while their members read as usual.
 */
const CONTEXT_OBJECTS = new WeakSet<object>();

/** Marks `$context` objects that render as nothing (see {@link CONTEXT_OBJECTS}). */
function markContextObjects(...objects: unknown[]): void {
  for (const object of objects) {
    if (object !== null && typeof object === 'object') CONTEXT_OBJECTS.add(object);
  }
}

/**
 * A template value as the JVM's `toString` writes it: a string as is, a JSON list as JSON, a list a
 * template built as `[a, b]`, a map as `{key=value, …}` (its values by the same rules), null as
 * `null` inside a list or map. A reference to nothing renders as nothing (see {@link renderValue}).
 */
export function javaToString(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (typeof value === 'object' && CONTEXT_OBJECTS.has(value)) return '';
  if (value instanceof JavaString) return value.toString();
  if (Array.isArray(value)) {
    return (value as unknown as Record<symbol, unknown>)[JSON_LIST]
      ? JSON.stringify(value)
      : `[${value.map(javaToString).join(', ')}]`;
  }
  if (typeof value === 'object') {
    return `{${Object.entries(value)
      .map(([key, item]) => `${key}=${javaToString(item)}`)
      .join(', ')}}`;
  }
  return scalarToString(value);
}

/** A number, boolean, bigint or symbol as text (what is left once strings, lists and maps are handled). */
function scalarToString(value: unknown): string {
  return typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint'
    ? value.toString()
    : typeof value === 'string'
      ? value
      : '';
}

/** What `$ref` renders as: nothing for a missing or null value (API Gateway's quiet references), else its `toString`. */
export function renderValue(value: unknown): string {
  return value === null || value === undefined ? '' : javaToString(value);
}

/**
 * Velocity's `==` as API Gateway evaluates it: a missing or null value equals the empty string (and
 * another null), values of different kinds compare by their `toString`, lists and maps by content.
 */
export function velocityEquals(left: unknown, right: unknown): boolean {
  const unwrap = (value: unknown) => (value instanceof JavaString ? value.toString() : value);
  const a = unwrap(left);
  const b = unwrap(right);
  if (a === null || a === undefined || b === null || b === undefined) {
    const other = a === null || a === undefined ? b : a;
    return other === null || other === undefined || other === '';
  }
  if (typeof a === 'object' || typeof b === 'object') {
    return (
      typeof a === typeof b && Array.isArray(a) === Array.isArray(b) && javaToString(a) === javaToString(b)
    );
  }
  if (typeof a === typeof b) return a === b;
  return scalarToString(a) === scalarToString(b);
}

/**
 * Apache Commons Lang `StringEscapeUtils.escapeJavaScript`, which API Gateway's
 * `$util.escapeJavaScript` uses: quotes, backslash and `/` escaped, control and non-ASCII
 * characters as `\uXXXX`.
 */
export function escapeJavaScript(value: string): string {
  let result = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code > 0xffff) {
      // Java works in UTF-16 code units: a surrogate pair becomes two escapes.
      for (const unit of [char.charCodeAt(0), char.charCodeAt(1)]) result += `\\u${hex4(unit)}`;
    } else if (code > 0x7f) {
      result += `\\u${hex4(code)}`;
    } else if (code < 0x20) {
      const named: Record<number, string> = { 8: '\\b', 9: '\\t', 10: '\\n', 12: '\\f', 13: '\\r' };
      result += named[code] ?? `\\u${hex4(code)}`;
    } else if (char === "'" || char === '"' || char === '\\' || char === '/') {
      result += `\\${char}`;
    } else {
      result += char;
    }
  }
  return result;
}

function hex4(code: number): string {
  return code.toString(16).toUpperCase().padStart(4, '0');
}

/** Java's `URLEncoder.encode(value, "UTF-8")`: form encoding, a space becomes `+`. */
export function urlEncode(value: string): string {
  return encodeURIComponent(value)
    .replace(/[!'()~]/g, (char) => `%${char.charCodeAt(0).toString(16).toUpperCase()}`)
    .replace(/%20/g, '+');
}

/** Java's `URLDecoder.decode(value, "UTF-8")`. */
export function urlDecode(value: string): string {
  return decodeURIComponent(value.replace(/\+/g, ' '));
}

/** API Gateway's `$util`. */
export function utilVariable(): Record<string, (value: unknown) => unknown> {
  return {
    escapeJavaScript: (value) => new JavaString(escapeJavaScript(stringOf(value))),
    urlEncode: (value) => new JavaString(urlEncode(stringOf(value))),
    urlDecode: (value) => new JavaString(urlDecode(stringOf(value))),
    base64Encode: (value) => new JavaString(Buffer.from(stringOf(value), 'utf8').toString('base64')),
    base64Decode: (value) => new JavaString(Buffer.from(stringOf(value), 'base64').toString('utf8')),
    parseJson: (value) => toTemplateValue(JSON.parse(stringOf(value))),
  };
}

/** The request (or integration response) a template's `$input` reads. */
export interface TemplateInput {
  /** The payload: the method request body, or the integration response body. */
  readonly body: string;
  /** Path parameters of the method request. */
  readonly path: Readonly<Record<string, string>>;
  /** Query string parameters of the method request (the last value of each). */
  readonly querystring: Readonly<Record<string, string>>;
  /** Headers of the method request (the last value of each), with their original names. */
  readonly header: Readonly<Record<string, string>>;
  /**
   * Whether `$input.params('Name')` finds a header only under its exact spelling. AWS does not
   * document whether the lookup ignores case, so the emulator ignores it (the lenient reading) and
   * tests of templates can ask for the strict one. See the local cloud's known differences.
   * @default false
   */
  readonly exactHeaderNames?: boolean;
}

/** API Gateway's `$input`. `params` always refers to the method request. */
export function inputVariable(input: TemplateInput): Record<string, unknown> {
  const parsedBody = (): unknown => {
    try {
      return JSON.parse(input.body) as unknown;
    } catch {
      return undefined;
    }
  };
  return {
    body: new JavaString(input.body),
    json: (path: unknown) => new JavaString(JSON.stringify(selectJsonPath(parsedBody(), String(path))) ?? ''),
    path: (path: unknown) => toTemplateValue(selectJsonPath(parsedBody(), String(path))),
    params: (name?: unknown) => {
      if (name === undefined) {
        return toTemplateValue({ path: input.path, querystring: input.querystring, header: input.header });
      }
      const wanted = stringOf(name);
      if (wanted in input.path) return new JavaString(input.path[wanted]);
      if (wanted in input.querystring) return new JavaString(input.querystring[wanted]);
      const header = Object.entries(input.header).find(([key]) =>
        input.exactHeaderNames ? key === wanted : key.toLowerCase() === wanted.toLowerCase(),
      );
      // A missing parameter is an empty string in API Gateway, never null.
      return new JavaString(header?.[1] ?? '');
    },
  };
}

/**
 * The subset of JSONPath templates use: `$`, `$.a.b`, `$['a']`, `$.items[0]`. Anything else selects
 * nothing.
 */
export function selectJsonPath(document: unknown, path: string): unknown {
  if (!path.startsWith('$')) return undefined;
  const steps = [...path.slice(1).matchAll(/\.([^.[\]]+)|\[(\d+)\]|\['([^']*)'\]|\["([^"]*)"\]/g)];
  let current = document;
  for (const step of steps) {
    const key = step[1] ?? step[3] ?? step[4];
    if (key !== undefined) {
      current =
        current !== null && typeof current === 'object' && !Array.isArray(current)
          ? (current as Record<string, unknown>)[key]
          : undefined;
    } else {
      current = Array.isArray(current) ? current[Number(step[2])] : undefined;
    }
  }
  return current;
}

/**
 * `$context.responseOverride`, which a template may set to change the method response's status and
 * headers (`#set($context.responseOverride.status = 413)`).
 */
export interface ResponseOverride {
  status?: unknown;
  header: Record<string, unknown>;
  [other: string]: unknown;
}

/**
 * `$context.requestOverride`, which a request template may set to change the integration request's
 * headers, path and query string parameters.
 */
export interface RequestOverride {
  header: Record<string, unknown>;
  path: Record<string, unknown>;
  querystring: Record<string, unknown>;
}

/** What a mapping template sees. */
export interface TemplateVariables {
  readonly context: Record<string, unknown>;
  readonly input: TemplateInput;
  readonly stageVariables?: Readonly<Record<string, string>>;
  /** The template's `#set($context.responseOverride…)`s land in it. */
  readonly responseOverride?: ResponseOverride;
  /** The template's `#set($context.requestOverride…)`s land in it (request templates). */
  readonly requestOverride?: RequestOverride;
}

const parsedTemplates = new Map<string, ReturnType<typeof parse>>();

/** A node of velocityjs's syntax tree. */
type VelocityNode = Extract<ReturnType<typeof parse>[number], object>;

/** The parts of a Velocity expression node the engine reads. */
interface ExpressionNode {
  readonly type: string;
  readonly operator?: string;
  readonly expression?: unknown[];
}

/**
 * velocityjs, made to render as API Gateway's Velocity does on the JVM: references to nothing render
 * as nothing, values render as Java's `toString` (see {@link renderValue}), and `==`/`!=` follow
 * {@link velocityEquals}.
 */
class ApiGatewayVelocity extends Compile {
  protected override getReferences(ast: VelocityNode, isVal?: boolean): string {
    const value: unknown = super.getReferences(ast, isVal);
    return isVal ? renderValue(value) : (value as string);
  }

  protected override getExpression(ast: VelocityNode): string {
    const node = ast as unknown as ExpressionNode;
    if (node.type === 'math' && (node.operator === '==' || node.operator === '!=')) {
      const [left, right] = (node.expression ?? []).map((operand) =>
        super.getExpression(operand as VelocityNode),
      );
      const equal = velocityEquals(left, right);
      return (node.operator === '==' ? equal : !equal) as unknown as string;
    }
    return super.getExpression(ast);
  }
}

/** Java methods on template values that velocityjs does not know. */
const JAVA_METHODS: ConstructorParameters<typeof Compile>[1] = {
  customMethodHandlers: [
    {
      // toString keeps a string a (Java) string, and writes lists and maps as Java does.
      uid: 'java: toString',
      match: ({ property, params }) => property === 'toString' && params.length === 0,
      resolve: ({ context }) =>
        context instanceof JavaString ? context : new JavaString(javaToString(context)),
    },
  ],
};

/** Renders a mapping template. Throws if the template cannot be parsed or evaluated. */
export function renderTemplate(template: string, variables: TemplateVariables): string {
  let ast = parsedTemplates.get(template);
  if (!ast) {
    ast = parse(template);
    parsedTemplates.set(template, ast);
  }
  const context = toTemplateValue(variables.context) as Record<string, unknown>;
  if (variables.responseOverride) context.responseOverride = variables.responseOverride;
  if (variables.requestOverride) context.requestOverride = variables.requestOverride;
  const { responseOverride, requestOverride } = variables;
  markContextObjects(
    context.identity,
    responseOverride,
    responseOverride?.header,
    requestOverride,
    requestOverride?.header,
    requestOverride?.path,
    requestOverride?.querystring,
  );
  return new ApiGatewayVelocity(ast, JAVA_METHODS).render(
    {
      context,
      input: inputVariable(variables.input),
      util: utilVariable(),
      stageVariables: toTemplateValue(variables.stageVariables ?? {}),
    },
    undefined,
    // API Gateway renders a reference to nothing as nothing, as Velocity's quiet references do.
    true,
  );
}

function stringOf(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'string') return value;
  if (value instanceof JavaString) return value.toString();
  if (typeof value === 'object') return JSON.stringify(value);
  return typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
}
