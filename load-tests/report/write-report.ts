/** Writes a run's report folder: results.json, report.md and report.html. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { renderHtml, renderMarkdown } from './render';
import type { ExperimentResults } from './results';

/** The files of a written report. */
export interface WrittenReport {
  readonly directory: string;
  readonly resultsJson: string;
  readonly markdown: string;
  readonly html: string;
}

/** `2026-11-22T10-15-30Z` from an ISO timestamp: a folder name that sorts by time and is valid everywhere. */
export function reportFolderName(isoTimestamp: string): string {
  const date = new Date(isoTimestamp);
  if (Number.isNaN(date.getTime())) throw new RangeError(`Not an ISO timestamp: ${isoTimestamp}`);
  return date
    .toISOString()
    .replace(/\.\d{3}Z$/, 'Z')
    .replace(/:/g, '-');
}

/**
 * Writes `<reportsDirectory>/<run start>/` with the raw results, the Markdown report and the
 * self-contained HTML report, and returns their paths.
 */
export async function writeReport(
  results: ExperimentResults,
  reportsDirectory: string,
): Promise<WrittenReport> {
  const directory = path.join(reportsDirectory, reportFolderName(results.run.startedAt));
  fs.mkdirSync(directory, { recursive: true });
  const written = {
    directory,
    resultsJson: path.join(directory, 'results.json'),
    markdown: path.join(directory, 'report.md'),
    html: path.join(directory, 'report.html'),
  };
  fs.writeFileSync(written.resultsJson, `${JSON.stringify(results, null, 2)}\n`);
  fs.writeFileSync(written.markdown, renderMarkdown(results));
  fs.writeFileSync(written.html, await renderHtml(results));
  return written;
}
