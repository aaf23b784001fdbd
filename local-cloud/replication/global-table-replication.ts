/**
 * Replication between the replicas of a DynamoDB global table in the local cloud. Each replica is a
 * table of the same name in its own region of DynamoDB Local; this reads every replica's stream and
 * applies each change to the other replicas, last writer wins, as DynamoDB global tables do.
 *
 * - **Last writer wins** compares the items' write timestamp attribute (`createdAt` for orders, set
 *   right before the write; orders are never updated). AWS compares an internal write time instead;
 *   locally the item's own timestamp stands in for it, so an application must carry one. Equal
 *   timestamps (or none) are decided by comparing the items' content, so every replica makes the same
 *   choice and they converge.
 * - **No ping-pong**: a change the replicator applied shows up in the target's stream too; it is
 *   recognised by its content and not sent back. (Sending it back would be harmless, last writer wins
 *   would refuse it, but it would double the work.)
 * - **Through the regions' DynamoDB endpoints**: the local cloud gives each region's fault proxy, so
 *   `dynamodb-down <region>` also stops replication into and out of that region, as an outage of
 *   DynamoDB in a region does on AWS; changes wait in the stream and flow once it heals.
 * - **Lag**: time from the source write (the item's timestamp) to the apply in the target.
 */
import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  DescribeTableCommand,
  DynamoDBClient,
  GetItemCommand,
  PutItemCommand,
  type AttributeValue,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBStreamsClient } from '@aws-sdk/client-dynamodb-streams';
import type { LocalCredentials } from '../lambda/function-definitions';
import { StreamReader, type StreamRecord } from './stream-reader';

type Item = Record<string, AttributeValue>;

/** One replica of the table. */
export interface ReplicaLocation {
  readonly region: string;
  readonly tableName: string;
  /** DynamoDB endpoint of the region (the local cloud passes the region's fault proxy). */
  readonly dynamodbEndpoint: string;
}

/** Options of {@link startGlobalTableReplication}. */
export interface GlobalTableReplicationOptions {
  /** Two or more replicas of one table, each in its own region; each must have a stream. */
  readonly replicas: readonly ReplicaLocation[];
  readonly credentials: LocalCredentials;
  /**
   * Attribute that holds each item's write time (ISO 8601 string or epoch number); last writer wins
   * compares it.
   * @default 'createdAt'
   */
  readonly timestampAttribute?: string;
  /**
   * Pause between two reads of the streams.
   * @default 200 ms
   */
  readonly pollIntervalMillis?: number;
  /**
   * Where replication errors are logged (once per distinct message in a row).
   * @default - nowhere
   */
  readonly log?: (line: string) => void;
}

/** Replication into one region. */
export interface ReplicaStats {
  readonly region: string;
  /** Changes written into this replica. */
  readonly applied: number;
  /** Changes not written because this replica had a later write (last writer wins). */
  readonly superseded: number;
  /** Lag of the last 1,000 applied changes, in milliseconds. */
  readonly lagMillis: {
    readonly last?: number;
    readonly p50?: number;
    readonly p95?: number;
    readonly max?: number;
  };
  readonly lastAppliedAt?: number;
}

/** The state of a table's replication. */
export interface ReplicationStatus {
  readonly tableName: string;
  readonly paused: boolean;
  /** Changes read from a stream and not yet applied everywhere. */
  readonly pendingChanges: number;
  readonly errors: number;
  readonly lastError?: string;
  readonly replicas: readonly ReplicaStats[];
}

/** A running replication. */
export interface GlobalTableReplication {
  readonly tableName: string;
  /** Stops applying changes; they wait in the streams (24 hours on AWS). */
  pause(): void;
  resume(): void;
  readonly paused: boolean;
  status(): ReplicationStatus;
  /**
   * Resolves once a full round over every stream, begun after the call, found nothing to apply:
   * every change written before the call has been replicated.
   *
   * @throws Error after `timeoutMillis`, or at once while paused
   */
  whenCaughtUp(timeoutMillis: number): Promise<void>;
  /** Stops reading the streams; safe to call twice. */
  stop(): Promise<void>;
}

const DEFAULT_TIMESTAMP_ATTRIBUTE = 'createdAt';
const DEFAULT_POLL_INTERVAL_MILLIS = 200;
const LAG_SAMPLES = 1_000;
/** Attempts of one read-compare-write before giving up until the next round (a busy item). */
const MAX_APPLY_ATTEMPTS = 5;

