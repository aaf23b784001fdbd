import { Annotations, Duration, Names, SecretValue, Stack, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import type * as acm from 'aws-cdk-lib/aws-certificatemanager';
import type * as cognito from 'aws-cdk-lib/aws-cognito';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import * as wafv2 from 'aws-cdk-lib/aws-wafv2';
import { Construct } from 'constructs';
import { refuseDerivedKeys } from '../pass-through';
import { JWT_AUTHORIZER_ENVIRONMENT } from '../../../lambdas/contract/jwt-authorizer-environment';
import { gatewayErrorTemplate, type ErrorCode } from '../../../lambdas/contract/errors';
import { handlerEntry } from '../../lambda-entries';
import { ResilientFunction } from '../resilient-function';
import { RETRY_AFTER_SECONDS } from '../../../lambdas/contract/retry-after';

/** A class of API clients with its own API key, throttle and quota (one usage plan per tier). */
export interface ClientTier {
  /** Name of the tier; names the usage plan and the API key. */
  readonly name: string;
  /** Steady-state requests per second a key of this tier may make. */
  readonly rateLimit: number;
  /** Token-bucket size: requests a key of this tier may make at once above the rate. */
  readonly burstLimit: number;
  /**
   * Requests a key of this tier may make per quota period.
   * @default - no quota
   */
  readonly quotaLimit?: number;
  /**
   * Period of the quota.
   * @default apigateway.Period.DAY
   */
  readonly quotaPeriod?: apigateway.Period;
}

/** Properties of a {@link ResilientApi}. */
export interface ResilientApiProps {
  /**
   * Name of the REST API. API Gateway's CloudWatch metrics (and so every alarm on them) are keyed
   * by `ApiName` and `Stage`: two APIs of one name and stage in an account and region share their
   * 4XX, 5XX and latency metrics, and one's outage fires the other's alarms. Keep it unique there.
   * @default - a name unique in the account and region, made of the stack name and construct path
   */
  readonly apiName?: string;

  /**
   * Name of the deployment stage.
   * @default 'prod'
   */
  readonly stageName?: string;

  /**
   * Initial stage variables, e.g. the `shedding` switch a `LoadShedder` flips. A stack update sets
   * them back to these values.
   * @default - none
   */
  readonly stageVariables?: Record<string, string>;

  /**
   * Stage-wide steady-state rate limit, in requests per second (the token bucket's refill rate).
   * @default 100
   */
  readonly throttlingRateLimit?: number;

  /**
   * Stage-wide burst limit (the token bucket's size).
   * @default 200
   */
  readonly throttlingBurstLimit?: number;

  /**
   * Per-method throttle overrides, keyed by `<resource path>/<HTTP method>`, e.g. `/orders/POST`.
   * @default - every method uses the stage limits
   */
  readonly methodThrottling?: Record<string, apigateway.ThrottleSettings>;

  /**
   * The stage cache: API Gateway's cache cluster, serving the listed methods' answers for their
   * TTL without calling the integration. Every other method, `GET` included, is not cached.
   * @default - no cache cluster
   */
  readonly cache?: ApiCacheProps;

  /**
   * Client tiers: each gets a usage plan (throttle and quota) and an API key whose value API Gateway
   * generates (no key value ever lives in code).
   * @default - one tier, `standard`: 50 requests/s, burst 100, 1,000,000 requests a day
   */
  readonly clientTiers?: ClientTier[];

  /**
   * A secret whose SecretString is a JSON object with one API key value per client tier name
   * (`{"standard":"<at least 20 characters>"}`). CloudFormation reads it at deploy time (a dynamic
   * reference), so the values never appear in the template. Give every region's API the same
   * values (a secret replicated to every region under one name) and a client's key and quota
   * survive a failover.
   * @default - API Gateway generates each key's value, which then differs per region and deployment
   */
  readonly apiKeyValuesSecret?: secretsmanager.ISecret;

  /**
   * How long structured JSON access logs are kept.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly accessLogRetention?: logs.RetentionDays;

  /**
   * Execution log level of every method (needs the account-level CloudWatch role this construct
   * creates).
   * @default apigateway.MethodLoggingLevel.ERROR
   */
  readonly executionLogLevel?: apigateway.MethodLoggingLevel;

  /**
   * How long the stage's execution logs are kept. API Gateway creates their log group
   * (`API-Gateway-Execution-Logs_<api id>/<stage>`) on its first write, with no retention; a
   * `LogRetention` custom resource creates it if needed and sets the retention, so it works on a
   * new stack and on one whose group API Gateway already made.
   * @default logs.RetentionDays.ONE_MONTH
   */
  readonly executionLogRetention?: logs.RetentionDays;

  /**
   * Whether X-Ray tracing is on for the stage.
   * @default true
   */
  readonly tracingEnabled?: boolean;

  /**
   * Whether to put a WAFv2 web ACL in front of the stage, with a per-IP rate-based rule and the AWS
   * managed common, known-bad-inputs and IP-reputation rule groups.
   * @default false
   */
  readonly webAclEnabled?: boolean;

  /**
   * Requests one IP address may make in any 5-minute window before the web ACL blocks it.
   * @default 2000
   */
  readonly webAclRateLimit?: number;

  /**
   * A custom domain name for the API, e.g. `api.example.com` (needs `customDomainCertificate`).
   * @default - no custom domain
   */
  readonly customDomainName?: string;

  /**
   * Certificate of the custom domain, in the API's region.
   * @default - none; required with `customDomainName`
   */
  readonly customDomainCertificate?: acm.ICertificate;

  /**
   * Cognito user pools whose tokens (`Authorization` header) a Cognito authorizer checks. Every method
   * that requires an API key then also requires a valid token of one of these pools: API Gateway
   * runs the authorizer first (401 without a valid token), then checks the API key (403) and its
   * usage plan (429). The key names the client application and its throttle tier (and the order's
   * owner); the token names the user. Methods without an API key stay public. Mutually exclusive
   * with `jwtIssuerUrl`.
   * @default - no authorizer: API keys only
   */
  readonly authorizerUserPools?: cognito.IUserPool[];

  /**
   * Issuer URL of any OIDC provider (`https://…`, exactly the token's `iss`): a REST token authorizer
   * backed by a function verifies the bearer JWT in the `Authorization` header (signature against the
   * issuer's JWKS, `iss`, `aud`, `exp`) and lets the token's `sub` call the method. Combines with API
   * keys as `authorizerUserPools` does. Its results are not cached, because the policy it returns
   * allows the called method only. Mutually exclusive with `authorizerUserPools`; needs `jwtAudience`.
   * @default - no authorizer: API keys only
   */
  readonly jwtIssuerUrl?: string;

  /**
   * Audiences (`aud`) a token of `jwtIssuerUrl` must carry at least one of.
   * @default - none; required with `jwtIssuerUrl`
   */
  readonly jwtAudience?: string[];

  /**
   * URL of the JWKS of `jwtIssuerUrl` (see the issuer's `/.well-known/openid-configuration`, `jwks_uri`).
   * @default - `<jwtIssuerUrl>/.well-known/jwks.json`
   */
  readonly jwtJwksUri?: string;

  /**
   * Pass-through properties for the underlying `RestApi`, for what this construct does not foresee.
   * They override the construct's choices, except the keys it derives or guarantees
   * ({@link ResilientApiDerivedKey}), which are refused with the prop to use instead.
   * @default - none
   */
  readonly restApiProps?: Partial<Omit<apigateway.RestApiProps, ResilientApiDerivedKey>>;
}

/**
 * Keys of `RestApiProps` that `restApiProps` may not set. `description`, `cloudWatchRole` (off when
 * the account's API Gateway logging role is managed elsewhere; execution logs need one) and the
 * rest stay open: nothing is derived from them.
 */
export type ResilientApiDerivedKey =
  'restApiName' | 'deployOptions' | 'deploy' | 'endpointConfiguration' | 'endpointTypes' | 'domainName';

/** Why each key of `restApiProps` is refused, and what to use instead; the error message quotes it. */
const DERIVED_REST_API_PROPS: Record<ResilientApiDerivedKey, string> = {
  // Alarms key on the name, so it has a prop with a unique default.
  restApiName: 'has its own prop; set apiName on ResilientApiProps instead',
  // The stage carries the throttles, access logs, tracing and execution logs this construct sets.
  deployOptions:
    'would replace the stage settings (throttling, access logs, tracing, execution logs); set stageName, stageVariables, throttlingRateLimit, throttlingBurstLimit, methodThrottling, tracingEnabled, executionLogLevel or accessLogRetention on ResilientApiProps instead, or change ResilientApi.stage after construction',
  // Usage plans, the web ACL and the monitoring all attach to the deployment stage.
  deploy: 'would remove the stage that usage plans, the web ACL and alarms attach to; remove it',
  // The custom domain (REGIONAL) and per-region DNS routing (RegionalEndpoint) need a regional API.
  endpointConfiguration:
    'would change the REGIONAL endpoint the custom domain and RegionalEndpoint rely on; remove it',
  endpointTypes:
    'would change the REGIONAL endpoint the custom domain and RegionalEndpoint rely on; remove it',
  // ResilientApi.domainName and the one-domain check know only the domain they add.
  domainName:
    'has its own props; set customDomainName and customDomainCertificate on ResilientApiProps, or call addCustomDomain(), instead',
};

/** The cache cluster sizes API Gateway offers, in GB. */
export type CacheClusterSize = '0.5' | '1.6' | '6.1' | '13.5' | '28.4' | '58.2' | '118' | '237';

/** One cached method. */
export interface CachedMethodProps {
  /**
   * How long an answer is served from the cache (API Gateway: at most 1 hour). API Gateway caches
   * whatever the integration answers, errors included, so the TTL is also how long an error
   * answered during an outage outlives the recovery.
   * @default the cache's `ttl`
   */
  readonly ttl?: Duration;
}

/** The stage cache of a {@link ResilientApi}. */
export interface ApiCacheProps {
  /**
   * Size of the cache cluster, billed per hour whether used or not (the cost model prices it).
   * @default '0.5'
   */
  readonly size?: CacheClusterSize;
  /**
   * Default TTL of the cached methods.
   * @default Duration.seconds(60)
   */
  readonly ttl?: Duration;
  /**
   * The cached methods, keyed by `<resource path>/<HTTP method>` as `methodThrottling` is, e.g.
   * `/orders/{orderId}/GET`. Each one's integration must key the cache on the caller and on every
   * path parameter of its resource ({@link ResilientApi.cacheKeyParameters}); synth fails otherwise.
   */
  readonly methods: Record<string, CachedMethodProps>;
}

/** API Gateway's longest cache TTL. */
const MAX_CACHE_TTL = Duration.hours(1);
/** The cached methods' TTL when none is given: orders never change once written, errors do. */
const DEFAULT_CACHE_TTL = Duration.seconds(60);
/** The header clients send their API key in (API Gateway's `apiKeySource` HEADER). */
const API_KEY_HEADER = 'x-api-key';

/** What a method needs validated before API Gateway calls its integration. */
export interface ValidatedMethodOptions {
  /**
   * Model the JSON body must match.
   * @default - the body is not validated
   */
  readonly bodyModel?: apigateway.IModel;
  /**
   * Headers that must be present.
   * @default - none
   */
  readonly requiredHeaders?: string[];
  /**
   * Whether callers must send an API key of one of the client tiers.
   * @default true
   */
  readonly apiKeyRequired?: boolean;
}

/**
 * The default client tier. Quota: 1,000,000 requests a day is about 11.6 requests/s on average,
 * well under the 50/s rate, so the quota only bites a client that runs hot all day.
 */
const DEFAULT_CLIENT_TIERS: ClientTier[] = [
  {
    name: 'standard',
    rateLimit: 50,
    burstLimit: 100,
    quotaLimit: 1_000_000,
    quotaPeriod: apigateway.Period.DAY,
  },
];

/**
 * Every gateway-generated error, rendered in the API's JSON error shape. Unknown routes answer 404
 * rather than API Gateway's misleading 403 "Missing Authentication Token".
 */
const GATEWAY_ERRORS: ReadonlyArray<[apigateway.ResponseType, string, ErrorCode]> = [
  [apigateway.ResponseType.DEFAULT_4XX, '400', 'BAD_REQUEST'],
  [apigateway.ResponseType.DEFAULT_5XX, '500', 'INTERNAL_ERROR'],
  [apigateway.ResponseType.BAD_REQUEST_PARAMETERS, '400', 'BAD_REQUEST'],
  [apigateway.ResponseType.BAD_REQUEST_BODY, '400', 'VALIDATION_FAILED'],
  [apigateway.ResponseType.MISSING_AUTHENTICATION_TOKEN, '404', 'NOT_FOUND'],
  [apigateway.ResponseType.RESOURCE_NOT_FOUND, '404', 'NOT_FOUND'],
  [apigateway.ResponseType.INVALID_API_KEY, '403', 'FORBIDDEN'],
  [apigateway.ResponseType.ACCESS_DENIED, '403', 'FORBIDDEN'],
  [apigateway.ResponseType.WAF_FILTERED, '403', 'FORBIDDEN'],
  [apigateway.ResponseType.UNAUTHORIZED, '401', 'UNAUTHORIZED'],
  [apigateway.ResponseType.EXPIRED_TOKEN, '401', 'UNAUTHORIZED'],
  [apigateway.ResponseType.REQUEST_TOO_LARGE, '413', 'PAYLOAD_TOO_LARGE'],
  [apigateway.ResponseType.UNSUPPORTED_MEDIA_TYPE, '415', 'UNSUPPORTED_MEDIA_TYPE'],
  [apigateway.ResponseType.THROTTLED, '429', 'THROTTLED'],
  [apigateway.ResponseType.QUOTA_EXCEEDED, '429', 'QUOTA_EXCEEDED'],
  [apigateway.ResponseType.INTEGRATION_FAILURE, '502', 'BAD_GATEWAY'],
  [apigateway.ResponseType.INTEGRATION_TIMEOUT, '504', 'GATEWAY_TIMEOUT'],
];

/**
 * A regional REST API with the defaults a resilient public API needs: stage throttling with
 * per-method overrides, usage plans and API keys per client tier, request validation against JSON
 * schema models, structured JSON access logs, X-Ray, gateway responses in the project's JSON error
 * shape, and optionally a WAFv2 web ACL and a custom domain.
 */
export class ResilientApi extends Construct {
  /** The REST API. */
  public readonly api: apigateway.RestApi;
  /** The deployment stage. */
  public readonly stage: apigateway.Stage;
  /** Name of the deployment stage, as a plain string (`stage.stageName` is a reference). */
  public readonly stageName: string;
  /** The access log group. */
  public readonly accessLogGroup: logs.LogGroup;
  /** One usage plan per client tier, in the order of `clientTiers`. */
  public readonly usagePlans: apigateway.UsagePlan[];
  /** One API key per client tier, in the order of `clientTiers`. */
  public readonly apiKeys: apigateway.IApiKey[];
  /** Validates bodies and required parameters before integrations run. */
  public readonly requestValidator: apigateway.RequestValidator;
  /** The web ACL, when enabled. */
  public readonly webAcl?: wafv2.CfnWebACL;
  /** Sets the retention of the stage's execution log group (which API Gateway creates). */
  public readonly executionLogRetention: logs.LogRetention;
  private customDomain?: apigateway.DomainName;
  /**
   * The authorizer every method that requires an API key also requires, when one is configured
   * (`authorizerUserPools` or `jwtIssuerUrl`).
   */
  public readonly authorizer?: apigateway.IAuthorizer;
  /** The function behind the OIDC JWT token authorizer, when `jwtIssuerUrl` is set. */
  public readonly authorizerFunction?: ResilientFunction;
  /** Stage-wide rate limit (requests per second). */
  public readonly throttlingRateLimit: number;
  /** Stage-wide burst limit. */
  public readonly throttlingBurstLimit: number;

  constructor(scope: Construct, id: string, props: ResilientApiProps = {}) {
    super(scope, id);
    this.throttlingRateLimit = props.throttlingRateLimit ?? 100;
    this.throttlingBurstLimit = props.throttlingBurstLimit ?? 200;
    validateThrottle('Stage', this.throttlingRateLimit, this.throttlingBurstLimit);
    const clientTiers = props.clientTiers ?? DEFAULT_CLIENT_TIERS;
    validateClientTiers(clientTiers);
    if (props.customDomainName !== undefined && props.customDomainCertificate === undefined) {
      throw new Error(
        `customDomainCertificate is required with customDomainName (given ${props.customDomainName})`,
      );
    }

    this.accessLogGroup = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.accessLogRetention ?? logs.RetentionDays.ONE_MONTH,
    });

    const stageName = props.stageName ?? 'prod';
    this.stageName = stageName;
    refuseDerivedKeys('restApiProps', props.restApiProps, DERIVED_REST_API_PROPS);
    this.api = new apigateway.RestApi(this, 'Api', {
      restApiName: props.apiName ?? Names.uniqueResourceName(this, { maxLength: 128, separator: '-' }),
      description: 'Resilient order API',
      endpointConfiguration: { types: [apigateway.EndpointType.REGIONAL] },
      // The account-level role lets API Gateway write execution logs (errors) to CloudWatch.
      cloudWatchRole: true,
      deployOptions: {
        stageName,
        variables: props.stageVariables,
        throttlingRateLimit: this.throttlingRateLimit,
        throttlingBurstLimit: this.throttlingBurstLimit,
        methodOptions: stageMethodOptions(props.methodThrottling, props.cache),
        ...stageCacheOptions(props.cache),
        tracingEnabled: props.tracingEnabled ?? true,
        loggingLevel: props.executionLogLevel ?? apigateway.MethodLoggingLevel.ERROR,
        dataTraceEnabled: false,
        metricsEnabled: true,
        accessLogDestination: new apigateway.LogGroupLogDestination(this.accessLogGroup),
        accessLogFormat: apigateway.AccessLogFormat.custom(JSON.stringify(ACCESS_LOG_FIELDS)),
      },
      ...props.restApiProps,
    });
    this.stage = this.api.deploymentStage;
    this.executionLogRetention = new logs.LogRetention(this, 'ExecutionLogRetention', {
      logGroupName: `API-Gateway-Execution-Logs_${this.api.restApiId}/${stageName}`,
      retention: props.executionLogRetention ?? logs.RetentionDays.ONE_MONTH,
    });
    acknowledgeLogRetentionFunction(this);
    // RestApi always adds an `Endpoint` output with a generated name; stacks output the URL under a
    // stable name of their choice instead (see `url`).
    this.api.node.tryRemoveChild('Endpoint');

    for (const [type, statusCode, code] of GATEWAY_ERRORS) {
      const retryable = statusCode === '429';
      this.api.addGatewayResponse(`GatewayResponse${type.responseType}`, {
        type,
        statusCode,
        templates: {
          'application/json': gatewayErrorTemplate(code, { validationDetails: code === 'VALIDATION_FAILED' }),
        },
        responseHeaders: retryable ? { 'Retry-After': `'${RETRY_AFTER_SECONDS.throttled}'` } : undefined,
      });
    }

    this.requestValidator = this.api.addRequestValidator('RequestValidator', {
      validateRequestBody: true,
      validateRequestParameters: true,
    });

    this.usagePlans = [];
    this.apiKeys = [];
    for (const tier of clientTiers) {
      const plan = this.api.addUsagePlan(`UsagePlan-${tier.name}`, {
        name: `${tier.name}`,
        throttle: { rateLimit: tier.rateLimit, burstLimit: tier.burstLimit },
        quota:
          tier.quotaLimit === undefined
            ? undefined
            : { limit: tier.quotaLimit, period: tier.quotaPeriod ?? apigateway.Period.DAY },
        apiStages: [{ api: this.api, stage: this.stage }],
      });
      const key = this.api.addApiKey(`ApiKey-${tier.name}`, {
        description: `API key of the ${tier.name} tier`,
        value: props.apiKeyValuesSecret && apiKeyValueOf(props.apiKeyValuesSecret, tier.name),
      });
      plan.addApiKey(key);
      if (!Token.isUnresolved(tier.rateLimit) && tier.rateLimit > this.throttlingRateLimit) {
        Annotations.of(plan).addWarningV2(
          'cdk-resilient-api:tierAboveStage',
          `Client tier ${tier.name} allows ${tier.rateLimit} requests/s but the stage allows only ${this.throttlingRateLimit}; the stage limit wins.`,
        );
      }
      this.usagePlans.push(plan);
      this.apiKeys.push(key);
    }

    if (props.webAclEnabled) {
      this.webAcl = createWebAcl(this, props.webAclRateLimit ?? 2000);
      new wafv2.CfnWebACLAssociation(this, 'WebAclAssociation', {
        resourceArn: this.stage.stageArn,
        webAclArn: this.webAcl.attrArn,
      });
    }

    validateAuthorizerProps(props);
    if (props.authorizerUserPools) {
      this.authorizer = new apigateway.CognitoUserPoolsAuthorizer(this, 'CognitoAuthorizer', {
        cognitoUserPools: props.authorizerUserPools,
      });
    } else if (props.jwtIssuerUrl !== undefined && props.jwtAudience !== undefined) {
      this.authorizerFunction = new ResilientFunction(this, 'JwtAuthorizerFunction', {
        entry: handlerEntry('jwt-authorizer'),
        description: `Verifies bearer JWTs of ${props.jwtIssuerUrl} for API Gateway`,
        timeout: Duration.seconds(5),
        environment: {
          [JWT_AUTHORIZER_ENVIRONMENT.issuer]: props.jwtIssuerUrl,
          [JWT_AUTHORIZER_ENVIRONMENT.audience]: props.jwtAudience.join(','),
          [JWT_AUTHORIZER_ENVIRONMENT.jwksUri]:
            props.jwtJwksUri ?? `${props.jwtIssuerUrl.replace(/\/+$/, '')}/.well-known/jwks.json`,
        },
      });
      this.authorizer = new apigateway.TokenAuthorizer(this, 'JwtAuthorizer', {
        handler: this.authorizerFunction.alias,
        identitySource: apigateway.IdentitySource.header('Authorization'),
        // A header that is not a bearer token is refused with 401 before the function runs.
        validationRegex: BEARER_TOKEN_PATTERN,
        // The returned policy allows the called method only; a cached one would refuse the token's
        // next call to another method.
        resultsCacheTtl: Duration.seconds(0),
      });
    }

    this.acknowledgeNagFindings(props);
    this.node.addValidation({ validate: () => this.validateCachedMethods(props.cache) });

    if (props.customDomainName !== undefined && props.customDomainCertificate !== undefined) {
      this.addCustomDomain(props.customDomainName, props.customDomainCertificate);
    }
  }

  /** The custom domain, when configured (`customDomainName` or {@link addCustomDomain}). */
  public get domainName(): apigateway.DomainName | undefined {
    return this.customDomain;
  }

  /**
   * Adds the API's custom domain (REGIONAL, TLS 1.2), mapped to the stage at the root. An API has at
   * most one.
   */
  public addCustomDomain(domainName: string, certificate: acm.ICertificate): apigateway.DomainName {
    if (this.customDomain !== undefined) {
      throw new Error(
        `The API already has the custom domain ${this.customDomain.node.path} (given another: ${domainName})`,
      );
    }
    this.customDomain = this.api.addDomainName('CustomDomain', {
      domainName,
      certificate,
      endpointType: apigateway.EndpointType.REGIONAL,
      securityPolicy: apigateway.SecurityPolicy.TLS_1_2,
    });
    return this.customDomain;
  }

  private acknowledgeNagFindings(props: ResilientApiProps): void {
    const api = Validations.of(this.api);
    if (this.authorizer === undefined) {
      api.acknowledge(
        {
          id: 'AwsSolutions-APIG4',
          reason:
            'No authorizer is configured (authorizerUserPools or jwtIssuerUrl): clients are identified by API keys bound to usage plans (throttle and quota per tier); public methods are acknowledged one by one (addPublicMethod).',
        },
        {
          id: 'AwsSolutions-COG4',
          reason:
            'No authorizer is configured: the API authenticates clients with API keys and usage plans, not a Cognito user pool.',
        },
      );
    } else if (props.jwtIssuerUrl !== undefined) {
      // Every method that requires an API key uses the token authorizer (CUSTOM), so APIG4 holds for
      // them; COG4 asks for Cognito in particular.
      api.acknowledge({
        id: 'AwsSolutions-COG4',
        reason: `Methods that require an API key are authorized by a token authorizer that verifies JWTs of the OIDC issuer ${props.jwtIssuerUrl}, not by a Cognito user pool authorizer.`,
      });
    }
    api.acknowledge({
      id: 'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonAPIGatewayPushToCloudWatchLogs]',
      reason: 'The account-level API Gateway logging role uses the AWS-managed policy AWS documents for it.',
    });
    if (!props.webAclEnabled) {
      api.acknowledge({
        id: 'AwsSolutions-APIG3',
        reason:
          'The web ACL is opt-in (webAclEnabled) because it has a monthly cost; stage and usage-plan throttling still apply.',
      });
    }
  }

  /** The stage's invoke URL, ending in `/`. */
  public get url(): string {
    return this.api.url;
  }

  /** Adds a JSON schema (draft-04 keywords only) as a model for request validation. */
  public addJsonModel(id: string, schema: object, modelName?: string): apigateway.Model {
    return this.api.addModel(id, {
      contentType: 'application/json',
      modelName,
      // The project's schemas use only keywords with the same meaning in draft-04 and later drafts,
      // and `JsonSchema` mirrors JSON schema's own field names, so the object maps over as it is.
      schema: { schema: apigateway.JsonSchemaVersion.DRAFT4, ...(schema as apigateway.JsonSchema) },
    });
  }

  /**
   * Method options that make API Gateway validate the request before the integration runs. A method
   * that requires an API key also requires the authorizer, when one is configured.
   */
  public validatedMethodOptions(options: ValidatedMethodOptions = {}): apigateway.MethodOptions {
    const requestParameters: Record<string, boolean> = {};
    for (const header of options.requiredHeaders ?? []) {
      requestParameters[`method.request.header.${header}`] = true;
    }
    const apiKeyRequired = options.apiKeyRequired ?? true;
    return {
      apiKeyRequired,
      authorizer: apiKeyRequired ? this.authorizer : undefined,
      requestValidator: this.requestValidator,
      requestModels: options.bodyModel ? { 'application/json': options.bodyModel } : undefined,
      requestParameters,
    };
  }

  /**
   * The cache key parameters of a cached method's integration (`cacheKeyParameters` of its
   * integration options): its path parameters and who calls — the API key header and, with an
   * authorizer, the `Authorization` header — so that an answer cached for one caller is never served
   * to another. API Gateway does not key the cache on the caller by itself.
   */
  public cacheKeyParameters(pathParameters: readonly string[]): string[] {
    return [
      ...pathParameters.map((name) => `method.request.path.${name}`),
      ...this.callerHeaders().map((header) => `method.request.header.${header}`),
    ];
  }

  /**
   * {@link validatedMethodOptions} for a cached method: the request parameters of its cache key
   * ({@link cacheKeyParameters}) are declared, as API Gateway requires of a cache key parameter (the
   * caller's headers as optional, so that a missing one is answered by the API key or authorizer
   * check, not by validation).
   */
  public cachedMethodOptions(
    pathParameters: readonly string[],
    options: ValidatedMethodOptions = {},
  ): apigateway.MethodOptions {
    const validated = this.validatedMethodOptions(options);
    return {
      ...validated,
      requestParameters: {
        ...Object.fromEntries(pathParameters.map((name) => [`method.request.path.${name}`, true])),
        ...Object.fromEntries(
          this.callerHeaders().map((header) => [`method.request.header.${header}`, false]),
        ),
        ...validated.requestParameters,
      },
    };
  }

  /** The headers that say who calls: the API key, and the token when there is an authorizer. */
  private callerHeaders(): string[] {
    return this.authorizer ? [API_KEY_HEADER, 'Authorization'] : [API_KEY_HEADER];
  }

  /**
   * Checks each cached method of `cache.methods`: it exists, and its integration keys the cache on
   * the caller. A cached method without the caller in its key would serve one owner's order to
   * another.
   */
  private validateCachedMethods(cache: ApiCacheProps | undefined): string[] {
    const errors: string[] = [];
    for (const methodPath of Object.keys(cache?.methods ?? {})) {
      const separator = methodPath.lastIndexOf('/');
      const resourcePath = methodPath.slice(0, separator) || '/';
      const httpMethod = methodPath.slice(separator + 1).toUpperCase();
      const method = this.api.methods.find(
        (candidate) => candidate.resource.path === resourcePath && candidate.httpMethod === httpMethod,
      );
      if (method === undefined) {
        errors.push(`cache.methods names ${methodPath}, which the API does not have`);
        continue;
      }
      const cfnMethod = method.node.defaultChild as apigateway.CfnMethod;
      // The L1 property, resolved: camel-case keys (`cacheKeyParameters`), as CfnMethod takes them.
      const integration = Stack.of(this).resolve(cfnMethod.integration) as
        apigateway.CfnMethod.IntegrationProperty | undefined;
      const keyParameters = integration?.cacheKeyParameters ?? [];
      const missingCaller = this.callerHeaders()
        .map((header) => `method.request.header.${header}`)
        .filter((parameter) => !keyParameters.includes(parameter));
      if (missingCaller.length > 0) {
        errors.push(
          `The cached method ${methodPath} does not key its cache on ${missingCaller.join(' and ')}: an answer cached for one caller would be served to another. Give its integration cacheKeyParameters: api.cacheKeyParameters([...path parameters]), and its method api.cachedMethodOptions()`,
        );
      }
      const missingPath = [...resourcePath.matchAll(/\{([^}+]+)\+?\}/g)]
        .map(([, name]) => `method.request.path.${name}`)
        .filter((parameter) => !keyParameters.includes(parameter));
      if (missingPath.length > 0) {
        errors.push(
          `The cached method ${methodPath} does not key its cache on ${missingPath.join(' and ')}: every value of that path parameter would share one entry (one order served for another). Name it in api.cacheKeyParameters([...])`,
        );
      }
    }
    return errors;
  }

  /**
   * Adds a method that needs neither an API key nor the authorizer, e.g. a health check that Route 53
   * health checkers (which cannot send headers) call, and acknowledges the cdk-nag findings about
   * its missing authorization on that method only, with `reason`.
   */
  public addPublicMethod(
    resource: apigateway.IResource,
    httpMethod: string,
    integration: apigateway.Integration,
    reason: string,
  ): apigateway.Method {
    const method = resource.addMethod(httpMethod, integration, {
      apiKeyRequired: false,
      authorizationType: apigateway.AuthorizationType.NONE,
    });
    Validations.of(method).acknowledge(
      { id: 'AwsSolutions-APIG4', reason: `Public on purpose: ${reason}` },
      { id: 'AwsSolutions-COG4', reason: `Public on purpose: ${reason}` },
    );
    return method;
  }
}

