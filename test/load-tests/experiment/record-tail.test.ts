import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { RecordTail } from '../../../load-tests/experiment/record-tail';
import type { RequestRecord } from '../../../load-tests/metrics/request-record';

const record = (startedAt: number, status: number | null): RequestRecord => ({
  startedAt,
  latencyMs: 10,
  status,
  ...(status === null ? { failure: 'timeout' as const } : {}),
  retryAfter: false,
  endpoint: 'POST /orders',
  attempt: 1,
});

describe('RecordTail', () => {
  let directory: string;
  beforeEach(() => {
    directory = fs.mkdtempSync(path.join(os.tmpdir(), 'record-tail-'));
  });
  afterEach(() => fs.rmSync(directory, { recursive: true, force: true }));

  test('reads only complete lines appended since the last poll, and keeps totals', () => {
    // GIVEN a file that does not exist yet
    const file = path.join(directory, 'records.jsonl');
    const tail = new RecordTail(file);
    expect(tail.poll()).toMatchObject({ total: 0, latest: [] });

    // WHEN two records and half of a third are written
    const third = JSON.stringify(record(3000, 503));
    fs.writeFileSync(
      file,
      `${JSON.stringify(record(2000, 202))}\n${JSON.stringify(record(1000, null))}\n${third.slice(0, 10)}`,
    );
    const first = tail.poll();
    // THEN the complete two are read, the earliest start is the load's start
    expect(first.latest).toHaveLength(2);
    expect(first).toMatchObject({ firstStartedAt: 1000, total: 2, successes: 1, serviceFailures: 1 });

    // WHEN the third line is completed
    fs.appendFileSync(file, `${third.slice(10)}\n`);
    const second = tail.poll();
    // THEN only it is new
    expect(second.latest).toEqual([record(3000, 503)]);
    expect(second).toMatchObject({ total: 3, successes: 1, serviceFailures: 2 });
  });
});
