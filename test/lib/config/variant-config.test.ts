import { CONTEXT_KEYS, PLACEHOLDER_ACCOUNT, resolveAppConfig, unknownContextKeys } from '../../../lib/config';

describe('resolveAppConfig', () => {
  test('defaults to the sync variant in us-east-1 with a placeholder account', () => {
    expect(resolveAppConfig({})).toMatchObject({
      variant: 'sync',
      regions: ['us-east-1'],
      account: PLACEHOLDER_ACCOUNT,
      placeholderAccount: true,
    });
  });

  test('uses the account and region the CLI found', () => {
    expect(
      resolveAppConfig({ variant: 'async', account: '222222222222', region: 'eu-west-1' }),
    ).toMatchObject({
      variant: 'async',
      regions: ['eu-west-1'],
      account: '222222222222',
      placeholderAccount: false,
    });
  });

  test('multi defaults to us-east-1 and us-west-2, first is primary', () => {
    expect(resolveAppConfig({ variant: 'multi' }).regions).toEqual(['us-east-1', 'us-west-2']);
    expect(
      resolveAppConfig({ variant: 'multi', regions: 'eu-west-1, eu-central-1,ap-southeast-2' }).regions,
    ).toEqual(['eu-west-1', 'eu-central-1', 'ap-southeast-2']);
  });

  test('fails if the variant is unknown', () => {
    expect(() => resolveAppConfig({ variant: 'fast' })).toThrow(
      'variant must be one of sync, async, multi (given "fast")',
    );
  });

  test('fails if multi has fewer than two regions', () => {
    expect(() => resolveAppConfig({ variant: 'multi', regions: 'us-east-1' })).toThrow(
      'The multi variant needs at least two regions',
    );
  });

  test('fails if a region is listed twice or malformed', () => {
    expect(() => resolveAppConfig({ variant: 'multi', regions: 'us-east-1,us-east-1' })).toThrow(
      'Regions must be unique',
    );
    expect(() => resolveAppConfig({ variant: 'multi', regions: 'us-east-1,mars' })).toThrow(
      'Region must look like us-east-1 (given "mars")',
    );
  });
});

describe('resolveAppConfig: global DNS of the multi variant', () => {
  const zone = {
    hostedZoneId: 'Z0LOCAL',
    zoneName: 'resilient-api.test',
    domainName: 'api.resilient-api.test',
  };

  test('no DNS inputs: no global DNS, and the variant still resolves', () => {
    expect(resolveAppConfig({ variant: 'multi' }).globalDns).toBeUndefined();
    expect(resolveAppConfig({ variant: 'multi' }).apiKeyValuesSecretName).toBeUndefined();
  });

  test('with a zone: latency routing, a 10 s interval and a threshold of 3 by default', () => {
    const { globalDns } = resolveAppConfig({ variant: 'multi', ...zone });
    expect(globalDns).toMatchObject({ ...zone, routing: 'latency', healthCheckFailureThreshold: 3 });
    expect(globalDns?.healthCheckInterval.toSeconds()).toBe(10);
  });

  test('takes failover routing, a 30 s interval and a threshold, as context strings; drops trailing dots', () => {
    const { globalDns } = resolveAppConfig({
      variant: 'multi',
      hostedZoneId: 'Z0123456789ABCDEFGHIJ',
      zoneName: 'example.com.',
      domainName: 'api.example.com.',
      routing: 'failover',
      healthCheckIntervalSeconds: '30',
      healthCheckFailureThreshold: '5',
    });
    expect(globalDns).toMatchObject({
      zoneName: 'example.com',
      domainName: 'api.example.com',
      routing: 'failover',
      healthCheckFailureThreshold: 5,
    });
    expect(globalDns?.healthCheckInterval.toSeconds()).toBe(30);
  });

  test('takes the API key secret name in the multi variant', () => {
    expect(
      resolveAppConfig({ variant: 'multi', apiKeyValuesSecretName: 'orders/api-keys' })
        .apiKeyValuesSecretName,
    ).toBe('orders/api-keys');
  });

  test.each([
    [
      'only some DNS inputs are given',
      { variant: 'multi', hostedZoneId: 'Z0LOCAL', domainName: 'api.resilient-api.test' },
      'hostedZoneId, zoneName and domainName go together, all three or none (given only hostedZoneId and domainName)',
    ],
    [
      'routing or health check settings come without a zone',
      { variant: 'multi', routing: 'failover', healthCheckFailureThreshold: '2' },
      'routing, healthCheckFailureThreshold need hostedZoneId, zoneName and domainName (given none of them)',
    ],
    [
      'a zone is given to a single-region variant',
      { variant: 'async', ...zone },
      "hostedZoneId, zoneName and domainName configure the multi variant's global name (given variant async)",
    ],
    [
      'the hosted zone id is malformed',
      { variant: 'multi', ...zone, hostedZoneId: 'zone-1' },
      'hostedZoneId must look like Z0123456789ABCDEFGHIJ (given "zone-1")',
    ],
    [
      'the domain name is not a domain name',
      { variant: 'multi', ...zone, domainName: 'https://api.resilient-api.test' },
      'domainName must be a lowercase domain name like api.example.com (given "https://api.resilient-api.test")',
    ],
    [
      'the domain name is outside the zone',
      { variant: 'multi', ...zone, domainName: 'api.example.com' },
      'domainName must be zoneName or a name under it (given api.example.com in zone resilient-api.test)',
    ],
    [
      'the routing is unknown',
      { variant: 'multi', ...zone, routing: 'weighted' },
      'routing must be one of latency, failover (given "weighted")',
    ],
    [
      'failover routing has more than two regions',
      { variant: 'multi', ...zone, routing: 'failover', regions: 'us-east-1,us-west-2,eu-west-1' },
      'failover routing takes exactly two regions, a primary and a secondary; use latency routing for more (given 3: us-east-1, us-west-2, eu-west-1)',
    ],
    [
      'the interval is not 10 or 30',
      { variant: 'multi', ...zone, healthCheckIntervalSeconds: '15' },
      'Health check interval must be 10 or 30 seconds (given 15)',
    ],
    [
      'the interval is not a number',
      { variant: 'multi', ...zone, healthCheckIntervalSeconds: 'fast' },
      'healthCheckIntervalSeconds must be a whole number (given "fast")',
    ],
    [
      'the failure threshold is out of range',
      { variant: 'multi', ...zone, healthCheckFailureThreshold: '0' },
      'Health check failure threshold must be between 1 and 10 inclusive (given 0)',
    ],
    [
      'the secret name has characters Secrets Manager refuses',
      { variant: 'multi', apiKeyValuesSecretName: 'api keys!' },
      'apiKeyValuesSecretName must be a Secrets Manager secret name: 1 to 512 of A-Z a-z 0-9 / _ + = . @ - (given "api keys!")',
    ],
  ])('fails if %s', (_, inputs, message) => {
    expect(() => resolveAppConfig(inputs)).toThrow(message);
  });
});

