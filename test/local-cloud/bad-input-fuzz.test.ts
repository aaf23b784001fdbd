/**
 * Bad input fuzzing of `POST /orders` against the real synthesized sync and async stacks on the local
 * cloud: generated malformed requests (wrong types, missing and extra fields, oversized strings and
 * bodies, bad UTF-8, wrong media types, bad or duplicated Idempotency-Key headers) must each get a
 * 4xx in the API's JSON error shape, and none may write to a table or a queue.
 */
import * as http from 'node:http';
import { DynamoDBClient, ScanCommand } from '@aws-sdk/client-dynamodb';
import { GetQueueAttributesCommand, SQSClient } from '@aws-sdk/client-sqs';
import fc from 'fast-check';
import { IDEMPOTENCY_KEY_PATTERN, ORDER_LIMITS } from '../../lambdas/contract/order-schema';
import { validateOrderRequest } from '../../lambdas/orders/order-validation';
import { MAX_PAYLOAD_BYTES } from '../../local-cloud/apigateway';
import type { LocalFunction } from '../../local-cloud/lambda/local-function';
import type { LocalCloud } from '../../local-cloud/local-cloud';
import { LOCAL_CREDENTIALS } from '../../local-cloud/region-runtime';
import { startTestLocalCloud, sharedBundledAssembly, type TestAssembly } from './synthesized-assembly';

const SYNC = 'ResilientApi-sync';
const ASYNC = 'ResilientApi-async';

/** Fixed, so a failure replays exactly; fast-check prints it with the counterexample. */
const FUZZ_SEED = 20_261_122;

/** Malformed requests per variant (two variants: 520 in all, plus the oversized bodies). */
const RUNS_PER_VARIANT = 260;

/**
 * The usage plan of every stack's API key admits 50 requests/s (burst 100); staying under it keeps
 * every request on the validation path rather than answered 429 by the throttle.
 */
const MIN_MILLIS_BETWEEN_REQUESTS = 25;

const idempotencyKeyPattern = new RegExp(IDEMPOTENCY_KEY_PATTERN);

/** A request body, described rather than built so that a counterexample prints small. */
type BodySpec =
  | { readonly json: unknown; readonly trailingSpaces?: number }
  | { readonly text: string }
  /** UTF-8 text with raw bytes that are not UTF-8 spliced in at `{}` placeholders. */
  | { readonly utf8Around: readonly string[]; readonly badBytes: readonly number[] }
  /** A body of `size` bytes of `fill`, for the gateway's payload limit. */
  | { readonly fill: string; readonly size: number };

/** One generated request: what is wrong with it, its headers besides `x-api-key`, and its body. */
interface MalformedRequest {
  readonly flaw: string;
  readonly headers: ReadonlyArray<readonly [string, string]>;
  readonly body: BodySpec;
}

/** What the API answered. */
interface Answer {
  readonly status: number;
  readonly contentType: string | undefined;
  readonly body: string;
}

