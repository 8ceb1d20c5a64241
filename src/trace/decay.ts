import { dot, norm } from '../core/kernels.js';
import { Projectors } from '../space/projectors.js';
import type { TraceRow } from './checkTrace.js';
import { segmentCurvatures } from './mu.js';
import { DataProbe, meanSe } from './probe.js';
import type { SgdOptimizer } from './sgd.js';

/**
 * The decay phase of an augmented SGD run against the rate Theorem 3's identity predicts (docs/theory.md §5, §10).
 * Along the flow d/dt ½‖A_⊥‖² = −(γ_flow + q(A))‖A_⊥‖², q(A) = ⟨A_⊥, ∇R^aug(A) − ∇R^aug(Π_E A)⟩/‖A_⊥‖²; in
 * expectation (Lemma 2(e)) an SGD step multiplies the E⊥ part by a_q = 1 − ηγ − (η/s)q and adds the minibatch
 * noise. So E‖e_k‖² = ‖e_0‖²a_q^{2k} + N_k, N_k the noise accumulated from 0. Unlike Theorem 3's bound γ_flow − μ
 * this is two-sided and needs no μ: q is measured at the run's own snapshots, where a worst-case μ from a
 * subsample can exceed γ_flow and leave the bound vacuous (a regularizer weaker than declared decays too slowly).
 */
export interface DecayInput {
  P: Projectors;
  probe: DataProbe;
  opt: SgdOptimizer;
  gamma: number;
  steps: number[];
  t: number[];
  A: Float64Array[];
  errors: number[];
  /** the predicted rms floor: the decay phase is the leading run of snapshots above 3× it */
  floorRms: number;
  /** E‖n‖² of the noise accumulated over n steps from e = 0 */
  noise: (n: number) => number;
  /** z of a Gaussian tail for k events (sgd.ts tailZ) */
  z: (events: number) => number;
}

/** What the decay check measured: q̄ over the decay phase and the observed and predicted rates in flow time. */
export interface DecaySummary {
  q: number;
  qSe: number;
  observed: number;
  predicted: number;
  /** the last snapshot index of the decay phase */
  until: number;
}

/**
 * Var of ⟨ξ, ê⟩ for one minibatch's gradient noise ξ at Π_E A, ê = Π_{E⊥}A/‖Π_{E⊥}A‖: per-sample values
 * ⟨∇ℓ_{i,g}, ê⟩ (ê ∈ F_0 ⊆ L, so Π_{E⊥}Π_L drops out) over the probe's items and the elements the augmentation
 * draws (sampled: uniform g; exact: their mean; none: g = e), divided by B (with replacement: an upper bound).
 */
function noiseAlong(probe: DataProbe, P: Projectors, A: Float64Array, opt: SgdOptimizer): number {
  const e = P.piEperp(A);
  const en = norm(e);
  if (en === 0) return 0;
  const base = P.piE(A);
  const order = probe.b.group.order;
  const g = new Float64Array(A.length);
  const vals: number[] = [];
  for (const item of probe.items) {
    const els = opt.augmentation === 'none' ? [0] : Array.from({ length: order }, (_, k) => k);
    const c = els.map((el) => dot(probe.sampleGradient(base, item, el, g), e) / en);
    if (opt.augmentation === 'exact') vals.push(c.reduce((a, x) => a + x, 0) / c.length);
    else vals.push(...c);
  }
  const mean = vals.reduce((a, x) => a + x, 0) / vals.length;
  return vals.reduce((a, x) => a + (x - mean) ** 2, 0) / Math.max(1, vals.length - 1) / opt.batch;
}

