/**
 * The stage cache of the local API Gateway, from the template: a stage with a cache cluster keeps
 * the answers of its cached methods for their TTL, keyed by the integration's cache namespace and
 * cache key parameters only (as on AWS: a parameter left out of the key does not tell entries
 * apart). Every answer the integration gives is kept, errors included: AWS documents no status
 * filter, and users have seen error answers served from the cache. Answers the gateway makes itself
 * (a function that failed or timed out, a throttle) are not kept.
 *
 * `Cache-Control: max-age=0` refreshes an entry only when the request is signed (AWS requires the
 * caller to be allowed `execute-api:InvalidateCache`; IAM is not enforced locally, so a SigV4
 * `Authorization` header stands for it); unsigned, it is ignored, as API Gateway's default
 * (`SUCCEED_WITH_RESPONSE_HEADER`) does.
 */
import type { RenderedResponse } from './gateway-responses';
import type { ApiMethod } from './rest-api-model';

/** The header the local cloud adds to a cached method's answers: `hit` or `miss` (AWS adds none). */
export const LOCAL_CACHE_HEADER = 'x-local-cloud-cache';

/** What a cache key is computed from: the request's parameters as the method sees them. */
export interface CacheKeyRequest {
  readonly pathParameters: Readonly<Record<string, string>>;
  /** Header names in lower case. */
  readonly headers: ReadonlyMap<string, string>;
  readonly query: ReadonlyArray<readonly [string, string]>;
}

/** The key of a request's entry: the method, its namespace and the values of its key parameters. */
export function cacheKeyOf(method: ApiMethod, request: CacheKeyRequest): string {
  // The parameters were checked when the template was read (`readCacheKey` in rest-api-model.ts).
  const values = method.cacheKey.parameters.map((parameter) => {
    const [, location, name] = /^method\.request\.(path|header|querystring)\.(.+)$/.exec(parameter) ?? [];
    if (location === 'path') return request.pathParameters[name] ?? null;
    if (location === 'header') return request.headers.get(name.toLowerCase()) ?? null;
    return request.query.filter(([key]) => key === name).map(([, value]) => value);
  });
  return JSON.stringify([method.httpMethod, method.cacheKey.namespace, values]);
}

/** Whether a request asks for a fresh answer and may: `Cache-Control: max-age=0`, signed. */
export function refreshesCache(headers: ReadonlyMap<string, string>): boolean {
  const cacheControl = headers.get('cache-control') ?? '';
  const wantsFresh = cacheControl
    .split(',')
    .some((directive) => directive.trim().toLowerCase() === 'max-age=0');
  return wantsFresh && (headers.get('authorization') ?? '').startsWith('AWS4-HMAC-SHA256 ');
}

/** API Gateway does not cache an answer larger than 1 MB. */
export const MAX_CACHED_BODY_BYTES = 1_048_576;

/** Puts between two sweeps of expired entries. */
const SWEEP_EVERY = 1_000;

/**
 * The entries of one stage's cache. Its size is not enforced locally (no eviction), but expired
 * entries are swept now and then, so a run with ever new keys does not grow without bound.
 */
export class StageCacheStore {
  private readonly entries = new Map<
    string,
    { readonly response: RenderedResponse; readonly expiresAt: number }
  >();
  private putsSinceSweep = 0;

  constructor(private readonly clock: () => number) {}

  /** The answer kept under `key`, unless it has expired. */
  public get(key: string): RenderedResponse | undefined {
    const entry = this.entries.get(key);
    if (entry === undefined) return undefined;
    if (entry.expiresAt <= this.clock()) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.response;
  }

  /** Keeps an answer under `key` for `ttlSeconds`, unless it is over API Gateway's 1 MB. */
  public put(key: string, response: RenderedResponse, ttlSeconds: number): void {
    if (response.body.length > MAX_CACHED_BODY_BYTES) return;
    const now = this.clock();
    if (++this.putsSinceSweep >= SWEEP_EVERY) {
      this.putsSinceSweep = 0;
      for (const [entryKey, entry] of this.entries) if (entry.expiresAt <= now) this.entries.delete(entryKey);
    }
    this.entries.set(key, { response, expiresAt: now + ttlSeconds * 1000 });
  }

  /** Entries kept now, expired ones not yet swept included. */
  public get size(): number {
    return this.entries.size;
  }
}

/** An answer with the local cache's header. */
export function withCacheStatus(response: RenderedResponse, status: 'hit' | 'miss'): RenderedResponse {
  return { ...response, headers: { ...response.headers, [LOCAL_CACHE_HEADER]: [status] } };
}
