import { EqflowError } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { VectorField, velocity } from '../flows/dynamics.js';
import { Objective } from '../risk/objective.js';
import { basisOf } from '../space/admissible.js';
import { Projectors } from '../space/projectors.js';
import { symmetricEigen } from './eigen.js';
import { SplitProjectors, compress, finiteDifferenceHvp, splitBases } from './hessian.js';

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
export function stationaryOnE(R: Objective, P: Projectors | SplitProjectors, start: Float64Array, tol = 1e-10, maxIter = 200, bestEffort = false): StationaryResult {
  const n = R.dim;
  const E = P instanceof Projectors ? splitBases(P).E : P.eBasis();
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
    // the iterate ran off to where R overflows (e.g. cross-entropy on separable data has no finite minimum): stop,
    // the returned residual says that no stationary point was reached
    if (!H.every((row) => row.every(Number.isFinite))) break;
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

export interface ZeroResult {
  A: Float64Array;
  /** ‖v(A)‖ at the returned point */
  residual: number;
  iterations: number;
}

/**
 * A zero of the velocity v of any dynamics (docs/theory.md §4, §9) near `start`: Gauss–Newton in an orthonormal
 * basis of the space the velocity lives in (E_0 for the equivariant dynamics, L_0 otherwise), with the Jacobian
 * from central differences of v and a pseudo-inverse (singular values below 1e-10 of the largest dropped: flat
 * directions of a degenerate zero set are left alone, so the result is the zero nearest `start` along the rest).
 * Meant as an independent check of where a flow settled: started close, it converges in a few steps. Dense, so
 * the basis must be small (≲ 200). Throws EqflowError('not-converged') when ‖v‖ ≤ tol is not reached.
 */
export function zeroOfVelocity(f: VectorField, start: Float64Array, tol: number, maxIter = 30): ZeroResult {
  const P = f.projectors;
  const B = f.kind === 'equivariant' ? splitBases(P).E : basisOf(P.L);
  const n = f.dim, m = B.length;
  const A = Float64Array.from(start);
  const v = new Float64Array(n), vp = new Float64Array(n), vm = new Float64Array(n), x = new Float64Array(n);
  const coords = (w: Float64Array) => B.map((b) => b.reduce((s, bi, i) => s + bi * w[i], 0));
  let residual = norm(velocity(f, A, v));
  let it = 0;
  for (; it < maxIter && residual > tol; it++) {
    // ε = u^{1/3}·scale balances truncation O(ε²) and round-off O(u/ε) in a central difference
    const eps = 6e-6 * Math.max(1, norm(A));
    const J = B.map(() => new Array<number>(m).fill(0)); // J[i][j] = ⟨b_i, Dv(A) b_j⟩
    B.forEach((bj, j) => {
      for (let i = 0; i < n; i++) x[i] = A[i] + eps * bj[i];
      velocity(f, x, vp);
      for (let i = 0; i < n; i++) x[i] = A[i] - eps * bj[i];
      velocity(f, x, vm);
      for (let i = 0; i < n; i++) vp[i] = (vp[i] - vm[i]) / (2 * eps);
      coords(vp).forEach((c, i) => { J[i][j] = c; });
    });
    const r = coords(v);
    // d = −J⁺r through the eigen-decomposition of JᵀJ
    const JtJ = B.map((_, a) => B.map((__, c) => J.reduce((s, row) => s + row[a] * row[c], 0)));
    const Jtr = B.map((_, a) => J.reduce((s, row, i) => s + row[a] * r[i], 0));
    const { values, vectors } = symmetricEigen(JtJ);
    const lmax = Math.max(...values, Number.MIN_VALUE);
    const d = new Float64Array(m);
    values.forEach((lam, k) => {
      if (lam <= 1e-20 * lmax) return; // σ ≤ 1e-10·σ_max: a flat direction
      const c = vectors[k].reduce((s, u, i) => s + u * Jtr[i], 0) / lam;
      for (let i = 0; i < m; i++) d[i] -= c * vectors[k][i];
    });
    B.forEach((b, j) => { for (let i = 0; i < n; i++) A[i] += d[j] * b[i]; });
    residual = norm(velocity(f, A, v));
  }
  if (!(residual <= tol)) throw new EqflowError('not-converged', 'zero', `‖v(A)‖ = ${residual.toExponential(3)} > ${tol.toExponential(3)} after ${it} Newton steps`);
  return { A, residual, iterations: it };
}
