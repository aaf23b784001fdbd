#!/usr/bin/env node
/**
 * `npm start`: the project's main job. Until the experiment exists, it synthesizes every variant
 * offline (real esbuild bundles, cdk-nag on) and prints what it built.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import recommendedFeatureFlags from 'aws-cdk-lib/recommended-feature-flags.json';
import { VARIANTS, resolveAppConfig } from '../lib/config';
import { addNagChecks } from '../lib/nag';
import { addVariantStacks } from '../lib/stacks';

interface VariantSummary {
  readonly variant: string;
  readonly stacks: number;
  readonly resources: number;
  readonly functions: number;
  readonly largestBundleKiB: number;
  readonly seconds: number;
}

function synthesize(variant: string, outdir: string): VariantSummary {
  const started = Date.now();
  const app = new App({ outdir, context: recommendedFeatureFlags });
  addVariantStacks(app, resolveAppConfig({ variant }));
  addNagChecks(app); // synthesis throws if any finding is not acknowledged
  const assembly = app.synth();
  let resources = 0;
  let functions = 0;
  let largestBundle = 0;
  for (const stack of assembly.stacks) {
    const template = stack.template as {
      Resources: Record<string, { Type: string; Properties: { Code?: { S3Key: string } } }>;
    };
    for (const resource of Object.values(template.Resources)) {
      resources += 1;
      if (resource.Type !== 'AWS::Lambda::Function') continue;
      functions += 1;
      const hash = String(resource.Properties.Code?.S3Key).replace(/\.zip$/, '');
      const bundle = path.join(assembly.directory, `asset.${hash}`, 'index.js');
      largestBundle = Math.max(largestBundle, fs.statSync(bundle).size);
    }
  }
  return {
    variant,
    stacks: assembly.stacks.length,
    resources,
    functions,
    largestBundleKiB: Math.round(largestBundle / 1024),
    seconds: (Date.now() - started) / 1000,
  };
}

const root = path.join(__dirname, '..');
const summaries: VariantSummary[] = [];
for (const variant of VARIANTS) {
  process.stdout.write(`Synthesizing the ${variant} variant (bundling with esbuild, cdk-nag on)... `);
  const summary = synthesize(variant, path.join(root, 'cdk.out', `start-${variant}`));
  summaries.push(summary);
  console.log(`done in ${summary.seconds.toFixed(1)} s`);
}
console.log();
console.table(
  summaries.map((s) => ({
    variant: s.variant,
    stacks: s.stacks,
    resources: s.resources,
    'Lambda functions': s.functions,
    'largest bundle (KiB)': s.largestBundleKiB,
    'cdk-nag': 'clean',
  })),
);
console.log(`Cloud assemblies: ${path.join('cdk.out', 'start-<variant>')}`);
console.log(
  'Not built yet: the load and chaos experiment with its report (an open issue). ' +
    'Run the stacks on this machine with `npm run local`; `npm test` runs every test.',
);
