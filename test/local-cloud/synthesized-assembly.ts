/**
 * Real cloud assemblies for the local cloud's tests, synthesized from lib/ into a temporary folder,
 * and lookups into their templates by construct path (never by a hand-written copy of them).
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { App } from 'aws-cdk-lib';
import { resolveAppConfig, type OrderPath } from '../../lib/config';
import { addVariantStacks } from '../../lib/stacks';
import type { AssemblyStack } from '../../local-cloud/assembly/cloud-assembly';
import type { FunctionLogLine } from '../../local-cloud/lambda/function-worker';
import { startLocalCloud, type LocalCloud, type LocalCloudOptions } from '../../local-cloud/local-cloud';
import { LOCAL_CREDENTIALS } from '../../local-cloud/region-runtime';
import { localEndpoints, TEST_ACCOUNT } from '../harness/local-aws';
import { testApp } from '../harness/app';

/** A synthesized assembly in a temporary folder. */
export interface TestAssembly {
  readonly directory: string;
  /** Removes the folder. */
  remove(): void;
}

/**
 * Synthesizes into a temporary folder: the given variants' stacks, plus whatever `addStacks` adds.
 * With `bundle`, the functions are bundled by esbuild (a few seconds); without, only templates.
 */
export function synthesizeAssembly(options: {
  readonly variants?: readonly OrderPath[];
  readonly bundle: boolean;
  readonly addStacks?: (app: App) => void;
}): TestAssembly {
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cloud-'));
  const app = testApp({ bundle: options.bundle, outdir: directory });
  // The CLI turns construct paths on in template metadata; the tests find resources by them.
  app.node.setContext('aws:cdk:enable-path-metadata', true);
  for (const variant of options.variants ?? []) {
    addVariantStacks(app, resolveAppConfig({ variant, account: TEST_ACCOUNT }));
  }
  options.addStacks?.(app);
  app.synth();
  return { directory, remove: () => fs.rmSync(directory, { recursive: true, force: true }) };
}

/** Where the global setup puts the bundled assembly of sync and async that test files share. */
export const SHARED_ASSEMBLY_ENVIRONMENT_VARIABLE = 'TEST_SHARED_BUNDLED_ASSEMBLY';

/**
 * The bundled assembly of the sync and async variants, synthesized once per run by the first test
 * that asks for it (bundling takes seconds; most local-cloud tests need exactly this), where the
 * global setup says. Read only: a test that changes an assembly or looks for processes by its
 * folder synthesizes its own.
 */
export function sharedBundledAssembly(): TestAssembly {
  const directory = process.env[SHARED_ASSEMBLY_ENVIRONMENT_VARIABLE];
  if (!directory) {
    throw new Error(
      `${SHARED_ASSEMBLY_ENVIRONMENT_VARIABLE} is not set: run the test with jest.config.js, whose global setup sets it`,
    );
  }
  if (!fs.existsSync(directory)) {
    const synthesized = synthesizeAssembly({ variants: ['sync', 'async'], bundle: true });
    try {
      // Whole or not at all: a worker that lost the race keeps the other's assembly.
      fs.renameSync(synthesized.directory, directory);
    } catch (error) {
      synthesized.remove();
      if (!fs.existsSync(directory)) throw error;
    }
  }
  // The global teardown removes it.
  return { directory, remove: () => undefined };
}

/** The logical id of the one resource of a type whose construct path ends with `pathSuffix`. */
export function logicalIdOf(stack: AssemblyStack, type: string, pathSuffix: string): string {
  const matches = Object.entries(stack.template.Resources).filter(([, resource]) => {
    const constructPath = resource.Metadata?.['aws:cdk:path'];
    return resource.Type === type && typeof constructPath === 'string' && constructPath.endsWith(pathSuffix);
  });
  if (matches.length !== 1) {
    throw new Error(`Expected one ${type} at …${pathSuffix} in ${stack.stackName}, found ${matches.length}`);
  }
  return matches[0][0];
}

/** A name prefix no other test file uses, for tables, queues and functions on the shared emulators. */
export function uniqueNamePrefix(): string {
  return `t${randomUUID().slice(0, 8)}-`;
}

/** A log sink that keeps the functions' output for assertions (and prints it with DEBUG_LOCAL_CLOUD). */
export function collectingLogSink(): {
  readonly lines: FunctionLogLine[];
  readonly sink: (line: FunctionLogLine) => void;
} {
  const lines: FunctionLogLine[] = [];
  return {
    lines,
    sink: (line) => {
      lines.push(line);
      if (process.env.DEBUG_LOCAL_CLOUD) console.log(`[${line.functionName}] ${line.line}`);
    },
  };
}

/** Waits until `check` returns a value other than undefined, or fails after `timeoutMs`. */
export async function eventually<T>(
  check: () => Promise<T | undefined>,
  timeoutMs: number,
  what: string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a local cloud on an assembly for a test file. fauxqs is an ES module, which cannot load
 * inside a Jest worker, so it shares the global setup's emulators, under a name prefix of its own.
 */
export function startTestLocalCloud(
  assemblyDir: string,
  options: Omit<LocalCloudOptions, 'assemblyDir' | 'emulators' | 'namePrefix'> = {},
): Promise<LocalCloud> {
  return startLocalCloud({
    assemblyDir,
    emulators: { dynamodbEndpoint: localEndpoints().dynamoDb, sqsEndpoint: localEndpoints().sqs },
    namePrefix: uniqueNamePrefix(),
    functionLogSink: collectingLogSink().sink,
    ...options,
  });
}

/** Sets a queue's visibility timeout, to see retries within a test instead of the template's minutes. */
export async function setVisibilityTimeout(
  cloud: LocalCloud,
  queueUrl: string,
  seconds: number,
): Promise<void> {
  const sqs = new SQSClient({
    endpoint: cloud.sqsEndpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    useQueueUrlAsEndpoint: false,
  });
  try {
    await sqs.send(
      new SetQueueAttributesCommand({
        QueueUrl: queueUrl,
        Attributes: { VisibilityTimeout: String(seconds) },
      }),
    );
  } finally {
    sqs.destroy();
  }
}
