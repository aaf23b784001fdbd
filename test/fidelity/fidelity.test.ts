/**
 * The local cloud against AWS: cases whose expected answers were recorded on real AWS or are given
 * by the AWS documentation (each names its source), never written by us. Prints
 * `fidelity: N/M cases match AWS` and fails on any mismatch.
 */
import { randomUUID } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderMappingTemplate } from '../../local-cloud/apigateway/mapping-template';
import { CreateQueueCommand, ReceiveMessageCommand, SQSClient } from '@aws-sdk/client-sqs';
import { sendToSqs } from '../../local-cloud/apigateway/mapped-integration';
import { failedItemIds } from '../../local-cloud/event-sources/sqs-event-source';
import { sendToLocalSqs } from '../../local-cloud/local-cloud';
import { LOCAL_CREDENTIALS } from '../../local-cloud/region-runtime';
import { localEndpoints } from '../harness/local-aws';
import { callApi, callProxyApi, mockApiTemplate, type MockApiShape, type RawAnswer } from './apis';

interface MappingTemplateCase {
  readonly id: string;
  readonly source: string;
  readonly what: string;
  readonly phase?: 'request' | 'response';
  readonly template: string;
  readonly request?: {
    readonly body?: string;
    readonly headers?: Record<string, string>;
    readonly path?: Record<string, string>;
    readonly querystring?: Record<string, string>;
    readonly stageVariables?: Record<string, string>;
    readonly context?: Record<string, unknown>;
  };
  readonly expected: { readonly output?: string; readonly outputJson?: unknown };
  /** What the template leaves in `$context.responseOverride`. */
  readonly expectedOverride?: { readonly status?: number; readonly header?: Record<string, string> };
  /** What the template leaves in `$context.requestOverride`. */
  readonly expectedRequestOverride?: { readonly header?: Record<string, string> };
}

const CASES_DIRECTORY = path.join(__dirname, 'cases');

function readCases<T>(file: string, key: string): T[] {
  const filePath = path.join(CASES_DIRECTORY, file);
  if (!fs.existsSync(filePath)) return [];
  return (JSON.parse(fs.readFileSync(filePath, 'utf8')) as Record<string, T[]>)[key] ?? [];
}

const mappingTemplateCases = readCases<MappingTemplateCase>('mapping-templates.json', 'cases');

/**
 * Cases the local cloud does not match yet, each with what differs: the local cloud's README lists
 * them. A listed case must still differ (a fix must take it off the list); any other case must match.
 */
const KNOWN_DIFFERENCES = JSON.parse(
  fs.readFileSync(path.join(__dirname, 'known-differences.json'), 'utf8'),
) as Record<string, string>;

/** What each case did, for the summary line. */
const outcomes: Array<{ readonly id: string; readonly matched: boolean }> = [];

afterAll(() => {
  const matched = outcomes.filter((outcome) => outcome.matched).length;
  const known = outcomes.filter((outcome) => !outcome.matched && outcome.id in KNOWN_DIFFERENCES).length;
  console.log(
    `fidelity: ${matched}/${outcomes.length} cases match AWS` +
      (known > 0 ? `; ${known} known differences (test/fidelity/known-differences.json)` : ''),
  );
});

/** Runs a case's checks: it must pass, or, if it is a known difference, still fail. */
async function runCase(id: string, check: () => Promise<void> | void): Promise<void> {
  let failure: unknown;
  try {
    await check();
  } catch (error) {
    failure = error;
  }
  outcomes.push({ id, matched: failure === undefined });
  if (id in KNOWN_DIFFERENCES) {
    if (failure === undefined) {
      throw new Error(`${id} matches AWS now: take it off test/fidelity/known-differences.json`);
    }
    return;
  }
  if (failure !== undefined) throw failure instanceof Error ? failure : new Error(JSON.stringify(failure));
}

