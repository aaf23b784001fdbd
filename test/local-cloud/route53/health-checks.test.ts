import type { AlarmState } from '../../../local-cloud/alarms/alarm-registry';
import { HealthCheckEvaluator } from '../../../local-cloud/route53/health-checks';
import { readRoute53Model, type AlarmReference } from '../../../local-cloud/route53/route53-model';
import { regionStackSource, sourceOf } from './synthetic-templates';

const ENDPOINT = 'Api-us-east-1/EndpointCheck';
const ALARM = 'Api-us-east-1/AlarmCheck';
const REGION = 'Api-us-east-1/RegionCheck';

function evaluatorOf(alarmStates: Map<string, AlarmState> = new Map()) {
  const model = readRoute53Model([regionStackSource('us-east-1', 'latency', { threshold: 3 })]);
  return new HealthCheckEvaluator(model, (alarm: AlarmReference) => alarmStates.get(alarm.alarmName) ?? 'OK');
}

describe('HealthCheckEvaluator', () => {
  test('an endpoint check starts healthy and turns unhealthy only after FailureThreshold consecutive failures', () => {
    // GIVEN an HTTPS check with a failure threshold of 3
    const evaluator = evaluatorOf();
    expect(evaluator.isHealthy(ENDPOINT)).toBe(true);

    // WHEN it fails twice, succeeds once, then fails three times
    const changes = [false, false, true, false, false, false].map((success) =>
      evaluator.recordEndpointResult(ENDPOINT, success, success ? '200' : 'ECONNREFUSED'),
    );

    // THEN the success resets the count, and only the third failure in a row changes the status
    expect(changes).toEqual([false, false, false, false, false, true]);
    expect(evaluator.isHealthy(ENDPOINT)).toBe(false);
  });

  test('an unhealthy endpoint check needs FailureThreshold consecutive successes to recover', () => {
    // GIVEN an unhealthy check
    const evaluator = evaluatorOf();
    for (let i = 0; i < 3; i += 1) evaluator.recordEndpointResult(ENDPOINT, false, 'ECONNREFUSED');

    // WHEN it succeeds twice
    evaluator.recordEndpointResult(ENDPOINT, true, '200');
    evaluator.recordEndpointResult(ENDPOINT, true, '200');
    const afterTwo = evaluator.isHealthy(ENDPOINT);
    evaluator.recordEndpointResult(ENDPOINT, true, '200');

    // THEN it is healthy after the third success, not before
    expect(afterTwo).toBe(false);
    expect(evaluator.isHealthy(ENDPOINT)).toBe(true);
    expect(evaluator.statuses().find((status) => status.key === ENDPOINT)).toMatchObject({
      healthy: true,
      consecutiveDisagreeing: 0,
      lastObservation: { success: true, detail: '200' },
    });
  });

  test('a calculated check is unhealthy when fewer than HealthThreshold children are healthy', () => {
    // GIVEN a calculated check over the endpoint and the alarm check, threshold 2
    const alarmStates = new Map<string, AlarmState>();
    const evaluator = evaluatorOf(alarmStates);
    expect(evaluator.isHealthy(REGION)).toBe(true);

    // WHEN the alarm goes into ALARM
    alarmStates.set('Api-us-east-1-5xx', 'ALARM');

    // THEN the alarm check and the calculated check are unhealthy at once, the endpoint check is not
    expect(evaluator.isHealthy(ALARM)).toBe(false);
    expect(evaluator.isHealthy(REGION)).toBe(false);
    expect(evaluator.isHealthy(ENDPOINT)).toBe(true);
  });

  test.each([
    ['Healthy', true],
    ['Unhealthy', false],
  ] as const)('an alarm without data counts as InsufficientDataHealthStatus %s says', (setting, healthy) => {
    // GIVEN an alarm check with InsufficientDataHealthStatus set, on an alarm without data
    const source = regionStackSource('us-east-1');
    const alarmCheck = source.stack.template.Resources.AlarmCheck.Properties as {
      HealthCheckConfig: Record<string, unknown>;
    };
    alarmCheck.HealthCheckConfig.InsufficientDataHealthStatus = setting;
    const evaluator = new HealthCheckEvaluator(readRoute53Model([source]), () => 'INSUFFICIENT_DATA');

    // THEN its health is the setting's
    expect(evaluator.isHealthy(ALARM)).toBe(healthy);
  });

  test('an alarm check with LastKnownStatus keeps its last status while the alarm has no data', () => {
    // GIVEN an alarm check that keeps its last known status
    const source = regionStackSource('us-east-1');
    const alarmCheck = source.stack.template.Resources.AlarmCheck.Properties as {
      HealthCheckConfig: Record<string, unknown>;
    };
    alarmCheck.HealthCheckConfig.InsufficientDataHealthStatus = 'LastKnownStatus';
    let state: AlarmState = 'ALARM';
    const evaluator = new HealthCheckEvaluator(readRoute53Model([source]), () => state);
    expect(evaluator.isHealthy(ALARM)).toBe(false);

    // WHEN the alarm loses its data
    state = 'INSUFFICIENT_DATA';

    // THEN the check stays unhealthy
    expect(evaluator.isHealthy(ALARM)).toBe(false);
  });

  test('an inverted endpoint check is healthy while its endpoint fails', () => {
    // GIVEN an inverted HTTP check with a threshold of 1
    const source = sourceOf({
      stackName: 'Inverted',
      region: 'us-east-1',
      resources: {
        Check: {
          Type: 'AWS::Route53::HealthCheck',
          Properties: {
            HealthCheckConfig: {
              Type: 'HTTP',
              FullyQualifiedDomainName: 'maintenance.example.test',
              FailureThreshold: 1,
              Inverted: true,
            },
          },
        },
      },
    });
    const evaluator = new HealthCheckEvaluator(readRoute53Model([source]), () => 'OK');

    // WHEN the endpoint fails
    evaluator.recordEndpointResult('Inverted/Check', false, '503');

    // THEN the check is healthy
    expect(evaluator.isHealthy('Inverted/Check')).toBe(true);
  });
});
