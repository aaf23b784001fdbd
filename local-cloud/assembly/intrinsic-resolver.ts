/**
 * Resolving CloudFormation intrinsic functions in a template against what the local cloud created:
 * a `Ref` to a table becomes the local table name, a `Fn::GetAtt` of a queue's `Arn` the emulator's
 * queue ARN, and so on. Pseudo parameters come from the stack's local environment.
 */
import type { StackTemplate } from './cloud-assembly';

/** What a logical id stands for locally: its `Ref` value and its `Fn::GetAtt` attributes. */
export interface LocalResourceValues {
  /** The value of `{ Ref: logicalId }`. */
  readonly ref: string;
  /** The values of `{ 'Fn::GetAtt': [logicalId, name] }`, by attribute name. */
  readonly attributes?: Readonly<Record<string, string>>;
}

/** Properties of an {@link IntrinsicResolver}. */
export interface IntrinsicResolverProps {
  /** Name of the stack, the value of `AWS::StackName`. */
  readonly stackName: string;
  /** The stack's template, for the types of unresolvable resources and for parameter defaults. */
  readonly template: StackTemplate;
  /** The value of `AWS::Region`. */
  readonly region: string;
  /** The value of `AWS::AccountId`. */
  readonly accountId: string;
  /**
   * The value of `AWS::Partition`.
   * @default 'aws'
   */
  readonly partition?: string;
  /**
   * The value of `AWS::URLSuffix`.
   * @default 'amazonaws.com'
   */
  readonly urlSuffix?: string;
  /**
   * What a reference to a template resource that was not registered gives: an error, or a readable
   * placeholder (`Ref` `<stack>-<logical id>`, `Arn` `arn:aws:local:<region>:<account>:<logical id>`,
   * any other attribute `<stack>-<logical id>`), for a part served on its own, such as a gateway
   * whose functions do not run.
   * @default false - an error that names the reference
   */
  readonly placeholders?: boolean;
}

/** A reference the local cloud cannot resolve; the message names the logical id and property. */
export class UnresolvableReferenceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnresolvableReferenceError';
  }
}

/** `Ref: AWS::NoValue` removes the property or list element it stands in. */
const NO_VALUE = Symbol('AWS::NoValue');

const SUPPORTED_FUNCTIONS = [
  'Ref',
  'Fn::GetAtt',
  'Fn::Join',
  'Fn::Sub',
  'Fn::Select',
  'Fn::Split',
  'Fn::Base64',
] as const;

/**
 * Resolves intrinsic functions of one stack's template. Register each local resource with
 * {@link register} as it is created, then resolve values that refer to it.
 */
export class IntrinsicResolver {
  private readonly locals = new Map<string, LocalResourceValues>();
  private readonly pseudoParameters: Readonly<Record<string, string>>;

  constructor(private readonly props: IntrinsicResolverProps) {
    this.pseudoParameters = {
      'AWS::Region': props.region,
      'AWS::AccountId': props.accountId,
      'AWS::Partition': props.partition ?? 'aws',
      'AWS::URLSuffix': props.urlSuffix ?? 'amazonaws.com',
      'AWS::StackName': props.stackName,
      'AWS::StackId': `arn:${props.partition ?? 'aws'}:cloudformation:${props.region}:${props.accountId}:stack/${props.stackName}/local`,
    };
  }

  /** Name of the stack this resolver belongs to. */
  public get stackName(): string {
    return this.props.stackName;
  }

  /** Records what a logical id stands for locally; a second registration replaces the first. */
  public register(logicalId: string, values: LocalResourceValues): void {
    this.locals.set(logicalId, values);
  }

  /** Whether a logical id has a local counterpart. */
  public has(logicalId: string): boolean {
    return this.locals.has(logicalId);
  }

  /** The local values of a logical id, if it has a local counterpart. */
  public valuesOf(logicalId: string): LocalResourceValues | undefined {
    return this.locals.get(logicalId);
  }

  /**
   * Resolves every intrinsic function in a value (deeply: objects, arrays, nested functions).
   * `Ref: AWS::NoValue` removes the property or element.
   *
   * @throws UnresolvableReferenceError for a reference without a local counterpart, a condition
   *   function, or a malformed function
   */
  public resolve(value: unknown): unknown {
    const resolved = this.resolveValue(value);
    return resolved === NO_VALUE ? undefined : resolved;
  }

