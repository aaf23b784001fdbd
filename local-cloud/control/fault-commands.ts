/**
 * The chaos commands a running local cloud accepts, as data: parsed from the `npm run chaos`
 * command line, sent to the control server as JSON, applied to {@link LocalCloudFaults}.
 */
import type { LocalCloud } from '../local-cloud';

/** One fault command. */
export type FaultCommand =
  | { readonly kind: 'dynamodb'; readonly region?: string; readonly fault: DynamoDbFaultSpec }
  | {
      readonly kind: 'lambda';
      readonly function: string;
      readonly fault: { errorRate?: number; latencyMs?: number };
    }
  | { readonly kind: 'clear' };

interface DynamoDbFaultSpec {
  readonly down?: boolean;
  readonly latencyMs?: number;
  readonly errorRate?: number;
}

/** Usage of the chaos command line, shown on a mistake. */
export const CHAOS_USAGE = `Usage: npm run chaos -- <fault> [arguments]

  dynamodb-down [region]              DynamoDB refuses connections (every region when omitted)
  dynamodb-up [region]                DynamoDB is healthy again
  dynamodb-latency <ms> [region]      every DynamoDB call takes <ms> longer
  dynamodb-errors <percent> [region]  <percent> of DynamoDB calls fail with a 500
  lambda-errors <function> <percent>  <percent> of the function's invocations fail
  lambda-latency <function> <ms>      every invocation of the function takes <ms> longer
  lambda-heal <function>              removes the function's faults
  clear                               removes every fault
  status                              shows the faults in force

<function> is a function's name, logical id, <stack>/<logical id>, or the start of its construct
id when that is unique, e.g. CreateOrder or ResilientApi-async/ProcessOrders.`;

/** Parses `npm run chaos` arguments into a command; throws with the usage on a mistake. */
export function parseFaultCommand(args: readonly string[]): FaultCommand | 'status' {
  const [name, ...rest] = args;
  const fail = (problem: string): never => {
    throw new Error(`${problem}\n\n${CHAOS_USAGE}`);
  };
  const number = (value: string | undefined, what: string, max = Number.POSITIVE_INFINITY): number => {
    const parsed = Number(value);
    if (value === undefined || value === '' || !Number.isFinite(parsed) || parsed < 0 || parsed > max) {
      return fail(`${what} must be a number between 0 and ${max} (given ${value ?? 'nothing'})`);
    }
    return parsed;
  };
  const fn = (value: string | undefined): string => value ?? fail(`${name} needs a function`);
  switch (name) {
    case 'dynamodb-down':
      return { kind: 'dynamodb', region: rest[0], fault: { down: true } };
    case 'dynamodb-up':
      return { kind: 'dynamodb', region: rest[0], fault: {} };
    case 'dynamodb-latency':
      return {
        kind: 'dynamodb',
        region: rest[1],
        fault: { latencyMs: number(rest[0], 'Latency (ms)', 60_000) },
      };
    case 'dynamodb-errors':
      return {
        kind: 'dynamodb',
        region: rest[1],
        fault: { errorRate: number(rest[0], 'Percent', 100) / 100 },
      };
    case 'lambda-errors':
      return {
        kind: 'lambda',
        function: fn(rest[0]),
        fault: { errorRate: number(rest[1], 'Percent', 100) / 100 },
      };
    case 'lambda-latency':
      return {
        kind: 'lambda',
        function: fn(rest[0]),
        fault: { latencyMs: number(rest[1], 'Latency (ms)', 900_000) },
      };
    case 'lambda-heal':
      return { kind: 'lambda', function: fn(rest[0]), fault: {} };
    case 'clear':
      return { kind: 'clear' };
    case 'status':
      return 'status';
    default:
      return fail(name === undefined ? 'No fault given' : `Unknown fault ${name}`);
  }
}

/** Applies a command to a running local cloud. */
export async function applyFaultCommand(cloud: LocalCloud, command: FaultCommand): Promise<void> {
  switch (command.kind) {
    case 'dynamodb':
      await cloud.faults.setDynamoDbFault(command.fault, command.region);
      return;
    case 'lambda':
      cloud.faults.setFunctionFault(command.function, command.fault);
      return;
    case 'clear':
      await cloud.faults.clear();
      return;
  }
}
