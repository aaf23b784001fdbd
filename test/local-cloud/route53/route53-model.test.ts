import { readRoute53Model } from '../../../local-cloud/route53/route53-model';
import { regionStackSource, sourceOf } from './synthetic-templates';

describe('readRoute53Model', () => {
  test('reads each region stack’s record and its calculated, endpoint and alarm checks', () => {
    // GIVEN two region stacks with latency records
    const model = readRoute53Model([regionStackSource('us-east-1'), regionStackSource('us-west-2')]);

    // THEN one name, one record per region guarded by the region's calculated check
    expect(model.names).toEqual(['api.example.test']);
    expect(model.records).toEqual([
      expect.objectContaining({
        region: 'us-east-1',
        setIdentifier: 'us-east-1',
        routing: { policy: 'latency', region: 'us-east-1' },
        healthCheck: 'Api-us-east-1/RegionCheck',
      }),
      expect.objectContaining({ region: 'us-west-2', healthCheck: 'Api-us-west-2/RegionCheck' }),
    ]);
    expect(model.healthChecks.get('Api-us-east-1/RegionCheck')).toEqual({
      kind: 'calculated',
      key: 'Api-us-east-1/RegionCheck',
      stackName: 'Api-us-east-1',
      children: ['Api-us-east-1/EndpointCheck', 'Api-us-east-1/AlarmCheck'],
      healthThreshold: 2,
      inverted: false,
    });
    expect(model.healthChecks.get('Api-us-east-1/EndpointCheck')).toMatchObject({
      kind: 'endpoint',
      protocol: 'https',
      fullyQualifiedDomainName: 'apiuseast1.execute-api.us-east-1.amazonaws.com',
      port: 443,
      resourcePath: '/prod/health',
      requestIntervalSeconds: 10,
      failureThreshold: 3,
    });
    expect(model.healthChecks.get('Api-us-east-1/AlarmCheck')).toMatchObject({
      kind: 'alarm',
      alarm: {
        stackName: 'Api-us-east-1',
        logicalId: 'RegionAlarm',
        alarmName: 'Api-us-east-1-5xx',
        region: 'us-east-1',
      },
      insufficientDataHealthStatus: 'Healthy',
    });
  });

  test('reads failover roles', () => {
    // GIVEN a primary and a secondary record
    const model = readRoute53Model([
      regionStackSource('us-east-1', { failover: 'PRIMARY' }),
      regionStackSource('us-west-2', { failover: 'SECONDARY' }),
    ]);

    // THEN
    expect(model.records.map((record) => record.routing)).toEqual([
      { policy: 'failover', role: 'PRIMARY' },
      { policy: 'failover', role: 'SECONDARY' },
    ]);
  });

  test('fails if a record uses a routing policy that is not emulated', () => {
    // GIVEN a weighted record
    const source = regionStackSource('us-east-1');
    (source.stack.template.Resources.Record.Properties as Record<string, unknown>).Weight = 10;

    // THEN
    expect(() => readRoute53Model([source])).toThrow(/Api-us-east-1\/Record: Weight routing is not emulated/);
  });

  test('fails if a health check is of a type that is not emulated', () => {
    // GIVEN a TCP check
    const source = sourceOf({
      stackName: 'Tcp',
      region: 'us-east-1',
      resources: {
        Check: {
          Type: 'AWS::Route53::HealthCheck',
          Properties: {
            HealthCheckConfig: { Type: 'TCP', FullyQualifiedDomainName: 'db.example.test', Port: 5432 },
          },
        },
      },
    });

    // THEN
    expect(() => readRoute53Model([source])).toThrow(/health check Tcp\/Check: type TCP is not emulated/);
  });

  test('fails if a calculated check names a child by a literal id', () => {
    // GIVEN a calculated check whose child is a health check id from outside the templates
    const source = regionStackSource('us-east-1');
    const config = (
      source.stack.template.Resources.RegionCheck.Properties as { HealthCheckConfig: Record<string, unknown> }
    ).HealthCheckConfig;
    config.ChildHealthChecks = ['abcdef01-2345-6789-abcd-ef0123456789'];

    // THEN
    expect(() => readRoute53Model([source])).toThrow(
      /child "abcdef01-2345-6789-abcd-ef0123456789" is not a Ref/,
    );
  });
});
