/**
 * What happens after the load: the queues of a variant drain (the consumer writes every accepted
 * order) and then the orders tables are read, so that lost acknowledgements can be counted.
 */
import { DynamoDBClient, paginateScan } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import type { LocalCloud, LocalStack } from '../../local-cloud/local-cloud';
import { LOCAL_CREDENTIALS } from '../../local-cloud/region-runtime';

function sqsClient(cloud: LocalCloud, region: string): SQSClient {
  return new SQSClient({
    endpoint: cloud.sqsEndpoint,
    region,
    credentials: LOCAL_CREDENTIALS,
    useQueueUrlAsEndpoint: false,
  });
}

/** The queues the stacks' consumers read (dead-letter queues left out). */
function workQueues(stack: LocalStack) {
  return stack.runtime.queues.filter((queue) => !/DeadLetter/i.test(queue.logicalId));
}

/**
 * Sets the visibility timeout of the stacks' queues, so that a failed batch is retried within a
 * short run rather than after the template's minutes.
 */
export async function shortenVisibilityTimeouts(
  cloud: LocalCloud,
  stacks: readonly LocalStack[],
  seconds: number,
): Promise<void> {
  for (const stack of stacks) {
    const client = sqsClient(cloud, stack.region);
    try {
      for (const queue of stack.runtime.queues) {
        await client.send(
          new SetQueueAttributesCommand({
            QueueUrl: queue.queueUrl,
            Attributes: { VisibilityTimeout: String(seconds) },
          }),
        );
      }
    } finally {
      client.destroy();
    }
  }
}

/** Messages waiting or in flight in the stacks' work queues, and in their dead-letter queues. */
export async function queueDepths(
  cloud: LocalCloud,
  stacks: readonly LocalStack[],
): Promise<{ readonly pending: number; readonly deadLetters: number }> {
  let pending = 0;
  let deadLetters = 0;
  for (const stack of stacks) {
    const client = sqsClient(cloud, stack.region);
    try {
      for (const queue of stack.runtime.queues) {
        const { Attributes } = await client.send(
          new GetQueueAttributesCommand({
            QueueUrl: queue.queueUrl,
            AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
          }),
        );
        const count =
          Number(Attributes?.ApproximateNumberOfMessages ?? 0) +
          Number(Attributes?.ApproximateNumberOfMessagesNotVisible ?? 0);
        if (workQueues(stack).includes(queue)) pending += count;
        else deadLetters += count;
      }
    } finally {
      client.destroy();
    }
  }
  return { pending, deadLetters };
}

/**
 * Waits until the stacks' work queues are empty, checking every 250 ms (`onPoll` sees each count).
 * Resolves with how long it took, or `null` when `timeoutMs` passed first.
 */
export async function waitForDrain(
  cloud: LocalCloud,
  stacks: readonly LocalStack[],
  timeoutMs: number,
  onPoll?: (pending: number) => void,
): Promise<number | null> {
  const started = Date.now();
  for (;;) {
    const { pending } = await queueDepths(cloud, stacks);
    onPoll?.(pending);
    if (pending === 0) return Date.now() - started;
    if (Date.now() - started > timeoutMs) return null;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** The order ids in a stack's orders table (read from DynamoDB Local directly, past any fault). */
export async function storedOrderIds(cloud: LocalCloud, stack: LocalStack): Promise<Set<string>> {
  const tableName = cloud.outputs[stack.stackName]?.OrdersTableName;
  if (!tableName) throw new Error(`Stack ${stack.stackName} has no OrdersTableName output`);
  const client = new DynamoDBClient({
    endpoint: cloud.dynamodbEndpoint,
    region: stack.region,
    credentials: LOCAL_CREDENTIALS,
  });
  const ids = new Set<string>();
  try {
    for await (const page of paginateScan(
      { client },
      { TableName: tableName, ProjectionExpression: 'orderId', ConsistentRead: true },
    )) {
      for (const item of page.Items ?? []) {
        if (item.orderId?.S) ids.add(item.orderId.S);
      }
    }
  } finally {
    client.destroy();
  }
  return ids;
}
