import { EqflowError, requireFinite, requireLength } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { EPS } from '../core/tolerance.js';

/**
 * Derivatives by finite differences, sharing no code with backpropagation: gradients of a scalar function with an
 * error bound, and Hessian-vector products and dense Hessians by differences of exact gradients.
 */

/** cbrt(eps): the step that balances O(h²) truncation against O(eps/h) round-off in a central difference. */
const CBRT_EPS = Math.cbrt(EPS);
/** eps^{1/5}: the same balance for the five-point third-derivative stencil (O(H²) vs O(eps/H³)). */
const FIFTH_ROOT_EPS = EPS ** 0.2;

export interface FiniteDifferenceOptions {
  /**
   * Absolute error of one evaluation of f. Default 256·eps·max|f| over the evaluated points: f computed to a
   * few hundred ulps. Pass a larger value when f cancels badly (terms much larger than f).
   */
  fError?: number;
}

export interface FiniteDifferenceResult {
  gradient: Float64Array;
  /** |gradient_j − ∂_j f(A)| ≤ bound_j (with the estimated |∂_j³ f|, see finiteDifferenceGradient) */
  bound: Float64Array;
  /** the steps h_j */
  steps: Float64Array;
}

/**
 * Central differences g_j = [f(A + h_j e_j) − f(A − h_j e_j)]/(2h_j), h_j = cbrt(eps)·max(1, |A_j|) (2h_j is
 * taken as the distance of the two rounded points, so the quotient divides by the step actually made).
 * Error bound per coordinate: |g_j − ∂_j f| ≤ h_j²/6 · M3_j (truncation, Taylor with the mean-value third
 * derivative) + fError/h_j (round-off: each evaluation off by ≤ fError). M3_j = 2|D³_j| + noise, with D³_j the
 * five-point estimate [f(A+2H) − 2f(A+H) + 2f(A−H) − f(A−2H)]/(2H³), H = eps^{1/5}·max(1, |A_j|), whose own
 * round-off 3·fError/H³ is the noise; the factor 2 covers the variation of ∂³_j f between the scales H and h_j.
 * An estimate, not a proof: f must be C³ near A (a kink within 2H, e.g. leaky-relu at 0, voids it).
 * Costs 6·dim + 1 evaluations of f.
 */
export function finiteDifferenceGradient(f: (A: Float64Array) => number, A: Float64Array, opts: FiniteDifferenceOptions = {}): FiniteDifferenceResult {
  requireFinite(A, 'A');
  const n = A.length;
  const x = Float64Array.from(A);
  const at = (j: number, xj: number) => {
    x[j] = xj;
    const v = f(x);
    x[j] = A[j];
    if (!Number.isFinite(v)) throw new EqflowError('not-finite', 'f', `f is ${v} at A with coordinate ${j} set to ${xj}`);
    return v;
  };
  let fMax = Math.abs(f(x));
  const diffs = new Float64Array(n);
  const thirds = new Float64Array(n);
  const steps = new Float64Array(n);
  const bigSteps = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const a = A[j];
    const h0 = CBRT_EPS * Math.max(1, Math.abs(a));
    const H = FIFTH_ROOT_EPS * Math.max(1, Math.abs(a));
    const xp = a + h0, xm = a - h0;
    const fp = at(j, xp), fm = at(j, xm);
    const f1 = at(j, a + H), f2 = at(j, a + 2 * H), g1 = at(j, a - H), g2 = at(j, a - 2 * H);
    fMax = Math.max(fMax, Math.abs(fp), Math.abs(fm), Math.abs(f1), Math.abs(f2), Math.abs(g1), Math.abs(g2));
    steps[j] = 0.5 * (xp - xm);
    bigSteps[j] = H;
    diffs[j] = (fp - fm) / (xp - xm);
    thirds[j] = (f2 - 2 * f1 + 2 * g1 - g2) / (2 * H * H * H);
  }
  const fError = opts.fError ?? 256 * EPS * fMax;
  if (!(fError >= 0)) throw new EqflowError('invalid-argument', 'fError', `expected an absolute error ≥ 0, got ${fError}`);
  const bound = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const h = steps[j], H = bigSteps[j];
    const m3 = 2 * Math.abs(thirds[j]) + (3 * fError) / (H * H * H);
    bound[j] = ((h * h) / 6) * m3 + fError / h;
  }
  return { gradient: diffs, bound, steps };
}

/**
 * Hessian-vector product ∇²f(A)v ≈ [∇f(A + t v) − ∇f(A − t v)]/(2t) from exact gradients, with
 * ‖t v‖ = cbrt(eps)·max(1, ‖A‖). Error bound per coordinate j: (t²/6)·|∂³_t ∂_j f(A + t v)| (truncation) +
 * ε_g/t (round-off, ε_g = absolute error of one gradient coordinate) + ‖∇²f‖·eps·‖A‖_∞/t (A ± t v is
 * rounded per coordinate, so the step actually made differs from ±t v). With ‖v‖ = 1 and ‖A‖ ≤ 1 this is
 * ≈ 6e-12·M3 + 1.7e5·ε_g + 4e-11·‖∇²f‖: about 4e-11 relative when the gradient is accurate to an ulp.
 */
export function hessianVectorProduct(grad: (A: Float64Array, out: Float64Array) => void, A: Float64Array, v: Float64Array, out: Float64Array = new Float64Array(A.length)): Float64Array {
  requireLength(v, A.length, 'v');
  const nv = norm(v);
  if (nv === 0) return out.fill(0);
  const t = (CBRT_EPS * Math.max(1, norm(A))) / nv;
  const x = new Float64Array(A.length);
  const gp = new Float64Array(A.length);
  for (let i = 0; i < A.length; i++) x[i] = A[i] + t * v[i];
  grad(x, gp);
  for (let i = 0; i < A.length; i++) x[i] = A[i] - t * v[i];
  grad(x, out);
  for (let i = 0; i < A.length; i++) out[i] = (gp[i] - out[i]) / (2 * t);
  return out;
}

/**
 * The dense Hessian ∇²f(A) (row-major dim×dim) by central differences of exact gradients, column j with the
 * step h_j = cbrt(eps)·max(1, |A_j|) (error as in hessianVectorProduct), then symmetrized (H + Hᵀ)/2, which
 * only averages the two estimates of each mixed partial. 2·dim gradient calls; refused above maxDim.
 */
export function denseHessian(grad: (A: Float64Array, out: Float64Array) => void, A: Float64Array, maxDim = 400): Float64Array {
  const n = A.length;
  if (n > maxDim) throw new EqflowError('invalid-argument', 'A', `a dense Hessian of dimension ${n} exceeds maxDim ${maxDim}`);
  const H = new Float64Array(n * n);
  const x = Float64Array.from(A);
  const gp = new Float64Array(n);
  const gm = new Float64Array(n);
  for (let j = 0; j < n; j++) {
    const h = CBRT_EPS * Math.max(1, Math.abs(A[j]));
    const xp = A[j] + h, xm = A[j] - h;
    x[j] = xp;
    grad(x, gp);
    x[j] = xm;
    grad(x, gm);
    x[j] = A[j];
    for (let i = 0; i < n; i++) H[i * n + j] = (gp[i] - gm[i]) / (xp - xm);
  }
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const s = 0.5 * (H[i * n + j] + H[j * n + i]);
      H[i * n + j] = s;
      H[j * n + i] = s;
    }
  }
  return H;
}
