/**
 * Float64Array kernels of the hot loop. Row-major matrices, explicit offsets so callers never allocate
 * subarrays per step. The gemm variants work on register blocks: four rows of C × eight k-steps (gemm, gemmTN)
 * or a 4×2 block of dot products (gemmNT), which is what makes a scalar JS gemm run near 6 GFLOP/s here where
 * the four-rows × one-k-step version ran at 1–2.5 (before/after per real shape: bench/kernels.bench.ts).
 */

export function dot(x: Float64Array, y: Float64Array, n = x.length, xOff = 0, yOff = 0): number {
  let s0 = 0;
  let s1 = 0;
  let i = 0;
  for (; i + 1 < n; i += 2) {
    s0 += x[xOff + i] * y[yOff + i];
    s1 += x[xOff + i + 1] * y[yOff + i + 1];
  }
  if (i < n) s0 += x[xOff + i] * y[yOff + i];
  return s0 + s1;
}

/** y ← y + a·x */
export function axpy(a: number, x: Float64Array, y: Float64Array, n = x.length, xOff = 0, yOff = 0): void {
  for (let i = 0; i < n; i++) y[yOff + i] += a * x[xOff + i];
}

/** x ← a·x */
export function scale(a: number, x: Float64Array, n = x.length, off = 0): void {
  for (let i = 0; i < n; i++) x[off + i] *= a;
}

/** Euclidean norm, scaled to avoid overflow and underflow (parameters may range over 1e-8..1e8 and beyond). */
export function norm(x: Float64Array, n = x.length, off = 0): number {
  let m = 0;
  for (let i = 0; i < n; i++) {
    const a = Math.abs(x[off + i]);
    if (a > m || a !== a) m = a; // a NaN entry makes the result NaN (never a silent 0)
  }
  if (m === 0 || !Number.isFinite(m)) return m;
  let s = 0;
  for (let i = 0; i < n; i++) {
    const t = x[off + i] / m;
    s += t * t;
  }
  return m * Math.sqrt(s);
}

/** ‖x − y‖ */
export function distance(x: Float64Array, y: Float64Array): number {
  const d = new Float64Array(x.length);
  for (let i = 0; i < x.length; i++) d[i] = x[i] - y[i];
  return norm(d);
}

/** out ← x − y (returns out) */
export function sub(x: Float64Array, y: Float64Array, out = new Float64Array(x.length)): Float64Array {
  for (let i = 0; i < x.length; i++) out[i] = x[i] - y[i];
  return out;
}

/** out ← x + y (returns out) */
export function add(x: Float64Array, y: Float64Array, out = new Float64Array(x.length)): Float64Array {
  for (let i = 0; i < x.length; i++) out[i] = x[i] + y[i];
  return out;
}

/** max_i |x_i| */
export function maxAbs(x: ArrayLike<number>): number {
  let m = 0;
  for (let i = 0; i < x.length; i++) {
    const a = Math.abs(x[i]);
    if (a > m || a !== a) m = a; // a NaN entry makes the result NaN (never a silent 0)
  }
  return m;
}

/**
 * Width of the column panels of B (and C) in gemm/gemmTN: a k×PANEL panel stays in L2 while every block of four
 * rows of A sweeps it (measured: 16×7840×144 runs ~1.4× faster with 512 than unpanelled; smaller shapes are one panel).
 */
const PANEL = 512;

/** Bᵀ for gemmNT's transposing path; grows to the largest n·k seen, so steady-state steps allocate nothing. */
let ntScratch = new Float64Array(0);

/** C ← beta·C over an m×n block (beta = 0 overwrites, so NaN garbage in C never survives: BLAS semantics). */
function scaleBlock(m: number, n: number, c: Float64Array, cOff: number, beta: number): void {
  if (beta === 0) c.fill(0, cOff, cOff + m * n);
  else if (beta !== 1) for (let i = 0, e = m * n; i < e; i++) c[cOff + i] *= beta;
}

