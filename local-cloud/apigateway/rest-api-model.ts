/**
 * Reads one REST API out of a synthesized template: its resource tree, methods and integrations,
 * stages and their throttles, usage plans, API keys, models, validators and gateway responses.
 * Everything the emulator does comes from here; nothing is described a second time by hand.
 */
import type { StackTemplate, TemplateResource } from '../assembly/cloud-assembly';
import type { ThrottleLimits, QuotaLimits, QuotaPeriod } from './token-bucket';
import { invokedFunctionIn } from '../lambda/qualifiers';
import { findGetAttTarget, isRecord, referencedLogicalId, type ResolveValue } from './template-references';

/** An integration response of an `AWS` or `MOCK` integration. */
export interface IntegrationResponseSpec {
  readonly statusCode: string;
  /** Regex matched against the integration's status code; undefined for the default response. */
  readonly selectionPattern?: string;
  readonly responseTemplates: Readonly<Record<string, string>>;
  /** `method.response.header.X` → `'literal'` or `integration.response.header.Y`. */
  readonly responseParameters: Readonly<Record<string, string>>;
}

/** How a request that no request template matches is handled. */
export type PassthroughBehavior = 'WHEN_NO_MATCH' | 'WHEN_NO_TEMPLATES' | 'NEVER';

/** A Lambda proxy integration. */
export interface LambdaProxyIntegration {
  readonly type: 'AWS_PROXY';
  /** The function the URI names, directly or through an alias or version. */
  readonly functionLogicalId: string;
  /** The alias or version the URI names (`live`), if it names one. */
  readonly qualifier?: string;
  readonly timeoutMillis: number;
}

/** An `AWS` integration with SQS (`SendMessage` through a request template). */
export interface SqsIntegration {
  readonly type: 'AWS';
  readonly service: 'sqs';
  /** The queue's logical id, or its name when the URI names a queue outside the template. */
  readonly queue: string;
  readonly requestTemplates: Readonly<Record<string, string>>;
  readonly passthroughBehavior: PassthroughBehavior;
  readonly integrationResponses: readonly IntegrationResponseSpec[];
  readonly timeoutMillis: number;
}

/** A `MOCK` integration: the request template's `statusCode` selects the integration response. */
export interface MockIntegration {
  readonly type: 'MOCK';
  readonly requestTemplates: Readonly<Record<string, string>>;
  readonly passthroughBehavior: PassthroughBehavior;
  readonly integrationResponses: readonly IntegrationResponseSpec[];
}

/** The integrations the emulator runs. */
export type ApiIntegration = LambdaProxyIntegration | SqsIntegration | MockIntegration;

/** A JSON schema model. */
export interface ApiModel {
  readonly logicalId: string;
  readonly name?: string;
  /**
   * Where other models' schemas find it (`$ref`):
   * `https://apigateway.amazonaws.com/restapis/{restApiId}/models/{name}`.
   */
  readonly url: string;
  readonly contentType: string;
  readonly schema: Record<string, unknown>;
}

/** A method of a resource. */
export interface ApiMethod {
  readonly logicalId: string;
  /** Upper-case HTTP method, or `ANY`. */
  readonly httpMethod: string;
  readonly resource: ApiResource;
  readonly apiKeyRequired: boolean;
  /** `method.request.(header|querystring|path).X` → whether it is required. */
  readonly requestParameters: Readonly<Record<string, boolean>>;
  /** Content type → model. */
  readonly requestModels: ReadonlyMap<string, ApiModel>;
  readonly validateRequestBody: boolean;
  readonly validateRequestParameters: boolean;
  readonly integration: ApiIntegration;
  /**
   * What keys the stage cache's entries of this method: the integration's `CacheNamespace` (the
   * resource's id by default) and its `CacheKeyParameters` (`method.request.path.orderId`, …),
   * nothing else: two requests that differ only elsewhere share an entry, as on AWS.
   */
  readonly cacheKey: { readonly namespace: string; readonly parameters: readonly string[] };
}

