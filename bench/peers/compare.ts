/**
 * `npm run bench:peers`: our MLP and CNN gradient steps against the PyTorch peers of torch_steps.py on this machine,
 * interleaved — ours (each kernel backend in its own process, bench/peers/ours.ts), torch, ours, torch … for
 * --rounds N ≥ 3 rounds (default 3) — so a drift in machine load hits both sides. Both are timed on the wall clock,
 * single-threaded. torch runs on OpenBLAS (OPENBLAS_NUM_THREADS=1), selected through Debian's alternatives for
 * libblas.so.3 (the libopenblas0-pthread package; `--install-openblas` installs it when missing and running as root)
 * by putting its directory first on LD_LIBRARY_PATH, so the system setting is left alone; the BLAS torch really
 * loaded is recorded. The same torch process times float64 torch.mm on 256³ and 1024³: the best round of the
 * latter (of either, when load made 256³ faster) is this core's float64 peak our gemm is reported against. Reported figures are medians over rounds of each round's median.
 * Prints a table and writes reports/bench/peers.json. Without torch it prints how to install it and exits 0.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { z } from 'zod';
import { EqflowError } from '../../src/core/errors.js';
import { writeJsonAtomic } from '../../src/report/atomic.js';
import { isMain, machineInfo, numberFlag, parseFlags, roundSig, runCli } from '../report.js';
import { median } from '../stats.js';
import { peerTasks } from '../tasks.js';

const PYTHON = '/usr/bin/python3';
const SCRIPT = 'bench/peers/torch_steps.py';
const OURS = 'bench/peers/ours.ts';
export const PEERS_REPORT = 'reports/bench/peers.json';
const ALTERNATIVE = 'libblas.so.3-x86_64-linux-gnu';
const EXTRACTED = '/tmp/ob/root/usr/lib/x86_64-linux-gnu/openblas-pthread';
/** torch.mm sizes timed in float64: 256 (the gemm target's shape) and 1024 (the core's peak) */
const GEMM_SIZES = [256, 1024];

const torchOutput = z.object({
  torch: z.string(),
  threads: z.number(),
  blas: z.string(),
  results: z.array(z.object({ task: z.string(), dtype: z.enum(['float64', 'float32']), meanSec: z.number(), medianSec: z.number(), samples: z.number() })),
  gemm: z.array(z.object({ n: z.number(), gflops: z.number() })),
});
type TorchOutput = z.infer<typeof torchOutput>;

const oursOutput = z.object({
  backend: z.enum(['js', 'wasm']),
  note: z.string(),
  gemm256Gflops: z.number(),
  results: z.array(z.object({ task: z.string(), p50Ms: z.number() })),
});
type OursOutput = z.infer<typeof oursOutput>;

function torchAvailable(): boolean {
  return spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;
}

/** The OpenBLAS directory among the libblas.so.3 alternatives ($EQFLOW_OPENBLAS_DIR first, an extracted copy last). */
function findOpenBlas(): string | null {
  const env = process.env.EQFLOW_OPENBLAS_DIR;
  if (env) return env;
  const r = spawnSync('update-alternatives', ['--list', ALTERNATIVE], { encoding: 'utf8' });
  const candidate = (r.stdout ?? '').split('\n').find((p) => p.includes('openblas'));
  if (candidate) return dirname(candidate.trim());
  return existsSync(join(EXTRACTED, 'libblas.so.3')) ? EXTRACTED : null;
}

function openBlasDir(install: boolean): string | null {
  const dir = findOpenBlas();
  if (dir || !install) return dir;
  if (process.getuid?.() !== 0) throw new EqflowError('invalid-argument', '--install-openblas', 'installing libopenblas0-pthread needs root (apt-get)');
  process.stderr.write('installing libopenblas0-pthread (apt-get)…\n');
  const r = spawnSync('apt-get', ['install', '-y', 'libopenblas0-pthread'], { stdio: 'inherit' });
  if (r.status !== 0) throw new EqflowError('io', '--install-openblas', `apt-get install libopenblas0-pthread exited with ${r.status}`);
  return findOpenBlas();
}

function parseLine<T>(who: string, stdout: string, schema: z.ZodType<T>): T {
  const line = stdout.trim().split('\n').pop() ?? '';
  let parsed: unknown;
  try {
    parsed = JSON.parse(line) as unknown;
  } catch {
    throw new EqflowError('invalid-argument', who, `expected one JSON line, got "${line.slice(0, 200)}"`);
  }
  const v = schema.safeParse(parsed);
  if (!v.success) throw new EqflowError('invalid-argument', who, `unexpected output: ${v.error.issues[0].message}`);
  return v.data;
}

