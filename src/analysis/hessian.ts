import { EqflowError } from '../core/errors.js';
import { Objective } from '../risk/objective.js';
import { basisOf } from '../space/admissible.js';
import { orthonormalize } from '../space/linalg.js';
import { Projectors } from '../space/projectors.js';
import { minEigenvalue } from './eigen.js';

/** Hessian-vector product v ↦ ∇²f(A)v. */
export type Hvp = (v: Float64Array, out: Float64Array) => void;

/**
 * Central differences of exact gradients: ∇²f(A)v ≈ (∇f(A + εv) − ∇f(A − εv)) / 2ε with ε = cbrt(eps)·max(1,‖A‖)/‖v‖.
 * Error ≤ ε²‖v‖³ sup‖∇⁴f‖/6 (truncation) + eps·‖∇f‖/ε (round-off), i.e. about eps^{2/3} relative.
 */
export function finiteDifferenceHvp(f: Objective, A: Float64Array): Hvp {
  const n = f.dim;
  const ap = new Float64Array(n), am = new Float64Array(n), gp = new Float64Array(n), gm = new Float64Array(n);
  let an = 0;
  for (let i = 0; i < n; i++) an += A[i] * A[i];
  an = Math.sqrt(an);
  return (v, out) => {
    let vn = 0;
    for (let i = 0; i < n; i++) vn += v[i] * v[i];
    vn = Math.sqrt(vn);
    if (vn === 0) {
      out.fill(0);
      return;
    }
    const eps = (Math.cbrt(Number.EPSILON) * Math.max(1, an)) / vn;
    for (let i = 0; i < n; i++) {
      ap[i] = A[i] + eps * v[i];
      am[i] = A[i] - eps * v[i];
    }
    f.gradient(ap, gp);
    f.gradient(am, gm);
    for (let i = 0; i < n; i++) out[i] = (gp[i] - gm[i]) / (2 * eps);
  };
}

/**
 * Orthonormal bases of E_0 = L_0 ∩ H_G and F_0 = L_0 ∩ E_0^⊥ (THEORY.md §1): projections of an orthonormal basis of
 * L_0, whose round-off images (norm ≪ 1 = the basis vectors' norm) are dropped.
 */
export function splitBases(P: Projectors): { E: Float64Array[]; F: Float64Array[] } {
  if (P.eBasis) {
    const E = P.eBasis;
    const F = orthonormalize(basisOf(P.L).map((q) => P.piEperp(q)), 1);
    return { E, F };
  }
  const L = basisOf(P.L);
  return { E: orthonormalize(L.map((q) => P.piE(q)), 1), F: orthonormalize(L.map((q) => P.piEperp(q)), 1) };
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

export function hessianBlocks(hvp: Hvp, P: Projectors): HessianBlocks {
  const { E, F } = splitBases(P);
  if (E.length + F.length !== P.L.dim) throw new EqflowError('not-converged', 'L', `dim E_0 + dim F_0 = ${E.length + F.length} ≠ dim L_0 = ${P.L.dim}`);
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
