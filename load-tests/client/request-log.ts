/** Appends the load generator's per-attempt records to a JSON Lines file. */
import * as fs from 'node:fs';
import type { RequestRecord } from '../metrics/request-record';

/**
 * Appends one record as one line. Each line is written with a single append (`O_APPEND`), so the
 * lines of Artillery's worker threads and of concurrent runs never interleave within a line.
 */
export function appendRequestRecord(file: string, record: RequestRecord): void {
  fs.appendFileSync(file, `${JSON.stringify(record)}\n`);
}

/** Reads a JSON Lines file of records (an absent file has none). */
export function readRequestRecords(file: string): RequestRecord[] {
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as RequestRecord);
}
