/**
 * The verdict of bench:check. Per task, the ratio current/baseline of median per-op times with a percentile
 * bootstrap confidence interval. The bootstrap is hierarchical: each replicate draws runs with replacement, then
 * samples with replacement within each drawn run, so the interval includes the run-to-run spread (different
 * processes, JIT decisions, machine load) and not only the within-run noise. A single current run is given the
 * baseline's run-to-run spread (see ratioInterval). Seeded (seedrandom's alea, one stream per task), so the same
 * files give the same verdict.
 *
 *   regression   CI entirely above 1 + threshold   → exit 1
 *   improvement  CI entirely below 1 − threshold
 *   unchanged    otherwise (no change, a change within the threshold, or too noisy to tell)
 */
import seedrandom from 'seedrandom';
import { EqflowError } from '../src/core/errors.js';
import { Baseline, BenchRun, requireSameConfig } from './report.js';

export interface CompareOptions {
  /** relative noise threshold (0.05 = 5%) */
  threshold: number;
  /** confidence level of the interval */
  level: number;
  /** bootstrap replicates */
  resamples: number;
  seed: string;
  /** at most this many samples per run enter the bootstrap (evenly spaced order statistics); bounds the cost */
  maxSamplesPerRun: number;
}

export const DEFAULT_COMPARE: CompareOptions = { threshold: 0.05, level: 0.95, resamples: 2000, seed: 'eqflow-bench-check', maxSamplesPerRun: 400 };

export type Verdict = 'regression' | 'improvement' | 'unchanged';

export interface RatioInterval {
  /** median(current) / median(baseline), all samples pooled */
  ratio: number;
  lo: number;
  hi: number;
}

export interface TaskComparison extends RatioInterval {
  name: string;
  verdict: Verdict;
  currentP50Ms: number;
  baselineP50Ms: number;
}

export interface Comparison {
  baselineFile: string;
  config: string;
  options: CompareOptions;
  tasks: TaskComparison[];
  /** tasks without samples on one side (errored) */
  skipped: Array<{ name: string; reason: string }>;
  regressions: string[];
  /** 1 when some task regressed, else 0 */
  exitCode: 0 | 1;
}

/** k-th smallest of x[0..n) (Hoare quickselect, in place). */
function select(x: Float64Array, n: number, k: number): number {
  let lo = 0, hi = n - 1;
  while (lo < hi) {
    const pivot = x[(lo + hi) >> 1];
    let i = lo, j = hi;
    while (i <= j) {
      while (x[i] < pivot) i++;
      while (x[j] > pivot) j--;
      if (i <= j) {
        const t = x[i];
        x[i] = x[j];
        x[j] = t;
        i++;
        j--;
      }
    }
    if (k <= j) hi = j;
    else if (k >= i) lo = i;
    else return x[k];
  }
  return x[k];
}

/** Median of x[0..n) (destroys the order of x). */
function medianInPlace(x: Float64Array, n: number): number {
  if (n % 2 === 1) return select(x, n, (n - 1) >> 1);
  const a = select(x, n, n / 2 - 1);
  const b = select(x, n, n / 2);
  return 0.5 * (a + b);
}

export function median(x: readonly number[]): number {
  if (x.length === 0) throw new EqflowError('invalid-argument', 'samples', 'median of no samples');
  return medianInPlace(Float64Array.from(x), x.length);
}

/** At most `max` evenly spaced order statistics of the samples (all of them when there are fewer). */
export function thin(samples: readonly number[], max: number): number[] {
  const s = samples.slice().sort((a, b) => a - b);
  if (s.length <= max) return s;
  return Array.from({ length: max }, (_, i) => s[Math.round((i * (s.length - 1)) / (max - 1))]);
}

/** One hierarchical bootstrap replicate of the median: runs with replacement, then samples within each. */
function resampledMedian(runs: readonly number[][], rng: () => number, buf: Float64Array): number {
  let n = 0;
  for (let r = 0; r < runs.length; r++) {
    const run = runs[Math.floor(rng() * runs.length)];
    for (let i = 0; i < run.length; i++) buf[n++] = run[Math.floor(rng() * run.length)];
  }
  return medianInPlace(buf, n);
}

/**
 * Ratio of medians current/baseline with a percentile bootstrap interval at `level`; each side is a list of runs,
 * each run a list of per-op times.
 */
