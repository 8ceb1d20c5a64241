import { EqflowError, requireInteger } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { CompactGroup, HaarRule } from '../groups/compact.js';
import { Loss, Model } from '../models/model.js';
import { GroupAction } from '../reps/action.js';
import { Dataset } from './dataset.js';

/** A risk whose data are transformed by a compact group: the model, data, loss and the actions ρ_0 on inputs, ρ_Y on targets. */
export interface GroupRisk<E> {
  readonly model: Model;
  readonly data: Dataset;
  readonly loss: Loss;
  readonly input: GroupAction<E>;
  readonly output: GroupAction<E>;
}

/** One transformed batch's buffers, reused across elements. */
function buffers(d: Dataset): { x: Float64Array; y: Float64Array } {
  return { x: new Float64Array(d.x.length), y: new Float64Array(d.y.length) };
}

/**
 * Σ_j weight_j · (1/n) Σ_s ℓ(Φ_A(ρ_0(g_j)x_s), ρ_Y(g_j)y_s), adding its gradient to `grad` when given: the
 * augmented risk R^aug (docs/theory.md §3) under the weights of a Haar rule, or a sampled average (uniform weights).
 */
export function transformedRisk<E>(r: GroupRisk<E>, A: Float64Array, elements: readonly E[], weights: ArrayLike<number>, grad: Float64Array | null): number {
  const d = r.data;
  const b = buffers(d);
  let value = 0;
  elements.forEach((g, j) => {
    for (let s = 0; s < d.count; s++) {
      r.input.apply(g, d.x, b.x, s * d.inputDim, s * d.inputDim);
      r.output.apply(g, d.y, b.y, s * d.outputDim, s * d.outputDim);
    }
    value += r.model.lossGradient(A, b.x, b.y, d.count, r.loss, weights[j] / d.count, grad);
  });
  return value;
}

/** The batch loss with sample s transformed by elements[s] (sampled augmentation), adding its gradient to `grad`. */
export function perSampleRisk<E>(r: GroupRisk<E>, A: Float64Array, elements: readonly E[], grad: Float64Array | null): number {
  const d = r.data;
  if (elements.length !== d.count) throw new EqflowError('dimension-mismatch', 'elements', `expected one element per sample (${d.count}), got ${elements.length}`);
  const b = buffers(d);
  for (let s = 0; s < d.count; s++) {
    r.input.apply(elements[s], d.x, b.x, s * d.inputDim, s * d.inputDim);
    r.output.apply(elements[s], d.y, b.y, s * d.outputDim, s * d.outputDim);
  }
  return r.model.lossGradient(A, b.x, b.y, d.count, r.loss, 1 / d.count, grad);
}

/** Degree of a pointwise activation as a polynomial (identity 1, square 2), or null when it is not a polynomial. */
export function activationDegree(name: string): number | null {
  return name === 'identity' ? 1 : name === 'square' ? 2 : null;
}

/**
 * The degree in θ of the augmented-risk integrand θ ↦ (1/n) Σ_s ℓ(Φ_A(ρ_0(r_θ)x_s), ρ_Y(r_θ)y_s) for a dense
 * network with polynomial activations and the squared loss, so that N = degree + 1 equispaced angles integrate it
 * exactly (docs/theory.md §8). Derivation: the entries of ρ_0(r_θ)x are trigonometric polynomials of degree K_0
 * (the highest frequency of ρ_0). A layer z ↦ σ(A z + b) with σ of degree p_i maps degree-D entries to degree
 * p_i·D (affine maps keep the degree, z ↦ z² doubles it, products of trigonometric polynomials add degrees), so
 * Φ has degree P·K_0 with P = Π_i p_i. The target ρ_Y(r_θ)y has degree K_Y; the squared loss ½‖Φ − y'‖² is a
 * sum of products of two such entries: degree 2·max(P·K_0, K_Y). Reflections (O(2)) act by constant matrices on
 * each coset and do not change the degree. Returns null when some σ is not a polynomial (use adaptiveHaarRisk).
 */
export function augmentedRiskDegree(activations: readonly string[], inputDegree: number, outputDegree: number, loss: string): number | null {
  if (loss !== 'squared') return null;
  let P = 1;
  for (const a of activations) {
    const p = activationDegree(a);
    if (p === null) return null;
    P *= p;
  }
  return 2 * Math.max(P * inputDegree, outputDegree);
}

/** R^aug and its gradient exactly, from the Haar rule of the integrand's degree (N = degree + 1 angles for SO(2)). */
export function exactAugmentedRisk<E>(r: GroupRisk<E>, degree: number, A: Float64Array, grad: Float64Array | null): number {
  requireInteger(degree, 'degree', 0);
  const rule = r.input.group.haarRule(degree);
  if (!rule) throw new EqflowError('unsupported', 'group', `${r.input.group.name} has no exact Haar rule: use sampled averages`);
  return transformedRisk(r, A, rule.elements, rule.weights, grad);
}

