import { Duration, Stack, type CfnElement } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as cognito from 'aws-cdk-lib/aws-cognito';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import {
  ResilientApi,
  type ResilientApiDerivedKey,
  type ResilientApiProps,
} from '../../../../lib/constructs/resilient-api';
import { createOrderRequestSchema, MAX_REQUEST_BODY_BYTES } from '../../../../lambdas/contract/order-schema';
import { testStack } from '../../../harness/app';
import { escapeRegExp, passThroughReadmeSection } from '../../../harness/pass-through';

function build(props: ResilientApiProps = {}) {
  const stack = testStack();
  const api = new ResilientApi(stack, 'Api', props);
  // A REST API needs at least one method to deploy.
  const orders = api.api.root.addResource('orders');
  orders.addMethod(
    'POST',
    new apigateway.MockIntegration(),
    api.validatedMethodOptions({
      bodyModel: api.addJsonModel('OrderModel', createOrderRequestSchema),
      requiredHeaders: ['Idempotency-Key'],
    }),
  );
  return { stack, api, template: Template.fromStack(stack) };
}

/** A certificate owned elsewhere, imported by ARN. */
function importedCertificate(stack: Stack): acm.ICertificate {
  return acm.Certificate.fromCertificateArn(stack, 'Cert', CERTIFICATE_ARN);
}

const CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:111111111111:certificate/abc';

