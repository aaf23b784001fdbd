/**
 * An HTTP reverse proxy in front of a local dependency (DynamoDB Local, the SQS emulator) through
 * which the local cloud injects faults: the dependency goes down (connections refused), stops
 * answering (connections accepted, requests never answered), answers slowly, or fails a share of
 * requests with the service's own 500 error. Functions are pointed at
 * the proxy, never at the emulator, so a fault affects them exactly as an outage of the real service
 * would, while the emulator and its data stay intact.
 */
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** The faults a {@link FaultProxy} can inject. */
export interface DependencyFault {
  /** Refuse connections, as an unreachable service does. */
  readonly down?: boolean;
  /**
   * Accept connections and requests but never answer, as a black-holed or overloaded service does:
   * only the clients' own timeouts end the wait (a refused connection fails at once and proves
   * nothing about them). Healing drops the requests that were left hanging.
   */
  readonly hang?: boolean;
  /** Extra latency added to every request, in milliseconds. */
  readonly latencyMs?: number;
  /** Share of requests (0 to 1) answered with a 500 error instead of being forwarded. */
  readonly errorRate?: number;
}

/** Options of {@link startFaultProxy}. */
export interface FaultProxyOptions {
  /** Endpoint of the dependency, e.g. `http://127.0.0.1:8000`. */
  readonly target: string;
  /** Body of an injected 500 answer; make it the service's own error shape. */
  readonly errorBody: string;
  /** Content type of an injected 500 answer. */
  readonly errorContentType: string;
  /**
   * Port to listen on.
   * @default - a free port chosen by the OS
   */
  readonly port?: number;
  /**
   * Source of randomness for the error rate (tests make it deterministic).
   * @default Math.random
   */
  readonly random?: () => number;
}

/** A running fault proxy. */
export interface FaultProxy {
  /** Endpoint to give to clients instead of the dependency's. */
  readonly endpoint: string;
  /** The fault in force now. */
  readonly fault: DependencyFault;
  /** Replaces the fault in force; `{}` heals the dependency. */
  setFault(fault: DependencyFault): Promise<void>;
  /** Stops the proxy; safe to call twice. */
  stop(): Promise<void>;
}

/** The error body DynamoDB answers an internal failure with. */
export const DYNAMODB_INTERNAL_ERROR = {
  errorBody: JSON.stringify({
    __type: 'com.amazonaws.dynamodb.v20120810#InternalServerError',
    message: 'Internal server error (injected by the local cloud)',
  }),
  errorContentType: 'application/x-amz-json-1.0',
} as const;

/** The error body SQS (AWS JSON protocol) answers an internal failure with. */
export const SQS_INTERNAL_ERROR = {
  errorBody: JSON.stringify({
    __type: 'com.amazonaws.sqs#InternalError',
    message: 'Internal error (injected by the local cloud)',
  }),
  errorContentType: 'application/x-amz-json-1.0',
} as const;

/** Starts a fault proxy in front of `target`, with no fault in force. */
export async function startFaultProxy(options: FaultProxyOptions): Promise<FaultProxy> {
  validateTarget(options.target);
  const target = new URL(options.target);
  const random = options.random ?? Math.random;
  const agent = new http.Agent({ keepAlive: true });
  const sockets = new Set<Socket>();
  let fault: DependencyFault = {};
  let port = options.port ?? 0;
  let stopped = false;

  /** Requests left unanswered by the `hang` fault, dropped when it is healed. */
  const hanging = new Set<http.ServerResponse>();
  const server = http.createServer((request, response) => {
    void (async () => {
      if (fault.hang) {
        hanging.add(response);
        response.once('close', () => hanging.delete(response));
        return;
      }
      if (fault.latencyMs) await delay(fault.latencyMs);
      if (fault.errorRate && random() < fault.errorRate) {
        response.writeHead(500, {
          'Content-Type': options.errorContentType,
          'x-amzn-RequestId': 'injected-fault',
        });
        response.end(options.errorBody);
        return;
      }
      forward(request, response, target, agent);
    })();
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });

  const listen = async (): Promise<void> => {
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen({ port, host: '127.0.0.1' }, () => {
        server.off('error', reject);
        resolve();
      });
    });
    // Keep the same port across down/up so clients' endpoints stay valid.
    port = (server.address() as AddressInfo).port;
  };

  const closeListener = async (): Promise<void> => {
    if (!server.listening) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    // Open keep-alive connections would survive close(); an outage drops them too.
    for (const socket of sockets) socket.destroy();
    await closed;
  };

  await listen();

  return {
    get endpoint() {
      return `http://127.0.0.1:${port}`;
    },
    get fault() {
      return fault;
    },
    async setFault(next: DependencyFault): Promise<void> {
      validateFault(next);
      if (stopped) throw new Error('The fault proxy is stopped');
      fault = { ...next };
      if (!next.hang) {
        for (const response of hanging) response.socket?.destroy();
        hanging.clear();
      }
      if (next.down && server.listening) await closeListener();
      if (!next.down && !server.listening) await listen();
    },
    async stop(): Promise<void> {
      if (stopped) return;
      stopped = true;
      await closeListener();
      agent.destroy();
    },
  };
}

/**
 * Forwards a request to `target` and pipes the answer back. When the target is unreachable the
 * client's connection is dropped, as a network failure would.
 *
 * @param path the path and query to request from the target (default: the request's own)
 */
export function forward(
  request: http.IncomingMessage,
  response: http.ServerResponse,
  target: URL,
  agent: http.Agent,
  path = request.url,
): void {
  const upstream = http.request(
    {
      protocol: target.protocol,
      hostname: target.hostname,
      port: target.port,
      method: request.method,
      path,
      headers: { ...request.headers, host: target.host },
      agent,
    },
    (upstreamResponse) => {
      response.writeHead(upstreamResponse.statusCode ?? 502, upstreamResponse.headers);
      upstreamResponse.pipe(response);
    },
  );
  upstream.on('error', () => {
    response.destroy();
  });
  request.pipe(upstream);
}

function validateTarget(target: string): void {
  const url = new URL(target);
  if (url.protocol !== 'http:') {
    throw new Error(`Fault proxy target must be an http:// endpoint (given ${target})`);
  }
}

function validateFault(fault: DependencyFault): void {
  if (fault.down && fault.hang) {
    throw new Error(
      'A dependency is either down (connections refused) or hanging (requests unanswered), not both',
    );
  }
  if (fault.errorRate !== undefined && !(fault.errorRate >= 0 && fault.errorRate <= 1)) {
    throw new Error(`Error rate must be between 0 and 1 (given ${fault.errorRate})`);
  }
  if (fault.latencyMs !== undefined && !(Number.isFinite(fault.latencyMs) && fault.latencyMs >= 0)) {
    throw new Error(`Latency must be 0 ms or more (given ${fault.latencyMs})`);
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
