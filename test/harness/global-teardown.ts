/**
 * Jest global teardown: stops the emulators the global setup started (and with them the JVM).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { EMULATORS_GLOBAL } from './global-setup';
import { SHARED_ASSEMBLY_ENVIRONMENT_VARIABLE } from '../local-cloud/synthesized-assembly';
import type { LocalEmulator } from '../../local-cloud/emulators/local-emulator';

/** Stops every emulator the global setup started. */
export default async function globalTeardown(): Promise<void> {
  const emulators = ((globalThis as Record<string, unknown>)[EMULATORS_GLOBAL] ?? []) as LocalEmulator[];
  await Promise.all(emulators.map((emulator) => emulator.stop()));
  const sharedAssembly = process.env[SHARED_ASSEMBLY_ENVIRONMENT_VARIABLE];
  if (sharedAssembly) fs.rmSync(path.dirname(sharedAssembly), { recursive: true, force: true });
}
