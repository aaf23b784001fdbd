/**
 * A local API Gateway REST API, driven only by the synthesized template: routing over the
 * resource tree and stages, API keys and usage plans (throttle and quota), stage and method
 * throttling as token buckets, the payload limit, request validators and models, Lambda proxy, SQS
 * and mock integrations, and gateway responses in the template's shape. How functions run and
 * where messages go is injected, so the emulator does not depend on the Lambda or SQS emulation.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { renderGatewayResponse, type GatewayError, type RenderedResponse } from './gateway-responses';
import { flattenContext, renderAccessLogLine, type AccessLogValues } from './access-log';
import { HEADERS_HIDDEN_FROM_INTEGRATIONS, templateInputOf } from './mapping-template';
import { requestContextOf, type RequestContext } from './request-context';
import {
  buildProxyEvent,
  proxyEventHeaders,
  readProxyResult,
  decodesBinaryFor,
  type InvokeFunction,
} from './lambda-proxy';
import {
  mockAnswer,
  renderIntegrationResponse,
  selectIntegrationResponse,
  selectRequestTemplate,
  sendToSqs,
  type IntegrationAnswer,
  type SendSqsMessage,
} from './mapped-integration';
import { RequestValidation } from './request-validation';
import { cacheKeyOf, refreshesCache, StageCacheStore, withCacheStatus } from './stage-cache';
import {
  cacheTtlSecondsOf,
  readRestApi,
  type ApiKeySpec,
  type ApiMethod,
  type ApiResource,
  type ApiStage,
  type ApiUsagePlan,
  type LambdaProxyIntegration,
  type MockIntegration,
  type RestApiModel,
  type SqsIntegration,
} from './rest-api-model';
import { standaloneResolver } from './template-references';
import type { StackTemplate } from '../assembly/cloud-assembly';
import type { IntrinsicResolver } from '../assembly/intrinsic-resolver';
import { QuotaCounter, TokenBucket, type ThrottleLimits } from './token-bucket';
import {
  renderTemplate,
  type RequestOverride,
  type ResponseOverride,
  type TemplateInput,
  type TemplateVariables,
} from './velocity';

/** API Gateway's payload limit for REST APIs: 10 MB. */
export const MAX_PAYLOAD_BYTES = 10 * 1024 * 1024;

/**
 * API Gateway's account-level throttle per region when no quota increase was asked for: 10,000
 * requests per second, burst 5,000 (Amazon API Gateway quotas).
 */
export const ACCOUNT_THROTTLE: ThrottleLimits = { rateLimit: 10_000, burstLimit: 5_000 };

/** Options of {@link createApiGatewayEmulator}. */
export interface ApiGatewayEmulatorOptions {
  /** The synthesized template of the stack. */
  readonly template: StackTemplate;
  readonly stackName: string;
  readonly region: string;
  readonly accountId: string;
  /**
   * Resolves intrinsic functions: the local cloud's resolver of the stack.
   * @default - {@link standaloneResolver}: the API Gateway resources, placeholders for the rest
   */
  readonly resolver?: IntrinsicResolver;
  /**
   * Logical id of the REST API to serve.
   * @default - the template's only `AWS::ApiGateway::RestApi`
   */
  readonly restApiLogicalId?: string;
  /** Invokes a function of the template by logical id. */
  readonly invokeFunction: InvokeFunction;
  /** Sends a message to a queue of the template by logical id. */
  readonly sendSqsMessage: SendSqsMessage;
  /**
   * API key values by the ApiKey's logical id.
   * @default - the template's `Value`, else a random value per key (see `apiKeys()`)
   */
  readonly apiKeyValues?: ReadonlyMap<string, string>;
  /**
   * Milliseconds since the epoch; drives token-bucket refills, quota periods and request times.
   * @default Date.now
   */
  readonly clock?: () => number;
  /**
   * Longest an integration may take before the answer is 504.
   * @default - the integration's `TimeoutInMillis`, else 29 seconds
   */
  readonly integrationTimeoutMillis?: number;
  /**
   * Largest request body accepted.
   * @default MAX_PAYLOAD_BYTES (10 MB)
   */
  readonly maxPayloadBytes?: number;
  /**
   * The account-level throttle shared by every API of the region, or false for none.
   * @default ACCOUNT_THROTTLE
   */
  readonly accountThrottle?: ThrottleLimits | false;
  /**
   * Called once per request, after the answer is written, for logs and metrics.
   * @default - no access log
   */
  readonly onAccessLog?: (entry: AccessLogEntry) => void;
}

