/**
 * One HTTP attempt of the load generator's client, sent with Node's `fetch`: it resolves with the
 * answer, or with why no answer came (a timeout, a refused or reset connection), and never rejects
 * for either. Artillery's HTTP engine ends the virtual user when a request gets no answer, so the
 * requests the client retries are sent from here (see `processor.ts`).
 */

/** The request of one attempt. */
export interface AttemptRequest {
  readonly method: 'GET' | 'POST';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The body, already serialized. */
  readonly body?: string;
  /** Milliseconds before an attempt without a complete answer is given up as a timeout. */
  readonly timeoutMs: number;
}

/** A complete answer: status, headers (names in lower case) and the body as text. */
export interface AttemptAnswer {
  readonly status: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly body: string;
}

/** Why an attempt got no (complete) answer. */
export interface AttemptFailure {
  readonly failure: 'timeout' | 'connection';
  /** The underlying error code (`ECONNREFUSED`, `UND_ERR_SOCKET`, …) or name (`TimeoutError`). */
  readonly code: string;
}

/** What one attempt came back with, and when it was sent and how long it took. */
export type AttemptResult = (AttemptAnswer | AttemptFailure) & {
  /** Epoch milliseconds when the attempt was sent. */
  readonly startedAt: number;
  /** Milliseconds from sending to the end of the body, or to the timeout or connection error. */
  readonly latencyMs: number;
};

/** undici's own timeouts, which can come before the attempt's. */
const TIMEOUT_CODES = new Set([
  'ETIMEDOUT',
  'UND_ERR_CONNECT_TIMEOUT',
  'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT',
]);

/**
 * Classifies a rejection of `fetch` or of reading its body: the attempt's own timeout (an abort
 * with `TimeoutError`, also while the body was still coming) or a network error (`fetch` rejects
 * with a `TypeError` whose `cause` carries the code). Anything else is a bug and is thrown again.
 * Names, not `instanceof`: `fetch`'s errors may come from another realm (Jest runs tests in one).
 */
export function failureOf(error: unknown): AttemptFailure {
  const { name, cause } = (error ?? {}) as { name?: unknown; cause?: { code?: unknown; name?: unknown } };
  if (name === 'TimeoutError') return { failure: 'timeout', code: name };
  if (name === 'TypeError') {
    const code =
      typeof cause?.code === 'string' ? cause.code : typeof cause?.name === 'string' ? cause.name : name;
    return { failure: TIMEOUT_CODES.has(code) ? 'timeout' : 'connection', code };
  }
  throw error;
}

/** Sends one attempt and waits for the whole answer, at most `timeoutMs`. */
export async function sendAttempt(request: AttemptRequest): Promise<AttemptResult> {
  const startedAt = Date.now();
  let outcome: AttemptAnswer | AttemptFailure;
  try {
    // One signal for the headers and the body: a body that stops coming is a timeout too.
    const response = await fetch(request.url, {
      method: request.method,
      headers: request.headers,
      body: request.body,
      signal: AbortSignal.timeout(request.timeoutMs),
    });
    const body = await response.text();
    outcome = { status: response.status, headers: Object.fromEntries(response.headers), body };
  } catch (error) {
    outcome = failureOf(error);
  }
  return { ...outcome, startedAt, latencyMs: Date.now() - startedAt };
}