describe('POST /orders with bad input (fast-check, real synthesized stacks on the local cloud)', () => {
  let assembly: TestAssembly;
  let cloud: LocalCloud;

  beforeAll(async () => {
    assembly = sharedBundledAssembly();
    // A fresh local cloud on which no valid order is ever posted, so "nothing written" means empty.
    cloud = await startTestLocalCloud(assembly.directory, { log: () => undefined });
  }, 120_000);

  afterAll(async () => {
    await cloud?.stop();
    assembly?.remove();
  });

  test.each([SYNC, ASYNC])(
    '%s: every malformed request gets a 4xx in the JSON error shape and reaches no function',
    async (stackName) => {
      // GIVEN the stack's POST /orders function (sync) and how often it has run
      const createOrder = functionOf(stackName, 'CreateOrder');
      const send = pacedSender(stackName);
      // WHEN malformed requests arrive one after another
      await fc.assert(
        fc.asyncProperty(malformedRequest(stackName), async (request) => {
          const invocationsBefore = createOrder?.invocationCount ?? 0;
          const answer = await send(request);
          // THEN each is refused as a client mistake, in the error shape, by validation (paced, so never
          // by the throttle, which would hide what validation does)
          expectClientError(answer);
          expect(answer.status).not.toBe(429);
          // AND what API Gateway can check itself never reaches the function
          const reachedTheFunction = (createOrder?.invocationCount ?? 0) > invocationsBefore;
          expect({ request, reachedTheFunction: reachedTheFunction && !mayPassTheGateway(request) }).toEqual({
            request,
            reachedTheFunction: false,
          });
        }),
        { seed: FUZZ_SEED, numRuns: RUNS_PER_VARIANT, endOnFailure: true },
      );
    },
    60_000,
  );

  test.each([SYNC, ASYNC])(
    '%s: a body over the 10 MB payload limit gets 413 in the JSON error shape',
    async (stackName) => {
      const send = pacedSender(stackName);
      await fc.assert(
        fc.asyncProperty(
          fc.record({
            flaw: fc.constant('body over the gateway payload limit'),
            headers: fc
              .uuid()
              .map((key) => [
                ['Content-Type', 'application/json'] as const,
                ['Idempotency-Key', key] as const,
              ]),
            body: fc.record({
              fill: fc.constantFrom(' ', 'x', '{'),
              size: fc.integer({ min: MAX_PAYLOAD_BYTES + 1, max: MAX_PAYLOAD_BYTES + 512 * 1024 }),
            }),
          }),
          async (request) => {
            const answer = await send(request);
            expectClientError(answer);
            expect(answer.status).toBe(413);
          },
        ),
        // A few only: each one is over 10 MB on the wire.
        { seed: FUZZ_SEED, numRuns: 2, endOnFailure: true },
      );
    },
    60_000,
  );

  test('nothing was written: the tables are empty, the queues never got a message, the consumer never ran', async () => {
    // GIVEN the consumer's batching window (1 s) has passed, had anything been queued
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    // THEN
    for (const stack of cloud.stacks) {
      for (const table of stack.runtime.tables) {
        expect({ table: table.logicalId, items: await scan(table.tableName) }).toEqual({
          table: table.logicalId,
          items: [],
        });
      }
    }
    const outputs = cloud.outputs[ASYNC];
    for (const queueUrl of [outputs.QueueUrl, outputs.DlqUrl]) {
      expect({ queueUrl, ...(await messageCounts(queueUrl)) }).toEqual({
        queueUrl,
        visible: '0',
        notVisible: '0',
        delayed: '0',
      });
    }
    expect(functionOf(ASYNC, 'ProcessOrders')?.invocationCount).toBe(0);
  });

  function functionOf(stackName: string, logicalIdPrefix: string): LocalFunction | undefined {
    const stack = cloud.stacks.find((candidate) => candidate.stackName === stackName)!;
    return [...stack.runtime.functions.values()].find((fn) =>
      fn.definition.logicalId.startsWith(logicalIdPrefix),
    );
  }

  /** Sends requests to the stack's POST /orders no faster than its usage plan admits. */
  function pacedSender(stackName: string): (request: MalformedRequest) => Promise<Answer> {
    const url = new URL(`${cloud.outputs[stackName].ApiUrl}orders`);
    const apiKey = cloud.outputs[stackName].ApiKeyValue;
    let nextStart = 0;
    return async (request) => {
      const wait = nextStart - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      nextStart = Date.now() + MIN_MILLIS_BETWEEN_REQUESTS;
      return sendRaw(url, apiKey, request);
    };
  }

  async function scan(tableName: string): Promise<unknown[]> {
    const client = new DynamoDBClient({
      endpoint: cloud.dynamodbEndpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
    });
    try {
      return (await client.send(new ScanCommand({ TableName: tableName }))).Items ?? [];
    } finally {
      client.destroy();
    }
  }

  async function messageCounts(queueUrl: string): Promise<Record<string, string | undefined>> {
    const client = new SQSClient({
      endpoint: cloud.sqsEndpoint,
      region: 'us-east-1',
      credentials: LOCAL_CREDENTIALS,
      useQueueUrlAsEndpoint: false,
    });
    try {
      const { Attributes: attributes = {} } = await client.send(
        new GetQueueAttributesCommand({
          QueueUrl: queueUrl,
          AttributeNames: [
            'ApproximateNumberOfMessages',
            'ApproximateNumberOfMessagesNotVisible',
            'ApproximateNumberOfMessagesDelayed',
          ],
        }),
      );
      return {
        visible: attributes.ApproximateNumberOfMessages,
        notVisible: attributes.ApproximateNumberOfMessagesNotVisible,
        delayed: attributes.ApproximateNumberOfMessagesDelayed,
      };
    } finally {
      client.destroy();
    }
  }
});

