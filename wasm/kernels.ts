// AssemblyScript source of eqflow's WebAssembly SIMD (f64x2) kernels; `npm run build:wasm` compiles it to
// wasm/kernels.wasm. Every function mirrors one kernel of src/core/kernels.ts with the SAME sequence of IEEE
// operations per output entry (vectors only run several entries side by side; no FMA, no reassociation), so the
// two backends agree bit for bit. Arguments are byte addresses into the (imported, shared) linear memory and
// sizes/strides in elements; the JavaScript side (src/core/wasmKernels.ts) owns all allocation.


@inline function at(base: usize, index: i32): usize {
  return base + (<usize>index << 3);
}

/** C ← beta·C over m·n entries (beta = 0 writes +0 everywhere, as Float64Array.fill(0) does). */
export function scaleBlock(m: i32, n: i32, c: usize, beta: f64): void {
  const e = m * n;
  if (beta == 0) {
    memory.fill(c, 0, <usize>e << 3);
    return;
  }
  if (beta == 1) return;
  const vb = f64x2.splat(beta);
  let i = 0;
  for (; i + 1 < e; i += 2) v128.store(at(c, i), f64x2.mul(v128.load(at(c, i)), vb));
  if (i < e) store<f64>(at(c, i), load<f64>(at(c, i)) * beta);
}

@inline function ssum8(ap: usize, cs: usize, bp: usize, nb: usize): f64 {
  let s = load<f64>(ap) * load<f64>(bp);
  s += load<f64>(ap + cs) * load<f64>(bp + nb);
  s += load<f64>(ap + 2 * cs) * load<f64>(bp + 2 * nb);
  s += load<f64>(ap + 3 * cs) * load<f64>(bp + 3 * nb);
  s += load<f64>(ap + 4 * cs) * load<f64>(bp + 4 * nb);
  s += load<f64>(ap + 5 * cs) * load<f64>(bp + 5 * nb);
  s += load<f64>(ap + 6 * cs) * load<f64>(bp + 6 * nb);
  s += load<f64>(ap + 7 * cs) * load<f64>(bp + 7 * nb);
  return s;
}

@inline function ssum4(ap: usize, cs: usize, bp: usize, nb: usize): f64 {
  let s = load<f64>(ap) * load<f64>(bp);
  s += load<f64>(ap + cs) * load<f64>(bp + nb);
  s += load<f64>(ap + 2 * cs) * load<f64>(bp + 2 * nb);
  s += load<f64>(ap + 3 * cs) * load<f64>(bp + 3 * nb);
  return s;
}

/** Columns of B packed per call of the micro-kernel loop: a k × PANEL panel (k·PANEL·8 bytes) stays in L2. */
const PANEL: i32 = 128;

/** Packs the 4-row blocks of Â: ap[((i/4)·k + p)·4 + r] = Â(i + r, p), so the micro-kernel reads A at fixed offsets. */
function packA(m4: i32, k: i32, a: usize, rsb: usize, csb: usize, ap: usize): void {
  let o = ap;
  for (let i = 0; i < m4; i += 4) {
    const a0 = a + <usize>i * rsb, a1 = a0 + rsb, a2 = a1 + rsb, a3 = a2 + rsb;
    let p = 0;
    if (csb == 8) {
      // rows contiguous: two steps of four rows as four vector loads, four lane shuffles, four stores
      for (; p + 1 < k; p += 2) {
        const q = <usize>p << 3;
        const u0 = v128.load(a0 + q), u1 = v128.load(a1 + q), u2 = v128.load(a2 + q), u3 = v128.load(a3 + q);
        v128.store(o, v128.shuffle<u64>(u0, u1, 0, 2));
        v128.store(o, v128.shuffle<u64>(u2, u3, 0, 2), 16);
        v128.store(o, v128.shuffle<u64>(u0, u1, 1, 3), 32);
        v128.store(o, v128.shuffle<u64>(u2, u3, 1, 3), 48);
        o += 64;
      }
    }
    for (; p < k; p++) {
      const q = <usize>p * csb;
      store<f64>(o, load<f64>(a0 + q));
      store<f64>(o, load<f64>(a1 + q), 8);
      store<f64>(o, load<f64>(a2 + q), 16);
      store<f64>(o, load<f64>(a3 + q), 24);
      o += 32;
    }
  }
}

/**
 * Packs columns j0..j1 (j1 − j0 even) of B into strips of four columns (k rows of 4 entries); a last pair is padded
 * with two zero columns, so one micro-kernel reads every strip contiguously.
 */
