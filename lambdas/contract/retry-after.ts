/**
 * How long a refused client is told to wait (`Retry-After`, in seconds), by why it was refused: one
 * place for every answer the stack makes with the header, from the gateway and from the handlers.
 * The load shedder's value is a construct prop (`OrderQueue`'s `sheddingRetryAfter`), since it
 * follows the backlog's bound.
 */
export const RETRY_AFTER_SECONDS = {
  /** 429 from the gateway (throttle or quota): a token bucket refills within a second. */
  throttled: 1,
  /** 409 from `POST /orders`: the first request with this Idempotency-Key is still running. */
  requestInProgress: 1,
  /** 503 from the queue edge: SQS refused or failed the send; the next attempt may reach it. */
  queueUnavailable: 1,
  /** 503 from a handler: a table throttled or unreachable, or its circuit open. */
  serviceUnavailable: 2,
  /** 503 from `/health`: the region is impaired; a checker asks again after this. */
  unhealthy: 5,
} as const;
