import { z } from 'zod';
import { dot, norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { EPS } from '../core/tolerance.js';
import { symmetricEigen } from '../analysis/eigen.js';
import { fitDecayRate } from '../analysis/rates.js';
import { Projectors } from '../space/projectors.js';
import type { TraceRow } from './checkTrace.js';
import { checkDecay } from './decay.js';
import { DataProbe } from './probe.js';

/**
 * SGD runs in check-trace (docs/theory.md §10). A step on a minibatch b_k of size B, sample s turned by its own
 * random g (sampled augmentation), by all of G (exact) or not at all (none), loss scaled by 1/s:
 *   A_{k+1} = A_k − η(Π_L∇R_{b_k}(A_k)/s + γΠ_{E⊥}A_k),
 * the Euler discretization of the regularized flow at flow time t = kη/s with γ_flow = sγ. The E⊥ part obeys
 *   e_{k+1} = a e_k − (η/s)(b + ξ_k),  a = 1 − ηγ − ηq/s,
 * with q the E⊥ curvature along e, b the mean E⊥ gradient near E (0 when augmented, Lemma 2(c); nominal: Remark
 * R1's β) and ξ_k the minibatch noise of covariance Σ_⊥, so that after n steps from e_0
 *   E‖e_n‖² ≈ a^{2n}‖e_0‖² + (η/s)²(tr Σ_⊥ (1 − a^{2n})/(1 − a²) + ‖b‖²((1 − aⁿ)/(1 − a))²),
 * whose stationary value is the floor. Σ_⊥, b and q are estimated on a probe subsample of the Case's data at points
 * Π_E A_k of the run, each with a standard error; the band around the prediction is derived from those errors and
 * from the spread of the observed ‖e_k‖², never a fixed slack.
 */

/** How a run was trained: SGD with learning rate η, batch B, augmentation, and loss scale s (loss = mean/s). */
export const OptimizerSpec = z.object({
  kind: z.literal('sgd'),
  lr: z.number().positive(),
  batch: z.number().int().min(1),
  augmentation: z.enum(['sampled', 'exact', 'none']),
  lossScale: z.number().positive().default(1),
}).strict();
export type SgdOptimizer = z.infer<typeof OptimizerSpec>;

/** False-alarm probability of each statistical check on a trace (the bands are set so a correct run fails this rarely). */
export const FALSE_ALARM = 1e-3;

/**
 * Gaussian tail quantile bound: P(X > (1 + z)σ) ≤ e^{−z²/2} for the norm of a Gaussian vector of mean square σ² (its
 * norm is √‖C‖-Lipschitz in whitened coordinates and ‖C‖ ≤ tr C), so z = √(2 ln(k/α)) holds k events at level α.
 */
export const tailZ = (events: number, alpha = FALSE_ALARM): number => Math.sqrt(2 * Math.log(Math.max(1, events) / alpha));

/** Σ_{j<n} r^j (n when r = 1). */
const geo = (r: number, n: number): number => (Math.abs(1 - r) < 1e-12 ? n : (1 - r ** n) / (1 - r));

/** A Gauss quadrature rule (nodes λ_i, weights w_i summing to 1) for v ↦ vᵀf(H_⊥)v/‖v‖², from Lanczos. */
export interface QuadratureRule {
  nodes: number[];
  weights: number[];
}

/** The E⊥ noise of the SGD step near Π_E A and the spectrum of H_⊥ it sees (for the AR factors a_λ = 1 − ηγ − ηλ/s). */
export interface NoiseEstimate {
  /** tr Σ_⊥ of the minibatch gradient's E⊥ part (before the 1/s) and its standard error */
  trace: number;
  traceSe: number;
  /** ‖b‖² of the mean E⊥ gradient (bias-corrected; 0 for augmented runs, Lemma 2(c)) and its standard error */
  bias2: number;
  bias2Se: number;
  /** per noise sample ξ_r: the rule of ξ_rᵀ f(H_⊥) ξ_r/‖ξ_r‖², weighted by ‖ξ_r‖² when combined */
  noiseRules: Array<QuadratureRule & { weight: number }>;
  /** the rule of bᵀ f(H_⊥) b/‖b‖² (null for augmented runs) */
  biasRule: QuadratureRule | null;
}

/** Options of the noise estimate: how many noise samples and Lanczos steps. */
export interface NoiseOptions {
  /** noise samples ξ_r whose H_⊥-spectrum is resolved (default 3) */
  samples?: number;
  /** Lanczos steps per sample (default 8) */
  lanczos?: number;
}

/**
 * The Gauss rule of vᵀf(T)v/‖v‖² after k Lanczos steps on the symmetric map T from v (full re-orthogonalization;
 * k ≤ 10): the eigenvalues of the tridiagonal T_k and the squared first components of its eigenvectors. Exact for
 * polynomials of degree < 2k, so for the smooth f of the AR recursion a few steps resolve what the noise sees.
 */
export function lanczosRule(T: (v: Float64Array, out: Float64Array) => void, v: Float64Array, k: number): QuadratureRule {
  const n = v.length;
  const vn = norm(v);
  if (vn === 0) return { nodes: [0], weights: [1] };
  const Q: Float64Array[] = [v.map((x) => x / vn)];
  const alpha: number[] = [], beta: number[] = [];
  const w = new Float64Array(n);
  for (let j = 0; j < k; j++) {
    T(Q[j], w);
    alpha.push(dot(w, Q[j]));
    for (const q of Q) {
      const c = dot(w, q);
      for (let i = 0; i < n; i++) w[i] -= c * q[i];
    }
    const b = norm(w);
    // an invariant subspace: the rule is exact with j + 1 nodes (relative to the size of T's action)
    if (j + 1 === k || b <= 1e-10 * Math.max(1, Math.abs(alpha[j]))) break;
    beta.push(b);
    Q.push(w.map((x) => x / b));
  }
  const m = alpha.length;
  const Tk = Array.from({ length: m }, (_, i) => Array.from({ length: m }, (_, j) => (i === j ? alpha[i] : Math.abs(i - j) === 1 ? beta[Math.min(i, j)] : 0)));
  const { values, vectors } = symmetricEigen(Tk);
  return { nodes: values, weights: vectors.map((u) => u[0] * u[0]) };
}

/**
 * Σ_⊥ at Π_E A from per-sample gradients on the probe's items: X_{ig} = Π_{E⊥}Π_L∇ℓ_i at Π_E A turned by g, its
 * mean μ_i over the g the augmentation draws from (sampled: all of G; exact: their average; none: g = e) and
 * w_i = mean_g ‖X_{ig} − μ_i‖². A batch of B items drawn without replacement from n, each with its own g, has
 *   tr Σ_B = W/B + S²(n − B)/(nB),  W = mean_i w_i,  S² = the items' sample variance of μ_i,
 * and ‖b‖² = ‖mean_i μ_i‖² − S²(1 − m/n)/m; standard errors by the jackknife over the probe's groups. Which
 * directions the noise takes matters as much as its size (each eigen-direction λ of H_⊥ keeps σ_λ²/(1 − a_λ²)):
 * Lanczos rules of H_⊥ = Π_{E⊥}∇²R Π_{E⊥} at Π_E A (central differences of the probe's gradients) from sampled
 * batch-noise vectors ξ_r and from b resolve that weighting (Hutchinson's estimator of tr f(H_⊥)Σ_⊥ with ξ_r).
 */
export function estimateNoise(probe: DataProbe, P: Projectors, A: Float64Array, opt: SgdOptimizer, o: NoiseOptions = {}): NoiseEstimate {
  const dim = P.space.dim;
  const base = P.piE(A);
  const order = probe.b.group.order;
  const elements = opt.augmentation === 'none' ? [0] : Array.from({ length: order }, (_, g) => g);
  const g = new Float64Array(dim), lg = new Float64Array(dim);
  const mus: Float64Array[] = [];
  const xs: Float64Array[][] = [];
  const w: number[] = [];
  for (const item of probe.items) {
    const mu = new Float64Array(dim);
    const xi = elements.map((el) => {
      probe.sampleGradient(base, item, el, g);
      const x = P.piEperp(P.piL(g, lg));
      for (let i = 0; i < dim; i++) mu[i] += x[i] / elements.length;
      return x;
    });
    let wi = 0;
    if (opt.augmentation === 'sampled') for (const v of xi) for (let i = 0; i < dim; i++) wi += (v[i] - mu[i]) ** 2 / xi.length;
    mus.push(mu);
    xs.push(opt.augmentation === 'exact' ? [mu] : xi);
    w.push(wi);
  }
  const n = probe.n, B = opt.batch;
  const augmented = opt.augmentation !== 'none';
  /** tr Σ_B and ‖b‖² from the items `keep` (all, or all but one group for the jackknife), and their mean μ̄ */
  const stats = (keep: number[]): [number, number, Float64Array] => {
    const m = keep.length;
    const mean = new Float64Array(dim);
    for (const i of keep) for (let k = 0; k < dim; k++) mean[k] += mus[i][k] / m;
    let ss = 0;
    for (const i of keep) for (let k = 0; k < dim; k++) ss += (mus[i][k] - mean[k]) ** 2;
    const S2 = m > 1 ? ss / (m - 1) : 0;
    const W = keep.reduce((a, i) => a + w[i], 0) / m;
    const bias2 = augmented ? 0 : Math.max(0, dot(mean, mean) - (S2 * (1 - m / n)) / m);
    return [W / B + (S2 * (n - B)) / (n * B), bias2, mean];
  };
  const all = Array.from(probe.items.keys());
  const [trace, bias2, mean] = stats(all);
  // the jackknife over groups: item k of the probe belongs to group k mod J (DataProbe's split)
  const J = probe.groupItems.length;
  let traceSe = 0, bias2Se = 0;
  if (J > 1 && probe.fpc > 0) {
    const loo = Array.from({ length: J }, (_, j) => stats(all.filter((k) => k % J !== j)));
    const jk = (v: number[], full: number) => Math.sqrt((((J - 1) / J) * v.reduce((a, x) => a + (x - full) ** 2, 0)) * probe.fpc);
    traceSe = jk(loo.map((r) => r[0]), trace);
    bias2Se = jk(loo.map((r) => r[1]), bias2);
  }

  // H_⊥ v by a central difference of the probe's gradients at Π_E A (step ∛u·max(1, ‖Π_E A‖) along the unit v)
  const eps = Math.cbrt(EPS) * Math.max(1, norm(base));
  const gp = new Float64Array(dim), gm = new Float64Array(dim), B1 = new Float64Array(dim), v1 = new Float64Array(dim);
  const Hperp = (v: Float64Array, out: Float64Array): void => {
    P.piEperp(v, v1);
    for (let i = 0; i < dim; i++) B1[i] = base[i] + eps * v1[i];
    probe.gradient(B1, augmented, gp);
    for (let i = 0; i < dim; i++) B1[i] = base[i] - eps * v1[i];
    probe.gradient(B1, augmented, gm);
    for (let i = 0; i < dim; i++) gp[i] = (gp[i] - gm[i]) / (2 * eps);
    P.piEperp(P.piL(gp, lg), out);
  };
  const k = Math.max(1, o.lanczos ?? 8);
  const rng = new RandomStream('check-trace').child('noise');
  const noiseRules = Array.from({ length: trace > 0 ? Math.max(1, o.samples ?? 3) : 0 }, () => {
    // one batch's noise: B items (of the probe's, without replacement while they last), each with its own g
    const pick = rng.permutation(probe.m);
    const xi = new Float64Array(dim);
    for (let r = 0; r < B; r++) {
      const item = pick[r % probe.m];
      const x = xs[item][rng.int(xs[item].length)];
      for (let i = 0; i < dim; i++) xi[i] += (x[i] - mean[i]) / B;
    }
    return { ...lanczosRule(Hperp, xi, k), weight: dot(xi, xi) };
  });
  const biasRule = augmented || bias2 === 0 ? null : lanczosRule(Hperp, mean, k);
  return { trace, traceSe, bias2, bias2Se, noiseRules, biasRule };
}

/**
 * The E⊥ recursion with one noise estimate: c = 1 − ηγ, h = η/s, so a_λ = c − hλ, for λ ≥ λ_min = −μ: Theorem 3's
 * hypothesis bounds the E⊥ curvature below by −μ in the region, while a subsample Hessian's Ritz values spread
 * beyond the full Hessian's spectrum (a few items, thousands of directions), so nodes below −μ are taken at −μ.
 */
export interface ArModel {
  c: number;
  h: number;
  lambdaMin: number;
  noise: NoiseEstimate;
}

/** Σ_r weight_r Σ_i w_i f(λ_i) / Σ_r weight_r, and the relative standard error over the samples r. */
function applyRules(rules: NoiseEstimate['noiseRules'], f: (lambda: number) => number, lambdaMin: number): { value: number; rel: number } {
  const tot = rules.reduce((s, r) => s + r.weight, 0);
  const per = rules.map((r) => r.nodes.reduce((s, l, i) => s + r.weights[i] * f(Math.max(l, lambdaMin)), 0));
  const value = rules.reduce((s, r, j) => s + r.weight * per[j], 0) / tot;
  if (rules.length < 2 || value === 0) return { value, rel: 0 };
  // the ratio estimator's spread: weighted variance of the per-sample values over the effective sample size
  const v = rules.reduce((s, r, j) => s + r.weight * (per[j] - value) ** 2, 0) / tot;
  const neff = tot ** 2 / rules.reduce((s, r) => s + r.weight ** 2, 0);
  return { value, rel: Math.sqrt(v / Math.max(1, neff - 1)) / value };
}

/** Whether every AR factor a_λ the noise and the bias see contracts (|a_λ| < 1). */
export function contracts(m: ArModel): boolean {
  const nodes = [...m.noise.noiseRules.flatMap((r) => r.nodes), ...(m.noise.biasRule?.nodes ?? [])].map((l) => Math.max(l, m.lambdaMin));
  return nodes.every((l) => Math.abs(m.c - m.h * l) < 1) && (nodes.length > 0 || Math.abs(m.c) < 1);
}

/** The mean AR factor² the noise sees (the correlation of ‖e‖² between snapshots Δ steps apart is about a²^Δ). */
export function meanA2(m: ArModel): number {
  return m.noise.noiseRules.length ? applyRules(m.noise.noiseRules, (l) => (m.c - m.h * l) ** 2, m.lambdaMin).value : m.c * m.c;
}

/** E‖e_n‖² after n steps from ‖e_0‖² (n = ∞: the stationary floor), and its standard error from the estimate's. */
export function predictedSquare(m: ArModel, n: number, e0sq: number): { value: number; se: number } {
  const { c, h, noise, lambdaMin } = m;
  const inf = n === Number.POSITIVE_INFINITY;
  const a = (l: number) => c - h * Math.max(l, lambdaMin);
  const fn = noise.noiseRules.length ? applyRules(noise.noiseRules, (l) => (inf ? 1 / (1 - a(l) ** 2) : geo(a(l) ** 2, n)), lambdaMin) : { value: inf ? 1 / (1 - c * c) : geo(c * c, n), rel: 0 };
  const rule = noise.biasRule;
  const fb = rule ? rule.nodes.reduce((s, l, i) => s + rule.weights[i] * (inf ? 1 / (1 - a(l)) ** 2 : geo(a(l), n) ** 2), 0) : 0;
  const carry = inf ? 0 : (noise.noiseRules.length ? applyRules(noise.noiseRules, (l) => a(l) ** (2 * n), lambdaMin).value : c ** (2 * n)) * e0sq;
  const h2 = h * h;
  return {
    value: carry + h2 * (noise.trace * fn.value + noise.bias2 * fb),
    se: h2 * Math.hypot(noise.traceSe * fn.value, noise.trace * fn.value * fn.rel, noise.bias2Se * fb),
  };
}

/** The noise-level comparison of a set of snapshots with the E⊥ recursion's prediction. */
export interface LevelCheck {
  /** √(mean ‖e_k‖²) over the snapshots compared */
  observed: number;
  /** √(mean predicted E‖e_k‖²) */
  predicted: number;
  /** the band on observed/predicted (in ‖e‖): [1/√(1 + w), √(1 + w)] */
  band: [number, number];
  /** |ln(observed²/predicted²)| / ln(1 + w): ≤ 1 holds */
  ratio: number;
  /** how many snapshots, from which time */
  count: number;
  from: number;
  detail: string;
}

/**
 * Compares mean ‖e_k‖² over the snapshots `ks` with the mean prediction. The band's half-width w (on the ratio of
 * mean squares) is z·√(rel.se² of the prediction + rel.se² of the observation), z = tailZ(2). The
 * observation's error: the sample variance of ‖e_k‖² with the AR(1) correlations a^{2|k_i − k_j|} between snapshots.
 */
export function compareLevel(sq: number[], steps: number[], ks: number[], models: ArModel[], modelOf: (k: number) => number, predict: (k: number) => { value: number; se: number }): LevelCheck {
  const K = ks.length;
  const O = ks.reduce((s, k) => s + sq[k], 0) / K;
  const preds = ks.map(predict);
  const Pv = preds.reduce((s, p) => s + p.value, 0) / K;
  // the per-point standard errors, averaged over the points the snapshots use (independent estimates)
  const used = [...new Set(ks.map(modelOf))];
  const relP = Math.sqrt(used.reduce((s, j) => s + (predict(ks.find((k) => modelOf(k) === j) as number).se / Pv) ** 2, 0)) / used.length;
  const a2 = models.reduce((s, m) => s + meanA2(m), 0) / models.length;
  let corr = 0;
  for (const i of ks) for (const j of ks) corr += a2 ** Math.abs(steps[i] - steps[j]);
  const s2 = K > 1 ? ks.reduce((s, k) => s + (sq[k] - O) ** 2, 0) / (K - 1) : 2 * O * O; // one snapshot: a single direction's χ²₁ variance, the worst case
  const relO = Math.sqrt((s2 * corr) / (K * K)) / O;
  const w = tailZ(2) * Math.hypot(relP, relO);
  const r = O / Pv;
  return {
    observed: Math.sqrt(O), predicted: Math.sqrt(Pv), band: [1 / Math.sqrt(1 + w), Math.sqrt(1 + w)], ratio: Math.abs(Math.log(r)) / Math.log(1 + w), count: K, from: ks[0],
    detail: `rms ‖Π_{E⊥}A‖ over ${K} snapshots ${Math.sqrt(O).toExponential(3)} vs predicted ${Math.sqrt(Pv).toExponential(3)} (ratio ${Math.sqrt(r).toFixed(3)}, band ×/÷ ${Math.sqrt(1 + w).toFixed(3)}: prediction ±${(100 * relP).toFixed(1)}%, observation ±${(100 * relO).toFixed(1)}%, z = ${tailZ(2).toFixed(2)})`,
  };
}

/** The observed decay rate in flow time on the snapshots above `above` (least squares on log‖e‖), or null. */
export function decayRate(t: number[], e: number[], above: number): number | null {
  const idx = e.map((x, k) => k).filter((k) => e[k] > above);
  // only the leading run of snapshots above the level: the decay phase
  let n = 0;
  while (n < idx.length && idx[n] === n) n++;
  if (n < 2) return null;
  return fitDecayRate(t.slice(0, n), e.slice(0, n)).rate;
}

/** Evenly spread indices of `ks` (at most n, last kept). */
export function spreadIdx(ks: number[], n: number): number[] {
  if (ks.length <= n) return ks.slice();
  return Array.from({ length: n }, (_, i) => ks[Math.round(((i + 1) * (ks.length - 1)) / n)]);
}

/** What check-trace adds to its report for an SGD run. */
export interface SgdSummary {
  optimizer: SgdOptimizer;
  /** γ_flow = sγ, the regularized flow's γ (docs/theory.md §10) */
  gammaFlow: number;
  /** the noise estimate at the last snapshot (tr Σ_⊥ before the 1/s, ‖b‖², q) */
  noise: NoiseEstimate | null;
  /** the noise-floor comparison (null when it does not apply) */
  floor: (Omit<LevelCheck, 'from' | 'detail'> & { from: number; reached: number | null; predictedReach: number | null }) | null;
  /** the observed decay rate in flow time (least squares over the decay phase) and Theorem 3's γ_flow − μ */
  decay: { observed: number | null; bound: number } | null;
  /** per snapshot: Theorem 3's envelope ‖e_0‖e^{−(γ_flow−μ)(t−t_0)} (null when Theorem 3 is not checked) */
  envelope: number[] | null;
  /** per snapshot: the predicted rms ‖Π_{E⊥}A‖ of the floor comparison (null outside it) */
  predicted: Array<number | null>;
}

/** The inputs of the SGD checks: the run as check-trace read it, and what it estimated or was told. */
export interface SgdInput {
  P: Projectors;
  probe: DataProbe;
  opt: SgdOptimizer;
  /** γ of the training loss (the regularizer γ/2‖Π_{E⊥}A‖² beside the loss scaled by 1/s) */
  gamma: number;
  dynamics: string;
  steps: number[];
  t: number[];
  A: Float64Array[];
  errors: number[];
  tol: number;
  hypotheses: string | null;
  /** Theorem 3's μ (given or estimated on demand) */
  mu: () => { value: number; se: number };
  /** how many snapshots to estimate the noise at (default 2) */
  points?: number;
  noise?: NoiseOptions;
  /** called after each noise estimate (done so far, at most how many) */
  onProgress?: (done: number, total: number, what: string) => void;
}

const notApplicable = (check: TraceRow['check'], source: string, detail: string): TraceRow =>
  ({ check, source, verdict: 'not applicable', measured: Number.NaN, bound: Number.NaN, ratio: Number.NaN, detail });

/** Theorem 1, Theorem 3 in expectation, and the noise floor (augmented) or R1's floor plus noise (nominal) for an SGD run. */
export function checkSgd(inp: SgdInput): { rows: TraceRow[]; summary: SgdSummary } {
  const { P, probe, opt, gamma, steps, t, A, errors, tol, hypotheses } = inp;
  const eta = opt.lr, s = opt.lossScale;
  const c = 1 - eta * gamma, h2 = (eta / s) ** 2, gf = s * gamma;
  const K = A.length, last = K - 1;
  const augmented = opt.augmentation !== 'none';
  const models = new Map<number, ArModel>();
  const at = (k: number): ArModel => {
    let m = models.get(k);
    if (!m) {
      const mu = inp.mu();
      m = { c, h: eta / s, lambdaMin: -(mu.value + tailZ(1) * mu.se), noise: estimateNoise(probe, P, A[k], opt, inp.noise) };
      models.set(k, m);
      inp.onProgress?.(models.size, 1 + (inp.points ?? 2), 'Σ_⊥');
    }
    return m;
  };
  const nearest = (pts: number[]) => (k: number): number => pts.reduce((b, p) => (Math.abs(steps[p] - steps[k]) < Math.abs(steps[b] - steps[k]) ? p : b), pts[0]);
  const e0sq = errors[0] ** 2;
  const levelPoints = (ks: number[]): number[] => [...new Set([...spreadIdx(ks, inp.points ?? 2), last])];
  const level = (ks: number[]): LevelCheck => {
    const pts = levelPoints(ks);
    const modelOf = nearest(pts);
    return compareLevel(errors.map((e) => e * e), steps, ks, pts.map(at), modelOf, (k) => predictedSquare(at(modelOf(k)), steps[k] - steps[0], e0sq));
  };
  const levelRow = (check: TraceRow['check'], source: string, lc: LevelCheck, what: string): TraceRow => ({
    check, source, verdict: lc.ratio <= 1 ? 'holds' : 'violated', measured: lc.observed, bound: lc.predicted, ratio: lc.ratio, detail: `${what}: ${lc.detail}`,
  });
  const rows: TraceRow[] = [];
  const summary: SgdSummary = { optimizer: opt, gammaFlow: gf, noise: null, floor: null, decay: null, envelope: null, predicted: errors.map(() => null) };
  const keep = (lc: LevelCheck, ks: number[]): void => {
    ks.forEach((k) => { summary.predicted[k] = Math.sqrt(predictedSquare(at(nearest([...models.keys()])(k)), steps[k] - steps[0], e0sq).value); });
    const reachedK = errors.findIndex((e) => e <= lc.predicted * lc.band[1]);
    summary.floor = { observed: lc.observed, predicted: lc.predicted, band: lc.band, ratio: lc.ratio, count: lc.count, from: t[lc.from], reached: reachedK >= 0 ? t[reachedK] : null, predictedReach: null };
  };

  // Theorem 1 (discrete form): exactly augmented SGD from E stays in E to round-off; sampled leaves it through the noise only
  const t1 = 'Theorem 1(i), §10';
  if (!augmented || !['augmented', 'reg-augmented'].includes(inp.dynamics)) rows.push(notApplicable('theorem-1', t1, `the run is not augmented (augmentation ${opt.augmentation}, dynamics ${inp.dynamics})`));
  else if (hypotheses) rows.push(notApplicable('theorem-1', t1, `outside the hypotheses: ${hypotheses}`));
  else if (errors[0] > tol) rows.push(notApplicable('theorem-1', t1, `the run did not start in E: ‖Π_{E⊥}A(${t[0]})‖ = ${errors[0].toExponential(2)} > tolerance ${tol.toExponential(2)}`));
  else if (opt.augmentation === 'exact') {
    const k = errors.reduce((m, e, i) => (e > errors[m] ? i : m), 0);
    rows.push({ check: 'theorem-1', source: t1, verdict: errors[k] <= tol ? 'holds' : 'violated', measured: errors[k], bound: tol, ratio: errors[k] / tol, detail: `exactly augmented SGD from E: largest ‖Π_{E⊥}A‖ = ${errors[k].toExponential(2)} at t = ${t[k]} vs tolerance ${tol.toExponential(2)}` });
  } else if (K < 2) rows.push(notApplicable('theorem-1', t1, 'one snapshot only'));
  else {
    const ks = Array.from({ length: K - 1 }, (_, i) => i + 1);
    const lc = level(ks);
    keep(lc, ks);
    rows.push(levelRow('theorem-1', t1, lc, 'sampled augmentation from E leaves E through the minibatch noise only'));
  }

  // Theorem 3 in expectation (Lemma 2(e): the mean sampled step is the exact step), noise band from Σ_⊥
  const t3 = 'Theorem 3, §10';
  let rate: number | null = null;
  if (!augmented || inp.dynamics !== 'reg-augmented' || !(gamma > 0)) rows.push(notApplicable('theorem-3', t3, `needs augmented SGD with γ > 0 (got augmentation ${opt.augmentation}, dynamics ${inp.dynamics}, γ = ${gamma})`));
  else if (hypotheses) rows.push(notApplicable('theorem-3', t3, `outside the hypotheses: ${hypotheses}`));
  else {
    const mu = inp.mu();
    // μ estimated on a subsample: its upper confidence bound, so the envelope errs towards holding
    const muUp = mu.value + tailZ(1) * mu.se;
    rate = gf - muUp;
    const m = at(last);
    const T = Math.max(...[...models.values(), m].map((x) => x.noise.trace + tailZ(1) * x.noise.traceSe));
    const sigma = (n: number) => Math.sqrt(h2 * T * geo(c * c, n));
    const u = tailZ(2 * K);
    const env = t.map((tk) => errors[0] * Math.exp(-rate! * (tk - t[0])));
    let worst = 0, worstK = 1;
    for (let k = 1; k < K; k++) {
      const fromStart = errors[k] / (env[k] + (1 + u) * sigma(steps[k] - steps[0]) + tol);
      const fromPrev = errors[k] / (errors[k - 1] * Math.exp(-rate * (t[k] - t[k - 1])) + (1 + u) * sigma(steps[k] - steps[k - 1]) + tol);
      const r = Math.max(fromStart, fromPrev);
      if (r > worst) { worst = r; worstK = k; }
    }
    const floorRms = Math.sqrt(predictedSquare(m, Number.POSITIVE_INFINITY, 0).value);
    const observed = decayRate(t, errors, 3 * floorRms);
    summary.envelope = env;
    summary.decay = { observed, bound: rate };
    rows.push({
      check: 'theorem-3', source: t3, verdict: worst <= 1 ? 'holds' : 'violated', measured: observed ?? Number.NaN, bound: rate, ratio: worst,
      detail: `observed decay rate ${observed === null ? '— (no decay phase above 3× the floor)' : observed.toFixed(4)} vs γ_flow − μ = ${rate.toFixed(4)} (γ_flow = sγ = ${gf}, μ = ${mu.value.toExponential(3)} ± ${mu.se.toExponential(1)}); ` +
        `each ‖Π_{E⊥}A(t_k)‖ within the envelope plus (1 + ${u.toFixed(2)})·σ_noise (tr Σ_⊥ ≤ ${T.toExponential(3)}); worst at t = ${t[worstK]}: ${errors[worstK].toExponential(3)}`,
    });
    // the rate itself, two-sided and free of μ: γ_flow + q̄ with q measured along the run (Theorem 3's identity)
    rows.push(checkDecay({ P, probe, opt, gamma, steps, t, A, errors, floorRms, noise: (n) => predictedSquare(m, n, 0).value, z: tailZ }).row);
  }

  // the floor: the noise floor of augmented SGD (R4), or R1's bias β/γ plus the noise for nominal SGD
  const nominal = !augmented;
  const fCheck: TraceRow['check'] = nominal ? 'remark-r1' : 'sgd-floor';
  const fSource = nominal ? 'Remark R1, §10' : 'Remark R4, §10';
  if (!(gamma > 0) || (nominal ? inp.dynamics !== 'reg-nominal' : inp.dynamics !== 'reg-augmented')) rows.push(notApplicable(fCheck, fSource, `needs ${nominal ? 'reg-nominal' : 'reg-augmented'} SGD with γ > 0 (got ${inp.dynamics}, γ = ${gamma})`));
  else if (opt.augmentation === 'exact') rows.push(notApplicable(fCheck, fSource, 'exact augmentation has no E⊥ noise at E: no floor above round-off (Theorem 3 covers the decay)'));
  else if (hypotheses) rows.push(notApplicable(fCheck, fSource, `outside the hypotheses: ${hypotheses}`));
  else {
    const m = at(last);
    summary.noise = m.noise;
    if (!contracts(m)) rows.push(notApplicable(fCheck, fSource, `the E⊥ recursion does not contract: some |1 − ηγ − ηλ/s| ≥ 1 over the H_⊥ spectrum the noise sees (ηγ = ${(eta * gamma).toFixed(3)})`));
    else {
      const F = predictedSquare(m, Number.POSITIVE_INFINITY, 0).value;
      const sel = rate ?? gf;
      // the floor phase: where the mean part (at most the envelope) is below a tenth of the predicted floor
      const ks = steps.map((_, k) => k).filter((k) => k >= 1 && errors[0] * Math.exp(-sel * (t[k] - t[0])) <= 0.1 * Math.sqrt(F));
      const reach = errors[0] > Math.sqrt(F) && sel > 0 ? t[0] + Math.log(errors[0] / (0.1 * Math.sqrt(F))) / sel : t[0];
      if (!(sel > 0)) rows.push(notApplicable(fCheck, fSource, `γ_flow − μ = ${sel.toPrecision(4)} ≤ 0: no guaranteed decay marks where the floor phase begins (give μ with --mu, or estimate it on more items)`));
      else if (ks.length === 0) rows.push(notApplicable(fCheck, fSource, `not at the floor yet: predicted rms floor ${Math.sqrt(F).toExponential(3)}, reached by t ≈ ${reach.toPrecision(4)} > t_end = ${t[last]}`));
      else {
        if (!levelPoints(ks).every((k) => contracts(at(k)))) {
          rows.push(notApplicable(fCheck, fSource, `the E⊥ recursion does not contract at every point: some |1 − ηγ − ηλ/s| ≥ 1 over the H_⊥ spectrum the noise sees, λ ≥ −μ (ηγ = ${(eta * gamma).toFixed(3)})`));
          summary.noise ??= m.noise;
          return { rows, summary };
        }
        const lc = level(ks);
        keep(lc, ks);
        if (summary.floor) summary.floor.predictedReach = reach;
        const what = nominal ? `R1's bias ‖b‖/γ_flow = ${(Math.sqrt(m.noise.bias2) / gf).toExponential(3)} plus the noise` : `the noise floor (η/s)² Σ_λ σ_λ²/(1 − a_λ²), tr Σ_⊥ = ${m.noise.trace.toExponential(3)} ± ${m.noise.traceSe.toExponential(1)}, mean a² = ${meanA2(m).toFixed(5)} (1 − ηγ = ${c.toFixed(5)})`;
        rows.push(levelRow(fCheck, fSource, lc, `${what}; from t = ${+t[lc.from].toPrecision(6)}`));
      }
    }
  }
  summary.noise ??= models.get(last)?.noise ?? null;
  return { rows, summary };
}
