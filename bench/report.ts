/**
 * Files of the benchmark suite: one run (reports/bench/latest.json), a named baseline of ≥ 3 runs
 * (bench/baselines/NAME.json), the history (reports/bench/history.jsonl, one run summary per line), the machine
 * metadata and the configuration fingerprint that decides which runs may be compared. Every file read is validated
 * with zod; bad input is an EqflowError naming the file (and the line, for the history).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFile, mkdir, readFile, stat } from 'node:fs/promises';
import { cpus, loadavg, platform, arch, totalmem, availableParallelism } from 'node:os';
import { dirname, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';

/** Process CPU time (user + system, all threads) in ms, µs resolution: insensitive to time the process is descheduled. */
export function cpuClockMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}

export type Clock = 'cpu' | 'wall';

export function clockFn(clock: Clock): () => number {
  return clock === 'cpu' ? cpuClockMs : () => performance.now();
}

/** x rounded to `digits` significant digits (keeps baselines small without losing timing precision). */
export function roundSig(x: number, digits: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  return Number(x.toPrecision(digits));
}

/** `--key value`, `--key=value` and bare `--flag` (value "true"); rejects unknown keys with a one-line error. */
export function parseFlags(argv: readonly string[], known: readonly string[]): Map<string, string> {
  const out = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--') continue; // npm run passes `--` through in some versions
    if (!a.startsWith('--')) throw new EqflowError('invalid-argument', 'argv', `unexpected argument "${a}" (options: ${known.map((k) => `--${k}`).join(' ')})`);
    const eq = a.indexOf('=');
    const key = a.slice(2, eq < 0 ? undefined : eq);
    if (!known.includes(key)) throw new EqflowError('invalid-argument', `--${key}`, `unknown option (options: ${known.map((k) => `--${k}`).join(' ')})`);
    if (eq >= 0) out.set(key, a.slice(eq + 1));
    else if (i + 1 < argv.length && !argv[i + 1].startsWith('--')) out.set(key, argv[++i]);
    else out.set(key, 'true');
  }
  return out;
}

/** A positive finite number from a flag, or the default. */
export function numberFlag(flags: Map<string, string>, key: string, def: number, min = 0): number {
  const v = flags.get(key);
  if (v === undefined) return def;
  const x = Number(v);
  if (!Number.isFinite(x) || x < min) throw new EqflowError('invalid-argument', `--${key}`, `expected a number ≥ ${min}, got "${v}"`);
  return x;
}

// ---------------------------------------------------------------------------------------------------------------
// Schemas

const finite = z.number().refine(Number.isFinite, 'expected a finite number');

export const machineSchema = z.object({
  cpu: z.string(),
  cores: z.number().int(),
  parallelism: z.number().int(),
  memGiB: finite,
  platform: z.string(),
  arch: z.string(),
  node: z.string(),
  v8: z.string(),
  commit: z.string(),
  dirty: z.boolean(),
  date: z.string(),
  /** 1-minute load average when the run started and ended: a loaded machine explains wide intervals */
  loadStart: finite,
  loadEnd: finite,
});
export type Machine = z.infer<typeof machineSchema>;

const sizeSchema = z.record(z.string(), z.union([z.number(), z.string()]));

export const configTaskSchema = z.object({ name: z.string(), size: sizeSchema, clock: z.enum(['cpu', 'wall']) });
export const configSchema = z.object({
  /** sha256 (first 16 hex digits) of the other fields: equal hashes ⇔ comparable runs */
  hash: z.string(),
  node: z.string(),
  cpu: z.string(),
  cores: z.number().int(),
  tasks: z.array(configTaskSchema),
});
export type BenchConfig = z.infer<typeof configSchema>;
export type ConfigTask = z.infer<typeof configTaskSchema>;

export const taskStatsSchema = z.object({
  name: z.string(),
  group: z.string(),
  description: z.string(),
  clock: z.enum(['cpu', 'wall']),
  /** op calls per timed sample (each sample is the per-op time of a batch of `reps` calls) */
  reps: z.number().int().positive(),
  /** flops per op (Σ 2mnk over the gemms), null when not counted */
  flops: z.number().nullable(),
  meanMs: finite,
  p50Ms: finite,
  p99Ms: finite,
  minMs: finite,
  maxMs: finite,
  sdMs: finite,
  /** relative margin of error of the mean, % (95%, Student t) */
  rme: finite,
  count: z.number().int().positive(),
  /** flops / p50, in GFLOP/s */
  gflops: z.number().nullable(),
  /** per-op times in ms, ascending */
  samples: z.array(finite).min(1),
});
export type TaskStats = z.infer<typeof taskStatsSchema>;

