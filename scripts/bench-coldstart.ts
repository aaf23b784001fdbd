#!/usr/bin/env node
/**
 * `npm run bench:coldstart`: how close each function's cold start is to the floor.
 *
 * It synthesizes the variants, and for every distinct function bundle prints its size, its source
 * map's size and its module load time beside a **baseline**: the smallest handler that creates the
 * same AWS SDK clients the function bundles, built here from the installed SDK with the same esbuild
 * options (`FUNCTION_BUNDLING`), so the floor follows SDK upgrades. Ratios are function ÷ baseline,
 * measured in the same run.
 *
 * Load time is what a fresh Node.js process spends in `import()` of the bundle (module parsing and
 * everything the bundle runs at load: creating clients, reading the environment), with the
 * function's own environment from the template. Each figure is the median (and range) over `--runs`
 * fresh processes; function and baseline runs are interleaved so that drift on this machine hits
 * both alike. It is measured with and without `--enable-source-maps`. The local Node.js may be older
 * than the functions' runtime (nodejs24.x); the ratios, not the milliseconds, are the result.
 *
 * For a function above the target (1.3× in size or load time) it names the packages that cost the
 * most beyond the baseline, from esbuild's metafile of the same entry.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseArgs } from 'node:util';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import type { Variant } from '../lib/config';
import { FUNCTION_BUNDLING, ResilientFunction } from '../lib/constructs/resilient-function';
import { readCloudAssembly } from '../local-cloud/assembly/cloud-assembly';
import { IntrinsicResolver } from '../local-cloud/assembly/intrinsic-resolver';
import {
  functionDefinitionsOf,
  type LocalFunctionDefinition,
} from '../local-cloud/lambda/function-definitions';
import { handlerFileOf } from '../local-cloud/lambda/handler-file';
import { LOCAL_CREDENTIALS } from '../local-cloud/region-runtime';
import { localVariantApp } from '../local-cloud/synthesize';
import { nearestRankPercentile } from '../load-tests/metrics/latency';

const PROJECT_ROOT = path.join(__dirname, '..');
const WORK_DIRECTORY = path.join(PROJECT_ROOT, 'node_modules', '.cache', 'bench-coldstart');
const VARIANTS: readonly Variant[] = ['sync', 'async', 'multi'];
/** The issue's target: every function within 1.3× of its baseline, in size and in load time. */
const TARGET_RATIO = 1.3;
const SOURCE_MAPS = '--enable-source-maps';

/** A distinct bundle and the functions (across variants) that deploy it. */
interface FunctionBundle {
  readonly names: string[];
  readonly entry: string;
  readonly file: string;
  readonly environment: Record<string, string>;
}

/** The baseline of a set of SDK packages. */
interface Baseline {
  readonly packages: readonly string[];
  readonly file: string;
  readonly metafile: Metafile;
}

interface LoadTimes {
  readonly withMaps: number[];
  readonly withoutMaps: number[];
}

function readOptions(): { runs: number } {
  const { values } = parseArgs({ options: { runs: { type: 'string', default: '7' } } });
  const runs = Number(values.runs);
  if (!Number.isInteger(runs) || runs < 1)
    throw new Error(`--runs must be a whole number ≥ 1 (given ${values.runs})`);
  return { runs };
}

/**
 * Synthesizes every variant and collects the distinct function bundles, each with the environment
 * the local cloud would give it (placeholders for the resources the variables name: nothing is
 * called at load).
 */
function synthesizeFunctions(outdir: string): FunctionBundle[] {
  const app = localVariantApp({ projectRoot: PROJECT_ROOT, outdir, variants: VARIANTS });
  app.synth();
  const definitions = new Map<string, LocalFunctionDefinition>();
  for (const stack of readCloudAssembly(outdir).stacks) {
    const region = stack.region ?? 'us-east-1';
    const accountId = '000000000000';
    for (const definition of functionDefinitionsOf(stack, {
      resolver: new IntrinsicResolver({
        stackName: stack.stackName,
        template: stack.template,
        region,
        accountId,
        placeholders: true,
      }),
      assemblyDirectory: outdir,
      region,
      accountId,
      dynamodbEndpoint: 'http://127.0.0.1:1',
      sqsEndpoint: 'http://127.0.0.1:1',
      credentials: LOCAL_CREDENTIALS,
    })) {
      definitions.set(`${stack.stackName}/${definition.logicalId}`, definition);
    }
  }
  const bundles = new Map<string, FunctionBundle>();
  for (const construct of app.node.findAll()) {
    if (!(construct instanceof ResilientFunction)) continue;
    const stack = Stack.of(construct);
    const logicalId = stack.getLogicalId(construct.function.node.defaultChild as CfnElement);
    const definition = definitions.get(`${stack.stackName}/${logicalId}`);
    if (!definition)
      throw new Error(`${construct.node.path} is not a function of ${stack.stackName}'s template`);
    const name = `${stack.stackName}/${construct.node.id}`;
    const file = bundleFile(definition.handlerModulePath);
    const known = bundles.get(file);
    if (known) known.names.push(name);
    else
      bundles.set(file, {
        names: [name],
        entry: construct.entry,
        file,
        environment: { ...definition.environment },
      });
  }
  return [...bundles.values()];
}