export function ratioInterval(current: readonly number[][], baseline: readonly number[][], opts: CompareOptions, stream: string): RatioInterval {
  const check = (side: readonly number[][], name: string) => {
    if (side.length === 0 || side.some((r) => r.length === 0)) throw new EqflowError('invalid-argument', name, 'every side needs at least one run with samples');
    for (const r of side) for (const v of r) if (!(v >= 0) || !Number.isFinite(v)) throw new EqflowError('not-finite', name, `expected non-negative finite times, got ${v}`);
  };
  check(current, 'current');
  check(baseline, 'baseline');
  if (!(opts.level > 0 && opts.level < 1)) throw new EqflowError('invalid-argument', 'level', `expected a level in (0, 1), got ${opts.level}`);
  if (!Number.isInteger(opts.resamples) || opts.resamples < 100) throw new EqflowError('invalid-argument', 'resamples', `expected an integer ≥ 100, got ${opts.resamples}`);
  const ratio = median(current.flat()) / median(baseline.flat());
  const cur = current.map((r) => thin(r, opts.maxSamplesPerRun));
  const base = baseline.map((r) => thin(r, opts.maxSamplesPerRun));
  const rng = seedrandom.alea(`${opts.seed}/${stream}`);
  const maxLen = (side: number[][]) => side.length * Math.max(...side.map((r) => r.length));
  const bufC = new Float64Array(maxLen(cur)), bufB = new Float64Array(maxLen(base));
  // a single current run cannot show its own run-to-run spread: borrow the baseline's run effects (run median over
  // pooled median), one drawn per replicate, as if the current run were one more run of the same kind
  const pooledBase = median(base.flat());
  const effects = cur.length === 1 && base.length > 1 ? base.map((r) => median(r) / pooledBase) : [1];
  const ratios = new Float64Array(opts.resamples);
  for (let b = 0; b < opts.resamples; b++) {
    const effect = effects[Math.floor(rng() * effects.length)];
    ratios[b] = (resampledMedian(cur, rng, bufC) * effect) / resampledMedian(base, rng, bufB);
  }
  ratios.sort();
  const alpha = 1 - opts.level;
  const at = (q: number) => ratios[Math.min(ratios.length - 1, Math.max(0, Math.round(q * (ratios.length - 1))))];
  return { ratio, lo: at(alpha / 2), hi: at(1 - alpha / 2) };
}

export function verdictOf(ci: RatioInterval, threshold: number): Verdict {
  if (ci.lo > 1 + threshold) return 'regression';
  if (ci.hi < 1 - threshold) return 'improvement';
  return 'unchanged';
}

/**
 * Compares current runs with a baseline task by task. Different configurations are refused with
 * EqflowError('incompatible'); bad options with 'invalid-argument'.
 */
export function compareRuns(current: readonly BenchRun[], baseline: Baseline, baselineFile: string, opts: CompareOptions = DEFAULT_COMPARE): Comparison {
  if (current.length === 0) throw new EqflowError('invalid-argument', 'current', 'no current run to compare');
  if (!(opts.threshold >= 0) || !Number.isFinite(opts.threshold)) throw new EqflowError('invalid-argument', 'threshold', `expected a threshold ≥ 0, got ${opts.threshold}`);
  for (const run of current) requireSameConfig(run.config, baseline.config, baselineFile);
  const tasks: TaskComparison[] = [];
  const skipped: Comparison['skipped'] = [];
  for (const { name } of baseline.config.tasks) {
    const cur = current.map((r) => r.tasks.find((t) => t.name === name)).filter((t) => t !== undefined);
    const base = baseline.runs.map((r) => r.tasks.find((t) => t.name === name)).filter((t) => t !== undefined);
    if (cur.length === 0 || base.length === 0) {
      skipped.push({ name, reason: cur.length === 0 ? 'no samples in the current run (task failed)' : 'no samples in the baseline (task failed when it was saved)' });
      continue;
    }
    const ci = ratioInterval(cur.map((t) => t.samples), base.map((t) => t.samples), opts, name);
    tasks.push({ name, ...ci, verdict: verdictOf(ci, opts.threshold), currentP50Ms: median(cur.flatMap((t) => t.samples)), baselineP50Ms: median(base.flatMap((t) => t.samples)) });
  }
  const regressions = tasks.filter((t) => t.verdict === 'regression').map((t) => t.name);
  return { baselineFile, config: baseline.config.hash, options: opts, tasks, skipped, regressions, exitCode: regressions.length > 0 ? 1 : 0 };
}

/** The comparison as a fixed-width table, one line per task, then the verdict line. */
export function formatComparison(c: Comparison): string {
  const pct = (x: number) => `${x >= 1 ? '+' : '−'}${Math.abs((x - 1) * 100).toFixed(1)}%`;
  const lines = [`baseline ${c.baselineFile} (config ${c.config}), ${Math.round(c.options.level * 100)}% bootstrap CI of median ratio, threshold ${(c.options.threshold * 100).toFixed(1)}%`];
  lines.push(`${'task'.padEnd(26)} ${'baseline p50'.padStart(13)} ${'current p50'.padStart(13)} ${'ratio'.padStart(8)} ${'CI'.padStart(20)}  verdict`);
  for (const t of c.tasks) {
    lines.push(`${t.name.padEnd(26)} ${fmt(t.baselineP50Ms).padStart(13)} ${fmt(t.currentP50Ms).padStart(13)} ${t.ratio.toFixed(3).padStart(8)} ${`[${t.lo.toFixed(3)}, ${t.hi.toFixed(3)}]`.padStart(20)}  ${t.verdict} (${pct(t.ratio)})`);
  }
  for (const s of c.skipped) lines.push(`${s.name.padEnd(26)} skipped: ${s.reason}`);
  lines.push(c.exitCode === 1 ? `REGRESSION in ${c.regressions.join(', ')} (CI above 1 + threshold)` : 'no significant regression');
  return lines.join('\n');
}

function fmt(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(3)} s`;
  if (ms >= 1) return `${ms.toFixed(3)} ms`;
  return `${(ms * 1000).toFixed(2)} µs`;
}
