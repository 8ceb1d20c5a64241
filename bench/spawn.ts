/** Runs the suite in a fresh Node process (bench/run.ts), so every run of a baseline or a check has its own JIT. */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EqflowError } from '../src/core/errors.js';
import { saveOnInterrupt } from '../src/report/interrupt.js';
import { BenchRun, loadRun } from './report.js';

/** The options save/check pass through to every run: the harness's, and where the runs' history lines go. */
export const PASSTHROUGH = ['time', 'warmup', 'samples', 'process-samples', 'tasks', 'history'] as const;

export function passthroughArgs(flags: Map<string, string>): string[] {
  const out: string[] = [];
  for (const k of PASSTHROUGH) {
    const v = flags.get(k);
    if (v !== undefined) out.push(`--${k}`, v);
  }
  return out;
}

/** Runs bench/run.ts once; exit 0 (all tasks measured) and 3 (some task failed, recorded in `errored`) both give a run. */
async function spawnRun(out: string, source: BenchRun['source'], extra: readonly string[], signal: AbortSignal): Promise<BenchRun> {
  const code = await new Promise<number | null>((resolve, reject) => {
    // an abort sends the child SIGTERM, on which it saves its own partial file (bench/run.ts)
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--out', out, '--source', source, ...extra], { stdio: ['ignore', 'inherit', 'inherit'], signal, killSignal: 'SIGTERM' });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c));
  });
  if (code !== 0 && code !== 3) throw new EqflowError('io', 'bench/run.ts', `the benchmark run exited with ${code}`);
  return loadRun(out);
}

/**
 * `runs` runs of the suite, each in a fresh process, their files in a new temporary directory. Interrupted, it stops
 * the running child and says which runs finished and where they are, and that `keeps` (the files the caller would
 * have written at the end) was left as it was.
 */
export async function spawnRuns(runs: number, source: BenchRun['source'], extra: readonly string[], keeps: string): Promise<BenchRun[]> {
  const dir = await mkdtemp(join(tmpdir(), 'eqflow-bench-'));
  const results: BenchRun[] = [];
  const abort = new AbortController();
  const release = saveOnInterrupt('bench', async () => {
    abort.abort();
    return `${results.length} of ${runs} runs finished, their files in ${dir}; ${keeps} left as it was`;
  });
  try {
    for (let r = 0; r < runs; r++) {
      process.stderr.write(`run ${r + 1}/${runs}\n`);
      results.push(await spawnRun(join(dir, `run${r}.json`), source, extra, abort.signal));
    }
  } finally {
    release();
  }
  return results;
}