/** The decay-rate row ('sgd-decay') and what it measured (null when there is no decay phase to check). */
export function checkDecay(inp: DecayInput): { row: TraceRow; summary: DecaySummary | null } {
  const { P, probe, opt, gamma, steps, t, A, errors } = inp;
  const source = 'Theorem 3 (identity), §5, §10';
  let j = 0;
  while (j + 1 < errors.length && errors[j + 1] > 3 * inp.floorRms) j++;
  if (j < 1 || !(errors[0] > 3 * inp.floorRms)) {
    return { row: { check: 'sgd-decay', source, verdict: 'not applicable', measured: Number.NaN, bound: Number.NaN, ratio: Number.NaN, detail: `no decay phase: fewer than two snapshots above 3× the predicted floor ${inp.floorRms.toExponential(3)}` }, summary: null };
  }
  const h = opt.lr / opt.lossScale;
  // q at up to 8 snapshots spread over the phase, per probe group (the secant [Π_E A_k, A_k] with points = 2 is the
  // quotient itself): each point tests the decay up to it with the q measured before it, so the precise early q
  // (a random start direction) is not diluted by the noisy late q (noise-dominated directions)
  const P8 = Math.min(8, j + 1);
  const pts = [...new Set(Array.from({ length: P8 }, (_, i) => Math.round((i * j) / (P8 - 1))))];
  const qg = pts.map((k) => segmentCurvatures(probe, P, A[k], 2, true)[0] ?? []);
  const s2 = pts.map((k) => noiseAlong(probe, P, A[k], opt));
  const zq = inp.z(pts.length - 1), zObs = inp.z(pts.length - 1);
  const e0sq = errors[0] ** 2;
  let lnM = Math.log(e0sq), dlnM = 0, V = 0, worst = 0, worstK = pts[1];
  let qSum = 0, qSe2 = 0;
  for (let p = 1; p < pts.length; p++) {
    const n = steps[pts[p]] - steps[pts[p - 1]];
    // the interval's q: the mean of its end points per group (trapezoid), its standard error from the groups
    const per = qg[p].length && qg[p - 1].length ? qg[p].map((x, g) => (x + qg[p - 1][g]) / 2) : [0];
    const { mean: q, se } = meanSe(per, probe.fpc);
    // q varies along the interval: the trapezoid is within half the change of its ends of the interval's mean
    const ends = [qg[p], qg[p - 1]].map((v) => v.reduce((a, x) => a + x, 0) / Math.max(1, v.length));
    const dq = zq * se + Math.abs(ends[0] - ends[1]) / 2;
    const aq = 1 - opt.lr * gamma - h * q;
    lnM += 2 * n * Math.log(Math.abs(aq));
    dlnM += (2 * n * h * dq) / Math.abs(aq); // ln M's sensitivity to q times q's error, added up over the intervals
    // the noise along the decay direction, accumulated and contracted like the mean part
    const a2 = aq * aq;
    V = V * a2 ** n + h * h * Math.max(s2[p], s2[p - 1]) * (Math.abs(1 - a2) < 1e-12 ? n : (1 - a2 ** n) / (1 - a2));
    qSum += q * (t[pts[p]] - t[pts[p - 1]]); qSe2 += (se * (t[pts[p]] - t[pts[p - 1]])) ** 2;
    const k = pts[p];
    const M = Math.exp(lnM), N = inp.noise(steps[k] - steps[0]);
    const pred = M + N;
    const sdObs = Math.sqrt(4 * M * V + 2 * N * N) / pred; // relative sd of ‖e_k‖² = ‖m + n‖²: the cross term 2⟨m, n⟩ and ‖n‖² (at most χ²₁-like)
    const r = Math.abs(Math.log(errors[k] ** 2 / pred)) / (zObs * sdObs + dlnM * (M / pred));
    if (r > worst) { worst = r; worstK = k; }
  }
  const q = qSum / (t[j] - t[0]), qSe = Math.sqrt(qSe2) / (t[j] - t[0]);
  const predicted = -Math.log(Math.sqrt(Math.exp(lnM) + inp.noise(steps[j] - steps[0])) / errors[0]) / (t[j] - t[0]);
  const observed = -Math.log(errors[j] / errors[0]) / (t[j] - t[0]);
  const gf = opt.lossScale * gamma;
  return {
    row: {
      check: 'sgd-decay', source, verdict: worst <= 1 ? 'holds' : 'violated', measured: observed, bound: predicted, ratio: worst,
      detail: `decay phase t ∈ [${t[0]}, ${t[j]}] (above 3× the floor): observed rate ${observed.toFixed(2)} vs γ_flow + q̄ = ${gf} + ${q.toFixed(2)} (q̄ ± ${qSe.toExponential(1)} on ${probe.m} items at ${pts.length} snapshots), ` +
        `${predicted.toFixed(2)} with the noise accumulated; worst at t = ${t[worstK]}: ‖Π_{E⊥}A‖ ${errors[worstK].toExponential(3)} (ratio of |ln observed²/predicted²| to its band ${worst.toFixed(3)})`,
    },
    summary: { q, qSe, observed, predicted, until: j },
  };
}
