/**
 * Serving an HTTP request listener on 127.0.0.1, as the local cloud's small endpoints do (the
 * control planes, the chaos control server).
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A listening local server. */
export interface LocalServer {
  /** `http://127.0.0.1:<port>`. */
  readonly url: string;
  /** Stops listening and drops the open connections (keep-alive ones included). */
  close(): Promise<void>;
}

/** Listens on 127.0.0.1 (port 0: any free port). */
export async function listenLocally(server: http.Server, port = 0): Promise<LocalServer> {
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ port, host: '127.0.0.1' }, () => resolve());
  });
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