/** The file Lambda loads for a handler module such as `index` (see `handler-file.ts`). */
function bundleFile(modulePath: string): string {
  const found = handlerFileOf(modulePath);
  if (!found) throw new Error(`No bundle ${modulePath}.js, .mjs or .cjs`);
  return found.file;
}

/** The esbuild options NodejsFunction derives from FUNCTION_BUNDLING. */
function esbuildOptions(): BuildOptions {
  const bundling = FUNCTION_BUNDLING as {
    minify?: boolean;
    sourceMap?: boolean;
    sourcesContent?: boolean;
    target?: string;
    format?: string;
    mainFields?: string[];
    banner?: string;
  };
  return {
    bundle: true,
    platform: 'node',
    minify: bundling.minify,
    sourcemap: bundling.sourceMap,
    sourcesContent: bundling.sourcesContent,
    target: bundling.target,
    format: bundling.format === 'esm' ? 'esm' : 'cjs',
    mainFields: bundling.mainFields,
    banner: bundling.banner ? { js: bundling.banner } : undefined,
    logLevel: 'error',
  };
}

/** The AWS SDK packages (clients and lib-dynamodb) a metafile's inputs come from. */
function sdkPackages(metafile: Metafile): string[] {
  const packages = new Set<string>();
  for (const input of Object.keys(metafile.inputs)) {
    const match = /node_modules\/(@aws-sdk\/(?:client-[a-z0-9-]+|lib-dynamodb))\//.exec(input);
    if (match) packages.add(match[1]);
  }
  return [...packages].sort();
}

/** Bytes in the output per package (or `(project)` for the project's own code). */
function bytesByPackage(metafile: Metafile): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const output of Object.values(metafile.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
      const match = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(input);
      const name = match ? match[1] : '(project)';
      sizes.set(name, (sizes.get(name) ?? 0) + bytesInOutput);
    }
  }
  return sizes;
}

/** The client class a package exports, e.g. `SQSClient` of `@aws-sdk/client-sqs`. */
function clientClassOf(packageName: string): string {
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- the installed package, looked up by name
  const exported = Object.keys(require(packageName) as Record<string, unknown>);
  const candidates = exported.filter((name) => /^[A-Z][A-Za-z0-9]*Client$/.test(name));
  const client = candidates.find((name) => name !== 'DynamoDBDocumentClient') ?? candidates[0];
  if (!client) throw new Error(`${packageName} exports no client class`);
  return client;
}

/** Source of the smallest handler that creates one client of each package. */
function baselineSource(packages: readonly string[]): string {
  const lines: string[] = [];
  const clients: string[] = [];
  for (const packageName of packages) {
    if (packageName === '@aws-sdk/lib-dynamodb') continue;
    const client = clientClassOf(packageName);
    lines.push(`import { ${client} } from '${packageName}';`);
    clients.push(`new ${client}({})`);
  }
  if (packages.includes('@aws-sdk/lib-dynamodb')) {
    lines.push(`import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';`);
    if (!packages.includes('@aws-sdk/client-dynamodb'))
      lines.push(`import { DynamoDBClient } from '@aws-sdk/client-dynamodb';`);
    clients.push('DynamoDBDocumentClient.from(new DynamoDBClient({}))');
  }
  lines.push(`const clients = [${clients.join(', ')}];`);
  lines.push('export const handler = async () => clients.length;');
  return `${lines.join('\n')}\n`;
}

async function buildBaseline(packages: readonly string[], index: number): Promise<Baseline> {
  const folder = path.join(WORK_DIRECTORY, `baseline-${index}`);
  fs.mkdirSync(folder, { recursive: true });
  const entry = path.join(folder, 'entry.ts');
  fs.writeFileSync(entry, baselineSource(packages));
  const options = esbuildOptions();
  const file = path.join(folder, options.format === 'esm' ? 'index.mjs' : 'index.js');
  const { metafile } = await build({ ...options, entryPoints: [entry], outfile: file, metafile: true });
  return { packages, file, metafile };
}

/**
 * Runs a script in a fresh Node.js process with the function's environment, the bundle's path as
 * its argument, and `--enable-source-maps` on or off whatever the environment's NODE_OPTIONS say.
 */
