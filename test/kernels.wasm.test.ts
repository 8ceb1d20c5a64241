/**
 * The WebAssembly kernels (src/core/wasmKernels.ts) against their JavaScript twins (src/core/kernels.ts), which are
 * the oracle: on random shapes — sizes 1, odd, and around the blocks (4 rows, 8/4/1 k-steps, 2- and 4-column tiles,
 * 128-column panels) — random β, offsets, and operands inside or outside the linear memory, every output entry must
 * have the same bits. The stated round-off bound between the backends is therefore 0 ulp: both evaluate each entry
 * with the same IEEE-754 operations in the same order (no FMA, no reassociation), vectors only run entries side by
 * side. A negative control shows the comparison can fail: the naive triple loop sums in another order and differs.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import * as js from '../src/core/kernels.js';
import { WasmKernels, loadWasmKernels, resetWasmStats, wasmStats } from '../src/core/wasmKernels.js';
import { checkProperty } from '../properties/arbitraries/index.js';

const FILE = 'test/kernels.wasm.test.ts';
type Kind = 'NN' | 'TN' | 'NT';
const JS: Record<Kind, js.Gemm> = { NN: js.gemm, TN: js.gemmTN, NT: js.gemmNT };

function wasm(): WasmKernels {
  const w = loadWasmKernels();
  if (w instanceof Error) throw new Error(`wasm/kernels.wasm did not load (run npm run build:wasm): ${w.message}`);
  return w;
}

/** Seeded values: mostly reals in [−1, 1), with signed zeros, huge, subnormal and infinite entries mixed in. */
function values(len: number, seed: number, special: boolean): Float64Array {
  const x = new Float64Array(len);
  const specials = [0, -0, 1e300, -1e300, 5e-324, -2.5e-310, Infinity];
  for (let i = 0; i < len; i++) {
    const s = Math.sin(seed * 1000.3 + i * 12.9898) * 43758.5453;
    const u = s - Math.floor(s);
    x[i] = special && u < 0.03 ? specials[Math.floor(u * 1000) % specials.length] : 2 * u - 1;
  }
  return x;
}

/** Index of the first entry whose bits differ (Object.is: −0 ≠ 0, NaN = NaN whatever the payload), or −1. */
function firstDifference(x: Float64Array, y: Float64Array): number {
  if (x.length !== y.length) return 0;
  for (let i = 0; i < x.length; i++) if (!Object.is(x[i], y[i])) return i;
  return -1;
}

interface GemmCase {
  kind: Kind;
  m: number;
  n: number;
  k: number;
  beta: number;
  offsets: [number, number, number];
  /** which of A, B, C live in the linear memory */
  resident: [boolean, boolean, boolean];
  special: boolean;
  seed: number;
}

/** Runs one case on both backends in padded buffers; returns a description of the first disagreement or null. */
function compareGemm(w: WasmKernels, f: js.Gemm, g: js.Gemm, c: GemmCase): string | null {
  const { m, n, k, beta, offsets: [ao, bo, co], resident } = c;
  const A = values(ao + m * k + 1, c.seed, c.special), B = values(bo + k * n + 1, c.seed + 1, c.special);
  const C0 = values(co + m * n + 1, c.seed + 2, c.special);
  const place = (x: Float64Array, inWasm: boolean): Float64Array => {
    const y = inWasm ? w.workBuffer(x.length) : new Float64Array(x.length);
    y.set(x);
    return y;
  };
  const want = Float64Array.from(C0);
  f(m, n, k, A, ao, B, bo, want, co, beta);
  const a = place(A, resident[0]), b = place(B, resident[1]), got = place(C0, resident[2]);
  g(m, n, k, a, ao, b, bo, got, co, beta);
  const i = firstDifference(want, Float64Array.from(got));
  if (i >= 0) return `${c.kind} ${m}×${n}×${k} β=${beta} offsets ${c.offsets}: entry ${i} is ${got[i]}, the oracle gives ${want[i]}`;
  if (firstDifference(A, Float64Array.from(a)) >= 0 || firstDifference(B, Float64Array.from(b)) >= 0) return `${c.kind} ${m}×${n}×${k}: an input was modified`;
  return null;
}

