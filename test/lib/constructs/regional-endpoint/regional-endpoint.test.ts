import { Duration, Stack, Validations } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { RegionalEndpoint, type RegionalEndpointProps } from '../../../../lib/constructs/regional-endpoint';
import { ResilientApi } from '../../../../lib/constructs/resilient-api';
import { testApp, testStack } from '../../../harness/app';

/** A region's API with a public health method and two single-metric alarms, as the order API has. */
function regionOf(stack: Stack) {
  const api = new ResilientApi(stack, 'Api');
  api.addPublicMethod(
    api.api.root.addResource('health'),
    'GET',
    new apigateway.MockIntegration(),
    'a test health check',
  );
  const alarms = ['Errors', 'DeadLetters'].map(
    (name) =>
      new cloudwatch.Alarm(stack, name, {
        metric: new cloudwatch.Metric({ namespace: 'Test', metricName: name, period: Duration.minutes(1) }),
        threshold: 0,
        evaluationPeriods: 1,
      }),
  );
  const hostedZone = route53.HostedZone.fromHostedZoneAttributes(stack, 'Zone', {
    hostedZoneId: 'Z0123456789ABC',
    zoneName: 'example.com',
  });
  return { api, alarms, hostedZone };
}

function build(props: Partial<RegionalEndpointProps> = {}, stack: Stack = testStack()) {
  const { api, alarms, hostedZone } = regionOf(stack);
  const endpoint = new RegionalEndpoint(stack, 'Endpoint', {
    api,
    hostedZone,
    domainName: 'api.example.com',
    healthAlarms: alarms,
    ...props,
  });
  return { stack, api, alarms, endpoint, template: Template.fromStack(stack) };
}

const logicalIdOf = (stack: Stack, construct: { node: { defaultChild?: unknown } }) =>
  stack.getLogicalId(construct.node.defaultChild as never);

