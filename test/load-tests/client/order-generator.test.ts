import Ajv from 'ajv';
import { createOrderRequestSchema, IDEMPOTENCY_KEY_PATTERN } from '../../../lambdas/contract/order-schema';
import { generateOrder, newIdempotencyKey } from '../../../load-tests/client/order-generator';

describe('generateOrder', () => {
  test('every generated order satisfies the API order schema', () => {
    // GIVEN the schema the API validates against
    const validate = new Ajv({ allErrors: true }).compile(createOrderRequestSchema);

    // WHEN 2,000 orders are generated
    const orders = Array.from({ length: 2000 }, () => generateOrder());

    // THEN each is valid
    const invalid = orders.filter((order) => !validate(order));
    expect(invalid).toEqual([]);
  });

  test('orders vary: items, quantities and notes', () => {
    const orders = Array.from({ length: 500 }, () => generateOrder());
    expect(new Set(orders.map((order) => order.items.length))).toEqual(new Set([1, 2, 3]));
    expect(new Set(orders.flatMap((order) => order.items.map((item) => item.quantity)))).toEqual(
      new Set([1, 2, 3, 4, 5]),
    );
    const withNote = orders.filter((order) => order.note !== undefined).length;
    expect(withNote).toBeGreaterThan(50);
    expect(withNote).toBeLessThan(250);
  });

  test('the extremes of the random draw still give valid orders', () => {
    const validate = new Ajv().compile(createOrderRequestSchema);
    expect(validate(generateOrder(() => 0))).toBe(true);
    expect(validate(generateOrder(() => 0.999999))).toBe(true);
  });
});

describe('newIdempotencyKey', () => {
  test('is a UUID the API accepts, new every time', () => {
    const keys = Array.from({ length: 1000 }, () => newIdempotencyKey());
    expect(keys.filter((key) => !new RegExp(IDEMPOTENCY_KEY_PATTERN).test(key))).toEqual([]);
    expect(new Set(keys).size).toBe(1000);
  });
});
