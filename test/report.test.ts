import { mkdtemp, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EqflowError } from '../src/core/errors.js';
import { toJsonText, writeFileAtomic, writeJsonAtomic } from '../src/report/atomic.js';
import { escapeHtml, renderReportHtml, slugify } from '../src/report/html.js';
import { lineChart, lineChartLogY, lineChartSpec, renderSvg } from '../src/report/plot.js';
import type { LineSeries, VegaLiteSpec } from '../src/report/plot.js';
import { thrown } from '../properties/arbitraries/errors.js';

/** The aria-labels vega gives each line <path> (one per drawn series; we set them to the series name). */
function lineLabels(svg: string): string[] {
  return [...svg.matchAll(/<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="line mark"/g)].map((m) => m[1]);
}

/** Coordinates in a line path's `d`, i.e. how many points were drawn. */
function pathPointCount(svg: string, label: string): number {
  const re = new RegExp(`<path aria-label="${label}"[^>]* d="([^"]*)"`);
  const d = re.exec(svg)?.[1] ?? '';
  return (d.match(/[ML]/g) ?? []).length;
}


async function rejected(p: Promise<unknown>): Promise<unknown> {
  try {
    await p;
  } catch (e) {
    return e;
  }
  return undefined;
}

const xs = [1, 2, 3, 4, 5, 6];
const sample: LineSeries[] = [
  { name: 'run 0', legend: 'augmentation', group: 'C4', style: 'thin', x: xs, y: xs.map((x) => 1 / x) },
  { name: 'run 1', legend: 'augmentation', group: 'C4', style: 'thin', x: xs, y: xs.map((x) => 1.2 / x) },
  { name: 'median', legend: 'augmentation', group: 'C4', style: 'bold', x: xs, y: xs.map((x) => 1.1 / x) },
  { name: 'predicted', group: 'D4', style: 'dashed', x: xs, y: xs.map((x) => 1 / (x * x)) },
];

describe('plot', () => {
  it('renders an SVG with one line path per series (log y)', async () => {
    const svg = await lineChartLogY({ title: 'error vs step', xTitle: 'step', yTitle: 'error', series: sample });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg).toContain('<path');
    expect(lineLabels(svg).sort()).toEqual(sample.map((s) => s.name).sort());
    for (const s of sample) expect(pathPointCount(svg, s.name)).toBe(xs.length);
    expect(svg).toContain('error vs step');
  });

  it('renders a linear chart, and one panel per group when asked', async () => {
    const svg = await lineChart({ title: 'bench', xTitle: 'commit', yTitle: 'ms', series: sample.slice(0, 2) });
    expect(lineLabels(svg)).toHaveLength(2);
    const faceted = await lineChartLogY({ title: 'panels', xTitle: 'step', yTitle: 'error', series: sample, panels: true });
    expect(lineLabels(faceted).sort()).toEqual(sample.map((s) => s.name).sort());
    // Each facet cell is a group with its own header text.
    expect(faceted).toContain('>C4<');
    expect(faceted).toContain('>D4<');
  });

  it('drops non-positive y on a log axis instead of failing, but keeps them on a linear one', async () => {
    const s: LineSeries[] = [{ name: 'mixed', x: [1, 2, 3, 4, 5], y: [1, 0, 0.5, -2, 0.25] }];
    const spec = lineChartSpec({ title: 't', xTitle: 'x', yTitle: 'y', series: s }, 'log');
    const data = 'data' in spec ? spec.data : undefined;
    const values = data !== undefined && data !== null && 'values' in data ? data.values : undefined;
    expect(Array.isArray(values) ? values.length : -1).toBe(3);
    const svg = await lineChartLogY({ title: 't', xTitle: 'x', yTitle: 'y', series: s });
    expect(pathPointCount(svg, 'mixed')).toBe(3);
    const lin = await lineChart({ title: 't', xTitle: 'x', yTitle: 'y', series: s });
    expect(pathPointCount(lin, 'mixed')).toBe(5);
    // A series with nothing left still renders a (blank) chart.
    const empty = await lineChartLogY({ title: 't', xTitle: 'x', yTitle: 'y', series: [{ name: 'z', x: [1, 2], y: [0, -1] }] });
    expect(empty).toContain('<svg');
  });

  it.each([NaN, Infinity, -Infinity])('rejects y = %s with a typed not-finite error', async (bad) => {
    const e = await rejected(lineChartLogY({ title: 't', xTitle: 'x', yTitle: 'y', series: [sample[0], { name: 'bad', x: [1, 2, 3], y: [1, bad, 3] }] }));
    expect(e).toBeInstanceOf(EqflowError);
    expect((e as EqflowError).code).toBe('not-finite');
    expect((e as EqflowError).field).toBe('series[1].y[1]');
  });

  it('rejects NaN x and mismatched lengths with typed errors', async () => {
    const e1 = await rejected(lineChart({ title: 't', xTitle: 'x', yTitle: 'y', series: [{ name: 'a', x: [NaN], y: [1] }] }));
    expect(e1).toMatchObject({ code: 'not-finite', field: 'series[0].x[0]' });
    const e2 = await rejected(lineChart({ title: 't', xTitle: 'x', yTitle: 'y', series: [{ name: 'a', x: [1, 2], y: [1] }] }));
    expect(e2).toMatchObject({ code: 'dimension-mismatch', field: 'series[0].y' });
  });

  it('renderSvg wraps invalid specs in EqflowError', async () => {
    // Specs read from disk are untyped; one with no mark/layer/facet is refused by vega-lite.
    const fromDisk: VegaLiteSpec = JSON.parse('{"data":{"values":[]}}') as VegaLiteSpec;
    const e = await rejected(renderSvg(fromDisk));
    expect(e).toBeInstanceOf(EqflowError);
  });
});

