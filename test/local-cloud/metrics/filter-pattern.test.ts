import { parseFilterPattern, selectNumber } from '../../../local-cloud/metrics/filter-pattern';

/** An access log line as the stage writes it (a variable without a value is `-`). */
const line = (fields: Record<string, string>) =>
  JSON.stringify({ requestId: 'r-1', status: '200', integrationStatus: '-', ...fields });

describe('CloudWatch Logs filter patterns', () => {
  // The patterns are those of the synthesized stacks (lib/constructs/resilience-monitoring) and the
  // examples of the CloudWatch Logs user guide ("Using filter patterns to match terms in JSON log events").
  const serverErrors = '{ ($.status = "5*") && (($.status != "503") || ($.integrationStatus != "400")) }';

  test.each([
    ['{ $.status = "429" }', line({ status: '429' }), true],
    ['{ $.status = "429" }', line({ status: '200' }), false],
    [serverErrors, line({ status: '500' }), true],
    [serverErrors, line({ status: '503', integrationStatus: '-' }), true],
    // A shed order: 503 answered over SQS's 400. Not a server error.
    [serverErrors, line({ status: '503', integrationStatus: '400' }), false],
    [serverErrors, line({ status: '429' }), false],
    ['{ $.sourceIPAddress != 123.123.* }', JSON.stringify({ sourceIPAddress: '123.123.1.1' }), false],
    ['{ $.sourceIPAddress != 123.123.* }', JSON.stringify({ sourceIPAddress: '10.0.0.1' }), true],
    ['{ $.latency > 1000 }', JSON.stringify({ latency: 1500 }), true],
    ['{ $.latency > 1000 }', JSON.stringify({ latency: 999 }), false],
    ['{ $.user.id = 2 }', JSON.stringify({ user: { id: 2 } }), true],
    ['{ $.items[1] = "b" }', JSON.stringify({ items: ['a', 'b'] }), true],
    ['{ $.error IS TRUE }', JSON.stringify({ error: true }), true],
    ['{ $.error IS NULL }', JSON.stringify({ error: null }), true],
    ['{ $.error NOT EXISTS }', JSON.stringify({ other: 1 }), true],
    ['{ $.error NOT EXISTS }', JSON.stringify({ error: 1 }), false],
    ['{ $.message = %time(d|out)% }', JSON.stringify({ message: 'timeout' }), true],
    ['{ $.status = "429" }', 'not json', false],
    ['', 'anything', true],
    ['ERROR Deadlock', 'ERROR: Deadlock found', true],
    ['ERROR Deadlock', 'ERROR: timeout', false],
  ])('%s on %s matches: %s', (pattern, message, expected) => {
    expect(parseFilterPattern(pattern).matches(message)).toBe(expected);
  });

  test('|| binds looser than &&', () => {
    const pattern = parseFilterPattern('{ $.a = 1 || $.b = 1 && $.c = 1 }');
    expect(pattern.matches(JSON.stringify({ a: 1, b: 0, c: 0 }))).toBe(true);
    expect(pattern.matches(JSON.stringify({ a: 0, b: 1, c: 0 }))).toBe(false);
  });

  test('fails if the pattern does not parse, naming the position', () => {
    expect(() => parseFilterPattern('{ $.status = "429" ')).toThrow('expected } at position 18');
    expect(() => parseFilterPattern('{ status = 1 }')).toThrow('expected a selector ($.field) or (');
  });

  test('fails if the pattern is of a form the local cloud does not emulate', () => {
    expect(() => parseFilterPattern('[ip, user, status = 404]')).toThrow('space-delimited patterns');
  });

  test('a metric value selector reads a number, or a number in a string', () => {
    expect(selectNumber('$.latency', JSON.stringify({ latency: 12 }))).toBe(12);
    expect(selectNumber('$.latency', JSON.stringify({ latency: '12' }))).toBe(12);
    expect(selectNumber('$.latency', JSON.stringify({ latency: '-' }))).toBeUndefined();
  });
});