/**
 * A dynamic reference to one tier's key value in `secret`. An imported-by-name secret has only a
 * partial ARN, which a dynamic reference does not take, so it is referenced by its name.
 */
function apiKeyValueOf(secret: secretsmanager.ISecret, tierName: string): string {
  return SecretValue.secretsManager(secret.secretFullArn ?? secret.secretName, {
    jsonField: tierName,
  }).unsafeUnwrap();
}

/** An `Authorization` header value the JWT token authorizer's function is called for. */
const BEARER_TOKEN_PATTERN = '^[Bb]earer [-0-9A-Za-z_]+\\.[-0-9A-Za-z_]+\\.[-0-9A-Za-z_]*$';

/** Structured JSON access log: one object per request, with the fields incidents are debugged with. */
const ACCESS_LOG_FIELDS = {
  requestId: '$context.requestId',
  extendedRequestId: '$context.extendedRequestId',
  requestTime: '$context.requestTime',
  httpMethod: '$context.httpMethod',
  resourcePath: '$context.resourcePath',
  status: '$context.status',
  responseLength: '$context.responseLength',
  responseLatency: '$context.responseLatency',
  integrationLatency: '$context.integration.latency',
  integrationStatus: '$context.integration.status',
  errorMessage: '$context.error.message',
  errorType: '$context.error.responseType',
  apiKeyId: '$context.identity.apiKeyId',
  sourceIp: '$context.identity.sourceIp',
  userAgent: '$context.identity.userAgent',
  xrayTraceId: '$context.xrayTraceId',
};

