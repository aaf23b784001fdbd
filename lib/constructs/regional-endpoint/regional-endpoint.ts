import { Duration, Stack, Token } from 'aws-cdk-lib';
import type * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as route53 from 'aws-cdk-lib/aws-route53';
import * as targets from 'aws-cdk-lib/aws-route53-targets';
import { Construct } from 'constructs';
import type { ResilientApi } from '../resilient-api';

/** How Route 53 chooses among the regions' records of one name. */
export const ROUTING_POLICIES = ['latency', 'failover'] as const;

/**
 * `latency`: active-active, each client goes to the healthy region with the lowest latency from it.
 * `failover`: active-passive, the primary while it is healthy, else the secondary.
 */
export type RoutingPolicy = (typeof ROUTING_POLICIES)[number];

/** Health check intervals Route 53 offers: fast (10 s, extra cost) and standard (30 s). */
export const HEALTH_CHECK_INTERVALS_SECONDS = [10, 30] as const;

/** Properties of a {@link RegionalEndpoint}. */
export interface RegionalEndpointProps {
  /** The region's API. Its stage serves the custom domain at the root (no base path). */
  readonly api: ResilientApi;

  /** Public hosted zone that holds `domainName` (and the certificate's validation record). */
  readonly hostedZone: route53.IHostedZone;

  /** The global name every region answers to, e.g. `api.example.com`. */
  readonly domainName: string;

  /**
   * How Route 53 chooses among the regions' records of `domainName`. Every region's stack must use
   * the same policy.
   * @default 'latency'
   */
  readonly routing?: RoutingPolicy;

  /**
   * This region's role under `failover` routing: one region's stack is PRIMARY, one SECONDARY
   * (Route 53 allows one of each per name). Ignored under `latency` routing.
   * @default route53.Failover.PRIMARY
   */
  readonly failover?: route53.Failover;

  /**
   * Path of the deep health check below the stage, answered 2xx/3xx when the region can take orders.
   * @default '/health'
   */
  readonly healthCheckPath?: string;

  /**
   * Interval of the HTTPS health check: 10 seconds (fast) or 30 seconds.
   * @default Duration.seconds(10)
   */
  readonly healthCheckInterval?: Duration;

  /**
   * Consecutive failed (or passed) HTTPS checks before Route 53 changes the endpoint's status: 1 to 10.
   * @default 3
   */
  readonly healthCheckFailureThreshold?: number;

  /**
   * Single-metric CloudWatch alarms, in this stack's region, that mean the region is unhealthy
   * (`ResilienceMonitoring.regionHealthAlarms`). Each becomes a CLOUDWATCH_METRIC health check;
   * Route 53 does not accept composite alarms, metric math or percentile statistics.
   * @default - the HTTPS check only
   */
  readonly healthAlarms?: cloudwatch.IAlarm[];

  /**
   * Certificate of `domainName` in this stack's region.
   * @default - a new certificate of `domainName`, validated by a DNS record in `hostedZone`
   */
  readonly certificate?: acm.ICertificate;
}

/**
 * One region's entry under a global domain name: a DNS-validated certificate, a regional custom
 * domain of the region's API, and a Route 53 alias record (latency or failover) guarded by a
 * calculated health check that is healthy only while every child is: an HTTPS check of the region's
 * deep `/health` and one CloudWatch-alarm check per region health alarm. Failover is driven by the
 * health checks alone (Route 53's data plane): no deployment or API call is needed to leave an
 * unhealthy region.
 */
export class RegionalEndpoint extends Construct {
  /** The certificate of the custom domain. */
  public readonly certificate: acm.ICertificate;
  /** The API's regional custom domain. */
  public readonly domain: apigateway.DomainName;
  /** HTTPS check of the region's deep health path, on the stage's execute-api host. */
  public readonly endpointHealthCheck: route53.HealthCheck;
  /** One CLOUDWATCH_METRIC check per health alarm, in the order of `healthAlarms`. */
  public readonly alarmHealthChecks: route53.HealthCheck[];
  /** CALCULATED check, healthy only while all children are; the record uses it. */
  public readonly healthCheck: route53.HealthCheck;
  /** This region's record of the global name. */
  public readonly record: route53.ARecord;
  /** `https://<domainName>/`. */
  public readonly url: string;

