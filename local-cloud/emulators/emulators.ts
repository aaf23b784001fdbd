/**
 * DynamoDB Local and the SQS emulator, started together. Light to import (no aws-cdk-lib, nothing
 * of the rest of the local cloud), so that `npm run local` starts DynamoDB Local's JVM, its slowest
 * part, before it loads the rest.
 */
import { startDynamoDbLocal } from './dynamodb-local';
import { assertPortFree } from './free-port';
import type { LocalEmulator } from './local-emulator';
import { startSqsEmulator } from './sqs-emulator';

/** The running emulators. */
export interface LocalEmulators {
  readonly dynamodb: LocalEmulator;
  readonly sqs: LocalEmulator;
  /** Stops both; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts DynamoDB Local and the SQS emulator in parallel, on the given ports (0 or undefined: any
 * free port). A busy port fails with the option that picks another; if one emulator fails, the other
 * is stopped again.
 */
export async function startEmulators(
  ports: { readonly dynamodb?: number; readonly sqs?: number } = {},
): Promise<LocalEmulators> {
  await Promise.all([
    assertPortFree(ports.dynamodb, 'DynamoDB Local', '--dynamodb-port'),
    assertPortFree(ports.sqs, 'the SQS emulator', '--sqs-port'),
  ]);
  const [dynamodb, sqs] = await Promise.allSettled([
    startDynamoDbLocal({ port: ports.dynamodb || undefined }),
    startSqsEmulator({ port: ports.sqs || undefined }),
  ]);
  if (dynamodb.status === 'rejected' || sqs.status === 'rejected') {
    for (const result of [dynamodb, sqs]) {
      if (result.status === 'fulfilled') await result.value.stop();
    }
    throw dynamodb.status === 'rejected' ? dynamodb.reason : (sqs as PromiseRejectedResult).reason;
  }
  return {
    dynamodb: dynamodb.value,
    sqs: sqs.value,
    stop: async () => {
      await Promise.all([dynamodb.value.stop(), sqs.value.stop()]);
    },
  };
}