export const erroredTaskSchema = z.object({ name: z.string(), group: z.string(), description: z.string(), error: z.string() });
export type ErroredTask = z.infer<typeof erroredTaskSchema>;

export const runSchema = z.object({
  kind: z.literal('eqflow-bench-run'),
  version: z.literal(1),
  source: z.enum(['bench', 'save', 'check']),
  machine: machineSchema,
  config: configSchema,
  tasks: z.array(taskStatsSchema),
  errored: z.array(erroredTaskSchema),
});
export type BenchRun = z.infer<typeof runSchema>;

export const baselineSchema = z.object({
  kind: z.literal('eqflow-bench-baseline'),
  version: z.literal(1),
  name: z.string(),
  created: z.string(),
  config: configSchema,
  runs: z.array(runSchema).min(3, 'a baseline aggregates at least 3 runs'),
});
export type Baseline = z.infer<typeof baselineSchema>;

/** One line of history.jsonl: a run without its samples. */
export const historyLineSchema = z.object({
  kind: z.literal('eqflow-bench-history'),
  version: z.literal(1),
  source: z.enum(['bench', 'save', 'check']),
  date: z.string(),
  commit: z.string(),
  dirty: z.boolean(),
  config: z.string(),
  loadStart: finite,
  tasks: z.record(z.string(), z.object({ meanMs: finite, p50Ms: finite, p99Ms: finite, rme: finite, count: z.number().int(), gflops: z.number().nullable() })),
});
export type HistoryLine = z.infer<typeof historyLineSchema>;

// ---------------------------------------------------------------------------------------------------------------
// Machine and configuration

