/**
 * The rank rules of space/linalg.ts at their thresholds: a singular value is zero when ≤ 10·max(rows, cols)·eps·σ_max
 * (nullspace; ≤ `noise` when given) or > 10·max(dim, k)·eps·max(σ_max, scale) keeps a direction (orthonormalize).
 * Each case puts one singular value at ½ or 2 times its threshold, with a σ_max far from 1 and rows ≠ cols, so that
 * a rule with min for max, / for ·, or a lost factor moves the verdict; and the shapes the padding and the automatic
 * transpose exist for (fewer rows than columns, more vectors than dimensions).
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { dot, norm } from '../../src/core/kernels.js';
import { RandomStream } from '../../src/core/rng.js';
import { EPS } from '../../src/core/tolerance.js';
import { nullspace, orthonormalize } from '../../src/space/linalg.js';

/** Two orthonormal vectors of R^n drawn from `seed` (Gram–Schmidt of two Gaussian vectors). */
function orthonormalPair(n: number, seed: number): [Float64Array, Float64Array] {
  const rng = new RandomStream(seed);
  const a = rng.child('a').gaussianVector(n), b = rng.child('b').gaussianVector(n);
  const na = norm(a);
  a.forEach((x, i) => { a[i] = x / na; });
  const p = dot(a, b);
  b.forEach((x, i) => { b[i] = x - p * a[i]; });
  const nb = norm(b);
  b.forEach((x, i) => { b[i] = x / nb; });
  return [a, b];
}

/** The rows×2 matrix σ_1 u_1 v_1ᵀ + σ_2 u_2 v_2ᵀ, v_1 = (cos 0.3, sin 0.3), v_2 ⟂ v_1: singular values σ_1, σ_2. */
function rankTwo(rows: number, s1: number, s2: number): { m: Matrix; v2: [number, number] } {
  const [u1, u2] = orthonormalPair(rows, 7);
  const v1: [number, number] = [Math.cos(0.3), Math.sin(0.3)], v2: [number, number] = [-Math.sin(0.3), Math.cos(0.3)];
  const m = new Matrix(rows, 2);
  for (let i = 0; i < rows; i++) for (let j = 0; j < 2; j++) m.set(i, j, s1 * u1[i] * v1[j] + s2 * u2[i] * v2[j]);
  return { m, v2 };
}

// rows = 40, cols = 2, σ_max = 1000: the threshold 10·40·eps·1000 ≈ 8.9e-11; a backward-stable SVD moves σ_2 by
// ~eps·σ_max ≈ 2e-13, far inside the factor-2 margins on either side
const ROWS = 40, SMAX = 1000;
const threshold = 10 * ROWS * EPS * SMAX;

describe('nullspace', () => {
  it('counts σ as zero up to 10·max(rows, cols)·eps·σ_max, not beyond', () => {
    const below = rankTwo(ROWS, SMAX, 0.5 * threshold);
    const n = nullspace(below.m);
    expect(n.length).toBe(1);
    expect(Math.abs(dot(n[0], Float64Array.from(below.v2)))).toBeCloseTo(1, 12);
    expect(nullspace(rankTwo(ROWS, SMAX, 2 * threshold).m)).toEqual([]);
  });

  it('with a noise bound, counts σ ≤ noise as zero, the bound itself included', () => {
    // a diagonal matrix's SVD is exact: σ = (2, 0.5) to the bit
    const m = new Matrix([[2, 0], [0, 0.5]]);
    const n = nullspace(m, 0.5);
    expect(n.length).toBe(1);
    expect(Math.abs(n[0][1])).toBe(1);
    expect(nullspace(m, 0.4999)).toEqual([]);
  });

  it('of a matrix with fewer rows than columns: cols − rank orthonormal vectors that M sends to 0', () => {
    const rng = new RandomStream(11);
    for (const [rows, cols] of [[1, 3], [2, 5]]) {
      const m = new Matrix(rows, cols);
      for (let i = 0; i < rows; i++) m.setRow(i, Array.from(rng.child(`${rows}:${i}`).gaussianVector(cols)));
      const n = nullspace(m);
      expect(n.length).toBe(cols - rows);
      for (const [k, a] of n.entries()) {
        for (let i = 0; i < rows; i++) expect(Math.abs(dot(Float64Array.from(m.getRow(i)), a))).toBeLessThan(100 * cols * EPS);
        for (const [l, b] of n.entries()) expect(dot(a, b)).toBeCloseTo(k === l ? 1 : 0, 13);
      }
    }
  });
});

describe('orthonormalize', () => {
  it('keeps a direction whose σ exceeds 10·max(dim, k)·eps·σ_max, drops one below', () => {
    const columns = (m: Matrix) => [0, 1].map((j) => Float64Array.from(m.getColumn(j)));
    expect(orthonormalize(columns(rankTwo(ROWS, SMAX, 0.5 * threshold).m)).length).toBe(1);
    expect(orthonormalize(columns(rankTwo(ROWS, SMAX, 2 * threshold).m)).length).toBe(2);
  });

  it('drops a direction whose σ equals the threshold to the bit: it must exceed it', () => {
    // a 1×1 SVD is exact (σ = |x|), and x = 10·eps is the threshold 10·1·eps·max(σ_max, scale = 1) exactly
    const x = 10 * EPS;
    expect(orthonormalize([Float64Array.of(x)], 1)).toEqual([]);
    expect(orthonormalize([Float64Array.of(x * (1 + 4 * EPS))], 1).length).toBe(1);
  });

  // ml-matrix's SVD gives the same basis without the automatic transpose: that option only saves work on wide shapes
  it('of more vectors than dimensions: an orthonormal basis of the whole space', () => {
    const rng = new RandomStream(13);
    const vs = Array.from({ length: 5 }, (_, k) => rng.child(k).gaussianVector(3));
    const basis = orthonormalize(vs);
    expect(basis.length).toBe(3);
    for (const [k, a] of basis.entries()) {
      expect(a.length).toBe(3);
      for (const [l, b] of basis.entries()) expect(dot(a, b)).toBeCloseTo(k === l ? 1 : 0, 13);
    }
  });
});
