import { App, Stack } from 'aws-cdk-lib';
import recommendedFeatureFlags from 'aws-cdk-lib/recommended-feature-flags.json';

/** Options of {@link testApp}. */
export interface TestAppOptions {
  /** Run esbuild for Lambda assets (slow); template tests do not need bundles. */
  readonly bundle?: boolean;
  /** Output folder of the cloud assembly. */
  readonly outdir?: string;
}

/**
 * An app with the same feature flags as cdk.json (aws-cdk-lib's recommended set) and, unless asked,
 * with Lambda bundling skipped so template assertions stay fast.
 */
export function testApp(options: TestAppOptions = {}): App {
  return new App({
    outdir: options.outdir,
    context: {
      ...recommendedFeatureFlags,
      ...(options.bundle ? {} : { 'aws:cdk:bundling-stacks': [] }),
    },
  });
}

/** A stack in a test app, in a fixed account and region so templates are deterministic. */
export function testStack(app: App = testApp(), id = 'TestStack'): Stack {
  return new Stack(app, id, { env: { account: '111111111111', region: 'us-east-1' } });
}

/** Path of a synthesized function's bundle: its S3 key is `<asset hash>.zip`, staged as `asset.<hash>/`. */
export function bundlePathOf(
  assemblyDirectory: string,
  functionResource: { Properties: { Code: { S3Key: string } } },
): string {
  const hash = functionResource.Properties.Code.S3Key.replace(/\.zip$/, '');
  return `${assemblyDirectory}/asset.${hash}/index.js`;
}
