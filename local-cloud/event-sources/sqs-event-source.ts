/**
 * SQS event source mappings (`AWS::Lambda::EventSourceMapping` on a queue), run the way Lambda's
 * pollers run them: long polling, batches of up to BatchSize gathered for up to the batching
 * window, at most MaximumConcurrency batches in flight, and with ReportBatchItemFailures only the
 * failed messages left on the queue. A failed, timed-out or throttled invocation deletes nothing:
 * its messages come back after the visibility timeout and the queue's redrive policy moves them to
 * the dead-letter queue after maxReceiveCount receives (the SQS emulator does that part).
 */
import {
  ChangeMessageVisibilityBatchCommand,
  DeleteMessageBatchCommand,
  ReceiveMessageCommand,
  type Message,
  type SQSClient,
} from '@aws-sdk/client-sqs';
import type { SQSEvent, SQSMessageAttributes, SQSRecord } from 'aws-lambda';
import { resourcesOfType, type AssemblyStack } from '../assembly/cloud-assembly';
import type { IntrinsicResolver } from '../assembly/intrinsic-resolver';
import type { InvocationResult, LocalFunction } from '../lambda/local-function';
import { qualifierIn } from '../lambda/function-reference';
import type { LocalQueue } from '../resources/sqs-queues';

/** The mapping type this module reads. */
export const EVENT_SOURCE_MAPPING_TYPE = 'AWS::Lambda::EventSourceMapping';

/** Lambda's defaults for SQS mappings. */
const DEFAULT_BATCH_SIZE = 10;
const DEFAULT_BATCHING_WINDOW_SECONDS = 0;
/**
 * Lambda starts SQS polling with five concurrent batches and scales up from there when no
 * MaximumConcurrency is set; locally it stays at five.
 */
export const DEFAULT_MAXIMUM_CONCURRENCY = 5;
/** SQS returns at most 10 messages per receive and deletes at most 10 per batch call. */
const SQS_MAX_MESSAGES_PER_CALL = 10;
/** Long-poll wait of an idle poller: short enough that stopping never waits long. */
const IDLE_WAIT_TIME_SECONDS = 1;
/** Pause between short polls while a batching window is still open. */
const WINDOW_POLL_INTERVAL_MS = 50;
/** Pause after a failed receive or delete (the emulator may be down during a chaos experiment). */
const ERROR_BACKOFF_MS = 1_000;

/** An SQS mapping of the template, resolved to the local queue and function name. */
export interface SqsEventSourceDefinition {
  readonly stackName: string;
  readonly logicalId: string;
  readonly queue: LocalQueue;
  /** The mapping's FunctionName, resolved: a function name or ARN. */
  readonly functionReference: string;
  readonly batchSize: number;
  readonly maximumBatchingWindowSeconds: number;
  readonly maximumConcurrency: number;
  readonly reportBatchItemFailures: boolean;
  readonly enabled: boolean;
}

/**
 * Reads every event source mapping of a stack. Only SQS sources are supported: any other source, or
 * a mapping with filter criteria, is an error rather than a mapping silently not run.
 */
export function sqsEventSourceDefinitionsOf(
  stack: AssemblyStack,
  resolver: IntrinsicResolver,
  queues: readonly LocalQueue[],
): SqsEventSourceDefinition[] {
  return resourcesOfType(stack.template, EVENT_SOURCE_MAPPING_TYPE).map(({ logicalId, resource }) => {
    const properties = resource.Properties ?? {};
    const what = `${stack.stackName}/${logicalId}`;
    const sourceArn = resolver.resolveString(properties.EventSourceArn, `${what}.EventSourceArn`);
    const queue = queues.find((candidate) => candidate.queueArn === sourceArn);
    if (queue === undefined) {
      throw new Error(
        `${what} reads from ${sourceArn}, which is not a queue of this stack; the local cloud runs only SQS event sources`,
      );
    }
    if (properties.FilterCriteria !== undefined) {
      throw new Error(`${what} has FilterCriteria, which the local cloud does not support`);
    }
    const scaling = resolver.resolve(properties.ScalingConfig) as { MaximumConcurrency?: number } | undefined;
    const responseTypes = (resolver.resolve(properties.FunctionResponseTypes) ?? []) as string[];
    return {
      stackName: stack.stackName,
      logicalId,
      queue,
      functionReference: resolver.resolveString(properties.FunctionName, `${what}.FunctionName`),
      batchSize: Number(resolver.resolve(properties.BatchSize) ?? DEFAULT_BATCH_SIZE),
      maximumBatchingWindowSeconds: Number(
        resolver.resolve(properties.MaximumBatchingWindowInSeconds) ?? DEFAULT_BATCHING_WINDOW_SECONDS,
      ),
      maximumConcurrency: Number(scaling?.MaximumConcurrency ?? DEFAULT_MAXIMUM_CONCURRENCY),
      reportBatchItemFailures: responseTypes.includes('ReportBatchItemFailures'),
      enabled: resolver.resolve(properties.Enabled) !== false,
    };
  });
}

