/**
 * The WebAssembly SIMD (f64x2) backend of the hot kernels: loads wasm/kernels.wasm (compiled from wasm/kernels.ts by
 * `npm run build:wasm`) synchronously into one shared linear memory per thread, hands out work buffers that live in
 * that memory (`workBuffer`), and wraps each kernel with the signature of its JavaScript twin in ./kernels.ts.
 * Operands already in the linear memory are passed by address (no copy); others are staged into scratch blocks and
 * counted in `wasmStats().stagedEntries`, so a model whose buffers are all resident is seen to copy nothing.
 * Both backends evaluate every output entry with the same IEEE operations in the same order, so they agree bit for
 * bit (test/kernels.wasm.test.ts).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { EqflowError } from './errors.js';
import * as js from './kernels.js';

interface Exports {
  scaleBlock(m: number, n: number, c: number, beta: number): void;
  accumulate(m: number, n: number, k: number, a: number, rs: number, cs: number, b: number, c: number, store: number, work: number): void;
  transpose(n: number, k: number, b: number, t: number): void;
  dotRows(m: number, n: number, k: number, a: number, t: number, c: number, beta: number): void;
  im2col(h: number, cin: number, k: number, count: number, cols: number): void;
  col2im(dcols: number, cin: number, k: number, count: number, dh: number): void;
  tanhBackward(a: number, ga: number, gz: number, len: number): void;
  tanhForward(z: number, a: number, len: number): void;
  avgPool2Forward(z: number, a: number, planes: number, k: number): void;
  avgPool2Backward(ga: number, gz: number, planes: number, k: number): void;
  layerNormForward(z: number, a: number, planes: number, m: number, eps: number): void;
  layerNormBackward(z: number, a: number, ga: number, gz: number, planes: number, m: number, eps: number): void;
}

type Gemm = js.Gemm;

/** The part of the WebAssembly JS API used here (lib ES2022 does not declare it; Node ≥ 20 provides it). */
interface WasmApi {
  Memory: new (d: { initial: number; maximum: number; shared: boolean }) => { readonly buffer: ArrayBufferLike; grow(pages: number): number };
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: object };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/** The kernels a backend provides; the JS module and the WASM wrappers both satisfy it. */
export interface KernelSet {
  gemm: Gemm;
  gemmTN: Gemm;
  gemmNT: Gemm;
  im2col: typeof js.im2col;
  col2im: typeof js.col2im;
  tanhForward: typeof js.tanhForward;
  avgPool2Forward: typeof js.avgPool2Forward;
  avgPool2Backward: typeof js.avgPool2Backward;
  layerNormForward: typeof js.layerNormForward;
  layerNormBackward: typeof js.layerNormBackward;
  tanhBackward: typeof js.tanhBackward;
  /**
   * a zeroed Float64Array the kernels can use without copying (a plain one for the JS backend); its block returns to
   * the free list when this array is collected, so keep the array itself (a subarray alone does not hold the block)
   */
  workBuffer(n: number): Float64Array;
}

export interface WasmKernels extends KernelSet {
  /** whether `x` lives in this backend's linear memory (then kernels read and write it in place) */
  resident(x: Float64Array): boolean;
}

/** Where the compiled module sits relative to this file (src/core or dist/core → <package>/wasm). */
export const WASM_URL = new URL('../../wasm/kernels.wasm', import.meta.url);

const PAGE = 65536;
/** 2 GiB: the most one thread's work buffers may take (a shared memory must declare a maximum). */
const MAX_PAGES = 32768;
/** Column panel width of the packed B in wasm/kernels.ts `accumulate` (its work buffer holds 4⌊m/4⌋·k + PANEL·k + 16). */
const PANEL = 128;
/** Address 0..1023 stays unused, so a zero address is never a live block. */
const BASE = 1024;

/** Counters for the copy measurement: entries staged into (and back out of) the linear memory since the last reset. */
export interface WasmStats {
  stagedEntries: number;
  stagedCalls: number;
  /** bytes of linear memory in use (blocks handed out, freed ones included) */
  heapBytes: number;
}

let loaded: WasmKernels | Error | null = null;

/** The WASM kernels of this thread, loaded on first use; an Error (not thrown) when the module cannot be loaded. */
export function loadWasmKernels(): WasmKernels | Error {
  if (loaded === null) {
    try {
      loaded = instantiate(readFileSync(fileURLToPath(WASM_URL)));
    } catch (e) {
      loaded = e instanceof Error ? e : new Error(String(e));
    }
  }
  return loaded;
}

const stats: WasmStats = { stagedEntries: 0, stagedCalls: 0, heapBytes: 0 };

export function wasmStats(): WasmStats {
  return { ...stats };
}

