import * as path from 'node:path';
import { Duration, Size } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import { ResilientFunction } from '../../../../lib/constructs/resilient-function';
import { testStack } from '../../../helpers/app';

const entry = path.join(__dirname, '../../../fixtures/echo-handler.ts');

describe('ResilientFunction', () => {
  test('defaults: latest Node.js runtime, arm64, 512 MiB, 10 s, active tracing, Powertools env', () => {
    // GIVEN
    const stack = testStack();
    // WHEN
    new ResilientFunction(stack, 'Echo', { entry });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      Runtime: lambda.Runtime.NODEJS_LATEST.name,
      Architectures: ['arm64'],
      MemorySize: 512,
      Timeout: 10,
      TracingConfig: { Mode: 'Active' },
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_SERVICE_NAME: 'Echo',
          POWERTOOLS_LOG_LEVEL: 'INFO',
          POWERTOOLS_METRICS_NAMESPACE: 'ResilientApi',
          NODE_OPTIONS: '--enable-source-maps',
          // 10 s split over 3 SDK attempts plus one share for backoff
          SDK_REQUEST_TIMEOUT_MS: '2500',
        }),
      },
      LoggingConfig: { LogGroup: { Ref: Match.stringLikeRegexp('EchoLogGroup') } },
    });
    expect(lambda.Runtime.NODEJS_LATEST.name).toBe('nodejs24.x');
  });

  test('creates its own log group with one month retention', () => {
    // GIVEN
    const stack = testStack();
    // WHEN
    new ResilientFunction(stack, 'Echo', { entry });
    // THEN
    Template.fromStack(stack).hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 30 });
  });

  test('applies memory, timeout, reserved concurrency, log level and retention props', () => {
    // GIVEN
    const stack = testStack();
    // WHEN
    const fn = new ResilientFunction(stack, 'Echo', {
      entry,
      memorySize: Size.mebibytes(1024),
      timeout: Duration.seconds(20),
      reservedConcurrentExecutions: 7,
      logLevel: 'DEBUG',
      serviceName: 'orders',
      logRetention: logs.RetentionDays.ONE_WEEK,
      environment: { EXTRA: 'yes' },
    });
    // THEN
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::Lambda::Function', {
      MemorySize: 1024,
      Timeout: 20,
      ReservedConcurrentExecutions: 7,
      Environment: {
        Variables: Match.objectLike({
          POWERTOOLS_LOG_LEVEL: 'DEBUG',
          POWERTOOLS_SERVICE_NAME: 'orders',
          EXTRA: 'yes',
        }),
      },
    });
    template.hasResourceProperties('AWS::Logs::LogGroup', { RetentionInDays: 7 });
    expect(fn.timeout.toSeconds()).toBe(20);
  });

  test('fails if the timeout is over 15 minutes', () => {
    const stack = testStack();
    expect(() => new ResilientFunction(stack, 'Echo', { entry, timeout: Duration.minutes(16) })).toThrow(
      'Function timeout must be between 1 second and 15 minutes (given 960 seconds)',
    );
  });

  test('exposes its reserved concurrency, so an event source can check its maximum against it', () => {
    const stack = testStack();
    expect(
      new ResilientFunction(stack, 'Reserved', { entry, reservedConcurrentExecutions: 4 })
        .reservedConcurrentExecutions,
    ).toBe(4);
    expect(
      new ResilientFunction(stack, 'Unreserved', { entry }).reservedConcurrentExecutions,
    ).toBeUndefined();
  });

  test('fails if reserved concurrency is negative', () => {
    const stack = testStack();
    expect(() => new ResilientFunction(stack, 'Echo', { entry, reservedConcurrentExecutions: -1 })).toThrow(
      'Reserved concurrency must be a whole number of 0 or more (given -1)',
    );
  });
});
