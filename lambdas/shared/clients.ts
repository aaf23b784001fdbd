/**
 * AWS SDK clients, created once per container so that connections are reused across invocations.
 *
 * Endpoints: the SDK itself honours `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB` and
 * `AWS_ENDPOINT_URL_SQS` (service-specific endpoints, supported natively by the installed SDK v3), so
 * the local cloud and the tests only set environment variables; no endpoint code lives here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENVIRONMENT, readPositiveIntegerEnvironment } from './environment';

/** Attempts per SDK call, the first included: bounded so that retries fit in one invocation. */
export const SDK_MAX_ATTEMPTS = 3;

/** Per-attempt timeout used when `SDK_REQUEST_TIMEOUT_MS` is not set. */
export const DEFAULT_SDK_REQUEST_TIMEOUT_MS = 2_000;

/** Longest wait for a TCP (and TLS) connection; a healthy regional endpoint connects in milliseconds. */
const MAX_CONNECTION_TIMEOUT_MS = 1_000;

const requestTimeoutMs = readPositiveIntegerEnvironment(
  ENVIRONMENT.sdkRequestTimeoutMs,
  DEFAULT_SDK_REQUEST_TIMEOUT_MS,
);

// The SDK builds its NodeHttpHandler from these options, so @smithy/node-http-handler need not be a
// direct dependency. Without `throwOnRequestTimeout` the handler only logs a warning when
// `requestTimeout` passes and keeps waiting.
const requestHandler = {
  connectionTimeout: Math.min(MAX_CONNECTION_TIMEOUT_MS, requestTimeoutMs),
  requestTimeout: requestTimeoutMs,
  throwOnRequestTimeout: true,
};

/** Low-level DynamoDB client; the Powertools idempotency persistence layer uses it directly. */
export const dynamoDbClient = new DynamoDBClient({ maxAttempts: SDK_MAX_ATTEMPTS, requestHandler });

/** Document client over {@link dynamoDbClient}, for the repositories. */
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient);

/** SQS client, for the queue data-access module. */
export const sqsClient = new SQSClient({
  maxAttempts: SDK_MAX_ATTEMPTS,
  requestHandler,
  // By default the SQS client sends each call to the host of its QueueUrl, which would bypass an
  // AWS_ENDPOINT_URL_SQS override (emulators hand out URLs such as sqs.us-east-1.localhost that do
  // not resolve). In AWS the queue URL's host is the regional endpoint the client resolves anyway.
  useQueueUrlAsEndpoint: false,
});
