/**
 * Shared setup of the local API Gateway tests: real synthesized templates, an emulator on a free port
 * with fake Lambda and SQS, and small HTTP helpers.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { App } from 'aws-cdk-lib';
import { addVariantStacks, resolveAppConfig } from '../../../lib';
import {
  createApiGatewayEmulator,
  type AccessLogEntry,
  type ApiGatewayEmulator,
  type ApiGatewayEmulatorOptions,
  type StackTemplate,
  type FunctionInvocationResult,
  type RunningApiGateway,
  type SqsSendMessageInput,
} from '../../../local-cloud/apigateway';
import { testApp } from '../../harness/app';
import { TEST_ACCOUNT } from '../../harness/local-aws';

/** Region the templates are synthesized for (the account is TEST_ACCOUNT). */
export const REGION = 'us-east-1';

/** A valid `POST /orders` body. */
export const VALID_ORDER = { customerId: 'c-42', items: [{ sku: 'SKU-1', quantity: 2 }] };

/** A valid Idempotency-Key. */
export const IDEMPOTENCY_KEY = '123e4567-e89b-12d3-a456-426614174000';

/** The synthesized template and stack name of a single-region variant. */
export function synthesizeVariant(variant: 'sync' | 'async'): {
  template: StackTemplate;
  stackName: string;
} {
  const app = testApp();
  const [stack] = addVariantStacks(app, resolveAppConfig({ variant, account: TEST_ACCOUNT }));
  return { template: synthesizedTemplate(app, stack.stackName), stackName: stack.stackName };
}

/** The template of a stack of an app. */
export function synthesizedTemplate(app: App, stackName: string): StackTemplate {
  return app.synth().getStackByName(stackName).template as StackTemplate;
}

/** The logical id of the resource of a type whose id starts with a prefix. */
export function logicalIdOf(template: StackTemplate, type: string, prefix: string): string {
  const found = Object.entries(template.Resources ?? {}).find(
    ([id, resource]) => resource.Type === type && id.startsWith(prefix),
  );
  if (!found) throw new Error(`No ${type} starting with ${prefix}`);
  return found[0];
}

/** A running emulator with fakes that record what reached Lambda and SQS. */
export interface TestGateway {
  readonly emulator: ApiGatewayEmulator;
  readonly running: RunningApiGateway;
  /** `http://127.0.0.1:<port>/prod` */
  readonly stageUrl: string;
  /** The value of the first API key. */
  readonly apiKey: string;
  readonly invocations: Array<{ functionLogicalId: string; event: APIGatewayProxyEvent }>;
  readonly messages: Array<{ queue: string; message: SqsSendMessageInput }>;
  readonly accessLog: AccessLogEntry[];
  /** What the fake Lambda answers; replace to change it. */
  answer: (functionLogicalId: string, event: APIGatewayProxyEvent) => Promise<FunctionInvocationResult>;
  /** What the fake SQS does; replace to make it fail. */
  send: (queue: string, message: SqsSendMessageInput) => Promise<{ messageId: string }>;
  stop(): Promise<void>;
}

/** Starts an emulator on a free port of 127.0.0.1. */
export async function startTestGateway(
  template: StackTemplate,
  stackName: string,
  options: Partial<ApiGatewayEmulatorOptions> = {},
): Promise<TestGateway> {
  const invocations: TestGateway['invocations'] = [];
  const messages: TestGateway['messages'] = [];
  const accessLog: AccessLogEntry[] = [];
  const gateway = {
    invocations,
    messages,
    accessLog,
    answer: (_functionLogicalId: string, event: APIGatewayProxyEvent): Promise<FunctionInvocationResult> =>
      Promise.resolve({
        statusCode: 200,
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ echo: event.path }),
      }),
    send: (_queue: string, _message: SqsSendMessageInput) =>
      Promise.resolve({ messageId: `m-${messages.length}` }),
  } as Pick<TestGateway, 'invocations' | 'messages' | 'accessLog' | 'answer' | 'send'>;
  const emulator = createApiGatewayEmulator({
    template,
    stackName,
    region: REGION,
    accountId: TEST_ACCOUNT,
    invokeFunction: (functionLogicalId, event) => {
      invocations.push({ functionLogicalId, event });
      return gateway.answer(functionLogicalId, event);
    },
    sendSqsMessage: async (queue, message) => {
      const result = await gateway.send(queue, message);
      messages.push({ queue, message });
      return result;
    },
    onAccessLog: (entry) => accessLog.push(entry),
    ...options,
  });
  const running = await emulator.listen();
  return Object.assign(gateway, {
    emulator,
    running,
    stageUrl: `${running.url}/prod`,
    apiKey: emulator.apiKeys()[0].value,
    stop: () => running.close(),
  });
}

/** A response with its body read as text and, when possible, JSON. */
export interface TestResponse {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
  readonly json: any;
}

/** Sends a request and reads the whole answer. */
export async function send(url: string, init: RequestInit = {}): Promise<TestResponse> {
  const response = await fetch(url, init);
  const text = await response.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, text, json };
}

/** Headers of a valid `POST /orders`. */
export function orderHeaders(apiKey: string, idempotencyKey = IDEMPOTENCY_KEY): Record<string, string> {
  return { 'x-api-key': apiKey, 'Idempotency-Key': idempotencyKey, 'Content-Type': 'application/json' };
}

/** Expects the API's error shape with a code and a request id. */
export function expectErrorShape(response: TestResponse, code: string): void {
  expect(response.json).toEqual({
    error: expect.objectContaining({ code, message: expect.any(String), requestId: expect.any(String) }),
  });
  expect(response.json.error.requestId).toBe(response.headers.get('x-amzn-requestid'));
}