/** An API key the emulator accepts. */
export interface ApiKeyInfo {
  readonly logicalId: string;
  /** The key's id (`$context.identity.apiKeyId`). */
  readonly id: string;
  /** The value clients send in `x-api-key`. */
  readonly value: string;
  /** The usage plan the key is attached to. */
  readonly usagePlan?: { readonly logicalId: string; readonly name?: string };
}

/** One request as the access log and the API's metrics see it. */
export interface AccessLogEntry {
  /** The REST API's name (`ApiName` of the CloudWatch metrics). */
  readonly apiName: string;
  readonly requestId: string;
  readonly requestTimeEpoch: number;
  readonly httpMethod: string;
  /** The request path, stage included. */
  readonly path: string;
  readonly stage?: string;
  readonly resourcePath?: string;
  readonly status: number;
  readonly latencyMillis: number;
  readonly integrationLatencyMillis?: number;
  readonly integrationStatus?: number;
  /** For a cached method: whether the answer came from the stage cache (`CacheHitCount`). */
  readonly cacheStatus?: 'hit' | 'miss';
  readonly apiKeyId?: string;
  /** The gateway response type, when the gateway answered itself (e.g. `THROTTLED`). */
  readonly errorType?: string;
  readonly errorMessage?: string;
  /** The line the stage writes to its access log, in the stage's format, when it has one. */
  readonly accessLog?: { readonly destinationArn: string; readonly line: string };
}

/** A request as the emulator receives it, independent of the HTTP server. */
export interface EmulatedRequest {
  readonly method: string;
  /** Path and query string, e.g. `/prod/orders?x=1`. */
  readonly url: string;
  /** Headers with their original names, in arrival order. */
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: Buffer;
  /** Size of the body as sent, when larger than `body` (the server stops storing past the limit). */
  readonly bodySize?: number;
  /** @default '127.0.0.1' */
  readonly sourceIp?: string;
  /** @default 'HTTP/1.1' */
  readonly protocol?: string;
}

/** A running HTTP server of the emulator. */
export interface RunningApiGateway {
  readonly server: http.Server;
  readonly port: number;
  /** `http://127.0.0.1:<port>`; a stage's base URL is `${url}/<stage>/`. */
  readonly url: string;
  close(): Promise<void>;
}

/** The local REST API. */
export interface ApiGatewayEmulator {
  /** The REST API's id (`$context.apiId`). */
  readonly restApiId: string;
  readonly stageNames: readonly string[];
  /** What the template asks for that is not emulated, one line each, for the startup report. */
  readonly notEmulated: readonly string[];
  /** A Node `http` request listener serving `/<stage>/<path>`. */
  readonly requestListener: http.RequestListener;
  /** Answers one request (what the listener does, without HTTP). Never rejects. */
  handle(request: EmulatedRequest): Promise<RenderedResponse>;
  /** The API keys and their values. */
  apiKeys(): ApiKeyInfo[];
  /** A stage's variables as the next request sees them. @throws Error for an unknown stage */
  stageVariables(stageName: string): Readonly<Record<string, string>>;
  /**
   * Sets (a string) or removes (`undefined`) stage variables, as `UpdateStage` does: the next
   * request sees them, without a deployment. @throws Error for an unknown stage
   */
  updateStageVariables(stageName: string, changes: Readonly<Record<string, string | undefined>>): void;
  /** Serves the API over HTTP. */
  listen(port?: number, host?: string): Promise<RunningApiGateway>;
}

/** Creates a local REST API from a synthesized template. Throws if the API uses what is not emulated. */
export function createApiGatewayEmulator(options: ApiGatewayEmulatorOptions): ApiGatewayEmulator {
  const deployment = { stackName: options.stackName, region: options.region, accountId: options.accountId };
  const resolver = options.resolver ?? standaloneResolver(options.template, deployment);
  const api = readRestApi(options.template, (value) => resolver.resolve(value), options.restApiLogicalId);
  const runtime = new EmulatorRuntime(api, options);
  const requestListener: http.RequestListener = (request, response) => {
    void serve(runtime, request, response, options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES);
  };
  return {
    restApiId: api.id,
    stageNames: [...api.stages.keys()],
    notEmulated: api.notEmulated,
    requestListener,
    handle: (request) => runtime.handle(request),
    apiKeys: () => runtime.apiKeyInfos(),
    stageVariables: (stageName) => runtime.stageVariables(stageName),
    updateStageVariables: (stageName, changes) => runtime.updateStageVariables(stageName, changes),
    listen: (port = 0, host = '127.0.0.1') => listen(requestListener, port, host),
  };
}