  /**
   * Resolves a value that must come out as a string (numbers and booleans are converted, as
   * CloudFormation does for string properties).
   *
   * @param what names the value in error messages, e.g. `ProcessOrdersFunction.Environment.ORDERS_TABLE_NAME`
   */
  public resolveString(value: unknown, what: string): string {
    const resolved = this.resolve(value);
    if (typeof resolved === 'string') return resolved;
    if (typeof resolved === 'number' || typeof resolved === 'boolean') return String(resolved);
    throw new UnresolvableReferenceError(
      `${what} in stack ${this.stackName} must resolve to a string (got ${JSON.stringify(resolved)})`,
    );
  }

  private resolveValue(value: unknown): unknown {
    if (Array.isArray(value)) {
      return value.map((element) => this.resolveValue(element)).filter((element) => element !== NO_VALUE);
    }
    if (value === null || typeof value !== 'object') return value;
    const entries = Object.entries(value);
    const [firstEntry] = entries;
    if (entries.length === 1 && firstEntry !== undefined && isFunctionName(firstEntry[0])) {
      return this.resolveFunction(firstEntry[0], firstEntry[1]);
    }
    const resolved: Record<string, unknown> = {};
    for (const [key, element] of entries) {
      const resolvedElement = this.resolveValue(element);
      if (resolvedElement !== NO_VALUE) resolved[key] = resolvedElement;
    }
    return resolved;
  }

  private resolveFunction(name: string, argument: unknown): unknown {
    switch (name) {
      case 'Ref':
        return this.resolveRef(argument);
      case 'Fn::GetAtt':
        return this.resolveGetAtt(argument);
      case 'Fn::Join':
        return this.resolveJoin(argument);
      case 'Fn::Sub':
        return this.resolveSub(argument);
      case 'Fn::Select':
        return this.resolveSelect(argument);
      case 'Fn::Split':
        return this.resolveSplit(argument);
      case 'Fn::Base64':
        return Buffer.from(this.resolveString(argument, 'Fn::Base64'), 'utf8').toString('base64');
      default:
        throw new UnresolvableReferenceError(
          `${name} in stack ${this.stackName} is not supported by the local cloud ` +
            `(supported: ${SUPPORTED_FUNCTIONS.join(', ')} and the pseudo parameters)`,
        );
    }
  }

  private resolveRef(argument: unknown): unknown {
    if (typeof argument !== 'string') {
      throw this.malformed('Ref', argument);
    }
    if (argument === 'AWS::NoValue') return NO_VALUE;
    const pseudo = this.pseudoParameters[argument];
    if (pseudo !== undefined) return pseudo;
    if (argument.startsWith('AWS::')) {
      throw new UnresolvableReferenceError(
        `Ref ${argument} in stack ${this.stackName}: the local cloud has no value for this pseudo parameter ` +
          `(it has: ${Object.keys(this.pseudoParameters).join(', ')})`,
      );
    }
    const local = this.locals.get(argument) ?? this.placeholderOf(argument);
    if (local !== undefined) return local.ref;
    const parameter = this.props.template.Parameters?.[argument];
    if (parameter !== undefined) {
      if (parameter.Default === undefined) {
        throw new UnresolvableReferenceError(
          `Ref ${argument} in stack ${this.stackName}: the parameter has no default and the local cloud passes no parameters`,
        );
      }
      return parameter.Default;
    }
    throw this.noLocalCounterpart(`Ref ${argument}`, argument);
  }

  private resolveGetAtt(argument: unknown): string {
    const [logicalId, attribute] = parseGetAtt(argument);
    if (logicalId === undefined || attribute === undefined) throw this.malformed('Fn::GetAtt', argument);
    const local = this.locals.get(logicalId) ?? this.placeholderOf(logicalId, attribute);
    if (local === undefined) throw this.noLocalCounterpart(`Fn::GetAtt ${logicalId}.${attribute}`, logicalId);
    const value = local.attributes?.[attribute];
    if (value === undefined) {
      const known = Object.keys(local.attributes ?? {}).join(', ') || 'none';
      throw new UnresolvableReferenceError(
        `Fn::GetAtt ${logicalId}.${attribute} in stack ${this.stackName}: the local ${logicalId} ` +
          `(${this.typeOf(logicalId)}) has no attribute ${attribute} (it has: ${known})`,
      );
    }
    return value;
  }