function git(args: string[]): string {
  try {
    return execFileSync('git', args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return '';
  }
}

export function machineInfo(loadStart = loadavg()[0]): Machine {
  const cs = cpus();
  return {
    cpu: cs[0]?.model.trim() ?? 'unknown',
    cores: cs.length,
    parallelism: availableParallelism(),
    memGiB: roundSig(totalmem() / 2 ** 30, 3),
    platform: platform(),
    arch: arch(),
    node: process.version,
    v8: process.versions.v8,
    commit: git(['rev-parse', 'HEAD']) || 'unknown',
    dirty: git(['status', '--porcelain', '--untracked-files=no']) !== '',
    date: new Date().toISOString(),
    loadStart: roundSig(loadStart, 3),
    loadEnd: roundSig(loadavg()[0], 3),
  };
}

/**
 * The fingerprint of what a run measures: task names, sizes and clocks, the Node version (V8 and its JIT come with
 * it) and the CPU model and core count. Two runs are compared only when the hashes agree.
 */
export function makeConfig(tasks: readonly ConfigTask[], node = process.version, cpu = cpus()[0]?.model.trim() ?? 'unknown', cores = cpus().length): BenchConfig {
  const body = { node, cpu, cores, tasks: tasks.map((t) => ({ name: t.name, size: t.size, clock: t.clock })) };
  const hash = createHash('sha256').update(JSON.stringify(body)).digest('hex').slice(0, 16);
  return { hash, ...body };
}

/** Why two configurations differ, in one line (empty when they agree). */
export function configDifference(a: BenchConfig, b: BenchConfig): string {
  if (a.node !== b.node) return `Node ${a.node} vs ${b.node}`;
  if (a.cpu !== b.cpu || a.cores !== b.cores) return `CPU "${a.cpu}" ×${a.cores} vs "${b.cpu}" ×${b.cores}`;
  const an = a.tasks.map((t) => t.name).join(','), bn = b.tasks.map((t) => t.name).join(',');
  if (an !== bn) return `task list [${an}] vs [${bn}]`;
  for (let i = 0; i < a.tasks.length; i++) {
    const x = JSON.stringify(a.tasks[i]), y = JSON.stringify(b.tasks[i]);
    if (x !== y) return `task ${a.tasks[i].name}: ${x} vs ${y}`;
  }
  return a.hash === b.hash ? '' : `hash ${a.hash} vs ${b.hash}`;
}

/** Throws EqflowError('incompatible') unless the two configurations agree. */
export function requireSameConfig(current: BenchConfig, baseline: BenchConfig, baselineFile: string): void {
  const d = configDifference(current, baseline);
  if (d !== '') throw new EqflowError('incompatible', 'config', `refusing to compare with ${baselineFile}: different configuration (${d}); save a new baseline for this configuration`);
}

// ---------------------------------------------------------------------------------------------------------------
// Reading and writing

/** The first zod issue as "path: message". */
function firstIssue(err: z.ZodError): string {
  const i = err.issues[0];
  const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
  return `${path === '' ? '(root)' : path.replace(/^\./, '')}: ${i.message}`;
}

export async function readJson(file: string, what: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const code = (cause as NodeJS.ErrnoException).code;
    throw new EqflowError('io', 'file', code === 'ENOENT' ? `${what} ${file} does not exist` : `cannot read ${what} ${file}: ${(cause as Error).message}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (cause) {
    throw new EqflowError('invalid-argument', 'file', `${what} ${file} is not valid JSON (${(cause as Error).message}); it was left untouched`);
  }
}

export async function loadRun(file: string): Promise<BenchRun> {
  const r = runSchema.safeParse(await readJson(file, 'benchmark run'));
  if (!r.success) throw new EqflowError('invalid-argument', 'file', `benchmark run ${file} is malformed at ${firstIssue(r.error)}`);
  return r.data;
}

/** Reads and validates a baseline; a missing or corrupt file is an EqflowError naming it (the file is never written). */
export async function loadBaseline(file: string): Promise<Baseline> {
  const r = baselineSchema.safeParse(await readJson(file, 'baseline'));
  if (!r.success) throw new EqflowError('invalid-argument', 'file', `baseline ${file} is corrupt at ${firstIssue(r.error)}; it was left untouched (re-create it with npm run bench:save)`);
  for (const run of r.data.runs) requireSameConfig(run.config, r.data.config, file);
  return r.data;
}

export async function exists(file: string): Promise<boolean> {
  try {
    await stat(file);
    return true;
  } catch {
    return false;
  }
}

/** Writes a baseline atomically; refuses to replace an existing file unless `force`. */
export async function saveBaseline(file: string, baseline: Baseline, force: boolean): Promise<void> {
  if (!force && (await exists(file))) throw new EqflowError('invalid-argument', 'name', `baseline ${file} already exists; pass --force to replace it`);
  const r = baselineSchema.safeParse(baseline);
  if (!r.success) throw new EqflowError('invalid-argument', 'baseline', `refusing to write a malformed baseline: ${firstIssue(r.error)}`);
  await writeJsonAtomic(file, baseline);
}

export function historyLine(run: BenchRun): HistoryLine {
  const tasks: HistoryLine['tasks'] = {};
  for (const t of run.tasks) tasks[t.name] = { meanMs: t.meanMs, p50Ms: t.p50Ms, p99Ms: t.p99Ms, rme: t.rme, count: t.count, gflops: t.gflops };
  return {
    kind: 'eqflow-bench-history', version: 1, source: run.source, date: run.machine.date, commit: run.machine.commit,
    dirty: run.machine.dirty, config: run.config.hash, loadStart: run.machine.loadStart, tasks,
  };
}

/**
 * Appends one line with a single appendFile call (one write with O_APPEND: a crash leaves either no line or the
 * whole line). If an earlier crash left a torn last line, a newline goes first so the new line stays parseable.
 */
export async function appendHistory(file: string, line: HistoryLine): Promise<void> {
  const text = JSON.stringify(line);
  let prefix = '';
  try {
    const cur = await readFile(file);
    if (cur.length > 0 && cur[cur.length - 1] !== 0x0a) prefix = '\n';
  } catch {
    await mkdir(dirname(file), { recursive: true });
  }
  await appendFile(file, `${prefix}${text}\n`, 'utf8');
}

/** Parses history.jsonl; a line that is not a valid record is an EqflowError naming the file and line number. */
export function parseHistory(text: string, file: string): HistoryLine[] {
  const out: HistoryLine[] = [];
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    let v: unknown;
    try {
      v = JSON.parse(lines[i]) as unknown;
    } catch {
      throw new EqflowError('invalid-argument', 'history', `${file}:${i + 1} is not valid JSON (a torn or hand-edited line); delete that line to continue`);
    }
    const r = historyLineSchema.safeParse(v);
    if (!r.success) throw new EqflowError('invalid-argument', 'history', `${file}:${i + 1} is not a history record (${firstIssue(r.error)})`);
    out.push(r.data);
  }
  return out;
}

export async function readHistory(file: string): Promise<HistoryLine[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new EqflowError('io', 'file', `cannot read ${file}: ${(cause as Error).message}`);
  }
  return parseHistory(text, file);
}

/** Whether the module with this import.meta.url is the script node was started with (not imported by another). */
export function isMain(metaUrl: string): boolean {
  return process.argv[1] !== undefined && fileURLToPath(metaUrl) === resolve(process.argv[1]);
}

/** Runs `main`, printing an EqflowError as one line on stderr and exiting 2 (bad input); other errors exit 3. */
export function runCli(main: () => Promise<number>): void {
  main().then(
    (code) => {
      process.exitCode = code;
    },
    (err: unknown) => {
      if (err instanceof EqflowError) {
        process.stderr.write(`error: ${err.message}\n`);
        process.exitCode = 2;
      } else {
        process.stderr.write(`${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
        process.exitCode = 3;
      }
    },
  );
}