/**
 * The `LogRetention` custom resource's function is aws-cdk-lib's singleton (one per stack, under
 * the fixed id aws-cdk-lib gives it), not one of this project's handlers: its findings are
 * acknowledged on it, each with its reason. Should aws-cdk-lib rename it, cdk-nag reports them.
 */
function acknowledgeLogRetentionFunction(scope: Construct): void {
  const singleton = Stack.of(scope).node.tryFindChild('LogRetentionaae0aa3c5b4d4f87b02d85b201efdd8a');
  if (!singleton) return;
  const reasons: Record<string, string> = {
    'AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole]':
      "aws-cdk-lib's log retention function writes its own logs with the AWS-managed basic execution policy.",
    'AwsSolutions-IAM5[Resource::*]':
      "logs:PutRetentionPolicy and logs:DeleteRetentionPolicy on Resource::* come from aws-cdk-lib's singleton, one function that serves every LogRetention in the stack; it only sets retention periods.",
  };
  for (const [id, reason] of Object.entries(reasons)) {
    Validations.of(singleton).acknowledge({ id, reason });
  }
}

function createWebAcl(scope: Construct, rateLimit: number): wafv2.CfnWebACL {
  if (!Token.isUnresolved(rateLimit) && (rateLimit < 10 || rateLimit > 2_000_000_000)) {
    throw new Error(`webAclRateLimit must be between 10 and 2,000,000,000 (given ${rateLimit})`);
  }
  const managedRule = (
    name: string,
    priority: number,
    ruleActionOverrides?: wafv2.CfnWebACL.RuleActionOverrideProperty[],
  ): wafv2.CfnWebACL.RuleProperty => ({
    name,
    priority,
    overrideAction: { none: {} },
    statement: { managedRuleGroupStatement: { vendorName: 'AWS', name, ruleActionOverrides } },
    visibilityConfig: { cloudWatchMetricsEnabled: true, metricName: name, sampledRequestsEnabled: true },
  });
  // There is no WAFv2 L2 construct in aws-cdk-lib, so the web ACL is an L1 resource.
  return new wafv2.CfnWebACL(scope, 'WebAcl', {
    scope: 'REGIONAL',
    defaultAction: { allow: {} },
    visibilityConfig: {
      cloudWatchMetricsEnabled: true,
      metricName: 'ResilientApiWebAcl',
      sampledRequestsEnabled: true,
    },
    rules: [
      {
        name: 'RateLimitPerIp',
        priority: 0,
        action: { block: {} },
        statement: { rateBasedStatement: { limit: rateLimit, aggregateKeyType: 'IP' } },
        visibilityConfig: {
          cloudWatchMetricsEnabled: true,
          metricName: 'RateLimitPerIp',
          sampledRequestsEnabled: true,
        },
      },
      // The common rule set blocks bodies over 8 KB (SizeRestrictions_BODY), but an order may be up
      // to 16 KiB: that rule only counts, and the API's own limit (request validation, the handlers,
      // the async edge's template) refuses larger bodies with its JSON error.
      managedRule('AWSManagedRulesCommonRuleSet', 1, [
        { name: 'SizeRestrictions_BODY', actionToUse: { count: {} } },
      ]),
      managedRule('AWSManagedRulesKnownBadInputsRuleSet', 2),
      managedRule('AWSManagedRulesAmazonIpReputationList', 3),
    ],
  });
}