/** A node of the resource tree. */
export interface ApiResource {
  /** Logical id of the resource; the RestApi's logical id for the root. */
  readonly logicalId: string;
  /** Physical id (`$context.resourceId`). */
  readonly id: string;
  readonly pathPart: string;
  /** Full path, e.g. `/orders/{orderId}`. */
  readonly path: string;
  readonly children: ApiResource[];
  readonly methods: Map<string, ApiMethod>;
}

/** A deployed stage. */
export interface ApiStage {
  readonly logicalId: string;
  readonly name: string;
  /** The stage's default method throttle (`/*` + `*`). */
  readonly defaultThrottle?: ThrottleLimits;
  /** Per-method throttles, keyed `<resource path> <METHOD>` (e.g. `/orders POST`). */
  readonly methodThrottles: ReadonlyMap<string, ThrottleLimits>;
  readonly variables: Readonly<Record<string, string>>;
  /** Where and in which format the stage writes its access log, when it has one. */
  readonly accessLog?: { readonly destinationArn: string; readonly format: string };
  /** The id of the stage's deployment (`$context.deploymentId`). */
  readonly deploymentId: string;
  /** The stage's cache cluster, when it has one. */
  readonly cache?: StageCache;
}

/** A stage's cache cluster: its size (listed, not enforced locally) and which methods it serves. */
export interface StageCache {
  /** Size in GB, as CloudFormation names it (`0.5`). */
  readonly size: string;
  /** The TTL in seconds of each cached method, keyed `<resource path> <METHOD>`. */
  readonly methodTtls: ReadonlyMap<string, number>;
  /** Methods whose own setting turns caching off, keyed as `methodTtls`. */
  readonly disabledMethods?: ReadonlySet<string>;
  /** Whether a method without a setting of its own is cached (`/*` `*`), and for how long. */
  readonly defaultCaching?: { readonly ttlSeconds: number; readonly getOnly: boolean };
}

/** How long a stage caches a method's answers, in seconds; undefined when it does not cache them. */
export function cacheTtlSecondsOf(stage: ApiStage, method: ApiMethod): number | undefined {
  const cache = stage.cache;
  if (cache === undefined) return undefined;
  const key = `${method.resource.path} ${method.httpMethod}`;
  const own = cache.methodTtls.get(key);
  if (own !== undefined) return own;
  if (cache.disabledMethods?.has(key) || cache.defaultCaching === undefined) return undefined;
  if (cache.defaultCaching.getOnly && method.httpMethod !== 'GET') return undefined;
  return cache.defaultCaching.ttlSeconds;
}

/** API Gateway's cache TTL when a method setting names none. */
export const DEFAULT_CACHE_TTL_SECONDS = 300;

/** A usage plan that covers a stage of this API. */
export interface ApiUsagePlan {
  readonly logicalId: string;
  readonly name?: string;
  readonly stageNames: readonly string[];
  readonly throttle?: ThrottleLimits;
  /** Per-method throttles of the plan, keyed `<stage> <resource path> <METHOD>`. */
  readonly methodThrottles: ReadonlyMap<string, ThrottleLimits>;
  readonly quota?: QuotaLimits;
}

/** An API key and the usage plans it is attached to. */
export interface ApiKeySpec {
  readonly logicalId: string;
  readonly id: string;
  readonly enabled: boolean;
  /** The value from the template, when it sets one (API Gateway generates it otherwise). */
  readonly value?: string;
  readonly usagePlans: readonly ApiUsagePlan[];
}

/** A customized gateway response. */
export interface GatewayResponseSpec {
  readonly statusCode?: string;
  readonly responseTemplates: Readonly<Record<string, string>>;
  /** `gatewayresponse.header.X` → `'literal'` or `method.request.header.Y`. */
  readonly responseParameters: Readonly<Record<string, string>>;
}

/** The API Gateway resource types the emulator reads and serves. */
export const EMULATED_RESOURCE_TYPES = [
  'AWS::ApiGateway::RestApi',
  'AWS::ApiGateway::Resource',
  'AWS::ApiGateway::Method',
  'AWS::ApiGateway::Model',
  'AWS::ApiGateway::RequestValidator',
  'AWS::ApiGateway::Stage',
  'AWS::ApiGateway::Deployment',
  'AWS::ApiGateway::UsagePlan',
  'AWS::ApiGateway::UsagePlanKey',
  'AWS::ApiGateway::ApiKey',
  'AWS::ApiGateway::GatewayResponse',
] as const;

