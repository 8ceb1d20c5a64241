/**
 * The gemm kernels as they were before the k-unrolling (four rows of C per pass over B, one k-step per pass), kept
 * verbatim so bench/kernels.bench.ts can measure before/after on the same machine in the same process.
 * Not used by the library.
 */
/**
 * C ← A·B + beta·C with A m×k, B k×n, C m×n (row-major, at the given offsets).
 * Four rows of C per pass over B.
 */
export function legacyGemm(
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
export function legacyGemmTN(
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
export function legacyGemmNT(
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

