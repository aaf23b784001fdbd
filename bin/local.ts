#!/usr/bin/env node
/**
 * `npm run local`: synthesizes the variants (or reuses a fresh assembly), runs them in the local
 * cloud, prints where they answer, writes their outputs like `cdk deploy --outputs-file`, and serves
 * until Ctrl-C or SIGTERM, which stop everything it started.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { VARIANTS, type Variant } from '../lib/config';
import type { ControlServer } from '../local-cloud/control/control-server';
import type { LocalCloud } from '../local-cloud/local-cloud';
import { LOCAL_CLOUD_STATE_FILE, type LocalCloudState } from '../local-cloud/control/state-file';
import { isAssemblyFresh } from '../local-cloud/assembly-stamp';
import { startEmulators, type LocalEmulators } from '../local-cloud/emulators/emulators';
import { parseCommandLine } from './cli';
import { LOCAL_COMMAND } from './commands';

const projectRoot = path.join(__dirname, '..');

function readCommandLine() {
  const values = parseCommandLine(LOCAL_COMMAND);
  const port = (name: 'api-port' | 'dynamodb-port' | 'sqs-port' | 'control-port' | 'global-port'): number => {
    const value = Number(values[name]);
    if (!Number.isInteger(value) || value < 0 || value > 65_535) {
      throw new Error(`--${name} must be a port number from 0 to 65535 (given ${values[name]})`);
    }
    return value;
  };
  const variants = values.variants.split(',').map((variant) => variant.trim());
  for (const variant of variants) {
    if (!(VARIANTS as readonly string[]).includes(variant)) {
      throw new Error(`--variants takes ${VARIANTS.join(', ')} (given ${variant})`);
    }
  }
  const healthCheckInterval = values['health-check-interval'];
  const healthCheckIntervalMillis =
    healthCheckInterval === undefined ? undefined : Number(healthCheckInterval);
  if (
    healthCheckIntervalMillis !== undefined &&
    !(Number.isInteger(healthCheckIntervalMillis) && healthCheckIntervalMillis >= 100)
  ) {
    throw new Error(
      `--health-check-interval must be a whole number of milliseconds, 100 or more (given ${healthCheckInterval})`,
    );
  }
  const alarmTimeScale = Number(values['alarm-time-scale']);
  if (!(Number.isFinite(alarmTimeScale) && alarmTimeScale >= 1 && alarmTimeScale <= 600)) {
    throw new Error(
      `--alarm-time-scale must be a number from 1 to 600 (given ${values['alarm-time-scale']})`,
    );
  }
  return {
    alarmTimeScale,
    variants: variants as Variant[],
    outputsFile: path.resolve(values['outputs-file']),
    assembly: values.assembly,
    forceSynth: values.synth,
    ports: {
      api: port('api-port'),
      dynamodb: port('dynamodb-port'),
      sqs: port('sqs-port'),
      global: values['global-port'] === undefined ? undefined : port('global-port'),
    },
    healthCheckIntervalMillis,
    controlPort: port('control-port'),
    stateFile: path.resolve(values['state-file'] ?? path.join(projectRoot, LOCAL_CLOUD_STATE_FILE)),
  };
}

function printStatus(cloud: LocalCloud): void {
  console.table(
    cloud.stacks.map((stack) => {
      const outputs = cloud.outputs[stack.stackName];
      return {
        stack: stack.stackName,
        region: stack.region,
        'API URL': outputs.ApiUrl ?? stack.apiUrl,
        'health URL': outputs.HealthUrl ?? `${stack.apiUrl}health`,
        emulated: cloud.emulated.filter((resource) => resource.stackName === stack.stackName).length,
        'not emulated': cloud.notEmulated.filter((resource) => resource.stackName === stack.stackName).length,
      };
    }),
  );
  const types = (resources: ReadonlyArray<{ type: string }>) =>
    [...new Set(resources.map((r) => r.type))].sort().join(', ');
  for (const endpoint of cloud.globalEndpoints) {
    const status = cloud.multiRegion.route53Status()?.names.find(({ name }) => name === endpoint.name);
    console.log(
      `Global URL (Route 53 stand-in for https://${endpoint.name}/): ${endpoint.url} → now ${status?.answerRegion ?? 'no region'}`,
    );
  }
  for (const replication of cloud.multiRegion.replicationStatus()) {
    console.log(
      `Global table ${replication.tableName}: replicated between ${replication.replicas.map((replica) => replica.region).join(', ')} over DynamoDB Streams`,
    );
  }
  console.log(`Emulated: ${types(cloud.emulated)}`);
  console.log(`Not emulated (listed, not run): ${types(cloud.notEmulated)}`);
}

async function main(): Promise<void> {
  // Milliseconds since this process started: Node.js, the TypeScript loader and the modules.
  const loadedMillis = performance.now();
  const options = readCommandLine();
  // DynamoDB Local's JVM is the slowest part of the start (2–3 s here): it starts first, while the
  // rest of the local cloud loads (aws-cdk-lib among it) and the assembly is synthesized or reused.
  const emulatorsStarting = startEmulators({ dynamodb: options.ports.dynamodb, sqs: options.ports.sqs });
  // Reported where the start fails; a failure before it is awaited is not an unhandled rejection.
  emulatorsStarting.catch(() => undefined);
  // A signal during the start (a synthesis can take a while) stops the emulators, never leaving a JVM.
  const stopDuringStart = (): void => {
    void emulatorsStarting
      .then((emulators) => emulators.stop())
      .catch(() => undefined)
      .then(() => process.exit(130));
  };
  process.once('SIGINT', stopDuringStart);
  process.once('SIGTERM', stopDuringStart);
  try {
    await serve(options, loadedMillis, emulatorsStarting, () => {
      process.removeListener('SIGINT', stopDuringStart);
      process.removeListener('SIGTERM', stopDuringStart);
    });
  } catch (error) {
    await (await emulatorsStarting.catch(() => undefined))?.stop();
    throw error;
  }
}

/** Synthesizes or reuses the assembly, starts the local cloud on the emulators, serves until a signal. */
async function serve(
  options: ReturnType<typeof readCommandLine>,
  loadedMillis: number,
  emulatorsStarting: Promise<LocalEmulators>,
  /** Called when serve installs its own signal handlers. */
  onOwnSignalHandlers: () => void,
): Promise<void> {
  const [{ startLocalCloud }, { startControlServer }] = await Promise.all([
    import('../local-cloud/local-cloud'),
    import('../local-cloud/control/control-server'),
  ]);
  let assemblyDir = options.assembly ? path.resolve(options.assembly) : undefined;
  if (!assemblyDir) {
    const inputs = {
      projectRoot,
      outdir: path.join(projectRoot, 'cdk.out', 'local'),
      variants: options.variants,
    };
    assemblyDir = inputs.outdir;
    if (!options.forceSynth && isAssemblyFresh(inputs)) {
      console.log(`Reusing the fresh cloud assembly in ${path.relative(projectRoot, assemblyDir)}`);
    } else {
      // The CDK app is loaded only to synthesize: while DynamoDB Local's JVM boots, every CPU
      // millisecond counts on a small machine.
      const started = Date.now();
      const { synthesizeForLocalCloud } = await import('../local-cloud/synthesize');
      synthesizeForLocalCloud({ ...inputs, force: true });
      console.log(
        `Synthesized ${options.variants.join(', ')} into ${path.relative(projectRoot, assemblyDir)} in ${((Date.now() - started) / 1000).toFixed(1)} s`,
      );
    }
  }

  const startedAt = Date.now();
  const emulators = await emulatorsStarting;
  const emulatorsWaitMillis = Date.now() - startedAt;
  // The synthesized assembly holds only the chosen variants' stacks (multi has one per region).
  const cloud = await startLocalCloud({
    assemblyDir,
    emulators: { dynamodbEndpoint: emulators.dynamodb.endpoint, sqsEndpoint: emulators.sqs.endpoint },
    ports: options.ports,
    healthCheckIntervalMillis: options.healthCheckIntervalMillis,
    alarms: { timeScale: options.alarmTimeScale },
  });
  let control: ControlServer | undefined;
  const { stateFile } = options;
  let stopping: Promise<void> | undefined;
  const stop = (signal: string) =>
    (stopping ??= (async () => {
      console.log(`\n${signal}: stopping the local cloud...`);
      await control?.close();
      await cloud.stop();
      await emulators.stop();
      fs.rmSync(stateFile, { force: true });
      console.log('Stopped.');
    })());
  onOwnSignalHandlers();
  process.once('SIGINT', () => void stop('SIGINT').then(() => process.exit(0)));
  process.once('SIGTERM', () => void stop('SIGTERM').then(() => process.exit(0)));

  try {
    control = await startControlServer(cloud, options.controlPort);
  } catch (error) {
    await cloud.stop();
    await emulators.stop();
    throw new Error(
      `The control server cannot listen on port ${options.controlPort}: ${(error as Error).message}; choose another with --control-port <port>`,
    );
  }
  fs.writeFileSync(options.outputsFile, `${JSON.stringify(cloud.outputs, null, 2)}\n`);
  const state: LocalCloudState = {
    controlUrl: control.url,
    pid: process.pid,
    outputsFile: options.outputsFile,
  };
  fs.mkdirSync(path.dirname(stateFile), { recursive: true });
  fs.writeFileSync(stateFile, JSON.stringify(state, null, 2));

  const steps = [
    ['waiting for DynamoDB Local and the SQS emulator (started at launch)', emulatorsWaitMillis] as const,
    ...cloud.startupMillis,
  ].map(([step, millis]) => `${step} ${(millis / 1000).toFixed(1)} s`);
  console.log(
    `Local cloud started in ${((Date.now() - startedAt) / 1000).toFixed(1)} s (${steps.join(', ')}).`,
  );
  printStatus(cloud);
  console.log(`Outputs: ${path.relative(process.cwd(), options.outputsFile) || options.outputsFile}`);
  console.log(
    `Control: ${control.url} (npm run chaos -- <fault>); DynamoDB Local ${cloud.dynamodbEndpoint}; SQS ${cloud.sqsEndpoint}`,
  );
  const scale = cloud.alarms.scale;
  console.log(
    `Alarms: ${cloud.alarms.list().length}, evaluated from computed metrics every ${cloud.alarms.evaluationIntervalMillis / 1000} s` +
      (scale === 1
        ? ' (as CloudWatch)'
        : ` (CloudWatch's clock ${scale}x faster: a 5-minute period lasts ${300 / scale} s)`),
  );
  console.log(
    `Ready. ${(performance.now() / 1000).toFixed(1)} s after launch (loading the command ${(loadedMillis / 1000).toFixed(1)} s). Press Ctrl-C to stop.`,
  );
}

main().catch((error: unknown) => {
  console.error(`npm run local: ${(error as Error).message}`);
  process.exit(1);
});
