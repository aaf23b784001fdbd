/**
 * What the local Route 53 stand-in reads from the templates: the `AWS::Route53::HealthCheck`
 * resources (endpoint, CloudWatch-alarm and calculated checks) and the `AWS::Route53::RecordSet`
 * resources (latency, failover or simple records) of the stacks the local cloud runs.
 */
import { resourcesOfType, type AssemblyStack } from '../assembly/cloud-assembly';
import type { IntrinsicResolver } from '../assembly/intrinsic-resolver';
import { referencedLogicalId } from '../apigateway/template-references';

/** A health check's key: `<stack name>/<logical id>` (a `HealthCheckId` is a `Ref` within its stack). */
export type HealthCheckKey = string;

/** The alarm a CLOUDWATCH_METRIC health check watches. */
export interface AlarmReference {
  /** The stack that declares the alarm, when the check refers to it with `Ref`. */
  readonly stackName?: string;
  /** The alarm's logical id, when the check refers to it with `Ref`. */
  readonly logicalId?: string;
  /** The alarm's name (its `AlarmName`, else its logical id). */
  readonly alarmName: string;
  readonly region: string;
}

/** Route 53's `InsufficientDataHealthStatus`. */
export type InsufficientDataHealthStatus = 'Healthy' | 'Unhealthy' | 'LastKnownStatus';

/** An HTTP, HTTPS or string-matching check of an endpoint. */
export interface EndpointHealthCheck {
  readonly kind: 'endpoint';
  readonly key: HealthCheckKey;
  readonly stackName: string;
  readonly protocol: 'http' | 'https';
  readonly fullyQualifiedDomainName: string;
  readonly port: number;
  /** Path and query, starting with `/`. */
  readonly resourcePath: string;
  /** Text the first 5,120 bytes of the body must contain (the `*_STR_MATCH` types). */
  readonly searchString?: string;
  readonly requestIntervalSeconds: number;
  /** Consecutive failures (or successes) before the status changes. */
  readonly failureThreshold: number;
  readonly inverted: boolean;
}

/** A check that follows a CloudWatch alarm's state. */
export interface AlarmHealthCheck {
  readonly kind: 'alarm';
  readonly key: HealthCheckKey;
  readonly stackName: string;
  readonly alarm: AlarmReference;
  readonly insufficientDataHealthStatus: InsufficientDataHealthStatus;
  readonly inverted: boolean;
}

/** A check that is healthy while at least `healthThreshold` of its children are. */
export interface CalculatedHealthCheck {
  readonly kind: 'calculated';
  readonly key: HealthCheckKey;
  readonly stackName: string;
  readonly children: readonly HealthCheckKey[];
  readonly healthThreshold: number;
  readonly inverted: boolean;
}

export type HealthCheckDefinition = EndpointHealthCheck | AlarmHealthCheck | CalculatedHealthCheck;

/** How Route 53 chooses a record among those of one name. */
export type RecordRouting =
  | { readonly policy: 'latency'; readonly region: string }
  | { readonly policy: 'failover'; readonly role: 'PRIMARY' | 'SECONDARY' }
  | { readonly policy: 'simple' };

/** A record of a name, pointing at the API of the stack that declares it. */
export interface DnsRecord {
  readonly key: string;
  readonly stackName: string;
  /** The region of the stack that declares the record (where its alias target lives). */
  readonly region: string;
  /** Lowercase, without the trailing dot. */
  readonly name: string;
  readonly type: string;
  readonly setIdentifier?: string;
  readonly routing: RecordRouting;
  readonly healthCheck?: HealthCheckKey;
}

/** The records and health checks of the stacks. */
export interface Route53Model {
  readonly healthChecks: ReadonlyMap<HealthCheckKey, HealthCheckDefinition>;
  readonly records: readonly DnsRecord[];
  /** The record names, in the order the stacks declare them. */
  readonly names: readonly string[];
}

/** A stack the model is read from, with its resolver (after the local API Gateways registered theirs). */
export interface Route53Source {
  readonly stack: AssemblyStack;
  readonly region: string;
  readonly resolver: Pick<IntrinsicResolver, 'resolve' | 'resolveString'>;
}

