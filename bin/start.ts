#!/usr/bin/env node
/**
 * `npm start`: the project's main job. Synthesizes the variants (or reuses a fresh assembly), runs
 * each one in the local cloud through the load ramp and the fault timeline with Artillery, shows
 * progress, then prints a summary table and the path of the report it wrote.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { SingleBar } from 'cli-progress';
import { VARIANTS, type Variant } from '../lib/config';
import { EXPERIMENT_CAPACITY } from '../load-tests/experiment/experiment-capacity';
import { runExperiment } from '../load-tests/experiment/experiment';
import { PROFILE_NAMES, profileNamed } from '../load-tests/experiment/profiles';
import type { VariantProgress } from '../load-tests/experiment/run-variant';
import { summaryRows } from '../load-tests/report';
import { synthesizeForLocalCloud } from '../local-cloud/synthesize';

const USAGE = `Usage: npm start -- [options]

  --profile <name>     ${PROFILE_NAMES.join(' or ')}: quick finishes within 5 minutes on 2 cores (default: quick)
  --variants <list>    variants to run, comma-separated (default: ${VARIANTS.join(',')})
  --reports <dir>      where reports/<timestamp>/ goes (default: reports)
  --synth              synthesize even when the assembly looks fresh`;

const projectRoot = path.join(__dirname, '..');

function parseCommandLine() {
  const { values } = parseArgs({
    options: {
      profile: { type: 'string', default: 'quick' },
      variants: { type: 'string', default: VARIANTS.join(',') },
      reports: { type: 'string', default: 'reports' },
      synth: { type: 'boolean', default: false },
      help: { type: 'boolean', default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const variants = values.variants.split(',').map((variant) => variant.trim());
  for (const variant of variants) {
    if (!(VARIANTS as readonly string[]).includes(variant)) {
      throw new Error(`--variants takes ${VARIANTS.join(', ')} (given ${variant})`);
    }
  }
  return {
    profile: profileNamed(values.profile),
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

async function main(): Promise<void> {
  const options = parseCommandLine();
  const started = Date.now();
  const outdir = path.join(projectRoot, 'cdk.out', 'experiment');
  process.stderr.write(`Synthesizing ${options.variants.join(', ')} for the local cloud... `);
  const synthesized = synthesizeForLocalCloud({
    projectRoot,
    outdir,
    variants: options.variants,
    force: options.forceSynth,
    capacity: EXPERIMENT_CAPACITY,
  });
  console.error(
    synthesized.reused
      ? 'reused a fresh assembly'
      : `done in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );

  fs.mkdirSync(options.reportsDirectory, { recursive: true });
  const logFile = path.join(options.reportsDirectory, 'last-run.log');
  const logStream = fs.createWriteStream(logFile);
  const display = progressDisplay();
  console.error(
    `Running the ${options.profile.name} profile (local cloud log: ${path.relative(process.cwd(), logFile)})`,
  );
  try {
    const outcome = await runExperiment({
      profile: options.profile,
      variants: options.variants,
      assemblyDir: synthesized.assemblyDir,
      projectRoot,
      reportsDirectory: options.reportsDirectory,
      onProgress: (progress) => display.update(progress),
      log: (line) => logStream.write(`${line}\n`),
    });
    display.stop();
    console.log();
    console.table(summaryRows(outcome.results));
    for (const note of outcome.results.run.notes ?? []) console.log(`- ${note}`);
    console.log();
    console.log(`Report: ${path.relative(process.cwd(), outcome.report.html)}`);
    console.log(`        ${path.relative(process.cwd(), outcome.report.markdown)}`);
    console.log(`        ${path.relative(process.cwd(), outcome.report.resultsJson)}`);
    console.log(`Total time: ${((Date.now() - started) / 1000).toFixed(0)} s`);
  } finally {
    display.stop();
    logStream.end();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