/** One REST API of a template. */
export interface RestApiModel {
  readonly logicalId: string;
  readonly id: string;
  /** The API's name (`ApiName` of its CloudWatch metrics). */
  readonly name: string;
  readonly root: ApiResource;
  readonly stages: ReadonlyMap<string, ApiStage>;
  readonly apiKeys: readonly ApiKeySpec[];
  readonly gatewayResponses: ReadonlyMap<string, GatewayResponseSpec>;
  readonly binaryMediaTypes: readonly string[];
  readonly models: readonly ApiModel[];
  /** What the template asks for that the emulator does not do, one line each (e.g. authorizers). */
  readonly notEmulated: readonly string[];
}

/** API Gateway's maximum integration timeout for REST APIs, the default. */
export const DEFAULT_INTEGRATION_TIMEOUT_MILLIS = 29_000;

/**
 * Reads a REST API from a template. Throws on what the emulator cannot run (an unknown integration
 * type), naming the method, so nothing is silently dropped.
 */
export function readRestApi(
  template: StackTemplate,
  resolve: ResolveValue,
  restApiLogicalId?: string,
): RestApiModel {
  const resources = template.Resources;
  const ofType = (type: string): Array<[string, TemplateResource]> =>
    Object.entries(resources).filter(([, resource]) => resource.Type === type);
  const restApis = ofType('AWS::ApiGateway::RestApi');
  const apiLogicalId = restApiLogicalId ?? singleRestApi(restApis.map(([id]) => id));
  if (!resources[apiLogicalId] || resources[apiLogicalId].Type !== 'AWS::ApiGateway::RestApi') {
    throw new Error(`${apiLogicalId} is not an AWS::ApiGateway::RestApi of the template`);
  }
  const apiProperties = resources[apiLogicalId].Properties ?? {};
  const belongsToApi = ([, resource]: [string, TemplateResource]): boolean =>
    referencedLogicalId(resource.Properties?.RestApiId) === apiLogicalId;
  const text = (value: unknown): string => String(resolve(value));

  const restApiId = text({ Ref: apiLogicalId });
  const models = new Map<string, ApiModel>();
  for (const [logicalId, resource] of ofType('AWS::ApiGateway::Model').filter(belongsToApi)) {
    const properties = resource.Properties ?? {};
    const name = properties.Name === undefined ? undefined : text(properties.Name);
    models.set(logicalId, {
      logicalId,
      name,
      url: `https://apigateway.amazonaws.com/restapis/${restApiId}/models/${name ?? text({ Ref: logicalId })}`,
      contentType: properties.ContentType === undefined ? 'application/json' : text(properties.ContentType),
      schema: (resolve(properties.Schema) as Record<string, unknown> | undefined) ?? {},
    });
  }
  const modelOf = (value: unknown): ApiModel | undefined => {
    const logicalId = referencedLogicalId(value);
    if (logicalId) return models.get(logicalId);
    const name = text(value);
    // `Empty` is API Gateway's built-in model that accepts anything.
    return [...models.values()].find((model) => model.name === name);
  };

  const root: ApiResource = {
    logicalId: apiLogicalId,
    id: text({ 'Fn::GetAtt': [apiLogicalId, 'RootResourceId'] }),
    pathPart: '',
    path: '/',
    children: [],
    methods: new Map(),
  };
  const resourceNodes = new Map<string, ApiResource>([[apiLogicalId, root]]);
  const apiResources = ofType('AWS::ApiGateway::Resource').filter(belongsToApi);
  const nodeOf = (logicalId: string, seen: Set<string> = new Set()): ApiResource => {
    const existing = resourceNodes.get(logicalId);
    if (existing) return existing;
    const resource = resources[logicalId];
    if (resource?.Type !== 'AWS::ApiGateway::Resource' || seen.has(logicalId)) {
      throw new Error(`API Gateway resource ${logicalId} is missing or part of a cycle`);
    }
    seen.add(logicalId);
    const properties = resource.Properties ?? {};
    const parentId = referencedLogicalId(properties.ParentId);
    if (!parentId) throw new Error(`API Gateway resource ${logicalId} has no parent reference`);
    const parent = nodeOf(parentId, seen);
    const pathPart = text(properties.PathPart);
    const node: ApiResource = {
      logicalId,
      id: text({ Ref: logicalId }),
      pathPart,
      path: parent.path === '/' ? `/${pathPart}` : `${parent.path}/${pathPart}`,
      children: [],
      methods: new Map(),
    };
    parent.children.push(node);
    resourceNodes.set(logicalId, node);
    return node;
  };
  for (const [logicalId] of apiResources) nodeOf(logicalId);

  const validators = new Map(
    ofType('AWS::ApiGateway::RequestValidator')
      .filter(belongsToApi)
      .map(([logicalId, resource]) => [
        logicalId,
        {
          body: resolve(resource.Properties?.ValidateRequestBody) === true,
          parameters: resolve(resource.Properties?.ValidateRequestParameters) === true,
        },
      ]),
  );

  const notEmulated: string[] = [];
  for (const [logicalId, resource] of ofType('AWS::ApiGateway::Method').filter(belongsToApi)) {
    const properties = resource.Properties ?? {};
    const resourceId = referencedLogicalId(properties.ResourceId);
    if (!resourceId) throw new Error(`Method ${logicalId} has no resource reference`);
    const node = nodeOf(resourceId);
    const httpMethod = text(properties.HttpMethod).toUpperCase();
    const authorization =
      properties.AuthorizationType === undefined ? 'NONE' : text(properties.AuthorizationType);
    if (authorization !== 'NONE') {
      notEmulated.push(
        `${httpMethod} ${node.path}: authorization ${authorization} (requests are not authorized locally)`,
      );
    }
    const validatorId = referencedLogicalId(properties.RequestValidatorId);
    const validator = validatorId ? validators.get(validatorId) : undefined;
    const requestModels = new Map<string, ApiModel>();
    for (const [contentType, model] of Object.entries(recordOf(properties.RequestModels))) {
      const found = modelOf(model);
      if (found) requestModels.set(contentType.toLowerCase(), found);
    }
    const requestParameters = Object.fromEntries(
      Object.entries(recordOf(resolve(properties.RequestParameters))).map(([name, required]) => [
        name,
        required === true,
      ]),
    );
    node.methods.set(httpMethod, {
      logicalId,
      httpMethod,
      resource: node,
      apiKeyRequired: resolve(properties.ApiKeyRequired) === true,
      requestParameters,
      requestModels,
      validateRequestBody: validator?.body ?? false,
      validateRequestParameters: validator?.parameters ?? false,
      cacheKey: readCacheKey(properties.Integration, node, `${httpMethod} ${node.path}`, resolve),
      integration: readIntegration(
        template,
        logicalId,
        `${httpMethod} ${node.path}`,
        properties.Integration,
        resolve,
      ),
    });
  }

  const stages = new Map<string, ApiStage>();
  for (const [logicalId, resource] of ofType('AWS::ApiGateway::Stage').filter(belongsToApi)) {
    const stage = readStage(logicalId, resource, resolve, notEmulated);
    stages.set(stage.name, stage);
  }

  const usagePlans = new Map<string, ApiUsagePlan>();
  for (const [logicalId, resource] of ofType('AWS::ApiGateway::UsagePlan')) {
    const properties = resource.Properties ?? {};
    const apiStages = arrayOf(properties.ApiStages).filter(
      (apiStage) => isRecord(apiStage) && resolve(apiStage.ApiId) === restApiId,
    ) as Array<Record<string, unknown>>;
    if (apiStages.length === 0) continue;
    const methodThrottles = new Map<string, ThrottleLimits>();
    for (const apiStage of apiStages) {
      for (const [methodPath, throttle] of Object.entries(recordOf(resolve(apiStage.Throttle)))) {
        const limits = throttleOf(throttle);
        const parsed = /^(.*)\/([A-Z*]+)$/.exec(methodPath);
        if (limits && parsed)
          methodThrottles.set(`${text(apiStage.Stage)} ${parsed[1]} ${parsed[2]}`, limits);
      }
    }
    const quota = recordOf(resolve(properties.Quota));
    usagePlans.set(logicalId, {
      logicalId,
      name: properties.UsagePlanName === undefined ? undefined : text(properties.UsagePlanName),
      stageNames: apiStages.map((apiStage) => text(apiStage.Stage)),
      throttle: throttleOf(resolve(properties.Throttle)),
      methodThrottles,
      quota:
        typeof quota.Limit === 'number'
          ? {
              limit: quota.Limit,
              period: (quota.Period ?? 'DAY') as QuotaPeriod,
              offset: typeof quota.Offset === 'number' ? quota.Offset : undefined,
            }
          : undefined,
    });
  }

  const plansOfKey = new Map<string, ApiUsagePlan[]>();
  for (const [, resource] of ofType('AWS::ApiGateway::UsagePlanKey')) {
    const keyId = referencedLogicalId(resource.Properties?.KeyId);
    const plan = usagePlans.get(referencedLogicalId(resource.Properties?.UsagePlanId) ?? '');
    if (keyId && plan) plansOfKey.set(keyId, [...(plansOfKey.get(keyId) ?? []), plan]);
  }
  const apiKeys: ApiKeySpec[] = ofType('AWS::ApiGateway::ApiKey')
    .filter(([logicalId]) => plansOfKey.has(logicalId))
    .map(([logicalId, resource]) => ({
      logicalId,
      id: text({ Ref: logicalId }),
      enabled: resolve(resource.Properties?.Enabled) !== false,
      value: resource.Properties?.Value === undefined ? undefined : text(resource.Properties.Value),
      usagePlans: plansOfKey.get(logicalId) ?? [],
    }));

  const gatewayResponses = new Map<string, GatewayResponseSpec>();
  for (const [, resource] of ofType('AWS::ApiGateway::GatewayResponse').filter(belongsToApi)) {
    const properties = resource.Properties ?? {};
    gatewayResponses.set(text(properties.ResponseType), {
      statusCode: properties.StatusCode === undefined ? undefined : text(properties.StatusCode),
      responseTemplates: stringRecord(resolve(properties.ResponseTemplates)),
      responseParameters: stringRecord(resolve(properties.ResponseParameters)),
    });
  }

  return {
    logicalId: apiLogicalId,
    id: restApiId,
    name: apiProperties.Name === undefined ? apiLogicalId : text(apiProperties.Name),
    root,
    stages,
    apiKeys,
    gatewayResponses,
    binaryMediaTypes: arrayOf(resolve(apiProperties.BinaryMediaTypes)).map(String),
    models: [...models.values()],
    notEmulated,
  };
}

