import * as fs from 'node:fs';
import * as path from 'node:path';
import { CAPACITY_FILE_KEYS, CONTEXT_KEYS } from '../../../lib/config';

const reference = fs.readFileSync(path.join(__dirname, '../../../docs/configuration.md'), 'utf8');

describe('the configuration reference (docs/configuration.md)', () => {
  test.each(Object.keys(CONTEXT_KEYS))('has a row for the context key %s', (key) => {
    expect(reference).toContain(`\`-c ${key}=\``);
  });

  test('names no context key the app does not read', () => {
    const named = [...reference.matchAll(/`-c ([A-Za-z]+)=`/g)].map((match) => match[1]);
    expect(named.filter((key) => !(key in CONTEXT_KEYS))).toEqual([]);
  });

  test("its capacity file example parses and uses only the file's keys", () => {
    const example = /```json\n([\s\S]*?)\n```/.exec(reference)?.[1] ?? '';
    const json = JSON.parse(example) as Record<string, unknown>;
    expect(Object.keys(json).filter((key) => !CAPACITY_FILE_KEYS.includes(key))).toEqual([]);
  });
});
