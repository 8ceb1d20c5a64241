/**
 * Before/after of the gemm kernels on the shapes the models really call (`npm run bench:kernels`): the legacy
 * 4-rows × 1-k-step kernels (bench/legacyKernels.ts) against src/core/kernels.ts (JS) and the WebAssembly SIMD
 * kernels (src/core/wasmKernels.ts, operands in linear memory), interleaved in one process so all see the same load. Shapes: paperCnn with batch 10 (per-sample conv gemms, as src/models/cnn.ts calls them,
 * plus the old whole-batch conv shapes for reference), smallMlp and wideMlp with 128 rows (batch 32 × |C4|).
 * Prints a table and writes reports/bench/kernels.json.
 */
import { Bench, FnReturnedObject } from 'tinybench';
import { gemm, gemmNT, gemmTN } from '../src/core/kernels.js';
import { WasmKernels, loadWasmKernels } from '../src/core/wasmKernels.js';
import { paperCnn } from '../src/models/cnn.js';
import { smallMlp, wideMlp } from '../src/models/dense.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { GemmCall, GemmKind, cnnGemmCalls, denseGemmCalls } from './flops.js';
import { legacyGemm, legacyGemmNT, legacyGemmTN } from './legacyKernels.js';
import { cpuClockMs, machineInfo, parseFlags, roundSig } from './report.js';

type Kernel = typeof gemm;

const CURRENT: Record<GemmKind, Kernel> = { NN: gemm, TN: gemmTN, NT: gemmNT };
const LEGACY: Record<GemmKind, Kernel> = { NN: legacyGemm, TN: legacyGemmTN, NT: legacyGemmNT };
const loaded = loadWasmKernels();
if (loaded instanceof Error) throw new Error(`wasm/kernels.wasm did not load (npm run build:wasm): ${loaded.message}`);
const wasmKernels: WasmKernels = loaded;
const WASM: Record<GemmKind, Kernel> = { NN: wasmKernels.gemm, TN: wasmKernels.gemmTN, NT: wasmKernels.gemmNT };

interface ShapeRow {
  model: string;
  site: string;
  kind: GemmKind;
  m: number;
  n: number;
  k: number;
  repeat: number;
  beforeUs: number;
  afterUs: number;
  wasmUs: number;
  beforeGflops: number;
  afterGflops: number;
  wasmGflops: number;
  speedup: number;
  /** JS time / WASM time */
  wasmSpeedup: number;
}

/** The old whole-batch conv shapes (one gemm over B·k² columns), kept to compare with the figures quoted before. */
function batchedCnnCalls(count: number): GemmCall[] {
  return [
    { site: 'conv0 forward (whole batch, old layout)', kind: 'NN', m: 16, n: count * 784, k: 9, repeat: 1 },
    { site: 'conv1 forward (whole batch, old layout)', kind: 'NN', m: 16, n: count * 196, k: 144, repeat: 1 },
    { site: 'conv1 ∇K (whole batch, old layout)', kind: 'NT', m: 16, n: 144, k: count * 196, repeat: 1 },
    { site: 'conv1 δcols (whole batch, old layout)', kind: 'TN', m: 144, n: count * 196, k: 16, repeat: 1 },
  ];
}

/** Median per-call time (µs) of legacy, JS and WASM kernels on one shape, `rounds` interleaved tinybench runs. */
async function measure(call: GemmCall, timeMs: number, rounds: number): Promise<{ before: number; after: number; wasm: number }> {
  const { kind, m, n, k } = call;
  const aLen = m * k, bLen = k * n;
  // resident in the WASM linear memory, so the WASM kernel runs without staging (JS reads them in place too)
  const a = wasmKernels.workBuffer(aLen), b = wasmKernels.workBuffer(bLen), c = wasmKernels.workBuffer(m * n);
  for (let i = 0; i < aLen; i++) a[i] = Math.sin(i + 1);
  for (let i = 0; i < bLen; i++) b[i] = Math.cos(i + 1);
  // enough calls per sample that a sample lasts ~1 ms on the µs-resolution CPU clock
  const est = (2 * m * n * k) / 2e9 * 1e3;
  const reps = Math.max(1, Math.ceil(1 / Math.max(est, 1e-4)));
  // the sample is the per-call CPU time; the time budget is charged the whole batch (else it would run `reps`× long)
  const timed = (f: Kernel) => (): FnReturnedObject => {
    const w0 = performance.now(), t0 = cpuClockMs();
    for (let r = 0; r < reps; r++) f(m, n, k, a, 0, b, 0, c, 0, 1);
    return { overriddenDuration: (cpuClockMs() - t0) / reps, overriddenIterationCost: performance.now() - w0 };
  };
  const times: Record<string, number[]> = { before: [], after: [], wasm: [] };
  for (let r = 0; r < rounds; r++) {
    const bench = new Bench({ time: timeMs, warmupTime: Math.min(200, timeMs), iterations: 10, throws: true });
    bench.add('before', timed(LEGACY[kind]));
    bench.add('after', timed(CURRENT[kind]));
    bench.add('wasm', timed(WASM[kind]));
    await bench.run();
    for (const t of bench.tasks) {
      const res = t.result;
      if (res.state !== 'completed') throw new Error(`kernel task ${t.name} ${res.state}`);
      times[t.name].push(res.latency.p50 * 1000);
    }
  }
  const median = (x: number[]): number => x.slice().sort((p, q) => p - q)[Math.floor(x.length / 2)];
  return { before: median(times.before), after: median(times.after), wasm: median(times.wasm) };
}

