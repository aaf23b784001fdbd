/**
 * Whether the local cloud's cloud assembly is fresh: built for the same variants (and capacity)
 * after the last change to what it is built from. Light to import (no aws-cdk-lib), so that `npm run
 * local` loads the CDK app only when it has to synthesize.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** What an assembly is built for. */
export interface AssemblyInputs {
  /** The project's root folder (holds cdk.json). */
  readonly projectRoot: string;
  /** Where the assembly is. */
  readonly outdir: string;
  readonly variants: readonly string[];
  /** Throttles and concurrency limits it was synthesized with, when not the defaults. */
  readonly capacity?: unknown;
}

/** Everything an assembly is built from: when one of these is newer than the assembly, it is stale. */
const SOURCES = ['lib', 'lambdas', 'cdk.json', 'package-lock.json', 'local-cloud/synthesize.ts'];

const STAMP_FILE = 'local-cloud-variants.json';

/** Whether the assembly in `outdir` was built for these inputs after the last change to its sources. */
export function isAssemblyFresh(inputs: AssemblyInputs): boolean {
  const stampPath = path.join(inputs.outdir, STAMP_FILE);
  if (!fs.existsSync(stampPath)) return false;
  if (fs.readFileSync(stampPath, 'utf8') !== JSON.stringify(stampOf(inputs))) return false;
  const builtAt = fs.statSync(stampPath).mtimeMs;
  return SOURCES.every((source) => newestModification(path.join(inputs.projectRoot, source)) <= builtAt);
}

/** Records what the assembly in `outdir` was just built for. */
export function stampAssembly(inputs: AssemblyInputs): void {
  fs.writeFileSync(path.join(inputs.outdir, STAMP_FILE), JSON.stringify(stampOf(inputs)));
}

/** The stamp names what the assembly was built for: another capacity means another assembly. */
function stampOf(inputs: AssemblyInputs): unknown {
  const variants = [...inputs.variants].sort();
  return inputs.capacity ? { variants, capacity: inputs.capacity } : variants;
}

function newestModification(target: string): number {
  if (!fs.existsSync(target)) return 0;
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let newest = stat.mtimeMs;
  for (const entry of fs.readdirSync(target, { withFileTypes: true })) {
    if (entry.name === 'node_modules') continue;
    newest = Math.max(newest, newestModification(path.join(target, entry.name)));
  }
  return newest;
}
