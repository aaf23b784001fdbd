/**
 * The capacity the experiment synthesizes its assembly with: the deployment's concurrency limits
 * (the bulkheads the paths really have), but API throttles far above what one machine can send, so
 * that the ramp finds where each path saturates instead of where the usage plan says 429.
 */
import { DEFAULT_CAPACITY, type CapacityConfig } from '../../lib/config';

/** Far above the load one machine sends: throttles never answer the experiment's requests. */
const UNREACHABLE_RATE = 10_000;

/** {@link DEFAULT_CAPACITY} with the stage and client-tier throttles out of the way. */
export const EXPERIMENT_CAPACITY: CapacityConfig = {
  ...DEFAULT_CAPACITY,
  apiRateLimit: UNREACHABLE_RATE,
  apiBurstLimit: UNREACHABLE_RATE / 2,
  // One tier without a quota: the experiment sends more in minutes than a daily quota allows.
  clientTiers: [{ name: 'experiment', rateLimit: UNREACHABLE_RATE, burstLimit: UNREACHABLE_RATE / 2 }],
};