describe('atomic writes', () => {
  let dir = '';
  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eqflow-atomic-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('creates parent directories, replaces content, and leaves no temp files', async () => {
    const target = join(dir, 'a', 'b', 'out.txt');
    await writeFileAtomic(target, 'first version, which is longer');
    expect(await readFile(target, 'utf8')).toBe('first version, which is longer');
    await writeFileAtomic(target, 'second');
    expect(await readFile(target, 'utf8')).toBe('second');
    await writeFileAtomic(target, new Uint8Array([0x68, 0x69]));
    expect(await readFile(target, 'utf8')).toBe('hi');
    expect(await readdir(join(dir, 'a', 'b'))).toEqual(['out.txt']);
  });

  it('writes a Uint8Array view without its neighbouring bytes', async () => {
    const target = join(dir, 'view.bin');
    const backing = new Uint8Array([1, 2, 3, 4, 5]);
    await writeFileAtomic(target, backing.subarray(1, 3));
    expect([...(await readFile(target))]).toEqual([2, 3]);
  });

  it('writes pretty JSON and refuses non-finite numbers, naming the path', async () => {
    const target = join(dir, 'v.json');
    await writeJsonAtomic(target, { a: [1, 2], b: 'x' });
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual({ a: [1, 2], b: 'x' });
    expect(await readFile(target, 'utf8')).toMatch(/\n$/);
    const e = await rejected(writeJsonAtomic(target, { a: [1, NaN] }));
    expect(e).toMatchObject({ code: 'not-finite', field: 'value.a[1]' });
    // The failed write must not have touched the previous file.
    expect(JSON.parse(await readFile(target, 'utf8'))).toEqual({ a: [1, 2], b: 'x' });
    const cyclic: { self?: unknown } = {};
    cyclic.self = cyclic;
    expect(thrown(() => toJsonText(cyclic))).toMatchObject({ code: 'invalid-argument' });
    expect(thrown(() => toJsonText(undefined))).toMatchObject({ code: 'invalid-argument' });
    expect((await readdir(dir)).sort()).toEqual(['a', 'v.json', 'view.bin']);
  });

  it('reports unwritable targets as io errors', async () => {
    const file = join(dir, 'plain-file');
    await writeFile(file, 'x');
    // A path "under" a regular file cannot be created.
    const e = await rejected(writeFileAtomic(join(file, 'child.txt'), 'y'));
    expect(e).toBeInstanceOf(EqflowError);
    expect((e as EqflowError).code).toBe('io');
  });
});

describe('html', () => {
  it('escapes all text, including <script>', () => {
    const html = renderReportHtml({
      title: 'T <script>alert(1)</script>',
      generatedAt: '2024-01-01T00:00:00Z',
      sections: [
        {
          heading: 'H <script>x()</script> & "q"',
          table: { columns: ['<script>c</script>'], rows: [['<script>r</script>'], [0.1 + 0.2]], rowClass: ['pass" onclick="x', 'fail'] },
          caption: '<script>cap</script>',
        },
      ],
    });
    expect(html).not.toMatch(/<script/i);
    expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;');
    expect(html).toContain('&amp; &quot;q&quot;');
    expect(html).not.toContain('onclick');
    expect(html).toContain('<td class="num">0.3</td>');
  });

  it('is self-contained, phone-friendly, and gives stable ids', async () => {
    const svg = await lineChartLogY({ title: 't', xTitle: 'x', yTitle: 'y', series: sample });
    const html = renderReportHtml({
      title: 'Report',
      generatedAt: 'now',
      sections: [
        { heading: 'Results', table: { columns: ['a', 'b'], rows: [['x', 1]] } },
        { heading: 'Results', svg, caption: 'fig' },
        { heading: '∑ ≠', html: '<p>trusted <em>markup</em></p>' },
      ],
    });
    expect(html).toMatch(/^<!DOCTYPE html>/);
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1">');
    expect(html).toContain('data-section="results"');
    expect(html).toContain('data-section="results-2"');
    expect(html).toContain('data-section="section"');
    expect(html).toContain('id="table-results"');
    expect(html).toContain('id="figure-results-2"');
    expect(html).toContain('<em>markup</em>');
    expect(html).not.toMatch(/\s(src|href)="(https?:)?\/\//);
    expect(html).not.toMatch(/<link\b/);
    expect(html).toMatch(/figure svg \{[^}]*width: 100%/);
    expect(html).toMatch(/\.table-wrap \{[^}]*overflow-x: auto/);
  });

  it('rejects malformed tables and non-SVG figures', () => {
    const base = { title: 't', generatedAt: 'g' };
    expect(thrown(() => renderReportHtml({ ...base, sections: [{ heading: 'h', table: { columns: ['a'], rows: [[1, 2]] } }] }))).toMatchObject({
      code: 'dimension-mismatch',
      field: 'sections[0].table.rows[0]',
    });
    expect(thrown(() => renderReportHtml({ ...base, sections: [{ heading: 'h', svg: '<div></div>' }] }))).toMatchObject({ code: 'invalid-argument' });
    expect(thrown(() => renderReportHtml({ ...base, sections: [{ heading: 'h', svg: '<svg><script>x</script></svg>' }] }))).toMatchObject({
      code: 'invalid-argument',
    });
  });

  it('slugify and escapeHtml are stable', () => {
    expect(slugify('  Équivariance: C4 vs D4! ')).toBe('equivariance-c4-vs-d4');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });
});
