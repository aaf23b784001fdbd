import { CfnWaitConditionHandle, Stack, Validations, type App } from 'aws-cdk-lib';
import { AwsSolutionsChecks, ServerlessChecks } from 'cdk-nag';
import { CognitoUserPoolsAuthorizer, MockIntegration, TokenAuthorizer } from 'aws-cdk-lib/aws-apigateway';
import { UserPool } from 'aws-cdk-lib/aws-cognito';
import { DEFAULT_CAPACITY, resolveAppConfig } from '../../lib/config';
import { ResilientApi } from '../../lib/constructs/resilient-api';
import { OrderApiStack, addVariantStacks } from '../../lib/stacks';
import { testApp } from '../harness/app';
import { TEST_ACCOUNT } from '../harness/local-aws';

/** Both rule packs, registered on `app` before its first synthesis (which caches the assembly). */
function withNagPacks(app: App): [AwsSolutionsChecks, ServerlessChecks] {
  const packs: [AwsSolutionsChecks, ServerlessChecks] = [
    new AwsSolutionsChecks(app),
    new ServerlessChecks(app),
  ];
  Validations.of(app).addPlugins(...packs);
  return packs;
}

/** Synthesis passes policy validation (it throws on error findings) and no pack reports anything, not even a warning. */
function expectNoFindings(app: App, packs: Array<AwsSolutionsChecks | ServerlessChecks>): void {
  expect(() => app.synth()).not.toThrow();
  for (const pack of packs) {
    const violations = pack
      .validateScope(app)
      .violations.map(
        (v) => `${v.ruleName}: ${v.violatingResources.map((r) => r.resourceLogicalId).join(', ')}`,
      );
    expect(violations).toEqual([]);
  }
}

describe.each(['sync', 'async', 'multi'])('cdk-nag on the %s variant', (variant) => {
  test('has no unacknowledged AwsSolutions or Serverless finding, warnings included', () => {
    // GIVEN the variant's stacks with both rule packs registered before synthesis
    const app = testApp();
    const packs = withNagPacks(app);
    addVariantStacks(app, resolveAppConfig({ variant, account: TEST_ACCOUNT }));

    // WHEN / THEN

    expectNoFindings(app, packs);
  });
});

describe.each(['latency', 'failover'])(
  'cdk-nag on the multi variant with a hosted zone, %s routing',
  (routing) => {
    test('has no unacknowledged AwsSolutions or Serverless finding, warnings included', () => {
      // GIVEN the regions behind a global name (certificate, custom domain, health checks, records)
      const app = testApp();
      const packs = withNagPacks(app);
      addVariantStacks(
        app,
        resolveAppConfig({
          variant: 'multi',
          account: TEST_ACCOUNT,
          hostedZoneId: 'Z0LOCAL',
          zoneName: 'resilient-api.test',
          domainName: 'api.resilient-api.test',
          routing,
          apiKeyValuesSecretName: 'resilient-api/api-keys',
        }),
      );

      // WHEN / THEN

      expectNoFindings(app, packs);
    });
  },
);

describe.each(['sync', 'async', 'multi'])(
  'cdk-nag on the %s variant with every context option',
  (variant) => {
    test('has no unacknowledged finding with the web ACL, the token authorizer, chaos and a capacity file', () => {
      // GIVEN the options only context reaches: -c waf=true -c jwtIssuerUrl=… -c jwtAudience=… -c chaos=true -c capacity=…
      const app = testApp();
      const packs = withNagPacks(app);
      addVariantStacks(
        app,
        resolveAppConfig({
          variant,
          account: TEST_ACCOUNT,
          waf: 'true',
          chaos: 'true',
          jwtIssuerUrl: 'https://login.example.com/',
          jwtAudience: 'orders-api',
          capacityFile: { path: 'capacity.json', json: { apiRateLimit: 50, apiBurstLimit: 100 } },
        }),
      );

      // WHEN / THEN

      expectNoFindings(app, packs);
    });
  },
);

/** A user pool owned elsewhere, imported in a stack of its own (an imported pool has no findings). */
function importedUserPool(app: App, env: { account: string; region: string }) {
  const identity = new Stack(app, 'Identity', { env });
  // A template needs at least one resource; a wait condition handle is free and has no settings.
  new CfnWaitConditionHandle(identity, 'Placeholder');
  return UserPool.fromUserPoolId(identity, 'Pool', 'us-east-1_abc123');
}

describe.each([
  ['a Cognito user pool', 'cognito'],
  ['an OIDC issuer', 'oidc'],
] as const)('cdk-nag with %s authorizer', (_, kind) => {
  test.each(['sync', 'async'] as const)(
    'the %s stack has no unacknowledged finding, warnings included',
    (orderPath) => {
      // GIVEN an order API whose keyed methods also require the authorizer
      const app = testApp();
      const packs = withNagPacks(app);
      const env = { account: TEST_ACCOUNT, region: 'us-east-1' };
      const stack = new OrderApiStack(app, `ResilientApi-${orderPath}`, {
        env,
        orderPath,
        capacity: DEFAULT_CAPACITY,
        ...(kind === 'cognito'
          ? { authorizerUserPools: [importedUserPool(app, env)] }
          : { jwtIssuerUrl: 'https://login.example.com/', jwtAudience: ['orders-api'] }),
      });
      expect(stack.api.authorizer).toBeInstanceOf(
        kind === 'cognito' ? CognitoUserPoolsAuthorizer : TokenAuthorizer,
      );

      // WHEN / THEN

      expectNoFindings(app, packs);
    },
  );
});

test('with an authorizer, a method that bypasses it is still reported: the acknowledgements are not blanket', () => {
  // GIVEN an API with the OIDC authorizer, one keyed method, one public method, and one bare method
  const app = testApp();
  const pack = new AwsSolutionsChecks(app);
  Validations.of(app).addPlugins(pack);
  const stack = new Stack(app, 'Api', { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
  const api = new ResilientApi(stack, 'Api', {
    jwtIssuerUrl: 'https://login.example.com/',
    jwtAudience: ['orders-api'],
  });
  api.api.root.addResource('keyed').addMethod('GET', new MockIntegration(), api.validatedMethodOptions());
  api.addPublicMethod(api.api.root.addResource('public'), 'GET', new MockIntegration(), 'a test');
  api.api.root.addResource('bare').addMethod('GET', new MockIntegration());

  // WHEN / THEN synthesis fails on the bare method...
  expect(() => app.synth()).toThrow(/AwsSolutions-APIG4/);
  const apig4 = pack.validateScope(app).violations.filter((v) => v.ruleName === 'AwsSolutions-APIG4');

  // ...which is the only method that lacks authorization without a reason
  expect(apig4.flatMap((v) => v.violatingResources.map((r) => r.constructPath))).toEqual([
    'Api/Api/Api/Default/bare/GET/Resource',
  ]);
});
