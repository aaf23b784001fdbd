/**
 * The read path's bounded in-memory store of the last good copy of each order it read, served
 * (stale-if-error) while DynamoDB fails. Per container, like every module-scope state: a container
 * can only serve orders it has read itself.
 */
import { LRUCache } from 'lru-cache';
import { ENVIRONMENT, readPositiveIntegerEnvironment } from '../contract/environment';
import type { OwnedOrder } from '../orders/order';

/** Settings of {@link LastGoodCopies}. */
export interface LastGoodCopiesSettings {
  /** Most orders kept; the least recently used go first. */
  readonly maxEntries: number;
  /** Oldest copy that may be served, in seconds since it was read from the table. */
  readonly maxAgeSeconds: number;
}

/** Defaults of {@link readLastGoodCopiesSettings}. */
export const DEFAULT_LAST_GOOD_COPIES_SETTINGS: LastGoodCopiesSettings = {
  // An order is about 1 KB in memory at most (8 KB for the largest): 1,000 fit easily in 128 MB.
  maxEntries: 1_000,
  maxAgeSeconds: 300,
};

/** Reads the settings from `STALE_CACHE_MAX_ENTRIES` and `STALE_CACHE_MAX_AGE_SECONDS`, failing fast. */
export function readLastGoodCopiesSettings(): LastGoodCopiesSettings {
  const defaults = DEFAULT_LAST_GOOD_COPIES_SETTINGS;
  return {
    maxEntries: readPositiveIntegerEnvironment(ENVIRONMENT.staleCacheMaxEntries, defaults.maxEntries),
    maxAgeSeconds: readPositiveIntegerEnvironment(
      ENVIRONMENT.staleCacheMaxAgeSeconds,
      defaults.maxAgeSeconds,
    ),
  };
}

/** A copy of an order as it was last read. */
export interface LastGoodCopy {
  readonly owned: OwnedOrder;
  /** Whole seconds since the copy was read from the table. */
  readonly ageSeconds: number;
}

interface Entry {
  readonly owned: OwnedOrder;
  readonly readAtMs: number;
}

/** The last good copies of orders, bounded in number and age. */
export class LastGoodCopies {
  private readonly cache: LRUCache<string, Entry>;

  constructor(settings: LastGoodCopiesSettings) {
    // lru-cache enforces both bounds: copies older than the TTL are never returned.
    this.cache = new LRUCache<string, Entry>({
      max: settings.maxEntries,
      ttl: settings.maxAgeSeconds * 1_000,
    });
  }

  /** Remembers a copy just read from the table. */
  remember(owned: OwnedOrder): void {
    this.cache.set(owned.order.orderId, { owned, readAtMs: Date.now() });
  }

  /** The last good copy of an order, if one was read and is still young enough. */
  recall(orderId: string): LastGoodCopy | undefined {
    const entry = this.cache.get(orderId);
    if (entry === undefined) return undefined;
    return { owned: entry.owned, ageSeconds: Math.max(0, Math.floor((Date.now() - entry.readAtMs) / 1_000)) };
  }
}
