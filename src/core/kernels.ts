/**
 * Float64Array kernels of the hot loop. Row-major matrices, explicit offsets so callers never allocate
 * subarrays per step. The gemm variants unroll four rows of C at a time: each loaded row of B is reused
 * four times, which is what makes a JS gemm run near 4 GFLOP/s here (see bench/kernels.bench.ts).
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
    if (a > m) m = a;
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
    if (a > m) m = a;
  }
  return m;
}

/**
 * C ← A·B + beta·C with A m×k, B k×n, C m×n (row-major, at the given offsets).
 * Four rows of C per pass over B.
 */
export function gemm(
  m: number, n: number, k: number,
  a: Float64Array, aOff: number,
  b: Float64Array, bOff: number,
  c: Float64Array, cOff: number,
  beta = 0,
): void {
  if (beta === 0) c.fill(0, cOff, cOff + m * n);
  else if (beta !== 1) for (let i = 0; i < m * n; i++) c[cOff + i] *= beta;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    const a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p], x1 = a[a1 + p], x2 = a[a2 + p], x3 = a[a3 + p];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[bp + j];
        c[c0 + j] += x0 * bv;
        c[c1 + j] += x1 * bv;
        c[c2 + j] += x2 * bv;
        c[c3 + j] += x3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const c0 = cOff + i * n;
    const a0 = aOff + i * k;
    for (let p = 0; p < k; p++) {
      const x0 = a[a0 + p];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[c0 + j] += x0 * b[bp + j];
    }
  }
}

/**
 * C ← Aᵀ·B + beta·C with A k×m (so Aᵀ is m×k), B k×n, C m×n. Used for weight gradients (δᵀ·x).
 */
export function gemmTN(
  m: number, n: number, k: number,
  a: Float64Array, aOff: number,
  b: Float64Array, bOff: number,
  c: Float64Array, cOff: number,
  beta = 0,
): void {
  if (beta === 0) c.fill(0, cOff, cOff + m * n);
  else if (beta !== 1) for (let i = 0; i < m * n; i++) c[cOff + i] *= beta;
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const c0 = cOff + i * n, c1 = c0 + n, c2 = c1 + n, c3 = c2 + n;
    for (let p = 0; p < k; p++) {
      const ap = aOff + p * m + i;
      const x0 = a[ap], x1 = a[ap + 1], x2 = a[ap + 2], x3 = a[ap + 3];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) {
        const bv = b[bp + j];
        c[c0 + j] += x0 * bv;
        c[c1 + j] += x1 * bv;
        c[c2 + j] += x2 * bv;
        c[c3 + j] += x3 * bv;
      }
    }
  }
  for (; i < m; i++) {
    const c0 = cOff + i * n;
    for (let p = 0; p < k; p++) {
      const x0 = a[aOff + p * m + i];
      const bp = bOff + p * n;
      for (let j = 0; j < n; j++) c[c0 + j] += x0 * b[bp + j];
    }
  }
}

/**
 * C ← A·Bᵀ + beta·C with A m×k, B n×k, C m×n. Inner products of rows; four rows of A share each row of B.
 */
export function gemmNT(
  m: number, n: number, k: number,
  a: Float64Array, aOff: number,
  b: Float64Array, bOff: number,
  c: Float64Array, cOff: number,
  beta = 0,
): void {
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const a0 = aOff + i * k, a1 = a0 + k, a2 = a1 + k, a3 = a2 + k;
    for (let j = 0; j < n; j++) {
      const bj = bOff + j * k;
      let s0 = 0, s1 = 0, s2 = 0, s3 = 0;
      for (let p = 0; p < k; p++) {
        const bv = b[bj + p];
        s0 += a[a0 + p] * bv;
        s1 += a[a1 + p] * bv;
        s2 += a[a2 + p] * bv;
        s3 += a[a3 + p] * bv;
      }
      const c0 = cOff + i * n + j;
      if (beta === 0) {
        c[c0] = s0; c[c0 + n] = s1; c[c0 + 2 * n] = s2; c[c0 + 3 * n] = s3;
      } else {
        c[c0] = beta * c[c0] + s0; c[c0 + n] = beta * c[c0 + n] + s1;
        c[c0 + 2 * n] = beta * c[c0 + 2 * n] + s2; c[c0 + 3 * n] = beta * c[c0 + 3 * n] + s3;
      }
    }
  }
  for (; i < m; i++) {
    const a0 = aOff + i * k;
    for (let j = 0; j < n; j++) {
      const bj = bOff + j * k;
      let s = 0;
      for (let p = 0; p < k; p++) s += a[a0 + p] * b[bj + p];
      const c0 = cOff + i * n + j;
      c[c0] = beta === 0 ? s : beta * c[c0] + s;
    }
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
