/**
 * A local API Gateway for tests: the emulator serving a real synthesized template on a free port of
 * 127.0.0.1, with fake Lambda and SQS that record what reached them.
 */
import type { APIGatewayProxyEvent } from 'aws-lambda';
import type { App } from 'aws-cdk-lib';
import { addVariantStacks, resolveAppConfig } from '../../lib';
import {
  createApiGatewayEmulator,
  type AccessLogEntry,
  type ApiGatewayEmulator,
  type ApiGatewayEmulatorOptions,
  type StackTemplate,
  type FunctionInvocationResult,
  type RunningApiGateway,
  type SqsSendMessageInput,
} from '../../local-cloud/apigateway';
import { testApp } from './app';
import { TEST_ACCOUNT, TEST_REGION } from './local-aws';

/** A synthesized stack: its template and its name. */
export interface SynthesizedStack {
  readonly template: StackTemplate;
  readonly stackName: string;
}

/** The synthesized template and stack name of a single-region variant. */
export function synthesizeVariant(variant: 'sync' | 'async'): SynthesizedStack {
  const app = testApp();
  const [stack] = addVariantStacks(app, resolveAppConfig({ variant, account: TEST_ACCOUNT }));
  return { template: synthesizedTemplate(app, stack.stackName), stackName: stack.stackName };
}

/** The template of a stack of an app. */
export function synthesizedTemplate(app: App, stackName: string): StackTemplate {
  return app.synth().getStackByName(stackName).template as StackTemplate;
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

/** Starts an emulator on a free port of 127.0.0.1, in {@link TEST_REGION} and {@link TEST_ACCOUNT}. */
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
    region: TEST_REGION,
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

/** A stack served by a fresh {@link TestGateway} in every test; see {@link testGatewayForEachTest}. */
export interface ServedStack extends SynthesizedStack {
  /** The gateway of the test that is running. */
  readonly gateway: TestGateway;
}

/**
 * Serves a stack with a fresh test gateway in each test of the enclosing `describe` (or file): the
 * stack is synthesized once, before the first test (synthesizing is slow); each test gets a gateway
 * of its own (no throttle bucket, recorded call or replaced fake carries over), stopped after it.
 * E.g. `testGatewayForEachTest(() => synthesizeVariant('sync'))`.
 *
 * `options` is read before each test, after the `beforeEach` hooks declared above this call, so it
 * may use what they set (a test's own clock).
 */
export function testGatewayForEachTest(
  synthesize: () => SynthesizedStack,
  options: () => Partial<ApiGatewayEmulatorOptions> = () => ({}),
): ServedStack {
  let stack: SynthesizedStack | undefined;
  let gateway: TestGateway | undefined;

  beforeAll(() => {
    stack = synthesize();
  });
  beforeEach(async () => {
    if (stack === undefined) throw new Error('The stack was not synthesized');
    gateway = await startTestGateway(stack.template, stack.stackName, options());
  });
  afterEach(async () => {
    await gateway?.stop();
    gateway = undefined;
  });

  const ready = <T>(value: T | undefined, what: string): T => {
    if (value === undefined)
      throw new Error(`No ${what} yet: use it in a test, not where tests are declared`);
    return value;
  };
  return {
    get template() {
      return ready(stack, 'synthesized stack').template;
    },
    get stackName() {
      return ready(stack, 'synthesized stack').stackName;
    },
    get gateway() {
      return ready(gateway, 'running gateway');
    },
  };
}