/**
 * C += Â·B where Â (m×k) is read from `a` with element (i, p) at aOff + i·rs + p·cs: rs = k, cs = 1 for A itself
 * (gemm), rs = 1, cs = m for Aᵀ (gemmTN). Micro-kernel: four rows of C × eight k-steps per pass over a row panel of B,
 * so each C entry is loaded and stored once per eight multiply-adds (the one-k-step version moved C through the
 * cache k times and ran at ~1 GFLOP/s once four rows of C outgrew L1). Tails: one four-k-step pass, then single steps.
 * With `store` (β = 0 and k ≥ 8) the first eight-step block writes C instead of adding to it, so C is never cleared
 * first (measured ~2% of a paperCnn gradient, whose conv outputs and dcols are β = 0 products).
 */
function accumulate(
  m: number, n: number, k: number,
  a: Float64Array, aOff: number, rs: number, cs: number,
  b: Float64Array, bOff: number,
  c: Float64Array, cOff: number,
  store: boolean,
): void {
  for (let j0 = 0; j0 < n; j0 += PANEL) {
    const j1 = j0 + PANEL < n ? j0 + PANEL : n;
    let i = 0;
    for (; i + 3 < m; i += 4) {
      const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
      const r0 = aOff + i * rs, r1 = r0 + rs, r2 = r1 + rs, r3 = r2 + rs;
      let p = 0;
      for (; p + 7 < k; p += 8) {
        const q1 = p * cs, q2 = q1 + cs, q3 = q2 + cs, q4 = q3 + cs, q5 = q4 + cs, q6 = q5 + cs, q7 = q6 + cs, q8 = q7 + cs;
        const x00 = a[r0 + q1], x01 = a[r0 + q2], x02 = a[r0 + q3], x03 = a[r0 + q4], x04 = a[r0 + q5], x05 = a[r0 + q6], x06 = a[r0 + q7], x07 = a[r0 + q8];
        const x10 = a[r1 + q1], x11 = a[r1 + q2], x12 = a[r1 + q3], x13 = a[r1 + q4], x14 = a[r1 + q5], x15 = a[r1 + q6], x16 = a[r1 + q7], x17 = a[r1 + q8];
        const x20 = a[r2 + q1], x21 = a[r2 + q2], x22 = a[r2 + q3], x23 = a[r2 + q4], x24 = a[r2 + q5], x25 = a[r2 + q6], x26 = a[r2 + q7], x27 = a[r2 + q8];
        const x30 = a[r3 + q1], x31 = a[r3 + q2], x32 = a[r3 + q3], x33 = a[r3 + q4], x34 = a[r3 + q5], x35 = a[r3 + q6], x36 = a[r3 + q7], x37 = a[r3 + q8];
        const bp = bOff + p * n, n2 = 2 * n, n3 = 3 * n, n4 = 4 * n, n5 = 5 * n, n6 = 6 * n, n7 = 7 * n;
        if (store && p === 0) {
          // β = 0: the first block writes C, which saves clearing it and reading it back
          for (let j = j0; j < j1; j++) {
            const t = bp + j;
            const b0 = b[t], b1 = b[t + n], b2 = b[t + n2], b3 = b[t + n3], b4 = b[t + n4], b5 = b[t + n5], b6 = b[t + n6], b7 = b[t + n7];
            c[c0 + j] = x00 * b0 + x01 * b1 + x02 * b2 + x03 * b3 + x04 * b4 + x05 * b5 + x06 * b6 + x07 * b7;
            c[c1 + j] = x10 * b0 + x11 * b1 + x12 * b2 + x13 * b3 + x14 * b4 + x15 * b5 + x16 * b6 + x17 * b7;
            c[c2 + j] = x20 * b0 + x21 * b1 + x22 * b2 + x23 * b3 + x24 * b4 + x25 * b5 + x26 * b6 + x27 * b7;
            c[c3 + j] = x30 * b0 + x31 * b1 + x32 * b2 + x33 * b3 + x34 * b4 + x35 * b5 + x36 * b6 + x37 * b7;
          }
          continue;
        }
        for (let j = j0; j < j1; j++) {
          const t = bp + j;
          const b0 = b[t], b1 = b[t + n], b2 = b[t + n2], b3 = b[t + n3], b4 = b[t + n4], b5 = b[t + n5], b6 = b[t + n6], b7 = b[t + n7];
          c[c0 + j] += x00 * b0 + x01 * b1 + x02 * b2 + x03 * b3 + x04 * b4 + x05 * b5 + x06 * b6 + x07 * b7;
          c[c1 + j] += x10 * b0 + x11 * b1 + x12 * b2 + x13 * b3 + x14 * b4 + x15 * b5 + x16 * b6 + x17 * b7;
          c[c2 + j] += x20 * b0 + x21 * b1 + x22 * b2 + x23 * b3 + x24 * b4 + x25 * b5 + x26 * b6 + x27 * b7;
          c[c3 + j] += x30 * b0 + x31 * b1 + x32 * b2 + x33 * b3 + x34 * b4 + x35 * b5 + x36 * b6 + x37 * b7;
        }
      }
      if (p + 3 < k) {
        const q1 = p * cs, q2 = q1 + cs, q3 = q2 + cs, q4 = q3 + cs;
        const x00 = a[r0 + q1], x01 = a[r0 + q2], x02 = a[r0 + q3], x03 = a[r0 + q4];
        const x10 = a[r1 + q1], x11 = a[r1 + q2], x12 = a[r1 + q3], x13 = a[r1 + q4];
        const x20 = a[r2 + q1], x21 = a[r2 + q2], x22 = a[r2 + q3], x23 = a[r2 + q4];
        const x30 = a[r3 + q1], x31 = a[r3 + q2], x32 = a[r3 + q3], x33 = a[r3 + q4];
        const bp = bOff + p * n, n2 = 2 * n, n3 = 3 * n;
        for (let j = j0; j < j1; j++) {
          const t = bp + j;
          const b0 = b[t], b1 = b[t + n], b2 = b[t + n2], b3 = b[t + n3];
          c[c0 + j] += x00 * b0 + x01 * b1 + x02 * b2 + x03 * b3;
          c[c1 + j] += x10 * b0 + x11 * b1 + x12 * b2 + x13 * b3;
          c[c2 + j] += x20 * b0 + x21 * b1 + x22 * b2 + x23 * b3;
          c[c3 + j] += x30 * b0 + x31 * b1 + x32 * b2 + x33 * b3;
        }
        p += 4;
      }
      for (; p < k; p++) {
        const q = p * cs;
        const x0 = a[r0 + q], x1 = a[r1 + q], x2 = a[r2 + q], x3 = a[r3 + q];
        const bp = bOff + p * n;
        for (let j = j0; j < j1; j++) {
          const bv = b[bp + j];
          c[c0 + j] += x0 * bv;
          c[c1 + j] += x1 * bv;
          c[c2 + j] += x2 * bv;
          c[c3 + j] += x3 * bv;
        }
      }
    }
    // the last m mod 4 rows: one row × eight k-steps
    for (; i < m; i++) {
      const c0 = cOff + i * n, r0 = aOff + i * rs;
      let p = 0;
      for (; p + 7 < k; p += 8) {
        const q = r0 + p * cs;
        const x0 = a[q], x1 = a[q + cs], x2 = a[q + 2 * cs], x3 = a[q + 3 * cs], x4 = a[q + 4 * cs], x5 = a[q + 5 * cs], x6 = a[q + 6 * cs], x7 = a[q + 7 * cs];
        const bp = bOff + p * n, n2 = 2 * n, n3 = 3 * n, n4 = 4 * n, n5 = 5 * n, n6 = 6 * n, n7 = 7 * n;
        if (store && p === 0) {
          for (let j = j0; j < j1; j++) {
            const t = bp + j;
            c[c0 + j] = x0 * b[t] + x1 * b[t + n] + x2 * b[t + n2] + x3 * b[t + n3] + x4 * b[t + n4] + x5 * b[t + n5] + x6 * b[t + n6] + x7 * b[t + n7];
          }
          continue;
        }
        for (let j = j0; j < j1; j++) {
          const t = bp + j;
          c[c0 + j] += x0 * b[t] + x1 * b[t + n] + x2 * b[t + n2] + x3 * b[t + n3] + x4 * b[t + n4] + x5 * b[t + n5] + x6 * b[t + n6] + x7 * b[t + n7];
        }
      }
      for (; p < k; p++) {
        const x0 = a[r0 + p * cs];
        const bp = bOff + p * n;
        for (let j = j0; j < j1; j++) c[c0 + j] += x0 * b[bp + j];
      }
    }
  }
}

