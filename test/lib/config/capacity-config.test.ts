import { Duration } from 'aws-cdk-lib';
import { DEFAULT_CAPACITY, deriveBulkheads, lambdaPathsOf, type CapacityConfig } from '../../../lib/config';

const CAPACITY: CapacityConfig = {
  apiRateLimit: 100,
  apiBurstLimit: 200,
  createOrderReservedConcurrency: 20,
  createOrderExpectedP99Latency: Duration.millis(250),
  getOrderReservedConcurrency: 10,
  getOrderExpectedP99Latency: Duration.millis(50),
  healthReservedConcurrency: 3,
  healthExpectedP99Latency: Duration.millis(30),
  consumerMaxConcurrency: 5,
  consumerReservedConcurrency: 6,
  consumerExpectedP99Latency: Duration.seconds(2),
};

describe('deriveBulkheads', () => {
  test('derives what each path serves as reserved concurrency ÷ expected p99 latency, rounded down', () => {
    // WHEN
    const bulkheads = deriveBulkheads(CAPACITY);
    // THEN 20 ÷ 0.25 s = 80/s, 10 ÷ 0.05 s = 200/s, 3 ÷ 0.03 s = 100/s
    expect(bulkheads.paths.createOrder.maxRequestsPerSecond).toBe(80);
    expect(bulkheads.paths.getOrder.maxRequestsPerSecond).toBe(200);
    expect(bulkheads.paths.health.maxRequestsPerSecond).toBe(100);
    expect(bulkheads.paths.createOrder.reservedConcurrency).toBe(20);
    expect(bulkheads.consumerMaxConcurrency).toBe(5);
    expect(bulkheads.consumerReservedConcurrency).toBe(6);
  });

  test('reports a path whose capacity is below the stage rate, with the reservation that would fit', () => {
    // WHEN the stage allows 100/s and create-order serves 80/s
    const { throttleAboveCapacity } = deriveBulkheads(CAPACITY);
    // THEN create-order is reported (health at exactly 100/s is not)
    expect(throttleAboveCapacity).toEqual([
      'create-order (POST /orders) serves at most 80 requests/s (reserved concurrency 20 ÷ expected p99 latency 250 ms) ' +
        'but the stage allows 100 requests/s: Lambda throttles before the API answers 429. ' +
        'Lower the stage rate or raise the reservation to at least 25.',
    ]);
  });

  test('checks only the paths the deployment serves from functions', () => {
    // GIVEN the async variant, where POST /orders goes to SQS
    expect(lambdaPathsOf('async')).toEqual(['getOrder', 'health']);
    // THEN create-order's low reservation is not reported
    expect(deriveBulkheads(CAPACITY, lambdaPathsOf('async')).throttleAboveCapacity).toEqual([]);
  });

  test('with a table write limit, reports the sync path when the stage rate is above it', () => {
    // GIVEN the table accepts 90 writes/s and the stage allows 100 requests/s
    const capacity = { ...DEFAULT_CAPACITY, ordersTableMaxWriteRequestUnits: 90 };
    // WHEN
    const sync = deriveBulkheads(capacity, lambdaPathsOf('sync'));
    // THEN
    expect(sync.ordersTableMaxWritesPerSecond).toBe(90);
    expect(sync.throttleAboveCapacity).toEqual([
      'The orders table accepts at most 90 order writes/s (ordersTableMaxWriteRequestUnits 90 ÷ 1 per order) ' +
        'but the stage allows 100 requests/s: DynamoDB throttles before the API answers 429.',
    ]);
    // ...the async path writes behind the queue, so it is not checked
    expect(deriveBulkheads(capacity, lambdaPathsOf('async')).throttleAboveCapacity).toEqual([]);
    // ...and a limit at the stage rate is fine
    expect(
      deriveBulkheads({ ...DEFAULT_CAPACITY, ordersTableMaxWriteRequestUnits: 100 }).throttleAboveCapacity,
    ).toEqual([]);
  });

  test('fails if the table write limit is not a whole number of at least 1', () => {
    expect(() => deriveBulkheads({ ...CAPACITY, ordersTableMaxWriteRequestUnits: 0.5 })).toThrow(
      'ordersTableMaxWriteRequestUnits must be a whole number of at least 1, or undefined for no limit (given 0.5)',
    );
  });

  test('does not check a path without a reservation', () => {
    const bulkheads = deriveBulkheads({ ...CAPACITY, createOrderReservedConcurrency: undefined });
    expect(bulkheads.paths.createOrder.maxRequestsPerSecond).toBeUndefined();
    expect(bulkheads.throttleAboveCapacity).toEqual([]);
  });

  test('the default capacity serves more than the default stage rate on every path', () => {
    // WHEN
    const bulkheads = deriveBulkheads(DEFAULT_CAPACITY, lambdaPathsOf('sync'));
    // THEN 25 ÷ 0.2 s = 125/s, 15 ÷ 0.1 s = 150/s, 12 ÷ 0.1 s = 120/s, all above 100/s
    expect(DEFAULT_CAPACITY.apiRateLimit).toBe(100);
    expect(
      Object.fromEntries(Object.entries(bulkheads.paths).map(([path, c]) => [path, c.maxRequestsPerSecond])),
    ).toEqual({ createOrder: 125, getOrder: 150, health: 120 });
    expect(bulkheads.throttleAboveCapacity).toEqual([]);
    expect(bulkheads.consumerReservedConcurrency).toBe(bulkheads.consumerMaxConcurrency);
  });

  test('fails if the consumer reservation is below its event source maximum concurrency', () => {
    expect(() =>
      deriveBulkheads({ ...CAPACITY, consumerMaxConcurrency: 8, consumerReservedConcurrency: 7 }),
    ).toThrow(
      'consumerReservedConcurrency must be at least consumerMaxConcurrency (8), or the event source mapping is throttled (given 7)',
    );
  });

  test('fails if the consumer maximum concurrency is outside 2 to 1000', () => {
    expect(() => deriveBulkheads({ ...CAPACITY, consumerMaxConcurrency: 1 })).toThrow(
      'consumerMaxConcurrency must be between 2 and 1000 inclusive (given 1)',
    );
  });

  test('fails if a reservation is not a whole number of at least 1', () => {
    expect(() => deriveBulkheads({ ...CAPACITY, getOrderReservedConcurrency: 0 })).toThrow(
      'getOrderReservedConcurrency must be a whole number of at least 1, or undefined for no reservation (given 0)',
    );
  });

  test('hands each path its provisioned concurrency, none by default', () => {
    // GIVEN provisioned concurrency on two paths
    const bulkheads = deriveBulkheads({
      ...CAPACITY,
      createOrderProvisionedConcurrency: 5,
      consumerProvisionedConcurrency: 6,
    });
    // THEN those paths carry it and the others have none
    expect(bulkheads.paths.createOrder.provisionedConcurrency).toBe(5);
    expect(bulkheads.consumerProvisionedConcurrency).toBe(6);
    expect(bulkheads.paths.getOrder.provisionedConcurrency).toBeUndefined();
    expect(deriveBulkheads(DEFAULT_CAPACITY).paths.health.provisionedConcurrency).toBeUndefined();
  });

  test('fails if provisioned concurrency is not a whole number of at least 1, or exceeds the reservation', () => {
    expect(() => deriveBulkheads({ ...CAPACITY, healthProvisionedConcurrency: 0 })).toThrow(
      'healthProvisionedConcurrency must be a whole number of at least 1, or undefined for none (given 0)',
    );
    expect(() => deriveBulkheads({ ...CAPACITY, getOrderProvisionedConcurrency: 11 })).toThrow(
      'getOrderProvisionedConcurrency (11) may not exceed getOrderReservedConcurrency (10)',
    );
    // without a reservation, any whole number is accepted
    expect(
      deriveBulkheads({
        ...CAPACITY,
        getOrderReservedConcurrency: undefined,
        getOrderProvisionedConcurrency: 11,
      }).paths.getOrder.provisionedConcurrency,
    ).toBe(11);
  });

  test('fails if an expected latency is below 1 ms', () => {
    expect(() => deriveBulkheads({ ...CAPACITY, healthExpectedP99Latency: Duration.millis(0) })).toThrow(
      'healthExpectedP99Latency must be between 1 millisecond and 15 minutes (given 0 milliseconds)',
    );
  });
});