/** What the pipeline learned about a request so far. */
interface RequestState {
  readonly requestId: string;
  readonly extendedRequestId: string;
  readonly requestTimeEpoch: number;
  readonly httpMethod: string;
  readonly fullPath: string;
  readonly query: Array<[string, string]>;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly headerMap: Map<string, string>;
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly protocol: string;
  /** The X-Ray trace header API Gateway adds to the integration request and a backend's answer. */
  readonly traceId: string;
  /** The port the client connected to (`X-Forwarded-Port`). */
  readonly localPort: string;
  stage?: ApiStage;
  /** The path after the stage, as sent. */
  path?: string;
  /** The path with the stage (`requestContext.path`), as sent. */
  stagePath?: string;
  method?: ApiMethod;
  pathParameters: Record<string, string>;
  apiKey?: { spec: ApiKeySpec; value: string; plan: ApiUsagePlan };
  /** Whether a backend (Lambda, an AWS service) was called: its answer carries the trace header. */
  backendCalled: boolean;
  /** How long the backend call took (the `IntegrationLatency` metric); set with `backendCalled`. */
  integrationLatencyMillis?: number;
  integrationStatus?: number;
  /** For a cached method: whether the answer came from the stage cache. */
  cacheStatus?: 'hit' | 'miss';
}

class EmulatorRuntime {
  private readonly clock: () => number;
  private readonly validation: RequestValidation;
  private readonly keyValues = new Map<string, string>();
  private readonly keysByValue = new Map<string, ApiKeySpec>();
  private readonly buckets = new Map<string, TokenBucket>();
  private readonly quotas = new Map<string, QuotaCounter>();
  private readonly accountBucket?: TokenBucket;
  /** Stage variables changed since the deployment (UpdateStage), by stage name. */
  private readonly updatedVariables = new Map<string, Readonly<Record<string, string>>>();
  /** The stage caches, by stage name (created at a cached method's first request). */
  private readonly caches = new Map<string, StageCacheStore>();

  constructor(
    private readonly api: RestApiModel,
    private readonly options: ApiGatewayEmulatorOptions,
  ) {
    this.clock = options.clock ?? Date.now;
    this.validation = new RequestValidation(api.models);
    for (const key of api.apiKeys) {
      const value = options.apiKeyValues?.get(key.logicalId) ?? key.value ?? generateApiKeyValue();
      this.keyValues.set(key.logicalId, value);
      this.keysByValue.set(value, key);
    }
    const accountThrottle = options.accountThrottle ?? ACCOUNT_THROTTLE;
    if (accountThrottle) this.accountBucket = new TokenBucket(accountThrottle, this.clock);
  }

  public apiKeyInfos(): ApiKeyInfo[] {
    return this.api.apiKeys.map((key) => ({
      logicalId: key.logicalId,
      id: key.id,
      value: this.keyValues.get(key.logicalId) ?? '',
      usagePlan: key.usagePlans[0] && {
        logicalId: key.usagePlans[0].logicalId,
        name: key.usagePlans[0].name,
      },
    }));
  }

  public async handle(request: EmulatedRequest): Promise<RenderedResponse> {
    const startedAt = performance.now();
    const state = this.initialState(request);
    let response: RenderedResponse;
    let gatewayError: GatewayError | undefined;
    try {
      const outcome = await this.process(state, request.bodySize ?? request.body.length);
      if ('responseType' in outcome) {
        gatewayError = outcome;
        response = this.gatewayResponse(state, outcome);
      } else {
        response = outcome;
      }
    } catch (error) {
      // Nothing a client sends may take the emulator down: an unexpected failure is a 500.
      gatewayError = {
        responseType: 'DEFAULT_5XX',
        message: 'Internal server error',
        statusWhenNotCustomized: 500,
      };
      response = this.safeGatewayResponse(state, gatewayError);
      console.error(`local API Gateway: request ${state.requestId} failed inside the emulator`, error);
    }
    response = this.withStandardHeaders(state, response);
    const latencyMillis = performance.now() - startedAt;
    const accessLogFormat = state.stage?.accessLog;
    this.writeAccessLog({
      apiName: this.api.name,
      requestId: state.requestId,
      requestTimeEpoch: state.requestTimeEpoch,
      httpMethod: state.httpMethod,
      path: state.fullPath,
      stage: state.stage?.name,
      resourcePath: state.method?.resource.path,
      status: response.statusCode,
      latencyMillis,
      integrationLatencyMillis: state.integrationLatencyMillis,
      integrationStatus: state.integrationStatus,
      cacheStatus: state.cacheStatus,
      apiKeyId: state.apiKey?.spec.id,
      errorType: gatewayError?.responseType,
      errorMessage: gatewayError?.message,
      ...(accessLogFormat
        ? {
            accessLog: {
              destinationArn: accessLogFormat.destinationArn,
              line: renderAccessLogLine(accessLogFormat.format, {
                ...this.accessLogValues(state),
                status: response.statusCode,
                responseLength: response.body.length,
                responseLatency: Math.round(latencyMillis),
                'error.message': gatewayError?.message,
                'error.responseType': gatewayError?.responseType,
              }),
            },
          }
        : {}),
    });
    return response;
  }

