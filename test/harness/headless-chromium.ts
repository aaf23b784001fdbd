/**
 * A headless Chromium for the tests that look at pages, with nothing installed by hand: the
 * browser ships inside the npm package `@sparticuz/chromium` (a brotli-compressed build that
 * unpacks to the temporary folder on first use, no download), driven by playwright-core.
 * `CHROMIUM_PATH` picks another Chromium, e.g. Debian's `/usr/bin/chromium`.
 */
import packagedChromium from '@sparticuz/chromium';
import { chromium, type Browser } from 'playwright-core';

/**
 * Flags for a closed network and a root user: no sandbox (root), no GPU, and none of the
 * background connections Chromium would otherwise try and have refused on this machine.
 */
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--no-first-run',
  '--disable-sync',
];

/** Starts a headless Chromium; close it when done. */
export async function launchHeadlessChromium(): Promise<Browser> {
  const executablePath = process.env.CHROMIUM_PATH ?? (await packagedChromium.executablePath());
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS });
}