function singleRestApi(logicalIds: string[]): string {
  if (logicalIds.length === 1) return logicalIds[0];
  throw new Error(
    `Expected one AWS::ApiGateway::RestApi in the template, found ${logicalIds.length}` +
      (logicalIds.length > 1 ? ` (${logicalIds.join(', ')}); pass restApiLogicalId` : ''),
  );
}

function readIntegration(
  template: StackTemplate,
  methodLogicalId: string,
  route: string,
  integration: unknown,
  resolve: ResolveValue,
): ApiIntegration {
  const properties = recordOf(integration);
  const type = String(resolve(properties.Type));
  const timeoutMillis =
    typeof properties.TimeoutInMillis === 'number'
      ? properties.TimeoutInMillis
      : DEFAULT_INTEGRATION_TIMEOUT_MILLIS;
  const uri = resolve(properties.Uri);
  const uriText = typeof uri === 'string' ? uri : '';
  const mapped = {
    requestTemplates: stringRecord(resolve(properties.RequestTemplates)),
    passthroughBehavior: String(
      resolve(properties.PassthroughBehavior ?? 'WHEN_NO_MATCH'),
    ) as PassthroughBehavior,
    integrationResponses: arrayOf(resolve(properties.IntegrationResponses)).map((response) => {
      const fields = recordOf(response);
      return {
        statusCode: String(fields.StatusCode),
        selectionPattern:
          typeof fields.SelectionPattern === 'string' && fields.SelectionPattern !== ''
            ? fields.SelectionPattern
            : undefined,
        responseTemplates: stringRecord(fields.ResponseTemplates),
        responseParameters: stringRecord(fields.ResponseParameters),
      };
    }),
  };
  if (type === 'AWS_PROXY' && /:lambda:path\//.test(uriText)) {
    const invoked = invokedFunctionIn(template, properties.Uri);
    if (!invoked) {
      throw new Error(
        `${route} (${methodLogicalId}): the Lambda proxy integration names no function of the template`,
      );
    }
    return { type, ...invoked, timeoutMillis };
  }
  if (type === 'AWS' && /:sqs:path\//.test(uriText)) {
    const queue =
      findGetAttTarget(properties.Uri, 'QueueName') ?? uriText.slice(uriText.lastIndexOf('/') + 1);
    return { type, service: 'sqs', queue, timeoutMillis, ...mapped };
  }
  if (type === 'MOCK') return { type, ...mapped };
  throw new Error(
    `${route} (${methodLogicalId}): integration type ${type} with URI ${uriText || '(none)'} is not emulated ` +
      '(the local API Gateway runs AWS_PROXY to Lambda, AWS to SQS and MOCK)',
  );
}

