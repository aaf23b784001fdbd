import { Duration } from 'aws-cdk-lib';
import { Period } from 'aws-cdk-lib/aws-apigateway';
import { CAPACITY_FILE_KEYS, DEFAULT_CAPACITY, parseCapacityFile } from '../../../lib/config';

describe('parseCapacityFile', () => {
  test('overrides the default capacity key by key: numbers, latencies in ms, null for no reservation, tiers', () => {
    // GIVEN a file that sets a few keys
    const json = {
      apiRateLimit: 200,
      apiBurstLimit: 400,
      healthReservedConcurrency: null,
      createOrderExpectedP99LatencyMs: 150,
      clientTiers: [{ name: 'gold', rateLimit: 100, burstLimit: 200, quotaLimit: 5000, quotaPeriod: 'WEEK' }],
    };

    // WHEN
    const capacity = parseCapacityFile(json, 'capacity.json');

    // THEN those keys change and every other key keeps the default
    expect(capacity).toEqual({
      ...DEFAULT_CAPACITY,
      apiRateLimit: 200,
      apiBurstLimit: 400,
      healthReservedConcurrency: undefined,
      createOrderExpectedP99Latency: Duration.millis(150),
      clientTiers: [
        { name: 'gold', rateLimit: 100, burstLimit: 200, quotaLimit: 5000, quotaPeriod: Period.WEEK },
      ],
    });
  });

  test.each([
    [
      'an unknown (misspelt) key, naming the keys',
      { apiRateLimt: 5 },
      `capacity.json: unknown key apiRateLimt; the keys are ${CAPACITY_FILE_KEYS.join(', ')}`,
    ],
    [
      'a number that is a string',
      { apiRateLimit: '100' },
      'capacity.json: apiRateLimit must be a number (given "100")',
    ],
    [
      'a value the capacity check refuses',
      { consumerMaxConcurrency: 1 },
      'capacity.json: consumerMaxConcurrency must be between 2 and 1000 inclusive (given 1)',
    ],
    [
      'a tier without a name',
      { clientTiers: [{ rateLimit: 1, burstLimit: 1 }] },
      'capacity.json: clientTiers[0].name must be a non-empty string',
    ],
    [
      'an unknown quota period',
      { clientTiers: [{ name: 'a', rateLimit: 1, burstLimit: 1, quotaPeriod: 'YEAR' }] },
      'capacity.json: clientTiers[0].quotaPeriod must be one of DAY, WEEK, MONTH (given "YEAR")',
    ],
    ['not an object', [1, 2], 'capacity.json: a capacity file is a JSON object (given [1,2])'],
  ])('fails if the file has %s', (_case, json, message) => {
    expect(() => parseCapacityFile(json, 'capacity.json')).toThrow(message);
  });
});