/**
 * C ← A·B + beta·C with A m×k, B k×n, C m×n (row-major, at the given offsets).
 * Four rows of C × eight k-steps per pass over a column panel of B (see `accumulate`).
 */
export function gemm(
  m: number, n: number, k: number,
  a: Float64Array, aOff: number,
  b: Float64Array, bOff: number,
  c: Float64Array, cOff: number,
  beta = 0,
): void {
  // β = 0 with k ≥ 8: the first 8-step block overwrites C (no clearing pass)
  if (beta !== 0 || k < 8) scaleBlock(m, n, c, cOff, beta);
  accumulate(m, n, k, a, aOff, k, 1, b, bOff, c, cOff, beta === 0 && k >= 8);
}

/** The signature every gemm variant shares (both backends). */
export type Gemm = typeof gemm;

/**
 * C ← Aᵀ·B + beta·C with A k×m (so Aᵀ is m×k), B k×n, C m×n. Used for weight gradients (δᵀ·x).
 * The same micro-kernel as gemm, reading Aᵀ through strides (its 4×8 block of A is loaded once per pass).
 */
export function gemmTN(
  m: number, n: number, k: number,
  a: Float64Array, aOff: number,
  b: Float64Array, bOff: number,
  c: Float64Array, cOff: number,
  beta = 0,
): void {
  if (beta !== 0 || k < 8) scaleBlock(m, n, c, cOff, beta);
  accumulate(m, n, k, a, aOff, 1, m, b, bOff, c, cOff, beta === 0 && k >= 8);
}