  /**
   * The request's `$context` values an access log line can name: the mapping templates' `$context`
   * (one source for both), plus the integration's (the answer's are added by the caller).
   */
  private accessLogValues(state: RequestState): AccessLogValues {
    const integrationLatency =
      state.integrationLatencyMillis === undefined ? undefined : Math.round(state.integrationLatencyMillis);
    return {
      ...flattenContext(this.requestContext(state)),
      'integration.latency': integrationLatency,
      'integration.status': state.integrationStatus,
      integrationLatency,
      integrationStatus: state.integrationStatus,
    };
  }

  private writeAccessLog(entry: AccessLogEntry): void {
    try {
      this.options.onAccessLog?.(entry);
    } catch (error) {
      // A failing log consumer must not turn an answered request into an error.
      console.error('local API Gateway: the access log callback failed', error);
    }
  }

  private initialState(request: EmulatedRequest): RequestState {
    const queryStart = request.url.indexOf('?');
    const fullPath = queryStart === -1 ? request.url : request.url.slice(0, queryStart);
    const query = queryStart === -1 ? [] : [...new URLSearchParams(request.url.slice(queryStart + 1))];
    const headerMap = new Map<string, string>();
    for (const [name, value] of request.headers) headerMap.set(name.toLowerCase(), value);
    return {
      requestId: randomUUID(),
      extendedRequestId: randomBytes(12).toString('base64'),
      requestTimeEpoch: this.clock(),
      httpMethod: request.method.toUpperCase(),
      fullPath,
      query,
      headers: request.headers,
      headerMap,
      body: request.body,
      sourceIp: (request.sourceIp ?? '127.0.0.1').replace(/^::ffff:/, ''),
      protocol: request.protocol ?? 'HTTP/1.1',
      // X-Ray's trace header format: Root=1-<epoch seconds, hex>-<96 random bits, hex>.
      traceId: `Root=1-${Math.floor(this.clock() / 1000).toString(16)}-${randomBytes(12).toString('hex')}`,
      localPort: /:(\d+)$/.exec(headerMap.get('host') ?? '')?.[1] ?? '443',
      pathParameters: {},
      backendCalled: false,
    };
  }

  /** The request pipeline, in API Gateway's order. Returns the answer or the gateway error. */
  private async process(state: RequestState, bodySize: number): Promise<RenderedResponse | GatewayError> {
    if (bodySize > (this.options.maxPayloadBytes ?? MAX_PAYLOAD_BYTES)) {
      return { responseType: 'REQUEST_TOO_LARGE', message: 'Request Too Long' };
    }
    if (!this.route(state) || !state.method || !state.stage) {
      // API Gateway answers an unknown route or method like a request without credentials.
      return { responseType: 'MISSING_AUTHENTICATION_TOKEN', message: 'Missing Authentication Token' };
    }
    const { method, stage } = state;

    const limited = this.checkKeyAndLimits(state, method, stage);
    if (limited) return limited;

    const invalid = this.validation.validate(method, {
      headers: state.headerMap,
      querystring: Object.fromEntries(state.query),
      path: state.pathParameters,
      contentType: contentTypeOf(state),
      body: state.body.toString('utf8'),
    });
    if (invalid) return invalid;

    const ttlSeconds = cacheTtlSecondsOf(stage, method);
    if (ttlSeconds === undefined) return this.integrate(state, method, stage);
    let cache = this.caches.get(stage.name);
    if (cache === undefined) this.caches.set(stage.name, (cache = new StageCacheStore(this.clock)));
    const key = cacheKeyOf(method, {
      pathParameters: state.pathParameters,
      headers: state.headerMap,
      query: state.query,
    });
    const cached = refreshesCache(state.headerMap) ? undefined : cache.get(key);
    if (cached !== undefined) {
      state.cacheStatus = 'hit';
      return withCacheStatus(cached, 'hit');
    }
    state.cacheStatus = 'miss';
    const answer = await this.integrate(state, method, stage);
    if ('responseType' in answer) return answer;
    cache.put(key, answer, ttlSeconds);
    return withCacheStatus(answer, 'miss');
  }

  /** Runs the method's integration. */
  private async integrate(
    state: RequestState,
    method: ApiMethod,
    stage: ApiStage,
  ): Promise<RenderedResponse | GatewayError> {
    const integration = method.integration;
    switch (integration.type) {
      case 'AWS_PROXY':
        return this.invokeProxy(state, method, stage, integration);
      case 'AWS':
      case 'MOCK':
        return this.runMappedIntegration(state, integration);
    }
  }

