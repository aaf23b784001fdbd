/**
 * SQS queues from `AWS::SQS::Queue` resources, created in the SQS emulator (fauxqs) in dependency
 * order, so that a dead-letter queue exists before the queue whose redrive policy names it.
 */
import { CreateQueueCommand, GetQueueAttributesCommand, type SQSClient } from '@aws-sdk/client-sqs';
import { resourcesOfType, type AssemblyStack, type TemplateResource } from '../assembly/cloud-assembly';
import type { IntrinsicResolver } from '../assembly/intrinsic-resolver';
import { inDependencyOrder } from '../assembly/references';
import { localResourceName } from './local-names';

/** The queue type this module creates. */
export const QUEUE_TYPE = 'AWS::SQS::Queue';

/** SQS's limit on queue names. */
const MAX_QUEUE_NAME_LENGTH = 80;

/**
 * Template properties passed to the emulator as queue attributes. Encryption properties
 * (`SqsManagedSseEnabled`, `KmsMasterKeyId`) are left out: nothing is encrypted locally.
 */
const QUEUE_ATTRIBUTE_PROPERTIES = [
  'VisibilityTimeout',
  'MessageRetentionPeriod',
  'DelaySeconds',
  'MaximumMessageSize',
  'ReceiveMessageWaitTimeSeconds',
  'RedrivePolicy',
  'RedriveAllowPolicy',
  'FifoQueue',
  'ContentBasedDeduplication',
  'DeduplicationScope',
  'FifoThroughputLimit',
] as const;

/** A queue created (or found) in the SQS emulator. */
export interface LocalQueue {
  readonly logicalId: string;
  readonly queueName: string;
  readonly queueUrl: string;
  /** The emulator's ARN of the queue; redrive policies must name this one to be honoured. */
  readonly queueArn: string;
  /** The attributes the queue was created with. */
  readonly attributes: Readonly<Record<string, string>>;
}

/** Options of creating the queues of a stack. */
export interface CreateQueuesOptions {
  /** The resolver of the stack; each queue is registered in it once created. */
  readonly resolver: IntrinsicResolver;
  /** An SQS client on the emulator, in the region of the stack. */
  readonly client: SQSClient;
  /**
   * Prefix of generated queue names (not of names the template sets).
   * @default ''
   */
  readonly namePrefix?: string;
}

/**
 * Creates every queue of a stack in dependency order and registers each in the resolver (`Ref` is
 * the queue URL; `Arn`, `QueueName` and `QueueUrl` attributes), so that a later queue's redrive
 * policy resolves to the dead-letter queue's ARN. `CreateQueue` with the same attributes returns
 * the existing queue, so restarting a region keeps its messages.
 */
export async function createStackQueues(
  stack: AssemblyStack,
  options: CreateQueuesOptions,
): Promise<LocalQueue[]> {
  const queues = new Map<string, TemplateResource>(
    resourcesOfType(stack.template, QUEUE_TYPE).map(({ logicalId, resource }) => [logicalId, resource]),
  );
  const created: LocalQueue[] = [];
  for (const logicalId of inDependencyOrder(queues)) {
    const resource = queues.get(logicalId);
    if (resource === undefined) continue;
    const queue = await createQueue(stack, logicalId, resource, options);
    options.resolver.register(logicalId, {
      ref: queue.queueUrl,
      attributes: { Arn: queue.queueArn, QueueName: queue.queueName, QueueUrl: queue.queueUrl },
    });
    created.push(queue);
  }
  return created;
}

async function createQueue(
  stack: AssemblyStack,
  logicalId: string,
  resource: TemplateResource,
  options: CreateQueuesOptions,
): Promise<LocalQueue> {
  const properties = resource.Properties ?? {};
  const what = `${logicalId}.Properties`;
  const templateName =
    properties.QueueName === undefined
      ? undefined
      : options.resolver.resolveString(properties.QueueName, `${what}.QueueName`);
  const isFifo = properties.FifoQueue === true || properties.FifoQueue === 'true';
  const generatedSuffix = isFifo && templateName === undefined ? '.fifo' : '';
  const queueName =
    localResourceName({
      templateName,
      stackName: stack.stackName,
      logicalId,
      prefix: options.namePrefix,
      maxLength: MAX_QUEUE_NAME_LENGTH - generatedSuffix.length,
      kind: 'queue',
    }) + generatedSuffix;

  const attributes: Record<string, string> = {};
  for (const name of QUEUE_ATTRIBUTE_PROPERTIES) {
    if (properties[name] === undefined) continue;
    const value = options.resolver.resolve(properties[name]);
    // The redrive policies are JSON objects in templates and JSON strings in the SQS API.
    attributes[name] = typeof value === 'string' ? value : JSON.stringify(value);
  }

  const { QueueUrl } = await options.client.send(
    new CreateQueueCommand({ QueueName: queueName, Attributes: attributes }),
  );
  if (QueueUrl === undefined) throw new Error(`The SQS emulator returned no URL for queue ${queueName}`);
  const { Attributes } = await options.client.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  const queueArn = Attributes?.QueueArn;
  if (queueArn === undefined) throw new Error(`The SQS emulator returned no ARN for queue ${queueName}`);
  return { logicalId, queueName, queueUrl: QueueUrl, queueArn, attributes };
}
