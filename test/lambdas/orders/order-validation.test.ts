import { isIdempotencyKey, validateOrderRequest } from '../../../lambdas/orders/order-validation';

describe('validateOrderRequest', () => {
  test('returns a valid request in canonical key order', () => {
    // GIVEN a valid request with its keys in an unusual order
    const data = { note: 'n', items: [{ quantity: 1, sku: 's' }], customerId: 'c' };

    // WHEN it is validated
    const result = validateOrderRequest(data);

    // THEN it is valid and its keys follow the schema's order
    expect(result.valid).toBe(true);
    expect(JSON.stringify(result.valid && result.request)).toBe(
      '{"customerId":"c","items":[{"sku":"s","quantity":1}],"note":"n"}',
    );
  });

  test('rejects unknown properties with a JSON pointer that escapes "/" and "~"', () => {
    // GIVEN a request with an unknown property whose name needs escaping
    const data = { customerId: 'c', items: [{ sku: 's', quantity: 1 }], 'a/b~c': true };

    // WHEN it is validated
    const result = validateOrderRequest(data);

    // THEN the pointer names the property, escaped per RFC 6901
    expect(result).toEqual({ valid: false, details: [{ field: '/a~1b~0c', message: expect.any(String) }] });
  });

  test('rejects a missing property with a pointer to the property itself', () => {
    // GIVEN a request without items
    // WHEN it is validated
    const result = validateOrderRequest({ customerId: 'c' });

    // THEN the pointer is /items, not the parent object
    expect(result).toEqual({ valid: false, details: [{ field: '/items', message: expect.any(String) }] });
  });
});

describe('isIdempotencyKey', () => {
  test.each([
    ['a lower-case UUID', '0f8fad5b-d9cb-469f-a165-70867728950e', true],
    ['an upper-case UUID', '0F8FAD5B-D9CB-469F-A165-70867728950E', true],
    ['a UUID without dashes', '0f8fad5bd9cb469fa16570867728950e', false],
    ['a UUID with a suffix', '0f8fad5b-d9cb-469f-a165-70867728950e-1', false],
    ['an empty string', '', false],
  ])('judges %s', (_case, value, expected) => {
    // GIVEN a candidate key
    // WHEN it is checked
    // THEN only a canonical UUID passes
    expect(isIdempotencyKey(value)).toBe(expected);
  });
});