/** The stage's per-method settings: throttle overrides and cached methods, merged by method path. */
function stageMethodOptions(
  throttling: Record<string, apigateway.ThrottleSettings> | undefined,
  cache: ApiCacheProps | undefined,
): Record<string, apigateway.MethodDeploymentOptions> | undefined {
  if (!throttling && !cache) return undefined;
  const options: Record<string, apigateway.MethodDeploymentOptions> = {};
  for (const [methodPath, throttle] of Object.entries(throttling ?? {})) {
    validateThrottle(`Method ${methodPath}`, throttle.rateLimit ?? 1, throttle.burstLimit ?? 1);
    options[methodPath] = {
      throttlingRateLimit: throttle.rateLimit,
      throttlingBurstLimit: throttle.burstLimit,
    };
  }
  for (const [methodPath, method] of Object.entries(cache?.methods ?? {})) {
    const ttl = method.ttl ?? cache?.ttl ?? DEFAULT_CACHE_TTL;
    validateCacheTtl(methodPath, ttl);
    options[methodPath] = {
      ...options[methodPath],
      cachingEnabled: true,
      cacheTtl: ttl,
      cacheDataEncrypted: true,
    };
  }
  return options;
}

/**
 * The stage's cache cluster, and caching off for every method the cache does not name: when a
 * stage has a cache cluster, API Gateway caches its GET methods by default, which would cache
 * `/health` for Route 53's health checkers.
 */
