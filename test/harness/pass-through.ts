/** Helpers of the constructs' pass-through props tests (see `lib/constructs/pass-through.ts`). */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The "Pass-through props" section of a construct's README, e.g. of `order-queue`. */
export function passThroughReadmeSection(construct: string): string {
  const readme = fs.readFileSync(
    path.join(__dirname, '../../lib/constructs', construct, 'README.md'),
    'utf8',
  );
  return readme.slice(readme.indexOf('## Pass-through props'));
}

/** `text` with the characters a regular expression treats specially escaped. */
export function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
