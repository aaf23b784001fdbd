/**
 * The one Powertools metrics buffer of a function, created once per container. Metrics are written
 * as CloudWatch embedded metric format (EMF) log lines when {@link publishMetrics} runs.
 */
import { Metrics } from '@aws-lambda-powertools/metrics';

/** Namespace used when `POWERTOOLS_METRICS_NAMESPACE` is not set. */
export const DEFAULT_METRICS_NAMESPACE = 'ResilientApi';

/** The module-scope metrics buffer every handler and module of a function adds to. */
export const metrics = new Metrics({
  namespace: process.env.POWERTOOLS_METRICS_NAMESPACE || DEFAULT_METRICS_NAMESPACE,
});

/** Names of the business metrics the handlers emit. */
export const METRIC_NAMES = {
  /** An idempotency key arrived again with a different order body; the first order was kept. */
  idempotencyKeyReused: 'IdempotencyKeyReused',
} as const;

/**
 * Flushes the metrics added during this invocation. Invocations that added none publish nothing,
 * rather than letting Powertools log an "empty metrics" warning on every request.
 */
export function publishMetrics(): void {
  if (metrics.hasStoredMetrics()) metrics.publishStoredMetrics();
}
