/**
 * Which part of a run this process computes: shard K of N (1 ≤ K ≤ N), from `--shard K/N` or, with `--shard auto`,
 * from the variables the scheduler running it sets. Job j of a run (its canonical order) belongs to shard
 * (j mod N) + 1: a round-robin partition that depends only on j and N, and every job's seed depends on the job
 * alone, so the shards together compute exactly the jobs of one machine.
 */
import { EqflowError } from '../core/errors.js';

/** Shard `index` (1-based) of `count`. */
export interface ShardSpec {
  index: number;
  count: number;
}

/** How `--shard auto` found its shard (for the log line). */
export interface AutoShard extends ShardSpec {
  source: string;
}

/** The largest shard count accepted (a guard against a mistyped count, not a limit of the format). */
export const MAX_SHARDS = 100_000;

function shardSpec(index: number, count: number, field: string, what: string): ShardSpec {
  if (!Number.isSafeInteger(count) || count < 1 || count > MAX_SHARDS) throw new EqflowError('invalid-argument', field, `${what}: expected a shard count in 1..${MAX_SHARDS}, got ${count}`);
  if (!Number.isSafeInteger(index) || index < 1 || index > count) throw new EqflowError('invalid-argument', field, `${what}: expected a shard index in 1..${count}, got ${index}`);
  return { index, count };
}

function intOf(text: string | undefined, field: string, name: string): number {
  if (text === undefined || !/^\s*\d+\s*$/.test(text)) throw new EqflowError('invalid-argument', field, `${name} must be a non-negative integer, got '${String(text)}'`);
  return Number(text);
}

/** Parses `K/N` (1 ≤ K ≤ N), e.g. `2/3`. */
export function parseShard(text: string, field = '--shard'): ShardSpec {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new EqflowError('invalid-argument', field, `expected K/N (shard K of N, 1 ≤ K ≤ N) or 'auto', got '${text}'`);
  return shardSpec(Number(m[1]), Number(m[2]), field, text);
}

/** The environment variables `--shard auto` reads, in the order it tries them (documented in README). */
export const AUTO_SOURCES = [
  'EQFLOW_SHARD (K/N, e.g. from a CI matrix)',
  'SLURM_ARRAY_TASK_ID, SLURM_ARRAY_TASK_COUNT (+ SLURM_ARRAY_TASK_MIN, SLURM_ARRAY_TASK_STEP)',
  'JOB_COMPLETION_INDEX (Kubernetes Indexed Job, 0-based) with --shard-count or EQFLOW_SHARD_COUNT',
  'CI_NODE_INDEX, CI_NODE_TOTAL (GitLab parallel, 1-based)',
  'CIRCLE_NODE_INDEX, CIRCLE_NODE_TOTAL (CircleCI parallelism, 0-based)',
  'BUILDKITE_PARALLEL_JOB, BUILDKITE_PARALLEL_JOB_COUNT (Buildkite parallelism, 0-based)',
] as const;

/**
 * The shard a scheduler assigned to this process (`--shard auto`). `count` is the shard count given on the command
 * line (--shard-count), needed where the scheduler states no count (a Kubernetes Indexed Job's pods see only their
 * index); a count given and a count stated by the scheduler must agree.
 */
export function autoShard(env: NodeJS.ProcessEnv, count?: number, field = '--shard'): AutoShard {
  const given = count ?? (env.EQFLOW_SHARD_COUNT !== undefined ? intOf(env.EQFLOW_SHARD_COUNT, field, 'EQFLOW_SHARD_COUNT') : undefined);
  const checked = (index: number, n: number, source: string): AutoShard => {
    if (given !== undefined && given !== n) throw new EqflowError('invalid-argument', field, `${source} states ${n} shards, but a shard count of ${given} was given`);
    return { ...shardSpec(index, n, field, source), source };
  };
  if (env.EQFLOW_SHARD !== undefined) {
    const s = parseShard(env.EQFLOW_SHARD, 'EQFLOW_SHARD');
    return checked(s.index, s.count, 'EQFLOW_SHARD');
  }
  if (env.SLURM_ARRAY_TASK_ID !== undefined) {
    const id = intOf(env.SLURM_ARRAY_TASK_ID, field, 'SLURM_ARRAY_TASK_ID');
    const n = intOf(env.SLURM_ARRAY_TASK_COUNT, field, 'SLURM_ARRAY_TASK_COUNT');
    const min = env.SLURM_ARRAY_TASK_MIN === undefined ? 0 : intOf(env.SLURM_ARRAY_TASK_MIN, field, 'SLURM_ARRAY_TASK_MIN');
    const step = env.SLURM_ARRAY_TASK_STEP === undefined ? 1 : intOf(env.SLURM_ARRAY_TASK_STEP, field, 'SLURM_ARRAY_TASK_STEP');
    // --array=0-9, 1-10 or 0-18:2 all number their tasks min, min + step, …: task k of n is (id − min)/step
    if (step < 1 || (id - min) % step !== 0) throw new EqflowError('invalid-argument', field, `SLURM_ARRAY_TASK_ID ${id} is not min ${min} + k·step ${step}: use a plain range (--array=0-${n - 1})`);
    return checked((id - min) / step + 1, n, 'SLURM_ARRAY_TASK_ID');
  }
  if (env.JOB_COMPLETION_INDEX !== undefined) {
    if (given === undefined) throw new EqflowError('invalid-argument', '--shard-count', 'JOB_COMPLETION_INDEX gives no shard count: pass --shard-count N (the Job\'s completions) or set EQFLOW_SHARD_COUNT');
    return checked(intOf(env.JOB_COMPLETION_INDEX, field, 'JOB_COMPLETION_INDEX') + 1, given, 'JOB_COMPLETION_INDEX');
  }
  if (env.CI_NODE_INDEX !== undefined) return checked(intOf(env.CI_NODE_INDEX, field, 'CI_NODE_INDEX'), intOf(env.CI_NODE_TOTAL, field, 'CI_NODE_TOTAL'), 'CI_NODE_INDEX');
  if (env.CIRCLE_NODE_INDEX !== undefined) return checked(intOf(env.CIRCLE_NODE_INDEX, field, 'CIRCLE_NODE_INDEX') + 1, intOf(env.CIRCLE_NODE_TOTAL, field, 'CIRCLE_NODE_TOTAL'), 'CIRCLE_NODE_INDEX');
  if (env.BUILDKITE_PARALLEL_JOB !== undefined) return checked(intOf(env.BUILDKITE_PARALLEL_JOB, field, 'BUILDKITE_PARALLEL_JOB') + 1, intOf(env.BUILDKITE_PARALLEL_JOB_COUNT, field, 'BUILDKITE_PARALLEL_JOB_COUNT'), 'BUILDKITE_PARALLEL_JOB');
  throw new EqflowError('invalid-argument', field, `'auto' found no scheduler variables; set one of: ${AUTO_SOURCES.join('; ')}`);
}

/** `--shard` as given: K/N, or auto (scheduler variables of `env`). */
export function resolveShard(text: string, env: NodeJS.ProcessEnv, count?: number): ShardSpec & { source: string } {
  if (text.trim() === 'auto') return autoShard(env, count);
  return { ...parseShard(text), source: '--shard' };
}

/** The job indices 0..total−1 of shard `s` (round-robin: job j goes to shard (j mod N) + 1). */
export function shardJobs(total: number, s: ShardSpec): number[] {
  const out: number[] = [];
  for (let j = s.index - 1; j < total; j += s.count) out.push(j);
  return out;
}
