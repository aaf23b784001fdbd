/**
 * Starts the `fauxqs` SQS emulator in-process. Shared by the local cloud and the Jest global setup,
 * so nothing here depends on Jest.
 */
import { findFreePort } from './free-port';
import type { LocalEmulator, LocalEmulatorOptions } from './local-emulator';

/** The part of the fauxqs module this harness uses. */
interface FauxqsModule {
  readonly startFauxqs: (options: { port: number; logger: boolean }) => Promise<{
    readonly address: string;
    stop(): Promise<void>;
  }>;
}

// fauxqs is published as ESM only. TypeScript compiles `import()` to `require()` under CommonJS,
// which cannot load it, so the native dynamic import is reached through a Function.
// eslint-disable-next-line @typescript-eslint/no-implied-eval -- a constant string, not user input
const importEsm = new Function('specifier', 'return import(specifier)') as (
  specifier: string,
) => Promise<unknown>;

/**
 * Starts fauxqs on 127.0.0.1 and resolves once it listens. Queue URLs it hands out have the form
 * `http://sqs.<region>.localhost:<port>/<account>/<name>`; clients must send to {@link LocalEmulator.endpoint}
 * (an explicit `endpoint`, or `AWS_ENDPOINT_URL_SQS` with `useQueueUrlAsEndpoint: false`).
 */
export async function startSqsEmulator(options: LocalEmulatorOptions = {}): Promise<LocalEmulator> {
  const { startFauxqs } = (await importEsm('fauxqs')) as FauxqsModule;
  const port = options.port ?? (await findFreePort());
  const server = await startFauxqs({ port, logger: false });
  let stopped = false;
  return {
    endpoint: server.address,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await server.stop();
    },
  };
}
