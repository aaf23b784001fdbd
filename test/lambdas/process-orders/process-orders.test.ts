import { randomUUID } from 'node:crypto';
import {
  IN_PROGRESS_RETRY_DELAYS_MS,
  processOrderMessage,
} from '../../../lambdas/process-orders/process-orders';
import { OrderInProgressError, type PlaceOrderInput } from '../../../lambdas/orders/order-placement';
import { sqsRecord } from '../../harness/lambda-events';

const ORDER = { customerId: 'c-1', items: [{ sku: 'SKU-1', quantity: 1 }] };

/** A placement whose first `inProgressTries` calls find the key in progress elsewhere. */
function placementInProgressFor(inProgressTries: number) {
  const calls: PlaceOrderInput[] = [];
  return {
    calls,
    place: (input: PlaceOrderInput) => {
      calls.push(input);
      return calls.length <= inProgressTries
        ? Promise.reject(new OrderInProgressError(input.orderId))
        : Promise.resolve({} as never);
    },
  };
}

describe('processOrderMessage with the key in progress in another invocation (a concurrent duplicate)', () => {
  const record = () => sqsRecord({ body: JSON.stringify(ORDER), idempotencyKey: randomUUID() });

  test('tries again after short pauses and succeeds once the twin has finished', async () => {
    // GIVEN a twin that finishes while this message waits
    const placement = placementInProgressFor(2);
    const pauses: number[] = [];

    // WHEN the message is processed
    const outcome = await processOrderMessage(record(), placement, {
      sleep: (millis) => {
        pauses.push(millis);
        return Promise.resolve();
      },
    });

    // THEN it is placed within the invocation, not left for the visibility timeout
    expect(outcome).toBe('placed');
    expect(placement.calls).toHaveLength(3);
    expect(pauses).toEqual(IN_PROGRESS_RETRY_DELAYS_MS.slice(0, 2));
  });

  test('fails with OrderInProgressError after the last pause if the twin still holds the key (it may have crashed)', async () => {
    // GIVEN a twin that never finishes
    const placement = placementInProgressFor(Infinity);

    // WHEN / THEN the message fails, so the queue retries it later
    await expect(
      processOrderMessage(record(), placement, { sleep: () => Promise.resolve() }),
    ).rejects.toBeInstanceOf(OrderInProgressError);
    expect(placement.calls).toHaveLength(IN_PROGRESS_RETRY_DELAYS_MS.length + 1);
  });

  test('the pauses add up to well under a second', () => {
    expect(IN_PROGRESS_RETRY_DELAYS_MS.reduce((sum, millis) => sum + millis, 0)).toBeLessThan(1_000);
  });
});
