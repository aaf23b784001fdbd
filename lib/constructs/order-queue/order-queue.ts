import { Aws, Duration, Token, Validations } from 'aws-cdk-lib';
import * as apigateway from 'aws-cdk-lib/aws-apigateway';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as eventSources from 'aws-cdk-lib/aws-lambda-event-sources';
import * as sqs from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { refuseDerivedKeys } from '../pass-through';
import { buildErrorBody } from '../../../lambdas/contract/errors';
import { LOAD_SHEDDING_STAGE_VARIABLE, SHEDDING } from '../../../lambdas/contract/load-shedding';
import { ORDER_MESSAGE_ATTRIBUTES } from '../../../lambdas/contract/order-message';
import {
  IDEMPOTENCY_KEY_HEADER,
  IDEMPOTENCY_KEY_PATTERN,
  MAX_REQUEST_BODY_BYTES,
} from '../../../lambdas/contract/order-schema';
import type { ResilientFunction } from '../resilient-function';
import { RETRY_AFTER_SECONDS } from '../../../lambdas/contract/retry-after';

/** Properties of a {@link OrderQueue}. */
export interface OrderQueueProps {
  /** The function that consumes the queue in batches. */
  readonly consumer: ResilientFunction;

  /**
   * API resource on which to add the method that writes requests straight to the queue.
   * @default - no API method; the queue and its consumer only
   */
  readonly resource?: apigateway.IResource;

  /**
   * HTTP method of the API method.
   * @default 'POST'
   */
  readonly httpMethod?: string;

  /**
   * Options of the API method: validator, models, required headers, API key.
   * @default - none
   */
  readonly methodOptions?: apigateway.MethodOptions;

  /**
   * Messages per consumer invocation (1 to 10 without a batching window, up to 10,000 with one).
   * @default 10
   */
  readonly batchSize?: number;

  /**
   * How long the event source mapping gathers messages before it invokes the consumer.
   * @default Duration.seconds(1)
   */
  readonly maxBatchingWindow?: Duration;

  /**
   * Most concurrent consumer invocations the event source mapping runs (2 to 1000): a bulkhead that
   * keeps a backlog from taking all of the account's concurrency. When the consumer has reserved
   * concurrency it must be at least this much (AWS guidance), or the mapping's invocations are
   * throttled and their messages return to the queue.
   * @default 10
   */
  readonly maxConcurrency?: number;

  /**
   * Visibility timeout of the queue. AWS recommends at least six times the consumer's timeout so a
   * batch that is retried by Lambda is not handed out twice.
   * @default - six times the consumer's timeout
   */
  readonly visibilityTimeout?: Duration;

  /**
   * How many times a message is received before the queue moves it to the dead-letter queue.
   * @default 5
   */
  readonly maxReceiveCount?: number;

  /**
   * How long the queue keeps an unprocessed message.
   * @default Duration.days(4)
   */
  readonly retentionPeriod?: Duration;

  /**
   * How long the dead-letter queue keeps a message (the SQS maximum, to leave time to investigate).
   * @default Duration.days(14)
   */
  readonly deadLetterRetentionPeriod?: Duration;

  /**
   * `Retry-After` of the 503 the API method answers while it sheds load, i.e. while the stage
   * variable `shedding` is `true` (see `LoadShedder`, which switches it). Whole seconds, 1 to 3600.
   * @default Duration.seconds(30)
   */
  readonly sheddingRetryAfter?: Duration;

  /**
   * Pass-through properties for the queue, for what this construct does not foresee. They override
   * the construct's choices, except the keys it derives or guarantees
   * ({@link OrderQueueQueueDerivedKey}) and `encryption: UNENCRYPTED`, which are refused with
   * the prop to use instead. `encryption: KMS` (a customer-managed key) is allowed: the API
   * method's role is granted the key.
   * @default - none
   */
  readonly queueProps?: Partial<Omit<sqs.QueueProps, OrderQueueQueueDerivedKey>>;