/** The result of a quadrature with an a-posteriori error estimate. */
export interface QuadratureResult {
  readonly value: number;
  readonly gradient: Float64Array;
  /** the number of rule elements of the returned value */
  readonly points: number;
  /** |I_{2N} − I_N| for the value and ‖∇I_{2N} − ∇I_N‖ for the gradient, of the last doubling */
  readonly valueError: number;
  readonly gradientError: number;
}

/** Options of adaptiveHaarRisk: the first rule's degree, the absolute tolerance on the value and the largest degree tried. */
export interface AdaptiveOptions {
  startDegree?: number;
  tol: number;
  maxDegree?: number;
}

/**
 * R^aug for any activation by Haar rules of doubling size, N → 2N, until |I_{2N} − I_N| ≤ tol; returns I_{2N} and
 * the last difference as its error estimate. For an analytic integrand the equispaced rule converges geometrically
 * (|I − I_N| ≤ C ρ^{−N}), so |I_{2N} − I_N| bounds |I − I_N| up to a factor 1 + ρ^{−N}, and bounds the error of
 * I_{2N} (which is far smaller). Before that asymptotic regime one difference can be small by a cancellation of
 * the aliased coefficients: the claim `haar-quadrature` (src/claims/haarQuadrature.ts) sums the last two
 * differences and measures how often one alone under-estimates. Refuses when maxDegree is reached.
 */
export function adaptiveHaarRisk<E>(r: GroupRisk<E>, A: Float64Array, opts: AdaptiveOptions): QuadratureResult {
  const G: CompactGroup<E> = r.input.group;
  let deg = opts.startDegree ?? 7;
  const maxDeg = opts.maxDegree ?? 4095;
  const evalAt = (degree: number): { value: number; gradient: Float64Array; points: number } => {
    const rule = G.haarRule(degree) as HaarRule<E> | null;
    if (!rule) throw new EqflowError('unsupported', 'group', `${G.name} has no Haar rule: use sampled averages`);
    const gradient = new Float64Array(A.length);
    return { value: transformedRisk(r, A, rule.elements, rule.weights, gradient), gradient, points: rule.elements.length };
  };
  let prev = evalAt(deg);
  for (;;) {
    const nextDeg = 2 * (deg + 1) - 1; // N → 2N points
    if (nextDeg > maxDeg) throw new EqflowError('not-converged', 'quadrature', `|I_2N − I_N| stayed above ${opts.tol} up to N = ${deg + 1}`);
    const next = evalAt(nextDeg);
    const valueError = Math.abs(next.value - prev.value);
    const diff = next.gradient.map((v, i) => v - prev.gradient[i]);
    if (valueError <= opts.tol) return { value: next.value, gradient: next.gradient, points: next.points, valueError, gradientError: norm(diff) };
    prev = next;
    deg = nextDeg;
  }
}

/**
 * A sampled Haar average's statistical tolerance: for i.i.d. X_j with mean μ and total variance τ² = E‖X − μ‖²,
 * E‖X̄_m − μ‖² = τ²/m, so by Markov's inequality P(‖X̄_m − μ‖ > √(τ²/(α m))) ≤ α, whatever the distribution
 * (Chebyshev for vectors). τ² is estimated from the samples themselves (unbiased, 1/(m − 1)).
 */
export function sampledTolerance(totalVariance: number, m: number, alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new EqflowError('invalid-argument', 'alpha', `expected a level in (0, 1), got ${alpha}`);
  requireInteger(m, 'm');
  return Math.sqrt(totalVariance / (alpha * m));
}

/**
 * A sharper tolerance when every sample is within B of the mean, ‖X_j − μ‖ ≤ B (e.g. X = ρ̄(g)x, where
 * ‖ρ̄(g)x − Π_G x‖ = √(‖x‖² − ‖Π_G x‖²) = τ for every g): ‖X̄_m − μ‖ changes by ≤ 2B/m with one sample, so by
 * McDiarmid's inequality and E‖X̄_m − μ‖ ≤ τ/√m, P(‖X̄_m − μ‖ > (τ + B√(2 ln(1/α)))/√m) ≤ α.
 */
export function boundedTolerance(tau: number, bound: number, m: number, alpha: number): number {
  if (!(alpha > 0 && alpha < 1)) throw new EqflowError('invalid-argument', 'alpha', `expected a level in (0, 1), got ${alpha}`);
  requireInteger(m, 'm');
  return (tau + bound * Math.sqrt(2 * Math.log(1 / alpha))) / Math.sqrt(m);
}

/** The mean of m sample vectors and their unbiased total variance τ̂² = (1/(m − 1)) Σ_j ‖X_j − X̄‖². */
export function sampleMean(samples: readonly Float64Array[]): { mean: Float64Array; totalVariance: number } {
  const m = samples.length;
  if (m < 2) throw new EqflowError('invalid-argument', 'samples', `need at least 2 samples for a variance, got ${m}`);
  const d = samples[0].length;
  const mean = new Float64Array(d);
  for (const x of samples) for (let i = 0; i < d; i++) mean[i] += x[i] / m;
  let v = 0;
  for (const x of samples) for (let i = 0; i < d; i++) v += (x[i] - mean[i]) ** 2;
  return { mean, totalVariance: v / (m - 1) };
}