describe('RegionalEndpoint', () => {
  describe('with defaults', () => {
    const { stack, api, alarms, endpoint, template } = build();

    test('creates a DNS-validated certificate of the domain in the hosted zone', () => {
      template.hasResourceProperties('AWS::CertificateManager::Certificate', {
        DomainName: 'api.example.com',
        ValidationMethod: 'DNS',
        DomainValidationOptions: [{ DomainName: 'api.example.com', HostedZoneId: 'Z0123456789ABC' }],
      });
    });

    test("makes it the API's regional custom domain", () => {
      expect(api.domainName).toBe(endpoint.domain);
      template.hasResourceProperties('AWS::ApiGateway::DomainName', {
        DomainName: 'api.example.com',
        EndpointConfiguration: { Types: ['REGIONAL'] },
        RegionalCertificateArn: { Ref: logicalIdOf(stack, endpoint.certificate) },
      });
    });

    test("checks the stage's deep /health over HTTPS every 10 s, unhealthy after 3 failures", () => {
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: {
          Type: 'HTTPS',
          FullyQualifiedDomainName: {
            'Fn::Join': [
              '',
              [{ Ref: logicalIdOf(stack, api.api) }, '.execute-api.us-east-1.', { Ref: 'AWS::URLSuffix' }],
            ],
          },
          ResourcePath: '/prod/health',
          Port: 443,
          EnableSNI: true,
          RequestInterval: 10,
          FailureThreshold: 3,
          Inverted: false,
        },
      });
    });

    test('turns each health alarm into a CloudWatch-alarm check on that alarm, in this region', () => {
      const alarmChecks = Object.values(
        template.findResources('AWS::Route53::HealthCheck', {
          Properties: { HealthCheckConfig: { Type: 'CLOUDWATCH_METRIC' } },
        }),
      ).map((check) => check.Properties.HealthCheckConfig);
      expect(alarmChecks).toEqual(
        alarms.map((alarm) => ({
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Name: { Ref: logicalIdOf(stack, alarm) }, Region: 'us-east-1' },
          // Sparse metrics (no errors, no dead letters) leave alarms without data: that is healthy.
          InsufficientDataHealthStatus: 'Healthy',
          Inverted: false,
        })),
      );
    });

    test('combines every check in a calculated check that needs all of them healthy', () => {
      const children = [endpoint.endpointHealthCheck, ...endpoint.alarmHealthChecks];
      expect(children).toHaveLength(3);
      template.hasResourceProperties('AWS::Route53::HealthCheck', {
        HealthCheckConfig: {
          Type: 'CALCULATED',
          ChildHealthChecks: children.map((child) => ({ Ref: logicalIdOf(stack, child) })),
          HealthThreshold: 3,
          Inverted: false,
        },
      });
      template.resourceCountIs('AWS::Route53::HealthCheck', 4);
    });

    test('adds a latency alias record for the region, guarded by the calculated check', () => {
      template.resourceCountIs('AWS::Route53::RecordSet', 1);
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        Name: 'api.example.com.',
        Type: 'A',
        HostedZoneId: 'Z0123456789ABC',
        SetIdentifier: 'us-east-1',
        Region: 'us-east-1',
        Failover: Match.absent(),
        HealthCheckId: { Ref: logicalIdOf(stack, endpoint.healthCheck) },
        AliasTarget: {
          DNSName: { 'Fn::GetAtt': [logicalIdOf(stack, endpoint.domain), 'RegionalDomainName'] },
          HostedZoneId: { 'Fn::GetAtt': [logicalIdOf(stack, endpoint.domain), 'RegionalHostedZoneId'] },
          EvaluateTargetHealth: true,
        },
      });
    });

    test('names its URL after the global domain', () => {
      expect(endpoint.url).toBe('https://api.example.com/');
    });
  });

  test('failover routing: a PRIMARY or SECONDARY record, without a latency region', () => {
    for (const failover of [route53.Failover.PRIMARY, route53.Failover.SECONDARY]) {
      const { template } = build({ routing: 'failover', failover });
      template.hasResourceProperties('AWS::Route53::RecordSet', {
        SetIdentifier: 'us-east-1',
        Failover: failover,
        Region: Match.absent(),
        HealthCheckId: Match.anyValue(),
      });
    }
  });

  test('failover routing defaults to PRIMARY', () => {
    build({ routing: 'failover' }).template.hasResourceProperties('AWS::Route53::RecordSet', {
      Failover: 'PRIMARY',
    });
  });

  test('takes the interval, threshold and path given', () => {
    const { template } = build({
      healthCheckInterval: Duration.seconds(30),
      healthCheckFailureThreshold: 5,
      healthCheckPath: '/ready',
    });
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({
        Type: 'HTTPS',
        ResourcePath: '/prod/ready',
        RequestInterval: 30,
        FailureThreshold: 5,
      }),
    });
  });

  test('without alarms, the calculated check has the HTTPS check as its only child', () => {
    const { template } = build({ healthAlarms: undefined });
    template.resourceCountIs('AWS::Route53::HealthCheck', 2);
    template.hasResourceProperties('AWS::Route53::HealthCheck', {
      HealthCheckConfig: Match.objectLike({ Type: 'CALCULATED', HealthThreshold: 1 }),
    });
  });

  test('uses a certificate it is given instead of creating one', () => {
    const stack = testStack();
    const certificate = acm.Certificate.fromCertificateArn(
      stack,
      'Cert',
      'arn:aws:acm:us-east-1:111111111111:certificate/abc',
    );
    const { template } = build({ certificate }, stack);
    template.resourceCountIs('AWS::CertificateManager::Certificate', 0);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      RegionalCertificateArn: 'arn:aws:acm:us-east-1:111111111111:certificate/abc',
    });
  });

  test.each([
    [
      'the interval is neither 10 nor 30 seconds',
      { healthCheckInterval: Duration.seconds(20) },
      'Health check interval must be 10 or 30 seconds (given 20)',
    ],
    [
      'the failure threshold is below 1',
      { healthCheckFailureThreshold: 0 },
      'Health check failure threshold must be between 1 and 10 inclusive (given 0)',
    ],
    [
      'the failure threshold is above 10',
      { healthCheckFailureThreshold: 11 },
      'Health check failure threshold must be between 1 and 10 inclusive (given 11)',
    ],
    [
      'the health check path is relative',
      { healthCheckPath: 'health' },
      'healthCheckPath must start with / (given "health")',
    ],
    [
      'the routing policy is unknown',
      { routing: 'weighted' as never },
      'routing must be one of latency, failover (given "weighted")',
    ],
  ])('fails if %s', (_, props: Partial<RegionalEndpointProps>, message) => {
    expect(() => build(props)).toThrow(message);
  });

  test('fails if the stack has no explicit region', () => {
    const stack = new Stack(testApp(), 'Agnostic');
    expect(() => build({}, stack)).toThrow('RegionalEndpoint needs a stack with an explicit region');
  });

  test('passes the AwsSolutions and Serverless cdk-nag checks', () => {
    // GIVEN the packs, registered before the first synthesis
    const app = testApp();
    const packs = [new AwsSolutionsChecks(app), new ServerlessChecks(app)];
    Validations.of(app).addPlugins(...packs);
    // WHEN
    build({}, testStack(app));
    // THEN synthesis passes and no pack reports anything, warnings included
    expect(() => app.synth()).not.toThrow();
    for (const pack of packs) {
      expect(pack.validateScope(app).violations.map((v) => v.ruleName)).toEqual([]);
    }
  });
});
