/**
 * A local HTTP server for the load-test client's tests: each request it accepts is handled by the
 * next step of a script (answer, hang, reset the connection), and it can stop listening and listen
 * again on the same port, so a client sees a refused connection and then an answer.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';

/** A request as the server received it. */
export interface ReceivedRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
}

/** What the server does with one request. */
export type ScriptStep =
  | {
      readonly status: number;
      readonly body?: unknown;
      readonly headers?: Record<string, string>;
      /** Answer with this body instead of `body` as JSON. */
      readonly rawBody?: string;
    }
  | 'hang'
  | 'reset';

/** A step of the script: answer `status` with a JSON body. */
export function jsonAnswer(
  status: number,
  body: unknown = {},
  headers: Record<string, string> = {},
): ScriptStep {
  return { status, body, headers };
}

export class ScriptedServer {
  /** Every request received, in order. */
  readonly requests: ReceivedRequest[] = [];
  private readonly script: Array<ScriptStep | ((request: ReceivedRequest) => ScriptStep)> = [];
  private readonly server: http.Server;
  private port = 0;

  constructor() {
    this.server = http.createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString()));
      request.on('end', () => {
        const received = {
          method: request.method ?? '',
          url: request.url ?? '',
          headers: request.headers,
          body,
        };
        this.requests.push(received);
        const next = this.script.shift() ?? { status: 500, body: { error: 'script ended' } };
        const step = typeof next === 'function' ? next(received) : next;
        if (step === 'hang') return;
        if (step === 'reset') {
          request.socket.destroy();
          return;
        }
        response.writeHead(step.status, {
          'content-type': 'application/json',
          connection: 'close',
          ...step.headers,
        });
        response.end(step.rawBody ?? JSON.stringify(step.body ?? {}));
      });
    });
  }

  /** The base URL, as Artillery's `target`. */
  get target(): string {
    return `http://127.0.0.1:${this.port}/prod`;
  }

  /** Adds steps to the script. */
  respond(...steps: Array<ScriptStep | ((request: ReceivedRequest) => ScriptStep)>): this {
    this.script.push(...steps);
    return this;
  }

  /** Listens (again) on its port, or on a free one the first time. */
  async listen(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(this.port, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
  }

  /** Stops listening and drops open connections: a client now finds the connection refused. */
  async close(): Promise<void> {
    if (!this.server.listening) return;
    this.server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      this.server.close((error) => (error ? reject(error) : resolve())),
    );
  }
}
