/**
 * Typed configuration of the deployable variants. `bin/app.ts` reads CDK context and the
 * environment and turns them into an {@link AppConfig} with {@link resolveAppConfig}; nothing else
 * reads context or `process.env`.
 */

import { Duration } from 'aws-cdk-lib';
import {
  ROUTING_POLICIES,
  validateHealthCheckSettings,
  type RoutingPolicy,
} from '../constructs/regional-endpoint';
import { DEFAULT_CAPACITY, type CapacityConfig } from './capacity-config';
import { parseCapacityFile } from './capacity-file';
import type { ResilienceConfig } from './resilience-config';

/** The deployable variants. */
export const VARIANTS = ['sync', 'async', 'multi'] as const;

/** A deployable variant: `sync` (API → Lambda → DynamoDB), `async` (API → SQS → Lambda → DynamoDB), `multi` (async in several regions). */
export type Variant = (typeof VARIANTS)[number];

/** How an order is accepted: written before the answer (`sync`) or queued and written later (`async`). */
export type OrderPath = 'sync' | 'async';

/** Account used to synthesize when no AWS account is configured; deploying to it fails, on purpose. */
export const PLACEHOLDER_ACCOUNT = '123456789012';

/** Region used to synthesize when none is configured. */
export const DEFAULT_REGION = 'us-east-1';

/** Regions of the multi-region variant when none are configured. */
export const DEFAULT_MULTI_REGIONS = ['us-east-1', 'us-west-2'];

/** Everything the app needs to build its stacks. */
export interface AppConfig {
  readonly variant: Variant;
  /** The AWS account, or {@link PLACEHOLDER_ACCOUNT}. */
  readonly account: string;
  /** Whether {@link account} is the placeholder (no credentials were found). */
  readonly placeholderAccount: boolean;
  /** Regions to deploy to: one for `sync`/`async`, two or more for `multi` (the first is primary). */
  readonly regions: string[];
  readonly capacity: CapacityConfig;
  /** The handlers' resilience knobs (circuit breaker, stale cache, health thresholds). */
  readonly resilience: ResilienceConfig;
  /**
   * The multi variant's global name: one record per region under `domainName`, with health checks.
   * Undefined when no hosted zone is configured (each region then has only its own `ApiUrl`).
   */
  readonly globalDns?: GlobalDnsConfig;
  /**
   * Name of a Secrets Manager secret, present under that name in every region, whose SecretString is
   * a JSON object with one API key value per client tier (`{"standard":"…"}`), so a client's key
   * works in every region. Undefined: API Gateway generates the values, which then differ per region.
   */
  readonly apiKeyValuesSecretName?: string;
  /**
   * Whether each stack gets its AWS FIS experiment templates (`ChaosExperiments`): the FIS extension
   * on the handlers, a configuration bucket, and the templates. For AWS deployments only.
   * @default false
   */
  readonly chaosExperiments?: boolean;
  /**
   * Whether each stack's API gets the AWS WAF web ACL (`ResilientApi` `webAclEnabled`): a rate rule
   * per IP and AWS managed rule groups; it has a monthly price.
   * @default false
   */
  readonly webAcl?: boolean;
  /**
   * The OIDC token authorizer every keyed method then also requires (`ResilientApi`
   * `jwtIssuerUrl`, `jwtAudience`, `jwtJwksUri`).
   * @default - none: API keys only
   */
  readonly jwtAuthorizer?: JwtAuthorizerConfig;
}

/** An OIDC issuer whose bearer tokens the API's token authorizer verifies. */
export interface JwtAuthorizerConfig {
  /** The issuer, exactly the tokens' `iss`: `https://…`. */
  readonly issuerUrl: string;
  /** Audiences a token must carry one of. */
  readonly audience: string[];
  /** The issuer's JWKS URL. @default - `<issuerUrl>/.well-known/jwks.json` */
  readonly jwksUri?: string;
}

/** A global domain name in front of the multi variant's regions. */
export interface GlobalDnsConfig {
  /** Id of the Route 53 public hosted zone that holds `domainName`, e.g. `Z0123456789ABCDEFGHIJ`. */
  readonly hostedZoneId: string;
  /** Name of that hosted zone, e.g. `example.com` (no trailing dot). */
  readonly zoneName: string;
  /** The API's global name, `zoneName` or a name under it, e.g. `api.example.com` (no trailing dot). */
  readonly domainName: string;
  /** `latency` (active-active: each client goes to its nearest healthy region) or `failover` (primary/secondary). */
  readonly routing: RoutingPolicy;
  /** Interval of the HTTPS health check of each region's `/health`: 10 or 30 seconds. */
  readonly healthCheckInterval: Duration;
  /** Consecutive failed (or passed) checks before Route 53 changes a region's status: 1 to 10. */
  readonly healthCheckFailureThreshold: number;
}

