/**
 * The kernel backend the models run on, chosen once per thread from EQFLOW_KERNELS: `wasm` (WebAssembly SIMD,
 * ./wasmKernels.ts), `js` (./kernels.ts), or unset = `wasm` when the module loads (the faster here: README
 * "Performance"), else `js`. Both give the same bits (test/kernels.wasm.test.ts), so the choice changes speed only.
 */
import { EqflowError } from './errors.js';
import * as js from './kernels.js';
import { KernelSet, loadWasmKernels } from './wasmKernels.js';

export type BackendName = 'js' | 'wasm';

const jsKernels: KernelSet = { ...js, workBuffer: (n: number) => new Float64Array(n) };

function choose(): { name: BackendName; kernels: KernelSet; resident: (x: Float64Array) => boolean; note: string } {
  const want = process.env.EQFLOW_KERNELS ?? '';
  if (want !== '' && want !== 'js' && want !== 'wasm') throw new EqflowError('invalid-argument', 'EQFLOW_KERNELS', `expected js or wasm, got "${want}"`);
  const everywhere = () => true; // JS kernels read any Float64Array in place
  if (want === 'js') return { name: 'js', kernels: jsKernels, resident: everywhere, note: 'EQFLOW_KERNELS=js' };
  const w = loadWasmKernels();
  if (!(w instanceof Error)) return { name: 'wasm', kernels: w, resident: w.resident, note: want === 'wasm' ? 'EQFLOW_KERNELS=wasm' : 'default' };
  if (want === 'wasm') throw new EqflowError('unsupported', 'EQFLOW_KERNELS', `the WASM kernels did not load (${w.message}); run npm run build:wasm`);
  return { name: 'js', kernels: jsKernels, resident: everywhere, note: `WASM kernels unavailable (${w.message})` };
}

const chosen = choose();

/** Which backend this thread runs and why (recorded by the benchmarks). */
export const kernelBackend: { readonly name: BackendName; readonly note: string } = { name: chosen.name, note: chosen.note };

export const {
  gemm, gemmTN, gemmNT, im2col, col2im, tanhForward, tanhBackward, avgPool2Forward, avgPool2Backward, layerNormForward, layerNormBackward, workBuffer,
} = chosen.kernels;

/**
 * A copy of an operand where the kernels read it in place, e.g. the parameters A once per step, so the per-sample
 * kernel calls that read A stage nothing. With the JS backend (or a resident operand) it is the operand itself.
 */
export class ResidentMirror {
  private buf: Float64Array = new Float64Array(0);

  /** src, or a resident copy of its first `len` entries */
  of(src: Float64Array, len = src.length): Float64Array {
    if (chosen.resident(src)) return src;
    if (this.buf.length < len) this.buf = workBuffer(len);
    this.buf.set(src.subarray(0, len));
    return this.buf;
  }
}