/** A 4xx with a JSON `Content-Type` and a body `{ "error": { "code": string, "message": string } }`. */
function expectClientError(answer: Answer): void {
  expect(answer.status).toBeGreaterThanOrEqual(400);
  expect(answer.status).toBeLessThan(500);
  expect(answer.contentType).toMatch(/^application\/json\b/);
  const parsed = JSON.parse(answer.body) as unknown;
  expect(parsed).toEqual({
    error: expect.objectContaining({ code: expect.any(String), message: expect.any(String) }),
  });
}

/**
 * Whether API Gateway cannot refuse the request by itself, so that the sync function may see it: a
 * media type without a request model is not validated, and a header's format or the handler's own
 * 16 KiB limit are not the gateway's to check (README, "The API"). Anything else — a body that does
 * not match the schema, a missing Idempotency-Key, a body over 10 MB — must stop at the gateway.
 */
function mayPassTheGateway(request: MalformedRequest): boolean {
  const contentType = headerValues(request, 'content-type').at(-1);
  const mediaType = contentType?.split(';')[0].trim().toLowerCase();
  if (mediaType && mediaType !== 'application/json') return true;
  if (headerValues(request, 'idempotency-key').length === 0) return false;
  const body = bodyBytes(request.body);
  if (body.length > MAX_PAYLOAD_BYTES) return false;
  let document: unknown;
  try {
    document = JSON.parse(body.toString('utf8'));
  } catch {
    return false;
  }
  return validateOrderRequest(document).valid;
}

function headerValues(request: MalformedRequest, name: string): string[] {
  return request.headers.filter(([header]) => header.toLowerCase() === name).map(([, value]) => value);
}

function bodyBytes(body: BodySpec): Buffer {
  if ('json' in body) return Buffer.from(JSON.stringify(body.json) + ' '.repeat(body.trailingSpaces ?? 0));
  if ('text' in body) return Buffer.from(body.text, 'utf8');
  if ('fill' in body) return Buffer.alloc(body.size, body.fill);
  const parts: Buffer[] = [];
  body.utf8Around.forEach((text, index) => {
    if (index > 0) parts.push(Buffer.from(body.badBytes));
    parts.push(Buffer.from(text, 'utf8'));
  });
  return Buffer.concat(parts);
}

/**
 * Sends the request byte for byte with Node's `http`, which (unlike `fetch`) sends bodies that are
 * not UTF-8 and a header twice.
 */
function sendRaw(url: URL, apiKey: string, request: MalformedRequest): Promise<Answer> {
  const body = bodyBytes(request.body);
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      { host: url.hostname, port: url.port, path: url.pathname, method: 'POST' },
      (response) => {
        const chunks: Buffer[] = [];
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () =>
          resolve({
            status: response.statusCode ?? 0,
            contentType: response.headers['content-type'],
            body: Buffer.concat(chunks).toString('utf8'),
          }),
        );
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.setHeader('x-api-key', apiKey);
    outgoing.setHeader('Content-Length', body.length);
    const grouped = new Map<string, string[]>();
    for (const [name, value] of request.headers) grouped.set(name, [...(grouped.get(name) ?? []), value]);
    // An array value is sent as one header line per value.
    for (const [name, values] of grouped) outgoing.setHeader(name, values.length === 1 ? values[0] : values);
    outgoing.end(body);
  });
}

