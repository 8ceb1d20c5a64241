import * as vega from 'vega';
import { compile } from 'vega-lite';
import type { Config, TopLevelSpec } from 'vega-lite';
import { EqflowError } from '../core/errors.js';

/** A Vega-Lite top-level specification (the type vega-lite itself ships). */
export type VegaLiteSpec = TopLevelSpec;

/** How a series is drawn: `thin` for one run among many, `bold` for a median, `dashed` for a predicted curve. */
export type LineStyle = 'thin' | 'bold' | 'dashed';

/** One curve of a line chart; `x` and `y` are parallel arrays. */
export interface LineSeries {
  /** Identifies the curve (shown in its path's aria-label). */
  name: string;
  /** Panel this curve goes to when `panels` is set. */
  group?: string;
  /** Colour/legend label; series that share one share a colour (e.g. 20 thin runs + their bold median). Defaults to `name`. */
  legend?: string;
  x: number[];
  y: number[];
  style?: LineStyle;
}

/** Options shared by lineChart and lineChartLogY; `width`/`height` are per panel, in px. */
export interface LineChartOptions {
  title: string;
  xTitle: string;
  yTitle: string;
  series: LineSeries[];
  /** Facet by `series.group`, one panel per group. */
  panels?: boolean;
  width?: number;
  height?: number;
  /** Panels per row when `panels` is set. */
  columns?: number;
  /** With `panels`: each panel gets its own x and y scale (panels over different time spans). */
  independentScales?: boolean;
}

/** Renders a Vega-Lite spec to a standalone SVG string in Node, without a browser or canvas. */
export async function renderSvg(spec: VegaLiteSpec): Promise<string> {
  let runtime: vega.Runtime;
  try {
    runtime = vega.parse(compile(spec).spec);
  } catch (cause) {
    throw new EqflowError('invalid-argument', 'spec', `not a valid Vega-Lite spec: ${messageOf(cause)}`);
  }
  // 'none' renderer: we only want the scenegraph serialized, no canvas/DOM needed.
  const view = new vega.View(runtime, { renderer: 'none', logLevel: vega.Error });
  try {
    return await view.toSVG();
  } catch (cause) {
    throw new EqflowError('invalid-argument', 'spec', `rendering failed: ${messageOf(cause)}`);
  } finally {
    // Releases timers/listeners so a test process can exit.
    view.finalize();
  }
}

/** A line chart with a logarithmic y axis; non-positive y values are dropped since log(y) is undefined there. */
export async function lineChartLogY(opts: LineChartOptions): Promise<string> {
  return renderSvg(lineChartSpec(opts, 'log'));
}

/** A line chart with a linear y axis (e.g. benchmark history). */
export async function lineChart(opts: LineChartOptions): Promise<string> {
  return renderSvg(lineChartSpec(opts, 'linear'));
}

/** One plotted point; flat rows are what Vega-Lite's line mark groups by `id`. */
interface Row {
  id: number;
  name: string;
  legend: string;
  group: string;
  style: LineStyle;
  x: number;
  y: number;
}

/** The spec shapes we build, taken from vega-lite's own union so they stay in sync with its version. */
type LayerTop = Extract<VegaLiteSpec, { layer: unknown }>;
type UnitItem = Extract<LayerTop['layer'][number], { mark: unknown }>;
type FacetTop = Extract<VegaLiteSpec, { facet: unknown }>;

const STYLES: readonly LineStyle[] = ['thin', 'bold', 'dashed'];

