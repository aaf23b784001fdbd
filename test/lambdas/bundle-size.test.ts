import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { resolveAppConfig } from '../../lib/config';
import { customResourceProviderIds } from '../../local-cloud/assembly/cloud-assembly';
import { addVariantStacks } from '../../lib/stacks';
import { bundlePathOf, testApp } from '../harness/app';
import { TEST_ACCOUNT } from '../harness/local-aws';

/**
 * Budget for one minified bundle (AWS SDK v3 included), set from measurements: CommonJS bundles
 * measured up to 745.3 KiB; as ES modules built from the packages' module builds
 * (FUNCTION_BUNDLING) up to 558 KiB; with the order schema compiled ahead of time instead of Ajv's
 * compiler, the largest is 442.6 KiB (create-order, with Powertools and the DynamoDB client). About
 * 6% headroom, so a dependency that grows cold starts has to be a deliberate choice;
 * `npm run bench:coldstart` shows each bundle beside the smallest one with the same SDK clients.
 */
const BUNDLE_BUDGET_BYTES = 470 * 1024;

interface BundleSize {
  readonly stack: string;
  readonly function: string;
  readonly bytes: number;
}

function measureBundles(outdir: string): BundleSize[] {
  const app = testApp({ bundle: true, outdir });
  for (const variant of ['sync', 'async']) {
    addVariantStacks(app, resolveAppConfig({ variant, account: TEST_ACCOUNT }));
  }
  const assembly = app.synth();
  const sizes: BundleSize[] = [];
  for (const stack of assembly.stacks) {
    // aws-cdk-lib's own custom resource functions (log retention) are not this project's bundles.
    const providers = customResourceProviderIds(stack.template);
    for (const [logicalId, resource] of Object.entries<any>(stack.template.Resources)) {
      if (resource.Type !== 'AWS::Lambda::Function' || providers.has(logicalId)) continue;
      const bundle = bundlePathOf(assembly.directory, resource);
      sizes.push({ stack: stack.stackName, function: logicalId, bytes: fs.statSync(bundle).size });
    }
  }
  return sizes;
}

describe('Lambda bundles', () => {
  let sizes: BundleSize[];
  let outdir: string;

  beforeAll(() => {
    outdir = fs.mkdtempSync(path.join(os.tmpdir(), 'bundle-size-'));
    sizes = measureBundles(outdir);
    console.log(
      'Bundle sizes (minified, AWS SDK included):\n' +
        sizes.map((s) => `  ${s.stack}/${s.function}: ${(s.bytes / 1024).toFixed(1)} KiB`).join('\n'),
    );
  }, 120_000);

  afterAll(() => fs.rmSync(outdir, { recursive: true, force: true }));

  test('every function of both variants is bundled', () => {
    // sync: create-order, get-order, health; async: process-orders, get-order, health, load-shedder
    expect(sizes).toHaveLength(7);
  });

  test(`every bundle stays under the ${BUNDLE_BUDGET_BYTES / 1024} KiB budget`, () => {
    const over = sizes.filter((s) => s.bytes > BUNDLE_BUDGET_BYTES);
    expect(over).toEqual([]);
  });
});