// ---------------------------------------------------------------------------------------------------
// Generators
// ---------------------------------------------------------------------------------------------------

type Order = { customerId: unknown; items: unknown; note?: unknown } & Record<string, unknown>;
type Item = { sku: unknown; quantity: unknown } & Record<string, unknown>;

const validItem: fc.Arbitrary<Item> = fc.record({
  sku: fc.string({ minLength: 1, maxLength: ORDER_LIMITS.skuMaxLength }),
  quantity: fc.integer({ min: ORDER_LIMITS.minQuantity, max: ORDER_LIMITS.maxQuantity }),
});

/** A valid order, which each generator below breaks in exactly one way. */
const validOrder: fc.Arbitrary<Order> = fc.record(
  {
    customerId: fc.string({ minLength: 1, maxLength: ORDER_LIMITS.customerIdMaxLength }),
    items: fc.array(validItem, { minLength: 1, maxLength: 3 }),
    note: fc.string({ maxLength: 40 }),
  },
  { requiredKeys: ['customerId', 'items'] },
);

type JsonType = 'string' | 'integer' | 'array' | 'object';

/** A JSON value of any type but `type` (for `integer`, anything that is not a number). */
function wrongJson(type: JsonType): fc.Arbitrary<unknown> {
  const values: Array<[JsonType | 'number' | 'boolean' | 'null', fc.Arbitrary<unknown>]> = [
    ['null', fc.constant(null)],
    ['boolean', fc.boolean()],
    ['number', fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true }))],
    ['string', fc.string({ maxLength: 10 })],
    ['array', fc.array(fc.oneof(fc.integer(), fc.string({ maxLength: 5 })), { maxLength: 3 })],
    ['object', fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 3 })],
  ];
  return fc.oneof(
    ...values
      .filter(([candidate]) => candidate !== type && !(type === 'integer' && candidate === 'number'))
      .map(([, arbitrary]) => arbitrary),
  );
}

/** Replaces one item of the order. */
function withItem(order: Order, index: number, change: (item: Item) => unknown): Order {
  const items = order.items as Item[];
  const at = index % items.length;
  return { ...order, items: items.map((item, i) => (i === at ? change(item) : item)) };
}

function withoutKey<T extends Record<string, unknown>>(value: T, key: string): Record<string, unknown> {
  const copy: Record<string, unknown> = { ...value };
  delete copy[key];
  return copy;
}

const jsonHeaders = (key: string): Array<readonly [string, string]> => [
  ['Content-Type', 'application/json'],
  ['Idempotency-Key', key],
];

/** A request whose only flaw is its JSON body. */
function badBody(flaw: string, body: fc.Arbitrary<unknown>): fc.Arbitrary<MalformedRequest> {
  return fc.record({
    flaw: fc.constant(flaw),
    headers: fc.uuid().map(jsonHeaders),
    body: body.map((json) => ({ json })),
  });
}

const wrongTypes = badBody(
  'wrong JSON type',
  fc.oneof(
    fc.tuple(validOrder, wrongJson('string')).map(([order, value]) => ({ ...order, customerId: value })),
    fc.tuple(validOrder, wrongJson('array')).map(([order, value]) => ({ ...order, items: value })),
    fc
      .tuple(validOrder, fc.nat(), wrongJson('object'))
      .map(([order, i, value]) => withItem(order, i, () => value)),
    fc
      .tuple(validOrder, fc.nat(), wrongJson('string'))
      .map(([order, i, value]) => withItem(order, i, (item) => ({ ...item, sku: value }))),
    fc
      .tuple(validOrder, fc.nat(), wrongJson('integer'))
      .map(([order, i, value]) => withItem(order, i, (item) => ({ ...item, quantity: value }))),
    fc.tuple(validOrder, wrongJson('string')).map(([order, value]) => ({ ...order, note: value })),
    wrongJson('object'),
  ),
);