function runBesideBundle(
  script: string,
  file: string,
  environment: Record<string, string>,
  sourceMaps: boolean,
): { status: number | null; stdout: string; stderr: string } {
  const nodeOptions = (environment.NODE_OPTIONS ?? '')
    .split(' ')
    .filter((flag) => flag !== '' && flag !== SOURCE_MAPS);
  if (sourceMaps) nodeOptions.push(SOURCE_MAPS);
  return spawnSync(process.execPath, ['-e', script, file], {
    env: { PATH: process.env.PATH, ...environment, NODE_OPTIONS: nodeOptions.join(' ') },
    encoding: 'utf8',
    timeout: 30_000,
  });
}

/** Milliseconds a fresh process spends importing the bundle. */
function loadTime(file: string, environment: Record<string, string>, sourceMaps: boolean): number {
  const script =
    "const t=performance.now();import(require('node:url').pathToFileURL(process.argv[1]).href)" +
    '.then(()=>process.stdout.write(String(performance.now()-t)))';
  const child = runBesideBundle(script, file, environment, sourceMaps);
  const milliseconds = Number(child.stdout);
  if (child.status !== 0 || !Number.isFinite(milliseconds)) {
    throw new Error(`Loading ${file} failed (exit ${child.status}): ${child.stderr.trim()}`);
  }
  return milliseconds;
}

/**
 * Milliseconds to throw inside the bundle and read the error's stack (what a logged error costs):
 * the first time in a fresh process, and the median of the next five.
 */
function errorStackTime(
  file: string,
  environment: Record<string, string>,
  sourceMaps: boolean,
): { first: number; next: number } {
  // The handler called with a null event throws inside the bundle's own code.
  const script = `import(require('node:url').pathToFileURL(process.argv[1]).href).then(async (loaded) => {
    const once = async () => {
      const started = performance.now();
      try { await loaded.handler(null, {}); } catch (error) { String(error && error.stack); return performance.now() - started; }
      throw new Error('the handler did not throw for a null event');
    };
    const first = await once();
    const next = [];
    for (let i = 0; i < 5; i++) next.push(await once());
    next.sort((a, b) => a - b);
    process.stdout.write('\\nBENCH ' + JSON.stringify({ first, next: next[2] }) + '\\n');
    process.exit(0);
  })`;
  const child = runBesideBundle(script, file, environment, sourceMaps);
  const line = child.stdout.split('\n').find((candidate) => candidate.startsWith('BENCH '));
  if (child.status !== 0 || line === undefined) {
    throw new Error(`Timing an error in ${file} failed (exit ${child.status}): ${child.stderr.trim()}`);
  }
  return JSON.parse(line.slice('BENCH '.length)) as { first: number; next: number };
}

/** The median (nearest rank), as the experiment's metrics take it. */
function median(values: readonly number[]): number {
  return nearestRankPercentile(
    [...values].sort((a, b) => a - b),
    50,
  ) as number;
}