/**
 * C ← A·Bᵀ + beta·C with A m×k, B n×k, C m×n. With m ≥ 32 and n ≥ 16, Bᵀ is copied once into a scratch buffer and
 * the gemm micro-kernel runs; otherwise inner products of rows: a 4×2 block of C (four rows of A against two rows
 * of B) in eight independent accumulators, so each loaded entry feeds two or four multiply-adds (the old 4×1 block
 * fed 1.25 per load: 2.3 vs 3.8 GFLOP/s on 16×144×1960).
 */
export function gemmNT(
  m: number, n: number, k: number,
  a: Float64Array, aOff: number,
  b: Float64Array, bOff: number,
  c: Float64Array, cOff: number,
  beta = 0,
): void {
  if (m >= 32 && n >= 16) {
    // many rows of A against short rows of B: one n·k transpose of B lets the 4×8 rank-update kernel run (measured
    // ~1.3× on the MLP layers 128×32×16 … 128×128×128); long dot products (conv ∇K, m = 16) stay on the 4×2 path
    if (ntScratch.length < n * k) ntScratch = new Float64Array(n * k);
    const t = ntScratch;
    for (let j = 0; j < n; j++) {
      const bj = bOff + j * k;
      for (let p = 0; p < k; p++) t[p * n + j] = b[bj + p];
    }
    if (beta !== 0 || k < 8) scaleBlock(m, n, c, cOff, beta);
    accumulate(m, n, k, a, aOff, k, 1, t, 0, c, cOff, beta === 0 && k >= 8);
    return;
  }
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const b0 = bOff + j * k, b1 = b0 + k;
      let s00 = 0, s01 = 0, s10 = 0, s11 = 0, s20 = 0, s21 = 0, s30 = 0, s31 = 0;
      for (let p = 0; p < k; p++) {
        const u = b[b0 + p], v = b[b1 + p];
        const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
        s00 += x0 * u; s01 += x0 * v;
        s10 += x1 * u; s11 += x1 * v;
        s20 += x2 * u; s21 += x2 * v;
        s30 += x3 * u; s31 += x3 * v;
      }
      if (beta === 0) {
        c[c0 + j] = s00; c[c0 + j + 1] = s01; c[c1 + j] = s10; c[c1 + j + 1] = s11;
        c[c2 + j] = s20; c[c2 + j + 1] = s21; c[c3 + j] = s30; c[c3 + j + 1] = s31;
      } else {
        c[c0 + j] = beta * c[c0 + j] + s00; c[c0 + j + 1] = beta * c[c0 + j + 1] + s01;
        c[c1 + j] = beta * c[c1 + j] + s10; c[c1 + j + 1] = beta * c[c1 + j + 1] + s11;
        c[c2 + j] = beta * c[c2 + j] + s20; c[c2 + j + 1] = beta * c[c2 + j + 1] + s21;
        c[c3 + j] = beta * c[c3 + j] + s30; c[c3 + j + 1] = beta * c[c3 + j + 1] + s31;
      }
    }
    if (j < n) {
      const b0 = bOff + j * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const u = b[b0 + p];
        s0 += a[a0 + p] * u; s1 += a[a1 + p] * u; s2 += a[a2 + p] * u; s3 += a[a3 + p] * u;
      }
      if (beta === 0) {
        c[c0 + j] = s0; c[c1 + j] = s1; c[c2 + j] = s2; c[c3 + j] = s3;
      } else {
        c[c0 + j] = beta * c[c0 + j] + s0; c[c1 + j] = beta * c[c1 + j] + s1;
        c[c2 + j] = beta * c[c2 + j] + s2; c[c3 + j] = beta * c[c3 + j] + s3;
      }
    }
  }
  // the last m mod 4 rows: one row of A against four rows of B
  for (; i < m; i++) {
    const a0 = aOff + i * k, c0 = cOff + i * n;
    let j = 0;
    for (; j + 3 < n; j += 4) {
      const b0 = bOff + j * k, b1 = b0 + k, b2 = b1 + k, b3 = b2 + k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const x = a[a0 + p];
        s0 += x * b[b0 + p]; s1 += x * b[b1 + p]; s2 += x * b[b2 + p]; s3 += x * b[b3 + p];
      }
      if (beta === 0) {
        c[c0 + j] = s0; c[c0 + j + 1] = s1; c[c0 + j + 2] = s2; c[c0 + j + 3] = s3;
      } else {
        c[c0 + j] = beta * c[c0 + j] + s0; c[c0 + j + 1] = beta * c[c0 + j + 1] + s1;
        c[c0 + j + 2] = beta * c[c0 + j + 2] + s2; c[c0 + j + 3] = beta * c[c0 + j + 3] + s3;
      }
    }
    for (; j < n; j++) {
      const b0 = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p] * b[b0 + p];
      c[c0 + j] = beta === 0 ? s : beta * c[c0 + j] + s;
    }
  }
}

