/**
 * eqflow's tanh (src/core/kernels.ts tanh1 / tanhForward, and its WASM twin) against Math.tanh on 10⁶ points:
 * log-uniform magnitudes from subnormal to 30 with both signs, the branch edges (0.625, 22) and their neighbours,
 * and the extremes (±0, ±5e-324, ±MAX_VALUE, ±Infinity, NaN). The error is counted in ulps of Math.tanh's result
 * (the distance between the two doubles' positions on the float line) and must stay within TANH_ULPS; the WASM
 * backend must give the same bits as the JS one on every point. NEGATIVE CONTROL: the textbook 1 − 2/(e^{2x} + 1)
 * loses digits near 0 and is caught by the same ulp check.
 */
import { describe, expect, it } from 'vitest';
import { TANH_ULPS, tanh1, tanhForward } from '../src/core/kernels.js';
import { RandomStream } from '../src/core/rng.js';
import { loadWasmKernels } from '../src/core/wasmKernels.js';

const f = new Float64Array(1), bits = new BigInt64Array(f.buffer);
/** Position of x on the float line (monotone in x, adjacent doubles differ by 1; −0 and +0 share 0). */
function ordinal(x: number): bigint {
  f[0] = x;
  const b = bits[0];
  return b < 0n ? -(b & 0x7fffffffffffffffn) : b;
}

/** ulps between got and want (0 when both are NaN, Infinity when only one is). */
function ulps(got: number, want: number): number {
  if (Number.isNaN(want) || Number.isNaN(got)) return Number.isNaN(want) && Number.isNaN(got) ? 0 : Infinity;
  const d = ordinal(got) - ordinal(want);
  return Number(d < 0n ? -d : d);
}

function points(): Float64Array {
  const edges: number[] = [0, -0, 5e-324, 2.2250738585072014e-308, 1e-300, 1e-17, 1e-8, 0.5, 1, 2, 10, 21.99, 1e308, Number.MAX_VALUE, Infinity, NaN];
  for (const e of [0.625, 22]) for (let k = -4; k <= 4; k++) edges.push(e + k * e * Number.EPSILON);
  const rng = new RandomStream('test/tanh');
  const n = 1_000_000;
  const x = new Float64Array(n);
  let i = 0;
  for (const e of edges) {
    x[i++] = e;
    x[i++] = -e;
  }
  for (; i < n; i++) {
    const mag = 10 ** (-310 + 311.5 * rng.uniform()); // log-uniform over [1e-310, ~30]
    x[i] = rng.uniform() < 0.5 ? -mag : mag;
  }
  return x;
}

describe('tanh', () => {
  const x = points();

  it(`is within ${TANH_ULPS} ulps of Math.tanh on 10⁶ points, extremes included, and odd with ±0 kept`, () => {
    const y = new Float64Array(x.length);
    tanhForward(x, y, x.length);
    let worst = 0, at = 0;
    for (let i = 0; i < x.length; i++) {
      const u = ulps(y[i], Math.tanh(x[i]));
      if (u > worst) [worst, at] = [u, x[i]];
    }
    expect(worst, `worst ${worst} ulps at x = ${at}`).toBeLessThanOrEqual(TANH_ULPS);
    expect(Object.is(tanh1(-0), -0)).toBe(true);
    expect([tanh1(Infinity), tanh1(-Infinity), tanh1(-5e-324)]).toEqual([1, -1, -5e-324]);
  });

  it('the WASM backend gives the same bits on every point (aligned and odd lengths)', () => {
    const w = loadWasmKernels();
    if (w instanceof Error) throw w;
    for (const len of [x.length, x.length - 1]) {
      const z = w.workBuffer(len), a = w.workBuffer(len), want = new Float64Array(len);
      z.set(x.subarray(0, len));
      w.tanhForward(z, a, len);
      tanhForward(x, want, len);
      let diff = -1;
      for (let i = 0; i < len && diff < 0; i++) if (!Object.is(a[i], want[i])) diff = i;
      expect(diff, diff >= 0 ? `x = ${x[diff]}: wasm ${a[diff]}, js ${want[diff]}` : '').toBe(-1);
    }
  });

  it('NEGATIVE CONTROL: 1 − 2/(e^{2x} + 1) fails the ulp bound near 0', () => {
    let worst = 0;
    for (let i = 0; i < 10_000; i++) worst = Math.max(worst, ulps(1 - 2 / (Math.exp(2 * x[i + 100]) + 1), Math.tanh(x[i + 100])));
    expect(worst).toBeGreaterThan(TANH_ULPS);
  });
});