  /**
   * Pass-through properties for the dead-letter queue. They override the construct's choices,
   * except the keys it derives or guarantees ({@link OrderQueueDeadLetterQueueDerivedKey}) and
   * `encryption: UNENCRYPTED`, which are refused with the prop to use instead.
   * @default - none
   */
  readonly deadLetterQueueProps?: Partial<Omit<sqs.QueueProps, OrderQueueDeadLetterQueueDerivedKey>>;
}

/** Keys of `sqs.QueueProps` that `queueProps` may not set: the construct derives or guarantees them. */
export type OrderQueueQueueDerivedKey =
  'visibilityTimeout' | 'deadLetterQueue' | 'retentionPeriod' | 'enforceSSL';

/** Keys of `sqs.QueueProps` that `deadLetterQueueProps` may not set. */
export type OrderQueueDeadLetterQueueDerivedKey = 'retentionPeriod' | 'enforceSSL';

/** The construct guarantees TLS: `true` would be redundant, `false` would break the guarantee. */
const ENFORCE_SSL_REFUSAL =
  'is always true: OrderQueue guarantees that both queues refuse requests without TLS; remove it';

/** Why each key of `queueProps` is refused, and what to use instead; the error message quotes it. */
const DERIVED_QUEUE_PROPS: Record<OrderQueueQueueDerivedKey, string> = {
  // Derived from the consumer's timeout, and checked to be at least six times it.
  visibilityTimeout:
    "is derived from the consumer's timeout; set visibilityTimeout on OrderQueueProps instead",
  // The redrive policy names the dead-letter queue the construct creates, exposes and acknowledges.
  deadLetterQueue:
    'would replace the dead-letter queue OrderQueue creates; set maxReceiveCount, and deadLetterQueueProps for the dead-letter queue itself, on OrderQueueProps instead',
  // A dedicated prop with a documented default; two ways to set it would disagree.
  retentionPeriod: 'has its own prop; set retentionPeriod on OrderQueueProps instead',
  enforceSSL: ENFORCE_SSL_REFUSAL,
};

/** Why each key of `deadLetterQueueProps` is refused; its visibility timeout and redrive are free. */
const DERIVED_DEAD_LETTER_QUEUE_PROPS: Record<OrderQueueDeadLetterQueueDerivedKey, string> = {
  retentionPeriod: 'has its own prop; set deadLetterRetentionPeriod on OrderQueueProps instead',
  enforceSSL: ENFORCE_SSL_REFUSAL,
};

/** The multiple of the consumer timeout below which the visibility timeout is refused. */
export const MIN_VISIBILITY_TIMEOUT_MULTIPLE = 6;

/** Message attribute that carries the request's Idempotency-Key. */
export const IDEMPOTENCY_KEY_ATTRIBUTE = ORDER_MESSAGE_ATTRIBUTES.idempotencyKey;

/** Message attribute that carries the API Gateway request id (the correlation id). */
export const REQUEST_ID_ATTRIBUTE = ORDER_MESSAGE_ATTRIBUTES.requestId;

/**
 * Message attribute that carries the value of the API key the request was made with: the consumer
 * derives the order's owner from it, the same in every region (an API key's id is regional).
 */
export const API_KEY_ATTRIBUTE = ORDER_MESSAGE_ATTRIBUTES.apiKey;

/** Message attribute that carries the regional id of the API key the request was made with. */
export const API_KEY_ID_ATTRIBUTE = ORDER_MESSAGE_ATTRIBUTES.apiKeyId;

/**
 * The asynchronous path: API Gateway writes each request straight to an SQS queue (no Lambda on the
 * request path, a role that may only `sqs:SendMessage`) and answers 202; a consumer function reads
 * the queue in batches and reports partial batch failures, so only the failed messages return to the
 * queue; after `maxReceiveCount` receives a message moves to the dead-letter queue. Both queues are
 * encrypted (SSE-SQS unless the pass-through props choose KMS) and refuse requests without TLS.
 *
 * It is the order API's queue, not a generic one: the request template checks the
 * `Idempotency-Key`, writes the order message attributes of `lambdas/contract/order-message.ts`
 * and answers in the order API's words. (Earlier versions called it `QueueProcessor`.)
 */