function readStage(
  logicalId: string,
  resource: TemplateResource,
  resolve: ResolveValue,
  notEmulated: string[],
): ApiStage {
  const properties = resource.Properties ?? {};
  let defaultThrottle: ThrottleLimits | undefined;
  const overrides: Array<[string, Partial<ThrottleLimits>]> = [];
  for (const setting of arrayOf(resolve(properties.MethodSettings))) {
    const fields = recordOf(setting);
    const limits = {
      rateLimit: typeof fields.ThrottlingRateLimit === 'number' ? fields.ThrottlingRateLimit : undefined,
      burstLimit: typeof fields.ThrottlingBurstLimit === 'number' ? fields.ThrottlingBurstLimit : undefined,
    };
    if (limits.rateLimit === undefined && limits.burstLimit === undefined) continue;
    const resourcePath = typeof fields.ResourcePath === 'string' ? fields.ResourcePath : '/*';
    const httpMethod = typeof fields.HttpMethod === 'string' ? fields.HttpMethod : '*';
    if (resourcePath === '/*' && httpMethod === '*') {
      defaultThrottle = { rateLimit: limits.rateLimit ?? 10_000, burstLimit: limits.burstLimit ?? 5_000 };
    } else {
      // MethodSettings escape the path's slashes as JSON pointers do: `/~1orders` is `/orders`.
      const path = resourcePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~');
      overrides.push([`${path} ${httpMethod.toUpperCase()}`, limits]);
    }
  }
  const methodThrottles = new Map<string, ThrottleLimits>(
    overrides.map(([key, limits]) => [
      key,
      {
        rateLimit: limits.rateLimit ?? defaultThrottle?.rateLimit ?? 10_000,
        burstLimit: limits.burstLimit ?? defaultThrottle?.burstLimit ?? 5_000,
      },
    ]),
  );
  const cache = readStageCache(properties, resolve);
  const accessLogSetting = recordOf(properties.AccessLogSetting);
  let accessLog: ApiStage['accessLog'];
  if (accessLogSetting.DestinationArn !== undefined && typeof accessLogSetting.Format === 'string') {
    try {
      accessLog = {
        destinationArn: String(resolve(accessLogSetting.DestinationArn)),
        format: accessLogSetting.Format,
      };
    } catch (error) {
      // A resolver that knows no log groups (the emulator on its own): no access log, no metric filters.
      notEmulated.push(`Stage ${logicalId}: access log (${(error as Error).message})`);
    }
  }
  return {
    logicalId,
    name: String(resolve(properties.StageName)),
    deploymentId:
      properties.DeploymentId === undefined ? logicalId : String(resolve(properties.DeploymentId)),
    defaultThrottle,
    methodThrottles,
    variables: stringRecord(resolve(properties.Variables)),
    ...(accessLog ? { accessLog } : {}),
    ...(cache ? { cache } : {}),
  };
}

