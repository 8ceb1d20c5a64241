import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EqflowError } from '../core/errors.js';
import { writeFileAtomic } from './atomic.js';
import { ReportSection, escapeHtml, renderReportHtml } from './html.js';
import { checkCell, resolutionCell } from './verification.js';
import type { ResolutionTable } from '../claims/resolution.js';

/** The saved results `eqflow report` assembles (each optional: a section appears when its file exists). */
export const REPORT_FILES = {
  verification: 'verification.json',
  attractorFigure: join('figures', 'attractor.svg'),
  attractor: join('experiments', 'attractor.json'),
  mnistFigure: join('figures', 'mnist.svg'),
  mnist: join('experiments', 'mnist.json'),
  bench: join('bench', 'latest.json'),
  peers: join('bench', 'peers.json'),
  trend: join('bench', 'trend.svg'),
} as const;

function readJson(dir: string, file: string): unknown {
  const p = join(dir, file);
  try {
    return JSON.parse(readFileSync(p, 'utf8')) as unknown;
  } catch (e) {
    throw new EqflowError('io', p, `cannot read saved results: ${(e as Error).message}`);
  }
}

const has = (dir: string, file: string) => existsSync(join(dir, file));
const text = (dir: string, file: string) => readFileSync(join(dir, file), 'utf8');
const obj = (v: unknown): Record<string, unknown> => (typeof v === 'object' && v !== null ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'number' ? (Number.isInteger(v) ? String(v) : v.toPrecision(4)) : typeof v === 'string' ? v : v === undefined || v === null ? '—' : JSON.stringify(v));

function verificationSection(v: Record<string, unknown>): ReportSection {
  const claims = arr(v.claims).map(obj);
  const s = obj(v.summary);
  return {
    heading: 'Claims',
    html: `<p>Implementation <b>${escapeHtml(str(v.implementation))}</b> judged at ${escapeHtml(str(v.precision ?? 'float64'))}, seed ${escapeHtml(str(v.seed))}: ${str(s.holds)} hold, ${str(s.violated)} violated, ` +
      `${str(s.errors ?? 0)} implementation errors, ${str(s.notTested)} not tested${s.notResolvable ? `, ${str(s.notResolvable)} not resolvable at this precision` : ''}${s.interrupted ? `, ${str(s.interrupted)} interrupted` : ''}. ` +
      '<i>error</i> means the implementation did not answer properly (crash, timeout, protocol break, NaN, wrong length), not a counterexample. ' +
      'Each claim is a fast-check property over generated cases; <i>worst error/tol</i> is the largest ' +
      'measured error divided by its tolerance (≤ 1 holds). The negative control runs the same check outside the claim\'s hypotheses, where it must fail.</p>',
    table: {
      columns: ['claim', 'source', 'statement', 'cases', 'worst error/tol', 'verdict', 'check', 'negative control', 'resolution (smallest defect detected)'],
      rows: claims.map((c) => [str(c.id), str(c.source), str(c.title), `${str(c.cases)}${typeof c.byGenerators === 'number' ? ` (${c.byGenerators} by generators)` : ''}`, typeof c.worstRatio === 'number' ? c.worstRatio.toExponential(2) : '—', str(c.verdict), checkCell(c as { check?: string; alpha?: number }), str(obj(c.negativeControl).verdict), resolutionCell(v.resolution as ResolutionTable | undefined, str(c.id))]),
      rowClass: claims.map((c) => (c.verdict === 'holds' ? 'pass' : c.verdict === 'violated' ? 'fail' : c.verdict === 'error' || c.verdict === 'interrupted' || c.verdict === 'not resolvable' ? 'warn' : undefined)),
    },
  };
}

function benchSection(dir: string): ReportSection {
  const b = obj(readJson(dir, REPORT_FILES.bench));
  const tasks = arr(b.tasks).map(obj);
  const ms = (v: unknown) => (typeof v === 'number' ? v.toFixed(3) : '—');
  const section: ReportSection = {
    heading: 'Benchmarks',
    html: `<p>${escapeHtml(str(obj(b.machine).cpu))}, Node ${escapeHtml(str(obj(b.machine).node))}, commit ${escapeHtml(str(obj(b.machine).commit))}.</p>`,
    table: { columns: ['task', 'mean ms', 'p50 ms', 'p99 ms', '± %', 'GFLOP/s'], rows: tasks.map((t) => [str(t.name), ms(t.meanMs), ms(t.p50Ms), ms(t.p99Ms), typeof t.rme === 'number' ? t.rme.toFixed(2) : '—', typeof t.gflops === 'number' ? t.gflops.toFixed(2) : '—']) },
  };
  if (has(dir, REPORT_FILES.trend)) {
    section.svg = text(dir, REPORT_FILES.trend);
    section.caption = 'Mean time per task over the recorded runs (reports/bench/history.jsonl).';
  }
  return section;
}

/**
 * reports/index.html from the saved results in `dir`: the claims table, Figure 1 (attractor), Figure 2 (MNIST),
 * the benchmark summary when present. Self-contained: SVG inline, no network.
 */
export function buildReport(dir: string, generatedAt = new Date().toISOString()): string {
  const sections: ReportSection[] = [];
  if (has(dir, REPORT_FILES.verification)) sections.push(verificationSection(obj(readJson(dir, REPORT_FILES.verification))));
  if (has(dir, REPORT_FILES.attractorFigure)) {
    sections.push({
      heading: 'Figure 1: E attracts the regularized augmented flow',
      svg: text(dir, REPORT_FILES.attractorFigure),
      caption: '‖Π_{E⊥}A(t)‖ on a log scale for a sweep of γ. Solid: measured; dashed: the predicted e^{−rate·t}. Near a stationary point the ' +
        'rate is γ + λ_min(H_⊥): Example Q has λ_min(H_⊥) = −1/5, so γ = 0.1 < γ_loc = 1/5 leaves E while larger γ converge. From far, ' +
        'Theorem 3 bounds the decay by γ − μ (μ = 2 for Example Q); the measured curves decay faster than the bound.',
    });
  }
  if (has(dir, REPORT_FILES.mnistFigure)) {
    sections.push({
      heading: 'Figure 2: projection error on MNIST (P1 protocol)',
      svg: text(dir, REPORT_FILES.mnistFigure),
      caption: 'Root of the summed squared per-layer projection errors ‖Π_{E⊥}W‖ per SGD step, log scale, for the nominal (Nom) and ' +
        'augmented (Aug) models; thin lines are runs, bold lines medians, one panel per γ. P1 reports both falling at rate ≈ γ to a floor, ' +
        'with Aug\'s floor below Nom\'s.',
    });
  }
  if (has(dir, REPORT_FILES.bench)) sections.push(benchSection(dir));
  if (sections.length === 0) throw new EqflowError('invalid-argument', dir, 'no saved results to report (run eqflow verify, eqflow experiment attractor, …)');
  return renderReportHtml({ title: 'eqflow report', generatedAt, sections });
}

/** Writes `dir`/index.html atomically and returns its path. */
export async function writeReport(dir: string): Promise<string> {
  const path = join(dir, 'index.html');
  await writeFileAtomic(path, buildReport(dir));
  return path;
}
