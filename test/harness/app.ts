import { App, Stack } from 'aws-cdk-lib';
import type { Template } from 'aws-cdk-lib/assertions';
import { customResourceProviderIds } from '../../local-cloud/assembly/cloud-assembly';
import { handlerFileOf } from '../../local-cloud/lambda/handler-file';
import recommendedFeatureFlags from 'aws-cdk-lib/recommended-feature-flags.json';
import { TEST_ACCOUNT } from './local-aws';

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
  return new Stack(app, id, { env: { account: TEST_ACCOUNT, region: 'us-east-1' } });
}

/**
 * Path of a synthesized function's bundle: its S3 key is `<asset hash>.zip`, staged as
 * `asset.<hash>/`, and the file is the one Lambda would load for `index` (`handler-file.ts`).
 */
export function bundlePathOf(
  assemblyDirectory: string,
  functionResource: { Properties: { Code: { S3Key: string } } },
): string {
  const hash = functionResource.Properties.Code.S3Key.replace(/\.zip$/, '');
  const modulePath = `${assemblyDirectory}/asset.${hash}/index`;
  const found = handlerFileOf(modulePath);
  if (found === undefined) throw new Error(`No bundle ${modulePath}(.js, .mjs or .cjs)`);
  return found.file;
}

/**
 * The template's Lambda functions by logical id, without aws-cdk-lib's custom resource functions
 * (e.g. the log retention singleton `ResilientApi` brings): the functions this project deploys.
 */
export function projectFunctions(template: Template): Record<string, any> {
  const providers = customResourceProviderIds(template.toJSON() as never);
  return Object.fromEntries(
    Object.entries(template.findResources('AWS::Lambda::Function')).filter(([id]) => !providers.has(id)),
  );
}