const HEALTH_CHECK_TYPE = 'AWS::Route53::HealthCheck';
const RECORD_SET_TYPE = 'AWS::Route53::RecordSet';
const ALARM_TYPE = 'AWS::CloudWatch::Alarm';

/** Route 53's defaults, for properties a template leaves out. */
const DEFAULT_REQUEST_INTERVAL_SECONDS = 30;
const DEFAULT_FAILURE_THRESHOLD = 3;

/** The resource types the stand-in emulates. */
export const ROUTE53_RESOURCE_TYPES = [HEALTH_CHECK_TYPE, RECORD_SET_TYPE] as const;

/**
 * Reads the Route 53 resources of the stacks.
 *
 * @throws Error for what the stand-in does not emulate (weighted, geolocation or multivalue records,
 *   TCP checks, checks by IP address, a child check in another stack), naming the resource
 */
export function readRoute53Model(sources: readonly Route53Source[]): Route53Model {
  const healthChecks = new Map<HealthCheckKey, HealthCheckDefinition>();
  const records: DnsRecord[] = [];
  for (const source of sources) {
    for (const { logicalId, resource } of resourcesOfType(source.stack.template, HEALTH_CHECK_TYPE)) {
      const check = healthCheckOf(source, logicalId, resource.Properties ?? {});
      healthChecks.set(check.key, check);
    }
    for (const { logicalId, resource } of resourcesOfType(source.stack.template, RECORD_SET_TYPE)) {
      records.push(recordOf(source, logicalId, resource.Properties ?? {}));
    }
  }
  for (const check of healthChecks.values()) {
    if (check.kind !== 'calculated') continue;
    for (const child of check.children) {
      if (!healthChecks.has(child))
        throw new Error(`${check.key}: child health check ${child} does not exist`);
    }
  }
  for (const record of records) {
    if (record.healthCheck !== undefined && !healthChecks.has(record.healthCheck)) {
      throw new Error(`${record.key}: health check ${record.healthCheck} does not exist`);
    }
  }
  return { healthChecks, records, names: [...new Set(records.map((record) => record.name))] };
}

function healthCheckOf(
  source: Route53Source,
  logicalId: string,
  properties: Record<string, unknown>,
): HealthCheckDefinition {
  const stackName = source.stack.stackName;
  const key = `${stackName}/${logicalId}`;
  const raw = (properties.HealthCheckConfig ?? {}) as Record<string, unknown>;
  const type = String(raw.Type);
  const inverted = raw.Inverted === true || raw.Inverted === 'true';
  const fail = (problem: string): never => {
    throw new Error(`The local Route 53 stand-in cannot run health check ${key}: ${problem}`);
  };
  switch (type) {
    case 'CALCULATED': {
      const children = ((raw.ChildHealthChecks ?? []) as unknown[]).map((child) => {
        const childId = referencedLogicalId(child);
        // A literal health check id names a check outside the templates, which does not exist locally.
        return childId === undefined
          ? fail(`child ${JSON.stringify(child)} is not a Ref`)
          : `${stackName}/${childId}`;
      });
      return {
        kind: 'calculated',
        key,
        stackName,
        children,
        healthThreshold: Number(source.resolver.resolve(raw.HealthThreshold) ?? children.length),
        inverted,
      };
    }
    case 'CLOUDWATCH_METRIC': {
      const identifier = (raw.AlarmIdentifier ?? {}) as Record<string, unknown>;
      return {
        kind: 'alarm',
        key,
        stackName,
        alarm: alarmReferenceOf(source, identifier),
        insufficientDataHealthStatus: (raw.InsufficientDataHealthStatus ??
          'LastKnownStatus') as InsufficientDataHealthStatus,
        inverted,
      };
    }
    case 'HTTP':
    case 'HTTPS':
    case 'HTTP_STR_MATCH':
    case 'HTTPS_STR_MATCH': {
      if (raw.FullyQualifiedDomainName === undefined) fail('checks by IP address are not emulated');
      const protocol = type.startsWith('HTTPS') ? 'https' : 'http';
      const text = (name: string) => optionalText(source, raw[name], `${key}.HealthCheckConfig.${name}`);
      const resourcePath = text('ResourcePath') ?? '/';
      return {
        kind: 'endpoint',
        key,
        stackName,
        protocol,
        fullyQualifiedDomainName: (text('FullyQualifiedDomainName') as string).toLowerCase(),
        port: Number(text('Port') ?? (protocol === 'https' ? 443 : 80)),
        resourcePath: resourcePath.startsWith('/') ? resourcePath : `/${resourcePath}`,
        ...(type.endsWith('STR_MATCH') ? { searchString: text('SearchString') ?? '' } : {}),
        requestIntervalSeconds: Number(text('RequestInterval') ?? DEFAULT_REQUEST_INTERVAL_SECONDS),
        failureThreshold: Number(text('FailureThreshold') ?? DEFAULT_FAILURE_THRESHOLD),
        inverted,
      };
    }
    default:
      return fail(
        `type ${type} is not emulated (HTTP, HTTPS, *_STR_MATCH, CLOUDWATCH_METRIC and CALCULATED are)`,
      );
  }
}

