/** Facts about the run's machine and source, for `RunMetadata`. */
import { execFileSync } from 'node:child_process';
import * as os from 'node:os';
import type { MachineInfo } from './results';

/** The machine this process runs on. */
export function machineInfo(): MachineInfo {
  const cpus = os.cpus();
  return {
    os: `${os.platform()} ${os.release()} ${os.arch()}`,
    cpus: cpus.length,
    cpuModel: cpus[0]?.model.trim() ?? 'unknown',
    memoryGiB: Math.round((os.totalmem() / 1024 ** 3) * 10) / 10,
    node: process.version,
  };
}

/** The commit checked out in `directory`, with `-dirty` when the tree has changes; `null` outside a git checkout. */
export function gitCommit(directory: string): string | null {
  try {
    const run = (args: string[]) =>
      execFileSync('git', args, { cwd: directory, encoding: 'utf8', stdio: 'pipe' });
    const commit = run(['rev-parse', 'HEAD']).trim();
    return run(['status', '--porcelain']).trim() === '' ? commit : `${commit}-dirty`;
  } catch {
    return null;
  }
}