/**
 * cols[((s·c_in + ci)·9 + 3a + b)·k² + i·k + j] = h[s, ci, i+a−1, j+b−1], zero outside the image (padding 1):
 * conv3×3 of sample s becomes one gemm K·cols_s whose output [c_out × k²] is already the sample's channel-major
 * row (no transpose), and each per-sample block of B stays cache-sized (one [c_in·9 × B·k²] block did not).
 */
export function im2col(h: Float64Array, cin: number, k: number, count: number, cols: Float64Array): void {
  const kk = k * k;
  for (let ci = 0; ci < cin; ci++) {
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const r = ci * 9 + a * 3 + b;
        const jlo = b === 0 ? 1 : 0, jhi = b === 2 ? k - 1 : k, sh = b - 1;
        for (let s = 0; s < count; s++) {
          const base = (s * cin * 9 + r) * kk, src = (s * cin + ci) * kk;
          for (let i = 0; i < k; i++) {
            const ii = i + a - 1, o = base + i * k;
            if (ii < 0 || ii >= k) {
              cols.fill(0, o, o + k);
              continue;
            }
            const sr = src + ii * k + sh;
            if (b === 0) cols[o] = 0;
            for (let j = jlo; j < jhi; j++) cols[o + j] = h[sr + j];
            if (b === 2) cols[o + k - 1] = 0;
          }
        }
      }
    }
  }
}