function packB(k: i32, j0: i32, j1: i32, b: usize, nb: usize, bp: usize): void {
  let o = bp;
  const zero = f64x2.splat(0);
  for (let j = j0; j < j1; j += 4) {
    const pair = j + 3 >= j1;
    let src = b + (<usize>j << 3);
    for (let p = 0; p < k; p++) {
      v128.store(o, v128.load(src));
      v128.store(o, pair ? zero : v128.load(src, 16), 16);
      src += nb;
      o += 32;
    }
  }
}

/**
 * One 4 × 4 tile of C (rows c0 + r·nb) over all of k from packed panels (pa: 4 rows, pb: 4 columns per step), in
 * the JS kernel's order: per block of `steps` (8-step blocks, then one 4-step block when has4) the sum
 * s = ((A(r,p)B(p) + A(r,p+1)B(p+1)) + …) runs left to right and is added to C — or written, for the first block
 * when `st` — then single steps add A(r,p)B(p) one at a time.
 */
@inline function tile4x4(pa: usize, pb: usize, c0: usize, nb: usize, k8: i32, has4: bool, k: i32, st: i32): void {
  // the tile of C stays in memory between blocks: 8 partial sums + 3 operands fit V8's 16 XMM registers, 8 more
  // running sums would not (they spilled inside the inner loop)
  const c1 = c0 + nb, c2 = c1 + nb, c3 = c2 + nb;
  let first = st != 0 && k8 > 0;
  const kb = has4 ? k8 + 4 : k8;
  let p = 0;
  while (p < kb) {
    const steps = p < k8 ? 8 : 4;
    let b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load64_splat(pa);
    let s00 = f64x2.mul(x, b0), s01 = f64x2.mul(x, b1);
    x = v128.load64_splat(pa, 8);
    let s10 = f64x2.mul(x, b0), s11 = f64x2.mul(x, b1);
    x = v128.load64_splat(pa, 16);
    let s20 = f64x2.mul(x, b0), s21 = f64x2.mul(x, b1);
    x = v128.load64_splat(pa, 24);
    let s30 = f64x2.mul(x, b0), s31 = f64x2.mul(x, b1);
    for (let q: usize = 1; q < <usize>steps; q++) {
      const bq = pb + q * 32, aq = pa + q * 32;
      b0 = v128.load(bq);
      b1 = v128.load(bq, 16);
      x = v128.load64_splat(aq);
      s00 = f64x2.add(s00, f64x2.mul(x, b0));
      s01 = f64x2.add(s01, f64x2.mul(x, b1));
      x = v128.load64_splat(aq, 8);
      s10 = f64x2.add(s10, f64x2.mul(x, b0));
      s11 = f64x2.add(s11, f64x2.mul(x, b1));
      x = v128.load64_splat(aq, 16);
      s20 = f64x2.add(s20, f64x2.mul(x, b0));
      s21 = f64x2.add(s21, f64x2.mul(x, b1));
      x = v128.load64_splat(aq, 24);
      s30 = f64x2.add(s30, f64x2.mul(x, b0));
      s31 = f64x2.add(s31, f64x2.mul(x, b1));
    }
    if (!first) {
      s00 = f64x2.add(v128.load(c0), s00); s01 = f64x2.add(v128.load(c0, 16), s01);
      s10 = f64x2.add(v128.load(c1), s10); s11 = f64x2.add(v128.load(c1, 16), s11);
      s20 = f64x2.add(v128.load(c2), s20); s21 = f64x2.add(v128.load(c2, 16), s21);
      s30 = f64x2.add(v128.load(c3), s30); s31 = f64x2.add(v128.load(c3, 16), s31);
    }
    // β = 0: the first block is written, not added to C (0 + s would turn a −0 into +0)
    first = false;
    v128.store(c0, s00); v128.store(c0, s01, 16); v128.store(c1, s10); v128.store(c1, s11, 16);
    v128.store(c2, s20); v128.store(c2, s21, 16); v128.store(c3, s30); v128.store(c3, s31, 16);
    pa += <usize>steps * 32;
    pb += <usize>steps * 32;
    p += steps;
  }
  if (p >= k) return;
  let v00 = v128.load(c0), v01 = v128.load(c0, 16), v10 = v128.load(c1), v11 = v128.load(c1, 16);
  let v20 = v128.load(c2), v21 = v128.load(c2, 16), v30 = v128.load(c3), v31 = v128.load(c3, 16);
  for (; p < k; p++) {
    const b0 = v128.load(pb), b1 = v128.load(pb, 16);
    let x = v128.load64_splat(pa);
    v00 = f64x2.add(v00, f64x2.mul(x, b0));
    v01 = f64x2.add(v01, f64x2.mul(x, b1));
    x = v128.load64_splat(pa, 8);
    v10 = f64x2.add(v10, f64x2.mul(x, b0));
    v11 = f64x2.add(v11, f64x2.mul(x, b1));
    x = v128.load64_splat(pa, 16);
    v20 = f64x2.add(v20, f64x2.mul(x, b0));
    v21 = f64x2.add(v21, f64x2.mul(x, b1));
    x = v128.load64_splat(pa, 24);
    v30 = f64x2.add(v30, f64x2.mul(x, b0));
    v31 = f64x2.add(v31, f64x2.mul(x, b1));
    pa += 32;
    pb += 32;
  }
  v128.store(c0, v00);
  v128.store(c0, v01, 16);
  v128.store(c1, v10);
  v128.store(c1, v11, 16);
  v128.store(c2, v20);
  v128.store(c2, v21, 16);
  v128.store(c3, v30);
  v128.store(c3, v31, 16);
}

