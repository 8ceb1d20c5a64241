/**
 * Shard files: what one shard of a run has finished so far, rewritten atomically after every finished job, so a
 * shard killed at any moment restarts from its last finished job; and the merge of a complete set of shards into
 * the job results of one machine, refusing anything that would not give those bits.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EqflowError } from '../core/errors.js';
import { writeJsonAtomic } from '../report/atomic.js';
import { type ShardSpec, shardJobs } from './spec.js';

/** The format tag of a shard file. */
export const SHARD_FORMAT = 'eqflow-shard/1';

/** The commands whose runs can be sharded. */
export const SHARD_COMMANDS = ['mnist', 'attractor', 'verify'] as const;
export type ShardCommand = (typeof SHARD_COMMANDS)[number];

/** Wall-clock facts of a shard, summed over its sessions (a resumed shard adds each session's). */
export interface ShardTiming {
  elapsedSec: number;
  cpuSec: number;
  workers: number;
}

/** One shard's file. */
export interface ShardFile {
  format: typeof SHARD_FORMAT;
  command: ShardCommand;
  /** the source the jobs ran from: shards of different commits are never merged */
  commit: string;
  /** everything the jobs' results depend on (seeds included), as the command resolved it */
  config: unknown;
  shard: ShardSpec;
  /** jobs of the whole run */
  totalJobs: number;
  timing: ShardTiming;
  /** finished jobs, by their index in the whole run's canonical order; ms: wall time since the previous one finished (a job's duration with one worker) */
  results: Array<{ job: number; value: unknown; ms?: number }>;
}

/** The git commit of the eqflow source running (with `-dirty` when tracked files differ), else the package version. */
export function sourceCommit(): string {
  const root = dirname(dirname(dirname(fileURLToPath(import.meta.url))));
  try {
    const head = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const dirty = execFileSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() !== '';
    return dirty ? `${head}-dirty` : head;
  } catch {
    const pkg = JSON.parse(readFileSync(`${root}/package.json`, 'utf8')) as { version: string };
    return `eqflow@${pkg.version}`;
  }
}

/** The conventional file name of a shard: `<command>.shard-K-of-N.json`. */
export function shardFileName(command: ShardCommand, s: ShardSpec): string {
  return `${command}.shard-${s.index}-of-${s.count}.json`;
}

/** JSON with object keys sorted, so two configurations compare equal exactly when they hold the same values. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (typeof v === 'object' && v !== null) return `{${Object.keys(v).sort().map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`).join(',')}}`;
  return JSON.stringify(v);
}

/** The first field where two configurations differ, as `field: a vs b` (null when equal). */
export function configDifference(a: unknown, b: unknown, path = 'config'): string | null {
  if (canonical(a) === canonical(b)) return null;
  if (typeof a === 'object' && a !== null && typeof b === 'object' && b !== null && Array.isArray(a) === Array.isArray(b)) {
    const ra = a as Record<string, unknown>, rb = b as Record<string, unknown>;
    for (const k of [...new Set([...Object.keys(ra), ...Object.keys(rb)])].sort()) {
      const d = configDifference(ra[k], rb[k], `${path}.${k}`);
      if (d) return d;
    }
  }
  return `${path}: ${JSON.stringify(a)} vs ${JSON.stringify(b)}`;
}

