import { hessianBlocks, finiteDifferenceHvp, splitBases } from '../analysis/hessian.js';
import { symmetricEigen } from '../analysis/eigen.js';
import { fitDecayRate } from '../analysis/rates.js';
import { stationaryOnE } from '../analysis/stationary.js';
import { RandomStream } from '../core/rng.js';
import { DEFAULT_INTEGRATOR, FLOW_ATOL, FLOW_RTOL, firstStep, integrate } from '../flows/integrators.js';
import { BuiltCase, buildCase } from '../impl/build.js';
import { EXAMPLE_Q, exampleByName } from '../impl/examples.js';
import { fieldOf } from '../impl/reference.js';
import { LineSeries, lineChartLogY } from '../report/plot.js';

/** One γ of the sweep: the measured ‖Π_{E⊥}A(t)‖, the predicted rate and the rate fitted to the measurement. */
export interface AttractorSeries {
  gamma: number;
  t: number[];
  projectionError: number[];
  /** the prediction drawn beside the curve: e^{−rate·t}‖Π_{E⊥}A(0)‖ */
  predictedRate: number;
  /** least-squares rate over the second half of the run (null when the error grows or hits round-off) */
  fittedRate: number | null;
  /** what the integration achieved (etdrk4, error-controlled) */
  integration: SweepStats;
}

export interface SweepStats {
  steps: number;
  rejected: number;
  maxLocalError: number;
}

export interface AttractorPanel {
  name: string;
  /** what the prediction is: the local rate γ + λ_min(H_⊥) or Theorem 3's global bound γ − μ */
  prediction: string;
  lambdaMinPerp: number;
  gammaLoc: number;
  series: AttractorSeries[];
}

export interface AttractorResult {
  panels: AttractorPanel[];
}

/**
 * Integrates the regularized augmented flow from A0 (etdrk4, error-controlled) and samples ‖Π_{E⊥}A‖ at `n` + 1
 * times up to T; returns the run's steps, rejections and largest local error estimate with it.
 */
function sweepOne(b: BuiltCase, A0: Float64Array, gamma: number, T: number, n: number): { t: number[]; p: number[]; stats: SweepStats } {
  const A = Float64Array.from(A0);
  const f = fieldOf(b, 'reg-augmented', gamma);
  const t = [0], p = [b.P.projectionError(A)];
  const stats: SweepStats = { steps: 0, rejected: 0, maxLocalError: 0 };
  let h = firstStep(gamma, T);
  for (let k = 1; k <= n; k++) {
    const r = integrate(f, A, T / n, { integrator: DEFAULT_INTEGRATOR, step: h, adaptive: true, rtol: FLOW_RTOL, atol: FLOW_ATOL });
    stats.steps += r.steps;
    stats.rejected += r.rejected;
    stats.maxLocalError = Math.max(stats.maxLocalError, r.maxLocalError ?? 0);
    h = r.nextStep ?? h;
    t.push((k * T) / n);
    p.push(b.P.projectionError(A));
  }
  return { t, p, stats };
}

/** The rate fitted over the second half, where the slowest mode dominates (values above 1e-13 only). */
function fitted(t: number[], p: number[]): number | null {
  const idx = t.map((_, i) => i).filter((i) => i >= t.length / 2 && p[i] > 1e-13);
  if (idx.length < 3) return null;
  return fitDecayRate(idx.map((i) => t[i]), idx.map((i) => p[i])).rate;
}

/** One panel before it is integrated: its case, start point, γ sweep, horizon and prediction. */
interface PanelPlan {
  name: string;
  prediction: string;
  b: BuiltCase;
  A0: Float64Array;
  gammas: number[];
  T: number;
  rateOf: (g: number) => number;
  lambda: number;
}

/** Figure 1 before integration: its panels, and its jobs (one per panel and γ, in panel order). */
export interface AttractorPlan {
  panels: PanelPlan[];
  jobs: Array<{ panel: number; gamma: number }>;
}

/**
 * Figure 1's panels: Example Q near A* (local rate γ − 1/5, threshold γ_loc = 1/5) and from far (Theorem 3's bound
 * e^{−(γ−μ)t}, μ = 2); the toy CNN near its stationary point A* on E (local rate γ + λ_min(H_⊥), from its
 * finite-difference Hessian). Deterministic: every shard of a sharded run builds the same plan.
 */