/**
 * C += Â·B with Â(i, p) at a + (i·rs + p·cs)·8 (gemm: rs = k, cs = 1; gemmTN: rs = 1, cs = m). Per entry of C the
 * order is the JS `accumulate`'s: rows in the first 4⌊m/4⌋ take 8-step blocks, one 4-step block, then single steps;
 * the last m mod 4 rows take 8-step blocks then single steps; with `st` the first 8-step block overwrites C.
 * Within an 8-step block the sum runs over the steps left to right, the rows and columns of a tile side by side.
 * The 4-row blocks of Â and 128-column panels of B are packed into `work` (4⌊m/4⌋·k + 128·k + 16 entries); a 4 × 4
 * tile of C stays in registers across all of k.
 */
export function accumulate(m: i32, n: i32, k: i32, a: usize, rs: i32, cs: i32, b: usize, c: usize, st: i32, work: usize): void {
  const nb = <usize>n << 3, csb = <usize>cs << 3, rsb = <usize>rs << 3;
  const k8 = k & ~7;
  const has4 = k8 + 3 < k;
  const m4 = m & ~3;
  const n2 = n & ~1;
  const ap = work, bpk = work + (<usize>(m4 * k) << 3), tile = bpk + (<usize>(PANEL * k) << 3);
  if (n2 > 0) packA(m4, k, a, rsb, csb, ap); // a single column reads Â unpacked
  for (let j0 = 0; j0 < n2; j0 += PANEL) {
    const j1 = j0 + PANEL < n2 ? j0 + PANEL : n2;
    packB(k, j0, j1, b, nb, bpk);
    for (let i = 0; i < m4; i += 4) {
      const pa = ap + (<usize>(i * k) << 3), ci = c + <usize>i * nb;
      let j = j0;
      for (; j + 3 < j1; j += 4) tile4x4(pa, bpk + (<usize>((j - j0) * k) << 3), ci + (<usize>j << 3), nb, k8, has4, k, st);
      if (j < j1) {
        // the panel's last column pair: a 4 × 4 tile on the zero-padded strip, through a 4 × 4 copy of C
        const cj = ci + (<usize>j << 3);
        for (let r: usize = 0; r < 4; r++) v128.store(tile + 32 * r, v128.load(cj + r * nb));
        tile4x4(pa, bpk + (<usize>((j - j0) * k) << 3), tile, 32, k8, has4, k, st);
        for (let r: usize = 0; r < 4; r++) v128.store(cj + r * nb, v128.load(tile + 32 * r));
      }
    }
    // the last m mod 4 rows against this panel: 8-step blocks, then single steps (no 4-step block, as in JS)
    for (let i = m4; i < m; i++) {
      const a0 = a + <usize>i * rsb, c0 = c + <usize>i * nb;
      for (let j = j0; j < j1; j += 2) {
        const jo = <usize>j << 3, strip = j0 + ((j - j0) & ~3);
        // column pair j..j+1 inside its strip of four (rows 32 bytes apart)
        let pb = bpk + (<usize>((strip - j0) * k) << 3) + (<usize>(j - strip) << 3);
        const step: usize = 32;
        let v0: v128;
        let p = 0;
        if (st && k8 > 0) {
          v0 = rsum8(a0, csb, pb, step);
          p = 8;
          pb += 8 * step;
        } else v0 = v128.load(c0 + jo);
        for (; p < k8; p += 8) {
          v0 = f64x2.add(v0, rsum8(a0 + <usize>p * csb, csb, pb, step));
          pb += 8 * step;
        }
        for (p = k8; p < k; p++) {
          v0 = f64x2.add(v0, f64x2.mul(v128.load64_splat(a0 + <usize>p * csb), v128.load(pb)));
          pb += step;
        }
        v128.store(c0 + jo, v0);
      }
    }
  }
  if (n2 < n) {
    // the odd last column, one entry at a time from the unpacked operands
    const jo = <usize>n2 << 3;
    for (let i = 0; i < m; i++) {
      const cj = c + <usize>i * nb + jo;
      store<f64>(cj, accumulateEntry(a + <usize>i * rsb, csb, b + jo, nb, cj, k8, i < m4 && has4, k, st));
    }
  }
}

