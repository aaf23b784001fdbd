/**
 * The control server of a running local cloud, on 127.0.0.1 only: `npm run chaos` sends it fault
 * commands, and anyone can read its status.
 *
 * - `GET /status` → the stacks, their URLs and the faults in force
 * - `POST /faults` with a {@link FaultCommand} as JSON → applies it
 */
import * as http from 'node:http';
import { listenLocally } from '../emulators/local-server';
import type { LocalCloud } from '../local-cloud';
import { applyFaultCommand, type FaultCommand } from './fault-commands';

/** A running control server. */
export interface ControlServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Largest command body accepted; commands are a few hundred bytes. */
const MAX_BODY_BYTES = 64 * 1024;

/** Starts the control server of a local cloud. */
export async function startControlServer(cloud: LocalCloud, port = 0): Promise<ControlServer> {
  const server = http.createServer((request, response) => {
    void handle(cloud, request).then(({ status, body }) => {
      response.writeHead(status, { 'Content-Type': 'application/json' });
      response.end(JSON.stringify(body));
    });
  });
  return listenLocally(server, port);
}

async function handle(
  cloud: LocalCloud,
  request: http.IncomingMessage,
): Promise<{ status: number; body: unknown }> {
  try {
    if (request.method === 'GET' && request.url === '/status') {
      return { status: 200, body: statusOf(cloud) };
    }
    if (request.method === 'POST' && request.url === '/faults') {
      const command = JSON.parse(await readBody(request)) as FaultCommand;
      await applyFaultCommand(cloud, command);
      return { status: 200, body: { applied: command, faults: cloud.faults.describe() } };
    }
    return { status: 404, body: { error: `No route ${request.method} ${request.url}` } };
  } catch (error) {
    return { status: 400, body: { error: (error as Error).message } };
  }
}

/** What `GET /status` answers. */
export function statusOf(cloud: LocalCloud): Record<string, unknown> {
  return {
    stacks: cloud.stacks.map((stack) => ({
      stackName: stack.stackName,
      region: stack.region,
      apiUrl: stack.apiUrl,
    })),
    faults: cloud.faults.describe(),
    ...(cloud.globalEndpoints.length === 0
      ? {}
      : { route53: cloud.multiRegion.route53Status(), replication: cloud.multiRegion.replicationStatus() }),
  };
}

async function readBody(request: http.IncomingMessage): Promise<string> {
  let size = 0;
  const chunks: Buffer[] = [];
  for await (const chunk of request) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) throw new Error(`Command body over ${MAX_BODY_BYTES} bytes`);
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}
