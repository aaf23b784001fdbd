/**
 * The input checks SQS makes on `SendMessage` that the SQS emulator (fauxqs 1.9) does not: the local
 * cloud applies them where it sends for API Gateway's SQS integration, so the async edge answers as
 * on AWS. Functions' own SDK calls reach fauxqs unchecked (a known difference).
 *
 * Source: SQS's answers recorded on AWS (test/fidelity/cases/sqs.json, each case names its snapshot)
 * and the `SendMessage` API reference (allowed characters, id formats).
 */

/** A `SendMessage` SQS refuses: `name` is SQS's error code, `statusCode` 400. */
export class SqsRequestError extends Error {
  public readonly statusCode = 400;

  constructor(code: string, message: string) {
    super(message);
    this.name = code;
  }
}

/** What the checks need to know of the message and the queue. */
export interface SendMessageToCheck {
  readonly messageBody: string;
  readonly messageAttributes: Readonly<
    Record<string, { readonly dataType: string; readonly stringValue?: string }>
  >;
  readonly delaySeconds?: number;
  readonly messageGroupId?: string;
  readonly messageDeduplicationId?: string;
}

/** The queue's attributes that change the rules. */
export interface QueueKind {
  readonly fifo: boolean;
  readonly contentBasedDeduplication: boolean;
}

/** "#x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF" (SendMessage API reference). */
const INVALID_CHARACTER = /[^\u0009\u000A\u000D\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u;

/** Alphanumeric and punctuation characters, 1 to 128 (SQS's rule for group and deduplication ids). */
const ID_FORMAT = /^[\x21-\x7E]{1,128}$/;

/**
 * Refuses what SQS refuses, with SQS's code and message.
 *
 * @throws SqsRequestError
 */
export function checkSendMessage(message: SendMessageToCheck, queue: QueueKind): void {
  if (INVALID_CHARACTER.test(message.messageBody)) {
    throw new SqsRequestError(
      'InvalidMessageContents',
      'Invalid characters found. Valid unicode characters are #x9 | #xA | #xD | #x20 to #xD7FF | #xE000 to #xFFFD | #x10000 to #x10FFFF',
    );
  }
  for (const [name, attribute] of Object.entries(message.messageAttributes)) {
    if (!attribute.dataType.startsWith('String')) continue;
    if (attribute.stringValue === undefined || attribute.stringValue === '') {
      throw new SqsRequestError(
        'InvalidParameterValue',
        `Message (user) attribute '${name}' must contain a non-empty value of type 'String'.`,
      );
    }
    if (INVALID_CHARACTER.test(attribute.stringValue)) {
      throw new SqsRequestError(
        'InvalidParameterValue',
        `Message (user) attribute '${name}' value contains invalid characters.`,
      );
    }
  }
  for (const [parameter, value] of [
    ['MessageGroupId', message.messageGroupId],
    ['MessageDeduplicationId', message.messageDeduplicationId],
  ] as const) {
    if (value !== undefined && !ID_FORMAT.test(value)) {
      throw new SqsRequestError(
        'InvalidParameterValue',
        `Value ${value} for parameter ${parameter} is invalid. Reason: ${parameter} can only include alphanumeric and punctuation characters. 1 to 128 in length.`,
      );
    }
  }
  if (!queue.fifo) return;
  if (message.delaySeconds !== undefined) {
    throw new SqsRequestError(
      'InvalidParameterValue',
      `Value ${message.delaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  }
  if (message.messageGroupId === undefined) {
    throw new SqsRequestError('MissingParameter', 'The request must contain the parameter MessageGroupId.');
  }
  if (message.messageDeduplicationId === undefined && !queue.contentBasedDeduplication) {
    throw new SqsRequestError(
      'InvalidParameterValue',
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
  }
}

/** A queue's kind from its attributes (`FifoQueue`, `ContentBasedDeduplication`). */
export function queueKindOf(attributes: Readonly<Record<string, string>> | undefined): QueueKind {
  return {
    fifo: attributes?.FifoQueue === 'true',
    contentBasedDeduplication: attributes?.ContentBasedDeduplication === 'true',
  };
}
