#!/usr/bin/env node
/**
 * `npm start`: the project's main job. Synthesizes the variants (or reuses a fresh assembly), runs
 * each one in the local cloud through the load ramp and the fault timeline with Artillery, shows
 * progress, then prints a summary table and the path of the report it wrote.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SingleBar } from 'cli-progress';
import { VARIANTS, type Variant } from '../lib/config';
import { EXPERIMENT_CAPACITY } from '../load-tests/experiment/experiment-capacity';
import { runExperiment } from '../load-tests/experiment/experiment';
import { profileNamed } from '../load-tests/experiment/profiles';
import type { VariantProgress } from '../load-tests/experiment/run-variant';
import { summaryRows } from '../load-tests/report';
import { synthesizeForLocalCloud } from '../local-cloud/synthesize';
import { parseCommandLine } from './cli';
import { START_COMMAND } from './commands';

const projectRoot = path.join(__dirname, '..');

function readCommandLine() {
  const values = parseCommandLine(START_COMMAND);
  const variants = values.variants.split(',').map((variant) => variant.trim());
  for (const variant of variants) {
    if (!(VARIANTS as readonly string[]).includes(variant)) {
      throw new Error(`--variants takes ${VARIANTS.join(', ')} (given ${variant})`);
    }
  }
  const profile = profileNamed(values.profile);
  let budgetSeconds = profile.budgetSeconds;
  if (values.budget !== undefined) {
    if (!/^\d+$/.test(values.budget)) {
      throw new Error(`--budget takes a whole number of seconds, 0 for none (given ${values.budget})`);
    }
    budgetSeconds = Number(values.budget) === 0 ? undefined : Number(values.budget);
  }
  return {
    profile,
    budgetSeconds,
    variants: variants as Variant[],
    reportsDirectory: path.resolve(values.reports),
    forceSynth: values.synth,
  };
}

/** A bar on a terminal; one line every 5 s elsewhere (CI logs). */
function progressDisplay(): { update(progress: VariantProgress): void; stop(): void } {
  if (process.stderr.isTTY) {
    const bar = new SingleBar({
      format: '{variant} | {bar} | {phase} | {elapsed} s | {rps} req/s | {errors} errors',
      barsize: 24,
      hideCursor: true,
      clearOnComplete: false,
    });
    let current: string | undefined;
    return {
      update(progress) {
        const payload = {
          variant: progress.variant.padEnd(5),
          phase: progress.phase.padEnd(17),
          elapsed: progress.elapsedSeconds,
          rps: progress.requestsPerSecond,
          errors: progress.errors,
        };
        if (current !== progress.variant) {
          if (current !== undefined) bar.stop();
          bar.start(100, 0, payload);
          current = progress.variant;
        }
        bar.update(Math.round(progress.done * 100), payload);
      },
      stop: () => bar.stop(),
    };
  }
  let lastLine = 0;
  return {
    update(progress) {
      if (Date.now() - lastLine < 5000 && progress.phase !== 'draining') return;
      lastLine = Date.now();
      console.error(
        `${progress.variant} | ${progress.phase} | ${progress.elapsedSeconds} s | ${progress.requestsPerSecond} req/s | ${progress.errors} errors`,
      );
    },
    stop: () => {},
  };
}

/**
 * Runs `work` with everything written to this process's stdout and stderr (CDK's synthesis report,
 * bundling lines) going to `log` instead of the screen.
 */
function intoLog<T>(log: fs.WriteStream, work: () => T): T {
  const writes = {
    out: process.stdout.write.bind(process.stdout),
    err: process.stderr.write.bind(process.stderr),
  };
  const toLog = ((chunk: string | Uint8Array) => log.write(chunk)) as typeof process.stdout.write;
  process.stdout.write = toLog;
  process.stderr.write = toLog;
  try {
    return work();
  } finally {
    process.stdout.write = writes.out;
    process.stderr.write = writes.err;
  }
}

function seconds(millis: number): string {
  return `${(millis / 1000).toFixed(millis < 10_000 ? 1 : 0)} s`;
}

async function main(): Promise<void> {
  const options = readCommandLine();
  const started = Date.now();
  const deadline = options.budgetSeconds === undefined ? undefined : started + options.budgetSeconds * 1000;
  fs.mkdirSync(options.reportsDirectory, { recursive: true });
  const logFile = path.join(options.reportsDirectory, 'last-run.log');
  const logStream = fs.createWriteStream(logFile);
  const logLine = (line: string) => logStream.write(`${line}\n`);
  // Expected on Node 20 (the AWS SDK announces it will need Node 22): the run log, not the screen.
  process.removeAllListeners('warning');
  process.on('warning', (warning) =>
    logLine(`${new Date().toISOString()} ${warning.name}: ${warning.message}`),
  );

  const outdir = path.join(projectRoot, 'cdk.out', 'experiment');
  process.stderr.write(`Synthesizing ${options.variants.join(', ')} for the local cloud... `);
  const synthesized = intoLog(logStream, () =>
    synthesizeForLocalCloud({
      projectRoot,
      outdir,
      variants: options.variants,
      force: options.forceSynth,
      capacity: EXPERIMENT_CAPACITY,
    }),
  );
  const synthMillis = Date.now() - started;
  console.error(
    synthesized.reused
      ? 'reused a fresh assembly'
      : `done in ${seconds(synthMillis)} (its warnings are in the run log: the experiment raises the API throttles on purpose)`,
  );

  const display = progressDisplay();
  console.error(
    `Running the ${options.profile.name} profile${options.budgetSeconds === undefined ? '' : ` within ${options.budgetSeconds} s`} (run log: ${path.relative(process.cwd(), logFile)})`,
  );
  try {
    const outcome = await runExperiment({
      profile: options.profile,
      variants: options.variants,
      assemblyDir: synthesized.assemblyDir,
      projectRoot,
      reportsDirectory: options.reportsDirectory,
      deadline,
      onProgress: (progress) => display.update(progress),
      log: logLine,
    });
    display.stop();
    console.log();
    console.table(summaryRows(outcome.results));
    for (const note of outcome.results.run.notes ?? []) console.log(`- ${note}`);
    console.log();
    console.log(`Report: ${path.relative(process.cwd(), outcome.report.html)}`);
    console.log(`        ${path.relative(process.cwd(), outcome.report.markdown)}`);
    console.log(`        ${path.relative(process.cwd(), outcome.report.resultsJson)}`);
    console.log(whereTheTimeWent(synthMillis, outcome, Date.now() - started, options.budgetSeconds));
  } finally {
    display.stop();
    logStream.end();
  }
}

/** One line per phase: synthesis, the local cloud's start, each variant with its phases, the report. */
function whereTheTimeWent(
  synthMillis: number,
  outcome: Awaited<ReturnType<typeof runExperiment>>,
  totalMillis: number,
  budgetSeconds: number | undefined,
): string {
  const lines = [
    `Total time: ${seconds(totalMillis)}${budgetSeconds === undefined ? '' : ` (budget ${budgetSeconds} s)`}, of which`,
  ];
  lines.push(`  ${'synthesis'.padEnd(19)} ${seconds(synthMillis)}`);
  for (const [phase, millis] of outcome.phaseMillis) {
    const run = outcome.runs.get(phase);
    const parts = run ? ` (${run.phaseMillis.map(([name, ms]) => `${name} ${seconds(ms)}`).join(', ')})` : '';
    lines.push(`  ${phase.padEnd(19)} ${seconds(millis)}${parts}`);
  }
  return lines.join('\n');
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
