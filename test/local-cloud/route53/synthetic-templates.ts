/**
 * Hand-written Route 53 template fragments for the stand-in's unit tests, shaped like what the
 * RegionalEndpoint construct synthesizes (one record, a calculated check over an HTTPS check and an
 * alarm check per region stack).
 */
import type { AssemblyStack, TemplateResource } from '../../../local-cloud/assembly/cloud-assembly';
import { IntrinsicResolver } from '../../../local-cloud/assembly/intrinsic-resolver';
import type { Route53Source } from '../../../local-cloud/route53/route53-model';
import { TEST_ACCOUNT } from '../../harness/local-aws';

/** Routing of the synthetic records. */
export type SyntheticRouting = 'latency' | { readonly failover: 'PRIMARY' | 'SECONDARY' };

/** One region stack's Route 53 resources and alarm. */
export function regionStackSource(
  region: string,
  routing: SyntheticRouting = 'latency',
  healthCheck: { readonly interval?: number; readonly threshold?: number; readonly restApiId?: string } = {},
): Route53Source {
  const stackName = `Api-${region}`;
  const resources: Record<string, TemplateResource> = {
    RegionAlarm: {
      Type: 'AWS::CloudWatch::Alarm',
      Properties: { AlarmName: `${stackName}-5xx`, MetricName: '5XXError', Threshold: 0.01 },
    },
    EndpointCheck: {
      Type: 'AWS::Route53::HealthCheck',
      Properties: {
        HealthCheckConfig: {
          Type: 'HTTPS',
          FullyQualifiedDomainName: {
            'Fn::Join': [
              '',
              [
                healthCheck.restApiId ?? `api${region.replace(/-/g, '')}`,
                `.execute-api.${region}.`,
                { Ref: 'AWS::URLSuffix' },
              ],
            ],
          },
          Port: 443,
          ResourcePath: '/prod/health',
          RequestInterval: healthCheck.interval ?? 10,
          FailureThreshold: healthCheck.threshold ?? 3,
        },
      },
    },
    AlarmCheck: {
      Type: 'AWS::Route53::HealthCheck',
      Properties: {
        HealthCheckConfig: {
          Type: 'CLOUDWATCH_METRIC',
          AlarmIdentifier: { Name: { Ref: 'RegionAlarm' }, Region: region },
          InsufficientDataHealthStatus: 'Healthy',
        },
      },
    },
    RegionCheck: {
      Type: 'AWS::Route53::HealthCheck',
      Properties: {
        HealthCheckConfig: {
          Type: 'CALCULATED',
          ChildHealthChecks: [{ Ref: 'EndpointCheck' }, { Ref: 'AlarmCheck' }],
          HealthThreshold: 2,
        },
      },
    },
    Record: {
      Type: 'AWS::Route53::RecordSet',
      Properties: {
        Name: 'api.example.test.',
        Type: 'A',
        HostedZoneId: 'Z0TEST',
        SetIdentifier: region,
        HealthCheckId: { Ref: 'RegionCheck' },
        AliasTarget: { DNSName: `d-${region}.execute-api.${region}.amazonaws.com`, HostedZoneId: 'Z1' },
        ...(routing === 'latency' ? { Region: region } : { Failover: routing.failover }),
      },
    },
  };
  return sourceOf({ stackName, region, resources });
}

/** A stack source from raw resources. */
export function sourceOf(props: {
  readonly stackName: string;
  readonly region: string;
  readonly resources: Record<string, TemplateResource>;
}): Route53Source {
  const stack: AssemblyStack = {
    stackName: props.stackName,
    templatePath: `/synthetic/${props.stackName}.template.json`,
    account: TEST_ACCOUNT,
    region: props.region,
    template: { Resources: props.resources },
  };
  const resolver = new IntrinsicResolver({
    stackName: props.stackName,
    template: stack.template,
    region: props.region,
    accountId: TEST_ACCOUNT,
  });
  return { stack, region: props.region, resolver };
}