describe('API Gateway mapping templates (AWS-recorded and documented cases)', () => {
  test('every known difference names a case of the corpus', () => {
    const ids = new Set([
      ...[
        mappingTemplateCases,
        proxyEventCases,
        proxyReplyCases,
        eventSourceCases,
        sqsIntegrationCases,
      ].flatMap((cases) => cases.map((testCase) => testCase.id)),
      ...mockApiCases.map(([id]) => id),
    ]);
    expect(Object.keys(KNOWN_DIFFERENCES).filter((id) => !ids.has(id))).toEqual([]);
  });

  test('the corpus names a source for every case', () => {
    const sources = [
      ...[
        mappingTemplateCases,
        proxyEventCases,
        proxyReplyCases,
        eventSourceCases,
        sqsIntegrationCases,
      ].flat(),
      ...mockApis,
    ].map((testCase) => ({ id: testCase.id, source: testCase.source }));
    expect(sources.length).toBeGreaterThanOrEqual(150);
    expect(
      sources.filter(
        (testCase) => !/^(localstack\/localstack@|https:\/\/docs\.aws\.amazon\.com\/)/.test(testCase.source),
      ),
    ).toEqual([]);
  });

  test.each(mappingTemplateCases.map((testCase) => [testCase.id, testCase] as const))(
    '%s',
    async (_id, testCase) => {
      await runCase(testCase.id, () => {
        const rendered = renderMappingTemplate({
          template: testCase.template,
          phase: testCase.phase,
          ...testCase.request,
        });
        if (testCase.expected.output !== undefined) expect(rendered.output).toBe(testCase.expected.output);
        if (testCase.expected.outputJson !== undefined) {
          expect(JSON.parse(rendered.output)).toEqual(testCase.expected.outputJson);
        }
        if (testCase.expectedOverride?.status !== undefined) {
          expect(rendered.responseOverride.status).toBe(testCase.expectedOverride.status);
        }
        if (testCase.expectedOverride?.header !== undefined) {
          expect(rendered.responseOverride.header).toEqual(
            expect.objectContaining(testCase.expectedOverride.header),
          );
        }
        if (testCase.expectedRequestOverride?.header !== undefined) {
          expect(rendered.requestOverride.header).toEqual(
            expect.objectContaining(testCase.expectedRequestOverride.header),
          );
        }
      });
    },
  );
});

interface ProxyEventCase {
  readonly id: string;
  readonly source: string;
  readonly resourcePath: string;
  readonly stage?: string;
  readonly request: {
    readonly method: string;
    readonly rawPath: string;
    readonly headers?: Record<string, string>;
    readonly body?: string | null;
  };
  readonly expected: Record<string, unknown>;
}

interface ProxyReplyCase {
  readonly id: string;
  readonly source: string;
  readonly reply?: unknown;
  readonly functionError?: boolean;
  readonly binaryMediaTypes?: string[];
  readonly requestHeaders?: Record<string, string>;
  readonly expected: ExpectedAnswer;
}

const proxyEventCases = readCases<ProxyEventCase>('lambda-proxy.json', 'events');
const proxyReplyCases = readCases<ProxyReplyCase>('lambda-proxy.json', 'replies');

/**
 * Compares what was seen with a partial expectation: only the keys the case names; `__absent__`
 * means the key must not be there, `__any__` that it must be, with any value. Header names are
 * compared without regard to case when `caseInsensitiveKeys` is set.
 */
function partialMismatches(
  actual: unknown,
  expected: unknown,
  where: string,
  caseInsensitiveKeys = false,
): string[] {
  if (expected === '__any__') return actual === undefined ? [`${where}: missing`] : [];
  if (expected !== null && typeof expected === 'object' && !Array.isArray(expected)) {
    if (actual === null || typeof actual !== 'object')
      return [`${where}: ${JSON.stringify(actual)} is not an object`];
    const record = actual as Record<string, unknown>;
    return Object.entries(expected).flatMap(([key, value]) => {
      const actualKey = caseInsensitiveKeys
        ? Object.keys(record).find((candidate) => candidate.toLowerCase() === key.toLowerCase())
        : key;
      const present = actualKey !== undefined && actualKey in record;
      if (value === '__absent__') return present ? [`${where}.${key}: present, AWS leaves it out`] : [];
      if (!present) return [`${where}.${key}: missing`];
      return partialMismatches(record[actualKey], value, `${where}.${key}`, caseInsensitiveKeys);
    });
  }
  return JSON.stringify(actual) === JSON.stringify(expected)
    ? []
    : [`${where}: ${JSON.stringify(actual)}, AWS ${JSON.stringify(expected)}`];
}