/**
 * The cache key of a method. A key parameter the emulator cannot read from a request (another
 * location, a path parameter the resource does not have) is an error: read as missing, it would
 * make every request share one entry.
 */
function readCacheKey(
  integration: unknown,
  resource: { readonly id: string; readonly path: string },
  route: string,
  resolve: ResolveValue,
): ApiMethod['cacheKey'] {
  const fields = recordOf(integration);
  const namespace =
    fields.CacheNamespace === undefined ? resource.id : String(resolve(fields.CacheNamespace));
  const parameters = arrayOf(resolve(fields.CacheKeyParameters)).map(String);
  for (const parameter of parameters) {
    const match = /^method\.request\.(path|header|querystring)\.(.+)$/.exec(parameter);
    if (!match || (match[1] === 'path' && !resource.path.includes(`{${match[2]}}`))) {
      throw new Error(
        `${route}: the cache key parameter ${parameter} is not one the local API Gateway can read (method.request.path.<a parameter of the path>, .header.<name> or .querystring.<name>)`,
      );
    }
  }
  return { namespace, parameters };
}

/**
 * The stage's cache: the cluster and the methods whose settings turn caching on. A `/*` `*` setting
 * with `CachingEnabled` covers the GET methods only (AWS: "only GET methods have caching enabled by
 * default"; another method is cached by its own setting). Without any setting that turns caching on,
 * nothing is cached: CloudFormation users report no caching until a method setting enables it (not
 * verified against a recording). A TTL of 0 turns caching off, as on AWS.
 */
