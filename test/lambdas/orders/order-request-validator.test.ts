import * as fs from 'node:fs';
import Ajv from 'ajv';
import fc from 'fast-check';
import { createOrderRequestSchema } from '../../../lambdas/contract/order-schema';
import validateGenerated from '../../../lambdas/orders/order-request-validator.generated';
import {
  ORDER_REQUEST_VALIDATOR_FILE,
  ORDER_REQUEST_VALIDATOR_TYPES,
  orderRequestValidatorSource,
} from '../../../scripts/generate-validators';

describe('the order schema compiled ahead of time (Ajv standalone)', () => {
  test('the committed validator is what the schema compiles to now (else: npm run generate:validators)', () => {
    expect(fs.readFileSync(ORDER_REQUEST_VALIDATOR_FILE, 'utf8')).toBe(orderRequestValidatorSource());
    expect(fs.readFileSync(ORDER_REQUEST_VALIDATOR_FILE.replace(/\.js$/, '.d.ts'), 'utf8')).toBe(
      ORDER_REQUEST_VALIDATOR_TYPES,
    );
  });

  test('it decides and reports as Ajv compiling the schema at run time does', () => {
    const validateAtRunTime = new Ajv({ allErrors: true }).compile(createOrderRequestSchema);
    const item = fc.record(
      {
        sku: fc.oneof(fc.string({ maxLength: 70 }), fc.integer()),
        quantity: fc.oneof(fc.integer(), fc.double()),
      },
      { requiredKeys: [] },
    );
    const order = fc.record(
      {
        customerId: fc.oneof(fc.string({ maxLength: 70 }), fc.constant('\uFFFD'), fc.boolean()),
        items: fc.oneof(fc.array(item, { maxLength: 55 }), fc.constant(null)),
        note: fc.string({ maxLength: 510 }),
        extra: fc.anything(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.oneof(order, fc.anything()), (value) => {
        const expected = validateAtRunTime(value);
        expect(validateGenerated(value)).toBe(expected);
        expect(validateGenerated.errors ?? null).toEqual(validateAtRunTime.errors ?? null);
      }),
      { numRuns: 500 },
    );
  });
});
