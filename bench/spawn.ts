/** Runs the suite in a fresh Node process (bench/run.ts), so every run of a baseline or a check has its own JIT. */
import { spawn } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EqflowError } from '../src/core/errors.js';
import { BenchRun, loadRun } from './report.js';

/** The harness options save/check pass through to every run. */
export const PASSTHROUGH = ['time', 'warmup', 'samples', 'process-samples', 'tasks'] as const;

export function passthroughArgs(flags: Map<string, string>): string[] {
  const out: string[] = [];
  for (const k of PASSTHROUGH) {
    const v = flags.get(k);
    if (v !== undefined) out.push(`--${k}`, v);
  }
  return out;
}

/** A temporary directory for the runs' JSON files. */
export async function scratchDir(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'eqflow-bench-'));
}

/** Runs bench/run.ts once; exit 0 (all tasks measured) and 3 (some task failed, recorded in `errored`) both give a run. */
export async function spawnRun(out: string, source: BenchRun['source'], extra: readonly string[]): Promise<BenchRun> {
  const code = await new Promise<number | null>((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'bench/run.ts', '--out', out, '--source', source, ...extra], { stdio: ['ignore', 'inherit', 'inherit'] });
    child.on('error', reject);
    child.on('exit', (c) => resolve(c));
  });
  if (code !== 0 && code !== 3) throw new EqflowError('io', 'bench/run.ts', `the benchmark run exited with ${code}`);
  return loadRun(out);
}