function readStageCache(properties: Record<string, unknown>, resolve: ResolveValue): StageCache | undefined {
  if (resolve(properties.CacheClusterEnabled) !== true) return undefined;
  const methodTtls = new Map<string, number>();
  let defaultCaching: StageCache['defaultCaching'];
  const disabled = new Set<string>();
  for (const setting of arrayOf(resolve(properties.MethodSettings))) {
    const fields = recordOf(setting);
    if (typeof fields.CachingEnabled !== 'boolean') continue;
    const ttlSeconds =
      typeof fields.CacheTtlInSeconds === 'number' ? fields.CacheTtlInSeconds : DEFAULT_CACHE_TTL_SECONDS;
    const enabled = fields.CachingEnabled && ttlSeconds > 0;
    const resourcePath = typeof fields.ResourcePath === 'string' ? fields.ResourcePath : '/*';
    const httpMethod = typeof fields.HttpMethod === 'string' ? fields.HttpMethod.toUpperCase() : '*';
    if (resourcePath === '/*' && httpMethod === '*') {
      defaultCaching = enabled ? { ttlSeconds, getOnly: true } : undefined;
      continue;
    }
    const key = `${resourcePath.slice(1).replace(/~1/g, '/').replace(/~0/g, '~')} ${httpMethod}`;
    if (enabled) methodTtls.set(key, ttlSeconds);
    else disabled.add(key);
  }
  return {
    size: String(resolve(properties.CacheClusterSize ?? '0.5')),
    methodTtls,
    ...(defaultCaching ? { defaultCaching } : {}),
    ...(disabled.size > 0 ? { disabledMethods: disabled } : {}),
  };
}

function throttleOf(value: unknown): ThrottleLimits | undefined {
  const fields = recordOf(value);
  if (typeof fields.RateLimit !== 'number' && typeof fields.BurstLimit !== 'number') return undefined;
  return {
    rateLimit: typeof fields.RateLimit === 'number' ? fields.RateLimit : 10_000,
    burstLimit: typeof fields.BurstLimit === 'number' ? fields.BurstLimit : 5_000,
  };
}

function recordOf(value: unknown): Record<string, unknown> {
  return isRecord(value) ? value : {};
}

function arrayOf(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

function stringRecord(value: unknown): Record<string, string> {
  return Object.fromEntries(Object.entries(recordOf(value)).map(([key, item]) => [key, String(item)]));
}
