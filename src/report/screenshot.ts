import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium } from 'playwright-core';
import type { BrowserContext } from 'playwright-core';
import { EqflowError } from '../core/errors.js';

/** Debian's chromium; we never let Playwright download a browser of its own. */
export const DEFAULT_CHROMIUM = '/usr/bin/chromium';

/** Flags that keep a headless run offline, quiet and independent of any profile or GPU. */
export const CHROMIUM_ARGS: readonly string[] = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface ScreenshotOptions {
  /** Browser binary; defaults to DEFAULT_CHROMIUM. */
  executablePath?: string;
  /** CSS px; defaults to 1024×768. Use ~390 wide to see the phone layout. */
  viewport?: { width: number; height: number };
  /** Capture the whole scrollable page rather than the viewport; default true. */
  fullPage?: boolean;
  /** Per-step timeout (launch, load, screenshot) in ms; default 30 s. */
  timeoutMs?: number;
}

export interface FigureInfo {
  /** The <figure>'s id (e.g. `figure-<slug>`), or `figure-<index>` if it has none. */
  id: string;
  /** Rendered size of the figure's <svg> in CSS px. */
  width: number;
  height: number;
  /** Number of <path> elements in that svg (one per drawn series, plus axes/ticks). */
  paths: number;
}

export interface ScreenshotResult {
  tables: number;
  /** Body rows of each table, in document order. */
  tableRows: number[];
  figures: FigureInfo[];
  /** Any request for something other than the page itself (should be none for a self-contained report). */
  externalRequests: string[];
}

/** Whether the browser binary exists, so callers can decide to skip rather than crash. */
export function chromiumAvailable(executablePath: string = DEFAULT_CHROMIUM): boolean {
  return existsSync(executablePath);
}

/** Opens an HTML file in headless Chromium, measures its tables and figures, and saves a PNG screenshot to `pngPath`. */
export async function screenshotHtml(htmlPath: string, pngPath: string, opts: ScreenshotOptions = {}): Promise<ScreenshotResult> {
  const executablePath = opts.executablePath ?? DEFAULT_CHROMIUM;
  if (!chromiumAvailable(executablePath)) {
    throw new EqflowError('io', 'executablePath', `no browser at ${executablePath} (run .ci/install-chromium.sh)`);
  }
  const page = resolve(htmlPath);
  if (!existsSync(page)) throw new EqflowError('io', 'htmlPath', `no such file: ${page}`);
  const timeout = opts.timeoutMs ?? 30_000;
  const out = resolve(pngPath);
  await mkdir(dirname(out), { recursive: true });

  // A fresh profile per run: no state leaks between runs and nothing is written to $HOME.
  const userDataDir = await mkdtemp(join(tmpdir(), 'eqflow-chromium-'));
  let context: BrowserContext;
  try {
    context = await chromium.launchPersistentContext(userDataDir, {
      executablePath,
      headless: true,
      args: [...CHROMIUM_ARGS],
      viewport: opts.viewport ?? { width: 1024, height: 768 },
      timeout,
      // The report must be self-contained; offline turns any stray fetch into a visible failure.
      offline: true,
    });
  } catch (cause) {
    await rm(userDataDir, { recursive: true, force: true });
    throw new EqflowError('io', 'executablePath', `could not launch ${executablePath}: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  try {
    const tab = context.pages()[0] ?? (await context.newPage());
    const url = pathToFileURL(page).href;
    const externalRequests: string[] = [];
    tab.on('request', (req) => {
      const u = req.url();
      if (u !== url && !u.startsWith('data:')) externalRequests.push(u);
    });
    await tab.goto(url, { waitUntil: 'load', timeout });

    const tableLocators = await tab.locator('table').all();
    const tableRows: number[] = [];
    for (const t of tableLocators) tableRows.push(await t.locator('tbody tr').count());

    const figures: FigureInfo[] = [];
    const figureLocators = await tab.locator('figure').all();
    for (const [i, f] of figureLocators.entries()) {
      const svg = f.locator('svg').first();
      const hasSvg = (await f.locator('svg').count()) > 0;
      const box = hasSvg ? await svg.boundingBox({ timeout }) : null;
      figures.push({
        id: (await f.getAttribute('id')) ?? `figure-${i}`,
        width: box?.width ?? 0,
        height: box?.height ?? 0,
        paths: hasSvg ? await svg.locator('path').count() : 0,
      });
    }

    await tab.screenshot({ path: out, fullPage: opts.fullPage ?? true, timeout });
    return { tables: tableLocators.length, tableRows, figures, externalRequests };
  } finally {
    await context.close();
    await rm(userDataDir, { recursive: true, force: true });
  }
}