/** Health check interval when none is configured: Route 53's fast interval. */
export const DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS = 10;

/** Health check failure threshold when none is configured (Route 53's own default). */
export const DEFAULT_HEALTH_CHECK_FAILURE_THRESHOLD = 3;

/** Raw inputs of {@link resolveAppConfig}, as strings from context or the environment. */
export interface AppConfigInputs {
  readonly variant?: string;
  readonly regions?: string;
  readonly account?: string;
  readonly region?: string;
  /** Route 53 hosted zone id; with `zoneName` and `domainName` (all three or none), multi only. */
  readonly hostedZoneId?: string;
  readonly zoneName?: string;
  readonly domainName?: string;
  /** `latency` (default) or `failover`; needs the three DNS inputs. */
  readonly routing?: string;
  /** `10` (default) or `30`; needs the three DNS inputs. */
  readonly healthCheckIntervalSeconds?: string;
  /** `1` to `10`, default `3`; needs the three DNS inputs. */
  readonly healthCheckFailureThreshold?: string;
  /** Secrets Manager secret name with the API key values by tier name. */
  readonly apiKeyValuesSecretName?: string;
  /** `true` adds the AWS FIS chaos experiments to every stack; `false` (default) leaves them out. */
  readonly chaos?: string;
  /** `true` puts the AWS WAF web ACL in front of every stack's API; `false` (default) does not. */
  readonly waf?: string;
  /** `https://…` issuer of the OIDC token authorizer; needs `jwtAudience`. */
  readonly jwtIssuerUrl?: string;
  /** Audiences of the token authorizer, comma-separated. */
  readonly jwtAudience?: string;
  /** JWKS URL of the issuer (`https://…`). */
  readonly jwtJwksUri?: string;
  /**
   * A capacity configuration: the parsed JSON of the file `-c capacity=<path>` names (see
   * `capacity-file.ts`), with the path for messages.
   */
  readonly capacityFile?: { readonly path: string; readonly json: unknown };
}

/**
 * The context keys the app reads (`-c key=value`), each with what it takes. The app refuses any
 * other key with this list, and a test checks docs/configuration.md against it.
 */
export const CONTEXT_KEYS = {
  variant: 'sync (default), async or multi',
  regions: 'multi: regions, comma-separated, the first is primary (default us-east-1,us-west-2)',
  hostedZoneId: 'multi: Route 53 hosted zone id (with zoneName and domainName)',
  zoneName: 'multi: the hosted zone name, e.g. example.com',
  domainName: 'multi: the global name, zoneName or a name under it, e.g. api.example.com',
  routing: 'multi with a hosted zone: latency (default) or failover',
  healthCheckIntervalSeconds: 'multi with a hosted zone: 10 (default) or 30',
  healthCheckFailureThreshold: 'multi with a hosted zone: 1 to 10 (default 3)',
  apiKeyValuesSecretName: 'multi: Secrets Manager secret with the API key value of each client tier',
  chaos: 'true adds the AWS FIS experiment templates to every stack (default false)',
  waf: 'true puts the AWS WAF web ACL in front of every API (default false)',
  jwtIssuerUrl: 'https:// issuer of the OIDC token authorizer (with jwtAudience)',
  jwtAudience: 'audiences of the token authorizer, comma-separated',
  jwtJwksUri: 'https:// JWKS URL of the issuer (default <jwtIssuerUrl>/.well-known/jwks.json)',
  capacity: 'path of a JSON capacity file: throttles, reserved concurrency, client tiers',
} as const;

/**
 * The context keys among `keys` that are neither the app's ({@link CONTEXT_KEYS}) nor the CDK's own
 * (feature flags `@aws-cdk…`, `aws:cdk:…` settings, cached lookups `name:…`): most likely misspelt.
 */
export function unknownContextKeys(keys: readonly string[]): string[] {
  return keys.filter(
    (key) =>
      !(key in CONTEXT_KEYS) &&
      !key.startsWith('@aws-cdk') &&
      !key.includes(':') &&
      key !== 'acknowledged-issue-numbers',
  );
}

const REGION_PATTERN = /^[a-z]{2}(-[a-z]+)+-\d$/;

