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
