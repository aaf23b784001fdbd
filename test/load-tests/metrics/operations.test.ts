import {
  groupOperations,
  operationAvailability,
  operationOutcome,
  operationsStartedWithin,
  type Operation,
} from '../../../load-tests/metrics/operations';
import { ORDER_OPERATIONS, request, T0 } from './synthetic-records';

// GIVEN the five order operations of ORDER_OPERATIONS (a, b, c, d and a's duplicate), and two
// health probes without an order id: 503, then a retry answered 200 (not tied together)
const records = [
  ...ORDER_OPERATIONS,
  request({ at: 7500, endpoint: 'GET /health', status: 503 }),
  request({ at: 7600, endpoint: 'GET /health', status: 200, attempt: 2 }),
];

/** An operation's attempts as `<order id or endpoint><attempt number>`. */
function label(operation: Operation): string[] {
  return operation.attempts.map((a) => `${a.orderId ?? a.endpoint}${a.attempt}`);
}

function labels(operations: readonly Operation[]): string[][] {
  return operations.map(label);
}

describe('groupOperations', () => {
  test('ties retries to their first attempt, keeps duplicates apart and each health probe on its own', () => {
    expect(labels(groupOperations(records)).sort()).toEqual([
      ['GET /health1'],
      ['GET /health2'],
      ['a1'],
      ['a1', 'a2'],
      ['b1', 'b2', 'b3'],
      ['c1', 'c2'],
      ['d1'],
    ]);
  });

  test('orders attempts by start time and opens an operation at every first attempt of the same order', () => {
    // GIVEN the same order read twice, records out of order, each read retried once
    const reads = [
      request({ at: 900, endpoint: 'GET /orders/{orderId}', orderId: 'r', status: 200, attempt: 2 }),
      request({ at: 100, endpoint: 'GET /orders/{orderId}', orderId: 'r', status: 500 }),
      request({ at: 800, endpoint: 'GET /orders/{orderId}', orderId: 'r', status: 500 }),
      request({ at: 200, endpoint: 'GET /orders/{orderId}', orderId: 'r', status: 200, attempt: 2 }),
    ];
    // THEN two operations of two attempts each, in start order
    expect(groupOperations(reads).map((op) => op.attempts.map((a) => a.startedAt - T0))).toEqual([
      [100, 200],
      [800, 900],
    ]);
  });
});

describe('operationOutcome', () => {
  test('succeeded if any attempt was 2xx, failed if the client gave up, client mistake if it ended with one', () => {
    const outcomes = groupOperations(records).map((op) => [label(op).join(','), operationOutcome(op)]);
    expect(Object.fromEntries(outcomes)).toEqual({
      'a1,a2': 'succeeded',
      'b1,b2,b3': 'failed',
      'c1,c2': 'succeeded',
      d1: 'succeeded',
      a1: 'succeeded',
      'GET /health1': 'failed',
      'GET /health2': 'succeeded',
    });
    // a 503 answered by a 422 on retry ends with the client's mistake; a 408 is not one
    const mistake = groupOperations([
      request({ orderId: 'm', status: 503 }),
      request({ at: 10, orderId: 'm', status: 422, attempt: 2 }),
    ]);
    expect(operationOutcome(mistake[0])).toBe('client-mistake');
    expect(operationOutcome(groupOperations([request({ orderId: 't', status: 408 })])[0])).toBe('failed');
  });
});

describe('operationsStartedWithin', () => {
  test('keeps the operations whose first attempt started in the window, wherever their retries landed', () => {
    // WHEN the window is [1000, 2001): a started at 1000 (retry at 1500), b at 2000 (retries until 3000)
    const started = operationsStartedWithin(groupOperations(records), {
      startedAt: T0 + 1000,
      endedAt: T0 + 2001,
    });
    // THEN
    expect(labels(started).sort()).toEqual([
      ['a1', 'a2'],
      ['b1', 'b2', 'b3'],
    ]);
  });
});

describe('operationAvailability', () => {
  test("is the share of operations that eventually succeeded, the client's mistakes left out", () => {
    // GIVEN the 7 operations above (5 succeeded, b and the first health probe failed) and one 400
    const operations = groupOperations([...records, request({ at: 8000, orderId: 'x', status: 400 })]);
    // THEN 5 / (8 − 1) = 5/7
    expect(operationAvailability(operations)).toBeCloseTo(5 / 7, 12);
  });

  test('is null when nothing is left to count', () => {
    expect(operationAvailability(groupOperations([request({ orderId: 'x', status: 404 })]))).toBeNull();
    expect(operationAvailability([])).toBeNull();
  });
});