/** Validates raw inputs and fills in defaults; throws with a message that says what is allowed. */
export function resolveAppConfig(inputs: AppConfigInputs): AppConfig {
  const variant = parseVariant(inputs.variant ?? 'sync');
  const singleRegion = inputs.region ?? DEFAULT_REGION;
  const regions =
    variant === 'multi' ? parseRegions(inputs.regions ?? DEFAULT_MULTI_REGIONS.join(',')) : [singleRegion];
  for (const region of regions) {
    if (!REGION_PATTERN.test(region)) {
      throw new Error(`Region must look like us-east-1 (given ${JSON.stringify(region)})`);
    }
  }
  return {
    variant,
    account: inputs.account ?? PLACEHOLDER_ACCOUNT,
    placeholderAccount: inputs.account === undefined,
    regions,
    capacity: DEFAULT_CAPACITY,
    resilience: {},
    globalDns: parseGlobalDns(inputs, variant, regions),
    apiKeyValuesSecretName: parseSecretName(inputs.apiKeyValuesSecretName, variant),
    chaosExperiments: parseBoolean('chaos', inputs.chaos ?? 'false'),
    webAcl: parseBoolean('waf', inputs.waf ?? 'false'),
    jwtAuthorizer: parseJwtAuthorizer(inputs),
    ...(inputs.capacityFile
      ? { capacity: parseCapacityFile(inputs.capacityFile.json, inputs.capacityFile.path) }
      : {}),
  };
}

function parseJwtAuthorizer(inputs: AppConfigInputs): JwtAuthorizerConfig | undefined {
  const { jwtIssuerUrl, jwtAudience, jwtJwksUri } = inputs;
  if (jwtIssuerUrl === undefined) {
    if (jwtAudience !== undefined || jwtJwksUri !== undefined) {
      throw new Error(
        'jwtAudience and jwtJwksUri configure the token authorizer of jwtIssuerUrl (given no jwtIssuerUrl)',
      );
    }
    return undefined;
  }
  // ResilientApi checks these URLs too, but importing it here would load the authorizer's runtime
  // code (aws-jwt-verify) into every command that reads lib/config.
  for (const [name, value] of [
    ['jwtIssuerUrl', jwtIssuerUrl],
    ['jwtJwksUri', jwtJwksUri],
  ] as const) {
    if (value !== undefined && !isHttpsUrl(value)) {
      throw new Error(`${name} must be an https:// URL (given ${JSON.stringify(value)})`);
    }
  }
  const audience = commaList(jwtAudience ?? '');
  if (audience.length === 0) {
    throw new Error(
      `jwtIssuerUrl needs jwtAudience, the audiences a token must carry one of, comma-separated (given ${JSON.stringify(jwtAudience ?? '')})`,
    );
  }
  return { issuerUrl: jwtIssuerUrl, audience, ...(jwtJwksUri === undefined ? {} : { jwksUri: jwtJwksUri }) };
}

function isHttpsUrl(value: string): boolean {
  try {
    return new URL(value).protocol === 'https:';
  } catch {
    return false;
  }
}

/** The non-empty entries of a comma-separated context value, trimmed. */
function commaList(value: string): string[] {
  return value
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
}

function parseBoolean(name: string, value: string): boolean {
  if (value === 'true' || value === 'false') return value === 'true';
  throw new Error(`${name} must be true or false (given ${JSON.stringify(value)})`);
}

const HOSTED_ZONE_ID_PATTERN = /^Z[A-Z0-9]{1,31}$/;
const DOMAIN_NAME_PATTERN = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z][a-z0-9-]{0,62}$/;
const SECRET_NAME_PATTERN = /^[A-Za-z0-9/_+=.@-]{1,512}$/;

