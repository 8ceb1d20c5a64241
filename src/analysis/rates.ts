import { EqflowError } from '../core/errors.js';
import { Objective } from '../risk/objective.js';
import { Projectors } from '../space/projectors.js';
import { Hvp, finiteDifferenceHvp } from './hessian.js';

/** Least-squares slope and intercept of log y against t: y ≈ e^{b − rate·t}. Points with y ≤ 0 are refused. */
export function fitDecayRate(t: ArrayLike<number>, y: ArrayLike<number>): { rate: number; intercept: number; residual: number } {
  const n = t.length;
  if (n < 2 || y.length !== n) throw new EqflowError('invalid-argument', 'points', `need ≥ 2 matching (t, y) points, got ${n} and ${y.length}`);
  let st = 0, sy = 0, stt = 0, sty = 0;
  for (let i = 0; i < n; i++) {
    if (!(y[i] > 0)) throw new EqflowError('invalid-argument', `y[${i}]`, `a decay fit needs positive values, got ${y[i]}`);
    const ly = Math.log(y[i]);
    st += t[i]; sy += ly; stt += t[i] * t[i]; sty += t[i] * ly;
  }
  const den = n * stt - st * st;
  if (den === 0) throw new EqflowError('invalid-argument', 't', 'all times are equal');
  const slope = (n * sty - st * sy) / den;
  const intercept = (sy - slope * st) / n;
  let r = 0;
  for (let i = 0; i < n; i++) r = Math.max(r, Math.abs(Math.log(y[i]) - (intercept + slope * t[i])));
  return { rate: -slope, intercept, residual: r };
}

/**
 * q(A) = ⟨A_⊥, ∇R^aug(A) − ∇R^aug(Π_E A)⟩ / ‖A_⊥‖² with A_⊥ = Π_{E⊥}A (Theorem 3): along the regularized
 * augmented flow, d/dt log‖A_⊥‖ = −(γ + q). Returns NaN-free 0 when A ∈ E.
 */
export function curvatureQuotient(Raug: Objective, P: Projectors, A: Float64Array): number {
  const n = Raug.dim;
  const aPerp = P.piEperp(A);
  let nn = 0;
  for (let i = 0; i < n; i++) nn += aPerp[i] * aPerp[i];
  if (nn === 0) return 0;
  const g1 = new Float64Array(n), g2 = new Float64Array(n);
  Raug.gradient(A, g1);
  Raug.gradient(P.piE(A), g2);
  let s = 0;
  for (let i = 0; i < n; i++) s += aPerp[i] * (g1[i] - g2[i]);
  return s / nn;
}

/**
 * μ over the region swept by the segments [Π_E A_k, A_k] of the given trajectory points: the largest negative
 * curvature ⟨d, ∇²R^aug d⟩/‖d‖² in the direction d = Π_{E⊥}A_k at `samples` evenly spaced points of each segment,
 * floored at 0 (docs/theory.md §5, Theorem 3). An estimate of the theorem's μ from curvature, independent of q(t).
 */
export function curvatureBound(Raug: Objective, P: Projectors, points: Float64Array[], samples = 5, hvpAt: (A: Float64Array) => Hvp = (A) => finiteDifferenceHvp(Raug, A)): number {
  let mu = 0;
  const n = Raug.dim;
  const hv = new Float64Array(n), B = new Float64Array(n);
  for (const A of points) {
    const d = P.piEperp(A);
    let dd = 0;
    for (let i = 0; i < n; i++) dd += d[i] * d[i];
    if (dd === 0) continue;
    const base = P.piE(A);
    for (let k = 0; k < samples; k++) {
      const s = samples === 1 ? 1 : k / (samples - 1);
      for (let i = 0; i < n; i++) B[i] = base[i] + s * d[i];
      hvpAt(B)(d, hv);
      let c = 0;
      for (let i = 0; i < n; i++) c += d[i] * hv[i];
      mu = Math.max(mu, -c / dd);
    }
  }
  return mu;
}