const missingFields = badBody(
  'missing required field',
  fc.oneof(
    validOrder.map((order) => withoutKey(order, 'customerId')),
    validOrder.map((order) => withoutKey(order, 'items')),
    fc.tuple(validOrder, fc.nat()).map(([order, i]) => withItem(order, i, (item) => withoutKey(item, 'sku'))),
    fc
      .tuple(validOrder, fc.nat())
      .map(([order, i]) => withItem(order, i, (item) => withoutKey(item, 'quantity'))),
    fc.constant({}),
  ),
);

const extraPropertyName = fc
  .string({ minLength: 1, maxLength: 12 })
  .filter((name) => !['customerId', 'items', 'note', 'sku', 'quantity'].includes(name));

const extraProperties = badBody(
  'extra property',
  fc.oneof(
    fc
      .tuple(validOrder, extraPropertyName, wrongJson('array'))
      .map(([order, name, value]) => ({ ...order, [name]: value })),
    fc
      .tuple(validOrder, fc.nat(), extraPropertyName, wrongJson('array'))
      .map(([order, i, name, value]) => withItem(order, i, (item) => ({ ...item, [name]: value }))),
  ),
);

/** Strings over (or under) the limits, in any Unicode, not only ASCII. */
const outOfLimitStrings = badBody(
  'string length out of limits',
  fc.oneof(
    fc
      .tuple(
        validOrder,
        fc.string({ unit: 'grapheme', minLength: ORDER_LIMITS.customerIdMaxLength + 1, maxLength: 300 }),
      )
      .map(([order, customerId]) => ({ ...order, customerId })),
    fc
      .tuple(
        validOrder,
        fc.nat(),
        fc.string({ unit: 'grapheme', minLength: ORDER_LIMITS.skuMaxLength + 1, maxLength: 300 }),
      )
      .map(([order, i, sku]) => withItem(order, i, (item) => ({ ...item, sku }))),
    fc
      .tuple(
        validOrder,
        fc.string({ unit: 'grapheme', minLength: ORDER_LIMITS.noteMaxLength + 1, maxLength: 1_500 }),
      )
      .map(([order, note]) => ({ ...order, note })),
    validOrder.map((order) => ({ ...order, customerId: '' })),
    fc.tuple(validOrder, fc.nat()).map(([order, i]) => withItem(order, i, (item) => ({ ...item, sku: '' }))),
  ),
);

const badQuantity = fc.oneof(
  fc.constantFrom(0, ORDER_LIMITS.maxQuantity + 1, -1, 1e21, 1e308, Number.MAX_SAFE_INTEGER + 2),
  fc.integer({ min: ORDER_LIMITS.maxQuantity + 1 }),
  fc.integer({ max: ORDER_LIMITS.minQuantity - 1 }),
  fc
    .double({ min: 0, max: ORDER_LIMITS.maxQuantity, noNaN: true })
    .filter((value) => !Number.isInteger(value)),
);

const badQuantities = badBody(
  'quantity out of range or not an integer',
  fc
    .tuple(validOrder, fc.nat(), badQuantity)
    .map(([order, i, quantity]) => withItem(order, i, (item) => ({ ...item, quantity }))),
);

const badItemCounts = badBody(
  'too few or too many items',
  fc.oneof(
    validOrder.map((order) => ({ ...order, items: [] })),
    fc
      .tuple(validOrder, fc.array(validItem, { minLength: ORDER_LIMITS.maxItems + 1, maxLength: 60 }))
      .map(([order, items]) => ({ ...order, items })),
  ),
);

