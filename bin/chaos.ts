#!/usr/bin/env node
/**
 * `npm run chaos -- <fault> [arguments]`: injects a fault into the running local cloud (started by
 * `npm run local`), which logs it with a timestamp. `npm run chaos -- status` shows the faults in force.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CHAOS_USAGE, parseFaultCommand } from '../local-cloud/control/fault-commands';
import { LOCAL_CLOUD_STATE_FILE, type LocalCloudState } from '../local-cloud/control/state-file';

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.includes('--help') || args.length === 0) {
    console.log(CHAOS_USAGE);
    process.exit(args.length === 0 ? 1 : 0);
  }
  const command = parseFaultCommand(args);
  const stateFile = process.env.LOCAL_CLOUD_STATE_FILE ?? path.join(__dirname, '..', LOCAL_CLOUD_STATE_FILE);
  if (!fs.existsSync(stateFile)) {
    throw new Error('No local cloud is running (start one with npm run local)');
  }
  const state = JSON.parse(fs.readFileSync(stateFile, 'utf8')) as LocalCloudState;
  const response = await fetch(
    command === 'status' ? `${state.controlUrl}/status` : `${state.controlUrl}/faults`,
    command === 'status'
      ? undefined
      : { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(command) },
  ).catch(() => {
    throw new Error(
      `The local cloud at ${state.controlUrl} does not answer; is npm run local still running?`,
    );
  });
  const body = (await response.json()) as Record<string, unknown>;
  if (!response.ok) throw new Error(String(body.error));
  console.log(`${new Date().toISOString()} ${JSON.stringify(body, null, 2)}`);
}

main().catch((error: unknown) => {
  console.error(`npm run chaos: ${(error as Error).message}`);
  process.exit(1);
});