/** Builds (without rendering) the Vega-Lite spec behind lineChart/lineChartLogY; exported for tests and custom tweaks. */
export function lineChartSpec(opts: LineChartOptions, yScale: 'log' | 'linear'): VegaLiteSpec {
  const width = positive(opts.width ?? (opts.panels === true ? 320 : 640), 'width');
  const height = positive(opts.height ?? (opts.panels === true ? 220 : 320), 'height');
  if (!Array.isArray(opts.series)) throw new EqflowError('invalid-argument', 'series', 'expected an array of series');

  const rows: Row[] = [];
  const legends: string[] = [];
  const groups: string[] = [];
  opts.series.forEach((s, i) => {
    const field = `series[${i}]`;
    if (typeof s.name !== 'string') throw new EqflowError('invalid-argument', `${field}.name`, 'expected a string');
    const style = s.style ?? 'bold';
    if (!STYLES.includes(style)) throw new EqflowError('invalid-argument', `${field}.style`, `expected one of ${STYLES.join(', ')}, got ${String(style)}`);
    if (!Array.isArray(s.x) || !Array.isArray(s.y)) throw new EqflowError('invalid-argument', field, 'expected x and y arrays');
    if (s.x.length !== s.y.length) {
      throw new EqflowError('dimension-mismatch', `${field}.y`, `expected length ${s.x.length} (same as x), got ${s.y.length}`);
    }
    const legend = s.legend ?? s.name;
    const group = s.group ?? '';
    if (!legends.includes(legend)) legends.push(legend);
    if (!groups.includes(group)) groups.push(group);
    for (let j = 0; j < s.x.length; j++) {
      const x = s.x[j];
      const y = s.y[j];
      if (typeof x !== 'number' || !Number.isFinite(x)) throw new EqflowError('not-finite', `${field}.x[${j}]`, `expected a finite number, got ${String(x)}`);
      if (typeof y !== 'number' || !Number.isFinite(y)) throw new EqflowError('not-finite', `${field}.y[${j}]`, `expected a finite number, got ${String(y)}`);
      // A log axis cannot place y <= 0; dropping the point is the honest choice (clamping would invent data).
      if (yScale === 'log' && y <= 0) continue;
      rows.push({ id: i, name: s.name, legend, group, style, x, y });
    }
  });

  const integerX = rows.length > 0 && rows.every((r) => Number.isInteger(r.x));
  const encoding: UnitItem['encoding'] = {
    // Integer x (steps, commit numbers) should not get ticks at 2.5.
    x: { field: 'x', type: 'quantitative', title: opts.xTitle, scale: { zero: false, nice: false }, axis: integerX ? { tickMinStep: 1, format: 'd' } : {} },
    y: { field: 'y', type: 'quantitative', title: opts.yTitle, scale: yScale === 'log' ? { type: 'log' } : { zero: false } },
    // Legend swatches would otherwise inherit the faint thin-run style of the first layer.
    // a fixed domain keeps legend order; independent panels each take the domain of their own series instead
    color: { field: 'legend', type: 'nominal', title: null, scale: opts.independentScales ? { scheme: 'tableau10' } : { domain: legends, scheme: 'tableau10' }, legend: { symbolOpacity: 1, symbolStrokeWidth: 3 } },
    detail: { field: 'id', type: 'nominal' },
    // Lets a reader (and a test) tell which <path> is which series.
    description: { field: 'name', type: 'nominal' },
  };
  // Thin runs first so the medians and predictions are drawn on top of them.
  const layer: UnitItem[] = [
    { transform: [{ filter: { field: 'style', equal: 'thin' } }], mark: { type: 'line', strokeWidth: 1, opacity: 0.3, clip: true }, encoding },
    { transform: [{ filter: { field: 'style', equal: 'dashed' } }], mark: { type: 'line', strokeWidth: 2, strokeDash: [6, 4], clip: true }, encoding },
    { transform: [{ filter: { field: 'style', equal: 'bold' } }], mark: { type: 'line', strokeWidth: 2.75, clip: true }, encoding },
  ];
  const config: Config = {
    font: 'sans-serif',
    view: { stroke: '#ddd' },
    legend: { orient: 'bottom', direction: 'horizontal', columns: 3, labelLimit: 240 },
    title: { anchor: 'start', fontSize: 15 },
  };
  const $schema = 'https://vega.github.io/schema/vega-lite/v6.json';
  const data = { values: rows };

  if (opts.panels === true) {
    const columns = Math.max(1, Math.min(opts.columns ?? 2, groups.length));
    const faceted: FacetTop = {
      $schema,
      title: opts.title,
      data,
      config,
      // Keep the caller's group order rather than Vega's alphabetical default.
      facet: { field: 'group', type: 'nominal', title: null, sort: groups },
      columns,
      spec: { width, height, layer },
      ...(opts.independentScales ? { resolve: { scale: { x: 'independent', y: 'independent', color: 'independent' }, legend: { color: 'independent' } } } : {}),
    };
    return faceted;
  }
  const layered: LayerTop = { $schema, title: opts.title, data, config, width, height, layer };
  return layered;
}

function positive(v: number, field: string): number {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new EqflowError('invalid-argument', field, `expected a positive number, got ${String(v)}`);
  return v;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