export class OrderQueue extends Construct {
  /** The queue that buffers requests. */
  public readonly queue: sqs.Queue;
  /** The dead-letter queue. */
  public readonly deadLetterQueue: sqs.Queue;
  /** The consumer's SQS event source. */
  public readonly eventSource: eventSources.SqsEventSource;
  /** The role API Gateway assumes to send messages, when an API method was added. */
  public readonly integrationRole?: iam.Role;
  /** The API method, when one was added. */
  public readonly method?: apigateway.Method;

  constructor(scope: Construct, id: string, props: OrderQueueProps) {
    super(scope, id);
    const consumerTimeout = props.consumer.timeout;
    const minimumVisibility = Duration.seconds(consumerTimeout.toSeconds() * MIN_VISIBILITY_TIMEOUT_MULTIPLE);
    const visibilityTimeout = props.visibilityTimeout ?? minimumVisibility;
    validateVisibilityTimeout(visibilityTimeout, consumerTimeout);
    const maxReceiveCount = props.maxReceiveCount ?? 5;
    validateRange('Maximum receive count', maxReceiveCount, 1, 1000);
    const maxConcurrency = props.maxConcurrency ?? 10;
    validateRange('Maximum concurrency', maxConcurrency, 2, 1000);
    validateConsumerReservation(props.consumer.reservedConcurrentExecutions, maxConcurrency);
    const maxBatchingWindow = props.maxBatchingWindow ?? Duration.seconds(1);
    const batchSize = props.batchSize ?? 10;
    validateRange('Maximum batch size', batchSize, 1, maxBatchingWindow.toSeconds() > 0 ? 10_000 : 10);
    const sheddingRetryAfter = props.sheddingRetryAfter ?? Duration.seconds(30);
    validateRange('Shedding Retry-After (seconds)', sheddingRetryAfter.toSeconds(), 1, 3600);
    refusePassThroughKeys('queueProps', props.queueProps, DERIVED_QUEUE_PROPS);
    refusePassThroughKeys(
      'deadLetterQueueProps',
      props.deadLetterQueueProps,
      DERIVED_DEAD_LETTER_QUEUE_PROPS,
    );

    this.deadLetterQueue = new sqs.Queue(this, 'DeadLetterQueue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: props.deadLetterRetentionPeriod ?? Duration.days(14),
      ...props.deadLetterQueueProps,
    });

    this.queue = new sqs.Queue(this, 'Queue', {
      encryption: sqs.QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      visibilityTimeout,
      retentionPeriod: props.retentionPeriod ?? Duration.days(4),
      deadLetterQueue: { queue: this.deadLetterQueue, maxReceiveCount },
      ...props.queueProps,
    });

    this.eventSource = new eventSources.SqsEventSource(this.queue, {
      batchSize,
      maxBatchingWindow,
      maxConcurrency,
      reportBatchItemFailures: true,
    });
    props.consumer.alias.addEventSource(this.eventSource);
    Validations.of(this.deadLetterQueue).acknowledge({
      id: 'Serverless-SQSRedrivePolicy',
      reason:
        'This queue is the dead-letter queue; its messages are kept for investigation and redriven by hand.',
    });
    Validations.of(props.consumer.alias).acknowledge({
      id: 'Serverless-LambdaEventSourceMappingDestination',
      reason:
        'SQS event source mappings do not support on-failure destinations; failed messages reach the dead-letter queue through the redrive policy.',
    });

