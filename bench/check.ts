/**
 * `npm run bench:check [-- --baseline NAME]`: runs the suite (--runs N, default 1, each in a fresh process) and
 * compares it with bench/baselines/NAME.json task by task (bench/stats.ts). Exit 1 only when some task's ratio CI
 * lies entirely above 1 + threshold; exit 2 for bad input (missing or corrupt baseline, different configuration,
 * bad options), with a one-line error; 0 otherwise. The baseline file is only ever read.
 *
 * Options: --threshold 0.05, --level 0.95, --resamples 2000, --seed S, --current FILE[,FILE…] (compare existing
 * run files instead of running), --report FILE (default reports/bench/check.json), and the harness options of
 * bench/run.ts (and its --history). --baseline also takes a path ending in .json.
 */
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { BenchRun, isMain, loadBaseline, loadRun, makeConfig, numberFlag, parseFlags, requireSameConfig, runCli } from './report.js';
import { LATEST, selectTasks } from './run.js';
import { baselinePath } from './save.js';
import { PASSTHROUGH, passthroughArgs, spawnRuns } from './spawn.js';
import { CompareOptions, DEFAULT_COMPARE, compareRuns, formatComparison } from './stats.js';
import { configTasks } from './tasks.js';

export const CHECK_REPORT = 'reports/bench/check.json';

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ['baseline', 'runs', 'threshold', 'level', 'resamples', 'seed', 'current', 'report', ...PASSTHROUGH]);
  const file = baselinePath(flags.get('baseline') ?? 'default');
  const opts: CompareOptions = {
    ...DEFAULT_COMPARE,
    threshold: numberFlag(flags, 'threshold', DEFAULT_COMPARE.threshold),
    level: numberFlag(flags, 'level', DEFAULT_COMPARE.level),
    resamples: numberFlag(flags, 'resamples', DEFAULT_COMPARE.resamples, 100),
    seed: flags.get('seed') ?? DEFAULT_COMPARE.seed,
  };
  if (!(opts.level > 0 && opts.level < 1)) throw new EqflowError('invalid-argument', '--level', `expected a level in (0, 1), got ${opts.level}`);
  const baseline = await loadBaseline(file);
  let current: BenchRun[];
  const given = flags.get('current');
  if (given !== undefined) {
    current = [];
    for (const f of given.split(',')) current.push(await loadRun(f.trim()));
  } else {
    // refuse a different configuration before measuring anything
    requireSameConfig(makeConfig(configTasks(selectTasks(flags.get('tasks')))), baseline.config, file);
    const runs = numberFlag(flags, 'runs', 1, 1);
    current = await spawnRuns(runs, 'check', passthroughArgs(flags), `${LATEST} and ${flags.get('report') ?? CHECK_REPORT}`);
    await writeJsonAtomic(LATEST, current[current.length - 1]);
  }
  const cmp = compareRuns(current, baseline, file, opts);
  process.stdout.write(`${formatComparison(cmp)}\n`);
  await writeJsonAtomic(flags.get('report') ?? CHECK_REPORT, cmp);
  return cmp.exitCode;
}

if (isMain(import.meta.url)) runCli(main);
