import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import { createServer, type AddressInfo, type Server } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { synthesizeAssembly, type TestAssembly } from '../local-cloud/synthesized-assembly';
import { isRunning } from '../local-cloud/processes';

const projectRoot = path.join(__dirname, '../..');

/** Every process below `pid`, found through the parent ids `ps` reports. */
function descendantsOf(pid: number): number[] {
  const rows = execFileSync('ps', ['-eo', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number));
  const found: number[] = [];
  const queue = [pid];
  while (queue.length > 0) {
    const parent = queue.shift()!;
    for (const [child, childParent] of rows) {
      if (childParent === parent) {
        found.push(child);
        queue.push(child);
      }
    }
  }
  return found;
}

/**
 * Starts `npm run local` (as its script does) on an assembly, with free ports and temp files unless
 * `options` says otherwise.
 */
function startLocal(
  assemblyDir: string,
  workdir: string,
  options: Record<string, string> = {},
): { child: ChildProcess; output: () => string; stderr: () => string } {
  const args = {
    '--assembly': assemblyDir,
    '--outputs-file': path.join(workdir, 'outputs.json'),
    '--state-file': path.join(workdir, 'state.json'),
    '--api-port': '0',
    '--dynamodb-port': '0',
    '--sqs-port': '0',
    '--control-port': '0',
    ...options,
  };
  const child = spawn(process.execPath, ['--import', 'tsx', 'bin/local.ts', ...Object.entries(args).flat()], {
    cwd: projectRoot,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => {
    output += chunk.toString();
    stderr += chunk.toString();
  });
  return { child, output: () => output, stderr: () => stderr };
}

async function waitFor(condition: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('npm run local', () => {
  let assembly: TestAssembly;
  let workdir: string;

  beforeAll(() => {
    assembly = synthesizeAssembly({ variants: ['sync'], bundle: true });
    workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'local-cli-'));
  }, 60_000);

  afterAll(() => {
    assembly.remove();
    fs.rmSync(workdir, { recursive: true, force: true });
  });

  test.each(['SIGINT', 'SIGTERM'] as const)(
    'serves the assembly, then %s stops everything it started (no java or node left)',
    async (signal) => {
      // GIVEN a running local cloud
      const { child, output } = startLocal(assembly.directory, workdir);
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      await waitFor(
        () => {
          if (child.exitCode !== null) throw new Error(`npm run local exited early:\n${output()}`);
          return output().includes('Ready.');
        },
        60_000,
        output,
      );
      const outputs = JSON.parse(fs.readFileSync(path.join(workdir, 'outputs.json'), 'utf8'));
      const health = await fetch(outputs['ResilientApi-sync'].HealthUrl);
      expect(health.status).toBe(200);
      const state = JSON.parse(fs.readFileSync(path.join(workdir, 'state.json'), 'utf8'));
      expect(state.pid).toBe(child.pid);
      // AND its processes: DynamoDB Local (java) and the warm function workers (node)
      const started = descendantsOf(child.pid!);
      const commands = execFileSync('ps', ['-o', 'args=', '-p', started.join(',')], { encoding: 'utf8' });
      expect(commands).toMatch(/java .*DynamoDBLocal\.jar/);
      expect(commands).toMatch(/function-runner/);

      // WHEN it gets the signal
      child.kill(signal);

      // THEN it exits cleanly, removes its state file and leaves no process behind
      expect(await exited).toBe(0);
      expect(output()).toContain('Stopped.');
      expect(fs.existsSync(path.join(workdir, 'state.json'))).toBe(false);
      await waitFor(
        () => started.every((pid) => !isRunning(pid)),
        5_000,
        () => `still running: ${started.filter(isRunning).join(', ')}`,
      );
    },
    120_000,
  );

  test('fails with a clear message when a port is taken', async () => {
    // GIVEN something already listens on a port
    const blocker = await new Promise<Server>((resolve) => {
      const server = createServer();
      server.listen(0, '127.0.0.1', () => resolve(server));
    });
    const port = (blocker.address() as AddressInfo).port;
    try {
      // WHEN the local cloud is asked to use it for DynamoDB Local
      const { child, stderr } = startLocal(assembly.directory, workdir, { '--dynamodb-port': String(port) });
      const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
      // THEN it says which port and how to choose another
      expect(code).toBe(1);
      expect(stderr()).toContain(
        `Port ${port} is already in use, so DynamoDB Local cannot listen on it; choose another with --dynamodb-port <port>`,
      );
    } finally {
      blocker.close();
    }
  }, 60_000);
});