interface Replica {
  readonly location: ReplicaLocation;
  readonly client: DynamoDBClient;
  readonly streams: DynamoDBStreamsClient;
  readonly reader: StreamReader;
  /** Changes read from this replica's stream, not yet applied to every other replica. */
  readonly pending: Array<{ readonly record: StreamRecord; readonly readAt: number }>;
  /** Content fingerprints of items the replicator wrote here, to skip them in this stream. */
  readonly ownWrites: Map<string, number>;
  readonly lagSamples: number[];
  applied: number;
  superseded: number;
  lastAppliedAt?: number;
}

/** Starts replicating; the replicas' tables must exist. */
export async function startGlobalTableReplication(
  options: GlobalTableReplicationOptions,
): Promise<GlobalTableReplication> {
  if (options.replicas.length < 2) {
    throw new Error(`Replication needs two or more replicas (given ${options.replicas.length})`);
  }
  const timestampAttribute = options.timestampAttribute ?? DEFAULT_TIMESTAMP_ATTRIBUTE;
  const pollIntervalMillis = options.pollIntervalMillis ?? DEFAULT_POLL_INTERVAL_MILLIS;
  const log = options.log ?? (() => undefined);
  const tableName = options.replicas[0].tableName;

  const replicas: Replica[] = [];
  const destroyClients = () => {
    for (const replica of replicas) {
      replica.client.destroy();
      replica.streams.destroy();
    }
  };
  let keyAttributes: string[] = [];
  try {
    for (const location of options.replicas) {
      const clientConfig = {
        endpoint: location.dynamodbEndpoint,
        region: location.region,
        credentials: options.credentials,
        // A failed call is retried by the next round, not by the SDK, so a region that is down does
        // not hold up the others for the SDK's backoff.
        maxAttempts: 1,
      };
      const client = new DynamoDBClient(clientConfig);
      const streams = new DynamoDBStreamsClient(clientConfig);
      const { Table } = await client.send(new DescribeTableCommand({ TableName: location.tableName }));
      if (!Table?.LatestStreamArn) {
        client.destroy();
        streams.destroy();
        throw new Error(
          `Replica ${location.tableName} in ${location.region} has no stream; a global table's replicas need NEW_AND_OLD_IMAGES`,
        );
      }
      keyAttributes = (Table.KeySchema ?? []).map((element) => element.AttributeName as string);
      replicas.push({
        location,
        client,
        streams,
        reader: new StreamReader(streams, Table.LatestStreamArn),
        pending: [],
        ownWrites: new Map(),
        lagSamples: [],
        applied: 0,
        superseded: 0,
      });
    }
  } catch (error) {
    destroyClients();
    throw error;
  }

  const keyOf = (item: Item): Item => Object.fromEntries(keyAttributes.map((name) => [name, item[name]]));
  const versionOf = (item: Item) => ({
    timestamp: timestampOf(item[timestampAttribute]),
    fingerprint: fingerprintOf(item),
  });

  let paused = false;
  let stopped = false;
  let errors = 0;
  let lastError: string | undefined;
  let wake: (() => void) | undefined;
  // A stream read can come back empty while records are still on their way (DynamoDB Streams
  // returns empty pages), so "caught up" takes several empty rounds in a row.
  const waiters: Array<{ requestedAt: number; emptyRounds: number; resolve: () => void }> = [];

  /** Writes `item` into `target` unless `target` holds a later version; compare-and-set on the version read. */
  const applyPut = async (target: Replica, item: Item): Promise<'applied' | 'superseded' | 'identical'> => {
    const incoming = versionOf(item);
    for (let attempt = 0; attempt < MAX_APPLY_ATTEMPTS; attempt += 1) {
      const { Item: current } = await target.client.send(
        new GetItemCommand({ TableName: target.location.tableName, Key: keyOf(item), ConsistentRead: true }),
      );
      if (current !== undefined) {
        const order = compareVersions(incoming, versionOf(current));
        if (order === 0) return 'identical';
        if (order < 0) return 'superseded';
      }
      remember(target.ownWrites, incoming.fingerprint);
      try {
        await target.client.send(
          new PutItemCommand({
            TableName: target.location.tableName,
            Item: item,
            ...unchangedCondition(current, keyAttributes[0], timestampAttribute),
          }),
        );
        return 'applied';
      } catch (error) {
        forget(target.ownWrites, incoming.fingerprint);
        if (!(error instanceof ConditionalCheckFailedException)) throw error;
        // Written in between: read again and compare with the newer version.
      }
    }
    throw new Error(`Item ${JSON.stringify(keyOf(item))} kept changing in ${target.location.region}`);
  };

  /** Deletes the item from `target` unless `target` holds a later version than the deleted one. */
  const applyDelete = async (target: Replica, oldItem: Item): Promise<void> => {
    const { Item: current } = await target.client.send(
      new GetItemCommand({ TableName: target.location.tableName, Key: keyOf(oldItem), ConsistentRead: true }),
    );
    if (current === undefined || compareVersions(versionOf(current), versionOf(oldItem)) > 0) return;
    try {
      await target.client.send(
        new DeleteItemCommand({
          TableName: target.location.tableName,
          Key: keyOf(oldItem),
          ...unchangedCondition(current, keyAttributes[0], timestampAttribute),
        }),
      );
    } catch (error) {
      if (!(error instanceof ConditionalCheckFailedException)) throw error;
    }
  };

  const applyChange = async (source: Replica, change: Replica['pending'][number]): Promise<void> => {
    const newImage = change.record.dynamodb?.NewImage;
    const oldImage = change.record.dynamodb?.OldImage;
    if (newImage !== undefined && forget(source.ownWrites, fingerprintOf(newImage))) return;
    for (const target of replicas) {
      if (target === source) continue;
      if (newImage === undefined) {
        if (oldImage !== undefined) await applyDelete(target, oldImage);
        continue;
      }
      const outcome = await applyPut(target, newImage);
      if (outcome === 'superseded') target.superseded += 1;
      if (outcome !== 'applied') continue;
      const now = Date.now();
      target.applied += 1;
      target.lastAppliedAt = now;
      const writtenAt = writeTimeOf(newImage[timestampAttribute]) ?? change.readAt;
      target.lagSamples.push(Math.max(0, now - writtenAt));
      if (target.lagSamples.length > LAG_SAMPLES) target.lagSamples.shift();
    }
  };

  const round = async (): Promise<void> => {
    const startedAt = Date.now();
    let found = 0;
    let failed = false;
    for (const source of replicas) {
      try {
        if (source.pending.length === 0) {
          const records = await source.reader.read();
          const readAt = Date.now();
          source.pending.push(...records.map((record) => ({ record, readAt })));
          found += records.length;
        }
        while (source.pending.length > 0 && !paused && !stopped) {
          await applyChange(source, source.pending[0]);
          source.pending.shift();
        }
        if (source.pending.length > 0) failed = true;
      } catch (error) {
        failed = true;
        errors += 1;
        const message = `replication ${tableName} from ${source.location.region}: ${describeError(error)}`;
        if (message !== lastError) log(`${new Date().toISOString()} ${message}`);
        lastError = message;
      }
    }
    if (found === 0 && !failed) {
      for (const waiter of waiters.filter((candidate) => candidate.requestedAt <= startedAt)) {
        waiter.emptyRounds += 1;
        if (waiter.emptyRounds < EMPTY_ROUNDS_WHEN_CAUGHT_UP) continue;
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    } else {
      for (const waiter of waiters) waiter.emptyRounds = 0;
    }
  };

  const loop = (async () => {
    while (!stopped) {
      if (!paused) await round();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, pollIntervalMillis);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  })();

  let stopping: Promise<void> | undefined;
  return {
    tableName,
    get paused() {
      return paused;
    },
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      wake?.();
    },
    status: () => ({
      tableName,
      paused,
      pendingChanges: replicas.reduce((sum, replica) => sum + replica.pending.length, 0),
      errors,
      ...(lastError === undefined ? {} : { lastError }),
      replicas: replicas.map((replica) => ({
        region: replica.location.region,
        applied: replica.applied,
        superseded: replica.superseded,
        lagMillis: lagSummaryOf(replica.lagSamples),
        ...(replica.lastAppliedAt === undefined ? {} : { lastAppliedAt: replica.lastAppliedAt }),
      })),
    }),
    whenCaughtUp(timeoutMillis) {
      if (paused) return Promise.reject(new Error(`Replication of ${tableName} is paused`));
      return new Promise<void>((resolve, reject) => {
        const waiter = {
          requestedAt: Date.now(),
          emptyRounds: 0,
          resolve: () => {
            clearTimeout(timer);
            resolve();
          },
        };
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1);
          reject(
            new Error(
              `Replication of ${tableName} did not catch up within ${timeoutMillis} ms (${lastError ?? 'no error'})`,
            ),
          );
        }, timeoutMillis);
        waiters.push(waiter);
      });
    },
    stop: () =>
      (stopping ??= (async () => {
        stopped = true;
        wake?.();
        await loop;
        destroyClients();
      })()),
  };
}