function parseGlobalDns(
  inputs: AppConfigInputs,
  variant: Variant,
  regions: string[],
): GlobalDnsConfig | undefined {
  const dnsInputs = {
    hostedZoneId: inputs.hostedZoneId,
    zoneName: inputs.zoneName,
    domainName: inputs.domainName,
  };
  const given = Object.entries(dnsInputs).filter(([, value]) => value !== undefined);
  if (given.length === 0) {
    const tuning = Object.entries({
      routing: inputs.routing,
      healthCheckIntervalSeconds: inputs.healthCheckIntervalSeconds,
      healthCheckFailureThreshold: inputs.healthCheckFailureThreshold,
    }).filter(([, value]) => value !== undefined);
    if (tuning.length > 0) {
      throw new Error(
        `${tuning.map(([name]) => name).join(', ')} need hostedZoneId, zoneName and domainName (given none of them)`,
      );
    }
    return undefined;
  }
  if (given.length < 3) {
    throw new Error(
      `hostedZoneId, zoneName and domainName go together, all three or none (given only ${given.map(([name]) => name).join(' and ')})`,
    );
  }
  if (variant !== 'multi') {
    throw new Error(
      `hostedZoneId, zoneName and domainName configure the multi variant's global name (given variant ${variant})`,
    );
  }
  const hostedZoneId = dnsInputs.hostedZoneId as string;
  if (!HOSTED_ZONE_ID_PATTERN.test(hostedZoneId)) {
    throw new Error(
      `hostedZoneId must look like Z0123456789ABCDEFGHIJ (given ${JSON.stringify(hostedZoneId)})`,
    );
  }
  const zoneName = withoutTrailingDot(dnsInputs.zoneName as string);
  const domainName = withoutTrailingDot(dnsInputs.domainName as string);
  for (const [name, value] of [
    ['zoneName', zoneName],
    ['domainName', domainName],
  ]) {
    if (!DOMAIN_NAME_PATTERN.test(value)) {
      throw new Error(
        `${name} must be a lowercase domain name like api.example.com (given ${JSON.stringify(value)})`,
      );
    }
  }
  if (domainName !== zoneName && !domainName.endsWith(`.${zoneName}`)) {
    throw new Error(
      `domainName must be zoneName or a name under it (given ${domainName} in zone ${zoneName})`,
    );
  }
  const routing = parseRouting(inputs.routing ?? 'latency');
  if (routing === 'failover' && regions.length !== 2) {
    // Route 53 allows one PRIMARY and one SECONDARY record per name and type.
    throw new Error(
      `failover routing takes exactly two regions, a primary and a secondary; use latency routing for more (given ${regions.length}: ${regions.join(', ')})`,
    );
  }
  const healthCheckInterval = Duration.seconds(
    parseWholeNumber(
      'healthCheckIntervalSeconds',
      inputs.healthCheckIntervalSeconds,
      DEFAULT_HEALTH_CHECK_INTERVAL_SECONDS,
    ),
  );
  const healthCheckFailureThreshold = parseWholeNumber(
    'healthCheckFailureThreshold',
    inputs.healthCheckFailureThreshold,
    DEFAULT_HEALTH_CHECK_FAILURE_THRESHOLD,
  );
  // The construct's own check, so a bad value is a configuration error rather than a synth crash.
  validateHealthCheckSettings(healthCheckInterval, healthCheckFailureThreshold);
  return { hostedZoneId, zoneName, domainName, routing, healthCheckInterval, healthCheckFailureThreshold };
}

function withoutTrailingDot(name: string): string {
  return name.endsWith('.') ? name.slice(0, -1) : name;
}

function parseRouting(value: string): RoutingPolicy {
  if ((ROUTING_POLICIES as readonly string[]).includes(value)) return value as RoutingPolicy;
  throw new Error(`routing must be one of ${ROUTING_POLICIES.join(', ')} (given ${JSON.stringify(value)})`);
}

/** A whole number from a context string. */
function parseWholeNumber(name: string, value: string | undefined, defaultValue: number): number {
  if (value === undefined) return defaultValue;
  if (!/^\d+$/.test(value.trim())) {
    throw new Error(`${name} must be a whole number (given ${JSON.stringify(value)})`);
  }
  return Number(value.trim());
}

function parseSecretName(value: string | undefined, variant: Variant): string | undefined {
  if (value === undefined) return undefined;
  if (variant !== 'multi') {
    // API key values are unique per account and region: a second stack in the region with the same
    // values fails to deploy (API Key already exists). Only multi needs one value in several
    // regions, and it has one stack per region.
    throw new Error(
      `apiKeyValuesSecretName gives a client the same key in every region of the multi variant (given variant ${variant}): ` +
        'a single-region stack lets API Gateway generate its keys, and two stacks in one region cannot share key values',
    );
  }
  if (!SECRET_NAME_PATTERN.test(value)) {
    throw new Error(
      `apiKeyValuesSecretName must be a Secrets Manager secret name: 1 to 512 of A-Z a-z 0-9 / _ + = . @ - (given ${JSON.stringify(value)})`,
    );
  }
  return value;
}

function parseVariant(value: string): Variant {
  if ((VARIANTS as readonly string[]).includes(value)) return value as Variant;
  throw new Error(`variant must be one of ${VARIANTS.join(', ')} (given ${JSON.stringify(value)})`);
}

function parseRegions(value: string): string[] {
  const regions = commaList(value);
  if (regions.length < 2) {
    throw new Error(
      `The multi variant needs at least two regions, e.g. -c regions=us-east-1,us-west-2 (given ${JSON.stringify(value)})`,
    );
  }
  if (new Set(regions).size !== regions.length) {
    throw new Error(`Regions must be unique (given ${JSON.stringify(value)})`);
  }
  return regions;
}