describe('ResilientApi', () => {
  test('is a regional REST API', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ApiGateway::RestApi', {
      EndpointConfiguration: { Types: ['REGIONAL'] },
    });
  });

  test('throttles the stage, traces with X-Ray and writes structured JSON access logs', () => {
    // GIVEN / WHEN
    const { template } = build({ throttlingRateLimit: 40, throttlingBurstLimit: 80 });
    // THEN
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      StageName: 'prod',
      TracingEnabled: true,
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: '*',
          ResourcePath: '/*',
          ThrottlingRateLimit: 40,
          ThrottlingBurstLimit: 80,
          LoggingLevel: 'ERROR',
        }),
      ]),
      AccessLogSetting: {
        DestinationArn: Match.anyValue(),
        Format: Match.stringLikeRegexp('"requestId":"\\$context.requestId"'),
      },
    });
    const stage = Object.values(template.findResources('AWS::ApiGateway::Stage'))[0];
    expect(() => JSON.parse(stage.Properties.AccessLogSetting.Format)).not.toThrow();
  });

  test('applies per-method throttle overrides', () => {
    const { template } = build({ methodThrottling: { '/orders/POST': { rateLimit: 5, burstLimit: 10 } } });
    template.hasResourceProperties('AWS::ApiGateway::Stage', {
      MethodSettings: Match.arrayWith([
        Match.objectLike({
          HttpMethod: 'POST',
          ResourcePath: '/~1orders',
          ThrottlingRateLimit: 5,
          ThrottlingBurstLimit: 10,
        }),
      ]),
    });
  });

  test('creates a usage plan and API key per client tier', () => {
    const { template } = build({
      clientTiers: [
        { name: 'free', rateLimit: 5, burstLimit: 10, quotaLimit: 1000 },
        { name: 'partner', rateLimit: 50, burstLimit: 100 },
      ],
    });
    template.resourceCountIs('AWS::ApiGateway::UsagePlan', 2);
    template.resourceCountIs('AWS::ApiGateway::ApiKey', 2);
    template.resourceCountIs('AWS::ApiGateway::UsagePlanKey', 2);
    template.hasResourceProperties('AWS::ApiGateway::UsagePlan', {
      UsagePlanName: 'free',
      Throttle: { RateLimit: 5, BurstLimit: 10 },
      Quota: { Limit: 1000, Period: 'DAY' },
    });
    // No key value is ever written into the template: API Gateway generates it.
    for (const key of Object.values(template.findResources('AWS::ApiGateway::ApiKey'))) {
      expect(key.Properties.Value).toBeUndefined();
    }
  });

  test('validates body and headers against the shared JSON schema before the integration', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ApiGateway::RequestValidator', {
      ValidateRequestBody: true,
      ValidateRequestParameters: true,
    });
    template.hasResourceProperties('AWS::ApiGateway::Model', {
      ContentType: 'application/json',
      Schema: Match.objectLike({
        $schema: 'http://json-schema.org/draft-04/schema#',
        required: ['customerId', 'items'],
        additionalProperties: false,
      }),
    });
    template.hasResourceProperties('AWS::ApiGateway::Method', {
      HttpMethod: 'POST',
      ApiKeyRequired: true,
      RequestParameters: { 'method.request.header.Idempotency-Key': true },
      RequestValidatorId: Match.anyValue(),
    });
  });

  test.each([
    ['THROTTLED', '429', 'THROTTLED'],
    ['QUOTA_EXCEEDED', '429', 'QUOTA_EXCEEDED'],
    ['BAD_REQUEST_BODY', '400', 'VALIDATION_FAILED'],
    ['REQUEST_TOO_LARGE', '413', 'PAYLOAD_TOO_LARGE'],
    ['UNSUPPORTED_MEDIA_TYPE', '415', 'UNSUPPORTED_MEDIA_TYPE'],
    ['MISSING_AUTHENTICATION_TOKEN', '404', 'NOT_FOUND'],
    ['INVALID_API_KEY', '403', 'FORBIDDEN'],
    ['DEFAULT_5XX', '500', 'INTERNAL_ERROR'],
    ['INTEGRATION_TIMEOUT', '504', 'GATEWAY_TIMEOUT'],
  ])('renders gateway response %s as %s in the JSON error shape (%s)', (type, status, code) => {
    const { template } = build();
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: type,
      StatusCode: status,
      ResponseTemplates: {
        'application/json': Match.stringLikeRegexp(`^\\{"error":\\{"code":"${code}","message":`),
      },
    });
  });

  test('throttled and quota responses tell the client when to retry', () => {
    const { template } = build();
    template.hasResourceProperties('AWS::ApiGateway::GatewayResponse', {
      ResponseType: 'THROTTLED',
      ResponseParameters: { 'gatewayresponse.header.Retry-After': "'1'" },
    });
  });

  test("keeps the stage's execution logs a month (API Gateway creates their group without retention)", () => {
    // GIVEN the API (execution logs at ERROR)
    const { template } = build();
    const apiId = template.getResourceId('AWS::ApiGateway::RestApi', {});

    // THEN a log retention resource names the group API Gateway writes to, for this API and stage
    template.hasResourceProperties('Custom::LogRetention', {
      LogGroupName: { 'Fn::Join': ['', ['API-Gateway-Execution-Logs_', { Ref: apiId }, '/prod']] },
      RetentionInDays: 30,
    });
  });

  test('has no web ACL unless enabled; enabled, a rate rule and AWS managed rule groups', () => {
    build().template.resourceCountIs('AWS::WAFv2::WebACL', 0);
    const { template } = build({ webAclEnabled: true, webAclRateLimit: 500 });
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Scope: 'REGIONAL',
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'RateLimitPerIp',
          Statement: { RateBasedStatement: { Limit: 500, AggregateKeyType: 'IP' } },
        }),
        Match.objectLike({ Name: 'AWSManagedRulesCommonRuleSet' }),
      ]),
    });
    template.resourceCountIs('AWS::WAFv2::WebACLAssociation', 1);
  });

  test("lets orders up to the API's 16 KiB through the web ACL: the common rule set's 8 KB body rule only counts", () => {
    // GIVEN the web ACL (AWS's common rule set blocks bodies over 8 KB with SizeRestrictions_BODY)
    const { template } = build({ webAclEnabled: true });
    expect(MAX_REQUEST_BODY_BYTES).toBeGreaterThan(8 * 1024);

    // THEN that one rule is overridden to count; the API's own limit refuses larger bodies
    template.hasResourceProperties('AWS::WAFv2::WebACL', {
      Rules: Match.arrayWith([
        Match.objectLike({
          Name: 'AWSManagedRulesCommonRuleSet',
          OverrideAction: { None: {} },
          Statement: {
            ManagedRuleGroupStatement: {
              VendorName: 'AWS',
              Name: 'AWSManagedRulesCommonRuleSet',
              RuleActionOverrides: [{ Name: 'SizeRestrictions_BODY', ActionToUse: { Count: {} } }],
            },
          },
        }),
      ]),
    });
  });

  test('adds a regional custom domain when configured', () => {
    const stack = testStack();
    const certificate = importedCertificate(stack);
    const api = new ResilientApi(stack, 'Api', {
      customDomainName: 'api.example.com',
      customDomainCertificate: certificate,
    });
    api.api.root.addMethod('GET', new apigateway.MockIntegration());
    Template.fromStack(stack).hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      EndpointConfiguration: { Types: ['REGIONAL'] },
      SecurityPolicy: 'TLS_1_2',
    });
  });

  test('takes each tier key value from the secret by reference, never as a value', () => {
    // GIVEN a secret imported by name, as the multi variant does in every region
    const stack = testStack();
    const secret = secretsmanager.Secret.fromSecretNameV2(stack, 'Keys', 'orders/api-keys');
    // WHEN
    const api = new ResilientApi(stack, 'Api', {
      apiKeyValuesSecret: secret,
      clientTiers: [
        { name: 'free', rateLimit: 5, burstLimit: 10 },
        { name: 'partner', rateLimit: 50, burstLimit: 100 },
      ],
    });
    api.api.root.addMethod('GET', new apigateway.MockIntegration());
    // THEN each key's value is a dynamic reference to its tier's JSON field, by secret name
    const values = Object.values(Template.fromStack(stack).findResources('AWS::ApiGateway::ApiKey')).map(
      (key) => key.Properties.Value,
    );
    expect(values.sort()).toEqual([
      '{{resolve:secretsmanager:orders/api-keys:SecretString:free::}}',
      '{{resolve:secretsmanager:orders/api-keys:SecretString:partner::}}',
    ]);
  });

  test('addCustomDomain maps the stage at the root and exposes the domain', () => {
    const stack = testStack();
    const api = new ResilientApi(stack, 'Api');
    api.api.root.addMethod('GET', new apigateway.MockIntegration());
    const certificate = importedCertificate(stack);
    expect(api.domainName).toBeUndefined();
    const domain = api.addCustomDomain('api.example.com', certificate);
    expect(api.domainName).toBe(domain);
    const template = Template.fromStack(stack);
    template.hasResourceProperties('AWS::ApiGateway::DomainName', {
      DomainName: 'api.example.com',
      RegionalCertificateArn: CERTIFICATE_ARN,
    });
    template.hasResourceProperties('AWS::ApiGateway::BasePathMapping', {
      BasePath: Match.absent(),
      Stage: { Ref: Match.stringLikeRegexp('DeploymentStageprod') },
    });
  });

  test('fails if a second custom domain is added', () => {
    const stack = testStack();
    const certificate = importedCertificate(stack);
    const api = new ResilientApi(stack, 'Api', {
      customDomainName: 'api.example.com',
      customDomainCertificate: certificate,
    });
    expect(() => api.addCustomDomain('other.example.com', certificate)).toThrow(
      'The API already has the custom domain TestStack/Api/Api/CustomDomain (given another: other.example.com)',
    );
  });

  test('fails if a custom domain has no certificate', () => {
    expect(() => build({ customDomainName: 'api.example.com' })).toThrow(
      'customDomainCertificate is required with customDomainName (given api.example.com)',
    );
  });

  test('fails if the stage rate limit is not positive', () => {
    expect(() => build({ throttlingRateLimit: 0 })).toThrow(
      'Stage rate limit must be greater than 0 (given 0)',
    );
  });

  test('fails if two client tiers share a name', () => {
    const tier = { name: 'gold', rateLimit: 1, burstLimit: 1 };
    expect(() => build({ clientTiers: [tier, tier] })).toThrow(
      'Client tier names must be unique (given gold more than once)',
    );
  });

  test('fails if there are no client tiers', () => {
    expect(() => build({ clientTiers: [] })).toThrow('At least one client tier is required (given none)');
  });

  describe('authorizer', () => {
    const ISSUER = 'https://login.example.com/';

    function buildWithHealth(props: (stack: ReturnType<typeof testStack>) => ResilientApiProps) {
      const stack = testStack();
      const api = new ResilientApi(stack, 'Api', props(stack));
      api.api.root
        .addResource('orders')
        .addMethod('POST', new apigateway.MockIntegration(), api.validatedMethodOptions());
      api.addPublicMethod(
        api.api.root.addResource('health'),
        'GET',
        new apigateway.MockIntegration(),
        'health',
      );
      const template = Template.fromStack(stack);
      const methods = template.findResources('AWS::ApiGateway::Method');
      const byPath = (method: string) =>
        Object.values(methods).find((m) => m.Properties.HttpMethod === method)!.Properties;
      return { api, template, post: byPath('POST'), get: byPath('GET') };
    }

    test('has none by default: methods need an API key only', () => {
      const { api, template, post } = buildWithHealth(() => ({}));
      expect(api.authorizer).toBeUndefined();
      template.resourceCountIs('AWS::ApiGateway::Authorizer', 0);
      expect(post).toMatchObject({ ApiKeyRequired: true, AuthorizationType: 'NONE' });
    });

    test('with Cognito user pools, methods that require an API key also require a user pool token', () => {
      // GIVEN / WHEN
      const { api, template, post, get } = buildWithHealth((stack) => ({
        authorizerUserPools: [cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_abc123')],
      }));
      // THEN
      expect(api.authorizerFunction).toBeUndefined();
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'COGNITO_USER_POOLS',
        IdentitySource: 'method.request.header.Authorization',
        ProviderARNs: ['arn:aws:cognito-idp:us-east-1:111111111111:userpool/us-east-1_abc123'],
      });
      expect(post).toMatchObject({
        ApiKeyRequired: true,
        AuthorizationType: 'COGNITO_USER_POOLS',
      });
      expect(post.AuthorizerId).toEqual({ Ref: expect.stringMatching(/^ApiCognitoAuthorizer/) });
      // ...and a public method needs neither
      expect(get).toMatchObject({ ApiKeyRequired: false, AuthorizationType: 'NONE' });
      expect(get.AuthorizerId).toBeUndefined();
    });

    test('with an OIDC issuer, a token authorizer function verifies the JWT for every keyed method', () => {
      // GIVEN / WHEN
      const { api, template, post, get } = buildWithHealth(() => ({
        jwtIssuerUrl: ISSUER,
        jwtAudience: ['orders-api', 'admin-api'],
      }));
      // THEN the authorizer's function is the one that knows the issuer, the audiences and the derived JWKS URL
      const functionId = Stack.of(api).getLogicalId(
        api.authorizerFunction!.function.node.defaultChild as CfnElement,
      );
      expect(
        Object.keys(
          template.findResources('AWS::Lambda::Function', {
            Properties: { Description: `Verifies bearer JWTs of ${ISSUER} for API Gateway` },
          }),
        ),
      ).toEqual([functionId]);
      template.hasResourceProperties('AWS::Lambda::Function', {
        Description: `Verifies bearer JWTs of ${ISSUER} for API Gateway`,
        Environment: {
          Variables: Match.objectLike({
            JWT_ISSUER: ISSUER,
            JWT_AUDIENCE: 'orders-api,admin-api',
            JWT_JWKS_URI: 'https://login.example.com/.well-known/jwks.json',
          }),
        },
      });
      // ...a bearer token is required before the function runs, and results are not cached
      template.hasResourceProperties('AWS::ApiGateway::Authorizer', {
        Type: 'TOKEN',
        IdentitySource: 'method.request.header.Authorization',
        IdentityValidationExpression: Match.stringLikeRegexp('^\\^\\[Bb\\]earer '),
        AuthorizerResultTtlInSeconds: 0,
      });
      expect(post).toMatchObject({ ApiKeyRequired: true, AuthorizationType: 'CUSTOM' });
      expect(get).toMatchObject({ ApiKeyRequired: false, AuthorizationType: 'NONE' });
      template.hasResourceProperties('AWS::Lambda::Permission', {
        Principal: 'apigateway.amazonaws.com',
        Action: 'lambda:InvokeFunction',
        // API Gateway calls the live alias
        FunctionName: {
          Ref: Stack.of(api).getLogicalId(api.authorizerFunction!.alias.node.defaultChild as CfnElement),
        },
      });
    });

    test('uses the JWKS URL given instead of the derived one', () => {
      const { template } = buildWithHealth(() => ({
        jwtIssuerUrl: ISSUER,
        jwtAudience: ['orders-api'],
        jwtJwksUri: 'https://login.example.com/oauth2/v1/keys',
      }));
      template.hasResourceProperties('AWS::Lambda::Function', {
        Environment: {
          Variables: Match.objectLike({ JWT_JWKS_URI: 'https://login.example.com/oauth2/v1/keys' }),
        },
      });
    });

    test('fails if both kinds of authorizer are configured', () => {
      expect(() =>
        buildWithHealth((stack) => ({
          authorizerUserPools: [cognito.UserPool.fromUserPoolId(stack, 'Pool', 'us-east-1_abc123')],
          jwtIssuerUrl: ISSUER,
          jwtAudience: ['a'],
        })),
      ).toThrow(
        'Configure one authorizer, authorizerUserPools or jwtIssuerUrl (given both: 1 user pools and https://login.example.com/)',
      );
    });

    test('fails if the issuer is not an https URL', () => {
      expect(() => build({ jwtIssuerUrl: 'http://login.example.com', jwtAudience: ['a'] })).toThrow(
        'jwtIssuerUrl must be an https:// URL (given "http://login.example.com")',
      );
    });

    test('fails if the issuer has no audience', () => {
      expect(() => build({ jwtIssuerUrl: ISSUER })).toThrow(
        'jwtAudience needs at least one audience with jwtIssuerUrl (given none)',
      );
    });

    test('fails if an audience contains a comma', () => {
      expect(() => build({ jwtIssuerUrl: ISSUER, jwtAudience: ['a,b'] })).toThrow(
        'Each jwtAudience must be non-empty and contain no comma (given "a,b")',
      );
    });

    test('fails if an audience is given without an issuer', () => {
      expect(() => build({ jwtAudience: ['a'] })).toThrow(
        'jwtAudience and jwtJwksUri need jwtIssuerUrl (given no jwtIssuerUrl)',
      );
    });

    test('fails if the user pool list is empty', () => {
      expect(() => build({ authorizerUserPools: [] })).toThrow(
        'authorizerUserPools needs at least one user pool (given none)',
      );
    });
  });

  describe('pass-through restApiProps', () => {
    test('passes keys the construct does not derive through, and keeps the stage it configures', () => {
      // GIVEN / WHEN
      const { template } = build({
        throttlingRateLimit: 60,
        restApiProps: { description: 'Orders', binaryMediaTypes: ['application/octet-stream'] },
      });
      // THEN
      template.hasResourceProperties('AWS::ApiGateway::RestApi', {
        Description: 'Orders',
        BinaryMediaTypes: ['application/octet-stream'],
        EndpointConfiguration: { Types: ['REGIONAL'] },
      });
      template.hasResourceProperties('AWS::ApiGateway::Stage', {
        TracingEnabled: true,
        AccessLogSetting: Match.objectLike({ DestinationArn: Match.anyValue() }),
        MethodSettings: Match.arrayWith([Match.objectLike({ ThrottlingRateLimit: 60 })]),
      });
    });

    test('fails if restApiProps sets deployOptions, which would drop throttling, access logs and tracing', () => {
      // GIVEN / WHEN
      const create = () =>
        build({
          restApiProps: {
            // @ts-expect-error -- deployOptions is omitted from restApiProps: the construct sets the stage
            deployOptions: { stageName: 'v1' },
          },
        });
      // THEN
      expect(create).toThrow(
        'restApiProps.deployOptions would replace the stage settings (throttling, access logs, tracing, execution logs); set stageName, stageVariables, throttlingRateLimit, throttlingBurstLimit, methodThrottling, tracingEnabled, executionLogLevel or accessLogRetention on ResilientApiProps instead, or change ResilientApi.stage after construction (given restApiProps.deployOptions)',
      );
    });

    test('fails if restApiProps names deployOptions even as undefined, which spreading would erase', () => {
      // GIVEN / WHEN
      const create = () =>
        build({
          restApiProps: {
            // @ts-expect-error -- deployOptions is omitted from restApiProps
            deployOptions: undefined,
          },
        });
      // THEN
      expect(create).toThrow('(given restApiProps.deployOptions)');
    });

    const otherCertificate = importedCertificate(testStack());
    /** Every other refused key, with what its message says to use instead; the type makes it complete. */
    const otherDerivedKeys: Record<
      Exclude<ResilientApiDerivedKey, 'deployOptions'>,
      [ResilientApiProps['restApiProps'], string]
    > = {
      restApiName: [
        // @ts-expect-error -- restApiName is omitted from restApiProps: apiName sets it
        { restApiName: 'orders' },
        'set apiName on ResilientApiProps instead',
      ],
      deploy: [
        // @ts-expect-error -- deploy is omitted from restApiProps: the construct needs its stage
        { deploy: false },
        'remove it',
      ],
      endpointConfiguration: [
        // @ts-expect-error -- endpointConfiguration is omitted from restApiProps: the API is regional
        { endpointConfiguration: { types: [apigateway.EndpointType.EDGE] } },
        'remove it',
      ],
      endpointTypes: [
        // @ts-expect-error -- endpointTypes is omitted from restApiProps: the API is regional
        { endpointTypes: [apigateway.EndpointType.EDGE] },
        'remove it',
      ],
      domainName: [
        // @ts-expect-error -- domainName is omitted from restApiProps: customDomainName sets it
        { domainName: { domainName: 'api.example.com', certificate: otherCertificate } },
        'set customDomainName and customDomainCertificate on ResilientApiProps, or call addCustomDomain(), instead',
      ],
    };

    test.each(Object.entries(otherDerivedKeys))(
      'fails if restApiProps sets %s',
      (key, [restApiProps, instead]) => {
        // GIVEN / WHEN
        const create = () => build({ restApiProps });
        // THEN the message names the key, and what to use instead
        expect(create).toThrow(
          new RegExp(
            `^restApiProps\\.${key} .*; ${escapeRegExp(instead)} \\(given restApiProps\\.${key}\\)$`,
          ),
        );
      },
    );

    test('the README names every refused key', () => {
      // GIVEN
      const section = passThroughReadmeSection('resilient-api');
      // THEN
      for (const key of ['deployOptions', ...Object.keys(otherDerivedKeys)]) {
        expect(section).toContain(`\`${key}\``);
      }
    });
  });
});

