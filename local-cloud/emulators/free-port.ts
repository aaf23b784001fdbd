/**
 * Finding a free TCP port for a local emulator.
 */
import { createServer } from 'node:net';

/**
 * Returns a TCP port that is free right now, by letting the OS pick one for a throwaway listener.
 * Another process could take it before the caller binds it; for test emulators that race is
 * acceptable.
 */
export async function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen({ port: 0, host }, () => {
      const address = server.address();
      if (address === null || typeof address === 'string') {
        server.close();
        reject(new Error(`Could not determine a free port (got ${String(address)})`));
        return;
      }
      server.close(() => resolve(address.port));
    });
  });
}

/**
 * Fails with a message that names the port, what wanted it and the option that picks another, when
 * something already listens on it. Port 0 or undefined (any free port) always passes.
 */
export async function assertPortFree(
  port: number | undefined,
  what: string,
  option: string,
  host = '127.0.0.1',
): Promise<void> {
  if (!port) return;
  await new Promise<void>((resolve, reject) => {
    const server = createServer();
    server.once('error', (error: NodeJS.ErrnoException) => {
      reject(
        error.code === 'EADDRINUSE'
          ? new Error(
              `Port ${port} is already in use, so ${what} cannot listen on it; choose another with ${option} <port>`,
            )
          : error,
      );
    });
    server.listen({ port, host }, () => server.close(() => resolve()));
  });
}