/** Reads and checks the frame of a shard file (the results' values are checked by the command that merges them). */
export function readShardFile(file: string): ShardFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    throw new EqflowError('io', file, `cannot read the shard file: ${(e as Error).message}`);
  }
  let v: Partial<ShardFile>;
  try {
    v = JSON.parse(text) as Partial<ShardFile>;
  } catch (e) {
    throw new EqflowError('invalid-argument', file, `not JSON: ${(e as Error).message}`);
  }
  const ok = typeof v === 'object' && v !== null && v.format === SHARD_FORMAT && (SHARD_COMMANDS as readonly unknown[]).includes(v.command) && typeof v.commit === 'string'
    && typeof v.shard === 'object' && v.shard !== null && Number.isSafeInteger(v.shard.index) && Number.isSafeInteger(v.shard.count) && v.shard.index >= 1 && v.shard.index <= v.shard.count
    && Number.isSafeInteger(v.totalJobs) && typeof v.timing === 'object' && v.timing !== null && Array.isArray(v.results)
    && v.results.every((r) => typeof r === 'object' && r !== null && Number.isSafeInteger(r.job) && 'value' in r);
  if (!ok) throw new EqflowError('invalid-argument', file, `not an eqflow shard file (${SHARD_FORMAT})`);
  const f = v as ShardFile;
  const mine = new Set(shardJobs(f.totalJobs, f.shard));
  const seen = new Set<number>();
  for (const r of f.results) {
    if (!mine.has(r.job)) throw new EqflowError('invalid-argument', file, `holds job ${r.job}, which is not one of shard ${f.shard.index}/${f.shard.count}'s jobs`);
    if (seen.has(r.job)) throw new EqflowError('invalid-argument', file, `holds job ${r.job} twice`);
    seen.add(r.job);
  }
  return f;
}

/** What a shard session is about to compute. */
export interface ShardRunOptions<R> {
  file: string;
  command: ShardCommand;
  config: unknown;
  shard: ShardSpec;
  totalJobs: number;
  workers: number;
  /** computes the given jobs (indices into the whole run), calling `save` once per finished job */
  run: (jobs: number[], save: (job: number, value: R) => void) => Promise<void>;
}

/** What a shard session did. */
export interface ShardRunSummary {
  file: string;
  /** this shard's jobs, and how many were finished before this session / are now */
  jobs: number;
  resumed: number;
  finished: number;
}

/**
 * Runs the jobs of one shard that its file does not hold yet, saving each as it finishes. An existing file must be
 * of the same command, commit, configuration and shard (else an EqflowError naming the file and the difference).
 */
export async function runShard<R>(o: ShardRunOptions<R>, commit = sourceCommit()): Promise<ShardRunSummary> {
  const mine = shardJobs(o.totalJobs, o.shard);
  let previous: ShardFile | null = null;
  try {
    previous = readShardFile(o.file);
  } catch (e) {
    if (!(e instanceof EqflowError && e.code === 'io' && /ENOENT/.test(e.message))) throw e;
  }
  const state: ShardFile = previous ?? { format: SHARD_FORMAT, command: o.command, commit, config: o.config, shard: { index: o.shard.index, count: o.shard.count }, totalJobs: o.totalJobs, timing: { elapsedSec: 0, cpuSec: 0, workers: 0 }, results: [] };
  if (previous) {
    const why = previous.command !== o.command ? `it is a ${previous.command} shard`
      : previous.commit !== commit ? `it was computed by commit ${previous.commit}, this is ${commit}`
        : previous.shard.index !== o.shard.index || previous.shard.count !== o.shard.count ? `it is shard ${previous.shard.index}/${previous.shard.count}`
          : configDifference(previous.config, o.config);
    if (why) throw new EqflowError('invalid-argument', o.file, `cannot resume: ${why} (delete it or choose another --out to start afresh)`);
  }
  const done = new Set(state.results.map((r) => r.job));
  const todo = mine.filter((j) => !done.has(j));
  const resumed = done.size;
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const base = { ...state.timing };
  state.timing.workers = Math.max(base.workers, Math.min(o.workers, Math.max(1, todo.length)));
  // writes are chained: each rewrites the whole file atomically, so the file on disk is always a finished prefix
  let queue: Promise<void> = Promise.resolve();
  let last = t0;
  const save = (job: number, value: R): void => {
    const now = performance.now();
    state.results.push({ job, value, ms: Math.round(now - last) });
    last = now;
    const u = process.cpuUsage(cpu0);
    state.timing.elapsedSec = base.elapsedSec + (performance.now() - t0) / 1000;
    state.timing.cpuSec = base.cpuSec + (u.user + u.system) / 1e6;
    queue = queue.then(() => writeJsonAtomic(o.file, state));
  };
  if (!previous) await writeJsonAtomic(o.file, state);
  try {
    if (todo.length) await o.run(todo, save);
  } finally {
    await queue;
  }
  return { file: o.file, jobs: mine.length, resumed, finished: state.results.length };
}

