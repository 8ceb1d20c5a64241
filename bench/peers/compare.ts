/**
 * `npm run bench:peers`: our MLP and CNN gradient steps against the PyTorch peers of torch_steps.py on this machine,
 * interleaved — ours, torch, ours, torch … for --rounds N ≥ 3 rounds (default 3) — so a drift in machine load hits
 * both sides. Both are timed on the wall clock, single-threaded. Each round runs torch with the system BLAS and,
 * when an extracted OpenBLAS is found ($EQFLOW_OPENBLAS_DIR, default /tmp/ob/root/usr/lib/x86_64-linux-gnu/
 * openblas-pthread; see bench/peers/README.md), again with OpenBLAS (OPENBLAS_NUM_THREADS=1). Reported figures are
 * medians over rounds of each round's median. Prints a table and writes reports/bench/peers.json.
 * Without torch it prints how to install it and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EqflowError } from '../../src/core/errors.js';
import { writeJsonAtomic } from '../../src/report/atomic.js';
import { DEFAULT_HARNESS, runTask } from '../harness.js';
import { isMain, machineInfo, numberFlag, parseFlags, roundSig, runCli } from '../report.js';
import { median } from '../stats.js';
import { peerTasks } from '../tasks.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = 'bench/peers/torch_steps.py';
export const PEERS_REPORT = 'reports/bench/peers.json';
const DEFAULT_OPENBLAS = '/tmp/ob/root/usr/lib/x86_64-linux-gnu/openblas-pthread';

const torchOutput = z.object({
  torch: z.string(),
  threads: z.number(),
  blas: z.string(),
  results: z.array(z.object({ task: z.string(), dtype: z.enum(['float64', 'float32']), meanSec: z.number(), medianSec: z.number(), samples: z.number() })),
});
type TorchOutput = z.infer<typeof torchOutput>;

interface Blas {
  label: string;
  env: NodeJS.ProcessEnv;
}

function torchAvailable(): boolean {
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' });
  return r.status === 0;
}

/** The BLAS variants to run torch with: the system's, and the extracted OpenBLAS when it is there. */
function blasVariants(): Blas[] {
  const out: Blas[] = [{ label: 'system BLAS', env: { ...process.env } }];
  const dir = process.env.EQFLOW_OPENBLAS_DIR ?? DEFAULT_OPENBLAS;
  if (existsSync(join(dir, 'libblas.so.3')) || existsSync(join(dir, 'libopenblas.so.0'))) {
    out.push({ label: 'OpenBLAS', env: { ...process.env, LD_LIBRARY_PATH: dir, OPENBLAS_NUM_THREADS: '1' } });
  }
  return out;
}

