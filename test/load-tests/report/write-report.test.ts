import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { reportFolderName, writeReport, type WrittenReport } from '../../../load-tests/report/write-report';
import { summaryRows } from '../../../load-tests/report/tables';
import { FAULTS, LEVELS, syntheticResults } from './synthetic-results';
import { launchHeadlessChromium } from '../../harness/headless-chromium';

const results = syntheticResults();
let reportsDirectory: string;
let report: WrittenReport;
let browser: Browser;

beforeAll(async () => {
  // GIVEN a report written from synthetic results
  reportsDirectory = fs.mkdtempSync(path.join(os.tmpdir(), 'report-test-'));
  report = await writeReport(results, reportsDirectory);
  browser = await launchHeadlessChromium();
});

afterAll(async () => {
  await browser?.close();
  fs.rmSync(reportsDirectory, { recursive: true, force: true });
});

/**
 * Number of distinct colours in a PNG, decoded by the browser itself (an image drawn on a canvas),
 * sampling every 4th pixel in both directions.
 */
async function distinctColours(page: Page, png: Buffer): Promise<number> {
  await page.setContent('<canvas></canvas>');
  // Browser code as a string: the project's TypeScript has no DOM types, on purpose.
  const count: unknown = await page.evaluate(`(async (dataUrl) => {
    const image = new Image();
    image.src = dataUrl;
    await image.decode();
    const canvas = document.querySelector('canvas');
    canvas.width = image.width;
    canvas.height = image.height;
    const context = canvas.getContext('2d');
    context.drawImage(image, 0, 0);
    const { data } = context.getImageData(0, 0, image.width, image.height);
    const colours = new Set();
    for (let y = 0; y < image.height; y += 4) {
      for (let x = 0; x < image.width; x += 4) {
        const i = (y * image.width + x) * 4;
        colours.add((data[i] << 16) | (data[i + 1] << 8) | data[i + 2]);
      }
    }
    return colours.size;
  })(${JSON.stringify(`data:image/png;base64,${png.toString('base64')}`)})`);
  return count as number;
}

describe('writeReport', () => {
  test('writes results.json, report.md and report.html in a folder named after the run start', () => {
    // THEN
    expect(path.basename(report.directory)).toBe('2026-11-22T10-00-00Z');
    expect(JSON.parse(fs.readFileSync(report.resultsJson, 'utf8'))).toEqual(
      JSON.parse(JSON.stringify(results)),
    );
    const markdown = fs.readFileSync(report.markdown, 'utf8');
    expect(markdown).toContain('## Table 1 — Performance at the highest load level (ours)');
    expect(markdown).toContain('## Table 2 — Resilience under the injected faults');
    expect(markdown).toMatch(/\| Async throughput ÷ sync throughput \| [\d.]+× \| 2\.50× \|/);
    expect(markdown).toMatch(/\| Async P95 ÷ sync P95 \| [\d.]+× \| 0\.44× \|/);
    expect(markdown).toContain('| paper (published, not ours) | n/a (not in this repository)');
    expect(markdown).toContain('0123456789abcdef0123456789abcdef01234567');
  });

  test('shows availability of operations beside the attempt success rate, with their definitions', () => {
    // GIVEN sync fails the first 4 s of each 10 s fault at 10 orders/s and retries each failure once
    // after 3 s: the retries sent in the last 1 s of the failing part fail (10), the later ones succeed (30)
    const markdown = fs.readFileSync(report.markdown, 'utf8');
    // THEN per fault: 100 operations, 60 + 30 succeeded → 90.00%; 140 attempts, 90 succeeded → 64.29%
    expect(markdown).toContain(
      '| sync | region-outage | synthetic region-outage | 10.0 | 100 | 90.00% | 140 | 64.29% | 4.0 |',
    );
    // Table 2 pools the three faults: 270 / 300 operations, 270 / 420 attempts
    expect(markdown).toMatch(/\| sync \(ours\) \| 90\.00% \| 64\.29% \|/);
    expect(markdown).toContain(
      '| Availability (operations) during faults | Attempt success rate during faults |',
    );
    expect(markdown).toContain(
      '| Operations | Availability (operations) | Attempts | Attempt success rate |',
    );
    expect(markdown).toContain('Availability (operations) = of the client operations');
    expect(markdown).toContain('Attempt success rate = 2xx ÷ (attempts started inside the fault window');
  });

  test('report.html is self-contained: no script, no external reference', () => {
    const html = fs.readFileSync(report.html, 'utf8');
    expect(html).not.toMatch(/<script|<link|src="http|href="http/i);
    expect((html.match(/<svg/g) ?? []).length).toBe(3);
  });

  test('fails if the run start is not a timestamp', () => {
    expect(() => reportFolderName('yesterday')).toThrow('Not an ISO timestamp: yesterday');
  });
});

