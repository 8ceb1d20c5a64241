import type { TraceReport } from '../trace/checkTrace.js';
import { escapeHtml, renderReportHtml } from './html.js';
import { LineSeries, lineChartLogY } from './plot.js';

/** The curves of a check-trace plot: ‖Π_{E⊥}A‖ over flow time, Theorem 3's envelope, the predicted floor and its band. */
export function traceSeries(r: TraceReport): LineSeries[] {
  const t = r.projectionErrors.map((p) => p.t);
  const series: LineSeries[] = [{ name: 'observed', legend: '‖Π_{E⊥}A‖ (run)', x: t, y: r.projectionErrors.map((p) => p.error), style: 'bold' }];
  if (r.envelope) series.push({ name: 'envelope', legend: 'Theorem 3 envelope e^{−(γ−μ)t}', x: t, y: r.envelope, style: 'dashed' });
  const f = r.sgd?.floor;
  if (r.sgd && f) {
    const ks = r.sgd.predicted.map((p, k) => (p === null ? -1 : k)).filter((k) => k >= 0);
    const at = (scale: number) => ks.map((k) => (r.sgd!.predicted[k] as number) * scale);
    series.push({ name: 'floor', legend: 'predicted floor', x: ks.map((k) => t[k]), y: at(1), style: 'dashed' });
    series.push({ name: 'band-low', legend: 'floor band', x: ks.map((k) => t[k]), y: at(f.band[0]), style: 'thin' });
    series.push({ name: 'band-high', legend: 'floor band', x: ks.map((k) => t[k]), y: at(f.band[1]), style: 'thin' });
  }
  return series;
}

/** A self-contained HTML page for one check-trace report: the verdict table and the plot of traceSeries. */
export async function traceReportHtml(r: TraceReport, generatedAt = new Date().toISOString()): Promise<string> {
  const svg = await lineChartLogY({ title: `${r.case}: ‖Π_{E⊥}A‖ over flow time`, xTitle: r.sgd ? 'flow time t = step·η/s' : 't', yTitle: '‖Π_{E⊥}A‖', series: traceSeries(r) });
  const f = r.sgd?.floor;
  const facts = [
    `dim H = ${r.dim}, ${r.snapshots} snapshots, t ∈ [${r.times[0]}, ${r.times[1]}], dynamics ${r.dynamics}, γ = ${r.gamma}`,
    r.sgd ? `SGD: η = ${r.sgd.optimizer.lr}, batch ${r.sgd.optimizer.batch}, augmentation ${r.sgd.optimizer.augmentation}, loss scale ${r.sgd.optimizer.lossScale}; γ_flow = ${r.sgd.gammaFlow}` : '',
    r.sgd?.decay ? `decay rate: observed ${r.sgd.decay.observed?.toFixed(4) ?? '—'} vs γ_flow − μ = ${r.sgd.decay.bound.toFixed(4)}` : '',
    f ? `floor: predicted ${f.predicted.toExponential(3)}, band ${(f.predicted * f.band[0]).toExponential(3)} … ${(f.predicted * f.band[1]).toExponential(3)}, observed ${f.observed.toExponential(3)}; reached at t = ${f.reached ?? '—'}` : '',
    r.mu ? `μ = ${r.mu.value.toExponential(3)} (${r.mu.source === 'estimated' ? `± ${r.mu.se.toExponential(1)}, estimated on ${r.mu.items.used}/${r.mu.items.of} items and ${r.mu.snapshots.used}/${r.mu.snapshots.of} snapshots` : 'given'})` : '',
  ].filter((x) => x !== '');
  const num = (x: number) => (Number.isNaN(x) ? '—' : x.toExponential(3));
  return renderReportHtml({
    title: `eqflow check-trace: ${r.case}`,
    generatedAt,
    sections: [
      {
        heading: 'Verdicts',
        html: `<ul>${facts.map((x) => `<li>${escapeHtml(x)}</li>`).join('')}</ul>`,
        table: {
          columns: ['check', 'source', 'verdict', 'measured', 'bound', 'ratio', 'detail'],
          rows: r.rows.map((x) => [x.check, x.source, x.verdict, num(x.measured), num(x.bound), num(x.ratio), x.detail]),
          rowClass: r.rows.map((x) => (x.verdict === 'holds' ? 'pass' : x.verdict === 'violated' ? 'fail' : undefined)),
        },
      },
      {
        heading: 'Projection error over time',
        svg,
        caption: 'Solid: the run\'s ‖Π_{E⊥}A‖ (log scale). Dashed: Theorem 3\'s envelope from t_0 and, for SGD runs, the predicted noise floor; ' +
          'thin: the floor\'s band (docs/theory.md §10).',
      },
    ],
  });
}