function stageCacheOptions(cache: ApiCacheProps | undefined): Partial<apigateway.StageOptions> {
  if (!cache) return {};
  validateCacheTtl('The cache', cache.ttl ?? DEFAULT_CACHE_TTL);
  return { cacheClusterEnabled: true, cacheClusterSize: cache.size ?? '0.5', cachingEnabled: false };
}

function validateCacheTtl(what: string, ttl: Duration): void {
  const seconds = ttl.toSeconds({ integral: false });
  if (Token.isUnresolved(seconds)) return;
  if (!Number.isInteger(seconds) || seconds < 1 || seconds > MAX_CACHE_TTL.toSeconds()) {
    throw new Error(
      `${what} TTL must be whole seconds from 1 to ${MAX_CACHE_TTL.toSeconds()} (given ${seconds} seconds); leave the method out of cache.methods to not cache it`,
    );
  }
}

function validateThrottle(what: string, rateLimit: number, burstLimit: number): void {
  if (!Token.isUnresolved(rateLimit) && !(rateLimit > 0)) {
    throw new Error(`${what} rate limit must be greater than 0 (given ${rateLimit})`);
  }
  if (!Token.isUnresolved(burstLimit) && !(Number.isInteger(burstLimit) && burstLimit >= 1)) {
    throw new Error(`${what} burst limit must be a whole number of at least 1 (given ${burstLimit})`);
  }
}

