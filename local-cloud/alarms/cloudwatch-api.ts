/**
 * The part of the CloudWatch API that functions of the stacks call: `DescribeAlarms` (the load
 * shedder reads its alarm's state). The SDK speaks AWS JSON 1.0 to CloudWatch (`X-Amz-Target:
 * GraniteServiceVersion20100801.<operation>`); functions reach this endpoint through
 * `AWS_ENDPOINT_URL_CLOUDWATCH`. Any other operation answers an error naming it, so a function that
 * needs more fails loudly rather than silently.
 *
 * Source of the shapes: `DescribeAlarms` in the CloudWatch API reference.
 */
import * as http from 'node:http';
import { listenLocally } from '../emulators/local-server';
import type { AlarmRegistry, LocalAlarm } from './alarm-registry';

/** A running local CloudWatch API. */
export interface LocalCloudWatchApi {
  /** `http://127.0.0.1:<port>`. */
  readonly endpoint: string;
  /** The alarms it answers about (set once the local cloud has read them; until then, none). */
  serve(registry: AlarmRegistry): void;
  close(): Promise<void>;
}

const TARGET_PREFIX = 'GraniteServiceVersion20100801.';

interface DescribeAlarmsInput {
  readonly AlarmNames?: readonly string[];
  readonly AlarmNamePrefix?: string;
  readonly AlarmTypes?: readonly string[];
  readonly StateValue?: string;
}

/** Starts the local CloudWatch API on a free port of 127.0.0.1. */
export async function startCloudWatchApi(): Promise<LocalCloudWatchApi> {
  let registry: AlarmRegistry | undefined;

  const describeAlarms = (input: DescribeAlarmsInput): unknown => {
    const types = input.AlarmTypes ?? ['MetricAlarm'];
    const selected = (registry?.list() ?? []).filter(
      (alarm) =>
        (input.AlarmNames === undefined || input.AlarmNames.includes(alarm.alarmName)) &&
        (input.AlarmNamePrefix === undefined || alarm.alarmName.startsWith(input.AlarmNamePrefix)) &&
        (input.StateValue === undefined || alarm.state === input.StateValue),
    );
    const describe = (alarm: LocalAlarm) => ({
      AlarmName: alarm.alarmName,
      AlarmArn: alarm.alarmArn,
      AlarmDescription: alarm.description,
      StateValue: alarm.state,
      StateReason: alarm.stateReason,
      // JSON protocols carry timestamps as epoch seconds.
      StateUpdatedTimestamp: alarm.stateChangedAt / 1000,
    });
    return {
      MetricAlarms: types.includes('MetricAlarm')
        ? selected.filter((alarm) => alarm.kind === 'metric').map(describe)
        : [],
      CompositeAlarms: types.includes('CompositeAlarm')
        ? selected.filter((alarm) => alarm.kind === 'composite').map(describe)
        : [],
    };
  };

  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const target = String(request.headers['x-amz-target'] ?? '');
      const reply = (status: number, body: unknown, errorType?: string) =>
        response
          .writeHead(status, {
            'content-type': 'application/x-amz-json-1.0',
            ...(errorType ? { 'x-amzn-query-error': `${errorType};Sender` } : {}),
          })
          .end(JSON.stringify(body));
      try {
        if (target !== `${TARGET_PREFIX}DescribeAlarms`) {
          reply(
            400,
            { __type: 'InvalidAction', message: `${target || 'This operation'} is not emulated locally` },
            'InvalidAction',
          );
          return;
        }
        const text = Buffer.concat(chunks).toString('utf8');
        reply(200, describeAlarms((text ? JSON.parse(text) : {}) as DescribeAlarmsInput));
      } catch (error) {
        reply(400, { __type: 'InvalidParameterValue', message: String(error) }, 'InvalidParameterValue');
      }
    });
  });
  const listening = await listenLocally(server);
  return {
    endpoint: listening.url,
    serve: (alarms) => {
      registry = alarms;
    },
    close: () => listening.close(),
  };
}