/** What became of one batch, for logs, experiments and tests. */
export interface BatchReport {
  readonly mappingLogicalId: string;
  readonly messageIds: readonly string[];
  readonly invocation: InvocationResult;
  /** Messages left on the queue (failed items, or the whole batch when the invocation failed). */
  readonly retriedMessageIds: readonly string[];
  readonly deletedMessageIds: readonly string[];
}

/** Properties of an {@link SqsEventSourcePoller}. */
export interface SqsEventSourcePollerProps {
  readonly definition: SqsEventSourceDefinition;
  /** The function the mapping invokes. */
  readonly target: LocalFunction;
  /** An SQS client on the emulator, in the queue's region. */
  readonly client: SQSClient;
  /** Region of the queue, the records' `awsRegion`. */
  readonly region: string;
  /**
   * Called after each batch.
   * @default - nothing
   */
  readonly onBatch?: (report: BatchReport) => void;
  /**
   * Receives one line when polling starts failing (receiving or deleting; polling goes on after a
   * pause) and one when it works again, with the number of failed attempts: a dependency that is
   * down (often on purpose, in a chaos experiment) is two lines, not one per attempt.
   * @default - written to stderr
   */
  readonly log?: (line: string) => void;
}

/** The pollers of one SQS event source mapping. */
export class SqsEventSourcePoller {
  private readonly abort = new AbortController();
  private loops: Promise<void>[] = [];
  private stopping = false;
  /** Failed attempts since polling last worked, across this mapping's pollers. */
  private failures = 0;
  /** Messages left on the queue by a failed invocation and not received since: id → receipt handle. */
  private readonly failedMessages = new Map<string, string>();

  constructor(private readonly props: SqsEventSourcePollerProps) {}

  /** Starts MaximumConcurrency pollers (none for a disabled mapping). */
  public start(): void {
    if (!this.props.definition.enabled || this.loops.length > 0) return;
    this.loops = Array.from({ length: this.props.definition.maximumConcurrency }, () => this.pollLoop());
  }

  /**
   * Stops polling: no new receives, pending long polls aborted. Resolves when every poller has
   * finished its current batch (stop the functions at the same time to end those at once).
   */
  public async stop(): Promise<void> {
    this.stopping = true;
    this.abort.abort();
    await Promise.all(this.loops);
  }

  private async pollLoop(): Promise<void> {
    while (!this.stopping) {
      try {
        const messages = await this.gatherBatch();
        if (messages.length > 0) await this.deliver(messages);
      } catch (error) {
        if (this.stopping) return;
        this.failed(error);
        await this.pause(ERROR_BACKOFF_MS);
      }
    }
  }

  /**
   * Makes the messages whose last invocation failed visible again now rather than when their
   * visibility timeout ends, and returns how many. Lambda has no such operation: it is for local
   * bookkeeping after a run (the experiment's drain), never for what a run measures.
   */
  public async releaseFailedMessages(): Promise<number> {
    const handles = [...this.failedMessages.values()];
    this.failedMessages.clear();
    let released = 0;
    for (let start = 0; start < handles.length; start += SQS_MAX_MESSAGES_PER_CALL) {
      const chunk = handles.slice(start, start + SQS_MAX_MESSAGES_PER_CALL);
      const { Successful } = await this.props.client.send(
        new ChangeMessageVisibilityBatchCommand({
          QueueUrl: this.props.definition.queue.queueUrl,
          Entries: chunk.map((handle, index) => ({
            Id: String(index),
            ReceiptHandle: handle,
            VisibilityTimeout: 0,
          })),
        }),
      );
      // A handle fails when its message was received again meanwhile: it is in flight, not failed.
      released += Successful?.length ?? 0;
    }
    return released;
  }