function runTorch(blas: Blas, minTime: number): TorchOutput {
  const r = spawnSync(PYTHON, [SCRIPT, '--min-time', String(minTime)], { env: blas.env, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new EqflowError('io', SCRIPT, `torch peer (${blas.label}) exited with ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
  const line = r.stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line) as unknown;
  } catch {
    throw new EqflowError('invalid-argument', SCRIPT, `expected one JSON line from the torch peer, got "${line.slice(0, 200)}"`);
  }
  const v = torchOutput.safeParse(parsed);
  if (!v.success) throw new EqflowError('invalid-argument', SCRIPT, `unexpected torch peer output: ${v.error.issues[0].message}`);
  return v.data;
}

interface Row {
  task: string;
  oursMs: number;
  oursGflops: number | null;
  /** per BLAS label: float64 and float32 medians (ms) and ours / torch-f64 */
  torch: Record<string, { f64Ms: number; f32Ms: number; ratioF64: number; ratioF32: number }>;
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ['rounds', 'time', 'out']);
  if (!torchAvailable()) {
    process.stdout.write(
      `PyTorch is not importable by ${PYTHON}; the peer comparison needs it:\n` +
        '  apt-get install -y python3-torch python3-numpy   # Debian 12: torch 1.13\n' +
        `then: npm run bench:peers   (see bench/peers/README.md for single-threaded OpenBLAS)\n`,
    );
    return 0;
  }
  const rounds = numberFlag(flags, 'rounds', 3, 3);
  const timeMs = numberFlag(flags, 'time', 1000, 100);
  const out = flags.get('out') ?? PEERS_REPORT;
  const tasks = peerTasks();
  const blas = blasVariants();
  const ours = new Map<string, number[]>();
  const theirs = new Map<string, number[]>(); // key `${blas}|${task}|${dtype}` → ms per round
  const torchInfo: Array<{ label: string; torch: string; blas: string; threads: number }> = [];
  const opts = { ...DEFAULT_HARNESS, timeMs, warmupMs: 300 };
  for (let r = 0; r < rounds; r++) {
    process.stderr.write(`round ${r + 1}/${rounds}: eqflow\n`);
    for (const def of tasks) {
      const res = await runTask(def, opts);
      if ('error' in res) throw new EqflowError('invalid-argument', def.name, res.error);
      ours.set(def.name, [...(ours.get(def.name) ?? []), res.p50Ms]);
    }
    for (const b of blas) {
      process.stderr.write(`round ${r + 1}/${rounds}: torch (${b.label})\n`);
      const t = runTorch(b, timeMs / 1000);
      if (r === 0) torchInfo.push({ label: b.label, torch: t.torch, blas: t.blas, threads: t.threads });
      for (const x of t.results) {
        const key = `${b.label}|${x.task}|${x.dtype}`;
        theirs.set(key, [...(theirs.get(key) ?? []), x.medianSec * 1000]);
      }
    }
  }
  const rows: Row[] = tasks.map((def) => {
    const oursMs = median(ours.get(def.name) ?? []);
    const torch: Row['torch'] = {};
    for (const b of blas) {
      const f64 = theirs.get(`${b.label}|${def.peer}|float64`), f32 = theirs.get(`${b.label}|${def.peer}|float32`);
      if (!f64 || !f32) continue;
      const f64Ms = median(f64), f32Ms = median(f32);
      torch[b.label] = { f64Ms: roundSig(f64Ms, 4), f32Ms: roundSig(f32Ms, 4), ratioF64: roundSig(oursMs / f64Ms, 3), ratioF32: roundSig(oursMs / f32Ms, 3) };
    }
    return { task: def.name, oursMs: roundSig(oursMs, 4), oursGflops: def.flops === null ? null : roundSig(def.flops / (oursMs * 1e6), 3), torch };
  });
  const fmt = (x: number) => x.toFixed(3).padStart(9);
  for (const b of blas) {
    const info = torchInfo.find((t) => t.label === b.label);
    process.stdout.write(`\ntorch ${info?.torch ?? '?'} with ${b.label} (${info?.blas ?? '?'}), ${info?.threads ?? '?'} thread; medians over ${rounds} interleaved rounds\n`);
    process.stdout.write(`${'task'.padEnd(20)} ${'ours ms'.padStart(9)} ${'torch f64'.padStart(9)} ${'torch f32'.padStart(9)} ${'ours/f64'.padStart(9)} ${'ours/f32'.padStart(9)} ${'ours GF/s'.padStart(9)}\n`);
    for (const row of rows) {
      const t = row.torch[b.label];
      if (!t) continue;
      process.stdout.write(`${row.task.padEnd(20)} ${fmt(row.oursMs)} ${fmt(t.f64Ms)} ${fmt(t.f32Ms)} ${fmt(t.ratioF64)} ${fmt(t.ratioF32)} ${(row.oursGflops ?? 0).toFixed(2).padStart(9)}\n`);
    }
  }
  await writeJsonAtomic(out, {
    kind: 'eqflow-bench-peers', version: 1, machine: machineInfo(), rounds, timeMs, clock: 'wall', torch: torchInfo, rows,
    raw: { ours: Object.fromEntries(ours), torch: Object.fromEntries(theirs) },
  });
  process.stdout.write(`\nwrote ${out}\n`);
  return 0;
}

if (isMain(import.meta.url)) runCli(main);
