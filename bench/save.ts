/**
 * `npm run bench:save [-- --name NAME] [--runs N] [--force]`: runs the suite N ≥ 3 times, each in a fresh process,
 * and stores all their samples as bench/baselines/NAME.json (default NAME "default"). An existing baseline is only
 * replaced with --force. Harness options (--time, --warmup, --samples, --process-samples, --tasks) and --history pass through.
 */
import { join } from 'node:path';
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { fmtMs } from './harness.js';
import { Baseline, configDifference, exists, isMain, numberFlag, parseFlags, runCli, saveBaseline } from './report.js';
import { LATEST } from './run.js';
import { PASSTHROUGH, passthroughArgs, spawnRuns } from './spawn.js';
import { median } from './stats.js';

export const BASELINE_DIR = 'bench/baselines';

/**
 * bench/baselines/NAME.json for a name of letters, digits, dot, dash and underscore; a value ending in .json is
 * taken as a path (to compare with a baseline kept elsewhere).
 */
export function baselinePath(name: string): string {
  if (name.endsWith('.json')) return name;
  if (!/^[A-Za-z0-9][A-Za-z0-9._-]*$/.test(name)) throw new EqflowError('invalid-argument', '--name', `a baseline name is letters, digits, ".", "-" and "_", got "${name}"`);
  return join(BASELINE_DIR, `${name}.json`);
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ['name', 'runs', 'force', ...PASSTHROUGH]);
  const name = flags.get('name') ?? 'default';
  const file = baselinePath(name);
  const runs = numberFlag(flags, 'runs', 3, 3);
  if (!Number.isInteger(runs)) throw new EqflowError('invalid-argument', '--runs', `expected an integer ≥ 3, got ${runs}`);
  const force = flags.get('force') === 'true';
  // fail before spending minutes measuring
  if (!force && (await exists(file))) throw new EqflowError('invalid-argument', '--name', `baseline ${file} already exists; pass --force to replace it`);
  const results = await spawnRuns(runs, 'save', passthroughArgs(flags), `baseline ${file}`);
  for (const run of results.slice(1)) {
    const d = configDifference(run.config, results[0].config);
    if (d !== '') throw new EqflowError('incompatible', 'config', `the runs measured different configurations (${d})`);
  }
  const baseline: Baseline = { kind: 'eqflow-bench-baseline', version: 1, name, created: new Date().toISOString(), config: results[0].config, runs: results };
  await saveBaseline(file, baseline, force);
  await writeJsonAtomic(LATEST, results[results.length - 1]);
  process.stdout.write(`saved ${file} (config ${baseline.config.hash}, ${runs} runs)\n`);
  for (const { name: task } of baseline.config.tasks) {
    const p50s = results.map((run) => run.tasks.find((t) => t.name === task)?.p50Ms).filter((v) => v !== undefined);
    if (p50s.length === 0) {
      process.stdout.write(`${task.padEnd(26)} no samples (failed in every run)\n`);
      continue;
    }
    const spread = (Math.max(...p50s) - Math.min(...p50s)) / median(p50s);
    process.stdout.write(`${task.padEnd(26)} p50 per run: ${p50s.map(fmtMs).join(', ')}  (spread ${(spread * 100).toFixed(1)}% of the median)\n`);
  }
  return 0;
}

if (isMain(import.meta.url)) runCli(main);