  private failed(error: unknown): void {
    this.failures += 1;
    if (this.failures === 1) {
      this.writeLog(
        `polling failed (${oneLine(error)}); retrying every ${ERROR_BACKOFF_MS / 1000} s, silently until it works again`,
      );
    }
  }

  private recovered(): void {
    if (this.failures === 0) return;
    this.writeLog(`polling works again after ${this.failures} failed attempts`);
    this.failures = 0;
  }

  private writeLog(message: string): void {
    const { stackName, logicalId } = this.props.definition;
    const line = `${new Date().toISOString()} SQS event source ${stackName}/${logicalId}: ${message}`;
    if (this.props.log) this.props.log(line);
    else process.stderr.write(`${line}\n`);
  }

  /** Receives up to BatchSize messages, waiting up to the batching window after the first. */
  private async gatherBatch(): Promise<Message[]> {
    const { batchSize, maximumBatchingWindowSeconds } = this.props.definition;
    const batch: Message[] = [];
    let windowEndsAt: number | undefined;
    while (!this.stopping && batch.length < batchSize) {
      const windowLeftMs = windowEndsAt === undefined ? undefined : windowEndsAt - Date.now();
      if (windowLeftMs !== undefined && windowLeftMs <= 0) break;
      const received = await this.receive(
        Math.min(SQS_MAX_MESSAGES_PER_CALL, batchSize - batch.length),
        windowLeftMs === undefined
          ? IDLE_WAIT_TIME_SECONDS
          : Math.min(IDLE_WAIT_TIME_SECONDS, Math.floor(windowLeftMs / 1000)),
      );
      for (const message of received) {
        // A visibility timeout shorter than the batching window hands a message out again while
        // its batch is still gathering; keep it once, with its newest receipt handle.
        const earlier = batch.findIndex((candidate) => candidate.MessageId === message.MessageId);
        if (earlier >= 0) batch.splice(earlier, 1);
        batch.push(message);
      }
      if (batch.length > 0 && windowEndsAt === undefined) {
        if (maximumBatchingWindowSeconds === 0) break;
        windowEndsAt = Date.now() + maximumBatchingWindowSeconds * 1000;
      }
      if (received.length === 0 && windowEndsAt !== undefined) await this.pause(WINDOW_POLL_INTERVAL_MS);
    }
    return batch;
  }

  private async receive(maxNumberOfMessages: number, waitTimeSeconds: number): Promise<Message[]> {
    // Not aborted by stop(): a receive cancelled on the client side may already have taken messages
    // on the queue's side, which would then stay invisible for a whole visibility timeout. A long
    // poll lasts at most IDLE_WAIT_TIME_SECONDS, and what it brings is still delivered.
    const { Messages } = await this.props.client.send(
      new ReceiveMessageCommand({
        QueueUrl: this.props.definition.queue.queueUrl,
        MaxNumberOfMessages: maxNumberOfMessages,
        WaitTimeSeconds: waitTimeSeconds,
        MessageSystemAttributeNames: ['All'],
        MessageAttributeNames: ['All'],
      }),
    );
    this.recovered();
    for (const message of Messages ?? []) this.failedMessages.delete(message.MessageId ?? '');
    return Messages ?? [];
  }

