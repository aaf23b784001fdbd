import type { LocalStack } from '../../../local-cloud/local-cloud';
import {
  drainBoundMillis,
  experimentVisibilityTimeoutSeconds,
  MIN_DRAIN_MILLIS,
} from '../../../load-tests/experiment/run-variant';
import { PROFILES } from '../../../load-tests/experiment/profiles';

describe('drainBoundMillis', () => {
  const profile = { ...PROFILES.quick, drainTimeoutSeconds: 60 };
  const now = 1_000_000;

  test("waits the profile's drain timeout without a deadline", () => {
    expect(drainBoundMillis(profile, now, undefined)).toBe(60_000);
  });

  test("waits the profile's drain timeout when the deadline is further away", () => {
    expect(drainBoundMillis(profile, now, now + 90_000)).toBe(60_000);
  });

  test('waits only until the deadline when it comes sooner', () => {
    expect(drainBoundMillis(profile, now, now + 12_345)).toBe(12_345);
  });

  test('waits at least the minimum, even past the deadline', () => {
    expect(drainBoundMillis(profile, now, now - 1_000)).toBe(MIN_DRAIN_MILLIS);
  });
});

describe('experimentVisibilityTimeoutSeconds', () => {
  /** A stack with the given functions (name and timeout) and event sources (what they name). */
  function stackWith(functions: Array<[string, number]>, mappings: string[]): LocalStack {
    const arnOf = (name: string) => `arn:aws:lambda:us-east-1:111111111111:function:${name}`;
    const local = functions.map(([name, timeoutSeconds]) => ({
      definition: {
        stackName: 'S',
        logicalId: `${name}Function`,
        functionName: name,
        functionArn: arnOf(name),
        version: '1',
        aliases: [{ logicalId: `${name}Live`, name: 'live' }],
        timeoutSeconds,
      },
    }));
    return {
      runtime: {
        functions: new Map(local.map((fn) => [fn.definition.logicalId, fn])),
        eventSources: mappings.map((reference) => ({
          functionReference: reference.replace('ARN:', arnOf('')),
        })),
      },
    } as unknown as LocalStack;
  }

  test("is the consumer's timeout + 5 s, the consumer found through the alias ARN its mapping names", () => {
    const stack = stackWith(
      [
        ['consumer', 30],
        ['reader', 5],
      ],
      ['ARN:consumer:live'],
    );
    expect(experimentVisibilityTimeoutSeconds([stack])).toBe(35);
  });

  test('is undefined without an event source mapping (the sync variant)', () => {
    expect(experimentVisibilityTimeoutSeconds([stackWith([['writer', 10]], [])])).toBeUndefined();
  });
});