/** What AWS recorded of an HTTP answer: each part a case names is checked, no other. */
interface ExpectedAnswer {
  /** The status, or only its class where the recording asserted only `ok` (`2xx`). */
  readonly status: number | '2xx' | '4xx';
  readonly headers?: Record<string, string>;
  readonly body?: string;
  readonly bodyJson?: unknown;
  /** Members the body must have (the recording asserted only these). */
  readonly bodyJsonIncludes?: Record<string, unknown>;
  readonly bodyBase64?: string;
}

function expectAnswer(answer: RawAnswer, expected: ExpectedAnswer): void {
  if (typeof expected.status === 'number') expect(answer.status).toBe(expected.status);
  else expect(`${String(answer.status).charAt(0)}xx`).toBe(expected.status);
  if (expected.headers) {
    expect(partialMismatches(answer.headers, expected.headers, 'headers', true)).toEqual([]);
  }
  if (expected.body !== undefined) expect(answer.body.toString('utf8')).toBe(expected.body);
  if (expected.bodyJson !== undefined) {
    expect(JSON.parse(answer.body.toString('utf8'))).toEqual(expected.bodyJson);
  }
  if (expected.bodyJsonIncludes !== undefined) {
    expect(
      partialMismatches(JSON.parse(answer.body.toString('utf8')), expected.bodyJsonIncludes, 'body'),
    ).toEqual([]);
  }
  if (expected.bodyBase64 !== undefined) expect(answer.body.toString('base64')).toBe(expected.bodyBase64);
}

describe('Lambda proxy integration: the event the function gets (AWS-recorded and documented cases)', () => {
  test.each(proxyEventCases.map((testCase) => [testCase.id, testCase] as const))(
    '%s',
    async (_id, testCase) => {
      await runCase(testCase.id, async () => {
        const { events } = await callProxyApi(
          { resourcePath: testCase.resourcePath, stage: testCase.stage ?? 'prod' },
          testCase.request,
          () => ({ statusCode: 200, body: '' }),
        );
        expect(events).toHaveLength(1);
        expect(partialMismatches(events[0], testCase.expected, 'event')).toEqual([]);
      });
    },
  );
});

describe('Lambda proxy integration: how the reply is answered (AWS-recorded and documented cases)', () => {
  test.each(proxyReplyCases.map((testCase) => [testCase.id, testCase] as const))(
    '%s',
    async (_id, testCase) => {
      await runCase(testCase.id, async () => {
        const { answer } = await callProxyApi(
          { resourcePath: '/{proxy+}', stage: 'prod', binaryMediaTypes: testCase.binaryMediaTypes },
          { method: 'GET', rawPath: '/prod/fidelity', headers: testCase.requestHeaders },
          () =>
            (testCase.functionError
              ? { errorType: 'Error', errorMessage: 'the function failed' }
              : testCase.reply) as never,
        );
        expectAnswer(answer, testCase.expected);
      });
    },
  );
});

interface EventSourceCase {
  readonly id: string;
  readonly source: string;
  readonly batch: { readonly messages: number };
  readonly reply?: unknown;
  readonly functionError?: boolean;
  readonly functionResponseTypes?: readonly string[];
  readonly expected: { readonly deleted?: readonly string[]; readonly retried?: readonly string[] };
}

const eventSourceCases = readCases<EventSourceCase>('sqs.json', 'eventSource');

describe('Lambda SQS event source: which messages a reply deletes (AWS-recorded and documented cases)', () => {
  // The poller deletes what failedItemIds leaves and keeps the rest (local-cloud/event-sources).
  test.each(eventSourceCases.map((testCase) => [testCase.id, testCase] as const))(
    '%s',
    async (_id, testCase) => {
      await runCase(testCase.id, () => {
        const ids = Array.from({ length: testCase.batch.messages }, () => randomUUID());
        const placeholders = (value: unknown): unknown =>
          JSON.parse(
            JSON.stringify(value ?? null).replace(
              /\$MESSAGE_(\d+)/g,
              (_match, n: string) => ids[Number(n) - 1],
            ),
          );
        const retried = testCase.functionError
          ? [...ids]
          : failedItemIds(
              placeholders(testCase.reply),
              ids,
              (testCase.functionResponseTypes ?? []).includes('ReportBatchItemFailures'),
            );
        const deleted = ids.filter((id) => !retried.includes(id));
        if (testCase.expected.retried) expect(retried).toEqual(placeholders(testCase.expected.retried));
        if (testCase.expected.deleted) expect(deleted).toEqual(placeholders(testCase.expected.deleted));
      });
    },
  );
});

