/**
 * `experiment attractor --shard K/N` and its merge: one job per (panel, γ) of attractorPlan, split round-robin. The
 * plan is deterministic (fixed seeds), so every shard integrates from the same start points.
 */
import { z } from 'zod';
import { EqflowError } from '../core/errors.js';
import { type AttractorPlan, type AttractorResult, type AttractorSeries, assembleAttractor, attractorPlan, runAttractorJob } from '../experiments/attractor.js';
import { type MergedShards, type ShardRunSummary, configDifference, runShard } from './file.js';
import type { ShardSpec } from './spec.js';

const num = z.number(); // rejects NaN and ±Infinity
const seriesSchema: z.ZodType<AttractorSeries> = z.object({
  gamma: num,
  t: z.array(num),
  projectionError: z.array(num),
  predictedRate: num,
  fittedRate: num.nullable(),
  integration: z.object({ steps: z.number().int().min(0), rejected: z.number().int().min(0), maxLocalError: num }),
});

/** What the series depend on: each panel's name (its case and start), γ sweep and horizon. */
function shardConfig(plan: ReturnType<typeof attractorPlan>): unknown {
  return { panels: plan.panels.map((p) => ({ name: p.name, gammas: p.gammas, T: p.T })) };
}

/** Integrates the series of shard `shard` not yet in `file`, saving each as it finishes. */
export async function runAttractorShard(shard: ShardSpec, file: string, onProgress?: (fraction: number) => void, plan: AttractorPlan = attractorPlan()): Promise<ShardRunSummary> {
  return runShard<AttractorSeries>({
    file, command: 'attractor', config: shardConfig(plan), shard, totalJobs: plan.jobs.length, workers: 1,
    run: async (todo, save) => {
      for (const [k, j] of todo.entries()) {
        save(j, runAttractorJob(plan, j));
        onProgress?.((k + 1) / todo.length);
        await new Promise((r) => setImmediate(r)); // lets a signal handler run between series
      }
    },
  });
}

/** Figure 1's result from merged attractor shards. */
export function mergeAttractorShards(m: MergedShards, plan: AttractorPlan = attractorPlan()): AttractorResult {
  const d = configDifference(shardConfig(plan), m.config);
  if (d) throw new EqflowError('invalid-argument', m.contributions[0].file, `computed for another attractor plan than this eqflow's: ${d}`);
  return assembleAttractor(plan, m.values.map((v, j) => {
    const r = seriesSchema.safeParse(v);
    if (!r.success) throw new EqflowError('invalid-argument', `job ${j}`, `not an attractor series: ${r.error.issues[0].message} at ${r.error.issues[0].path.join('.')}`);
    return r.data;
  }));
}
