/**
 * The SQS client, created once per container; in its own module so that functions that never call
 * SQS do not bundle the SQS client.
 */
import { SQSClient } from '@aws-sdk/client-sqs';
import { requestHandler } from './clients';
import { SDK_MAX_ATTEMPTS } from '../contract/sdk-config';

/** SQS client, for the queue data-access module. */
export const sqsClient = new SQSClient({
  maxAttempts: SDK_MAX_ATTEMPTS,
  requestHandler,
  // By default the SQS client sends each call to the host of its QueueUrl, which would bypass an
  // AWS_ENDPOINT_URL_SQS override (emulators hand out URLs such as sqs.us-east-1.localhost that do
  // not resolve). In AWS the queue URL's host is the regional endpoint the client resolves anyway.
  useQueueUrlAsEndpoint: false,
});