    if (props.resource) {
      this.integrationRole = new iam.Role(this, 'IntegrationRole', {
        assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
        description: 'Lets API Gateway send accepted requests to the queue, and nothing else',
      });
      this.integrationRole.addToPolicy(
        new iam.PolicyStatement({ actions: ['sqs:SendMessage'], resources: [this.queue.queueArn] }),
      );
      // A customer-managed key (queueProps.encryption KMS): sending encrypts with it (AWS: a producer
      // needs kms:GenerateDataKey and kms:Decrypt). SSE-SQS and the AWS-managed key need no grant.
      this.queue.encryptionMasterKey?.grant(this.integrationRole, 'kms:GenerateDataKey', 'kms:Decrypt');
      this.method = props.resource.addMethod(
        props.httpMethod ?? 'POST',
        this.createIntegration(this.integrationRole, sheddingRetryAfter.toSeconds()),
        {
          ...props.methodOptions,
          methodResponses: [
            { statusCode: '202' },
            { statusCode: '400' },
            { statusCode: '503', responseParameters: { 'method.response.header.Retry-After': true } },
          ],
        },
      );
    }
  }

  /** The consumer's event source mapping id. */
  public get eventSourceMappingId(): string {
    return this.eventSource.eventSourceMappingId;
  }

  private createIntegration(role: iam.IRole, sheddingRetryAfterSeconds: number): apigateway.AwsIntegration {
    return new apigateway.AwsIntegration({
      service: 'sqs',
      path: `${Aws.ACCOUNT_ID}/${this.queue.queueName}`,
      integrationHttpMethod: 'POST',
      options: {
        credentialsRole: role,
        requestParameters: {
          'integration.request.header.Content-Type': "'application/x-www-form-urlencoded'",
        },
        // Only JSON bodies are mapped; anything else is refused with 415 before SQS is called.
        passthroughBehavior: apigateway.PassthroughBehavior.NEVER,
        requestTemplates: { 'application/json': sendMessageTemplate() },
        integrationResponses: [
          {
            statusCode: '202',
            selectionPattern: '2\\d{2}',
            responseTemplates: { 'application/json': ACCEPTED_TEMPLATE },
          },
          {
            // Only SQS's 400 can be the client's (see rejectedTemplate); its 403 (access denied, KMS
            // opt-in, throttled), 404 and 5xx are the service's faults, answered by the default below.
            statusCode: '400',
            selectionPattern: '400',
            responseTemplates: { 'application/json': rejectedTemplate(sheddingRetryAfterSeconds) },
          },
          {
            // The default response (no selection pattern): every status the others do not select.
            statusCode: '503',
            responseParameters: {
              'method.response.header.Retry-After': `'${RETRY_AFTER_SECONDS.queueUnavailable}'`,
            },
            responseTemplates: { 'application/json': UNAVAILABLE_TEMPLATE },
          },
        ],
      },
    });
  }
}

/**
 * Sets `$key` to the Idempotency-Key header. HTTP/2 clients send header names in lower case, and
 * AWS does not document whether `$input.params('Idempotency-Key')` ignores case, so a template
 * that needs the key reads both spellings.
 */
const SET_KEY = [
  `#set($key = $input.params('${IDEMPOTENCY_KEY_HEADER}'))`,
  `#if("$!key" == "")#set($key = $input.params('${IDEMPOTENCY_KEY_HEADER.toLowerCase()}'))#end`,
].join('');
const KEY_PARAM = '$key';
const SHEDDING_CONDITION = `$stageVariables.${LOAD_SHEDDING_STAGE_VARIABLE} == '${SHEDDING}'`;
// Null (a method without an API key) is false in a Velocity #if; an empty string is not, so both are checked.
const API_KEY_PARAM = '$context.identity.apiKey';
const API_KEY_ID_PARAM = '$context.identity.apiKeyId';

/**
 * The SQS `SendMessage` query request. The edge cannot check a header's format with a request
 * validator, nor bound a body's size (a model does not limit whitespace), so the template does:
 * for a key that is not a UUID, or a body over the handlers' limit (counted in characters: VTL has
 * no byte length), it leaves out `MessageBody`, SQS refuses the request with 400 and nothing is
 * queued; the 4XX response template then names the problem. While the stage sheds load (stage
 * variable `shedding` is `true`), valid requests are refused the same way and the response template
 * turns the refusal into 503 with `Retry-After`. The API key's value (from which the consumer
 * derives the order's owner) and its id are added only when there is a key: a method without
 * `apiKeyRequired` has none, and SQS refuses a message attribute with an empty value.
 */
