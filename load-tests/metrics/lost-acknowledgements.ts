/** Lost acknowledgements: orders the API acknowledged that were never stored. */
import type { RequestRecord } from './request-record';

/** Status codes that acknowledge an order: 201 (sync, stored) and 202 (async, accepted to the queue). */
const ACKNOWLEDGING_STATUSES: ReadonlySet<number> = new Set([201, 202]);

/** The result of the lost-acknowledgement check. */
export interface LostAcknowledgements {
  /** Distinct order ids that were acknowledged. */
  readonly acknowledged: number;
  /** Acknowledged order ids absent from the store, sorted. Must be empty. */
  readonly lostIds: readonly string[];
}

/** Distinct order ids of the `POST /orders` attempts answered 201 or 202. */
export function acknowledgedOrderIds(records: readonly RequestRecord[]): Set<string> {
  const ids = new Set<string>();
  for (const record of records) {
    if (record.endpoint !== 'POST /orders' || record.orderId === undefined) continue;
    if (record.status !== null && ACKNOWLEDGING_STATUSES.has(record.status)) ids.add(record.orderId);
  }
  return ids;
}

/**
 * Compares the acknowledged order ids with what the orders table holds once the queues have drained.
 * `stored` is the set of stored ids or a lookup that answers whether an id is stored.
 */
export function lostAcknowledgements(
  acknowledgedIds: Iterable<string>,
  stored: ReadonlySet<string> | ((orderId: string) => boolean),
): LostAcknowledgements {
  const isStored = typeof stored === 'function' ? stored : (orderId: string) => stored.has(orderId);
  const distinct = new Set(acknowledgedIds);
  const lostIds = [...distinct].filter((orderId) => !isStored(orderId)).sort();
  return { acknowledged: distinct.size, lostIds };
}
