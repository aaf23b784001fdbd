/**
 * How CloudWatch decides a metric alarm's state, read from an `AWS::CloudWatch::Alarm`'s properties:
 * the metric (one metric and statistic, or metric math over several), the period, the threshold and
 * comparison, `EvaluationPeriods` and `DatapointsToAlarm` ("M out of N") and `TreatMissingData`.
 *
 * Source of the semantics: "Using Amazon CloudWatch alarms" and "Configuring how CloudWatch alarms
 * treat missing data", CloudWatch user guide; "Metric math syntax and functions" for `FILL` and the
 * arithmetic operators.
 */
import { isSupportedStatistic, type MetricIdentity, type MetricStore } from '../metrics/metric-store';
import type { AlarmState } from './alarm-registry';

const COMPARISONS = {
  GreaterThanThreshold: (value: number, threshold: number) => value > threshold,
  GreaterThanOrEqualToThreshold: (value: number, threshold: number) => value >= threshold,
  LessThanThreshold: (value: number, threshold: number) => value < threshold,
  LessThanOrEqualToThreshold: (value: number, threshold: number) => value <= threshold,
} as const;

type Comparison = keyof typeof COMPARISONS;

/** What CloudWatch does with a period without datapoints. */
export type TreatMissingData = 'breaching' | 'notBreaching' | 'ignore' | 'missing';

/** One metric and statistic of a query. */
interface MetricStat {
  readonly metric: MetricIdentity;
  readonly statistic: string;
  readonly periodSeconds: number;
}

/** A metric math expression over other queries (by id). */
type MathNode =
  | { readonly kind: 'number'; readonly value: number }
  | { readonly kind: 'id'; readonly id: string }
  | {
      readonly kind: 'binary';
      readonly operator: '+' | '-' | '*' | '/';
      readonly left: MathNode;
      readonly right: MathNode;
    }
  | { readonly kind: 'fill'; readonly value: MathNode; readonly fill: number };

type Query =
  { readonly kind: 'stat'; readonly stat: MetricStat } | { readonly kind: 'math'; readonly node: MathNode };

/** A metric alarm as CloudWatch evaluates it. */
export interface MetricAlarmDefinition {
  readonly periodSeconds: number;
  readonly evaluationPeriods: number;
  readonly datapointsToAlarm: number;
  readonly threshold: number;
  readonly comparison: Comparison;
  readonly treatMissingData: TreatMissingData;
  /** The query whose value is compared with the threshold. */
  readonly result: string;
  readonly queries: ReadonlyMap<string, Query>;
  /** One line, for status output: `ServerErrorShare Average > 0.01 over 1 × 300 s`. */
  readonly summary: string;
}

/** Resolves a template value (an intrinsic) to a string. */
export type ResolveString = (value: unknown, what: string) => string;

/**
 * Reads a metric alarm's evaluation from its (resolved) properties.
 *
 * @throws Error saying what the local cloud cannot evaluate (anomaly detection, an unknown statistic
 *   or metric math function); the caller reports the alarm as not evaluated
 */