function sendMessageTemplate(): string {
  return [
    SET_KEY,
    `#if($key.matches('${IDEMPOTENCY_KEY_PATTERN}') && $input.body.length() <= ${MAX_REQUEST_BODY_BYTES} && !(${SHEDDING_CONDITION}))`,
    'Action=SendMessage' +
      '&MessageBody=$util.urlEncode($input.body)' +
      `&MessageAttribute.1.Name=${IDEMPOTENCY_KEY_ATTRIBUTE}` +
      '&MessageAttribute.1.Value.DataType=String' +
      '&MessageAttribute.1.Value.StringValue=$util.urlEncode($key)' +
      `&MessageAttribute.2.Name=${REQUEST_ID_ATTRIBUTE}` +
      '&MessageAttribute.2.Value.DataType=String' +
      '&MessageAttribute.2.Value.StringValue=$util.urlEncode($context.requestId)' +
      `#if(${API_KEY_PARAM} && ${API_KEY_PARAM} != '')` +
      `&MessageAttribute.3.Name=${API_KEY_ATTRIBUTE}` +
      '&MessageAttribute.3.Value.DataType=String' +
      `&MessageAttribute.3.Value.StringValue=$util.urlEncode(${API_KEY_PARAM})` +
      `&MessageAttribute.4.Name=${API_KEY_ID_ATTRIBUTE}` +
      '&MessageAttribute.4.Value.DataType=String' +
      `&MessageAttribute.4.Value.StringValue=$util.urlEncode(${API_KEY_ID_PARAM})` +
      '#end',
    '#else',
    'Action=SendMessage',
    '#end',
  ].join('\n');
}

const ACCEPTED_TEMPLATE = `${SET_KEY}
{"orderId":"$util.escapeJavaScript(${KEY_PARAM})","status":"ACCEPTED"}`;

/**
 * SQS error codes of a 400 that the client caused: the template left out the body
 * (`MissingParameter`), or the body has characters SQS does not accept (`InvalidMessageContents`).
 * SQS answers most KMS failures with 400 too (`KMS.AccessDeniedException`, `KMS.DisabledException`,
 * …, per its API reference), and those are the service's faults: the template tells them apart by
 * the error code in SQS's answer, which the integration response's `$input.body` holds.
 */
const CLIENT_SQS_ERROR_CODES = ['MissingParameter', 'InvalidMessageContents'];

/**
 * The answer when SQS answered 400. A bad key is named first (a client mistake stays a 400 while
 * shedding); otherwise shedding is 503 with `Retry-After`; a 400 the client caused (see
 * {@link CLIENT_SQS_ERROR_CODES}) is a 400 `BAD_REQUEST`; any other 400 is SQS failing (a KMS key
 * disabled or not usable, a missing queue), which the client sees as 500 `INTERNAL_ERROR`: a 503
 * whose integration answered 400 is reserved for shedding, so monitoring can leave it out. An
 * oversized body sent while shedding also gets the 503: the response template cannot see the
 * request body, and the request validator has refused every body that breaks the schema before
 * this point.
 */
