/**
 * The rule of a composite alarm: `ALARM(x)`, `OK(x)`, `INSUFFICIENT_DATA(x)` of other alarms (by name
 * or ARN, quoted or not), `TRUE`, `FALSE`, `AND`, `OR`, `NOT` and parentheses. The composite alarm is
 * in ALARM while its rule is true and in OK otherwise.
 *
 * Source: `AlarmRule` of `PutCompositeAlarm`, CloudWatch API reference.
 */
import type { AlarmState } from './alarm-registry';

/** A parsed rule: its value for the current states of the alarms it names. */
export interface CompositeRule {
  /** The alarm names or ARNs the rule reads. */
  readonly alarms: readonly string[];
  evaluate(stateOf: (alarm: string) => AlarmState): boolean;
}

type RuleNode =
  | { readonly kind: 'constant'; readonly value: boolean }
  | { readonly kind: 'state'; readonly state: AlarmState; readonly alarm: string }
  | { readonly kind: 'not'; readonly operand: RuleNode }
  | { readonly kind: 'and' | 'or'; readonly left: RuleNode; readonly right: RuleNode };

const FUNCTIONS: readonly AlarmState[] = ['ALARM', 'OK', 'INSUFFICIENT_DATA'];

/**
 * Parses an `AlarmRule`. `NOT` binds tightest, then `AND`, then `OR`.
 *
 * @throws Error naming the position of what does not parse
 */
export function parseCompositeRule(source: string): CompositeRule {
  let position = 0;
  const alarms: string[] = [];
  const skipSpace = () => {
    while (/\s/.test(source[position] ?? '')) position += 1;
  };
  const fail = (expected: string): never => {
    throw new Error(`Alarm rule: expected ${expected} at position ${position} of ${source}`);
  };
  const keyword = (word: string): boolean => {
    skipSpace();
    const match = new RegExp(`^${word}(?![A-Za-z_])`).exec(source.slice(position));
    if (!match) return false;
    position += word.length;
    return true;
  };
  const symbol = (text: string): boolean => {
    skipSpace();
    if (!source.startsWith(text, position)) return false;
    position += text.length;
    return true;
  };
  const parseOr = (): RuleNode => {
    let left = parseAnd();
    while (keyword('OR')) left = { kind: 'or', left, right: parseAnd() };
    return left;
  };
  const parseAnd = (): RuleNode => {
    let left = parseUnary();
    while (keyword('AND')) left = { kind: 'and', left, right: parseUnary() };
    return left;
  };
  const parseUnary = (): RuleNode => {
    if (keyword('NOT')) return { kind: 'not', operand: parseUnary() };
    if (symbol('(')) {
      const inner = parseOr();
      if (!symbol(')')) fail(')');
      return inner;
    }
    if (keyword('TRUE')) return { kind: 'constant', value: true };
    if (keyword('FALSE')) return { kind: 'constant', value: false };
    const state = FUNCTIONS.find((name) => keyword(name));
    if (!state) return fail('ALARM(…), OK(…), INSUFFICIENT_DATA(…), TRUE, FALSE, NOT or (');
    if (!symbol('(')) fail('(');
    skipSpace();
    const quoted = /^"([^"]*)"/.exec(source.slice(position));
    const bare = /^[^\s()]+/.exec(source.slice(position));
    const alarm = quoted?.[1] ?? bare?.[0];
    if (alarm === undefined) return fail('an alarm name or ARN');
    position += (quoted ?? bare)?.[0].length ?? 0;
    if (!symbol(')')) fail(')');
    alarms.push(alarm);
    return { kind: 'state', state, alarm };
  };
  const root = parseOr();
  skipSpace();
  if (position !== source.length) fail('the end of the rule');
  const evaluateNode = (node: RuleNode, stateOf: (alarm: string) => AlarmState): boolean => {
    switch (node.kind) {
      case 'constant':
        return node.value;
      case 'state':
        return stateOf(node.alarm) === node.state;
      case 'not':
        return !evaluateNode(node.operand, stateOf);
      case 'and':
        return evaluateNode(node.left, stateOf) && evaluateNode(node.right, stateOf);
      case 'or':
        return evaluateNode(node.left, stateOf) || evaluateNode(node.right, stateOf);
    }
  };
  return { alarms, evaluate: (stateOf) => evaluateNode(root, stateOf) };
}
