import { EqflowError } from '../core/errors.js';
import { dot, norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { roundoff } from '../core/tolerance.js';
import { Objective } from '../risk/objective.js';
import { hessianVectorProduct } from '../risk/differences.js';
import { basisOf } from '../space/admissible.js';
import { orthonormalize } from '../space/linalg.js';
import { Projectors } from '../space/projectors.js';
import { minEigenvalue } from './eigen.js';

/** Hessian-vector product v ↦ ∇²f(A)v. */
export type Hvp = (v: Float64Array, out: Float64Array) => void;

/** v ↦ ∇²f(A)v by central differences of exact gradients (risk/differences hessianVectorProduct, which states its error). */
export function finiteDifferenceHvp(f: Objective, A: Float64Array): Hvp {
  const grad = (x: Float64Array, g: Float64Array): void => void f.gradient(x, g);
  return (v, out) => void hessianVectorProduct(grad, A, v, out);
}

/**
 * Π_E, Π_{E⊥}, Π_L of a space that knows orthonormal bases of E_0 and F_0 itself, without a dense build (a group
 * by generators: by orbits, docs/theory.md §8).
 */
export interface SplitProjectors {
  piE(x: Float64Array, out?: Float64Array): Float64Array;
  piEperp(x: Float64Array, out?: Float64Array): Float64Array;
  piL(x: Float64Array, out?: Float64Array): Float64Array;
  eBasis(): Float64Array[];
  fBasis(): Float64Array[];
}

/**
 * Orthonormal bases of E_0 = L_0 ∩ H_G and F_0 = L_0 ∩ E_0^⊥ (docs/theory.md §1): projections of an orthonormal basis of
 * L_0, whose round-off images (norm ≪ 1 = the basis vectors' norm) are dropped; SplitProjectors give their own.
 */
export function splitBases(P: Projectors | SplitProjectors): { E: Float64Array[]; F: Float64Array[] } {
  if (!(P instanceof Projectors)) return { E: P.eBasis(), F: P.fBasis() };
  const L = basisOf(P.L);
  const E = P.eBasis ?? orthonormalize(L.map((q) => P.piE(q)), 1);
  const F = orthonormalize(L.map((q) => P.piEperp(q)), 1);
  // L_0 = E_0 ⊕ F_0: a split that loses or gains a direction (or an L whose recorded dim is wrong) is no basis of L_0
  if (E.length + F.length !== P.L.dim) throw new EqflowError('not-converged', 'L', `dim E_0 + dim F_0 = ${E.length + F.length} ≠ dim L_0 = ${P.L.dim}`);
  return { E, F };
}

/**
 * Q, a basis of range(Π) ⊆ R^dim that a SplitProjectors builds on its own (by orbits), checked against Π itself: ⟨q_a, q_b⟩ =
 * δ_ab, Πq = q, and Πx = Σ_q q⟨q, x⟩ for a seeded x, each to round-off. A basis that loses, gains or mis-scales a
 * direction would silently shrink or distort the blocks every Hessian claim reads, so it is refused instead.
 */
export function checkedRangeBasis(Q: Float64Array[], pi: (x: Float64Array) => Float64Array, dim: number, field: string): Float64Array[] {
  // every entry is one division or one signed sum of ≤ dim terms, every inner product dim terms of size ≤ 1
  const tol = roundoff(1, dim);
  Q.forEach((q, a) => {
    if (!(q instanceof Float64Array) || q.length !== dim) throw new EqflowError('dimension-mismatch', `${field}[${a}]`, `expected a vector of ${dim} entries`);
    for (let b = 0; b <= a; b++) {
      const err = Math.abs(dot(q, Q[b]) - (a === b ? 1 : 0));
      if (!(err <= tol)) throw new EqflowError('not-orthogonal', `${field}[${a}]`, `⟨q_${a}, q_${b}⟩ is off δ by ${err.toExponential(2)} (round-off ${tol.toExponential(2)}): not an orthonormal basis`);
    }
    const pq = pi(q);
    let d = 0;
    for (let i = 0; i < dim; i++) d = Math.max(d, Math.abs(pq[i] - q[i]));
    if (!(d <= tol)) throw new EqflowError('dimension-mismatch', `${field}[${a}]`, `Πq ≠ q (off by ${d.toExponential(2)}): q is not in range(Π)`);
  });
  // dim comes from the space, not from Q: an empty Q must still span range(Π), which is {0} only when Πx = 0
  const x = new RandomStream(`range basis/${field}`).gaussianVector(dim);
  const r = Float64Array.from(pi(x));
  for (const q of Q) {
    const c = dot(q, x);
    for (let i = 0; i < dim; i++) r[i] -= c * q[i];
  }
  const off = norm(r), bound = roundoff(norm(x), dim * (Q.length + 1));
  if (!(off <= bound)) throw new EqflowError('dimension-mismatch', field, `Πx − Σ q⟨q, x⟩ has norm ${off.toExponential(2)} > ${bound.toExponential(2)}: the ${Q.length} vectors do not span range(Π)`);
  return Q;
}

/** Bᵀ T C for a symmetric T given by its HVP and bases B, C (rows). */
export function compress(hvp: Hvp, B: Float64Array[], C: Float64Array[] = B): number[][] {
  const tc = C.map((c) => {
    const out = new Float64Array(c.length);
    hvp(c, out);
    return out;
  });
  return B.map((b) => tc.map((t) => {
    let s = 0;
    for (let i = 0; i < b.length; i++) s += b[i] * t[i];
    return s;
  }));
}

function symmetrize(m: number[][]): number[][] {
  return m.map((row, i) => row.map((v, j) => 0.5 * (v + m[j][i])));
}

/** The augmented Hessian at A restricted to L_0 = E_0 ⊕ F_0 (Lemma 3, Theorem 2). */
export interface HessianBlocks {
  /** H_eq = Π_{E_0} T Π_{E_0} in an orthonormal basis of E_0 */
  Heq: number[][];
  /** H_⊥ = Π_{F_0} T Π_{F_0} in an orthonormal basis of F_0 */
  Hperp: number[][];
  /** the largest |entry| of the off-diagonal block Π_{E_0} T Π_{F_0} (0 by Lemma 3 at A ∈ E, compatible case) */
  offBlock: number;
  /** the largest |entry| of T restricted to L_0, the scale of the other numbers */
  scale: number;
  lambdaMinEq: number;
  lambdaMinPerp: number;
  /** γ_loc = max(0, −λ_min(H_⊥)) (Theorem 2, corollary) */
  gammaLoc: number;
}

/** The augmented Hessian at a point of E split into its E_0 and F_0 blocks (Lemma 3), with their smallest eigenvalues and γ_loc (Theorem 2). */
export function hessianBlocks(hvp: Hvp, P: Projectors): HessianBlocks {
  const { E, F } = splitBases(P);
  const Heq = symmetrize(compress(hvp, E));
  const Hperp = symmetrize(compress(hvp, F));
  const off = compress(hvp, E, F);
  const maxAbs = (m: number[][]) => m.reduce((a, r) => r.reduce((b, v) => Math.max(b, Math.abs(v)), a), 0);
  const lambdaMinEq = minEigenvalue(Heq);
  const lambdaMinPerp = minEigenvalue(Hperp);
  return {
    Heq, Hperp, offBlock: maxAbs(off), scale: Math.max(maxAbs(Heq), maxAbs(Hperp), maxAbs(off)),
    lambdaMinEq, lambdaMinPerp, gammaLoc: Number.isFinite(lambdaMinPerp) ? Math.max(0, -lambdaMinPerp) : 0,
  };
}