/** One row of Â (strided) against a packed column pair whose rows are `step` bytes apart: an 8-step sum. */
@inline function rsum8(a0: usize, csb: usize, pb: usize, step: usize): v128 {
  let s = f64x2.mul(v128.load64_splat(a0), v128.load(pb));
  for (let q: usize = 1; q < 8; q++) s = f64x2.add(s, f64x2.mul(v128.load64_splat(a0 + q * csb), v128.load(pb + q * step)));
  return s;
}

/** One entry of C (a column tail) in the same order as the vector path. */
@inline function accumulateEntry(a0: usize, csb: usize, bj: usize, nb: usize, cj: usize, k8: i32, has4: bool, k: i32, st: i32): f64 {
  let v: f64;
  let p = 0;
  if (st && k8 > 0) {
    v = ssum8(a0, csb, bj, nb);
    p = 8;
  } else v = load<f64>(cj);
  for (; p < k8; p += 8) v += ssum8(a0 + <usize>p * csb, csb, bj + <usize>p * nb, nb);
  p = k8;
  if (has4) {
    v += ssum4(a0 + <usize>p * csb, csb, bj + <usize>p * nb, nb);
    p += 4;
  }
  for (; p < k; p++) v += load<f64>(a0 + <usize>p * csb) * load<f64>(bj + <usize>p * nb);
  return v;
}

/** Rows of Bᵀ per block of `transpose`: a block's source and destination lines stay in L1 for n ≤ 64. */
const TBLOCK: i32 = 32;

/**
 * t (k×n) ← Bᵀ for B n×k, in blocks of TBLOCK rows of t; within a block, 2 × 2 squares move as two vector loads, two
 * lane shuffles and two stores (a row-by-row scalar copy wrote k lines per row of B and ran 2–3× slower).
 */
export function transpose(n: i32, k: i32, b: usize, t: usize): void {
  const kb = <usize>k << 3, nb = <usize>n << 3;
  for (let p0 = 0; p0 < k; p0 += TBLOCK) {
    const p1 = p0 + TBLOCK < k ? p0 + TBLOCK : k;
    let j = 0;
    for (; j + 1 < n; j += 2) {
      const b0 = b + <usize>j * kb, b1 = b0 + kb, tj = t + (<usize>j << 3);
      let p = p0;
      for (; p + 1 < p1; p += 2) {
        const u = v128.load(b0 + (<usize>p << 3)), v = v128.load(b1 + (<usize>p << 3));
        const d = tj + <usize>p * nb;
        v128.store(d, v128.shuffle<u64>(u, v, 0, 2));
        v128.store(d + nb, v128.shuffle<u64>(u, v, 1, 3));
      }
      if (p < p1) {
        const d = tj + <usize>p * nb;
        store<f64>(d, load<f64>(b0 + (<usize>p << 3)));
        store<f64>(d, load<f64>(b1 + (<usize>p << 3)), 8);
      }
    }
    if (j < n) {
      const bj = b + <usize>j * kb;
      for (let p = p0; p < p1; p++) store<f64>(t + <usize>p * nb + (<usize>j << 3), load<f64>(bj + (<usize>p << 3)));
    }
  }
}

/**
 * C ← A·Bᵀ + beta·C through t = Bᵀ (k×n, filled by `transpose`): each entry is the sequential sum
 * s = ((0 + a_0 b_0) + a_1 b_1) + … of the JS dot-product path, then C ← s (beta = 0) or beta·C + s.
 */
