/**
 * How the test workers reach the emulators the global setup started: the environment variables
 * that carry the endpoints, and SDK clients for arranging and asserting state.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

/** Environment variables the global setup sets for the test workers. */
export const TEST_ENVIRONMENT = {
  dynamoDbEndpoint: 'TEST_DYNAMODB_ENDPOINT',
  sqsEndpoint: 'TEST_SQS_ENDPOINT',
} as const;

/** Region of every test resource. */
export const TEST_REGION = 'us-east-1';

/** The account every test stack and template is synthesized for (never a real one). */
export const TEST_ACCOUNT = '111111111111';

/** Fake credentials; DynamoDB Local only accepts alphanumeric access keys. */
export const TEST_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Endpoints of the running emulators; fails when the global setup did not run. */
export function localEndpoints(): { readonly dynamoDb: string; readonly sqs: string } {
  const dynamoDb = process.env[TEST_ENVIRONMENT.dynamoDbEndpoint];
  const sqs = process.env[TEST_ENVIRONMENT.sqsEndpoint];
  if (!dynamoDb || !sqs) {
    throw new Error(
      `${TEST_ENVIRONMENT.dynamoDbEndpoint} and ${TEST_ENVIRONMENT.sqsEndpoint} are not set: ` +
        'run the tests through Jest so that test/harness/global-setup.ts starts the emulators',
    );
  }
  return { dynamoDb, sqs };
}

/** A DynamoDB document client on DynamoDB Local, for arranging and asserting state in tests. */
export function testDocumentClient(): DynamoDBDocumentClient {
  const client = new DynamoDBClient({
    endpoint: localEndpoints().dynamoDb,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
  return DynamoDBDocumentClient.from(client);
}

/** An SQS client on the emulator, for arranging and asserting state in tests. */
export function testSqsClient(): SQSClient {
  return new SQSClient({
    endpoint: localEndpoints().sqs,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
}
