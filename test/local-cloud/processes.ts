/**
 * Checks on the processes the local cloud starts, for the "no orphans" tests.
 */
import { execFileSync } from 'node:child_process';

/** Whether a process of this id exists. */
export function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Command lines of every process on the machine that is a function worker of the given assembly,
 * whoever its parent is now (an orphan is re-parented, so a parent-based check would miss it).
 */
export function workerProcessesOf(assemblyDirectory: string): string[] {
  return execFileSync('ps', ['-eo', 'pid=,args='], { encoding: 'utf8' })
    .split('\n')
    .filter((line) => line.includes('function-runner') && line.includes(assemblyDirectory));
}