export function dotRows(m: i32, n: i32, k: i32, a: usize, t: usize, c: usize, beta: f64): void {
  const nb = <usize>n << 3, kb = <usize>k << 3;
  const vb = f64x2.splat(beta), zero = f64x2.splat(0);
  let i = 0;
  for (; i + 3 < m; i += 4) {
    const a0 = a + <usize>i * kb, a1 = a0 + kb, a2 = a1 + kb, a3 = a2 + kb;
    const c0 = c + <usize>i * nb, c1 = c0 + nb, c2 = c1 + nb, c3 = c2 + nb;
    let j = 0;
    // 4 × 4 entries per pass: two loads of t feed eight products per step (the same sums, more entries at once)
    for (; j + 3 < n; j += 4) {
      const jo = <usize>j << 3;
      let s00 = zero, s01 = zero, s10 = zero, s11 = zero, s20 = zero, s21 = zero, s30 = zero, s31 = zero;
      for (let p = 0; p < k; p++) {
        const q = <usize>p << 3, tp = t + <usize>p * nb + jo;
        const u0 = v128.load(tp), u1 = v128.load(tp, 16);
        let x = v128.load64_splat(a0 + q);
        s00 = f64x2.add(s00, f64x2.mul(x, u0));
        s01 = f64x2.add(s01, f64x2.mul(x, u1));
        x = v128.load64_splat(a1 + q);
        s10 = f64x2.add(s10, f64x2.mul(x, u0));
        s11 = f64x2.add(s11, f64x2.mul(x, u1));
        x = v128.load64_splat(a2 + q);
        s20 = f64x2.add(s20, f64x2.mul(x, u0));
        s21 = f64x2.add(s21, f64x2.mul(x, u1));
        x = v128.load64_splat(a3 + q);
        s30 = f64x2.add(s30, f64x2.mul(x, u0));
        s31 = f64x2.add(s31, f64x2.mul(x, u1));
      }
      putPair(c0 + jo, s00, beta, vb);
      putPair(c0 + jo + 16, s01, beta, vb);
      putPair(c1 + jo, s10, beta, vb);
      putPair(c1 + jo + 16, s11, beta, vb);
      putPair(c2 + jo, s20, beta, vb);
      putPair(c2 + jo + 16, s21, beta, vb);
      putPair(c3 + jo, s30, beta, vb);
      putPair(c3 + jo + 16, s31, beta, vb);
    }
    for (; j + 1 < n; j += 2) {
      const jo = <usize>j << 3;
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      for (let p = 0; p < k; p++) {
        const q = <usize>p << 3, u = v128.load(t + <usize>p * nb + jo);
        s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(a0 + q), u));
        s1 = f64x2.add(s1, f64x2.mul(v128.load64_splat(a1 + q), u));
        s2 = f64x2.add(s2, f64x2.mul(v128.load64_splat(a2 + q), u));
        s3 = f64x2.add(s3, f64x2.mul(v128.load64_splat(a3 + q), u));
      }
      if (beta == 0) {
        v128.store(c0 + jo, s0);
        v128.store(c1 + jo, s1);
        v128.store(c2 + jo, s2);
        v128.store(c3 + jo, s3);
      } else {
        v128.store(c0 + jo, f64x2.add(f64x2.mul(vb, v128.load(c0 + jo)), s0));
        v128.store(c1 + jo, f64x2.add(f64x2.mul(vb, v128.load(c1 + jo)), s1));
        v128.store(c2 + jo, f64x2.add(f64x2.mul(vb, v128.load(c2 + jo)), s2));
        v128.store(c3 + jo, f64x2.add(f64x2.mul(vb, v128.load(c3 + jo)), s3));
      }
    }
    for (; j < n; j++) {
      dotEntry(a0, t + (<usize>j << 3), nb, k, c0 + (<usize>j << 3), beta);
      dotEntry(a1, t + (<usize>j << 3), nb, k, c1 + (<usize>j << 3), beta);
      dotEntry(a2, t + (<usize>j << 3), nb, k, c2 + (<usize>j << 3), beta);
      dotEntry(a3, t + (<usize>j << 3), nb, k, c3 + (<usize>j << 3), beta);
    }
  }
  for (; i < m; i++) {
    const a0 = a + <usize>i * kb, c0 = c + <usize>i * nb;
    let j = 0;
    // eight entries per pass: four independent sums keep the adder busy where one would wait on its own latency
    for (; j + 7 < n; j += 8) {
      const jo = <usize>j << 3;
      let s0 = zero, s1 = zero, s2 = zero, s3 = zero;
      for (let p = 0; p < k; p++) {
        const x = v128.load64_splat(a0 + (<usize>p << 3)), tp = t + <usize>p * nb + jo;
        s0 = f64x2.add(s0, f64x2.mul(x, v128.load(tp)));
        s1 = f64x2.add(s1, f64x2.mul(x, v128.load(tp, 16)));
        s2 = f64x2.add(s2, f64x2.mul(x, v128.load(tp, 32)));
        s3 = f64x2.add(s3, f64x2.mul(x, v128.load(tp, 48)));
      }
      putPair(c0 + jo, s0, beta, vb);
      putPair(c0 + jo + 16, s1, beta, vb);
      putPair(c0 + jo + 32, s2, beta, vb);
      putPair(c0 + jo + 48, s3, beta, vb);
    }
    for (; j + 1 < n; j += 2) {
      const jo = <usize>j << 3;
      let s0 = zero;
      for (let p = 0; p < k; p++) s0 = f64x2.add(s0, f64x2.mul(v128.load64_splat(a0 + (<usize>p << 3)), v128.load(t + <usize>p * nb + jo)));
      v128.store(c0 + jo, beta == 0 ? s0 : f64x2.add(f64x2.mul(vb, v128.load(c0 + jo)), s0));
    }
    for (; j < n; j++) dotEntry(a0, t + (<usize>j << 3), nb, k, c0 + (<usize>j << 3), beta);
  }
}