function describe(values: readonly number[]): string {
  return `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
}

const kilobytes = (bytes: number): string => `${(bytes / 1024).toFixed(0)} KB`;
const ratio = (value: number, base: number): string => `${(value / base).toFixed(2)}×`;
const sizeOf = (file: string): number => fs.statSync(file).size;
const mapSizeOf = (file: string): number => (fs.existsSync(`${file}.map`) ? sizeOf(`${file}.map`) : 0);

async function main(): Promise<void> {
  const { runs } = readOptions();
  fs.rmSync(WORK_DIRECTORY, { recursive: true, force: true });
  fs.mkdirSync(WORK_DIRECTORY, { recursive: true });
  let started = performance.now();
  const functions = synthesizeFunctions(path.join(WORK_DIRECTORY, 'cdk.out'));
  console.log(
    `Synthesized ${VARIANTS.join(', ')}: ${functions.length} distinct function bundles ` +
      `(${((performance.now() - started) / 1000).toFixed(1)} s). Options: ${JSON.stringify(FUNCTION_BUNDLING)}`,
  );

  started = performance.now();
  const metafiles = new Map<FunctionBundle, Metafile>();
  const baselines = new Map<string, Baseline>();
  const baselineOf = new Map<FunctionBundle, Baseline>();
  for (const bundle of functions) {
    const result = await build({
      ...esbuildOptions(),
      entryPoints: [bundle.entry],
      write: false,
      outdir: WORK_DIRECTORY,
      metafile: true,
    });
    metafiles.set(bundle, result.metafile);
    const packages = sdkPackages(result.metafile);
    const key = packages.join(' ');
    if (!baselines.has(key)) baselines.set(key, await buildBaseline(packages, baselines.size));
    baselineOf.set(bundle, baselines.get(key) as Baseline);
  }
  console.log(
    `Built ${baselines.size} baselines from the installed SDK (${((performance.now() - started) / 1000).toFixed(1)} s).`,
  );

  // Interleaved: every round loads each function and then its baseline, with and without maps.
  const times = new Map<string, LoadTimes>();
  const record = (key: string, sourceMaps: boolean, milliseconds: number): void => {
    const entry = times.get(key) ?? { withMaps: [], withoutMaps: [] };
    (sourceMaps ? entry.withMaps : entry.withoutMaps).push(milliseconds);
    times.set(key, entry);
  };
  started = performance.now();
  for (let run = 0; run < runs; run++) {
    for (const bundle of functions) {
      const baseline = baselineOf.get(bundle) as Baseline;
      for (const sourceMaps of [true, false]) {
        record(bundle.file, sourceMaps, loadTime(bundle.file, bundle.environment, sourceMaps));
        record(
          `${bundle.file} baseline`,
          sourceMaps,
          loadTime(baseline.file, bundle.environment, sourceMaps),
        );
      }
    }
  }
  console.log(
    `Loaded each bundle and its baseline ${runs} times with and without ${SOURCE_MAPS}, interleaved, in fresh ` +
      `Node.js ${process.version} processes (${((performance.now() - started) / 1000).toFixed(1)} s).\n`,
  );

  // What an error costs with and without the maps: the first stack read in a process, then later ones.
  const errorCosts = new Map<
    FunctionBundle,
    Record<'withMaps' | 'withoutMaps', { first: number[]; next: number[] }>
  >();
  for (const bundle of functions) {
    const costs = {
      withMaps: { first: [] as number[], next: [] as number[] },
      withoutMaps: { first: [] as number[], next: [] as number[] },
    };
    for (let run = 0; run < runs; run++) {
      for (const sourceMaps of [true, false]) {
        const { first, next } = errorStackTime(bundle.file, bundle.environment, sourceMaps);
        const target = sourceMaps ? costs.withMaps : costs.withoutMaps;
        target.first.push(first);
        target.next.push(next);
      }
    }
    errorCosts.set(bundle, costs);
  }

  const misses: string[] = [];
  for (const bundle of functions) {
    const baseline = baselineOf.get(bundle) as Baseline;
    const own = times.get(bundle.file) as LoadTimes;
    const base = times.get(`${bundle.file} baseline`) as LoadTimes;
    const sizeRatio = sizeOf(bundle.file) / sizeOf(baseline.file);
    const loadRatio = median(own.withMaps) / median(base.withMaps);
    const loadRatioWithoutMaps = median(own.withoutMaps) / median(base.withoutMaps);
    console.log(`${bundle.names.join(', ')}`);
    console.log(`  SDK clients: ${baseline.packages.join(', ') || '(none)'}`);
    console.log(
      `  bundle ${kilobytes(sizeOf(bundle.file))} (map ${kilobytes(mapSizeOf(bundle.file))}) vs baseline ` +
        `${kilobytes(sizeOf(baseline.file))} (map ${kilobytes(mapSizeOf(baseline.file))}): ${sizeRatio.toFixed(2)}×`,
    );
    console.log(
      `  load ms, median (range), with ${SOURCE_MAPS}: ${describe(own.withMaps)} vs ${describe(base.withMaps)}: ` +
        `${loadRatio.toFixed(2)}×`,
    );
    console.log(
      `  load ms, without: ${describe(own.withoutMaps)} vs ${describe(base.withoutMaps)}: ` +
        `${loadRatioWithoutMaps.toFixed(2)}×; the maps cost ${ratio(median(own.withMaps), median(own.withoutMaps))} at load`,
    );
    const errors = errorCosts.get(bundle)!;
    console.log(
      `  an error's stack, ms (first in a process / later), with ${SOURCE_MAPS}: ` +
        `${median(errors.withMaps.first).toFixed(2)} / ${median(errors.withMaps.next).toFixed(2)}; without: ` +
        `${median(errors.withoutMaps.first).toFixed(2)} / ${median(errors.withoutMaps.next).toFixed(2)}`,
    );
    if (sizeRatio > TARGET_RATIO || loadRatio > TARGET_RATIO) {
      const own = bytesByPackage(metafiles.get(bundle) as Metafile);
      const floor = bytesByPackage(baseline.metafile);
      const extra = [...own]
        .map(([name, bytes]) => [name, bytes - (floor.get(name) ?? 0)] as const)
        .filter(([, bytes]) => bytes > 0)
        .sort((a, b) => b[1] - a[1])
        .slice(0, 6);
      console.log(
        `  beyond the baseline: ${extra.map(([name, bytes]) => `${name} ${kilobytes(bytes)}`).join(', ')}`,
      );
      misses.push(bundle.names[0]);
    }
  }
  console.log(
    `\nTarget ≤ ${TARGET_RATIO}× in size and load time (with ${SOURCE_MAPS}): ` +
      (misses.length === 0
        ? 'every function meets it.'
        : `${functions.length - misses.length}/${functions.length} meet it; not: ${misses.join(', ')}.`),
  );
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
