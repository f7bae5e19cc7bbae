import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { evaluateTable } from '../src/evaluate/evaluate.js';
import { renderReportHtml } from '../src/evaluate/report_html.js';
import { parseGrid } from '../src/evaluate/settings.js';
import { csvFileTable } from '../src/node/jobs.js';
import { CHROMIUM, NETWORK_OFF_ARGS } from './helpers/browser.js';
import { writeCohortTable } from './helpers/cohort.js';
import { quietContext, testKeys } from './helpers/fixtures.js';
import { SEED } from './helpers/synthetic.js';

// scripts/install-system.sh installs Chromium unless GEOMASK_SKIP_CHROMIUM=1.
const skip = process.env.GEOMASK_SKIP_CHROMIUM === '1';

/** Share of pixels that differ from white by more than a little. */
function inkShare(png: PNG): number {
  let ink = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b] = [png.data[i], png.data[i + 1], png.data[i + 2]];
    if (r < 235 || g < 235 || b < 235) ink++;
  }
  return ink / (png.width * png.height);
}

describe.skipIf(skip)(`HTML report in headless Chromium (seed ${SEED})`, () => {
  let folder: string;
  let page: Awaited<ReturnType<Browser['newPage']>>;
  let browser: Browser;
  let requests: string[];
  let d: number;

  beforeAll(async () => {
    expect(existsSync(CHROMIUM), `${CHROMIUM} is missing; run scripts/install-system.sh`).toBe(true);
    const { path, schema } = writeCohortTable(800, SEED);
    const report = await evaluateTable(quietContext(), csvFileTable(path), schema, testKeys('html'), parseGrid('low;moderate'), { controlShare: 0.2, calibrationRows: 1000, target: { column: 'outcome', positive: 'yes' } });
    d = report.columns.numeric.length;
    folder = mkdtempSync(join(tmpdir(), 'geomask-html-'));
    writeFileSync(join(folder, 'report.html'), await renderReportHtml(report));

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox', ...NETWORK_OFF_ARGS] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    requests = [];
    page.on('request', (request) => requests.push(request.url()));
    await page.goto(`file://${join(folder, 'report.html')}`);
  });

  afterAll(async () => {
    await browser?.close();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('loads nothing but the page itself', () => {
    expect(requests.filter((url) => !url.startsWith('file://'))).toEqual([]);
  });

  it('has every plot as an inline SVG', async () => {
    const expected = ['privacy-utility', 'membership-roc', 'correlation-input', 'correlation-release-0', 'correlation-difference-0', 'correlation-release-1', 'correlation-difference-1', ...Array.from({ length: d }, (_, j) => `marginal-${j}`)];
    for (const id of expected) {
      expect(await page.locator(`figure#${id} svg`).count(), id).toBe(1);
    }
  });

  it('draws marks in every plot', async () => {
    const figures = await page.locator('figure.plot').all();
    expect(figures.length).toBeGreaterThanOrEqual(7 + d);
    for (const figure of figures) {
      const id = await figure.getAttribute('id');
      const png = PNG.sync.read(await figure.screenshot());
      expect(png.width, `${id} width`).toBeGreaterThan(150);
      expect(inkShare(png), `${id} ink`).toBeGreaterThan(0.03);
      // Marks, not only axes: paths or symbols inside the plot's SVG.
      expect(await figure.locator('svg path, svg .mark-symbol path, svg .mark-rect path').count(), `${id} marks`).toBeGreaterThan(5);
    }
  });

  it('lists the headline figures of each setting', async () => {
    const rows = await page.locator('table').first().locator('tbody tr').allTextContents();
    expect(rows).toHaveLength(2);
    expect(rows[0]).toMatch(/^low/);
    expect(rows[1]).toMatch(/^moderate/);
  });
});