  /** Finds the stage, resource and method; false when there is none. */
  private route(state: RequestState): boolean {
    // API Gateway keeps the path as sent (percent-encoding, a trailing slash, inner double slashes),
    // but ignores slashes before the stage and right after it (recorded on AWS: issue 10's corpus).
    const afterLeadingSlashes = state.fullPath.replace(/^\/+/, '');
    const stageEnd = afterLeadingSlashes.indexOf('/');
    const stageName = safeDecode(
      stageEnd === -1 ? afterLeadingSlashes : afterLeadingSlashes.slice(0, stageEnd),
    );
    const stage = stageName === '' ? undefined : this.api.stages.get(stageName);
    if (!stage) return false;
    state.stage = stage;
    const rawRest = stageEnd === -1 ? '' : afterLeadingSlashes.slice(stageEnd).replace(/^\/+/, '');
    state.path = `/${rawRest}`;
    state.stagePath = `/${afterLeadingSlashes}`;
    const rest = rawRest.split('/').filter((segment) => segment !== '');
    const match = matchResource(this.api.root, rest, 0, {}, rawRest, state.httpMethod);
    if (!match) return false;
    state.method = match.method;
    state.pathParameters = match.parameters;
    return true;
  }

  /**
   * API key, then the usage plan's throttle and quota, then the stage's method throttle, then the
   * account's: the order API Gateway applies them ("How throttling limit settings are applied",
   * https://repost.aws/knowledge-center/api-gateway-429-limit).
   */
  private checkKeyAndLimits(
    state: RequestState,
    method: ApiMethod,
    stage: ApiStage,
  ): GatewayError | undefined {
    const methodKey = `${method.resource.path} ${method.httpMethod}`;
    if (method.apiKeyRequired) {
      const value = state.headerMap.get('x-api-key');
      const spec = value === undefined ? undefined : this.keysByValue.get(value);
      const plan = spec?.usagePlans.find((candidate) => candidate.stageNames.includes(stage.name));
      if (value === undefined || !spec || !spec.enabled || !plan) {
        return { responseType: 'INVALID_API_KEY', message: 'Forbidden' };
      }
      state.apiKey = { spec, value, plan };
      const planThrottle = plan.methodThrottles.get(`${stage.name} ${methodKey}`) ?? plan.throttle;
      const planBucketKey = plan.methodThrottles.has(`${stage.name} ${methodKey}`)
        ? `key ${spec.logicalId} ${plan.logicalId} ${stage.name} ${methodKey}`
        : `key ${spec.logicalId} ${plan.logicalId}`;
      if (planThrottle && !this.bucket(planBucketKey, planThrottle).tryTake()) {
        return { responseType: 'THROTTLED', message: 'Too Many Requests' };
      }
      if (plan.quota) {
        const quotaKey = `${spec.logicalId} ${plan.logicalId}`;
        let quota = this.quotas.get(quotaKey);
        if (!quota) {
          quota = new QuotaCounter(plan.quota, this.clock);
          this.quotas.set(quotaKey, quota);
        }
        if (!quota.tryConsume()) return { responseType: 'QUOTA_EXCEEDED', message: 'Limit Exceeded' };
      }
    }
    // The stage's default settings (`/*/*`) apply to each method separately, like an override does.
    const stageThrottle = stage.methodThrottles.get(methodKey) ?? stage.defaultThrottle;
    if (stageThrottle && !this.bucket(`stage ${stage.name} ${methodKey}`, stageThrottle).tryTake()) {
      return { responseType: 'THROTTLED', message: 'Too Many Requests' };
    }
    if (this.accountBucket && !this.accountBucket.tryTake()) {
      return { responseType: 'THROTTLED', message: 'Too Many Requests' };
    }
    return undefined;
  }

  private bucket(key: string, limits: ThrottleLimits): TokenBucket {
    let bucket = this.buckets.get(key);
    if (!bucket) {
      bucket = new TokenBucket(limits, this.clock);
      this.buckets.set(key, bucket);
    }
    return bucket;
  }

