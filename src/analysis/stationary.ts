import { EqflowError } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { Objective } from '../risk/objective.js';
import { Projectors } from '../space/projectors.js';
import { symmetricEigen } from './eigen.js';
import { compress, finiteDifferenceHvp, splitBases } from './hessian.js';

/** A stationary point of equivariant training on E, with the residual ‖Π_E∇R‖ reached and the Newton iterations it took. */
export interface StationaryResult {
  A: Float64Array;
  /** ‖Π_E∇R(A)‖ at the returned point */
  gradientNorm: number;
  iterations: number;
}

/**
 * A stationary point of R on E: Π_E∇R(A) = 0 with A ∈ E_0 (Theorem 1(ii)), to ‖Π_E∇R(A)‖ ≤ tol.
 * Saddle-free Newton in an orthonormal basis of E_0 (step −V|Λ|^{-1}Vᵀg, |λ| floored at 1e-8·max|λ|, Armijo
 * backtracking on R) heads for local minima; once the gradient is within 1e-6 of its starting size the pure
 * Newton step (signed Λ) finishes quadratically, where R's own round-off no longer lets a line search decide.
 * Dense Hessians come from exact-gradient differences, so dim E_0 must be small (≲ 200). With `bestEffort` the
 * last point is returned instead of throwing (R may have no stationary point: tanh networks saturate at infinity).
 */
export function stationaryOnE(R: Objective, P: Projectors, start: Float64Array, tol = 1e-10, maxIter = 200, bestEffort = false): StationaryResult {
  const n = R.dim;
  const { E } = splitBases(P);
  const A = P.piE(start);
  const g = new Float64Array(n);
  const trial = new Float64Array(n);
  const coords = (v: Float64Array) => E.map((e) => e.reduce((s, x, i) => s + x * v[i], 0));
  let f = R.gradient(A, g);
  let gc = coords(g);
  const g0 = Math.max(norm(Float64Array.from(gc)), Number.MIN_VALUE);
  let it = 0;
  for (; it < maxIter; it++) {
    const gn = norm(Float64Array.from(gc));
    if (gn <= tol) break;
    const H = compress(finiteDifferenceHvp(R, A), E);
    const { values, vectors } = symmetricEigen(H.map((r, i) => r.map((v, j) => 0.5 * (v + H[j][i]))));
    const lmax = Math.max(...values.map(Math.abs), Number.MIN_VALUE);
    const polish = gn <= 1e-6 * g0;
    const d = new Float64Array(E.length);
    values.forEach((lam, k) => {
      const a = Math.abs(lam);
      if (polish && a <= 1e-12 * lmax) return; // pseudo-inverse: leave flat directions alone
      const c = vectors[k].reduce((s, v, i) => s + v * gc[i], 0) / (polish ? lam : Math.max(a, 1e-8 * lmax));
      for (let i = 0; i < E.length; i++) d[i] -= c * vectors[k][i];
    });
    const slope = d.reduce((s, v, i) => s + v * gc[i], 0);
    let t = 1;
    for (;;) {
      trial.set(A);
      E.forEach((e, j) => {
        for (let i = 0; i < n; i++) trial[i] += t * d[j] * e[i];
      });
      if (polish) break;
      const ft = R.value(trial);
      if (ft <= f + 1e-4 * t * slope || t < 1e-10) break;
      t *= 0.5;
    }
    A.set(trial);
    f = R.gradient(A, g);
    gc = coords(g);
  }
  R.gradient(A, g);
  const gradientNorm = norm(P.piE(g));
  if (!(gradientNorm <= tol) && !bestEffort) throw new EqflowError('not-converged', 'stationary', `‖Π_E∇R‖ = ${gradientNorm.toExponential(3)} > ${tol.toExponential(3)} after ${it} iterations`);
  return { A, gradientNorm, iterations: it };
}