/** C pair ← s (beta = 0) or beta·C + s, as the JS dot-product path finishes an entry. */
@inline function putPair(cj: usize, s: v128, beta: f64, vb: v128): void {
  v128.store(cj, beta == 0 ? s : f64x2.add(f64x2.mul(vb, v128.load(cj)), s));
}

@inline function dotEntry(a0: usize, tj: usize, nb: usize, k: i32, cj: usize, beta: f64): void {
  let s: f64 = 0;
  for (let p = 0; p < k; p++) s += load<f64>(a0 + (<usize>p << 3)) * load<f64>(tj + <usize>p * nb);
  store<f64>(cj, beta == 0 ? s : beta * load<f64>(cj) + s);
}

/**
 * cols[((s·c_in + ci)·9 + 3a + b)·k² + i·k + j] = h[s, ci, i+a−1, j+b−1], zero outside the image (3×3, padding 1).
 * Pure data movement, so any order gives the same bits.
 */
export function im2col(h: usize, cin: i32, k: i32, count: i32, cols: usize): void {
  const kk = k * k;
  for (let s = 0; s < count; s++) {
    for (let ci = 0; ci < cin; ci++) {
      const src = (s * cin + ci) * kk;
      for (let a = 0; a < 3; a++) {
        for (let bb = 0; bb < 3; bb++) {
          const base = (s * cin * 9 + ci * 9 + a * 3 + bb) * kk;
          const jlo = bb == 0 ? 1 : 0, jhi = bb == 2 ? k - 1 : k, sh = bb - 1;
          for (let i = 0; i < k; i++) {
            const ii = i + a - 1, o = base + i * k;
            if (ii < 0 || ii >= k) {
              memory.fill(at(cols, o), 0, <usize>k << 3);
              continue;
            }
            if (bb == 0) store<f64>(at(cols, o), 0);
            if (bb == 2) store<f64>(at(cols, o + k - 1), 0);
            memory.copy(at(cols, o + jlo), at(h, src + ii * k + sh + jlo), <usize>(jhi - jlo) << 3);
          }
        }
      }
    }
  }
}

/**
 * The adjoint of im2col: dh ← 0, then dh[s, ci, i+a−1, j+b−1] += dcols[…] with (a, b) in the JS kernel's order
 * (a outer, b inner), so every pixel's sum is formed in the same order; columns run two at a time.
 */
export function col2im(dcols: usize, cin: i32, k: i32, count: i32, dh: usize): void {
  const kk = k * k;
  memory.fill(dh, 0, <usize>(count * cin * kk) << 3);
  for (let s = 0; s < count; s++) {
    for (let ci = 0; ci < cin; ci++) {
      const dst = (s * cin + ci) * kk;
      for (let a = 0; a < 3; a++) {
        for (let bb = 0; bb < 3; bb++) {
          const base = (s * cin * 9 + ci * 9 + a * 3 + bb) * kk;
          const jlo = bb == 0 ? 1 : 0, jhi = bb == 2 ? k - 1 : k, sh = bb - 1;
          for (let i = 0; i < k; i++) {
            const ii = i + a - 1;
            if (ii < 0 || ii >= k) continue;
            const o = at(dcols, base + i * k), d = at(dh, dst + ii * k + sh);
            let j = jlo;
            for (; j + 1 < jhi; j += 2) {
              const jo = <usize>j << 3;
              v128.store(d + jo, f64x2.add(v128.load(d + jo), v128.load(o + jo)));
            }
            if (j < jhi) {
              const jo = <usize>j << 3;
              store<f64>(d + jo, load<f64>(d + jo) + load<f64>(o + jo));
            }
          }
        }
      }
    }
  }
}

/** gz ← ga ⊙ (1 − a ⊙ a): the tanh derivative read from the forward output, as in the JS activation. */
export function tanhBackward(a: usize, ga: usize, gz: usize, len: i32): void {
  const one = f64x2.splat(1);
  let i = 0;
  for (; i + 1 < len; i += 2) {
    const ai = v128.load(at(a, i));
    v128.store(at(gz, i), f64x2.mul(v128.load(at(ga, i)), f64x2.sub(one, f64x2.mul(ai, ai))));
  }
  if (i < len) {
    const ai = load<f64>(at(a, i));
    store<f64>(at(gz, i), load<f64>(at(ga, i)) * (1 - ai * ai));
  }
}