describe('resolveAppConfig: chaos experiments', () => {
  test('are off unless asked for with chaos=true', () => {
    expect(resolveAppConfig({}).chaosExperiments).toBe(false);
    expect(resolveAppConfig({ chaos: 'false' }).chaosExperiments).toBe(false);
    expect(resolveAppConfig({ variant: 'multi', chaos: 'true' }).chaosExperiments).toBe(true);
  });

  test('fails if chaos is neither true nor false', () => {
    expect(() => resolveAppConfig({ chaos: 'yes' })).toThrow('chaos must be true or false (given "yes")');
  });
});

describe('options a user reaches from context', () => {
  test('waf=true enables the web ACL; it is off by default', () => {
    expect(resolveAppConfig({}).webAcl).toBe(false);
    expect(resolveAppConfig({ waf: 'true' }).webAcl).toBe(true);
    expect(() => resolveAppConfig({ waf: 'yes' })).toThrow('waf must be true or false (given "yes")');
  });

  test('jwtIssuerUrl with jwtAudience configures the token authorizer', () => {
    expect(
      resolveAppConfig({ jwtIssuerUrl: 'https://login.example.com/', jwtAudience: 'orders, admin' })
        .jwtAuthorizer,
    ).toEqual({ issuerUrl: 'https://login.example.com/', audience: ['orders', 'admin'] });
    expect(resolveAppConfig({}).jwtAuthorizer).toBeUndefined();
  });

  test.each([
    [{ jwtIssuerUrl: 'https://login.example.com/' }, 'jwtIssuerUrl needs jwtAudience'],
    [
      { jwtIssuerUrl: 'http://login.example.com/', jwtAudience: 'a' },
      'jwtIssuerUrl must be an https:// URL (given "http://login.example.com/")',
    ],
    [
      { jwtAudience: 'a' },
      'jwtAudience and jwtJwksUri configure the token authorizer of jwtIssuerUrl (given no jwtIssuerUrl)',
    ],
  ])('fails if the authorizer settings are incomplete or wrong: %j', (inputs, message) => {
    expect(() => resolveAppConfig(inputs)).toThrow(message);
  });

  test('capacity comes from the capacity file when one is given', () => {
    const config = resolveAppConfig({ capacityFile: { path: 'c.json', json: { apiRateLimit: 42 } } });
    expect(config.capacity.apiRateLimit).toBe(42);
  });

  test.each(['sync', 'async'])(
    'fails if apiKeyValuesSecretName is given for %s: two stacks in one region cannot share API key values',
    (variant) => {
      expect(() => resolveAppConfig({ variant, apiKeyValuesSecretName: 'resilient-api/api-keys' })).toThrow(
        /apiKeyValuesSecretName gives a client the same key in every region of the multi variant \(given variant/,
      );
    },
  );
});

describe('unknownContextKeys', () => {
  test("names the keys that are neither the app's nor the CDK's own", () => {
    expect(
      unknownContextKeys([
        ...Object.keys(CONTEXT_KEYS),
        '@aws-cdk/core:checkSecretUsage',
        '@aws-cdk-containers/ecs-service-extensions:enableDefaultLogDriver',
        'aws:cdk:enable-path-metadata',
        'availability-zones:account=111111111111:region=us-east-1',
        'acknowledged-issue-numbers',
        'regoins',
        'WAF',
      ]),
    ).toEqual(['regoins', 'WAF']);
  });
});