export function readMetricAlarm(
  properties: Record<string, unknown>,
  resolveString: ResolveString,
): MetricAlarmDefinition {
  const comparison = properties.ComparisonOperator;
  if (typeof comparison !== 'string' || !(comparison in COMPARISONS)) {
    throw new Error(`comparison ${String(comparison)} (anomaly detection bands) is not evaluated locally`);
  }
  if (properties.ThresholdMetricId !== undefined)
    throw new Error('ThresholdMetricId is not evaluated locally');
  const evaluationPeriods = Number(properties.EvaluationPeriods);
  const treatMissingData = (properties.TreatMissingData ?? 'missing') as TreatMissingData;
  const queries = new Map<string, Query>();
  let result: string;
  let periodSeconds: number;
  if (Array.isArray(properties.Metrics)) {
    const returned: string[] = [];
    for (const [index, entry] of (properties.Metrics as Array<Record<string, unknown>>).entries()) {
      const id = String(entry.Id);
      if (typeof entry.Expression === 'string') {
        queries.set(id, { kind: 'math', node: parseMathExpression(entry.Expression) });
      } else {
        const metricStat = entry.MetricStat as Record<string, unknown>;
        queries.set(id, {
          kind: 'stat',
          stat: readMetricStat(
            metricStat.Metric as Record<string, unknown>,
            String(metricStat.Stat),
            Number(metricStat.Period),
            resolveString,
            `Metrics[${index}]`,
          ),
        });
      }
      if (entry.ReturnData !== false) returned.push(id);
    }
    if (returned.length !== 1)
      throw new Error(`${returned.length} metrics return data; an alarm needs exactly one`);
    result = returned[0];
    periodSeconds = periodOf(queries, result);
  } else {
    const statistic = String(properties.ExtendedStatistic ?? properties.Statistic);
    periodSeconds = Number(properties.Period);
    result = 'm';
    queries.set(result, {
      kind: 'stat',
      stat: readMetricStat(properties, statistic, periodSeconds, resolveString, 'the alarm'),
    });
  }
  const threshold = Number(properties.Threshold);
  const datapointsToAlarm = Number(properties.DatapointsToAlarm ?? evaluationPeriods);
  if (!(
    evaluationPeriods >= 1 &&
    datapointsToAlarm >= 1 &&
    periodSeconds > 0 &&
    Number.isFinite(threshold)
  )) {
    throw new Error('EvaluationPeriods, DatapointsToAlarm, Period and Threshold must be set');
  }
  const returnedQuery = queries.get(result) as Query;
  const what =
    returnedQuery.kind === 'stat'
      ? `${returnedQuery.stat.metric.metricName} ${returnedQuery.stat.statistic}`
      : `metric math ${result}`;
  const symbol = {
    GreaterThanThreshold: '>',
    GreaterThanOrEqualToThreshold: '>=',
    LessThanThreshold: '<',
    LessThanOrEqualToThreshold: '<=',
  }[comparison as Comparison];
  return {
    periodSeconds,
    evaluationPeriods,
    datapointsToAlarm,
    threshold,
    comparison: comparison as Comparison,
    treatMissingData,
    result,
    queries,
    summary: `${what} ${symbol} ${threshold}, ${datapointsToAlarm} of ${evaluationPeriods} × ${periodSeconds} s, missing data ${treatMissingData}`,
  };
}

function readMetricStat(
  fields: Record<string, unknown>,
  statistic: string,
  periodSeconds: number,
  resolveString: ResolveString,
  where: string,
): MetricStat {
  if (!isSupportedStatistic(statistic))
    throw new Error(`statistic ${statistic} of ${where} is not computed locally`);
  const dimensions = ((fields.Dimensions as Array<{ Name: string; Value: unknown }> | undefined) ?? []).map(
    ({ Name, Value }) => [Name, resolveString(Value, `${where} dimension ${Name}`)] as const,
  );
  return {
    metric: {
      namespace: String(fields.Namespace),
      metricName: String(fields.MetricName),
      dimensions: Object.fromEntries(dimensions),
    },
    statistic,
    periodSeconds,
  };
}

/** The period of a query: its own, or the longest of the metrics an expression reads. */
function periodOf(queries: ReadonlyMap<string, Query>, id: string, seen = new Set<string>()): number {
  const query = queries.get(id);
  if (!query) throw new Error(`metric math refers to unknown id ${id}`);
  if (query.kind === 'stat') return query.stat.periodSeconds;
  if (seen.has(id)) throw new Error(`metric math id ${id} refers to itself`);
  seen.add(id);
  return Math.max(0, ...idsOf(query.node).map((child) => periodOf(queries, child, seen)));
}

function idsOf(node: MathNode): string[] {
  switch (node.kind) {
    case 'number':
      return [];
    case 'id':
      return [node.id];
    case 'fill':
      return idsOf(node.value);
    case 'binary':
      return [...idsOf(node.left), ...idsOf(node.right)];
  }
}

/**
 * One evaluation: the values of the last `EvaluationPeriods` periods ending at `now` (newest first;
 * `undefined` = missing) and the state they give. `periodMillis` is the period as it runs locally
 * (scaled for experiments). `current` is the alarm's state, which `ignore` keeps when data is missing.
 */
