/**
 * AWS SDK clients for DynamoDB, created once per container so that connections are reused across invocations.
 *
 * Endpoints: the SDK itself honours `AWS_ENDPOINT_URL`, `AWS_ENDPOINT_URL_DYNAMODB` and
 * `AWS_ENDPOINT_URL_SQS` (service-specific endpoints, supported natively by the installed SDK v3), so
 * the local cloud and the tests only set environment variables; no endpoint code lives here.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ENVIRONMENT, readPositiveIntegerEnvironment } from '../contract/environment';
import { DEFAULT_SDK_REQUEST_TIMEOUT_MS, SDK_MAX_ATTEMPTS } from '../contract/sdk-config';

/** Longest wait for a TCP (and TLS) connection; a healthy regional endpoint connects in milliseconds. */
const MAX_CONNECTION_TIMEOUT_MS = 1_000;

const requestTimeoutMs = readPositiveIntegerEnvironment(
  ENVIRONMENT.sdkRequestTimeoutMs,
  DEFAULT_SDK_REQUEST_TIMEOUT_MS,
);

// The SDK builds its NodeHttpHandler from these options, so @smithy/node-http-handler need not be a
// direct dependency. Without `throwOnRequestTimeout` the handler only logs a warning when
// `requestTimeout` passes and keeps waiting.
export const requestHandler = {
  connectionTimeout: Math.min(MAX_CONNECTION_TIMEOUT_MS, requestTimeoutMs),
  requestTimeout: requestTimeoutMs,
  throwOnRequestTimeout: true,
};

/** Low-level DynamoDB client; the Powertools idempotency persistence layer uses it directly. */
export const dynamoDbClient = new DynamoDBClient({ maxAttempts: SDK_MAX_ATTEMPTS, requestHandler });

/** Document client over {@link dynamoDbClient}, for the repositories. */
export const documentClient = DynamoDBDocumentClient.from(dynamoDbClient);