/** Merged shards: every job's value in canonical order, and who contributed what. */
export interface MergedShards {
  command: ShardCommand;
  commit: string;
  config: unknown;
  /** values[j] is job j's result */
  values: unknown[];
  contributions: Array<{ file: string; shard: ShardSpec; jobs: number }>;
  /** elapsed: the slowest shard; cpu: summed; workers: summed */
  timing: ShardTiming;
}

/**
 * Checks that `files` are the N shards of one run — same command, commit and configuration (seeds included), each
 * shard once, none missing, each complete — and returns its jobs' values. Every refusal is an EqflowError whose
 * field is the shard file at fault.
 */
export function mergeShardFiles(files: readonly string[]): MergedShards {
  if (files.length === 0) throw new EqflowError('invalid-argument', 'FILES', 'give the shard files to merge');
  const shards = files.map((f) => ({ file: f, s: readShardFile(f) }));
  const first = shards[0];
  const byIndex = new Map<number, string>();
  for (const { file, s } of shards) {
    const other = basename(first.file);
    if (s.command !== first.s.command) throw new EqflowError('invalid-argument', file, `is a ${s.command} shard, ${other} a ${first.s.command} shard`);
    if (s.commit !== first.s.commit) throw new EqflowError('invalid-argument', file, `was computed by commit ${s.commit}, ${other} by ${first.s.commit}`);
    if (s.shard.count !== first.s.shard.count || s.totalJobs !== first.s.totalJobs) throw new EqflowError('invalid-argument', file, `is shard ${s.shard.index}/${s.shard.count} of ${s.totalJobs} jobs, ${other} is ${first.s.shard.index}/${first.s.shard.count} of ${first.s.totalJobs}`);
    const d = configDifference(first.s.config, s.config);
    if (d) throw new EqflowError('invalid-argument', file, `has a different configuration from ${other}: ${d}`);
    const dup = byIndex.get(s.shard.index);
    if (dup !== undefined) throw new EqflowError('invalid-argument', file, `is shard ${s.shard.index}/${s.shard.count} again (also ${dup})`);
    byIndex.set(s.shard.index, file);
  }
  const n = first.s.shard.count;
  for (let k = 1; k <= n; k++) {
    if (!byIndex.has(k)) throw new EqflowError('invalid-argument', shardFileName(first.s.command, { index: k, count: n }), `shard ${k}/${n} is missing (given: ${[...byIndex.keys()].sort((a, b) => a - b).map((i) => `${i}/${n}`).join(', ')})`);
  }
  const values = new Array<unknown>(first.s.totalJobs);
  for (const { file, s } of shards) {
    const want = shardJobs(s.totalJobs, s.shard).length;
    if (s.results.length !== want) throw new EqflowError('invalid-argument', file, `shard ${s.shard.index}/${n} has finished ${s.results.length} of its ${want} jobs: resume it (the same command) before merging`);
    for (const r of s.results) values[r.job] = r.value;
  }
  return {
    command: first.s.command,
    commit: first.s.commit,
    config: first.s.config,
    values,
    contributions: shards.map(({ file, s }) => ({ file, shard: s.shard, jobs: s.results.length })).sort((a, b) => a.shard.index - b.shard.index),
    timing: {
      elapsedSec: Math.max(...shards.map(({ s }) => s.timing.elapsedSec)),
      cpuSec: shards.reduce((a, { s }) => a + s.timing.cpuSec, 0),
      workers: shards.reduce((a, { s }) => a + s.timing.workers, 0),
    },
  };
}
