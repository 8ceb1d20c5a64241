/**
 * Tolerances and small dense helpers for the property suites. Every tolerance is relative to the scale of the
 * quantities involved and to machine epsilon through src/core/tolerance.ts `roundoff(scale, ops)`
 * (16·ops·eps·scale, Higham's γ_n bound with a safety factor); each helper says which error model it encodes.
 */
import { Matrix } from 'ml-matrix';
import { EPS, roundoff } from '../../src/core/tolerance.js';
import { norm } from '../../src/core/kernels.js';

export { EPS, roundoff };

/**
 * Vector result of `dim` entries, each accumulated from ≤ `ops` floating-point operations on terms of size
 * ≤ `scale`: the per-entry bound roundoff(scale, ops), summed in quadrature over the entries (√dim).
 */
export function vecTol(scale: number, ops: number, dim: number): number {
  return roundoff(scale, ops) * Math.sqrt(Math.max(1, dim));
}

/**
 * Error of an SVD-derived orthonormal basis (nullspace) applied as a projection: a backward-stable SVD perturbs
 * the matrix by O(n·eps·‖M‖) and its singular vectors by that over the spectral gap; our constraint matrices
 * ((I − Π_G)B, [ρ(s) − I]) have entries O(1) and gaps ≥ 1/4 in every case we generate (measured errors stay
 * below 1e-3 of this bound), so we allow 4·n round-off units (n = dim) on top of the `ops` of the products.
 */
export function svdTol(scale: number, dim: number, ops = dim): number {
  return vecTol(scale, 4 * dim + ops, dim);
}

export function dotRef(x: ArrayLike<number>, y: ArrayLike<number>): number {
  let s = 0;
  for (let i = 0; i < x.length; i++) s += x[i] * y[i];
  return s;
}

export function normOf(x: Float64Array): number {
  return norm(x);
}

export function diffNorm(x: Float64Array, y: Float64Array): number {
  const d = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) d[i] = x[i] - y[i];
  return norm(d);
}

/** Row-major n×n product. */
export function matMul(a: Float64Array, b: Float64Array, n: number): Float64Array {
  const c = new Float64Array(n * n);
  for (let i = 0; i < n; i++) for (let k = 0; k < n; k++) {
    const aik = a[i * n + k];
    if (aik === 0) continue;
    for (let j = 0; j < n; j++) c[i * n + j] += aik * b[k * n + j];
  }
  return c;
}

export function transpose(a: Float64Array, rows: number, cols = rows): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

export function identity(n: number): Float64Array {
  const m = new Float64Array(n * n);
  for (let i = 0; i < n; i++) m[i * n + i] = 1;
  return m;
}

export function matVec(a: Float64Array, x: Float64Array, n: number): Float64Array {
  const y = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < n; j++) s += a[i * n + j] * x[j];
    y[i] = s;
  }
  return y;
}

/** max |a_ij − b_ij| */
export function maxDiff(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i] - b[i]);
    if (!(d <= m)) m = d; // NaN counts as a difference
  }
  return m;
}

/** Frobenius norm of an ml-matrix Matrix. */
export function frob(m: Matrix): number {
  return norm(Float64Array.from(m.to1DArray()));
}

/** A Matrix as a row-major Float64Array. */
export function flat(m: Matrix): Float64Array {
  return Float64Array.from(m.to1DArray());
}

export function trace(m: Matrix): number {
  let t = 0;
  for (let i = 0; i < Math.min(m.rows, m.columns); i++) t += m.get(i, i);
  return t;
}
