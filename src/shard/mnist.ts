/**
 * `experiment mnist --shard K/N` and its merge: the (γ, run) jobs of mnistJobs split round-robin; every job's streams
 * derive from (seed, run) alone, so the merged runs are the runs of one machine and assembleMnistResult gives the
 * same bits (timing aside).
 */
import { EqflowError } from '../core/errors.js';
import { type MnistExperimentOptions, type MnistResult, type ResolvedMnistOptions, assembleMnistResult, decodeMnistRun, mnistJobs, resolveMnistOptions, runMnistJobs } from '../experiments/mnist.js';
import { type MergedShards, type ShardRunSummary, configDifference, runShard } from './file.js';
import type { ShardSpec } from './spec.js';

/** What the runs depend on: the resolved options but the worker count (results do not depend on it). */
function shardConfig(o: ResolvedMnistOptions): Omit<ResolvedMnistOptions, 'workers'> {
  const { workers: _w, ...config } = o;
  return config;
}

/** Runs the jobs of shard `shard` not yet in `file`, saving each finished run there. */
export async function runMnistShard(opts: MnistExperimentOptions, shard: ShardSpec, file: string): Promise<ShardRunSummary> {
  const o = resolveMnistOptions(opts);
  const jobs = mnistJobs(o);
  return runShard({
    file, command: 'mnist', config: shardConfig(o), shard, totalJobs: jobs.length, workers: o.workers,
    run: async (todo, save) => {
      const index = new Map(todo.map((j) => [jobs[j], j]));
      await runMnistJobs(todo.map((j) => jobs[j]), o, {
        onProgress: opts.onProgress,
        onRun: (job, run) => {
          save(index.get(job) as number, run);
          opts.onRun?.(job, run);
        },
      });
    },
  });
}

/** The result file of merged mnist shards (mergeShardFiles checked the set; here each run is checked). */
export function mergeMnistShards(m: MergedShards): MnistResult {
  const config = m.config as ResolvedMnistOptions;
  const o = resolveMnistOptions({ ...config, workers: 1 });
  // only the stored fields: an option added later (with its default) does not orphan shards computed before it
  const now = shardConfig(o) as Record<string, unknown>;
  const d = configDifference(Object.fromEntries(Object.keys(config).map((k) => [k, now[k]])), config);
  if (d) throw new EqflowError('invalid-argument', m.contributions[0].file, `not an mnist configuration this eqflow resolves the same way: ${d}`);
  const runs = m.values.map((v, j) => decodeMnistRun(v, j));
  const jobs = mnistJobs(o);
  runs.forEach((r, j) => {
    if (r.gamma !== jobs[j].gamma || r.run !== jobs[j].run) throw new EqflowError('invalid-argument', `job ${j}`, `holds run (γ ${r.gamma}, run ${r.run}), expected (γ ${jobs[j].gamma}, run ${jobs[j].run})`);
  });
  return assembleMnistResult(o, runs, m.timing);
}
