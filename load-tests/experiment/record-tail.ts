/**
 * Follows the JSON Lines file the Artillery processor appends records to, while Artillery runs:
 * the experiment learns when the load started and shows progress from what was really sent.
 */
import * as fs from 'node:fs';
import { isServiceFailure, isSuccess } from '../metrics';
import type { RequestRecord } from '../metrics/request-record';

/** Counts since the last poll and in total. */
export interface TailProgress {
  /** Epoch ms of the first record's attempt, once there is one. */
  readonly firstStartedAt?: number;
  readonly total: number;
  readonly successes: number;
  /** 5xx, timeouts and connection failures. */
  readonly serviceFailures: number;
  /** Records read by this poll. */
  readonly latest: readonly RequestRecord[];
}

/** Reads the complete lines appended to a file since the previous {@link poll}. */
export class RecordTail {
  private offset = 0;
  private partial = '';
  private firstStartedAt?: number;
  private total = 0;
  private successes = 0;
  private serviceFailures = 0;

  constructor(private readonly file: string) {}

  /** Reads what was appended since the last call. */
  public poll(): TailProgress {
    const latest: RequestRecord[] = [];
    if (fs.existsSync(this.file)) {
      const size = fs.statSync(this.file).size;
      if (size > this.offset) {
        const descriptor = fs.openSync(this.file, 'r');
        try {
          const buffer = Buffer.alloc(size - this.offset);
          fs.readSync(descriptor, buffer, 0, buffer.length, this.offset);
          this.offset = size;
          const lines = (this.partial + buffer.toString('utf8')).split('\n');
          this.partial = lines.pop() ?? '';
          for (const line of lines) {
            if (line.trim() !== '') latest.push(JSON.parse(line) as RequestRecord);
          }
        } finally {
          fs.closeSync(descriptor);
        }
      }
    }
    for (const record of latest) {
      this.firstStartedAt = Math.min(this.firstStartedAt ?? record.startedAt, record.startedAt);
      this.total += 1;
      if (isSuccess(record)) this.successes += 1;
      if (isServiceFailure(record)) this.serviceFailures += 1;
    }
    return {
      firstStartedAt: this.firstStartedAt,
      total: this.total,
      successes: this.successes,
      serviceFailures: this.serviceFailures,
      latest,
    };
  }
}