interface SqsIntegrationCase {
  readonly id: string;
  readonly source: string;
  readonly queueAttributes?: Record<string, string>;
  readonly sendMessageParameters: Record<string, string>;
  readonly expected: {
    readonly status?: number;
    readonly errorCode?: string;
    readonly body?: unknown;
    readonly bodyJson?: unknown;
    readonly receivedMessage?: { readonly Body?: string; readonly MessageAttributes?: unknown };
  };
}

const sqsIntegrationCases = readCases<SqsIntegrationCase>('sqs.json', 'integration');

describe("API Gateway's SQS integration: what SQS answers a SendMessage (AWS-recorded cases)", () => {
  let sqs: SQSClient;
  beforeAll(() => {
    sqs = new SQSClient({
      endpoint: localEndpoints().sqs,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
  });
  afterAll(() => sqs.destroy());

  test.each(sqsIntegrationCases.map((testCase) => [testCase.id, testCase] as const))(
    '%s',
    async (_id, testCase) => {
      await runCase(testCase.id, async () => {
        // GIVEN a queue of the case's kind on the SQS emulator
        const fifo = testCase.queueAttributes?.FifoQueue === 'true';
        const { QueueUrl } = await sqs.send(
          new CreateQueueCommand({
            QueueName: `fidelity-${testCase.id.slice(0, 40)}-${randomUUID().slice(0, 8)}${fifo ? '.fifo' : ''}`,
            Attributes: testCase.queueAttributes,
          }),
        );
        const queueUrl = QueueUrl as string;
        // WHEN API Gateway's integration sends the form its request template rendered
        const form = new URLSearchParams({ Action: 'SendMessage' });
        for (const [name, value] of Object.entries(testCase.sendMessageParameters)) {
          if (name !== 'QueueUrl') form.set(name, value);
        }
        const answer = await sendToSqs(queueUrl, form.toString(), (queue, message) =>
          sendToLocalSqs(sqs, queue, testCase.queueAttributes, message),
        );
        // THEN SQS's answer is AWS's
        const body = JSON.parse(answer.body) as { Error?: { Code?: string } };
        if (testCase.expected.status !== undefined) expect(answer.statusCode).toBe(testCase.expected.status);
        if (testCase.expected.errorCode !== undefined)
          expect(body.Error?.Code).toBe(testCase.expected.errorCode);
        if (testCase.expected.body !== undefined) {
          expect(partialMismatches(body, testCase.expected.body, 'body')).toEqual([]);
        }
        if (testCase.expected.bodyJson !== undefined) {
          expect(partialMismatches(body, testCase.expected.bodyJson, 'body')).toEqual([]);
        }
        if (testCase.expected.receivedMessage !== undefined) {
          const { Messages } = await sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: queueUrl,
              MessageAttributeNames: ['All'],
              WaitTimeSeconds: 1,
            }),
          );
          expect(partialMismatches(Messages?.[0], testCase.expected.receivedMessage, 'message')).toEqual([]);
        }
      });
    },
  );
});

interface MockApiCase extends MockApiShape {
  readonly id: string;
  readonly source: string;
  readonly what: string;
  readonly requests: ReadonlyArray<{
    readonly id: string;
    readonly method: string;
    /** The path after the host, the stage included, exactly as sent. */
    readonly path: string;
    readonly headers?: Record<string, string>;
    readonly body?: string;
    readonly expected: ExpectedAnswer;
  }>;
}

const mockApis = readCases<MockApiCase>('mock-apis.json', 'apis');
/** One case per request: `<api id>/<request id>`. */
const mockApiCases = mockApis.flatMap((api) =>
  api.requests.map((request) => [`${api.id}/${request.id}`, api, request] as const),
);

describe('MOCK integrations end to end through the local API Gateway (AWS-recorded and documented cases)', () => {
  test.each(mockApiCases)('%s', async (id, api, request) => {
    await runCase(id, async () => {
      const answer = await callApi(mockApiTemplate(api), {
        method: request.method,
        rawPath: request.path,
        headers: request.headers,
        body: request.body,
      });
      expectAnswer(answer, request.expected);
    });
  });
});