export function attractorPlan(): AttractorPlan {
  const q = buildCase(exampleByName('example-q').spec);
  const a = EXAMPLE_Q.aStar;
  const near = Float64Array.from([a + 0.05 * Math.SQRT1_2, a - 0.05 * Math.SQRT1_2]);
  const far = Float64Array.from([a + 0.7 * Math.SQRT1_2, a - 0.7 * Math.SQRT1_2]);
  const panels: PanelPlan[] = [
    { name: 'Example Q, near A* (local rate γ − 1/5)', prediction: 'γ + λ_min(H_⊥) = γ − 1/5', b: q, A0: near, gammas: [0.1, 0.3, 0.6, 1, 2], T: 25, rateOf: (g) => g + EXAMPLE_Q.Hperp, lambda: EXAMPLE_Q.Hperp },
    { name: 'Example Q, far start (bound γ − μ, μ = 2)', prediction: 'γ − μ = γ − 2 (Theorem 3 bound)', b: q, A0: far, gammas: [2.5, 3, 4, 6], T: 6, rateOf: (g) => g - EXAMPLE_Q.mu, lambda: EXAMPLE_Q.Hperp },
  ];
  const toy = buildCase(exampleByName('toy-cnn').spec);
  const start = new RandomStream('attractor').gaussianVector(toy.model.space.dim, 0.5);
  const { A: Astar } = stationaryOnE(toy.R, toy.P, start, 1e-10);
  const blocks = hessianBlocks(finiteDifferenceHvp(toy.Raug, Astar), toy.P);
  const { F } = splitBases(toy.P);
  const { vectors } = symmetricEigen(blocks.Hperp);
  const v = new Float64Array(Astar.length);
  F.forEach((f, j) => { for (let i = 0; i < v.length; i++) v[i] += vectors[0][j] * f[i]; });
  const A0 = Astar.map((x, i) => x + 0.05 * v[i]);
  const lam = blocks.lambdaMinPerp;
  const gl = Math.max(0, -lam);
  const gammas = [gl > 0 ? 0.5 * gl : 0, gl + 0.25, gl + 1, gl + 3];
  panels.push({ name: `toy CNN, near A* (λ_min(H_⊥) = ${lam.toFixed(3)})`, prediction: `γ + λ_min(H_⊥) = γ ${lam < 0 ? '−' : '+'} ${Math.abs(lam).toFixed(3)}`, b: toy, A0, gammas, T: 8 / Math.max(0.25, gammas[0] + lam), rateOf: (g) => g + lam, lambda: lam });
  return { panels, jobs: panels.flatMap((p, panel) => p.gammas.map((gamma) => ({ panel, gamma }))) };
}

/** Integrates job `j` of the plan: one γ of one panel. */
export function runAttractorJob(plan: AttractorPlan, j: number): AttractorSeries {
  const { panel, gamma } = plan.jobs[j];
  const p = plan.panels[panel];
  const { t, p: err, stats } = sweepOne(p.b, p.A0, gamma, p.T, 120);
  return { gamma, t, projectionError: err, predictedRate: p.rateOf(gamma), fittedRate: fitted(t, err), integration: stats };
}

/** Figure 1's result from the series of all the plan's jobs (in job order), computed here or merged from shards. */
export function assembleAttractor(plan: AttractorPlan, series: readonly AttractorSeries[]): AttractorResult {
  return {
    panels: plan.panels.map((p, k) => ({ name: p.name, prediction: p.prediction, lambdaMinPerp: p.lambda, gammaLoc: Math.max(0, -p.lambda), series: series.filter((_, j) => plan.jobs[j].panel === k) })),
  };
}

/** Figure 1: ‖Π_{E⊥}A(t)‖ of the regularized augmented flow for a sweep of γ around the thresholds (attractorPlan). */
export function runAttractor(): AttractorResult {
  const plan = attractorPlan();
  return assembleAttractor(plan, plan.jobs.map((_, j) => runAttractorJob(plan, j)));
}

/** The figure: one panel per case, a solid measured curve and a dashed predicted line per γ, log scale. */
export async function renderAttractorFigure(r: AttractorResult): Promise<string> {
  const series: LineSeries[] = [];
  for (const p of r.panels) {
    for (const s of p.series) {
      const p0 = s.projectionError[0];
      series.push({ name: `${p.name}: γ = ${s.gamma.toFixed(2)} measured`, legend: `γ = ${s.gamma.toFixed(2)}`, group: p.name, x: s.t, y: s.projectionError, style: 'bold' });
      // the prediction is drawn down to the measurement's round-off floor (1e-16 of the start), not below
      const keep = s.t.map((t) => p0 * Math.exp(-s.predictedRate * t)).map((y, i) => [s.t[i], y] as const).filter(([, y]) => y >= 1e-16 * p0);
      series.push({ name: `${p.name}: γ = ${s.gamma.toFixed(2)} predicted`, legend: `γ = ${s.gamma.toFixed(2)}`, group: p.name, x: keep.map(([t]) => t), y: keep.map(([, y]) => y), style: 'dashed' });
    }
  }
  return lineChartLogY({ title: 'Figure 1: ‖Π_{E⊥}A(t)‖ under the regularized augmented flow (solid: measured, dashed: predicted)', xTitle: 't', yTitle: '‖Π_{E⊥}A(t)‖', series, panels: true, columns: 1, width: 640, height: 240, independentScales: true });
}
