/**
 * `verify --shard K/N` and its merge. The jobs are the claim runs and negative-control runs of jobsOf, split
 * round-robin: a run's result depends only on (claim, seed, runs, implementation, precision) — the key
 * `verify --resume` relies on too — so the merged results are those of one machine and reportOf writes the same
 * report (generatedAt and durationMs aside).
 */
import { EqflowError } from '../core/errors.js';
import { type Precision, parsePrecision } from '../core/precision.js';
import type { ClaimResult } from '../claims/engine.js';
import { type VerificationReport, type VerifyOptions, jobKey, jobsOf, judged, reportOf, runVerify, selectClaims } from '../claims/verify.js';
import { type Implementation, precisionOf } from '../impl/implementation.js';
import { type MergedShards, type ShardRunSummary, runShard } from './file.js';
import type { ShardSpec } from './spec.js';

/** What a verify's results depend on. */
interface VerifyShardConfig {
  implementation: string;
  precision: Precision;
  seed: number;
  runs: number | 'default';
  controls: boolean;
  claims: string[];
}

function shardConfig(impl: Implementation, opts: VerifyOptions): VerifyShardConfig {
  return { implementation: impl.name, precision: precisionOf(judged(impl, opts.precision)), seed: opts.seed, runs: opts.runs ?? 'default', controls: opts.controls, claims: opts.claims.map((c) => c.id) };
}

/** Runs the claim and control runs of shard `shard` not yet in `file`, saving each as it finishes. */
export async function runVerifyShard(impl: Implementation, opts: VerifyOptions, shard: ShardSpec, file: string): Promise<ShardRunSummary> {
  const keys = jobsOf(opts).map((j) => jobKey(j.claim, j.negative));
  const index = new Map(keys.map((k, j) => [k, j]));
  return runShard<ClaimResult>({
    file, command: 'verify', config: shardConfig(impl, opts), shard, totalJobs: keys.length, workers: opts.workers ?? 1,
    run: async (todo, save) => {
      // counterexamples are saved by the merge, which writes the report
      await runVerify(impl, { ...opts, outDir: undefined, only: new Set(todo.map((j) => keys[j])), onResult: (key, r) => save(index.get(key) as number, r) });
    },
  });
}

/** The verification report of merged verify shards; counterexamples are saved under `outDir` as a verify would. */
export async function mergeVerifyShards(m: MergedShards, outDir: string): Promise<VerificationReport> {
  const c = m.config as VerifyShardConfig;
  const where = m.contributions[0].file;
  if (typeof c !== 'object' || c === null || !Array.isArray(c.claims) || typeof c.seed !== 'number' || typeof c.implementation !== 'string' || typeof c.controls !== 'boolean') throw new EqflowError('invalid-argument', where, 'not a verify shard configuration');
  const opts: VerifyOptions = { seed: c.seed, runs: c.runs === 'default' ? undefined : c.runs, claims: selectClaims(c.claims, `${where}: config.claims`), controls: c.controls, outDir };
  const keys = jobsOf(opts).map((j) => jobKey(j.claim, j.negative));
  if (keys.length !== m.values.length) throw new EqflowError('invalid-argument', where, `holds ${m.values.length} jobs, this eqflow's claims make ${keys.length}`);
  const results = new Map<string, ClaimResult>();
  keys.forEach((k, j) => {
    const r = m.values[j] as ClaimResult;
    if (typeof r !== 'object' || r === null || r.id !== k.replace(/:negative$/, '')) throw new EqflowError('invalid-argument', `job ${j}`, `expected the result of ${k}`);
    results.set(k, r);
  });
  const report = await reportOf({ implementation: c.implementation, precision: parsePrecision(c.precision, `${where}: config.precision`) }, opts, results, Date.now());
  return { ...report, durationMs: Math.round(m.timing.elapsedSec * 1000) };
}
