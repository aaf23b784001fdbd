/**
 * A real Artillery run (`runArtillery`, the bundled processor in Artillery's workers) against a
 * local server that resets the first order attempts: the virtual users live on, retry them, and
 * every order is acknowledged.
 */
import * as fs from 'node:fs';
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { runArtillery } from '../../load-tests/artillery-runner';
import { readRequestRecords } from '../../load-tests/client/request-log';

/** Answers health probes and acknowledges orders, after resetting the first `resets` order attempts. */
function flakyApi(resets: number): http.Server {
  let reset = 0;
  return http.createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      if (request.url === '/prod/orders' && reset < resets) {
        reset += 1;
        request.socket.destroy();
        return;
      }
      const body = request.url === '/prod/health' ? {} : { orderId: request.headers['idempotency-key'] };
      response.writeHead(request.url === '/prod/orders' ? 201 : 200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    });
  });
}

test('a real Artillery run retries order attempts whose connection was reset, and acknowledges every order', async () => {
  // GIVEN an API that resets the connection of the first two order attempts
  const server = flakyApi(2);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const workdir = fs.mkdtempSync(path.join(os.tmpdir(), 'artillery-runner-'));
  const resultsFile = path.join(workdir, 'records.jsonl');
  let output = '';
  try {
    // WHEN a short run places orders without reading them back, and ensure checks what happened
    const { exitCode } = await runArtillery({
      scenario: 'smoke',
      target: `http://127.0.0.1:${(server.address() as AddressInfo).port}/prod`,
      apiKey: 'test-key',
      overrides: {
        config: {
          phases: [{ duration: 2, arrivalRate: 3 }],
          ensure: {
            conditions: [
              { expression: 'client.orders_acknowledged == client.orders_created' },
              { expression: 'client.transport_errors == 2' },
              { expression: 'client.unexpected_answers == 0' },
            ],
          },
        },
      },
      variables: { readBack: false, duplicateShare: 0, retryBaseDelayMs: 50, retryMaxDelayMs: 200 },
      resultsFile,
      onOutput: (text) => (output += text),
    });

    // THEN the ensure checks held
    expect({ exitCode, output }).toEqual({
      exitCode: 0,
      output: expect.stringContaining('ok: client.transport_errors == 2'),
    });
    // AND each attempt without an answer was followed by the next attempt of the same order
    const orders = readRequestRecords(resultsFile).filter((record) => record.endpoint === 'POST /orders');
    const failed = orders.filter((record) => record.status === null);
    expect(failed.map((record) => record.failure)).toEqual(['connection', 'connection']);
    for (const { orderId, attempt } of failed) {
      expect(orders).toContainEqual(expect.objectContaining({ orderId, attempt: attempt + 1 }));
    }
    const orderIds = new Set(orders.map((record) => record.orderId));
    expect(new Set(orders.filter((record) => record.status === 201).map((record) => record.orderId))).toEqual(
      orderIds,
    );
  } finally {
    server.closeAllConnections();
    server.close();
    fs.rmSync(workdir, { recursive: true, force: true });
  }
}, 60_000);
