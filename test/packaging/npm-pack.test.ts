import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { bundlePathOf } from '../harness/app';

const projectRoot = path.join(__dirname, '../..');

/** A CDK app, as another team would write it, that uses the packed library. */
const CONSUMER_APP = `
const { App, Stack, Duration } = require('aws-cdk-lib');
const { ResilientApi, OrderQueue, ResilientFunction, handlerEntry, createOrderRequestSchema } = require('cdk-resilient-api');

const app = new App({ outdir: process.argv[2] });
const stack = new Stack(app, 'ConsumerStack', { env: { account: '111111111111', region: 'eu-west-1' } });
const api = new ResilientApi(stack, 'Api', { throttlingRateLimit: 20, throttlingBurstLimit: 40 });
const consumer = new ResilientFunction(stack, 'Consumer', { entry: handlerEntry('process-orders'), timeout: Duration.seconds(20) });
new OrderQueue(stack, 'Queue', {
  consumer,
  resource: api.api.root.addResource('orders'),
  methodOptions: api.validatedMethodOptions({
    bodyModel: api.addJsonModel('OrderModel', createOrderRequestSchema),
    requiredHeaders: ['Idempotency-Key'],
  }),
});
app.synth();

// The mapping-template renderer the package exports, as a test of a user's template would call it.
const { renderMappingTemplate } = require('cdk-resilient-api/mapping-templates');
const template = '{"name": $input.json(' + "'$.name'" + ')}';
const rendered = renderMappingTemplate({ template, body: '{"name": "Ada"}' });
if (rendered.output !== '{"name": "Ada"}') throw new Error('renderMappingTemplate rendered ' + rendered.output);
`;

function run(command: string, args: string[], cwd: string): string {
  try {
    return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (error) {
    const { stderr } = error as { stderr?: string };
    throw new Error(`${command} ${args.join(' ')} failed:\n${(stderr ?? '').slice(-3000)}`);
  }
}

describe('npm pack', () => {
  let workdir: string;
  beforeAll(() => {
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'pack-test-'));
  });
  afterAll(() => fs.rmSync(workdir, { recursive: true, force: true }));

  test('produces a package another CDK app can install and synthesize with', () => {
    // GIVEN the packed library (npm pack runs the build through prepack)
    const packOutput = JSON.parse(run('npm', ['pack', '--json', '--pack-destination', workdir], projectRoot));
    const tarball = path.join(workdir, packOutput[0].filename);
    const files: string[] = packOutput[0].files.map((f: { path: string }) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'dist/lib/index.js',
        'dist/lib/index.d.ts',
        'dist/local-cloud/apigateway/mapping-template.js',
        'lambdas/process-orders/handler.ts',
      ]),
    );
    expect(files.filter((f) => f.startsWith('test/') || f.endsWith('.test.ts'))).toEqual([]);

    // AND a throwaway app that depends on it, with the same aws-cdk-lib and esbuild versions
    const ownPackage = JSON.parse(fs.readFileSync(path.join(projectRoot, 'package.json'), 'utf8'));
    const appDir = path.join(workdir, 'consumer');
    fs.mkdirSync(appDir);
    fs.writeFileSync(
      path.join(appDir, 'package.json'),
      JSON.stringify({
        name: 'consumer',
        private: true,
        dependencies: {
          'cdk-resilient-api': `file:${tarball}`,
          'aws-cdk-lib': ownPackage.devDependencies['aws-cdk-lib'],
          constructs: ownPackage.devDependencies.constructs,
          esbuild: ownPackage.devDependencies.esbuild,
        },
      }),
    );
    fs.writeFileSync(path.join(appDir, 'app.js'), CONSUMER_APP);
    run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error'], appDir);

    // WHEN it synthesizes
    const outdir = path.join(appDir, 'cdk.out');
    run('node', ['app.js', outdir], appDir);

    // THEN the template has the API, the SQS integration and the bundled consumer
    const template = JSON.parse(fs.readFileSync(path.join(outdir, 'ConsumerStack.template.json'), 'utf8'));
    const types = Object.values<any>(template.Resources).map((r) => r.Type);
    expect(types).toEqual(
      expect.arrayContaining([
        'AWS::ApiGateway::RestApi',
        'AWS::SQS::Queue',
        'AWS::Lambda::EventSourceMapping',
      ]),
    );
    // The consumer's function, not aws-cdk-lib's log retention function (ResilientApi's execution logs)
    const consumerFn = Object.entries<any>(template.Resources).find(
      ([logicalId, r]) => r.Type === 'AWS::Lambda::Function' && logicalId.startsWith('Consumer'),
    )?.[1];
    const bundle = bundlePathOf(outdir, consumerFn);
    expect(fs.statSync(bundle).size).toBeGreaterThan(10_000);
  }, 300_000);
});
