/**
 * One HTTP request as the load generator saw it: the unit every metric is computed from. The
 * Artillery processor appends one record per attempt (JSON Lines) when `RESULTS_FILE` is set.
 */
export interface RequestRecord {
  /** Epoch milliseconds when this attempt was sent. */
  readonly startedAt: number;
  /** Milliseconds from sending to the full response, or to the timeout or connection error. */
  readonly latencyMs: number;
  /** HTTP status, or `null` when no response came (timeout, connection refused or reset). */
  readonly status: number | null;
  /** Why no response came; absent when there is a status. */
  readonly failure?: 'timeout' | 'connection';
  /** Whether the response carried a `Retry-After` header. */
  readonly retryAfter: boolean;
  /** Route template, e.g. `POST /orders` or `GET /orders/{id}`. */
  readonly endpoint: string;
  /** 1 for a first attempt, 2 for the first retry, and so on. */
  readonly attempt: number;
  /** Whether this attempt deliberately repeats an earlier acknowledged request (a client duplicate). */
  readonly duplicate?: boolean;
  /** The order's Idempotency-Key (POST /orders), which is also the order id. */
  readonly orderId?: string;
  /** Free-form label of the run phase (`ramp-3`, `fault:dynamodb-down`, …), set by the experiment. */
  readonly phase?: string;
}

/** A fault injected during a run, with the window it was in force. */
export interface FaultWindow {
  /** Short name, e.g. `region-outage`, `dependency-outage`. */
  readonly name: string;
  /** Epoch milliseconds when the fault was injected. */
  readonly startedAt: number;
  /** Epoch milliseconds when it was healed. */
  readonly endedAt: number;
}