async function main(): Promise<void> {
  const flags = parseFlags(process.argv.slice(2), ['time', 'rounds', 'out']);
  const timeMs = Number(flags.get('time') ?? 300);
  const rounds = Number(flags.get('rounds') ?? 3);
  const out = flags.get('out') ?? 'reports/bench/kernels.json';
  const models: Array<{ model: string; calls: GemmCall[] }> = [
    { model: 'paperCnn batch 10', calls: cnnGemmCalls(paperCnn(), 10) },
    { model: 'paperCnn batch 10', calls: batchedCnnCalls(10) },
    { model: 'smallMlp 128 rows', calls: denseGemmCalls(smallMlp(), 128) },
    { model: 'wideMlp 128 rows', calls: denseGemmCalls(wideMlp(), 128) },
    { model: 'square', calls: (['NN', 'TN', 'NT'] as GemmKind[]).map((kind) => ({ site: '256³ (the gemm target)', kind, m: 256, n: 256, k: 256, repeat: 1 })) },
  ];
  const rows: ShapeRow[] = [];
  for (const { model, calls } of models) {
    for (const call of calls) {
      const { before, after, wasm } = await measure(call, timeMs, rounds);
      const f = 2 * call.m * call.n * call.k;
      const row: ShapeRow = {
        model, site: call.site, kind: call.kind, m: call.m, n: call.n, k: call.k, repeat: call.repeat,
        beforeUs: roundSig(before, 4), afterUs: roundSig(after, 4), wasmUs: roundSig(wasm, 4),
        beforeGflops: roundSig(f / before / 1e3, 3), afterGflops: roundSig(f / after / 1e3, 3), wasmGflops: roundSig(f / wasm / 1e3, 3),
        speedup: roundSig(before / after, 3), wasmSpeedup: roundSig(after / wasm, 3),
      };
      rows.push(row);
      process.stdout.write(`${model.padEnd(18)} ${call.site.padEnd(40)} ${call.kind} ${`${call.m}×${call.n}×${call.k}`.padEnd(14)} ×${String(call.repeat).padEnd(3)} ` +
        `before ${row.beforeUs.toFixed(1).padStart(8)} µs ${row.beforeGflops.toFixed(2).padStart(5)} GF/s   js ${row.afterUs.toFixed(1).padStart(8)} µs ${row.afterGflops.toFixed(2).padStart(5)} GF/s   ` +
        `wasm ${row.wasmUs.toFixed(1).padStart(8)} µs ${row.wasmGflops.toFixed(2).padStart(5)} GF/s   js/wasm ×${row.wasmSpeedup.toFixed(2)}\n`);
    }
  }
  // per step: Σ repeat·time over the calls the current models make (the old-layout rows are reference only)
  const perStep = (model: string) => {
    const rs = rows.filter((r) => r.model === model && !r.site.includes('old layout'));
    const b = rs.reduce((s, r) => s + r.repeat * r.beforeUs, 0), a = rs.reduce((s, r) => s + r.repeat * r.afterUs, 0);
    const w = rs.reduce((s, r) => s + r.repeat * r.wasmUs, 0);
    const f = rs.reduce((s, r) => s + 2 * r.m * r.n * r.k * r.repeat, 0);
    return {
      model, flops: f, beforeUs: roundSig(b, 4), afterUs: roundSig(a, 4), wasmUs: roundSig(w, 4),
      beforeGflops: roundSig(f / b / 1e3, 3), afterGflops: roundSig(f / a / 1e3, 3), wasmGflops: roundSig(f / w / 1e3, 3), speedup: roundSig(b / a, 3), wasmSpeedup: roundSig(a / w, 3),
    };
  };
  const totals = ['paperCnn batch 10', 'smallMlp 128 rows', 'wideMlp 128 rows'].map(perStep);
  for (const t of totals) process.stdout.write(`gemm time per lossGradient, ${t.model}: legacy ${t.beforeUs} µs → js ${t.afterUs} µs → wasm ${t.wasmUs} µs (${t.beforeGflops} → ${t.afterGflops} → ${t.wasmGflops} GFLOP/s over ${t.flops} flops)\n`);
  await writeJsonAtomic(out, { kind: 'eqflow-kernel-bench', version: 1, clock: 'cpu', machine: machineInfo(), timeMs, rounds, shapes: rows, perStep: totals });
  process.stdout.write(`wrote ${out}\n`);
}

await main();