/**
 * The alarm of an `AlarmIdentifier`. A `Ref` to an alarm of the same stack is kept as such, so the
 * local alarm states can be set by logical id as well as by name.
 */
function alarmReferenceOf(source: Route53Source, identifier: Record<string, unknown>): AlarmReference {
  const region = optionalText(source, identifier.Region, 'AlarmIdentifier.Region') ?? source.region;
  const logicalId = referencedLogicalId(identifier.Name);
  const alarm = logicalId === undefined ? undefined : source.stack.template.Resources[logicalId];
  if (logicalId !== undefined && alarm?.Type === ALARM_TYPE) {
    const alarmName = alarm.Properties?.AlarmName;
    return {
      stackName: source.stack.stackName,
      logicalId,
      alarmName: optionalText(source, alarmName, `${logicalId}.AlarmName`) ?? logicalId,
      region,
    };
  }
  return { alarmName: source.resolver.resolveString(identifier.Name, 'AlarmIdentifier.Name'), region };
}

function recordOf(source: Route53Source, logicalId: string, properties: Record<string, unknown>): DnsRecord {
  const key = `${source.stack.stackName}/${logicalId}`;
  const fail = (problem: string): never => {
    throw new Error(`The local Route 53 stand-in cannot serve record ${key}: ${problem}`);
  };
  for (const unsupported of [
    'Weight',
    'GeoLocation',
    'GeoProximityLocation',
    'MultiValueAnswer',
    'CidrRoutingConfig',
  ]) {
    if (properties[unsupported] !== undefined)
      fail(`${unsupported} routing is not emulated (latency and failover are)`);
  }
  const text = (name: string) => optionalText(source, properties[name], `${key}.${name}`);
  const healthCheckId = properties.HealthCheckId;
  const healthCheckLogicalId = healthCheckId === undefined ? undefined : referencedLogicalId(healthCheckId);
  if (healthCheckId !== undefined && healthCheckLogicalId === undefined) {
    fail(`HealthCheckId ${JSON.stringify(healthCheckId)} is not a Ref to a health check of the stack`);
  }
  let routing: RecordRouting = { policy: 'simple' };
  const region = text('Region');
  if (region !== undefined) routing = { policy: 'latency', region };
  const role = text('Failover');
  if (role !== undefined) {
    if (role !== 'PRIMARY' && role !== 'SECONDARY')
      fail(`Failover must be PRIMARY or SECONDARY (given ${role})`);
    routing = { policy: 'failover', role: role as 'PRIMARY' | 'SECONDARY' };
  }
  return {
    key,
    stackName: source.stack.stackName,
    region: source.region,
    name: (text('Name') ?? fail('it has no Name')).toLowerCase().replace(/\.$/, ''),
    type: text('Type') ?? fail('it has no Type'),
    ...(text('SetIdentifier') === undefined ? {} : { setIdentifier: text('SetIdentifier') }),
    routing,
    ...(healthCheckLogicalId === undefined
      ? {}
      : { healthCheck: `${source.stack.stackName}/${healthCheckLogicalId}` }),
  };
}

/** A property as a string, or undefined when the template leaves it out. */
function optionalText(source: Route53Source, value: unknown, what: string): string | undefined {
  return value === undefined ? undefined : source.resolver.resolveString(value, what);
}