describe('ResilientApi stage cache', () => {
  /** An API with GET /orders/{orderId} (its integration keyed as given) and GET /health. */
  function buildCached(
    cache: ResilientApiProps['cache'],
    keyOf: (api: ResilientApi) => string[] | undefined = (api) => api.cacheKeyParameters(['orderId']),
    extra: Partial<ResilientApiProps> = {},
  ) {
    const stack = testStack();
    const api = new ResilientApi(stack, 'Api', { cache, ...extra });
    const order = api.api.root.addResource('orders').addResource('{orderId}');
    order.addMethod(
      'GET',
      new apigateway.MockIntegration({ cacheKeyParameters: keyOf(api) }),
      api.cachedMethodOptions(['orderId']),
    );
    api.api.root.addResource('health').addMethod('GET', new apigateway.MockIntegration());
    return { stack, api, template: () => Template.fromStack(stack) };
  }

  const methods = { '/orders/{orderId}/GET': {} };

  test('caches only the listed methods: a 0.5 GB cluster, 60 s, encrypted; every other method (GET /health too) not', () => {
    // WHEN
    const stage = buildCached({ methods }).template().findResources('AWS::ApiGateway::Stage');
    const [properties] = Object.values(stage).map((resource) => resource.Properties);
    // THEN the cluster, and caching off for /*/* (API Gateway would otherwise cache every GET)
    expect(properties).toMatchObject({ CacheClusterEnabled: true, CacheClusterSize: '0.5' });
    expect(properties.MethodSettings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ ResourcePath: '/*', HttpMethod: '*', CachingEnabled: false }),
        expect.objectContaining({
          ResourcePath: '/~1orders~1{orderId}',
          HttpMethod: 'GET',
          CachingEnabled: true,
          CacheTtlInSeconds: 60,
          CacheDataEncrypted: true,
        }),
      ]),
    );
    expect(
      properties.MethodSettings.filter((setting: { CachingEnabled?: boolean }) => setting.CachingEnabled),
    ).toHaveLength(1);
  });

  test('keys the cache on the order and the caller: the API key header, declared as an optional method parameter', () => {
    const template = buildCached({ methods }).template();
    const [get] = Object.values(
      template.findResources('AWS::ApiGateway::Method', {
        Properties: { HttpMethod: 'GET', Integration: { CacheKeyParameters: Match.anyValue() } },
      }),
    ).map((resource) => resource.Properties);
    expect(get.Integration.CacheKeyParameters).toEqual([
      'method.request.path.orderId',
      'method.request.header.x-api-key',
    ]);
    expect(get.RequestParameters).toEqual({
      'method.request.path.orderId': true,
      'method.request.header.x-api-key': false,
    });
  });

  test('with a token authorizer, the Authorization header is in the key too', () => {
    const { api } = buildCached({ methods }, undefined, {
      jwtIssuerUrl: 'https://login.example.com',
      jwtAudience: ['orders-api'],
    });
    expect(api.cacheKeyParameters(['orderId'])).toEqual([
      'method.request.path.orderId',
      'method.request.header.x-api-key',
      'method.request.header.Authorization',
    ]);
  });

  test('takes the size and a TTL per method', () => {
    const stage = buildCached({
      size: '6.1',
      ttl: Duration.minutes(5),
      methods: { '/orders/{orderId}/GET': { ttl: Duration.seconds(30) } },
    })
      .template()
      .findResources('AWS::ApiGateway::Stage');
    const [properties] = Object.values(stage).map((resource) => resource.Properties);
    expect(properties.CacheClusterSize).toBe('6.1');
    expect(properties.MethodSettings).toEqual(
      expect.arrayContaining([expect.objectContaining({ HttpMethod: 'GET', CacheTtlInSeconds: 30 })]),
    );
  });

  test('fails at synth when a cached method does not key its cache on the caller', () => {
    // GIVEN an integration keyed on the order only: one owner's answer would go to another
    const { template } = buildCached({ methods }, () => ['method.request.path.orderId']);
    expect(template).toThrow(
      'The cached method /orders/{orderId}/GET does not key its cache on method.request.header.x-api-key',
    );
  });

  test('fails at synth when a cached method does not key its cache on a path parameter', () => {
    // GIVEN the caller but not the order in the key: every order of a caller would share one entry
    const { template } = buildCached({ methods }, (api) => api.cacheKeyParameters([]));
    expect(template).toThrow(
      'The cached method /orders/{orderId}/GET does not key its cache on method.request.path.orderId',
    );
  });

  test('fails at synth when a cached method does not exist', () => {
    const { template } = buildCached({ methods: { '/orders/GET': {} } });
    expect(template).toThrow('cache.methods names /orders/GET, which the API does not have');
  });

  test.each([
    [Duration.seconds(0), '0 seconds'],
    [Duration.hours(2), '7200 seconds'],
  ])('fails for a TTL of %s (API Gateway allows 1 s to 1 h)', (ttl, given) => {
    expect(() => buildCached({ ttl, methods })).toThrow(
      `TTL must be whole seconds from 1 to 3600 (given ${given})`,
    );
  });

  test('without a cache, no cluster and no caching settings', () => {
    const template = build().template;
    const [properties] = Object.values(template.findResources('AWS::ApiGateway::Stage')).map(
      (resource) => resource.Properties,
    );
    expect(properties.CacheClusterEnabled).toBeUndefined();
    expect(JSON.stringify(properties.MethodSettings)).not.toContain('Caching');
  });
});