/** The adjoint of im2col: dh[s, ci, i+a−1, j+b−1] = Σ dcols[...] over the (a, b) that reach the pixel. */
export function col2im(dcols: Float64Array, cin: number, k: number, count: number, dh: Float64Array): void {
  const kk = k * k;
  dh.fill(0, 0, count * cin * kk);
  for (let ci = 0; ci < cin; ci++) {
    for (let a = 0; a < 3; a++) {
      for (let b = 0; b < 3; b++) {
        const r = ci * 9 + a * 3 + b;
        const jlo = b === 0 ? 1 : 0, jhi = b === 2 ? k - 1 : k, sh = b - 1;
        for (let s = 0; s < count; s++) {
          const base = (s * cin * 9 + r) * kk, dst = (s * cin + ci) * kk;
          for (let i = 0; i < k; i++) {
            const ii = i + a - 1;
            if (ii < 0 || ii >= k) continue;
            const o = base + i * k, dr = dst + ii * k + sh;
            for (let j = jlo; j < jhi; j++) dh[dr + j] += dcols[o + j];
          }
        }
      }
    }
  }
}

/**
 * tanh evaluated with basic IEEE operations only (no Math.tanh, whose bits differ between JavaScript engines), in the
 * order wasm/kernels.ts `tanhForward` evaluates it lane by lane, so both backends give the same bits everywhere:
 * Cephes' tanh — |x| < 0.625: x + x·z·P(z)/Q(z), z = x²; 0.625 ≤ |x| < 22: 1 − 2/(e^{2|x|} + 1) with Cephes' exp
 * (rational approximation on |r| ≤ ln2/2 after x = n·ln2 + r); |x| ≥ 22: ±1 — with the sign of x (±0 kept).
 * Error against Math.tanh: at most TANH_ULPS units in the last place (test/tanh.test.ts, 10⁶ points and extremes).
 */
export function tanhForward(z: Float64Array, a: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) a[i] = tanh1(z[i]);
}

/** The documented bound of tanhForward against Math.tanh, in ulps of the result (checked by test/tanh.test.ts). */
export const TANH_ULPS = 2;

const TP0 = -9.64399179425052238628e-1, TP1 = -9.92877231001918586564e1, TP2 = -1.61468768441708447952e3;
const TQ0 = 1.12811678491632931402e2, TQ1 = 2.23548839060100448583e3, TQ2 = 4.84406305325125486048e3;
const LOG2E = 1.4426950408889634073599, LN2HI = 6.93145751953125e-1, LN2LO = 1.42860682030941723212e-6;
const EP0 = 1.26177193074810590878e-4, EP1 = 3.02994407707441961300e-2, EP2 = 9.99999999999999999910e-1;
const EQ0 = 3.00198505138664455042e-6, EQ1 = 2.52448340349684104192e-3, EQ2 = 2.27265548208155028766e-1, EQ3 = 2.00000000000000000009e0;
/** 2^n for n = 0..64, by doubling (exact) */
const POW2 = Float64Array.from({ length: 65 }, (_, n) => 2 ** n);

export function tanh1(x: number): number {
  const ax = Math.abs(x);
  let r: number;
  if (ax < 0.625) {
    const z = ax * ax;
    r = ax + ax * z * (((TP0 * z + TP1) * z + TP2) / (((z + TQ0) * z + TQ1) * z + TQ2));
  } else if (ax < 22) {
    const y = 2 * ax;
    const n = Math.floor(LOG2E * y + 0.5);
    const t = y - n * LN2HI - n * LN2LO;
    const tt = t * t;
    const px = t * ((EP0 * tt + EP1) * tt + EP2);
    const e = (1 + 2 * (px / ((((EQ0 * tt + EQ1) * tt + EQ2) * tt + EQ3) - px))) * POW2[n];
    r = 1 - 2 / (e + 1);
  } else r = ax === ax ? 1 : ax; // NaN stays NaN
  return x < 0 ? -r : x === 0 ? x : r;
}