  constructor(scope: Construct, id: string, props: RegionalEndpointProps) {
    super(scope, id);
    const stack = Stack.of(this);
    const region = stack.region;
    if (Token.isUnresolved(region)) {
      throw new Error(
        'RegionalEndpoint needs a stack with an explicit region, which names its latency record and alarms (given an environment-agnostic stack)',
      );
    }
    const routing = props.routing ?? 'latency';
    if (!(ROUTING_POLICIES as readonly string[]).includes(routing)) {
      throw new Error(
        `routing must be one of ${ROUTING_POLICIES.join(', ')} (given ${JSON.stringify(routing)})`,
      );
    }
    const interval = props.healthCheckInterval ?? Duration.seconds(10);
    const failureThreshold = props.healthCheckFailureThreshold ?? 3;
    validateHealthCheckSettings(interval, failureThreshold);
    const healthCheckPath = props.healthCheckPath ?? '/health';
    if (!healthCheckPath.startsWith('/')) {
      throw new Error(`healthCheckPath must start with / (given ${JSON.stringify(healthCheckPath)})`);
    }

    this.certificate =
      props.certificate ??
      new acm.Certificate(this, 'Certificate', {
        domainName: props.domainName,
        validation: acm.CertificateValidation.fromDns(props.hostedZone),
      });
    this.domain = props.api.addCustomDomain(props.domainName, this.certificate);
    this.url = `https://${props.domainName}/`;

    // The HTTPS check calls the stage on its execute-api host rather than the global name, which
    // would resolve to whichever region Route 53 picks, and rather than the custom domain's regional
    // target (d-….execute-api…), which answers only to the custom domain's host name.
    const stageName = props.api.stageName;
    this.endpointHealthCheck = new route53.HealthCheck(this, 'EndpointHealthCheck', {
      type: route53.HealthCheckType.HTTPS,
      fqdn: `${props.api.api.restApiId}.execute-api.${region}.${stack.urlSuffix}`,
      resourcePath: `/${stageName}${healthCheckPath}`,
      requestInterval: interval,
      failureThreshold,
    });
    nameHealthCheck(this.endpointHealthCheck, `${stack.stackName} ${healthCheckPath}`);

    this.alarmHealthChecks = (props.healthAlarms ?? []).map((alarm, index) => {
      const check = new route53.HealthCheck(this, `AlarmHealthCheck${index}`, {
        type: route53.HealthCheckType.CLOUDWATCH_METRIC,
        alarmIdentifier: { name: alarm.alarmName, region },
        // Alarms on sparse metrics (DLQ arrivals, function errors) often have no data: that is
        // health, not an unknown.
        insufficientDataHealthStatus: route53.InsufficientDataHealthStatusEnum.HEALTHY,
      });
      nameHealthCheck(check, `${stack.stackName} alarm ${index}`);
      return check;
    });

    const children = [this.endpointHealthCheck, ...this.alarmHealthChecks];
    this.healthCheck = new route53.HealthCheck(this, 'RegionHealthCheck', {
      type: route53.HealthCheckType.CALCULATED,
      childHealthChecks: children,
      // All children must be healthy: one failing signal takes the region out of DNS.
      healthThreshold: children.length,
    });
    nameHealthCheck(this.healthCheck, `${stack.stackName} region`);

    this.record = new route53.ARecord(this, 'Record', {
      zone: props.hostedZone,
      recordName: props.domainName,
      target: route53.RecordTarget.fromAlias(
        new HealthEvaluatedAliasTarget(new targets.ApiGatewayDomain(this.domain)),
      ),
      setIdentifier: region,
      region: routing === 'latency' ? region : undefined,
      failover: routing === 'failover' ? (props.failover ?? route53.Failover.PRIMARY) : undefined,
      healthCheck: this.healthCheck,
      comment: `${props.domainName} in ${region} (${routing} routing)`,
    });
  }
}

/**
 * Checks the HTTPS health check's interval (10 or 30 seconds) and failure threshold (1 to 10), the
 * values Route 53 accepts; throws with what was given.
 */
export function validateHealthCheckSettings(interval: Duration, failureThreshold: number): void {
  const seconds = interval.toSeconds();
  if (
    !Token.isUnresolved(seconds) &&
    !(HEALTH_CHECK_INTERVALS_SECONDS as readonly number[]).includes(seconds)
  ) {
    throw new Error(
      `Health check interval must be ${HEALTH_CHECK_INTERVALS_SECONDS.join(' or ')} seconds (given ${seconds})`,
    );
  }
  if (
    !Token.isUnresolved(failureThreshold) &&
    !(Number.isInteger(failureThreshold) && failureThreshold >= 1 && failureThreshold <= 10)
  ) {
    throw new Error(
      `Health check failure threshold must be between 1 and 10 inclusive (given ${failureThreshold})`,
    );
  }
}

/**
 * An alias target with `EvaluateTargetHealth` on. CDK requires it on failover alias records, and
 * `ApiGatewayDomain` leaves it unset. API Gateway reports no health of its own to Route 53, so the
 * record's own health check still decides; it is on under latency routing too, for one behaviour.
 */
class HealthEvaluatedAliasTarget implements route53.IAliasRecordTarget {
  constructor(private readonly target: route53.IAliasRecordTarget) {}

  public bind(record: route53.IRecordSet, zone?: route53.IHostedZone): route53.AliasRecordTargetConfig {
    return { ...this.target.bind(record, zone), evaluateTargetHealth: true };
  }
}

/** The Route 53 console lists health checks by their `Name` tag. */
function nameHealthCheck(check: route53.HealthCheck, name: string): void {
  // The L2 HealthCheck has no tags prop, and HealthCheckTags is not a standard tag property that
  // `Tags.of` reaches, so the tag is set on the L1 resource.
  (check.node.defaultChild as route53.CfnHealthCheck).healthCheckTags = [{ key: 'Name', value: name }];
}
