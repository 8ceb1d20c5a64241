/**
 * One round of eqflow's side of `npm run bench:peers`, in its own process so each kernel backend (EQFLOW_KERNELS,
 * chosen once per process) is measured on its own: the peer tasks of bench/tasks.ts (p50 wall ms of single calls) and the gemm of
 * the chosen backend on 256×256×256 float64 (GFLOP/s, median CPU time of 15 calls after warm-up: the process's CPU
 * time, like the torch side's dgemm, so other load on the machine does not count). Prints one JSON line.
 */
import { gemm, kernelBackend, workBuffer } from '../../src/core/backend.js';
import { DEFAULT_HARNESS, runTask } from '../harness.js';
import { cpuClockMs, isMain, numberFlag, parseFlags, runCli } from '../report.js';
import { median } from '../stats.js';
import { peerTasks } from '../tasks.js';

/** GFLOP/s of C ← A·B on n×n×n in work buffers (resident with the WASM backend), on the process CPU clock. */
export function gemmGflops(n: number, calls = 15): number {
  const a = workBuffer(n * n), b = workBuffer(n * n), c = workBuffer(n * n);
  for (let i = 0; i < n * n; i++) {
    a[i] = Math.sin(i);
    b[i] = Math.cos(i);
  }
  for (let r = 0; r < 5; r++) gemm(n, n, n, a, 0, b, 0, c, 0);
  const t: number[] = [];
  for (let r = 0; r < calls; r++) {
    const t0 = cpuClockMs();
    gemm(n, n, n, a, 0, b, 0, c, 0);
    t.push(cpuClockMs() - t0);
  }
  return (2 * n ** 3) / (median(t) * 1e6);
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ['time']);
  const timeMs = numberFlag(flags, 'time', 1000, 100);
  const results: Array<{ task: string; p50Ms: number }> = [];
  for (const def of peerTasks()) {
    // one op per sample, as torch_steps.py times single calls: a preempted call is one outlier, not a slow batch
    const res = await runTask(def, { ...DEFAULT_HARNESS, timeMs, warmupMs: 300, minSampleMs: 0, log: () => undefined });
    if ('error' in res) throw new Error(`${def.name}: ${res.error}`);
    results.push({ task: def.name, p50Ms: res.p50Ms });
  }
  process.stdout.write(`${JSON.stringify({ backend: kernelBackend.name, note: kernelBackend.note, gemm256Gflops: gemmGflops(256), results })}\n`);
  return 0;
}

if (isMain(import.meta.url)) runCli(main);