/** gz ← ga ⊙ (1 − a ⊙ a): the tanh derivative Dσ(z) = 1 − tanh²(z) read from the forward output a = tanh(z). */
export function tanhBackward(a: Float64Array, ga: Float64Array, gz: Float64Array, len: number): void {
  for (let i = 0; i < len; i++) gz[i] = ga[i] * (1 - a[i] * a[i]);
}

/** 2×2 average pooling of `planes` k×k images (k even): a[c,p,q] = ¼(((z[2p,2q] + z[2p,2q+1]) + z[2p+1,2q]) + z[2p+1,2q+1]). */
export function avgPool2Forward(z: Float64Array, a: Float64Array, planes: number, k: number): void {
  const h = k / 2;
  for (let c = 0; c < planes; c++) {
    const zi = c * k * k, ai = c * h * h;
    for (let p = 0; p < h; p++) {
      const r0 = zi + 2 * p * k, r1 = r0 + k, o = ai + p * h;
      for (let q = 0; q < h; q++) {
        const j = 2 * q;
        a[o + q] = 0.25 * (z[r0 + j] + z[r0 + j + 1] + z[r1 + j] + z[r1 + j + 1]);
      }
    }
  }
}

/** The adjoint of avgPool2Forward: gz[c, i, j] = ¼·ga[c, ⌊i/2⌋, ⌊j/2⌋]. */
export function avgPool2Backward(ga: Float64Array, gz: Float64Array, planes: number, k: number): void {
  const h = k / 2;
  for (let c = 0; c < planes; c++) {
    const zi = c * k * k, ai = c * h * h;
    for (let p = 0; p < h; p++) {
      const r0 = zi + 2 * p * k, r1 = r0 + k, o = ai + p * h;
      for (let q = 0; q < h; q++) {
        const g = 0.25 * ga[o + q], j = 2 * q;
        gz[r0 + j] = g;
        gz[r0 + j + 1] = g;
        gz[r1 + j] = g;
        gz[r1 + j + 1] = g;
      }
    }
  }
}

/** Mean μ (sequential sum / m) of the m entries at o, and 1/√(v + eps) with v the biased variance (second pass). */
function planeStats(z: Float64Array, o: number, m: number, eps: number): [number, number] {
  let mu = 0;
  for (let t = 0; t < m; t++) mu += z[o + t];
  mu /= m;
  let v = 0;
  for (let t = 0; t < m; t++) {
    const d = z[o + t] - mu;
    v += d * d;
  }
  return [mu, 1 / Math.sqrt(v / m + eps)];
}

/** LayerNorm without affine over each of `planes` rows of m entries: a = (z − μ)/√(v + eps). */
export function layerNormForward(z: Float64Array, a: Float64Array, planes: number, m: number, eps: number): void {
  for (let c = 0; c < planes; c++) {
    const o = c * m;
    const [mu, s] = planeStats(z, o, m, eps);
    for (let t = 0; t < m; t++) a[o + t] = (z[o + t] - mu) * s;
  }
}

/** Its backward: gz = s·((ga − mean(ga)) − a·mean(ga ⊙ a)), s = 1/√(v + eps) recomputed from z, a the forward output. */
export function layerNormBackward(z: Float64Array, a: Float64Array, ga: Float64Array, gz: Float64Array, planes: number, m: number, eps: number): void {
  for (let c = 0; c < planes; c++) {
    const o = c * m;
    const s = planeStats(z, o, m, eps)[1];
    let mg = 0, mgy = 0;
    for (let t = 0; t < m; t++) {
      mg += ga[o + t];
      mgy += ga[o + t] * a[o + t];
    }
    mg /= m;
    mgy /= m;
    for (let t = 0; t < m; t++) gz[o + t] = s * (ga[o + t] - mg - a[o + t] * mgy);
  }
}

/** Reference triple loop C = A·B used only by tests and benchmarks as the unrolling's baseline. */
export function gemmNaive(m: number, n: number, k: number, a: Float64Array, b: Float64Array, c: Float64Array): void {
  for (let i = 0; i < m; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let p = 0; p < k; p++) s += a[i * k + p] * b[p * n + j];
      c[i * n + j] = s;
    }
  }
}
