import * as path from 'node:path';
import { Duration, Size, type CfnElement, type Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as destinations from 'aws-cdk-lib/aws-lambda-destinations';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import {
  FUNCTION_BUNDLING,
  functionBundling,
  ResilientFunction,
  type ResilientFunctionDerivedKey,
  type ResilientFunctionProps,
} from '../../../../lib/constructs/resilient-function';
import { testStack } from '../../../harness/app';
import { escapeRegExp, passThroughReadmeSection } from '../../../harness/pass-through';

const entry = path.join(__dirname, '../../../fixtures/echo-handler.ts');

/** The variables the construct sets from its props, each with that prop. */
const derivedVariables: Record<string, keyof ResilientFunctionProps> = {
  POWERTOOLS_SERVICE_NAME: 'serviceName',
  POWERTOOLS_LOG_LEVEL: 'logLevel',
  POWERTOOLS_METRICS_NAMESPACE: 'metricsNamespace',
  SDK_REQUEST_TIMEOUT_MS: 'timeout',
};

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

  describe('the live alias', () => {
    test('publishes the current version behind an alias named live, without provisioned concurrency', () => {
      // GIVEN / WHEN
      const stack = testStack();
      const fn = new ResilientFunction(stack, 'Echo', { entry });
      // THEN one version of the function, and the alias points at it
      const template = Template.fromStack(stack);
      const functionId = stack.getLogicalId(fn.function.node.defaultChild as CfnElement);
      const versions = template.findResources('AWS::Lambda::Version', {
        Properties: { FunctionName: { Ref: functionId } },
      });
      expect(Object.keys(versions)).toHaveLength(1);
      const aliases = template.findResources('AWS::Lambda::Alias');
      expect(Object.values(aliases)).toEqual([
        expect.objectContaining({
          Properties: {
            Name: 'live',
            FunctionName: { Ref: functionId },
            FunctionVersion: { 'Fn::GetAtt': [Object.keys(versions)[0], 'Version'] },
          },
        }),
      ]);
      expect(Object.keys(aliases)).toEqual([stack.getLogicalId(fn.alias.node.defaultChild as CfnElement)]);
      expect(fn.provisionedConcurrency).toBeUndefined();
    });

    test('a code change publishes a new version, so a deployment moves the alias', () => {
      const versionIdOf = (environment: Record<string, string>) => {
        const stack = testStack();
        new ResilientFunction(stack, 'Echo', { entry, environment });
        return Object.keys(Template.fromStack(stack).findResources('AWS::Lambda::Version'));
      };
      expect(versionIdOf({ GREETING: 'a' })).not.toEqual(versionIdOf({ GREETING: 'b' }));
      expect(versionIdOf({ GREETING: 'a' })).toEqual(versionIdOf({ GREETING: 'a' }));
    });

    test('provisioned concurrency goes on the alias', () => {
      const stack = testStack();
      const fn = new ResilientFunction(stack, 'Echo', {
        entry,
        reservedConcurrentExecutions: 5,
        provisionedConcurrency: 2,
      });
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Alias', {
        Name: 'live',
        ProvisionedConcurrencyConfig: { ProvisionedConcurrentExecutions: 2 },
      });
      expect(fn.provisionedConcurrency).toBe(2);
    });

    test.each([
      [0, 'Provisioned concurrency must be a whole number of 1 or more (given 0); leave it unset for none'],
      [
        1.5,
        'Provisioned concurrency must be a whole number of 1 or more (given 1.5); leave it unset for none',
      ],
    ])('fails for provisioned concurrency %p', (provisionedConcurrency, message) => {
      expect(() => new ResilientFunction(testStack(), 'Echo', { entry, provisionedConcurrency })).toThrow(
        message,
      );
    });

    test('fails if provisioned concurrency exceeds the reserved concurrency, which Lambda refuses', () => {
      expect(
        () =>
          new ResilientFunction(testStack(), 'Echo', {
            entry,
            reservedConcurrentExecutions: 3,
            provisionedConcurrency: 4,
          }),
      ).toThrow('Provisioned concurrency (4) may not exceed the reserved concurrency (3)');
    });

    test('asynchronous invocation settings go on the alias, the qualifier that invokers call', () => {
      // GIVEN an on-failure destination and retries through functionProps
      const stack = testStack();
      const queue = new sqs.Queue(stack, 'Failed');
      const fn = new ResilientFunction(stack, 'Echo', {
        entry,
        functionProps: {
          onFailure: new destinations.SqsDestination(queue),
          retryAttempts: 1,
          maxEventAge: Duration.minutes(2),
        },
      });
      // THEN one EventInvokeConfig, for the live alias (not $LATEST, which nothing invokes): its
      // qualifier is the last part of the alias ARN
      const aliasId = stack.getLogicalId(fn.alias.node.defaultChild as CfnElement);
      const configs = Template.fromStack(stack).findResources('AWS::Lambda::EventInvokeConfig');
      expect(Object.values(configs).map((config) => config.Properties)).toEqual([
        expect.objectContaining({
          Qualifier: { 'Fn::Select': [7, { 'Fn::Split': [':', { Ref: aliasId }] }] },
          MaximumRetryAttempts: 1,
          MaximumEventAgeInSeconds: 120,
        }),
      ]);
    });
  });

  describe('pass-through functionProps', () => {
    test('passes keys the construct does not derive through, and keeps the derived ones', () => {
      // GIVEN
      const stack = testStack();
      // WHEN
      new ResilientFunction(stack, 'Echo', {
        entry,
        timeout: Duration.seconds(20),
        functionProps: {
          architecture: lambda.Architecture.X86_64,
          ephemeralStorageSize: Size.mebibytes(1024),
        },
      });
      // THEN
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Architectures: ['x86_64'],
        EphemeralStorage: { Size: 1024 },
        Timeout: 20,
        Environment: { Variables: Match.objectLike({ SDK_REQUEST_TIMEOUT_MS: '5000' }) },
      });
    });

    test('fails if functionProps sets the timeout, which the SDK, queue and alarm timeouts derive from', () => {
      // GIVEN
      const stack = testStack();
      // WHEN
      const create = () =>
        new ResilientFunction(stack, 'Echo', {
          entry,
          functionProps: {
            // @ts-expect-error -- timeout is omitted from functionProps: it has its own prop
            timeout: Duration.seconds(30),
          },
        });
      // THEN
      expect(create).toThrow(
        "functionProps.timeout is what the SDK request timeout, a queue's visibility timeout and the duration alarm derive from; set timeout on ResilientFunctionProps instead (given functionProps.timeout)",
      );
    });

    test('fails if functionProps sets the environment, which would wipe the Powertools and SDK variables', () => {
      // GIVEN
      const stack = testStack();
      // WHEN
      const create = () =>
        new ResilientFunction(stack, 'Echo', {
          entry,
          functionProps: {
            // @ts-expect-error -- environment is omitted from functionProps: it has its own prop
            environment: { EXTRA: 'yes' },
          },
        });
      // THEN
      expect(create).toThrow(
        'functionProps.environment would replace the Powertools and SDK variables; set environment on ResilientFunctionProps instead, which adds to them (given functionProps.environment)',
      );
    });

    /** Every other refused key, with what its message says to use instead; the type makes it complete. */
    const otherDerivedKeys: Record<
      Exclude<ResilientFunctionDerivedKey, 'timeout' | 'environment'>,
      [(stack: Stack) => ResilientFunctionProps['functionProps'], string]
    > = {
      entry: [
        // @ts-expect-error -- entry is omitted from functionProps
        () => ({ entry }),
        'set entry on ResilientFunctionProps instead',
      ],
      handler: [
        // @ts-expect-error -- handler is omitted from functionProps
        () => ({ handler: 'main' }),
        'set handler on ResilientFunctionProps instead',
      ],
      description: [
        // @ts-expect-error -- description is omitted from functionProps
        () => ({ description: 'echo' }),
        'set description on ResilientFunctionProps instead',
      ],
      memorySize: [
        // @ts-expect-error -- memorySize is omitted from functionProps
        () => ({ memorySize: 1024 }),
        'set memorySize (a Size) on ResilientFunctionProps instead',
      ],
      reservedConcurrentExecutions: [
        // @ts-expect-error -- reservedConcurrentExecutions is omitted from functionProps
        () => ({ reservedConcurrentExecutions: 1 }),
        'set reservedConcurrentExecutions on ResilientFunctionProps instead',
      ],
      tracing: [
        // @ts-expect-error -- tracing is omitted from functionProps
        () => ({ tracing: lambda.Tracing.DISABLED }),
        'set tracing on ResilientFunctionProps instead',
      ],
      logGroup: [
        // @ts-expect-error -- logGroup is omitted from functionProps
        (stack) => ({ logGroup: new logs.LogGroup(stack, 'Other') }),
        'set logRetention and logRemovalPolicy on ResilientFunctionProps instead',
      ],
      logRetention: [
        // @ts-expect-error -- logRetention is omitted from functionProps
        () => ({ logRetention: logs.RetentionDays.ONE_WEEK }),
        'set logRetention on ResilientFunctionProps instead',
      ],
      role: [
        // @ts-expect-error -- role is omitted from functionProps
        (stack) => ({
          role: new iam.Role(stack, 'Other', { assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com') }),
        }),
        'grant permissions to ResilientFunction.role instead',
      ],
    };

    test.each(Object.entries(otherDerivedKeys))(
      'fails if functionProps sets %s',
      (key, [functionPropsIn, instead]) => {
        // GIVEN
        const stack = testStack();
        const functionProps = functionPropsIn(stack);
        // WHEN
        const create = () => new ResilientFunction(stack, 'Echo', { entry, functionProps });
        // THEN the message names the key, and what to use instead
        expect(create).toThrow(
          new RegExp(
            `^functionProps\\.${key} .*; ${escapeRegExp(instead)} \\(given functionProps\\.${key}\\)$`,
          ),
        );
      },
    );

    test('the README names every refused key and variable', () => {
      // GIVEN
      const section = passThroughReadmeSection('resilient-function');
      // THEN
      for (const key of [
        'timeout',
        'environment',
        ...Object.keys(otherDerivedKeys),
        ...Object.keys(derivedVariables),
      ]) {
        expect(section).toContain(`\`${key}\``);
      }
    });
  });

  describe('environment', () => {
    test('adds a NODE_OPTIONS to the source maps flag instead of replacing it', () => {
      // GIVEN
      const stack = testStack();
      // WHEN
      new ResilientFunction(stack, 'Echo', {
        entry,
        environment: { NODE_OPTIONS: '--max-old-space-size=256' },
      });
      // THEN
      Template.fromStack(stack).hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ NODE_OPTIONS: '--enable-source-maps --max-old-space-size=256' }),
        },
      });
    });

    test.each(Object.entries(derivedVariables))(
      'fails if environment sets %s, which the construct sets from %s',
      (variable, prop) => {
        // GIVEN
        const stack = testStack();
        // WHEN
        const create = () =>
          new ResilientFunction(stack, 'Echo', { entry, environment: { [variable]: '1' } });
        // THEN
        expect(create).toThrow(
          `environment.${variable} is set by ResilientFunction from ${prop}; set ${prop} on ResilientFunctionProps instead (given "1")`,
        );
      },
    );

    test('fails if addEnvironment sets a variable the construct derives', () => {
      // GIVEN
      const stack = testStack();
      const fn = new ResilientFunction(stack, 'Echo', { entry });
      // WHEN
      const add = () => fn.addEnvironment('SDK_REQUEST_TIMEOUT_MS', '60000');
      // THEN
      expect(add).toThrow(
        'addEnvironment(\'SDK_REQUEST_TIMEOUT_MS\') is set by ResilientFunction from timeout; set timeout on ResilientFunctionProps instead (given "60000")',
      );
    });
  });
});

describe('functionBundling (the bundling options with a caller’s overrides)', () => {
  const CREATE_REQUIRE = FUNCTION_BUNDLING.banner;

  test('without overrides: ES modules with the createRequire banner', () => {
    expect(functionBundling()).toEqual(FUNCTION_BUNDLING);
  });

  test('a CommonJS override drops the ES module banner, which would not parse in CommonJS', () => {
    expect(functionBundling({ format: nodejs.OutputFormat.CJS })).toEqual({
      ...FUNCTION_BUNDLING,
      format: nodejs.OutputFormat.CJS,
      banner: undefined,
    });
    expect(functionBundling({ format: nodejs.OutputFormat.CJS, banner: '/* mine */' }).banner).toBe(
      '/* mine */',
    );
  });

  test('a banner of the caller comes after the createRequire banner, never instead of it', () => {
    expect(functionBundling({ banner: '/* mine */', minify: false })).toEqual({
      ...FUNCTION_BUNDLING,
      minify: false,
      banner: `${CREATE_REQUIRE}\n/* mine */`,
    });
  });
});