// tanh: the same operations as tanh1 in src/core/kernels.ts, both branches computed on every lane and selected.
const TP0: f64 = -9.64399179425052238628e-1, TP1: f64 = -9.92877231001918586564e1, TP2: f64 = -1.61468768441708447952e3;
const TQ0: f64 = 1.12811678491632931402e2, TQ1: f64 = 2.23548839060100448583e3, TQ2: f64 = 4.84406305325125486048e3;
const LOG2E: f64 = 1.4426950408889634073599, LN2HI: f64 = 6.93145751953125e-1, LN2LO: f64 = 1.42860682030941723212e-6;
const EP0: f64 = 1.26177193074810590878e-4, EP1: f64 = 3.02994407707441961300e-2, EP2: f64 = 9.99999999999999999910e-1;
const EQ0: f64 = 3.00198505138664455042e-6, EQ1: f64 = 2.52448340349684104192e-3, EQ2: f64 = 2.27265548208155028766e-1, EQ3: f64 = 2.00000000000000000009e0;

@inline function sp(x: f64): v128 {
  return f64x2.splat(x);
}

/** |x| < 0.625: x + x·z·P(z)/Q(z) on |x| (before the sign is put back). */
@inline function tanhSmall(ax: v128): v128 {
  const z = f64x2.mul(ax, ax);
  const pz = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(sp(TP0), z), sp(TP1)), z), sp(TP2));
  const qz = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(z, sp(TQ0)), z), sp(TQ1)), z), sp(TQ2));
  return f64x2.add(ax, f64x2.mul(f64x2.mul(ax, z), f64x2.div(pz, qz)));
}

/** 0.625 ≤ |x| < 22: 1 − 2/(e^{2|x|} + 1); |x| is clamped to 22 so the exponent n stays in 0..64 on every lane. */
@inline function tanhMid(ax: v128): v128 {
  const y = f64x2.mul(sp(2), f64x2.min(ax, sp(22)));
  const n = f64x2.floor(f64x2.add(f64x2.mul(sp(LOG2E), y), sp(0.5)));
  const t = f64x2.sub(f64x2.sub(y, f64x2.mul(n, sp(LN2HI))), f64x2.mul(n, sp(LN2LO)));
  const tt = f64x2.mul(t, t);
  const px = f64x2.mul(t, f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(sp(EP0), tt), sp(EP1)), tt), sp(EP2)));
  const qx = f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(f64x2.add(f64x2.mul(sp(EQ0), tt), sp(EQ1)), tt), sp(EQ2)), tt), sp(EQ3));
  const pow2 = i64x2.shl(i64x2.add(i64x2.extend_low_i32x4_s(i32x4.trunc_sat_f64x2_s_zero(n)), i64x2.splat(1023)), 52);
  const e = f64x2.mul(f64x2.add(sp(1), f64x2.mul(sp(2), f64x2.div(px, f64x2.sub(qx, px)))), pow2);
  return f64x2.sub(sp(1), f64x2.div(sp(2), f64x2.add(e, sp(1))));
}

@inline function tanh2(x: v128): v128 {
  const ax = f64x2.abs(x);
  const small = f64x2.lt(ax, sp(0.625)), below22 = f64x2.lt(ax, sp(22));
  let r: v128;
  // both lanes in one branch (the common case): only that branch's divisions run; the bits are the same as selecting
  if (i64x2.all_true(small)) r = tanhSmall(ax);
  else if (i64x2.all_true(v128.andnot(below22, small))) r = tanhMid(ax);
  else {
    r = v128.bitselect(tanhMid(ax), sp(1), below22);
    r = v128.bitselect(tanhSmall(ax), r, small);
    r = v128.bitselect(ax, r, f64x2.ne(ax, ax)); // NaN stays NaN
  }
  return v128.or(r, v128.and(x, sp(-0.0))); // r ≥ 0: put back the sign of x (keeps −0)
}

/** a ← tanh(z) elementwise, bit for bit as tanhForward in src/core/kernels.ts. */
export function tanhForward(z: usize, a: usize, len: i32): void {
  let i = 0;
  for (; i + 1 < len; i += 2) v128.store(at(a, i), tanh2(v128.load(at(z, i))));
  if (i < len) store<f64>(at(a, i), f64x2.extract_lane(tanh2(v128.load64_splat(at(z, i))), 0));
}

