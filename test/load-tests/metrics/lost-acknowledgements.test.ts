import {
  acknowledgedOrderIds,
  lostAcknowledgements,
} from '../../../load-tests/metrics/lost-acknowledgements';
import { request } from './synthetic-records';

// GIVEN a answered 503 then 201, b never acknowledged (500, timeout, 500), c answered 429 then 202,
// d answered 201, and a sent again as a duplicate (201)
const records = [
  request({ orderId: 'a', status: 503, retryAfter: true }),
  request({ orderId: 'a', status: 201, attempt: 2 }),
  request({ orderId: 'b', status: 500 }),
  request({ orderId: 'b', status: null, failure: 'timeout', attempt: 2 }),
  request({ orderId: 'b', status: 500, attempt: 3 }),
  request({ orderId: 'c', status: 429, retryAfter: true }),
  request({ orderId: 'c', status: 202, attempt: 2 }),
  request({ orderId: 'd', status: 201 }),
  request({ orderId: 'a', status: 201, duplicate: true }),
];

describe('lostAcknowledgements', () => {
  test('finds orders answered 201/202 that are not stored', () => {
    // GIVEN acknowledged a, c, d (a twice); b never acknowledged
    const acknowledged = acknowledgedOrderIds(records);
    expect([...acknowledged].sort()).toEqual(['a', 'c', 'd']);
    // WHEN the store holds a and d, and an order nobody acknowledged
    const result = lostAcknowledgements(acknowledged, new Set(['a', 'd', 'z']));
    // THEN c is lost
    expect(result).toEqual({ acknowledged: 3, lostIds: ['c'] });
  });

  test('accepts a lookup function and is empty when everything is stored', () => {
    expect(lostAcknowledgements(['a', 'b', 'a'], () => true)).toEqual({ acknowledged: 2, lostIds: [] });
  });

  test('ignores acknowledgements of other endpoints', () => {
    const get = request({ endpoint: 'GET /orders/{orderId}', orderId: 'q', status: 202 });
    expect(acknowledgedOrderIds([get]).size).toBe(0);
  });
});
