/**
 * Reads a DynamoDB stream from its beginning, shard by shard, as a global table's replication (or a
 * Lambda event source mapping) does: it discovers new shards, follows each shard's iterator until
 * the shard closes, and asks for a fresh iterator after the last record it saw when one expires.
 */
import {
  DescribeStreamCommand,
  ExpiredIteratorException,
  GetRecordsCommand,
  GetShardIteratorCommand,
  TrimmedDataAccessException,
  type DynamoDBStreamsClient,
  type _Record as StreamRecord,
} from '@aws-sdk/client-dynamodb-streams';

export type { StreamRecord };

/** How often to look for new shards; shards open rarely (DynamoDB Local: when a table is created). */
const SHARD_DISCOVERY_INTERVAL_MILLIS = 1_000;

interface ShardPosition {
  iterator?: string;
  lastSequenceNumber?: string;
  /** The shard closed and every record of it was read. */
  finished: boolean;
}

/** Reads the records of one stream in order within each shard. */
export class StreamReader {
  private readonly shards = new Map<string, ShardPosition>();
  private discoveredAt = 0;

  constructor(
    private readonly client: DynamoDBStreamsClient,
    private readonly streamArn: string,
  ) {}

  /** The records written since the last call (from the stream's beginning on the first call). */
  public async read(): Promise<StreamRecord[]> {
    if (Date.now() - this.discoveredAt >= SHARD_DISCOVERY_INTERVAL_MILLIS) await this.discoverShards();
    const records: StreamRecord[] = [];
    for (const [shardId, position] of this.shards) {
      if (position.finished) continue;
      records.push(...(await this.readShard(shardId, position)));
    }
    return records;
  }

  private async discoverShards(): Promise<void> {
    let exclusiveStartShardId: string | undefined;
    do {
      const { StreamDescription } = await this.client.send(
        new DescribeStreamCommand({
          StreamArn: this.streamArn,
          ExclusiveStartShardId: exclusiveStartShardId,
        }),
      );
      // Parents are listed before their children, so reading in this order keeps each key's order.
      for (const shard of StreamDescription?.Shards ?? []) {
        if (shard.ShardId && !this.shards.has(shard.ShardId))
          this.shards.set(shard.ShardId, { finished: false });
      }
      exclusiveStartShardId = StreamDescription?.LastEvaluatedShardId;
    } while (exclusiveStartShardId);
    this.discoveredAt = Date.now();
  }

  private async readShard(shardId: string, position: ShardPosition): Promise<StreamRecord[]> {
    position.iterator ??= await this.iteratorOf(shardId, position.lastSequenceNumber);
    try {
      const output = await this.client.send(new GetRecordsCommand({ ShardIterator: position.iterator }));
      const records = output.Records ?? [];
      const last = records.at(-1)?.dynamodb?.SequenceNumber;
      if (last !== undefined) position.lastSequenceNumber = last;
      position.iterator = output.NextShardIterator;
      if (output.NextShardIterator === undefined) position.finished = true;
      return records;
    } catch (error) {
      if (error instanceof ExpiredIteratorException || error instanceof TrimmedDataAccessException) {
        // Iterators expire after 15 minutes (a long replication pause): start again after the last record.
        position.iterator = undefined;
        return [];
      }
      // Anything else (DynamoDB unreachable, say): ask for a fresh iterator next time.
      position.iterator = undefined;
      throw error;
    }
  }

  private async iteratorOf(
    shardId: string,
    afterSequenceNumber: string | undefined,
  ): Promise<string | undefined> {
    const { ShardIterator } = await this.client.send(
      new GetShardIteratorCommand({
        StreamArn: this.streamArn,
        ShardId: shardId,
        ...(afterSequenceNumber === undefined
          ? { ShardIteratorType: 'TRIM_HORIZON' }
          : { ShardIteratorType: 'AFTER_SEQUENCE_NUMBER', SequenceNumber: afterSequenceNumber }),
      }),
    );
    return ShardIterator;
  }
}
