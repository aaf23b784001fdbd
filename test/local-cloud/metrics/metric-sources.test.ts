import { renderAccessLogLine, logGroupNameOfArn } from '../../../local-cloud/apigateway/access-log';
import {
  apiGatewayDatapoints,
  lambdaDatapoints,
  MetricFilters,
} from '../../../local-cloud/metrics/metric-sources';
import { templateStack } from '../template-stack';

describe('the access log line', () => {
  test('renders the stage format with the request values, and - for a value there is none of', () => {
    // The access log variables' reference: "A variable that has no value renders as -".
    const format =
      '{"status":"$context.status","integrationStatus":"$context.integration.status","key":"$context.identity.apiKeyId"}';
    expect(renderAccessLogLine(format, { status: 503, 'integration.status': 400 })).toBe(
      '{"status":"503","integrationStatus":"400","key":"-"}',
    );
  });

  test('finds the log group name in a destination ARN', () => {
    expect(logGroupNameOfArn('arn:aws:logs:us-east-1:111111111111:log-group:api-access:*')).toBe(
      'api-access',
    );
    expect(() => logGroupNameOfArn('arn:aws:s3:::bucket')).toThrow('is not a CloudWatch Logs log group ARN');
  });
});

describe('API Gateway and Lambda datapoints', () => {
  const entry = {
    apiName: 'Orders',
    requestId: 'r',
    requestTimeEpoch: 0,
    httpMethod: 'POST',
    path: '/prod/orders',
    stage: 'prod',
    status: 503,
    latencyMillis: 12,
  };

  test('a request counts once per dimension set, with 4XX and 5XX as 1 or 0', () => {
    const datapoints = apiGatewayDatapoints(entry, 1_000);
    const byStage = datapoints.filter((datum) => datum.dimensions?.Stage === 'prod');
    expect(Object.fromEntries(byStage.map((datum) => [datum.metricName, datum.value]))).toEqual({
      Count: 1,
      '4XXError': 0,
      '5XXError': 1,
      Latency: 12,
    });
    expect(datapoints.filter((datum) => datum.dimensions?.Stage === undefined)).toHaveLength(4);
  });

  test('a request outside any stage publishes nothing', () => {
    expect(apiGatewayDatapoints({ ...entry, stage: undefined }, 1_000)).toEqual([]);
  });

  test('a throttled invocation counts only as a throttle; a failed one as an invocation with an error', () => {
    const throttled = lambdaDatapoints(
      'f',
      {
        status: 'throttled',
        requestId: 'r',
        durationMs: 0,
        error: { errorType: 'TooManyRequestsException', errorMessage: '' },
      },
      3,
      1_000,
    );
    expect(throttled.map((datum) => [datum.metricName, datum.value])).toEqual([['Throttles', 1]]);
    const failed = lambdaDatapoints(
      'f',
      {
        status: 'failed',
        requestId: 'r',
        durationMs: 40,
        cause: 'handler',
        error: { errorType: 'Error', errorMessage: 'x' },
      },
      2,
      1_000,
    );
    expect(Object.fromEntries(failed.map((datum) => [datum.metricName, datum.value]))).toEqual({
      Invocations: 1,
      Errors: 1,
      Duration: 40,
      ConcurrentExecutions: 2,
    });
  });
});

describe('MetricFilters', () => {
  /** A stack with an access log group and two filters on it, as ResilienceMonitoring writes them. */
  function filters() {
    const template = {
      Resources: {
        AccessLogs: { Type: 'AWS::Logs::LogGroup', Properties: {} },
        Throttled: {
          Type: 'AWS::Logs::MetricFilter',
          Properties: {
            LogGroupName: { Ref: 'AccessLogs' },
            FilterPattern: '{ $.status = "429" }',
            MetricTransformations: [
              { MetricNamespace: 'N', MetricName: 'ThrottledRequests', MetricValue: '1', DefaultValue: 0 },
            ],
          },
        },
        Latency: {
          Type: 'AWS::Logs::MetricFilter',
          Properties: {
            LogGroupName: { Ref: 'AccessLogs' },
            FilterPattern: '[ip, user]',
            MetricTransformations: [{ MetricNamespace: 'N', MetricName: 'X', MetricValue: '1' }],
          },
        },
      },
    };
    const { stack, resolver } = templateStack(template);
    return { metricFilters: new MetricFilters([{ stack, resolver }]), resolver };
  }

  test('publishes the metric value for a matching line and the default value for another', () => {
    const { metricFilters, resolver } = filters();
    const logGroup = resolver.resolveString({ Ref: 'AccessLogs' }, 'log group');
    expect(logGroup).toBe('Api-AccessLogs');
    expect(metricFilters.ingest(logGroup, '{"status":"429"}', 5).map((datum) => datum.value)).toEqual([1]);
    expect(metricFilters.ingest(logGroup, '{"status":"200"}', 6).map((datum) => datum.value)).toEqual([0]);
    expect(metricFilters.ingest('other-group', '{"status":"429"}', 7)).toEqual([]);
  });

  test('lists a filter whose pattern is not emulated instead of dropping it silently', () => {
    expect(filters().metricFilters.notEmulated).toEqual([
      'Api/Latency: Filter pattern [ip, user]: space-delimited patterns ([…]) are not emulated',
    ]);
  });
});
