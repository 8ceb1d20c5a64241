/**
 * `npm run bench:instructions`: a deterministic-ish measure of the MLP step, the number of instructions executed,
 * counted by `valgrind --tool=callgrind` on bench/instructions/mlpSteps.ts (bundled with esbuild first, so no
 * TypeScript loader runs inside valgrind). Counts do not depend on machine load, unlike times.
 *
 * Per-step count = (I(N2) − I(N1)) / (N2 − N1): the difference cancels Node's startup and module loading, and with
 * N1 past tier-up the JIT's compilation too. Three modes, each --runs times (default 3): V8 with its JIT (counts vary
 * from run to run: concurrent compiler and GC threads, time-based heuristics), the JIT with V8's --predictable
 * (single-threaded, deterministic scheduling of compilation and GC; the code measured is still the optimized
 * code) and `--jitless` (the interpreter only: ~25× the instructions per step). Prints totals, per-step counts
 * and their spread (max − min over mean), names the most stable mode and writes reports/bench/instructions.json.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { isMain, machineInfo, numberFlag, parseFlags, runCli } from './report.js';

export const INSTRUCTIONS_REPORT = 'reports/bench/instructions.json';

interface Mode {
  name: 'jit' | 'jit-predictable' | 'jitless';
  nodeFlags: string[];
  steps: [number, number];
}

interface Measurement {
  mode: Mode['name'];
  steps: number;
  run: number;
  instructions: number;
}

/** "a,b" → [a, b] with 0 ≤ a < b. */
function stepPair(v: string | undefined, def: [number, number], flag: string): [number, number] {
  if (v === undefined) return def;
  const p = v.split(',').map(Number);
  if (p.length !== 2 || !p.every((x) => Number.isInteger(x) && x >= 0) || p[0] >= p[1]) throw new EqflowError('invalid-argument', `--${flag}`, `expected "N1,N2" with 0 ≤ N1 < N2, got "${v}"`);
  return [p[0], p[1]];
}

/** Instructions of one `node [flags] bundle N` under callgrind (the "Collected" line valgrind prints). */
function countInstructions(bundle: string, mode: Mode, steps: number, outDir: string, tag: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const args = ['--tool=callgrind', `--callgrind-out-file=${join(outDir, `callgrind.${tag}.out`)}`, process.execPath, ...mode.nodeFlags, bundle, String(steps)];
    const child = spawn('valgrind', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString('utf8');
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      const m = /Collected\s*:\s*(\d+)/.exec(err);
      if (code !== 0 || !m) reject(new EqflowError('io', 'valgrind', `callgrind run ${tag} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`));
      else resolve(Number(m[1]));
    });
  });
}

/** Runs the jobs with at most `parallel` valgrind processes at a time (counts do not depend on contention). */
async function pool<T>(jobs: Array<() => Promise<T>>, parallel: number): Promise<T[]> {
  const out: T[] = new Array<T>(jobs.length);
  let next = 0;
  const worker = async () => {
    while (next < jobs.length) {
      const i = next++;
      out[i] = await jobs[i]();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, parallel) }, worker));
  return out;
}

function spreadOf(xs: number[]): { mean: number; min: number; max: number; relSpread: number } {
  const mean = xs.reduce((a, b) => a + b, 0) / xs.length;
  const min = Math.min(...xs), max = Math.max(...xs);
  return { mean, min, max, relSpread: (max - min) / mean };
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ['runs', 'jit-steps', 'jitless-steps', 'parallel', 'out']);
  if (spawnSync('valgrind', ['--version'], { stdio: 'ignore' }).status !== 0) {
    process.stdout.write('valgrind is not installed; instruction counts need it: apt-get install -y valgrind\n');
    return 0;
  }
  const runs = numberFlag(flags, 'runs', 3, 1);
  const parallel = numberFlag(flags, 'parallel', 2, 1);
  const out = flags.get('out') ?? INSTRUCTIONS_REPORT;
  const modes: Mode[] = [
    { name: 'jit', nodeFlags: [], steps: stepPair(flags.get('jit-steps'), [100, 300], 'jit-steps') },
    { name: 'jit-predictable', nodeFlags: ['--predictable'], steps: stepPair(flags.get('jit-steps'), [100, 300], 'jit-steps') },
    { name: 'jitless', nodeFlags: ['--jitless'], steps: stepPair(flags.get('jitless-steps'), [5, 15], 'jitless-steps') },
  ];
  const dir = await mkdtemp(join(tmpdir(), 'eqflow-callgrind-'));
  const bundle = join(dir, 'mlpSteps.mjs');
  const b = spawnSync('node_modules/.bin/esbuild', ['bench/instructions/mlpSteps.ts', '--bundle', '--platform=node', '--format=esm', `--outfile=${bundle}`, '--log-level=warning'], { encoding: 'utf8' });
  if (b.status !== 0) throw new EqflowError('io', 'esbuild', `bundling bench/instructions/mlpSteps.ts failed: ${b.stderr.trim()}`);
  const plan: Array<Omit<Measurement, 'instructions'> & { m: Mode }> = [];
  for (let r = 0; r < runs; r++) for (const m of modes) for (const steps of m.steps) plan.push({ mode: m.name, steps, run: r, m });
  process.stderr.write(`${plan.length} callgrind runs, ${parallel} at a time (each takes tens of seconds)\n`);
  const counts = await pool(plan.map((p) => () => countInstructions(bundle, p.m, p.steps, dir, `${p.mode}.${p.steps}.${p.run}`)), parallel);
  const measurements: Measurement[] = plan.map((p, i) => ({ mode: p.mode, steps: p.steps, run: p.run, instructions: counts[i] }));
  const summary = modes.map((m) => {
    const at = (steps: number) => measurements.filter((x) => x.mode === m.name && x.steps === steps).sort((x, y) => x.run - y.run).map((x) => x.instructions);
    const lo = at(m.steps[0]), hi = at(m.steps[1]);
    const perStep = hi.map((v, i) => (v - lo[i]) / (m.steps[1] - m.steps[0]));
    return { mode: m.name, nodeFlags: m.nodeFlags, steps: m.steps, totalsN1: lo, totalsN2: hi, totalsN2Spread: spreadOf(hi).relSpread, perStep, perStepStats: spreadOf(perStep) };
  });
  const stable = summary.slice().sort((x, y) => x.perStepStats.relSpread - y.perStepStats.relSpread)[0];
  for (const s of summary) {
    process.stdout.write(`${s.mode.padEnd(8)} totals at N=${s.steps[1]}: ${s.totalsN2.join(', ')} (spread ${(s.totalsN2Spread * 100).toFixed(3)}%)\n`);
    process.stdout.write(`${''.padEnd(8)} per step: ${s.perStep.map((v) => Math.round(v)).join(', ')} → mean ${Math.round(s.perStepStats.mean)}, spread ${(s.perStepStats.relSpread * 100).toFixed(3)}%\n`);
  }
  process.stdout.write(`more stable: ${stable.mode} (per-step spread ${(stable.perStepStats.relSpread * 100).toFixed(3)}%)\n`);
  await writeJsonAtomic(out, { kind: 'eqflow-bench-instructions', version: 1, task: 'mlp-small-reg-aug-step', machine: machineInfo(), valgrind: spawnSync('valgrind', ['--version'], { encoding: 'utf8' }).stdout.trim(), runs, summary, recommended: stable.mode, measurements });
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

if (isMain(import.meta.url)) runCli(main);
