import { isLocalUrl, LoadTargetError, resolveLoadTarget, type StackOutputs } from '../../load-tests/targets';

const LOCAL_OUTPUTS: StackOutputs = {
  'ResilientApi-sync': {
    ApiUrl: 'http://127.0.0.1:3001/prod/',
    ApiKeyId: 'k1',
    ApiKeyValue: 'local-sync-key',
  },
  'ResilientApi-async': {
    ApiUrl: 'http://127.0.0.1:3002/prod/',
    ApiKeyId: 'k2',
    ApiKeyValue: 'local-async-key',
  },
};

const AWS_OUTPUTS: StackOutputs = {
  'ResilientApi-async': {
    ApiUrl: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod/',
    ApiKeyId: 'k9',
  },
};

const base = { outputsFile: 'outputs.json', outputsFileExplicit: false };

describe('resolveLoadTarget', () => {
  test.each([
    ['sync', 'http://127.0.0.1:3001/prod', 'local-sync-key'],
    ['async', 'http://127.0.0.1:3002/prod', 'local-async-key'],
  ] as const)(
    '%s: the stack ApiUrl without its trailing slash and the local ApiKeyValue',
    (variant, url, apiKey) => {
      expect(resolveLoadTarget({ ...base, outputs: LOCAL_OUTPUTS, variant })).toEqual({
        stackName: `ResilientApi-${variant}`,
        url,
        urlOutput: 'ApiUrl',
        apiKey,
        local: true,
      });
    },
  );

  test('an API key in the environment wins over the outputs, locally too', () => {
    const target = resolveLoadTarget({
      ...base,
      outputs: LOCAL_OUTPUTS,
      variant: 'sync',
      apiKeyFromEnvironment: 'env-key',
    });
    expect(target.apiKey).toBe('env-key');
  });

  test('multi: the GlobalUrl when a stack has one', () => {
    const outputs: StackOutputs = {
      'ResilientApi-multi-us-east-1': {
        ApiUrl: 'http://127.0.0.1:3001/prod/',
        ApiKeyValue: 'k',
        GlobalUrl: 'http://127.0.0.1:3005/',
      },
      'ResilientApi-multi-us-west-2': {
        ApiUrl: 'http://127.0.0.1:3002/prod/',
        ApiKeyValue: 'k',
        GlobalUrl: 'http://127.0.0.1:3005/',
      },
    };
    expect(resolveLoadTarget({ ...base, outputs, variant: 'multi' })).toMatchObject({
      stackName: 'ResilientApi-multi-us-east-1',
      url: 'http://127.0.0.1:3005',
      urlOutput: 'GlobalUrl',
    });
  });

  test('multi without a GlobalUrl: the first region stack ApiUrl', () => {
    const outputs: StackOutputs = {
      'ResilientApi-multi-eu-west-1': { ApiUrl: 'http://127.0.0.1:3003/prod/', ApiKeyValue: 'k1' },
      'ResilientApi-multi-us-east-1': { ApiUrl: 'http://127.0.0.1:3004/prod/', ApiKeyValue: 'k2' },
    };
    expect(resolveLoadTarget({ ...base, outputs, variant: 'multi' })).toMatchObject({
      stackName: 'ResilientApi-multi-eu-west-1',
      url: 'http://127.0.0.1:3003/prod',
      urlOutput: 'ApiUrl',
      apiKey: 'k1',
    });
  });

  test('fails if the variant has no stack in the outputs, naming the stacks there are', () => {
    expect(() => resolveLoadTarget({ ...base, outputs: LOCAL_OUTPUTS, variant: 'multi' })).toThrow(
      'outputs.json has no ResilientApi-multi-<region> stack (it has: ResilientApi-sync, ResilientApi-async)',
    );
  });

  test('fails if a local stack has no API key value', () => {
    const outputs: StackOutputs = { 'ResilientApi-sync': { ApiUrl: 'http://localhost:3001/prod/' } };
    expect(() => resolveLoadTarget({ ...base, outputs, variant: 'sync' })).toThrow(
      'outputs.json: ResilientApi-sync has no ApiKeyValue output',
    );
  });

  describe('AWS safety', () => {
    test('fails if a deployment on AWS comes from the default outputs file, even with a key in the environment', () => {
      // GIVEN the default outputs file (not named on the command line) pointing at AWS
      const resolve = () =>
        resolveLoadTarget({
          outputs: AWS_OUTPUTS,
          variant: 'async',
          outputsFile: 'outputs.local.json',
          outputsFileExplicit: false,
          apiKeyFromEnvironment: 'real-key',
        });

      // THEN no target: the refusal names the URL and the option
      expect(resolve).toThrow(LoadTargetError);
      expect(resolve).toThrow(/abc123\.execute-api.*not on this machine.*--outputs <file>/);
    });

    test('fails if a deployment on AWS has no API key in the environment, even with one in the outputs file', () => {
      const outputs: StackOutputs = {
        'ResilientApi-async': { ...AWS_OUTPUTS['ResilientApi-async'], ApiKeyValue: 'from-the-file' },
      };
      expect(() =>
        resolveLoadTarget({
          outputs,
          variant: 'async',
          outputsFile: 'outputs.json',
          outputsFileExplicit: true,
        }),
      ).toThrow(/set RESILIENT_API_KEY .*--api-key k9 --include-value/);
    });

    test('an explicit outputs file and the key from the environment: the deployment is the target', () => {
      expect(
        resolveLoadTarget({
          outputs: AWS_OUTPUTS,
          variant: 'async',
          outputsFile: 'outputs.json',
          outputsFileExplicit: true,
          apiKeyFromEnvironment: 'real-key',
        }),
      ).toEqual({
        stackName: 'ResilientApi-async',
        url: 'https://abc123.execute-api.eu-west-1.amazonaws.com/prod',
        urlOutput: 'ApiUrl',
        apiKey: 'real-key',
        local: false,
      });
    });
  });
});

describe('isLocalUrl', () => {
  test.each([
    'http://127.0.0.1:3001/prod/',
    'http://localhost:3001/',
    'http://api.localhost/',
    'http://[::1]:3001/',
    'http://127.1.2.3/',
  ])('%s is local', (url) => {
    expect(isLocalUrl(url)).toBe(true);
  });

  test.each([
    'https://abc.execute-api.us-east-1.amazonaws.com/prod/',
    'http://127.0.0.1.nip.io/',
    'http://localhost.example.com/',
    'http://10.0.0.1/',
    'not a url',
  ])('%s is not local', (url) => {
    expect(isLocalUrl(url)).toBe(false);
  });
});