  private async invokeProxy(
    state: RequestState,
    method: ApiMethod,
    stage: ApiStage,
    integration: LambdaProxyIntegration,
  ): Promise<RenderedResponse | GatewayError> {
    const { functionLogicalId, qualifier, timeoutMillis } = integration;
    const event = buildProxyEvent({
      resourcePath: method.resource.path,
      path: state.path ?? '/',
      httpMethod: state.httpMethod,
      rawHeaders: proxyEventHeaders(
        state.headers,
        {
          host: state.headerMap.get('host') ?? '127.0.0.1',
          traceId: state.traceId,
          sourceIp: state.sourceIp,
          port: state.localPort,
          proto: 'http',
        },
        HEADERS_HIDDEN_FROM_INTEGRATIONS,
      ),
      query: state.query,
      pathParameters: state.pathParameters,
      stageVariables: this.stageVariables(stage.name),
      body: state.body,
      base64Body: this.isBinary(contentTypeOf(state)),
      requestContext: this.requestContext(state),
    });
    const result = await this.withIntegrationTimeout(state, timeoutMillis, () =>
      this.options.invokeFunction(functionLogicalId, event, qualifier),
    );
    if (result === TIMED_OUT)
      return { responseType: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' };
    const outcome =
      result instanceof Error
        ? ({ kind: 'function-error', message: result.message } as const)
        : readProxyResult(result.value, {
            decodeBase64: decodesBinaryFor(state.headerMap.get('accept'), this.api.binaryMediaTypes),
          });
    switch (outcome.kind) {
      case 'response':
        state.integrationStatus = outcome.statusCode;
        if (!outcome.headers['Content-Type'] && !hasHeader(outcome.headers, 'content-type')) {
          outcome.headers['Content-Type'] = ['application/json'];
        }
        return { statusCode: outcome.statusCode, headers: outcome.headers, body: outcome.body };
      case 'throttled':
        // API Gateway does not pass Lambda's 429 on: the client gets a 500 (knowledge center,
        // "API Gateway REST API 500 Internal server error", throttling section).
        state.integrationStatus = 429;
        return {
          responseType: 'DEFAULT_5XX',
          message: 'Internal server error',
          statusWhenNotCustomized: 500,
        };
      case 'undecodable':
        state.integrationStatus = 200;
        return {
          responseType: 'DEFAULT_5XX',
          message: 'Internal server error',
          statusWhenNotCustomized: 500,
        };
      case 'function-error':
      case 'malformed':
        state.integrationStatus = 200;
        // A failed function or a malformed answer is a 502 "Internal server error" in API Gateway.
        return {
          responseType: 'INTEGRATION_FAILURE',
          message: 'Internal server error',
          statusWhenNotCustomized: 502,
        };
    }
  }

  private async runMappedIntegration(
    state: RequestState,
    integration: SqsIntegration | MockIntegration,
  ): Promise<RenderedResponse | GatewayError> {
    const selected = selectRequestTemplate(integration, contentTypeOf(state));
    if (selected === 'unsupported') {
      return { responseType: 'UNSUPPORTED_MEDIA_TYPE', message: 'Unsupported Media Type' };
    }
    const variables = this.templateVariables(state);
    // What the request template sets in $context.responseOverride still applies to the answer.
    const responseOverride: ResponseOverride = { header: {} };
    const requestOverride: RequestOverride = { header: {}, path: {}, querystring: {} };
    const rendered =
      selected.template === undefined
        ? state.body.toString('utf8')
        : renderTemplate(selected.template, { ...variables, responseOverride, requestOverride });
    let answer: IntegrationAnswer;
    if (integration.type === 'MOCK') {
      answer = mockAnswer(selected.template === undefined ? undefined : rendered);
    } else {
      const { queue } = integration;
      const result = await this.withIntegrationTimeout(state, integration.timeoutMillis, () =>
        sendToSqs(queue, rendered, this.options.sendSqsMessage),
      );
      if (result === TIMED_OUT)
        return { responseType: 'INTEGRATION_TIMEOUT', message: 'Endpoint request timed out' };
      if (result instanceof Error) throw result;
      answer = result.value;
    }
    state.integrationStatus = answer.statusCode;
    const response = selectIntegrationResponse(integration.integrationResponses, answer.statusCode);
    if (!response) {
      // No integration response applies and there is no default one: API Gateway's configuration error.
      return { responseType: 'API_CONFIGURATION_ERROR', message: 'Internal server error' };
    }
    // The response template reads what the request template set in both overrides.
    return renderIntegrationResponse(response, answer, { ...variables, requestOverride }, responseOverride);
  }

  private async withIntegrationTimeout<T>(
    state: RequestState,
    integrationTimeoutMillis: number,
    call: () => Promise<T>,
  ): Promise<{ value: T } | Error | typeof TIMED_OUT> {
    const timeoutMillis = this.options.integrationTimeoutMillis ?? integrationTimeoutMillis;
    state.backendCalled = true;
    const startedAt = performance.now();
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<typeof TIMED_OUT>((resolveTimeout) => {
      timer = setTimeout(() => resolveTimeout(TIMED_OUT), timeoutMillis);
    });
    try {
      const settled = call().then(
        (value) => ({ value }),
        (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
      );
      return await Promise.race([settled, timedOut]);
    } finally {
      clearTimeout(timer);
      state.integrationLatencyMillis = performance.now() - startedAt;
    }
  }

  private templateVariables(state: RequestState): TemplateVariables {
    return {
      context: this.requestContext(state),
      input: templateInput(state),
      stageVariables: state.stage ? this.stageVariables(state.stage.name) : undefined,
    };
  }

  public stageVariables(stageName: string): Readonly<Record<string, string>> {
    const stage = this.api.stages.get(stageName);
    if (!stage) {
      throw new Error(`No stage ${stageName} (stages: ${[...this.api.stages.keys()].join(', ')})`);
    }
    return this.updatedVariables.get(stageName) ?? stage.variables;
  }

  public updateStageVariables(
    stageName: string,
    changes: Readonly<Record<string, string | undefined>>,
  ): void {
    const variables: Record<string, string> = { ...this.stageVariables(stageName) };
    for (const [name, value] of Object.entries(changes)) {
      if (value === undefined) delete variables[name];
      else variables[name] = value;
    }
    this.updatedVariables.set(stageName, variables);
  }

  /** `$context` of the templates and `requestContext` of a proxy event: one object, as on AWS. */
  private requestContext(state: RequestState): RequestContext {
    return requestContextOf({
      accountId: this.options.accountId,
      apiId: this.api.id,
      requestId: state.requestId,
      extendedRequestId: state.extendedRequestId,
      stage: state.stage?.name ?? '',
      resourceId: state.method?.resource.id ?? '',
      resourcePath: state.method?.resource.path ?? '',
      httpMethod: state.httpMethod,
      path: state.stagePath ?? state.fullPath,
      protocol: state.protocol,
      domainName: domainNameOf(state),
      deploymentId: state.stage?.deploymentId,
      requestTimeEpoch: state.requestTimeEpoch,
      sourceIp: state.sourceIp,
      userAgent: state.headerMap.get('user-agent') ?? null,
      apiKey: state.apiKey ? { value: state.apiKey.value, id: state.apiKey.spec.id } : undefined,
    });
  }

  private gatewayResponse(state: RequestState, error: GatewayError): RenderedResponse {
    return renderGatewayResponse(this.api.gatewayResponses, error, this.templateVariables(state));
  }

  /** A gateway response that cannot fail, for when the emulator itself failed. */
  private safeGatewayResponse(state: RequestState, error: GatewayError): RenderedResponse {
    try {
      return this.gatewayResponse(state, error);
    } catch {
      return {
        statusCode: 500,
        headers: { 'Content-Type': ['application/json'] },
        body: Buffer.from(JSON.stringify({ message: error.message })),
      };
    }
  }

  private withStandardHeaders(state: RequestState, response: RenderedResponse): RenderedResponse {
    const headers = { ...response.headers };
    headers['x-amzn-RequestId'] = [state.requestId];
    headers['x-amz-apigw-id'] = [state.extendedRequestId];
    // Only an answer from a backend (Lambda, an AWS service) carries the trace header; a MOCK
    // integration's answer and a gateway error raised before the call do not (recorded on AWS:
    // test/fidelity, mock-response-headers-no-trace-id).
    if (state.backendCalled) headers['X-Amzn-Trace-Id'] = [state.traceId];
    if (!hasHeader(headers, 'content-type')) headers['Content-Type'] = ['application/json'];
    return { ...response, headers };
  }

  private isBinary(contentType: string): boolean {
    return this.api.binaryMediaTypes.some((pattern) => {
      const type = pattern.replace(/~1/g, '/').toLowerCase();
      if (type === '*/*') return true;
      return type.endsWith('/*') ? contentType.startsWith(type.slice(0, -1)) : contentType === type;
    });
  }
}

const TIMED_OUT = Symbol('timed out');

/**
 * Matches path segments against the resource tree for a method: a literal path part wins over
 * `{param}`, which wins over a greedy `{param+}`, and a branch whose resource lacks the method gives
 * way to the next (recorded on AWS: test/fidelity, routing-greedy-proxy-with-hardcoded-sibling).
 */
function matchResource(
  node: ApiResource,
  segments: string[],
  index: number,
  parameters: Record<string, string>,
  /** The path after the stage as sent: a greedy parameter takes its rest, double slashes included. */
  rawPath: string,
  httpMethod: string,
): { resource: ApiResource; method: ApiMethod; parameters: Record<string, string> } | undefined {
  const methodOf = (resource: ApiResource): ApiMethod | undefined =>
    resource.methods.get(httpMethod) ?? resource.methods.get('ANY');
  if (index === segments.length) {
    const method = methodOf(node);
    return method && { resource: node, method, parameters };
  }
  const segment = segments[index];
  const literal = node.children.find((child) => child.pathPart === safeDecode(segment));
  const variable = node.children.filter((child) => /^\{[^}+]+\}$/.test(child.pathPart));
  const greedy = node.children.filter((child) => /^\{[^}]+\+\}$/.test(child.pathPart));
  if (literal) {
    const found = matchResource(literal, segments, index + 1, parameters, rawPath, httpMethod);
    if (found) return found;
  }
  for (const child of variable) {
    const name = child.pathPart.slice(1, -1);
    const found = matchResource(
      child,
      segments,
      index + 1,
      { ...parameters, [name]: segment },
      rawPath,
      httpMethod,
    );
    if (found) return found;
  }
  for (const child of greedy) {
    const method = methodOf(child);
    if (!method) continue;
    const name = child.pathPart.slice(1, -2);
    return { resource: child, method, parameters: { ...parameters, [name]: greedyRest(rawPath, index) } };
  }
  return undefined;
}