  private resolveJoin(argument: unknown): string {
    if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== 'string') {
      throw this.malformed('Fn::Join', argument);
    }
    const [delimiter, list] = argument as [string, unknown];
    return this.resolveList(list, 'Fn::Join')
      .map((element) => this.resolveString(element, 'an element of Fn::Join'))
      .join(delimiter);
  }

  private resolveSub(argument: unknown): string {
    let template: unknown = argument;
    let variables: Record<string, unknown> = {};
    if (Array.isArray(argument)) {
      if (argument.length !== 2 || typeof argument[1] !== 'object' || argument[1] === null) {
        throw this.malformed('Fn::Sub', argument);
      }
      template = argument[0];
      variables = argument[1] as Record<string, unknown>;
    }
    if (typeof template !== 'string') throw this.malformed('Fn::Sub', argument);
    return template.replace(/\$\{(!?)([^}]*)\}/g, (whole, literal: string, name: string) => {
      // `${!Literal}` is written out as `${Literal}`.
      if (literal === '!') return whole.replace('${!', '${');
      const trimmed = name.trim();
      if (trimmed in variables) {
        return this.resolveString(variables[trimmed], `Fn::Sub variable ${trimmed}`);
      }
      if (trimmed.includes('.') && !trimmed.startsWith('AWS::')) {
        return this.resolveGetAtt(trimmed);
      }
      return this.resolveString({ Ref: trimmed }, `Fn::Sub reference \${${trimmed}}`);
    });
  }

  private resolveSelect(argument: unknown): unknown {
    if (!Array.isArray(argument) || argument.length !== 2) throw this.malformed('Fn::Select', argument);
    const index = Number(this.resolve(argument[0]));
    const list = this.resolveList(argument[1], 'Fn::Select');
    if (!Number.isInteger(index) || index < 0 || index >= list.length) {
      throw new UnresolvableReferenceError(
        `Fn::Select in stack ${this.stackName}: index ${String(argument[0])} is outside the list of ${list.length}`,
      );
    }
    return list[index];
  }

  private resolveSplit(argument: unknown): string[] {
    if (!Array.isArray(argument) || argument.length !== 2 || typeof argument[0] !== 'string') {
      throw this.malformed('Fn::Split', argument);
    }
    return this.resolveString(argument[1], 'the source of Fn::Split').split(argument[0]);
  }

  private resolveList(value: unknown, functionName: string): unknown[] {
    const resolved = this.resolve(value);
    if (!Array.isArray(resolved)) {
      throw new UnresolvableReferenceError(
        `${functionName} in stack ${this.stackName} needs a list (got ${JSON.stringify(resolved)})`,
      );
    }
    return resolved;
  }

  /** A template resource's placeholder values, when the resolver gives placeholders. */
  private placeholderOf(logicalId: string, attribute?: string): LocalResourceValues | undefined {
    if (!this.props.placeholders || this.props.template.Resources[logicalId] === undefined) return undefined;
    const { stackName, region, accountId } = this.props;
    const ref = `${stackName}-${logicalId}`;
    const arn = `arn:aws:local:${region}:${accountId}:${logicalId}`;
    return {
      ref,
      attributes: attribute === undefined ? {} : { [attribute]: attribute === 'Arn' ? arn : ref },
    };
  }

  private noLocalCounterpart(reference: string, logicalId: string): UnresolvableReferenceError {
    const resource = this.props.template.Resources[logicalId];
    if (resource === undefined) {
      return new UnresolvableReferenceError(
        `${reference} in stack ${this.stackName}: the template has no resource or parameter ${logicalId}`,
      );
    }
    return new UnresolvableReferenceError(
      `${reference} in stack ${this.stackName}: ${logicalId} (${resource.Type}) has no local counterpart ` +
        '(the type is not emulated, or the resource was not created yet)',
    );
  }

  private malformed(functionName: string, argument: unknown): UnresolvableReferenceError {
    return new UnresolvableReferenceError(
      `Malformed ${functionName} in stack ${this.stackName}: ${JSON.stringify(argument)}`,
    );
  }

  private typeOf(logicalId: string): string {
    return this.props.template.Resources[logicalId]?.Type ?? 'not in the template';
  }
}

/** Every key that starts an intrinsic function or a condition function. */
function isFunctionName(key: string): boolean {
  return key === 'Ref' || key === 'Condition' || key.startsWith('Fn::');
}

/** `['Id', 'Attr']` or `'Id.Attr'` (the short form, and `Fn::Sub`'s `${Id.Attr}`). */
function parseGetAtt(argument: unknown): [string | undefined, string | undefined] {
  if (typeof argument === 'string') {
    const dot = argument.indexOf('.');
    return dot < 0 ? [undefined, undefined] : [argument.slice(0, dot), argument.slice(dot + 1)];
  }
  if (Array.isArray(argument) && argument.length === 2) {
    const [logicalId, attribute] = argument as unknown[];
    if (typeof logicalId === 'string' && typeof attribute === 'string') return [logicalId, attribute];
  }
  return [undefined, undefined];
}
