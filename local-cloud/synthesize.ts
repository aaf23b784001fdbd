/**
 * Synthesizes the variants the local cloud runs into their own cloud assembly, with the feature
 * flags of cdk.json (what `cdk synth` would use), or reuses that assembly when nothing it is built
 * from changed since.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { App } from 'aws-cdk-lib';
import { resolveAppConfig, type AppConfigInputs, type CapacityConfig, type Variant } from '../lib/config';
import { addVariantStacks } from '../lib/stacks';
import { isAssemblyFresh, stampAssembly } from './assembly-stamp';

/** Options of {@link synthesizeForLocalCloud}. */
export interface SynthesizeOptions {
  /** The project's root folder (holds cdk.json). */
  readonly projectRoot: string;
  /** Where the assembly goes. */
  readonly outdir: string;
  readonly variants: readonly Variant[];
  /** Synthesize even when the assembly looks fresh. @default false */
  readonly force?: boolean;
  /**
   * Throttles and concurrency limits to synthesize with (the experiment raises the throttles).
   * @default - DEFAULT_CAPACITY, as a deployment
   */
  readonly capacity?: CapacityConfig;
}

/** What {@link synthesizeForLocalCloud} did. */
export interface SynthesizeResult {
  readonly assemblyDir: string;
  /** Whether an existing, fresh assembly was reused. */
  readonly reused: boolean;
}

/**
 * The multi variant runs locally as if deployed with a hosted zone and an API key secret, so that
 * its Route 53 records and health checks exist for the local Route 53 stand-in, and a client's API
 * key works in every region (the local cloud gives a secret's value to every region alike). The
 * zone is a made-up one under the reserved `.test` top-level domain.
 */
export const LOCAL_MULTI_REGION_INPUTS: AppConfigInputs = {
  hostedZoneId: 'Z0LOCAL',
  zoneName: 'resilient-api.test',
  domainName: 'api.resilient-api.test',
  apiKeyValuesSecretName: 'resilient-api/api-keys',
};

/** Synthesizes the variants into `outdir`, or reuses a fresh assembly of the same variants there. */
export function synthesizeForLocalCloud(options: SynthesizeOptions): SynthesizeResult {
  if (!options.force && isAssemblyFresh(options)) {
    return { assemblyDir: options.outdir, reused: true };
  }
  fs.rmSync(options.outdir, { recursive: true, force: true });
  localVariantApp(options).synth();
  stampAssembly(options);
  return { assemblyDir: options.outdir, reused: false };
}

/**
 * The app the local cloud runs, not yet synthesized: the variants' stacks with the feature flags of
 * cdk.json (the multi variant with {@link LOCAL_MULTI_REGION_INPUTS}), writing to `outdir`.
 */
export function localVariantApp(options: Omit<SynthesizeOptions, 'force'>): App {
  const cdkJson = JSON.parse(fs.readFileSync(path.join(options.projectRoot, 'cdk.json'), 'utf8')) as {
    context?: Record<string, unknown>;
  };
  const app = new App({ outdir: options.outdir, context: cdkJson.context ?? {} });
  for (const variant of [...options.variants].sort()) {
    const config = resolveAppConfig(
      variant === 'multi' ? { variant, ...LOCAL_MULTI_REGION_INPUTS } : { variant },
    );
    addVariantStacks(app, options.capacity ? { ...config, capacity: options.capacity } : config);
  }
  return app;
}
