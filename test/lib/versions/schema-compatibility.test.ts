import { createOrderRequestSchema } from '../../../lambdas/contract/order-schema';
import {
  requestBreakingChanges,
  responseBreakingChanges,
  type JsonSchema,
} from '../../../lib/versions/schema-compatibility';

/** The v1 order request with a change applied to a copy. */
function changedRequest(change: (schema: any) => void): JsonSchema {
  const copy = JSON.parse(JSON.stringify(createOrderRequestSchema));
  change(copy);
  return copy;
}

const v1 = createOrderRequestSchema as unknown as JsonSchema;

describe('requestBreakingChanges (a new version must accept every body the previous accepted)', () => {
  test('the same schema, and annotations changed, break nothing', () => {
    expect(requestBreakingChanges(v1, v1)).toEqual([]);
    expect(
      requestBreakingChanges(
        v1,
        changedRequest((s) => (s.title = 'CreateOrderRequestV2')),
      ),
    ).toEqual([]);
  });

  test('non-breaking: an optional member (items[].unitPrice), a wider bound, a dropped requirement', () => {
    const v2 = changedRequest((s) => {
      s.properties.items.items.properties.unitPrice = { type: 'number', minimum: 0 };
      s.properties.items.maxItems = 100;
      s.properties.note.maxLength = 1000;
      s.properties.items.items.properties.quantity.type = 'number'; // integer ⊂ number
    });
    expect(requestBreakingChanges(v1, v2)).toEqual([]);
    expect(
      requestBreakingChanges(
        v1,
        changedRequest((s) => (s.required = ['items'])),
      ),
    ).toEqual([]);
  });

  test.each([
    [
      'a new required member',
      (s: any) => s.required.push('note'),
      [{ path: '/note', change: 'is required now' }],
    ],
    [
      'a removed member (no other members allowed)',
      (s: any) => delete s.properties.note,
      [{ path: '/note', change: 'no longer accepted' }],
    ],
    [
      'a lower maximum',
      (s: any) => (s.properties.items.items.properties.quantity.maximum = 100),
      [{ path: '/items/*/quantity', change: 'maximum 1000 became 100' }],
    ],
    [
      'a higher minItems',
      (s: any) => (s.properties.items.minItems = 2),
      [{ path: '/items', change: 'minItems 1 became 2' }],
    ],
    [
      'a narrower type',
      (s: any) => (s.properties.customerId.type = 'integer'),
      [{ path: '/customerId', change: 'type "string" became "integer"' }],
    ],
    [
      'a changed pattern (not shown compatible)',
      (s: any) => (s.properties.customerId.pattern = '^c-'),
      [{ path: '/customerId', change: expect.stringContaining('pattern changed from') }],
    ],
    [
      'a new enum',
      (s: any) => (s.properties.customerId.enum = ['c-1']),
      [{ path: '/customerId', change: 'an enum now limits the values' }],
    ],
  ])('breaking: %s', (_name, change, expected) => {
    expect(requestBreakingChanges(v1, changedRequest(change))).toEqual(expected);
  });

  test('an enum may grow, not shrink', () => {
    const colours = (values: string[]): JsonSchema => ({ type: 'string', enum: values });
    expect(requestBreakingChanges(colours(['red']), colours(['red', 'blue']))).toEqual([]);
    expect(requestBreakingChanges(colours(['red', 'blue']), colours(['red']))).toEqual([
      { path: '/', change: 'enum no longer accepts ["blue"]' },
    ]);
  });

  test('a member that any value could take before may not be constrained now', () => {
    const open: JsonSchema = { type: 'object' };
    expect(
      requestBreakingChanges(open, { type: 'object', properties: { note: { type: 'string' } } }),
    ).toEqual([{ path: '/note', change: 'type "any" became "string"' }]);
  });
});

describe('responseBreakingChanges (a new version may only add optional members)', () => {
  const order: JsonSchema = {
    type: 'object',
    additionalProperties: false,
    required: ['orderId', 'status'],
    properties: {
      orderId: { type: 'string' },
      status: { type: 'string', enum: ['ACCEPTED', 'STORED'] },
      note: { type: 'string' },
    },
  };
  const changed = (change: (schema: any) => void): JsonSchema => {
    const copy = JSON.parse(JSON.stringify(order));
    change(copy);
    return copy;
  };

  test('an optional member (links) breaks nothing', () => {
    expect(
      responseBreakingChanges(
        order,
        changed((s) => (s.properties.links = { type: 'object' })),
      ),
    ).toEqual([]);
  });

  test.each([
    [
      'a new required member',
      (s: any) => {
        s.properties.links = { type: 'object' };
        s.required.push('links');
      },
      [
        {
          path: '/links',
          change: 'is a new member and required; a new version may only add optional members',
        },
      ],
    ],
    [
      'a removed member',
      (s: any) => delete s.properties.note,
      [{ path: '/note', change: 'was removed; a new version may only add members' }],
    ],
    [
      'a member no longer always there',
      (s: any) => (s.required = ['orderId']),
      [{ path: '/status', change: 'is no longer always in the answer' }],
    ],
    [
      'a value clients do not know (enum grew)',
      (s: any) => s.properties.status.enum.push('CANCELLED'),
      [{ path: '/status', change: 'enum gained ["CANCELLED"]' }],
    ],
    [
      'a wider type',
      (s: any) => (s.properties.orderId.type = ['string', 'null']),
      [{ path: '/orderId', change: 'type "string" became ["string","null"]' }],
    ],
  ])('breaking: %s', (_name, change, expected) => {
    expect(responseBreakingChanges(order, changed(change))).toEqual(expected);
  });
});