function rejectedTemplate(sheddingRetryAfterSeconds: number): string {
  const clientError = CLIENT_SQS_ERROR_CODES.map((code) => `$input.body.contains('${code}')`).join(' || ');
  return [
    SET_KEY,
    `#if(!${KEY_PARAM}.matches('${IDEMPOTENCY_KEY_PATTERN}'))`,
    errorTemplate(
      'INVALID_IDEMPOTENCY_KEY',
      `The ${IDEMPOTENCY_KEY_HEADER} header must be a UUID.`,
      IDEMPOTENCY_KEY_HEADER,
    ),
    `#elseif(${SHEDDING_CONDITION})`,
    '#set($context.responseOverride.status = 503)',
    `#set($context.responseOverride.header.Retry-After = '${sheddingRetryAfterSeconds}')`,
    errorTemplate(
      'OVERLOADED',
      'Too many orders are waiting to be processed; retry after the delay in Retry-After.',
    ),
    `#elseif(${clientError})`,
    errorTemplate(
      'BAD_REQUEST',
      `The request could not be queued: the body must be at most ${MAX_REQUEST_BODY_BYTES} characters and contain only characters the queue accepts.`,
    ),
    '#else',
    // Not 503: a 503 with the queue's 400 is load shedding, which monitoring leaves out of the
    // server error rate (see ResilienceMonitoring); a disabled or inaccessible KMS key is a fault.
    '#set($context.responseOverride.status = 500)',
    INTERNAL_ERROR_TEMPLATE,
    '#end',
  ].join('\n');
}

const INTERNAL_ERROR_TEMPLATE = errorTemplate(
  'INTERNAL_ERROR',
  'The order could not be queued because of a fault of the service; retry later.',
);

const UNAVAILABLE_TEMPLATE = errorTemplate(
  'SERVICE_UNAVAILABLE',
  'The order queue is unavailable; retry after the delay in Retry-After.',
);

/** The API's error shape as a VTL template, with the request id filled in by API Gateway. */
function errorTemplate(code: Parameters<typeof buildErrorBody>[0], message: string, field?: string): string {
  const body = buildErrorBody(code, message, field ? [{ field, message }] : undefined, '__REQUEST_ID__');
  return JSON.stringify(body).replace('__REQUEST_ID__', '$context.requestId');
}

function validateVisibilityTimeout(visibilityTimeout: Duration, consumerTimeout: Duration): void {
  if (Token.isUnresolved(visibilityTimeout.toSeconds()) || Token.isUnresolved(consumerTimeout.toSeconds()))
    return;
  const minimum = consumerTimeout.toSeconds() * MIN_VISIBILITY_TIMEOUT_MULTIPLE;
  if (visibilityTimeout.toSeconds() < minimum) {
    throw new Error(
      `Queue visibility timeout must be at least ${MIN_VISIBILITY_TIMEOUT_MULTIPLE} times the consumer timeout ` +
        `(${minimum} seconds for a ${consumerTimeout.toSeconds()}-second timeout) (given ${visibilityTimeout.toSeconds()} seconds)`,
    );
  }
}

/**
 * Refuses the pass-through keys the construct derives or guarantees (see `refuseDerivedKeys`), and
 * an unencrypted queue, because the construct guarantees encryption at rest; a stronger choice (a
 * KMS key) is not refused.
 */
function refusePassThroughKeys(
  propsName: string,
  given: Partial<sqs.QueueProps> | undefined,
  derived: Readonly<Record<string, string>>,
): void {
  refuseDerivedKeys(propsName, given, derived);
  if (given?.encryption === sqs.QueueEncryption.UNENCRYPTED) {
    throw new Error(
      `${propsName}.encryption must keep the queue encrypted at rest, which OrderQueue guarantees; use SQS_MANAGED (the default), KMS_MANAGED or KMS (given UNENCRYPTED)`,
    );
  }
}

function validateConsumerReservation(reserved: number | undefined, maxConcurrency: number): void {
  if (reserved === undefined || Token.isUnresolved(reserved) || Token.isUnresolved(maxConcurrency)) return;
  if (reserved < maxConcurrency) {
    throw new Error(
      `The consumer's reserved concurrency must be at least the maximum concurrency (${maxConcurrency}) (given ${reserved})`,
    );
  }
}

function validateRange(what: string, value: number, min: number, max: number): void {
  if (Token.isUnresolved(value)) return;
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new Error(`${what} must be between ${min} and ${max} inclusive (given ${value})`);
  }
}