/** Empty rounds in a row after which replication counts as caught up. */
const EMPTY_ROUNDS_WHEN_CAUGHT_UP = 3;

/** Negative when `a` is older than `b`: timestamp first (a missing one is oldest), then content. */
function compareVersions(
  a: { timestamp: number | string | undefined; fingerprint: string },
  b: { timestamp: number | string | undefined; fingerprint: string },
): number {
  const byTimestamp = compareTimestamps(a.timestamp, b.timestamp);
  if (byTimestamp !== 0) return byTimestamp;
  return a.fingerprint < b.fingerprint ? -1 : a.fingerprint > b.fingerprint ? 1 : 0;
}

function compareTimestamps(a: number | string | undefined, b: number | string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return -1;
  if (b === undefined) return 1;
  if (typeof a === 'number' && typeof b === 'number') return a - b;
  return String(a) < String(b) ? -1 : 1;
}

function timestampOf(value: AttributeValue | undefined): number | string | undefined {
  if (value?.N !== undefined) return Number(value.N);
  return value?.S;
}

/** The write time in epoch milliseconds from a timestamp attribute, when it is one. */
function writeTimeOf(value: AttributeValue | undefined): number | undefined {
  const timestamp = timestampOf(value);
  if (typeof timestamp === 'number') {
    // Epoch seconds (as DynamoDB TTL uses) or milliseconds.
    return timestamp < 1e11 ? timestamp * 1_000 : timestamp;
  }
  const parsed = timestamp === undefined ? Number.NaN : Date.parse(timestamp);
  return Number.isFinite(parsed) ? parsed : undefined;
}