/** The host the request named, without its port: `$context.domainName`. */
function domainNameOf(state: RequestState): string {
  return (state.headerMap.get('host') ?? '127.0.0.1').replace(/:\d+$/, '');
}

function templateInput(state: RequestState): TemplateInput {
  return templateInputOf({
    phase: 'request',
    body: state.body.toString('utf8'),
    headers: state.headers,
    path: state.pathParameters,
    querystring: Object.fromEntries(state.query),
  });
}

/** The request's media type, lower case without parameters; API Gateway assumes JSON when absent. */
function contentTypeOf(state: RequestState): string {
  const header = state.headerMap.get('content-type');
  const mediaType = header?.split(';')[0].trim().toLowerCase();
  return mediaType ? mediaType : 'application/json';
}

function hasHeader(headers: Record<string, string[]>, name: string): boolean {
  return Object.keys(headers).some((key) => key.toLowerCase() === name);
}

/** The raw path from its `skip`-th non-empty segment on, without a trailing slash. */
function greedyRest(rawPath: string, skip: number): string {
  const parts = rawPath.replace(/\/+$/, '').split('/');
  let seen = 0;
  let start = 0;
  while (start < parts.length && (parts[start] === '' || seen < skip)) {
    if (parts[start] !== '') seen += 1;
    start += 1;
  }
  return parts.slice(start).join('/');
}

