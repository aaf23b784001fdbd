/**
 * The chaos commands a running local cloud accepts, as data: parsed from the `npm run chaos`
 * command line, sent to the control server as JSON, applied to {@link LocalCloudFaults}.
 */
import type { DependencyFault } from '../faults/fault-proxy';
import { ALARM_STATES, type AlarmState } from '../alarms/alarm-registry';
import type { LocalCloud } from '../local-cloud';

/** One fault command. */
export type FaultCommand =
  | { readonly kind: 'dynamodb'; readonly region?: string; readonly fault: DependencyFault }
  | { readonly kind: 'sqs'; readonly region?: string; readonly fault: { readonly down?: boolean } }
  | {
      readonly kind: 'lambda';
      readonly function: string;
      readonly fault: { errorRate?: number; latencyMs?: number };
    }
  | { readonly kind: 'alarm'; readonly alarm: string; readonly state: AlarmState }
  | { readonly kind: 'region'; readonly region: string; readonly down: boolean }
  | { readonly kind: 'replication'; readonly paused: boolean }
  | { readonly kind: 'clear' };

/** Usage of the chaos command line, shown on a mistake. */
export const CHAOS_USAGE = `Usage: npm run chaos -- <fault> [arguments]

  dynamodb-down [region]              DynamoDB refuses connections (every region when omitted)
  dynamodb-hang [region]              DynamoDB accepts connections but never answers (only the
                                      functions' own timeouts end the wait)
  dynamodb-up [region]                DynamoDB is healthy again
  dynamodb-latency <ms> [region]      every DynamoDB call takes <ms> longer
  dynamodb-errors <percent> [region]  <percent> of DynamoDB calls fail with a 500
  sqs-down [region]                   SQS refuses connections for the API, functions and consumers
  sqs-up [region]                     SQS is healthy again (queued messages were kept)
  lambda-errors <function> <percent>  <percent> of the function's invocations fail
  lambda-latency <function> <ms>      every invocation of the function takes <ms> longer
  lambda-heal <function>              removes the function's faults
  alarm <alarm> <ALARM|OK|INSUFFICIENT_DATA>
                                      forces an alarm's state until its next evaluation; rules
                                      on it run (the queue-age alarm switches load shedding, e.g.
                                      alarm ResilientApi-async/LoadShedderQueueAge ALARM)
  region-down <region>                the region's APIs refuse connections (multi variant: the
                                      global URL fails over once the health checks notice)
  region-up <region>                  the region's APIs answer again
  replication-pause                   global tables stop replicating; changes wait in the streams
  replication-resume                  replication catches up (last writer wins)
  clear                               removes every fault
  status                              shows the faults in force (and, for multi, the Route 53
                                      health checks, the region each name goes to, replication lag)

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
    case 'dynamodb-hang':
      return { kind: 'dynamodb', region: rest[0], fault: { hang: true } };
    case 'dynamodb-up':
      return { kind: 'dynamodb', region: rest[0], fault: {} };
    case 'sqs-down':
      return { kind: 'sqs', region: rest[0], fault: { down: true } };
    case 'sqs-up':
      return { kind: 'sqs', region: rest[0], fault: {} };
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
    case 'alarm': {
      const state = rest[1]?.toUpperCase();
      if (rest[0] === undefined) return fail('alarm needs an alarm name or logical id');
      if (!ALARM_STATES.includes(state as AlarmState)) {
        return fail(`Alarm state must be one of ${ALARM_STATES.join(', ')} (given ${rest[1] ?? 'nothing'})`);
      }
      return { kind: 'alarm', alarm: rest[0], state: state as AlarmState };
    }
    case 'region-down':
    case 'region-up':
      return {
        kind: 'region',
        region: rest[0] ?? fail(`${name} needs a region, e.g. us-east-1`),
        down: name === 'region-down',
      };
    case 'replication-pause':
    case 'replication-resume':
      return { kind: 'replication', paused: name === 'replication-pause' };
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
    case 'sqs':
      await cloud.faults.setQueueFault(command.fault, command.region);
      return;
    case 'lambda':
      cloud.faults.setFunctionFault(command.function, command.fault);
      return;
    case 'alarm':
      await cloud.faults.setAlarmState(command.alarm, command.state);
      return;
    case 'region':
      await cloud.faults.setRegionDown(command.region, command.down);
      return;
    case 'replication':
      cloud.faults.setReplicationPaused(command.paused);
      return;
    case 'clear':
      await cloud.faults.clear();
      return;
  }
}
