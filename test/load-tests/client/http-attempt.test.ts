/**
 * One attempt of the load-test client against a local server: an answer, and each way of getting
 * none (refused, reset, timed out before the headers or during the body), classified, not thrown.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { failureOf, sendAttempt, type AttemptRequest } from '../../../load-tests/client/http-attempt';
import { jsonAnswer, ScriptedServer } from './scripted-server';

let server: ScriptedServer;

beforeEach(async () => {
  server = new ScriptedServer();
  await server.listen();
});

afterEach(() => server.close());

function post(timeoutMs = 5000): AttemptRequest {
  return {
    method: 'POST',
    url: `${server.target}/orders`,
    headers: { 'content-type': 'application/json', 'idempotency-key': 'key-1' },
    body: '{"a":1}',
    timeoutMs,
  };
}

describe('sendAttempt', () => {
  test('resolves with the status, the headers in lower case and the body; sends method, headers and body', async () => {
    // GIVEN a server that answers 503 with Retry-After
    server.respond(jsonAnswer(503, { code: 'UNAVAILABLE' }, { 'Retry-After': '1' }));

    // WHEN an attempt is sent
    const before = Date.now();
    const result = await sendAttempt(post());

    // THEN it resolves with the answer, timed
    expect(result).toMatchObject({ status: 503, body: '{"code":"UNAVAILABLE"}' });
    expect('headers' in result && result.headers['retry-after']).toBe('1');
    expect(result.startedAt).toBeGreaterThanOrEqual(before);
    expect(result.latencyMs).toBeGreaterThanOrEqual(0);
    // AND the server got the request as it was given
    expect(server.requests).toEqual([
      expect.objectContaining({
        method: 'POST',
        url: '/prod/orders',
        body: '{"a":1}',
        headers: expect.objectContaining({ 'idempotency-key': 'key-1' }),
      }),
    ]);
  });

  test('a refused connection resolves as failure connection (ECONNREFUSED)', async () => {
    await server.close();
    await expect(sendAttempt(post())).resolves.toMatchObject({ failure: 'connection', code: 'ECONNREFUSED' });
  });

  test('a connection reset before the answer resolves as failure connection', async () => {
    server.respond('reset');
    const result = await sendAttempt(post());
    expect(result).toMatchObject({ failure: 'connection' });
    expect(server.requests).toHaveLength(1);
  });

  test('no answer within timeoutMs resolves as failure timeout, after about timeoutMs', async () => {
    server.respond('hang');
    const result = await sendAttempt(post(300));
    expect(result).toMatchObject({ failure: 'timeout', code: 'TimeoutError' });
    expect(result.latencyMs).toBeGreaterThanOrEqual(290);
    // Generous: other tests share the CPU
    expect(result.latencyMs).toBeLessThan(5000);
  });

  test('a body that stops coming is a timeout too', async () => {
    // GIVEN a server that sends the headers and part of the body, then nothing
    const slow = http.createServer((_request, response) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.write('{"orderId":');
    });
    await new Promise<void>((resolve) => slow.listen(0, '127.0.0.1', resolve));
    try {
      const { port } = slow.address() as AddressInfo;
      // WHEN an attempt is sent with a short timeout
      const result = await sendAttempt({ ...post(300), url: `http://127.0.0.1:${port}/` });
      // THEN it resolves as a timeout, not as a 200
      expect(result).toMatchObject({ failure: 'timeout' });
      expect('status' in result).toBe(false);
    } finally {
      slow.closeAllConnections();
      slow.close();
    }
  });
});

describe('failureOf', () => {
  test('fails if the error is no network error or timeout: it is thrown again', () => {
    const bug = new RangeError('a bug');
    expect(() => failureOf(bug)).toThrow(bug);
  });

  test('undici timeouts in the cause are timeouts', () => {
    const error = new TypeError('fetch failed', {
      cause: Object.assign(new Error(), { code: 'UND_ERR_HEADERS_TIMEOUT' }),
    });
    expect(failureOf(error)).toEqual({ failure: 'timeout', code: 'UND_ERR_HEADERS_TIMEOUT' });
  });
});
