/**
 * Runs TaskDefs with tinybench and turns each into TaskStats. A sample is the per-op time of a batch of `reps`
 * consecutive ops (reps calibrated so a sample lasts ≥ `minSampleMs`), measured with the task's clock and handed to
 * tinybench as overriddenDuration; its time budget is charged the batch's real duration. Whole processes are timed
 * one per sample with the wall clock, without warm-up.
 */
import { Bench, FnReturnedObject } from 'tinybench';
import { ErroredTask, TaskStats, clockFn, roundSig } from './report.js';
import { Op, TaskDef } from './tasks.js';

export interface HarnessOptions {
  /** time budget per task, ms (tinybench `time`) */
  timeMs: number;
  /** untimed calls for this long before calibrating, ms */
  warmupMs: number;
  /** at least this many samples per task */
  minSamples: number;
  /** samples of a whole-process task */
  processSamples: number;
  /** target duration of one sample, ms */
  minSampleMs: number;
  /** progress lines go here (stderr by default) */
  log?: (line: string) => void;
}

export const DEFAULT_HARNESS: HarnessOptions = { timeMs: 2000, warmupMs: 500, minSamples: 20, processSamples: 3, minSampleMs: 2 };

/** Longest stretch of synchronous measuring before the event loop gets a turn (an interrupt waits at most this). */
const YIELD_MS = 50;

/** Runs `op` for at least `ms` (and at least twice) so the JIT has compiled and settled the hot path. */
function warmup(op: () => void, ms: number): void {
  const t0 = performance.now();
  let n = 0;
  while (n < 2 || performance.now() - t0 < ms) {
    op();
    n++;
  }
}

/** Ops per sample so one sample lasts about `minSampleMs` on `now` (a median of 5 single-op timings). */
function calibrate(op: () => void, now: () => number, minSampleMs: number): number {
  const t: number[] = [];
  for (let i = 0; i < 5; i++) {
    const t0 = now();
    op();
    t.push(now() - t0);
  }
  t.sort((a, b) => a - b);
  const one = Math.max(t[2], 1e-4);
  return Math.max(1, Math.min(100_000, Math.ceil(minSampleMs / one)));
}

/** Statistics of a completed tinybench task, samples rounded to 6 significant digits. */
function statsOf(def: TaskDef, reps: number, latency: { mean: number; p50: number; p99: number; min: number; max: number; sd: number; rme: number; samplesCount: number; samples?: readonly number[] }): TaskStats {
  const samples = Array.from(latency.samples ?? [], (s) => roundSig(s, 6));
  return {
    name: def.name,
    group: def.group,
    description: def.description,
    clock: def.clock,
    reps,
    flops: def.flops,
    meanMs: roundSig(latency.mean, 6),
    p50Ms: roundSig(latency.p50, 6),
    p99Ms: roundSig(latency.p99, 6),
    minMs: roundSig(latency.min, 6),
    maxMs: roundSig(latency.max, 6),
    sdMs: roundSig(latency.sd, 6),
    rme: roundSig(latency.rme, 4),
    count: latency.samplesCount,
    gflops: def.flops === null ? null : roundSig(def.flops / (latency.p50 * 1e6), 4),
    samples,
  };
}

/** Measures one task; a failing setup or op becomes an ErroredTask (the rest of the suite still runs). */
export async function runTask(def: TaskDef, opts: HarnessOptions): Promise<TaskStats | ErroredTask> {
  const log = opts.log ?? ((line: string) => process.stderr.write(`${line}\n`));
  try {
    const op: Op = def.setup();
    const now = clockFn(def.clock);
    let reps = 1;
    let fn: () => FnReturnedObject | Promise<FnReturnedObject>;
    let bench: Bench;
    if (def.process) {
      fn = async () => {
        const t0 = now();
        await op();
        return { overriddenDuration: now() - t0 };
      };
      bench = new Bench({ time: 0, iterations: opts.processSamples, warmup: false, retainSamples: true, throws: true });
    } else {
      const sync = op as () => void;
      warmup(sync, opts.warmupMs);
      reps = calibrate(sync, now, opts.minSampleMs);
      let lastYield = performance.now();
      fn = async () => {
        // let the event loop run now and then, outside the timed region, so SIGINT/SIGTERM handlers fire mid-task
        if (performance.now() - lastYield > YIELD_MS) {
          await new Promise<void>((resolve) => setImmediate(resolve));
          lastYield = performance.now();
        }
        const w0 = performance.now(), t0 = now();
        for (let r = 0; r < reps; r++) sync();
        return { overriddenDuration: (now() - t0) / reps, overriddenIterationCost: performance.now() - w0 };
      };
      bench = new Bench({ time: opts.timeMs, iterations: opts.minSamples, warmup: false, retainSamples: true, throws: true });
    }
    bench.add(def.name, fn);
    await bench.run();
    const res = bench.tasks[0].result;
    if (res.state !== 'completed') throw new Error(`tinybench ended in state ${res.state}`);
    const s = statsOf(def, reps, res.latency);
    log(`${def.name.padEnd(26)} p50 ${fmtMs(s.p50Ms).padStart(10)}  mean ${fmtMs(s.meanMs).padStart(10)}  p99 ${fmtMs(s.p99Ms).padStart(10)}  ±${s.rme.toFixed(2)}%  n=${s.count}${s.gflops === null ? '' : `  ${s.gflops.toFixed(2)} GFLOP/s`}`);
    return s;
  } catch (e) {
    const error = e instanceof Error ? e.message : String(e);
    log(`${def.name.padEnd(26)} FAILED: ${error}`);
    return { name: def.name, group: def.group, description: def.description, error };
  }
}

/** A duration in ms with a unit that keeps 3–4 significant digits. */
export function fmtMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(3)} s`;
  if (ms >= 1) return `${ms.toFixed(3)} ms`;
  return `${(ms * 1000).toFixed(2)} µs`;
}
