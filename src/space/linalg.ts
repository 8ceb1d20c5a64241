import { Matrix, SVD } from 'ml-matrix';
import { EPS } from '../core/tolerance.js';

/**
 * Orthonormal basis (as rows) of the nullspace of the rows×cols matrix M (rows ≥ cols), from the SVD.
 * Singular values ≤ 10·max(rows, cols)·eps·σ_max count as zero (numpy's matrix_rank rule with a 10× margin).
 */
export function nullspace(m: Matrix): Float64Array[] {
  const cols = m.columns;
  if (m.rows < cols) {
    const padded = Matrix.zeros(cols, cols);
    padded.setSubMatrix(m, 0, 0);
    m = padded;
  }
  const svd = new SVD(m, { computeLeftSingularVectors: false, computeRightSingularVectors: true, autoTranspose: false });
  const s = svd.diagonal;
  const v = svd.rightSingularVectors;
  const smax = s.reduce((a, b) => Math.max(a, b), 0);
  const tol = 10 * Math.max(m.rows, cols) * EPS * Math.max(smax, 1);
  const out: Float64Array[] = [];
  for (let j = 0; j < cols; j++) {
    if (s[j] <= tol) out.push(Float64Array.from(v.getColumn(j)));
  }
  return out;
}

/**
 * Modified Gram–Schmidt (twice, for orthogonality to round-off) over `vectors`; drops vectors whose residual is
 * below 1e-10·max(their norm, `scale`) — numerically dependent, or round-off images of a projection (pass the
 * norm of the vectors before projecting as `scale`). Returns orthonormal rows spanning the same space.
 */
export function orthonormalize(vectors: Float64Array[], scale = 0): Float64Array[] {
  const out: Float64Array[] = [];
  for (const v0 of vectors) {
    const v = Float64Array.from(v0);
    let n0 = 0;
    for (let i = 0; i < v.length; i++) n0 += v[i] * v[i];
    n0 = Math.sqrt(n0);
    if (n0 === 0) continue;
    for (let pass = 0; pass < 2; pass++) {
      for (const q of out) {
        let d = 0;
        for (let i = 0; i < v.length; i++) d += q[i] * v[i];
        for (let i = 0; i < v.length; i++) v[i] -= d * q[i];
      }
    }
    let n = 0;
    for (let i = 0; i < v.length; i++) n += v[i] * v[i];
    n = Math.sqrt(n);
    if (n <= 1e-10 * Math.max(n0, scale)) continue;
    for (let i = 0; i < v.length; i++) v[i] /= n;
    out.push(v);
  }
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
