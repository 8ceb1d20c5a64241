import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../src/report/atomic.js';
import { renderReportHtml } from '../src/report/html.js';
import { lineChart, lineChartLogY } from '../src/report/plot.js';
import type { LineSeries } from '../src/report/plot.js';
import { DEFAULT_CHROMIUM, chromiumAvailable, screenshotHtml } from '../src/report/screenshot.js';

const haveBrowser = chromiumAvailable();
const inCi = process.env.CI !== undefined && process.env.CI !== '';
// Locally a missing browser is a skip with a reason; in CI it must be installed, so the test runs and fails loudly.
if (!haveBrowser && !inCi) {
  console.warn(`[browser.test] skipped: ${DEFAULT_CHROMIUM} not found; run .ci/install-chromium.sh (CI fails instead of skipping)`);
}

/** PNGs go to EQFLOW_SCREENSHOT_DIR when set (to look at them), else to the test's temp dir. */
const keepDir = process.env.EQFLOW_SCREENSHOT_DIR;

function decay(rate: number, n: number, noise: number): number[] {
  return Array.from({ length: n }, (_, i) => Math.exp(-rate * i) * (1 + noise * Math.sin(3 * i + rate * 17)));
}

async function sampleReportHtml(): Promise<string> {
  const steps = Array.from({ length: 40 }, (_, i) => i);
  const series: LineSeries[] = [];
  for (const [group, rate] of [['C4', 0.08], ['D4', 0.05]] as const) {
    for (let r = 0; r < 6; r++) {
      series.push({ name: `${group} augmentation run ${r}`, legend: 'augmentation', group, style: 'thin', x: steps, y: decay(rate * (0.8 + 0.07 * r), steps.length, 0.15) });
    }
    series.push({ name: `${group} augmentation median`, legend: 'augmentation', group, style: 'bold', x: steps, y: decay(rate, steps.length, 0) });
    series.push({ name: `${group} regularization median`, legend: 'regularization', group, style: 'bold', x: steps, y: decay(rate * 1.4, steps.length, 0) });
    series.push({ name: `${group} predicted`, legend: 'predicted rate', group, style: 'dashed', x: steps, y: steps.map((i) => 1.1 * Math.exp(-rate * i)) });
  }
  const logSvg = await lineChartLogY({ title: 'Equivariance error during training', xTitle: 'step', yTitle: '‖f(gx) − ρ(g)f(x)‖', series, panels: true });
  const commits = [1, 2, 3, 4, 5, 6, 7, 8];
  const trendSvg = await lineChart({
    title: 'Benchmark history',
    xTitle: 'commit #',
    yTitle: 'ms per op',
    series: [
      { name: 'projection', x: commits, y: [4.1, 4.0, 4.2, 3.1, 3.0, 3.05, 2.9, 2.95] },
      { name: 'orbit average', x: commits, y: [7.5, 7.4, 7.6, 7.7, 6.1, 6.0, 6.2, 6.05] },
    ],
  });
  const rows: (string | number)[][] = [
    ['C4 equivariance of projection', 'pass', 1e-12, 1000],
    ['D4 augmentation converges', 'pass', 0.0031, 200],
    ['regularization <b>bound</b> tight', 'fail', 0.27, 200],
  ];
  return renderReportHtml({
    title: 'eqflow report <sample>',
    generatedAt: '2024-01-01T00:00:00Z',
    sections: [
      { heading: 'Checks', table: { columns: ['property', 'status', 'max error', 'runs'], rows, rowClass: ['pass', 'pass', 'fail'] } },
      { heading: 'Training curves', svg: logSvg, caption: 'Thin: individual runs; bold: medians; dashed: predicted.' },
      { heading: 'Benchmarks', svg: trendSvg, caption: 'Median time per op across commits.' },
    ],
  });
}

describe.skipIf(!haveBrowser && !inCi)('report in headless Chromium', () => {
  let dir = '';
  let htmlPath = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eqflow-browser-'));
    htmlPath = join(dir, 'report.html');
    await writeFileAtomic(htmlPath, await sampleReportHtml());
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('has a browser installed', () => {
    expect(haveBrowser, `${DEFAULT_CHROMIUM} is missing; .ci/install-chromium.sh should have installed it`).toBe(true);
  });

  it.each([
    { label: 'desktop', viewport: { width: 1024, height: 768 } },
    { label: 'phone', viewport: { width: 390, height: 844 } },
  ])('renders tables and figures ($label)', async ({ label, viewport }) => {
    const png = join(keepDir ?? dir, `report-${label}.png`);
    const r = await screenshotHtml(htmlPath, png, { viewport });
    expect(r.tables).toBe(1);
    expect(r.tableRows).toEqual([3]);
    expect(r.figures.map((f) => f.id)).toEqual(['figure-training-curves', 'figure-benchmarks']);
    for (const f of r.figures) {
      expect(f.width, f.id).toBeGreaterThan(0);
      expect(f.height, f.id).toBeGreaterThan(0);
      // SVGs scale to the page: never wider than the viewport.
      expect(f.width, f.id).toBeLessThanOrEqual(viewport.width);
    }
    // 2 panels × 9 series + axes; 2 series + axes.
    expect(r.figures[0].paths).toBeGreaterThanOrEqual(18);
    expect(r.figures[1].paths).toBeGreaterThanOrEqual(2);
    expect(r.externalRequests).toEqual([]);
    expect((await stat(png)).size).toBeGreaterThan(1000);
  });
});