const notJson: fc.Arbitrary<MalformedRequest> = fc.record({
  flaw: fc.constant('not JSON'),
  headers: fc.uuid().map(jsonHeaders),
  body: fc
    .oneof(
      fc.string({ unit: 'grapheme', maxLength: 200 }),
      validOrder.chain((order) => {
        const text = JSON.stringify(order);
        return fc.nat({ max: text.length - 1 }).map((length) => text.slice(0, length));
      }),
      validOrder.map((order) => `${JSON.stringify(order).slice(0, -1)},}`),
      validOrder.map((order) => JSON.stringify(order).replace(/"/g, "'")),
      validOrder.map((order) => `customerId=${String(order.customerId)}&items=1`),
      fc.constantFrom(
        '',
        ' ',
        'NaN',
        'undefined',
        '{',
        '[',
        '<order/>',
        '{"customerId":"c-1","items":[{"sku":"A","quantity":1}]',
      ),
    )
    .filter(isNotJson)
    .map((text) => ({ text })),
});

/** Byte sequences that are not UTF-8: invalid, overlong, a lone surrogate, truncated. */
const invalidUtf8 = fc.constantFrom(
  [0xff],
  [0xfe],
  [0x80],
  [0xc3, 0x28],
  [0xc0, 0xaf],
  [0xe0, 0x80, 0xaf],
  [0xed, 0xa0, 0x80],
  [0xe2, 0x82],
  [0xf8, 0x88, 0x80, 0x80, 0x80],
  [0xf4, 0x90, 0x80, 0x80],
);

/**
 * Bytes that are not UTF-8 between the tokens of an otherwise valid order, inside a property name,
 * and inside a string value (`customerId`, `sku`, `note`), where they decode to U+FFFD, which the
 * order schema refuses.
 */
const badUtf8: fc.Arbitrary<MalformedRequest> = fc.record({
  flaw: fc.constant('bad UTF-8'),
  headers: fc.uuid().map(jsonHeaders),
  body: fc.record({
    utf8Around: fc.constantFrom(
      ['{"customerId":"c-1",', '"items":[{"sku":"SKU-1","quantity":1}]}'],
      ['{"customerId":"c-1","items":', '[{"sku":"SKU-1","quantity":1}]}'],
      ['{"customerId":"c-1","items":[{"sku":"SKU-1","quantity":1}]', '}'],
      ['{"', 'customerId":"c-1","items":[{"sku":"SKU-1","quantity":1}]}'],
      ['{"customerId":"c-1","items":[{"sku":"SKU-1","quantity', '":1}]}'],
      ['{"customerId":"c-', '1","items":[{"sku":"SKU-1","quantity":1}]}'],
      ['{"customerId":"c-1","items":[{"sku":"', '","quantity":1}]}'],
      ['{"customerId":"c-1","items":[{"sku":"SKU-1","quantity":1}],"note":"', '"}'],
    ),
    badBytes: invalidUtf8,
  }),
});

/**
 * Bodies between the handler's 16 KiB and three times that: a valid order padded with whitespace, or
 * one with a huge note. (The async path's request template refuses bodies over the limit itself.)
 */
function overHandlerLimit(): fc.Arbitrary<MalformedRequest> {
  const hugeNote = fc
    .tuple(validOrder, fc.integer({ min: 16 * 1024 + 1, max: 48 * 1024 }))
    .map(([order, length]) => ({ json: { ...order, note: 'n'.repeat(length) } }));
  const paddedValidOrder = fc.record({
    json: validOrder,
    trailingSpaces: fc.integer({ min: 16 * 1024 + 1, max: 48 * 1024 }),
  });
  return fc.record({
    flaw: fc.constant('body over the handler limit of 16 KiB'),
    headers: fc.uuid().map(jsonHeaders),
    body: fc.oneof(hugeNote, paddedValidOrder),
  });
}

/**
 * A valid order with another media type than JSON. (A missing or empty `Content-Type` is not a
 * mistake: both variants take it for JSON, as API Gateway does; see the README.)
 */
function wrongContentType(): fc.Arbitrary<MalformedRequest> {
  const otherMediaType = fc.constantFrom(
    'text/plain',
    'text/plain; charset=utf-8',
    'application/xml',
    'application/x-www-form-urlencoded',
    'multipart/form-data; boundary=x',
    'application/octet-stream',
    'application/jsonx',
    'application/json-patch+json',
    'application/problem+json',
    'json',
    '*/*',
  );
  return fc.record({
    flaw: fc.constant('wrong Content-Type'),
    headers: fc.tuple(fc.uuid(), otherMediaType).map(([key, value]): Array<readonly [string, string]> => [
      ['Idempotency-Key', key],
      ['Content-Type', value],
    ]),
    body: validOrder.map((json) => ({ json })),
  });
}

/** Idempotency-Key values that are not a UUID (Node trims header values, so neither is the trimmed value). */
const notAUuid = fc
  .oneof(
    fc.string({ minLength: 1, maxLength: 60 }),
    fc.uuid().map((uuid) => uuid.replace(/-/g, '')),
    fc.uuid().map((uuid) => `{${uuid}}`),
    fc.uuid().map((uuid) => `urn:uuid:${uuid}`),
    fc.uuid().map((uuid) => `${uuid}0`),
    fc.uuid().map((uuid) => uuid.slice(0, -1)),
    fc.uuid().map((uuid) => `g${uuid.slice(1)}`),
    fc.uuid().map((uuid) => `${uuid}\t${uuid}`),
    fc.string({ unit: fc.constantFrom(...'0123456789abcdef-'), minLength: 1024, maxLength: 1100 }),
    fc.constantFrom('null', 'undefined', '0', '-', '00000000-0000-0000-0000-00000000000'),
  )
  .filter((value) => !idempotencyKeyPattern.test(value.trim()));

/**
 * A valid order whose Idempotency-Key is missing, empty, not a UUID (1 KB long among them), or sent
 * twice. In the async variant only duplicates whose last value is not a UUID: API Gateway's mapping
 * templates see only the last value of a header (`$input.params`), so the edge cannot tell a
 * duplicated key from a single one and queues the order under the last key it was sent (and says
 * which in its 202); the README lists this limit. The sync handler sees every value and refuses
 * duplicates.
 */
function badIdempotencyKey(stackName: string): fc.Arbitrary<MalformedRequest> {
  const duplicatesWithUuidLast = fc.oneof(
    fc.tuple(fc.uuid(), fc.uuid()).map(([first, second]) => [first, second]),
    fc.uuid().map((uuid) => [uuid, uuid]),
    fc.uuid().map((uuid) => ['', uuid]),
    fc.tuple(notAUuid, fc.uuid()).map(([bad, uuid]) => [bad, uuid]),
  );
  return fc.record({
    flaw: fc.constant('bad, missing or duplicated Idempotency-Key'),
    headers: fc
      .oneof(
        fc.constant<string[]>([]),
        fc.constant(['']),
        notAUuid.map((key) => [key]),
        fc.tuple(fc.uuid(), notAUuid).map(([uuid, bad]) => [uuid, bad]),
        fc.uuid().map((uuid) => [uuid, '']),
        fc.tuple(notAUuid, notAUuid).map(([first, second]) => [first, second]),
        ...(stackName === ASYNC ? [] : [duplicatesWithUuidLast]),
      )
      .map((keys): Array<readonly [string, string]> => [
        ['Content-Type', 'application/json'],
        ...keys.map((key) => ['Idempotency-Key', key] as const),
      ]),
    body: validOrder.map((json) => ({ json })),
  });
}

/** Every category of malformed request, each about equally often. */
function malformedRequest(stackName: string): fc.Arbitrary<MalformedRequest> {
  return fc.oneof(
    wrongTypes,
    missingFields,
    extraProperties,
    outOfLimitStrings,
    badQuantities,
    badItemCounts,
    notJson,
    badUtf8,
    overHandlerLimit(),
    wrongContentType(),
    badIdempotencyKey(stackName),
  );
}

function isNotJson(text: string): boolean {
  try {
    JSON.parse(text);
    return false;
  } catch {
    return true;
  }
}