export function evaluateMetricAlarm(
  alarm: MetricAlarmDefinition,
  store: MetricStore,
  now: number,
  periodMillis: number,
  current: AlarmState,
): {
  readonly state: AlarmState;
  readonly values: ReadonlyArray<number | undefined>;
  readonly reason: string;
} {
  const values: Array<number | undefined> = [];
  for (let index = 0; index < alarm.evaluationPeriods; index += 1) {
    const end = now - index * periodMillis;
    values.push(valueOf(alarm.queries, alarm.result, store, end - periodMillis, end));
  }
  const breaches = (value: number) => COMPARISONS[alarm.comparison](value, alarm.threshold);
  const present = values.filter((value): value is number => value !== undefined);
  const missing = values.length - present.length;
  let breaching = present.filter(breaches).length;
  if (alarm.treatMissingData === 'breaching') breaching += missing;
  let state: AlarmState;
  if (breaching >= alarm.datapointsToAlarm) state = 'ALARM';
  else if (
    present.length > 0 ||
    alarm.treatMissingData === 'notBreaching' ||
    alarm.treatMissingData === 'breaching'
  )
    state = 'OK';
  else state = alarm.treatMissingData === 'ignore' ? current : 'INSUFFICIENT_DATA';
  const shown = values.map((value) => (value === undefined ? 'missing' : String(round(value)))).join(', ');
  return {
    state,
    values,
    reason: `Computed locally: [${shown}] (newest first) against ${alarm.summary}`,
  };
}

function round(value: number): number {
  return Math.round(value * 10_000) / 10_000;
}

function valueOf(
  queries: ReadonlyMap<string, Query>,
  id: string,
  store: MetricStore,
  start: number,
  end: number,
): number | undefined {
  const query = queries.get(id);
  if (!query) throw new Error(`metric math refers to unknown id ${id}`);
  if (query.kind === 'stat') return store.statistic(query.stat.metric, query.stat.statistic, start, end);
  const evaluateNode = (node: MathNode): number | undefined => {
    switch (node.kind) {
      case 'number':
        return node.value;
      case 'id':
        return valueOf(queries, node.id, store, start, end);
      case 'fill':
        return evaluateNode(node.value) ?? node.fill;
      case 'binary': {
        const left = evaluateNode(node.left);
        const right = evaluateNode(node.right);
        // Metric math drops a timestamp at which an operand has no value.
        if (left === undefined || right === undefined) return undefined;
        if (node.operator === '+') return left + right;
        if (node.operator === '-') return left - right;
        if (node.operator === '*') return left * right;
        return right === 0 ? undefined : left / right;
      }
    }
  };
  return evaluateNode(query.node);
}

/**
 * Parses the part of metric math the local cloud evaluates: ids, numbers, `+ - * /`, parentheses and
 * `FILL(expression, number)`.
 *
 * @throws Error naming the function or character that is not supported
 */
export function parseMathExpression(source: string): MathNode {
  const tokens =
    source.match(/\s*([A-Za-z_][A-Za-z0-9_]*|\d+(?:\.\d+)?|[-+*/(),]|\S)/g)?.map((token) => token.trim()) ??
    [];
  let position = 0;
  const peek = () => tokens[position];
  const take = () => tokens[position++];
  const expect = (token: string) => {
    if (take() !== token) throw new Error(`metric math ${source}: expected ${token}`);
  };
  /** One precedence level: operands of the next level joined, left to right, by these operators. */
  const leftAssociative =
    (operators: ReadonlyArray<'+' | '-' | '*' | '/'>, operand: () => MathNode) => (): MathNode => {
      let left = operand();
      for (let next = peek(); operators.includes(next as '+'); next = peek()) {
        take();
        left = { kind: 'binary', operator: next as '+', left, right: operand() };
      }
      return left;
    };
  const parseProduct = leftAssociative(['*', '/'], () => parseAtom());
  const parseSum = leftAssociative(['+', '-'], parseProduct);
  const parseAtom = (): MathNode => {
    const token = take();
    if (token === undefined) throw new Error(`metric math ${source}: unexpected end`);
    if (token === '(') {
      const inner = parseSum();
      expect(')');
      return inner;
    }
    if (/^\d/.test(token)) return { kind: 'number', value: Number(token) };
    if (!/^[A-Za-z_]/.test(token)) throw new Error(`metric math ${source}: unexpected ${token}`);
    if (peek() !== '(') return { kind: 'id', id: token };
    if (token !== 'FILL') throw new Error(`metric math function ${token} is not evaluated locally (FILL is)`);
    take();
    const value = parseSum();
    expect(',');
    const fill = take();
    if (fill === undefined || !/^\d/.test(fill)) {
      throw new Error(
        `metric math ${source}: FILL with ${String(fill)} is not evaluated locally (a number is)`,
      );
    }
    expect(')');
    return { kind: 'fill', value, fill: Number(fill) };
  };
  const node = parseSum();
  if (position !== tokens.length) throw new Error(`metric math ${source}: unexpected ${tokens[position]}`);
  return node;
}