/** The item's content as a string that does not depend on the order of its attributes. */
function fingerprintOf(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(fingerprintOf).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, element]) => element !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, element]) => `${JSON.stringify(key)}:${fingerprintOf(element)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** A condition that holds only while the item is still the version that was read (or still absent). */
function unchangedCondition(
  current: Item | undefined,
  partitionKey: string,
  timestampAttribute: string,
): {
  ConditionExpression: string;
  ExpressionAttributeNames: Record<string, string>;
  ExpressionAttributeValues?: Item;
} {
  if (current === undefined) {
    return {
      ConditionExpression: 'attribute_not_exists(#key)',
      ExpressionAttributeNames: { '#key': partitionKey },
    };
  }
  const timestamp = current[timestampAttribute];
  if (timestamp === undefined) {
    return {
      ConditionExpression: 'attribute_not_exists(#ts)',
      ExpressionAttributeNames: { '#ts': timestampAttribute },
    };
  }
  return {
    ConditionExpression: '#ts = :ts',
    ExpressionAttributeNames: { '#ts': timestampAttribute },
    ExpressionAttributeValues: { ':ts': timestamp },
  };
}

function remember(counts: Map<string, number>, fingerprint: string): void {
  counts.set(fingerprint, (counts.get(fingerprint) ?? 0) + 1);
}

/** Removes one occurrence; returns whether there was one. */
function forget(counts: Map<string, number>, fingerprint: string): boolean {
  const count = counts.get(fingerprint);
  if (count === undefined) return false;
  if (count <= 1) counts.delete(fingerprint);
  else counts.set(fingerprint, count - 1);
  return true;
}

function lagSummaryOf(samples: readonly number[]): ReplicaStats['lagMillis'] {
  if (samples.length === 0) return {};
  const sorted = [...samples].sort((a, b) => a - b);
  const percentile = (p: number) =>
    sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
  return { last: samples.at(-1), p50: percentile(50), p95: percentile(95), max: sorted.at(-1) };
}

function describeError(error: unknown): string {
  const { name, message } = error as Error;
  const code = (error as { cause?: { code?: string } }).cause?.code;
  return code ? `${name}: ${message} (${code})` : `${name}: ${message}`;
}
