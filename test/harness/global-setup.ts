/**
 * Jest global setup: starts DynamoDB Local and the SQS emulator once for the whole run and hands
 * their endpoints to the test workers through environment variables (workers are forked after this
 * runs, so they inherit them).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { startDynamoDbLocal } from '../../local-cloud/emulators/dynamodb-local';
import { TEST_CREDENTIALS, TEST_ENVIRONMENT, TEST_REGION } from './local-aws';
import type { LocalEmulator } from '../../local-cloud/emulators/local-emulator';
import { startSqsEmulator } from '../../local-cloud/emulators/sqs-emulator';
import { SHARED_ASSEMBLY_ENVIRONMENT_VARIABLE } from '../local-cloud/synthesized-assembly';

/** Where the global teardown finds the emulators (setup and teardown share one process). */
export const EMULATORS_GLOBAL = '__LOCAL_AWS_EMULATORS__';

/** Starts the emulators and points every AWS SDK client of the run at them. */
export default async function globalSetup(): Promise<void> {
  // The functions run on nodejs24.x; the SDK's warning about older local Node.js versions is noise here.
  process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
  const [dynamoDb, sqs] = await Promise.allSettled([startDynamoDbLocal(), startSqsEmulator()]);
  const started = [dynamoDb, sqs].flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  (globalThis as Record<string, unknown>)[EMULATORS_GLOBAL] = started;
  if (dynamoDb.status === 'rejected' || sqs.status === 'rejected') {
    await Promise.all(started.map((emulator: LocalEmulator) => emulator.stop()));
    throw dynamoDb.status === 'rejected' ? dynamoDb.reason : (sqs as PromiseRejectedResult).reason;
  }

  process.env[TEST_ENVIRONMENT.dynamoDbEndpoint] = dynamoDb.value.endpoint;
  process.env[TEST_ENVIRONMENT.sqsEndpoint] = sqs.value.endpoint;
  // Defaults for code under test that builds its own clients: nothing can reach a real AWS account.
  process.env.AWS_ENDPOINT_URL_DYNAMODB = dynamoDb.value.endpoint;
  process.env.AWS_ENDPOINT_URL_SQS = sqs.value.endpoint;
  process.env.AWS_REGION = TEST_REGION;
  process.env.AWS_ACCESS_KEY_ID = TEST_CREDENTIALS.accessKeyId;
  process.env.AWS_SECRET_ACCESS_KEY = TEST_CREDENTIALS.secretAccessKey;
  delete process.env.AWS_PROFILE;
  delete process.env.AWS_SESSION_TOKEN;
  // Quiet by default; run with POWERTOOLS_LOG_LEVEL=DEBUG to see the handlers' logs.
  process.env.POWERTOOLS_LOG_LEVEL ??= 'SILENT';
  process.env.POWERTOOLS_METRICS_DISABLED ??= 'true';

  // Where the bundled sync and async assembly goes: the first test that needs it synthesizes it,
  // so a run without such a test does not pay for the bundling.
  process.env[SHARED_ASSEMBLY_ENVIRONMENT_VARIABLE] = path.join(
    fs.mkdtempSync(path.join(os.tmpdir(), 'shared-assembly-')),
    'assembly',
  );
}
