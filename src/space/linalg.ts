import { Matrix, SVD } from 'ml-matrix';
import { EPS } from '../core/tolerance.js';

/**
 * Orthonormal basis (as rows) of the nullspace of the rows×cols matrix M (rows ≥ cols), from the SVD.
 * Singular values ≤ `noise` count as zero — a bound on ‖ΔM‖₂ for the round-off M was assembled with (Weyl: σ moves
 * by at most that) — or, without one, ≤ 10·max(rows, cols)·eps·σ_max (numpy's matrix_rank rule with a 10× margin).
 */
export function nullspace(m: Matrix, noise?: number): Float64Array[] {
  const cols = m.columns;
  if (m.rows < cols) {
    const padded = Matrix.zeros(cols, cols);
    padded.setSubMatrix(m, 0, 0);
    m = padded;
  }
  const svd = new SVD(m, { computeLeftSingularVectors: false, computeRightSingularVectors: true, autoTranspose: false });
  const s = svd.diagonal;
  const v = svd.rightSingularVectors;
  const tol = noise ?? 10 * Math.max(m.rows, cols) * EPS * Math.max(s.reduce((a, b) => Math.max(a, b), 0), 1);
  const out: Float64Array[] = [];
  for (let j = 0; j < cols; j++) {
    if (s[j] <= tol) out.push(Float64Array.from(v.getColumn(j)));
  }
  return out;
}

/**
 * An orthonormal basis (rows) of span(vectors), rank-revealing: the left singular vectors of the dim×k matrix
 * [v_1 … v_k] whose singular values exceed 10·max(dim, k)·eps·max(σ_max, scale). Gram–Schmidt in input order would
 * leave many nearly dependent vectors ~1e-11 off their span (enough to misjudge compatibility); the SVD does not.
 * Pass as `scale` the norm the vectors had before a projection, so that round-off images of a projection onto {0}
 * (σ_max ≈ 1e-17) are dropped rather than normalized into spurious basis vectors.
 */
export function orthonormalize(vectors: Float64Array[], scale = 0): Float64Array[] {
  const vs = vectors.filter((v) => v.some((x) => x !== 0));
  if (vs.length === 0) return [];
  const dim = vs[0].length;
  const m = new Matrix(dim, vs.length);
  vs.forEach((v, j) => { for (let i = 0; i < dim; i++) m.set(i, j, v[i]); });
  const svd = new SVD(m, { computeLeftSingularVectors: true, computeRightSingularVectors: false, autoTranspose: true });
  const s = svd.diagonal;
  const U = svd.leftSingularVectors;
  const smax = s.reduce((a, b) => Math.max(a, b), 0);
  const tol = 10 * Math.max(dim, vs.length) * EPS * Math.max(smax, scale);
  const out: Float64Array[] = [];
  for (let j = 0; j < s.length; j++) if (s[j] > tol) out.push(Float64Array.from(U.getColumn(j)));
  return out;
}

/** The dense dim×dim matrix of a linear map given by its action (column j = f(e_j)); for tests and small cases. */
export function matrixOf(dim: number, f: (x: Float64Array, out: Float64Array) => void): Matrix {
  const m = new Matrix(dim, dim);
  const e = new Float64Array(dim);
  const col = new Float64Array(dim);
  for (let j = 0; j < dim; j++) {
    e.fill(0);
    e[j] = 1;
    f(e, col);
    for (let i = 0; i < dim; i++) m.set(i, j, col[i]);
  }
  return m;
}