/** 2×2 average pooling of `planes` k×k images, ¼(((z00 + z01) + z10) + z11) as in JS; two outputs per step. */
export function avgPool2Forward(z: usize, a: usize, planes: i32, k: i32): void {
  const h = k >> 1, quarter = f64x2.splat(0.25);
  for (let c = 0; c < planes; c++) {
    for (let p = 0; p < h; p++) {
      const r0 = at(z, c * k * k + 2 * p * k), r1 = r0 + (<usize>k << 3), o = at(a, c * h * h + p * h);
      let q = 0;
      for (; q + 1 < h; q += 2) {
        const qo = <usize>q << 4;
        const u0 = v128.load(r0 + qo), u1 = v128.load(r0 + qo, 16), w0 = v128.load(r1 + qo), w1 = v128.load(r1 + qo, 16);
        // lanes: (z[2q], z[2q+2]) and (z[2q+1], z[2q+3]) of each row
        const ue = v128.shuffle<u64>(u0, u1, 0, 2), uo = v128.shuffle<u64>(u0, u1, 1, 3);
        const we = v128.shuffle<u64>(w0, w1, 0, 2), wo = v128.shuffle<u64>(w0, w1, 1, 3);
        v128.store(o + (<usize>q << 3), f64x2.mul(quarter, f64x2.add(f64x2.add(f64x2.add(ue, uo), we), wo)));
      }
      if (q < h) {
        const qo = <usize>q << 4;
        store<f64>(o + (<usize>q << 3), 0.25 * (load<f64>(r0 + qo) + load<f64>(r0 + qo, 8) + load<f64>(r1 + qo) + load<f64>(r1 + qo, 8)));
      }
    }
  }
}

/** gz[c, i, j] = ¼·ga[c, ⌊i/2⌋, ⌊j/2⌋]. */
export function avgPool2Backward(ga: usize, gz: usize, planes: i32, k: i32): void {
  const h = k >> 1;
  for (let c = 0; c < planes; c++) {
    for (let p = 0; p < h; p++) {
      const r0 = at(gz, c * k * k + 2 * p * k), r1 = r0 + (<usize>k << 3), o = at(ga, c * h * h + p * h);
      for (let q = 0; q < h; q++) {
        const g = f64x2.splat(0.25 * load<f64>(o + (<usize>q << 3)));
        v128.store(r0 + (<usize>q << 4), g);
        v128.store(r1 + (<usize>q << 4), g);
      }
    }
  }
}

let planeMean: f64 = 0;

/** 1/√(v + eps) of the m entries at z (and their mean into planeMean): sequential sums, as the JS planeStats. */
@inline function planeInvStd(z: usize, m: i32, eps: f64): f64 {
  let mu: f64 = 0;
  for (let t = 0; t < m; t++) mu += load<f64>(at(z, t));
  mu /= <f64>m;
  let v: f64 = 0;
  for (let t = 0; t < m; t++) {
    const d = load<f64>(at(z, t)) - mu;
    v += d * d;
  }
  planeMean = mu;
  return 1 / Math.sqrt(v / <f64>m + eps);
}

export function layerNormForward(z: usize, a: usize, planes: i32, m: i32, eps: f64): void {
  for (let c = 0; c < planes; c++) {
    const zc = at(z, c * m), ac = at(a, c * m);
    const s = planeInvStd(zc, m, eps);
    const vs = f64x2.splat(s), vm = f64x2.splat(planeMean);
    let t = 0;
    for (; t + 1 < m; t += 2) v128.store(at(ac, t), f64x2.mul(f64x2.sub(v128.load(at(zc, t)), vm), vs));
    if (t < m) store<f64>(at(ac, t), (load<f64>(at(zc, t)) - planeMean) * s);
  }
}

export function layerNormBackward(z: usize, a: usize, ga: usize, gz: usize, planes: i32, m: i32, eps: f64): void {
  for (let c = 0; c < planes; c++) {
    const o = c * m, ac = at(a, o), gac = at(ga, o), gzc = at(gz, o);
    const s = planeInvStd(at(z, o), m, eps);
    let mg: f64 = 0, mgy: f64 = 0;
    for (let t = 0; t < m; t++) {
      const g = load<f64>(at(gac, t));
      mg += g;
      mgy += g * load<f64>(at(ac, t));
    }
    mg /= <f64>m;
    mgy /= <f64>m;
    const vs = f64x2.splat(s), vmg = f64x2.splat(mg), vmgy = f64x2.splat(mgy);
    let t = 0;
    for (; t + 1 < m; t += 2) {
      v128.store(at(gzc, t), f64x2.mul(vs, f64x2.sub(f64x2.sub(v128.load(at(gac, t)), vmg), f64x2.mul(v128.load(at(ac, t)), vmgy))));
    }
    if (t < m) store<f64>(at(gzc, t), s * (load<f64>(at(gac, t)) - mg - load<f64>(at(ac, t)) * mgy));
  }
}
