import { EqflowError } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { Objective } from '../risk/objective.js';
import { Projectors } from '../space/projectors.js';
import { symmetricEigen } from './eigen.js';
import { compress, finiteDifferenceHvp, splitBases } from './hessian.js';

export interface StationaryResult {
  A: Float64Array;
  /** ‖Π_E∇R(A)‖ at the returned point */
  gradientNorm: number;
  iterations: number;
}

/**
 * A stationary point of R on E: Π_E∇R(A) = 0 with A ∈ E_0 (Theorem 1(ii)). Gradient descent on E with backtracking
 * brings A near a minimum, then Newton steps in an orthonormal basis of E_0 (dense Hessian from exact-gradient
 * differences) polish to ‖Π_E∇R‖ ≤ tol. Throws 'not-converged' otherwise.
 */
export function stationaryOnE(R: Objective, P: Projectors, start: Float64Array, tol = 1e-10, maxIter = 2000): StationaryResult {
  const n = R.dim;
  const A = P.piE(start);
  const g = new Float64Array(n), pg = new Float64Array(n), trial = new Float64Array(n);
  let f = R.gradient(A, g);
  P.piE(g, pg);
  let step = 1;
  let it = 0;
  for (; it < maxIter && norm(pg) > Math.sqrt(tol); it++) {
    const gn2 = norm(pg) ** 2;
    for (;;) {
      for (let i = 0; i < n; i++) trial[i] = A[i] - step * pg[i];
      const ft = R.value(trial);
      if (ft <= f - 0.5 * step * gn2 || step < 1e-12) break; // Armijo
      step *= 0.5;
    }
    A.set(trial);
    f = R.gradient(A, g);
    P.piE(g, pg);
    step *= 2;
  }
  const { E } = splitBases(P);
  for (let k = 0; k < 50 && norm(pg) > tol; k++, it++) {
    const H = compress(finiteDifferenceHvp(R, A), E);
    const rhs = E.map((e) => e.reduce((s, v, i) => s + v * pg[i], 0));
    const { values, vectors } = symmetricEigen(H.map((r, i) => r.map((v, j) => 0.5 * (v + H[j][i]))));
    // Newton step by the pseudo-inverse: directions with |λ| below 1e-12·max|λ| are left alone
    const lmax = Math.max(...values.map(Math.abs), 0);
    const coef = new Float64Array(E.length);
    values.forEach((lam, k2) => {
      if (Math.abs(lam) <= 1e-12 * lmax) return;
      const d = vectors[k2].reduce((s, v, i) => s + v * rhs[i], 0) / lam;
      for (let i = 0; i < E.length; i++) coef[i] += d * vectors[k2][i];
    });
    E.forEach((e, j) => {
      for (let i = 0; i < n; i++) A[i] -= coef[j] * e[i];
    });
    R.gradient(A, g);
    P.piE(g, pg);
  }
  const gradientNorm = norm(pg);
  if (!(gradientNorm <= tol)) throw new EqflowError('not-converged', 'stationary', `‖Π_E∇R‖ = ${gradientNorm.toExponential(3)} > ${tol} after ${it} iterations`);
  return { A, gradientNorm, iterations: it };
}