function safeDecode(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    return segment;
  }
}

/** A value shaped like API Gateway's generated keys: 40 letters and digits. */
export function generateApiKeyValue(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return [...randomBytes(40)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

async function serve(
  runtime: EmulatorRuntime,
  request: http.IncomingMessage,
  response: http.ServerResponse,
  maxPayloadBytes: number,
): Promise<void> {
  response.on('error', () => undefined);
  try {
    const { body, size } = await readBody(request, maxPayloadBytes);
    const headers: Array<[string, string]> = [];
    for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
      headers.push([request.rawHeaders[i], request.rawHeaders[i + 1]]);
    }
    const answer = await runtime.handle({
      method: request.method ?? 'GET',
      url: request.url ?? '/',
      headers,
      body,
      bodySize: size,
      sourceIp: request.socket.remoteAddress,
      protocol: `HTTP/${request.httpVersion}`,
    });
    response.writeHead(answer.statusCode, {
      ...answer.headers,
      'Content-Length': String(answer.body.length),
    });
    response.end(answer.body);
  } catch {
    // The client went away while sending; there is nobody to answer.
    if (!response.headersSent && !response.destroyed) response.writeHead(500);
    response.end();
  }
}

/** Reads a request body, storing at most one byte more than the limit (the rest is counted only). */
function readBody(request: http.IncomingMessage, maxBytes: number): Promise<{ body: Buffer; size: number }> {
  return new Promise((resolveBody, rejectBody) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      if (size <= maxBytes) chunks.push(chunk);
      size += chunk.length;
    });
    request.on('end', () => resolveBody({ body: Buffer.concat(chunks), size }));
    request.on('error', rejectBody);
  });
}

function listen(listener: http.RequestListener, port: number, host: string): Promise<RunningApiGateway> {
  const server = http.createServer(listener);
  return new Promise((resolveListen, rejectListen) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      rejectListen(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} on ${host} is already in use; choose another port for the local API Gateway`,
            )
          : error,
      );
    });
    server.listen(port, host, () => {
      const actualPort = (server.address() as AddressInfo).port;
      resolveListen({
        server,
        port: actualPort,
        url: `http://${host}:${actualPort}`,
        close: () =>
          new Promise<void>((resolveClose, rejectClose) => {
            server.close((error) => (error ? rejectClose(error) : resolveClose()));
            server.closeAllConnections();
          }),
      });
    });
  });
}