function validateAuthorizerProps(props: ResilientApiProps): void {
  const { authorizerUserPools: pools, jwtIssuerUrl: issuer, jwtAudience: audience } = props;
  if (pools !== undefined && issuer !== undefined) {
    throw new Error(
      `Configure one authorizer, authorizerUserPools or jwtIssuerUrl (given both: ${pools.length} user pools and ${issuer})`,
    );
  }
  if (pools !== undefined && pools.length === 0) {
    throw new Error('authorizerUserPools needs at least one user pool (given none)');
  }
  if (issuer === undefined) {
    if (audience !== undefined || props.jwtJwksUri !== undefined) {
      throw new Error('jwtAudience and jwtJwksUri need jwtIssuerUrl (given no jwtIssuerUrl)');
    }
    return;
  }
  for (const [name, url] of [
    ['jwtIssuerUrl', issuer],
    ['jwtJwksUri', props.jwtJwksUri],
  ] as const) {
    if (url !== undefined && !Token.isUnresolved(url) && !/^https:\/\/[^\s/]+/.test(url)) {
      throw new Error(`${name} must be an https:// URL (given ${JSON.stringify(url)})`);
    }
  }
  if (audience === undefined || audience.length === 0) {
    throw new Error('jwtAudience needs at least one audience with jwtIssuerUrl (given none)');
  }
  for (const entry of audience) {
    if (!Token.isUnresolved(entry) && (entry.trim() === '' || entry.includes(','))) {
      throw new Error(
        `Each jwtAudience must be non-empty and contain no comma (given ${JSON.stringify(entry)})`,
      );
    }
  }
}

function validateClientTiers(tiers: ClientTier[]): void {
  if (tiers.length === 0) {
    throw new Error('At least one client tier is required (given none)');
  }
  const names = new Set<string>();
  for (const tier of tiers) {
    if (names.has(tier.name)) {
      throw new Error(`Client tier names must be unique (given ${tier.name} more than once)`);
    }
    names.add(tier.name);
    validateThrottle(`Client tier ${tier.name}`, tier.rateLimit, tier.burstLimit);
    if (tier.quotaLimit !== undefined && !Token.isUnresolved(tier.quotaLimit) && !(tier.quotaLimit >= 1)) {
      throw new Error(`Client tier ${tier.name} quota must be at least 1 (given ${tier.quotaLimit})`);
    }
  }
}