  /** Waits, but no longer than until {@link stop}. */
  private pause(ms: number): Promise<void> {
    const signal = this.abort.signal;
    return new Promise((resolve) => {
      if (signal.aborted) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, ms);
      signal.addEventListener('abort', done, { once: true });
    });
  }

  private async deliver(messages: readonly Message[]): Promise<void> {
    const { definition, target } = this.props;
    const event = sqsEventOf(messages, definition.queue.queueArn, this.props.region);
    const invocation = await target.invoke(event, qualifierIn(definition.functionReference));
    const messageIds = messages.map((message) => message.MessageId ?? '');
    const retried = new Set(
      invocation.status === 'succeeded'
        ? failedItemIds(invocation.payload, messageIds, definition.reportBatchItemFailures)
        : messageIds,
    );
    const toDelete = messages.filter((message) => !retried.has(message.MessageId ?? ''));
    for (const message of messages) {
      if (retried.has(message.MessageId ?? '') && message.ReceiptHandle) {
        this.failedMessages.set(message.MessageId ?? '', message.ReceiptHandle);
      }
    }
    await this.deleteMessages(toDelete);
    this.props.onBatch?.({
      mappingLogicalId: definition.logicalId,
      messageIds,
      invocation,
      retriedMessageIds: [...retried],
      deletedMessageIds: toDelete.map((message) => message.MessageId ?? ''),
    });
  }

  private async deleteMessages(messages: readonly Message[]): Promise<void> {
    for (let start = 0; start < messages.length; start += SQS_MAX_MESSAGES_PER_CALL) {
      const chunk = messages.slice(start, start + SQS_MAX_MESSAGES_PER_CALL);
      const { Failed } = await this.props.client.send(
        new DeleteMessageBatchCommand({
          QueueUrl: this.props.definition.queue.queueUrl,
          Entries: chunk.map((message, index) => ({
            Id: String(index),
            ReceiptHandle: message.ReceiptHandle,
          })),
        }),
      );
      if (Failed !== undefined && Failed.length > 0) {
        throw new Error(`Deleting processed messages failed: ${JSON.stringify(Failed)}`);
      }
    }
  }
}

/**
 * The ids of the messages to leave on the queue after a successful invocation. Without
 * ReportBatchItemFailures every message succeeded; with it, the response names the failed ones, and
 * a response that names an unknown or empty id fails the whole batch, as in Lambda.
 */
export function failedItemIds(
  payload: unknown,
  messageIds: readonly string[],
  reportBatchItemFailures: boolean,
): string[] {
  if (!reportBatchItemFailures || payload === null || typeof payload !== 'object') return [];
  const failures = (payload as { batchItemFailures?: unknown }).batchItemFailures;
  if (failures === undefined || failures === null) return [];
  if (!Array.isArray(failures)) return [...messageIds];
  const ids = failures.map((failure) => (failure as { itemIdentifier?: unknown } | null)?.itemIdentifier);
  if (ids.some((id) => typeof id !== 'string' || !messageIds.includes(id))) return [...messageIds];
  return ids as string[];
}

/** The SQS event Lambda builds from received messages. */
export function sqsEventOf(messages: readonly Message[], queueArn: string, region: string): SQSEvent {
  return { Records: messages.map((message) => sqsRecordOf(message, queueArn, region)) };
}

function sqsRecordOf(message: Message, queueArn: string, region: string): SQSRecord {
  const messageAttributes: SQSMessageAttributes = {};
  for (const [name, value] of Object.entries(message.MessageAttributes ?? {})) {
    messageAttributes[name] = {
      dataType: value.DataType ?? 'String',
      ...(value.StringValue === undefined ? {} : { stringValue: value.StringValue }),
      ...(value.BinaryValue === undefined
        ? {}
        : { binaryValue: Buffer.from(value.BinaryValue).toString('base64') }),
      stringListValues: [],
      binaryListValues: [],
    };
  }
  const attributes = message.Attributes ?? {};
  return {
    messageId: message.MessageId ?? '',
    receiptHandle: message.ReceiptHandle ?? '',
    body: message.Body ?? '',
    attributes: {
      ...attributes,
      ApproximateReceiveCount: attributes.ApproximateReceiveCount ?? '1',
      SentTimestamp: attributes.SentTimestamp ?? String(Date.now()),
      SenderId: attributes.SenderId ?? 'local',
      ApproximateFirstReceiveTimestamp: attributes.ApproximateFirstReceiveTimestamp ?? String(Date.now()),
    },
    messageAttributes,
    md5OfBody: message.MD5OfBody ?? '',
    ...(message.MD5OfMessageAttributes === undefined
      ? {}
      : { md5OfMessageAttributes: message.MD5OfMessageAttributes }),
    eventSource: 'aws:sqs',
    eventSourceARN: queueArn,
    awsRegion: region,
  };
}

/** An error as one short line: its name, code and the first line of its message. */
function oneLine(error: unknown): string {
  if (!(error instanceof Error)) return String(error).split('\n')[0];
  const code = (error as { code?: unknown }).code;
  const firstLine = error.message.split('\n')[0];
  return `${error.name}${typeof code === 'string' ? ` ${code}` : ''}: ${firstLine}`;
}