const kindArb = fc.constantFrom<Kind>('NN', 'TN', 'NT');
/** sizes that hit every block edge: 1, odd, multiples of the blocks and one off them */
const edge = (xs: number[]) => fc.oneof(fc.constantFrom(...xs), fc.integer({ min: 1, max: Math.max(...xs) }));
const gemmCase = fc.record({
  kind: kindArb,
  m: edge([1, 2, 3, 4, 5, 7, 8, 9, 31, 32, 33, 36]),
  n: edge([1, 2, 3, 4, 5, 6, 7, 15, 16, 17, 127, 128, 129, 130, 131, 258]),
  k: fc.oneof(fc.constantFrom(0, 1, 3, 4, 7, 8, 9, 11, 12, 15, 16, 17, 20, 23), fc.integer({ min: 0, max: 70 })),
  beta: fc.constantFrom(0, 1, -0.75, 2),
  offsets: fc.tuple(fc.nat(3), fc.nat(3), fc.nat(3)),
  resident: fc.tuple(fc.boolean(), fc.boolean(), fc.boolean()),
  special: fc.boolean(),
  seed: fc.nat(1000),
});

describe('WASM kernels agree bit for bit with the JS kernels', () => {
  const w = wasm();
  const WASM: Record<Kind, js.Gemm> = { NN: w.gemm, TN: w.gemmTN, NT: w.gemmNT };

  it('gemm, gemmTN, gemmNT on random shapes, β, offsets and placements', () => {
    checkProperty(fc.property(gemmCase, (c) => {
      const msg = compareGemm(w, JS[c.kind], WASM[c.kind], c);
      if (msg) throw new Error(msg);
    }), { runs: 300, file: FILE, name: 'gemm, gemmTN, gemmNT on random shapes, β, offsets and placements' });
  });

  it('every kernel on the model shapes (paperCnn per sample, MLP layers over 128 rows, 256³)', () => {
    const shapes: Array<[number, number, number]> = [[16, 196, 144], [144, 16, 196], [144, 196, 16], [16, 784, 9], [9, 16, 784], [10, 10, 784], [10, 784, 10], [128, 128, 128], [128, 32, 16], [32, 16, 128], [256, 256, 256]];
    for (const kind of ['NN', 'TN', 'NT'] as Kind[]) {
      for (const [m, n, k] of shapes) {
        for (const beta of [0, 1]) {
          const msg = compareGemm(w, JS[kind], WASM[kind], { kind, m, n, k, beta, offsets: [0, 0, 0], resident: [true, true, true], special: false, seed: m + n + k });
          expect(msg).toBeNull();
        }
      }
    }
  });

  it('β = 0 overwrites NaN in C on every path', () => {
    for (const [, g] of Object.entries(WASM)) {
      for (const [m, n, k] of [[7, 600, 13], [1, 3, 1], [5, 2, 9], [33, 17, 8]]) {
        const A = w.workBuffer(m * k).fill(1), B = w.workBuffer(k * n).fill(1), C = w.workBuffer(m * n).fill(Number.NaN);
        g(m, n, k, A, 0, B, 0, C, 0, 0);
        expect(C.every((v) => v === k)).toBe(true);
      }
    }
  });

  it('im2col, col2im, tanh, its derivative, LayerNorm and pooling on random sizes (resident and not)', () => {
    checkProperty(fc.property(fc.integer({ min: 1, max: 5 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 4 }), fc.boolean(), fc.nat(1000), (cin, k, count, resident, seed) => {
      const n = cin * k * k * count;
      const h = values(n, seed, true), dcols = values(9 * n, seed + 1, true);
      const place = (x: Float64Array): Float64Array => {
        const y = resident ? w.workBuffer(x.length) : new Float64Array(x.length);
        y.set(x);
        return y;
      };
      const colsJs = new Float64Array(9 * n).fill(7), colsW = place(new Float64Array(9 * n).fill(7));
      js.im2col(h, cin, k, count, colsJs);
      w.im2col(place(h), cin, k, count, colsW);
      expect(firstDifference(colsJs, Float64Array.from(colsW))).toBe(-1);
      const dhJs = new Float64Array(n).fill(3), dhW = place(new Float64Array(n).fill(3));
      js.col2im(dcols, cin, k, count, dhJs);
      w.col2im(place(dcols), cin, k, count, dhW);
      expect(firstDifference(dhJs, Float64Array.from(dhW))).toBe(-1);
      const a = values(n, seed + 2, true), ga = values(n, seed + 3, true);
      const gzJs = new Float64Array(n), gzW = place(new Float64Array(n));
      js.tanhBackward(a, ga, gzJs, n);
      w.tanhBackward(place(a), place(ga), gzW, n);
      expect(firstDifference(gzJs, Float64Array.from(gzW))).toBe(-1);
      const tJs = new Float64Array(n), tW = place(new Float64Array(n));
      js.tanhForward(h, tJs, n);
      w.tanhForward(place(h), tW, n);
      expect(firstDifference(tJs, Float64Array.from(tW))).toBe(-1);
      // LayerNorm over planes of k² pixels (k odd or even), forward and backward
      const planes = cin * count, m = k * k, eps = 1e-5;
      const lnJs = new Float64Array(n), lnW = place(new Float64Array(n));
      js.layerNormForward(h, lnJs, planes, m, eps);
      w.layerNormForward(place(h), lnW, planes, m, eps);
      expect(firstDifference(lnJs, Float64Array.from(lnW))).toBe(-1);
      const gJs = new Float64Array(n), gW = place(new Float64Array(n));
      js.layerNormBackward(h, lnJs, ga, gJs, planes, m, eps);
      w.layerNormBackward(place(h), place(lnJs), place(ga), gW, planes, m, eps);
      expect(firstDifference(gJs, Float64Array.from(gW))).toBe(-1);
      // 2×2 average pooling on the even size 2⌈k/2⌉ (forward, then its adjoint)
      const e = 2 * Math.ceil(k / 2), ne = planes * e * e, z = values(ne, seed + 4, true);
      const pJs = new Float64Array(ne / 4), pW = place(new Float64Array(ne / 4));
      js.avgPool2Forward(z, pJs, planes, e);
      w.avgPool2Forward(place(z), pW, planes, e);
      expect(firstDifference(pJs, Float64Array.from(pW))).toBe(-1);
      const bJs = new Float64Array(ne), bW = place(new Float64Array(ne));
      js.avgPool2Backward(pJs, bJs, planes, e);
      w.avgPool2Backward(place(pJs), bW, planes, e);
      expect(firstDifference(bJs, Float64Array.from(bW))).toBe(-1);
    }), { runs: 100, file: FILE, name: 'im2col, col2im, tanh, its derivative, LayerNorm and pooling on random sizes (resident and not)' });
  });

  it('NEGATIVE CONTROL: a kernel summing in another order (the naive triple loop) is caught', () => {
    const naive: js.Gemm = (m, n, k, a, aOff, b, bOff, c, cOff) => {
      const out = new Float64Array(m * n);
      js.gemmNaive(m, n, k, a.subarray(aOff), b.subarray(bOff), out);
      c.set(out, cOff);
    };
    const msg = compareGemm(w, js.gemm, naive, { kind: 'NN', m: 16, n: 196, k: 144, beta: 0, offsets: [0, 0, 0], resident: [false, false, false], special: false, seed: 5 });
    expect(msg).toMatch(/entry \d+ is/);
  });

  it('refuses an operand too short for its shape (no read outside it)', () => {
    expect(() => w.gemm(4, 4, 4, w.workBuffer(15), 0, w.workBuffer(16), 0, w.workBuffer(16), 0)).toThrow(/a: expected 16 entries from offset 0/);
    expect(() => w.gemmNT(4, 4, 4, w.workBuffer(16), 0, w.workBuffer(16), 1, w.workBuffer(16), 0)).toThrow(/b: expected 16 entries from offset 1/);
  });

  it('resident operands are used in place; others are staged and counted', () => {
    const A = w.workBuffer(64), B = w.workBuffer(64), C = w.workBuffer(64);
    resetWasmStats();
    w.gemm(8, 8, 8, A, 0, B, 0, C, 0);
    expect(wasmStats().stagedEntries).toBe(0);
    w.gemm(8, 8, 8, new Float64Array(64), 0, B, 0, new Float64Array(64), 0);
    expect(wasmStats()).toMatchObject({ stagedCalls: 2, stagedEntries: 3 * 64 });
  });
});
