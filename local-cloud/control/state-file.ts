/**
 * Where a running `npm run local` says how to reach it, so `npm run chaos` needs no arguments.
 */

/** Path of the state file, relative to the project root (git-ignored). */
export const LOCAL_CLOUD_STATE_FILE = '.local-cloud/state.json';

/** What the state file holds. */
export interface LocalCloudState {
  readonly controlUrl: string;
  readonly pid: number;
  readonly outputsFile: string;
}