function runTorch(env: NodeJS.ProcessEnv, minTime: number): TorchOutput {
  const r = spawnSync(PYTHON, [SCRIPT, '--min-time', String(minTime), '--gemm', GEMM_SIZES.join(',')], { env, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new EqflowError('io', SCRIPT, `torch peer exited with ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
  return parseLine(SCRIPT, r.stdout, torchOutput);
}

function runOurs(backend: string, timeMs: number): OursOutput {
  const r = spawnSync(process.execPath, ['--import', 'tsx', OURS, '--time', String(timeMs)], { env: { ...process.env, EQFLOW_KERNELS: backend }, encoding: 'utf8', maxBuffer: 1 << 20 });
  if (r.status !== 0) throw new EqflowError('io', OURS, `eqflow (${backend}) exited with ${r.status}: ${(r.stderr ?? '').trim().split('\n').slice(-2).join(' | ')}`);
  return parseLine(OURS, r.stdout, oursOutput);
}

interface Row {
  task: string;
  flops: number | null;
  /** per backend: p50 ms, GFLOP/s, and the ratios to torch float64 / float32 */
  ours: Record<string, { ms: number; gflops: number | null; ratioF64: number; ratioF32: number }>;
  torchF64Ms: number;
  torchF32Ms: number;
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ['rounds', 'time', 'out', 'backends', 'install-openblas']);
  if (!torchAvailable()) {
    process.stdout.write(
      `PyTorch is not importable by ${PYTHON}; the peer comparison needs it:\n` +
        '  apt-get install -y python3-torch python3-numpy libopenblas0-pthread   # Debian 12: torch 1.13\n' +
        'then: npm run bench:peers   (see bench/peers/README.md)\n',
    );
    return 0;
  }
  const rounds = numberFlag(flags, 'rounds', 3, 3);
  const timeMs = numberFlag(flags, 'time', 1000, 100);
  const out = flags.get('out') ?? PEERS_REPORT;
  const backends = (flags.get('backends') ?? 'wasm,js').split(',').map((b) => b.trim());
  for (const b of backends) if (b !== 'js' && b !== 'wasm') throw new EqflowError('invalid-argument', '--backends', `expected js and/or wasm, got "${b}"`);
  const dir = openBlasDir(flags.has('install-openblas'));
  if (!dir) process.stderr.write('OpenBLAS not found among the libblas.so.3 alternatives: torch runs on the system BLAS (apt-get install libopenblas0-pthread, or --install-openblas)\n');
  const env: NodeJS.ProcessEnv = dir ? { ...process.env, LD_LIBRARY_PATH: [dir, process.env.LD_LIBRARY_PATH].filter(Boolean).join(':'), OPENBLAS_NUM_THREADS: '1' } : { ...process.env };
  const tasks = peerTasks();
  const ours = new Map<string, number[]>(); // `${backend}|${task}` → p50 ms per round
  const oursGemm = new Map<string, number[]>();
  const theirs = new Map<string, number[]>(); // `${task}|${dtype}` → ms per round
  const torchGemm = new Map<number, number[]>();
  const push = <K>(m: Map<K, number[]>, k: K, v: number) => m.set(k, [...(m.get(k) ?? []), v]);
  let torchInfo: { torch: string; blas: string; threads: number } | null = null;
  const notes = new Map<string, string>();
  for (let r = 0; r < rounds; r++) {
    for (const b of backends) {
      process.stderr.write(`round ${r + 1}/${rounds}: eqflow (${b} kernels)\n`);
      const o = runOurs(b, timeMs);
      if (o.backend !== b) throw new EqflowError('unsupported', 'EQFLOW_KERNELS', `asked for ${b} kernels, the process ran ${o.backend} (${o.note})`);
      notes.set(b, o.note);
      for (const x of o.results) push(ours, `${b}|${x.task}`, x.p50Ms);
      push(oursGemm, b, o.gemm256Gflops);
    }
    process.stderr.write(`round ${r + 1}/${rounds}: torch\n`);
    const t = runTorch(env, timeMs / 1000);
    torchInfo ??= { torch: t.torch, blas: t.blas, threads: t.threads };
    for (const x of t.results) push(theirs, `${x.task}|${x.dtype}`, x.medianSec * 1000);
    for (const g of t.gemm) push(torchGemm, g.n, g.gflops);
  }
  const med = <K>(m: Map<K, number[]>, k: K): number => median(m.get(k) ?? [Number.NaN]);
  const rows: Row[] = tasks.map((def) => {
    const f64 = med(theirs, `${def.peer}|float64`), f32 = med(theirs, `${def.peer}|float32`);
    const row: Row = { task: def.name, flops: def.flops, ours: {}, torchF64Ms: roundSig(f64, 4), torchF32Ms: roundSig(f32, 4) };
    for (const b of backends) {
      const ms = med(ours, `${b}|${def.name}`);
      row.ours[b] = { ms: roundSig(ms, 4), gflops: def.flops === null ? null : roundSig(def.flops / (ms * 1e6), 3), ratioF64: roundSig(ms / f64, 3), ratioF32: roundSig(ms / f32, 3) };
    }
    return row;
  });
  // the peak is OpenBLAS's best round on 1024³ (the one least disturbed by other load), or on 256³ when a loaded
  // machine made that faster (the larger product suffers more from shared caches); ours likewise best and median
  const best = <K>(m: Map<K, number[]>, k: K): number => Math.max(...(m.get(k) ?? [Number.NaN]));
  const peak = Math.max(best(torchGemm, 1024), best(torchGemm, 256));
  const gemm = {
    n: 256,
    ours: Object.fromEntries(backends.map((b) => [b, { gflops: roundSig(med(oursGemm, b), 3), bestGflops: roundSig(best(oursGemm, b), 3), ofPeak: roundSig(best(oursGemm, b) / peak, 3) }])),
    openblas256Gflops: roundSig(med(torchGemm, 256), 3),
    openblas256BestGflops: roundSig(best(torchGemm, 256), 3),
    openblas1024BestGflops: roundSig(best(torchGemm, 1024), 3),
    peakGflops: roundSig(peak, 3),
  };
  const fmt = (x: number, w = 9) => (Number.isFinite(x) ? x.toFixed(3) : '–').padStart(w);
  process.stdout.write(`\ntorch ${torchInfo?.torch ?? '?'} on ${torchInfo?.blas ?? '?'}, ${torchInfo?.threads ?? '?'} thread; eqflow kernels ${backends.join(', ')}; medians over ${rounds} interleaved rounds (wall clock)\n`);
  process.stdout.write(`${'task'.padEnd(20)}${backends.map((b) => `${b} ms`.padStart(10)).join('')}${'torch f64'.padStart(10)}${'torch f32'.padStart(10)}${backends.map((b) => `${b}/f64`.padStart(10) + `${b}/f32`.padStart(10)).join('')}\n`);
  for (const row of rows) {
    const cells = backends.map((b) => fmt(row.ours[b].ms, 10)).join('');
    const ratios = backends.map((b) => fmt(row.ours[b].ratioF64, 10) + fmt(row.ours[b].ratioF32, 10)).join('');
    process.stdout.write(`${row.task.padEnd(20)}${cells}${fmt(row.torchF64Ms, 10)}${fmt(row.torchF32Ms, 10)}${ratios}\n`);
  }
  process.stdout.write(`gemm 256³ float64, GFLOP/s median (best): ${backends.map((b) => `${b} ${gemm.ours[b].gflops} (${gemm.ours[b].bestGflops}, ${(100 * gemm.ours[b].ofPeak).toFixed(0)}% of peak)`).join(', ')}; ` +
    `OpenBLAS dgemm 256³ ${gemm.openblas256Gflops} (${gemm.openblas256BestGflops}), 1024³ best ${gemm.openblas1024BestGflops}; peak ${gemm.peakGflops}\n`);
  await writeJsonAtomic(out, {
    kind: 'eqflow-bench-peers', version: 2, machine: machineInfo(), rounds, timeMs, clock: 'wall', torch: torchInfo, openblasDir: dir,
    kernels: Object.fromEntries(notes), rows, gemm,
    raw: { ours: Object.fromEntries(ours), oursGemm: Object.fromEntries(oursGemm), torch: Object.fromEntries(theirs), torchGemm: Object.fromEntries(torchGemm) },
  });
  process.stdout.write(`\nwrote ${out}\n`);
  return 0;
}

if (isMain(import.meta.url)) runCli(main);
