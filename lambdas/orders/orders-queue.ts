/**
 * Data access for the orders queue: the only module that calls SQS. The handlers never send to the
 * queue (API Gateway does) nor delete from it (the Lambda event source mapping does); they only probe it.
 */
import { GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { DependencyUnavailableError, type DataAccessCallOptions } from '../platform/data-access';

const DEPENDENCY_NAME = 'orders queue';

/** Reads the state of the orders queue. Every SDK failure surfaces as a {@link DependencyUnavailableError}. */
export class OrdersQueue {
  constructor(
    private readonly client: SQSClient,
    private readonly queueUrl: string,
  ) {}

  /** Approximate number of messages waiting in the queue (needs `sqs:GetQueueAttributes`). */
  async approximateDepth(options: DataAccessCallOptions = {}): Promise<number> {
    try {
      const { Attributes } = await this.client.send(
        new GetQueueAttributesCommand({
          QueueUrl: this.queueUrl,
          AttributeNames: ['ApproximateNumberOfMessages'],
        }),
        { abortSignal: options.abortSignal },
      );
      return Number(Attributes?.ApproximateNumberOfMessages ?? 0);
    } catch (error) {
      throw new DependencyUnavailableError(DEPENDENCY_NAME, error);
    }
  }
}
