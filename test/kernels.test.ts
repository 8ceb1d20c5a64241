/**
 * The register-blocked gemm kernels against gemmNaive on the sizes that exercise every code path: m mod 4 ≠ 0
 * (row tails), k mod 8 ∈ {1..7} (the four-step and single-step k tails), n > 512 (more than one column panel, with
 * a ragged last panel), n odd (the NT column tail), β ∈ {0, 1, other}, non-zero offsets, and the real model shapes.
 */
import { describe, expect, it } from 'vitest';
import { gemm, gemmNT, gemmNaive, gemmTN } from '../src/core/kernels.js';
import { roundoff } from '../src/core/tolerance.js';

type Kernel = typeof gemm;
type Kind = 'NN' | 'TN' | 'NT';

/** Deterministic data: small integers (every product and partial sum exact) or irrational-looking reals. */
function data(len: number, seed: number, ints: boolean): Float64Array {
  const x = new Float64Array(len);
  for (let i = 0; i < len; i++) {
    const s = Math.sin(seed * 1000.3 + i * 12.9898) * 43758.5453;
    const u = s - Math.floor(s);
    x[i] = ints ? Math.floor(u * 17) - 8 : 2 * u - 1;
  }
  return x;
}

function transposeOf(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

const SENTINEL = -777.25;

/** Runs one kernel at offsets (2, 3, 1) inside sentinel-padded buffers and checks every entry and the padding. */
function check(kind: Kind, f: Kernel, m: number, n: number, k: number, beta: number, ints: boolean): void {
  const A = data(m * k, m + 3 * n + 7 * k, ints), B = data(k * n, 11 * m + n + k, ints), C0 = data(m * n, m * n + k, ints);
  const ref = new Float64Array(m * n), bound = new Float64Array(m * n);
  gemmNaive(m, n, k, A, B, ref);
  gemmNaive(m, n, k, A.map(Math.abs), B.map(Math.abs), bound);
  const aIn = kind === 'TN' ? transposeOf(A, m, k) : A;
  const bIn = kind === 'NT' ? transposeOf(B, k, n) : B;
  const [ao, bo, co] = [2, 3, 1];
  const a = new Float64Array(ao + aIn.length + 2).fill(SENTINEL), b = new Float64Array(bo + bIn.length + 2).fill(SENTINEL);
  const c = new Float64Array(co + m * n + 2).fill(SENTINEL);
  a.set(aIn, ao);
  b.set(bIn, bo);
  c.set(C0, co);
  f(m, n, k, a, ao, b, bo, c, co, beta);
  let worst = 0;
  for (let i = 0; i < m * n; i++) {
    const want = ref[i] + beta * C0[i];
    const err = Math.abs(c[co + i] - want);
    if (ints) {
      if (err !== 0) throw new Error(`${kind} ${m}×${n}×${k} β=${beta}: entry ${i} is ${c[co + i]}, want ${want} exactly`);
    } else {
      const tol = roundoff(bound[i] + Math.abs(beta * C0[i]), k + 2);
      worst = Math.max(worst, err / tol);
    }
  }
  expect(worst).toBeLessThanOrEqual(1);
  expect(c[0]).toBe(SENTINEL);
  expect(c[co + m * n]).toBe(SENTINEL);
  expect(c[co + m * n + 1]).toBe(SENTINEL);
  expect(Array.from(a.subarray(ao, ao + aIn.length))).toEqual(Array.from(aIn));
  expect(Array.from(b.subarray(bo, bo + bIn.length))).toEqual(Array.from(bIn));
}

const KERNELS: Array<[Kind, Kernel]> = [['NN', gemm], ['TN', gemmTN], ['NT', gemmNT]];
const BETAS = [0, 1, -0.75, 2];

describe('gemm kernels: tails, panels, β', () => {
  for (const [kind, f] of KERNELS) {
    it(`${kind}: every m ≤ 9 × k ≤ 19 (all k mod 8 tails) × odd/even n, integer data exact, every β`, () => {
      for (let m = 1; m <= 9; m++) for (let k = 0; k <= 19; k++) for (const n of [1, 2, 3, 7]) for (const beta of BETAS) check(kind, f, m, n, k, beta, true);
    });

    it(`${kind}: n across the 512-column panel boundary (511, 512, 513, 1100) and real-valued data`, () => {
      for (const n of [511, 512, 513, 1100]) for (const [m, k] of [[5, 9], [4, 17], [3, 12], [8, 8]]) for (const beta of BETAS) check(kind, f, m, n, k, beta, false);
    });

    it(`${kind}: m ≥ 32 and n ≥ 16 (gemmNT's transposing path) with row, column and k tails`, () => {
      for (const [m, n, k] of [[32, 16, 1], [33, 17, 13], [35, 31, 9], [40, 600, 20], [31, 64, 8], [64, 15, 8]]) for (const beta of BETAS) {
        check(kind, f, m, n, k, beta, true);
        check(kind, f, m, n, k, beta, false);
      }
    });

    it(`${kind}: the model shapes (paperCnn batch 10 per-sample convs, MLP layers over 128 rows)`, () => {
      const shapes: Array<[number, number, number]> = [[16, 784, 9], [16, 196, 144], [144, 196, 16], [16, 144, 196], [16, 9, 784], [10, 10, 784], [10, 784, 10], [128, 32, 16], [32, 32, 128], [128, 1, 32], [1, 32, 128]];
      for (const [m, n, k] of shapes) {
        check(kind, f, m, n, k, 0, false);
        check(kind, f, m, n, k, 1, true);
      }
    });
  }

  it('β = 0 overwrites NaN in C on every path (row tails, k tails, several panels)', () => {
    for (const [, f] of KERNELS) {
      for (const [m, n, k] of [[7, 600, 13], [1, 3, 1], [5, 2, 9]]) {
        const A = new Float64Array(m * k).fill(1), B = new Float64Array(k * n).fill(1);
        const C = new Float64Array(m * n).fill(Number.NaN);
        f(m, n, k, A, 0, B, 0, C, 0, 0);
        expect(C.every((v) => v === k)).toBe(true);
      }
    }
  });

  it('k = 0 gives C ← βC (an empty sum), and β = 0 with k = 0 gives zeros', () => {
    for (const [, f] of KERNELS) {
      const C = Float64Array.from([1, -2, 3, 4, 5, 6]);
      f(2, 3, 0, new Float64Array(0), 0, new Float64Array(0), 0, C, 0, -2);
      expect(Array.from(C)).toEqual([-2, 4, -6, -8, -10, -12]);
      f(2, 3, 0, new Float64Array(0), 0, new Float64Array(0), 0, C, 0, 0);
      expect(Array.from(C)).toEqual([0, 0, 0, 0, 0, 0]);
    }
  });
});