export function resetWasmStats(): void {
  stats.stagedEntries = 0;
  stats.stagedCalls = 0;
}

function instantiate(bytes: Buffer): WasmKernels {
  const memory = new wasmApi.Memory({ initial: 16, maximum: MAX_PAGES, shared: true });
  const instance = new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory } });
  const w = instance.exports as unknown as Exports;
  /** every SharedArrayBuffer the memory has handed out (a grow gives a new one; views of older ones stay valid) */
  const buffers: ArrayBufferLike[] = [memory.buffer];
  let top = BASE;
  /** free blocks by size class (2^c bytes) */
  const free: number[][] = [];
  const registry = new FinalizationRegistry<[number, number]>(([ptr, cls]) => (free[cls] ??= []).push(ptr));

  const isResident = (x: Float64Array): boolean => buffers.includes(x.buffer);

  /** A block of at least `bytes` bytes, 16-byte aligned; returns its address and size class. */
  const allocate = (bytes: number): [number, number] => {
    const cls = Math.max(6, Math.ceil(Math.log2(Math.max(bytes, 1))));
    const reuse = free[cls]?.pop();
    if (reuse !== undefined) return [reuse, cls];
    const ptr = top;
    top += 2 ** cls;
    const have = memory.buffer.byteLength;
    if (top > have) {
      const pages = Math.ceil((top - have) / PAGE);
      if (have / PAGE + pages > MAX_PAGES) throw new EqflowError('invalid-argument', 'workBuffer', `WASM work buffers would exceed ${MAX_PAGES * PAGE} bytes; use EQFLOW_KERNELS=js`);
      memory.grow(pages);
      buffers.push(memory.buffer);
    }
    stats.heapBytes = top - BASE;
    return [ptr, cls];
  };

  const workBuffer = (n: number): Float64Array => {
    const [ptr, cls] = allocate(8 * n);
    const view = new Float64Array(memory.buffer, ptr, n);
    view.fill(0); // a reused block holds old values; a work buffer starts at zero like new Float64Array(n)
    registry.register(view, [ptr, cls]);
    return view;
  };

  /** Scratch blocks for staged operands (slots 0..2 = A, B, C), gemmNT's Bᵀ (3), packed panels (4); grown, never shrunk. */
  const scratch: Float64Array[] = [0, 1, 2, 3, 4].map(() => workBuffer(0));
  const scratchOf = (slot: number, n: number): Float64Array => {
    if (scratch[slot].length < n) scratch[slot] = workBuffer(Math.max(n, 2 * scratch[slot].length));
    return scratch[slot];
  };

  const requireExtent = (x: Float64Array, off: number, len: number, field: string): void => {
    if (!(off >= 0 && off + len <= x.length)) throw new EqflowError('dimension-mismatch', field, `expected ${len} entries from offset ${off}, the array has ${x.length}`);
  };

  /** Address of x[off] in the linear memory, copying the `len` entries into scratch `slot` when x is not resident. */
  const address = (x: Float64Array, off: number, len: number, slot: number, field: string): number => {
    requireExtent(x, off, len, field);
    if (isResident(x)) return x.byteOffset + 8 * off;
    const s = scratchOf(slot, len);
    s.set(x.subarray(off, off + len));
    stats.stagedEntries += len;
    stats.stagedCalls++;
    return s.byteOffset;
  };

  /** Copies a staged C back to its owner. */
  const unstage = (c: Float64Array, off: number, len: number): void => {
    if (isResident(c)) return;
    c.set(scratch[2].subarray(0, len), off);
    stats.stagedEntries += len;
  };

  /** C ← Â·B + beta·C with Â read through strides (rs, cs) from an operand of `aLen` entries. */
  const product = (
    m: number, n: number, k: number,
    a: Float64Array, aOff: number, aLen: number, rs: number, cs: number,
    b: number,
    c: Float64Array, cOff: number, beta: number,
  ): void => {
    const pa = address(a, aOff, aLen, 0, 'a');
    const pc = address(c, cOff, m * n, 2, 'c');
    if (beta !== 0 || k < 8) w.scaleBlock(m, n, pc, beta);
    const work = scratchOf(4, (m - (m % 4) + PANEL) * k + 16);
    w.accumulate(m, n, k, pa, rs, cs, b, pc, beta === 0 && k >= 8 ? 1 : 0, work.byteOffset);
    unstage(c, cOff, m * n);
  };

  const gemm: Gemm = (m, n, k, a, aOff, b, bOff, c, cOff, beta = 0) =>
    product(m, n, k, a, aOff, m * k, k, 1, address(b, bOff, k * n, 1, 'b'), c, cOff, beta);

  const gemmTN: Gemm = (m, n, k, a, aOff, b, bOff, c, cOff, beta = 0) =>
    product(m, n, k, a, aOff, k * m, 1, m, address(b, bOff, k * n, 1, 'b'), c, cOff, beta);

  const gemmNT: Gemm = (m, n, k, a, aOff, b, bOff, c, cOff, beta = 0) => {
    const t = scratchOf(3, n * k);
    w.transpose(n, k, address(b, bOff, n * k, 1, 'b'), t.byteOffset);
    // the same two paths as the JS kernel: the rank-update kernel on Bᵀ for m ≥ 32, n ≥ 16, else dot products
    if (m >= 32 && n >= 16) return product(m, n, k, a, aOff, m * k, k, 1, t.byteOffset, c, cOff, beta);
    const pa = address(a, aOff, m * k, 0, 'a'), pc = address(c, cOff, m * n, 2, 'c');
    w.dotRows(m, n, k, pa, t.byteOffset, pc, beta);
    unstage(c, cOff, m * n);
  };

  // Data movement and elementwise kernels: with any operand outside the linear memory the JS twin (same bits) runs
  // instead of staging, since a copy would cost as much as the kernel.
  /** true when x is resident (then checked to hold `len` entries): the WASM kernel may run on it in place */
  const inPlace = (x: Float64Array, len: number, field: string): boolean => {
    if (!isResident(x)) return false;
    requireExtent(x, 0, len, field);
    return true;
  };

  const im2col: typeof js.im2col = (h, cin, k, count, cols) => {
    const n = cin * k * k * count;
    if (!(inPlace(h, n, 'h') && inPlace(cols, 9 * n, 'cols'))) return js.im2col(h, cin, k, count, cols);
    w.im2col(h.byteOffset, cin, k, count, cols.byteOffset);
  };

  const col2im: typeof js.col2im = (dcols, cin, k, count, dh) => {
    const n = cin * k * k * count;
    if (!(inPlace(dcols, 9 * n, 'dcols') && inPlace(dh, n, 'dh'))) return js.col2im(dcols, cin, k, count, dh);
    w.col2im(dcols.byteOffset, cin, k, count, dh.byteOffset);
  };

  const tanhBackward: typeof js.tanhBackward = (a, ga, gz, len) => {
    if (!(inPlace(a, len, 'a') && inPlace(ga, len, 'ga') && inPlace(gz, len, 'gz'))) return js.tanhBackward(a, ga, gz, len);
    w.tanhBackward(a.byteOffset, ga.byteOffset, gz.byteOffset, len);
  };

  const tanhForward: typeof js.tanhForward = (z, a, len) => {
    if (!(inPlace(z, len, 'z') && inPlace(a, len, 'a'))) return js.tanhForward(z, a, len);
    w.tanhForward(z.byteOffset, a.byteOffset, len);
  };

  const avgPool2Forward: typeof js.avgPool2Forward = (z, a, planes, k) => {
    if (!(inPlace(z, planes * k * k, 'z') && inPlace(a, (planes * k * k) / 4, 'a'))) return js.avgPool2Forward(z, a, planes, k);
    w.avgPool2Forward(z.byteOffset, a.byteOffset, planes, k);
  };

  const avgPool2Backward: typeof js.avgPool2Backward = (ga, gz, planes, k) => {
    if (!(inPlace(ga, (planes * k * k) / 4, 'ga') && inPlace(gz, planes * k * k, 'gz'))) return js.avgPool2Backward(ga, gz, planes, k);
    w.avgPool2Backward(ga.byteOffset, gz.byteOffset, planes, k);
  };

  const layerNormForward: typeof js.layerNormForward = (z, a, planes, m, eps) => {
    if (!(inPlace(z, planes * m, 'z') && inPlace(a, planes * m, 'a'))) return js.layerNormForward(z, a, planes, m, eps);
    w.layerNormForward(z.byteOffset, a.byteOffset, planes, m, eps);
  };

  const layerNormBackward: typeof js.layerNormBackward = (z, a, ga, gz, planes, m, eps) => {
    const n = planes * m;
    if (!(inPlace(z, n, 'z') && inPlace(a, n, 'a') && inPlace(ga, n, 'ga') && inPlace(gz, n, 'gz'))) return js.layerNormBackward(z, a, ga, gz, planes, m, eps);
    w.layerNormBackward(z.byteOffset, a.byteOffset, ga.byteOffset, gz.byteOffset, planes, m, eps);
  };

  return {
    gemm, gemmTN, gemmNT, im2col, col2im, tanhForward, tanhBackward, avgPool2Forward, avgPool2Backward, layerNormForward, layerNormBackward,
    workBuffer, resident: isResident,
  };
}