describe('report.html in Chromium', () => {
  let page: Page;
  const externalRequests: string[] = [];

  beforeAll(async () => {
    page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
    await page.route('**/*', async (route) => {
      if (route.request().url().startsWith('file:')) return route.continue();
      externalRequests.push(route.request().url());
      return route.abort();
    });
    // WHEN the browser opens the report
    await page.goto(`file://${report.html}`);
  });

  afterAll(async () => {
    await page.close();
  });

  test('loads nothing from the network', () => {
    expect(externalRequests).toEqual([]);
  });

  test('Figure 1 draws a line per variant and statistic, with points and axis titles', async () => {
    const figure = page.locator('#figure-1 svg');
    // 3 variants × (P95, average) = 6 lines; 3 × 2 × 5 levels = 30 points
    expect(await figure.locator('.mark-line.role-mark path').count()).toBe(6);
    expect(await figure.locator('.mark-symbol.role-mark path').count()).toBe(3 * 2 * LEVELS.length);
    const titles = await figure.locator('.role-axis-title text').allTextContents();
    expect(titles).toEqual(expect.arrayContaining(['Offered load (requests/s)', 'Latency (ms)']));
  });

  test('Figure 2 draws a bar per variant and fault', async () => {
    const figure = page.locator('#figure-2 svg');
    expect(await figure.locator('.mark-rect.role-mark path').count()).toBe(3 * FAULTS.length);
    const titles = await figure.locator('.role-axis-title text').allTextContents();
    expect(titles).toEqual(expect.arrayContaining(['Fault', 'Availability, operations (%)']));
  });

  test('Figure 3 shades the fault window and draws the success rate over time', async () => {
    const figure = page.locator('#figure-3 svg');
    // one band: the variants share the fault window
    expect(await figure.locator('.mark-rect.role-mark path').count()).toBe(1);
    expect(await figure.locator('.mark-line.role-mark path').count()).toBe(3);
    const titles = await figure.locator('.role-axis-title text').allTextContents();
    expect(titles).toEqual(expect.arrayContaining(['Seconds from the fault start', 'Success rate (%)']));
  });

  test('has the tables with a row per variant, per level and per fault', async () => {
    expect(await page.locator('#table-1 tbody tr').count()).toBe(3);
    expect(await page.locator('#table-1-published tbody tr').count()).toBe(2);
    expect(await page.locator('#table-load-levels tbody tr').count()).toBe(3 * LEVELS.length);
    expect(await page.locator('#table-2 tbody tr').count()).toBe(3 + 1);
    expect(await page.locator('#table-faults tbody tr').count()).toBe(3 * FAULTS.length);
    expect(await page.locator('#table-cost tbody tr').count()).toBe(3);
  });

  test('the charts are not blank on screen (a blank page is, by the same measure)', async () => {
    // GIVEN the measure, checked on a blank page: one colour
    const blankPage = await browser.newPage({ viewport: { width: 600, height: 400 } });
    try {
      await blankPage.setContent('<body style="margin:0;background:#fff"></body>');
      expect(await distinctColours(blankPage, await blankPage.screenshot())).toBe(1);
      // THEN every figure, as painted, has many colours (axes, lines, bars, text, shading)
      for (const id of ['figure-1', 'figure-2', 'figure-3']) {
        const png = await page.locator(`#${id} svg`).screenshot();
        expect(await distinctColours(blankPage, png)).toBeGreaterThan(10);
      }
    } finally {
      await blankPage.close();
    }
  });
});

describe('summaryRows', () => {
  test('has one row per variant with the headline figures', () => {
    const rows = summaryRows(results);
    expect(rows.map((row) => row.variant)).toEqual(['sync', 'async', 'multi']);
    // sync fails the first 4 s of each fault → recovery 4.0 s, MTTR 4.0 s; nothing lost; 90% of the
    // operations started in the faults succeeded (the attempts: 64.29%)
    expect(rows[0]).toMatchObject({
      'MTTR (s)': '4.0',
      'lost acks': '0',
      'availability in faults': '90.00%',
    });
  });
});
