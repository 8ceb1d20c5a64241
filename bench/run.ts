/**
 * `npm run bench`: runs the suite (bench/tasks.ts) once, writes reports/bench/latest.json atomically and appends
 * one line to reports/bench/history.jsonl.
 *
 * Options: --time MS (budget per task, default 2000), --warmup MS (500), --samples N (≥ 20 per task),
 * --process-samples N (3), --tasks a,b (names; changes the configuration), --out FILE, --source bench|save|check,
 * --no-history.
 */
import { loadavg } from 'node:os';
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { DEFAULT_HARNESS, HarnessOptions, runTask } from './harness.js';
import { BenchRun, ErroredTask, TaskStats, appendHistory, historyLine, isMain, machineInfo, makeConfig, numberFlag, parseFlags, runCli } from './report.js';
import { TaskDef, configTasks, suiteTasks } from './tasks.js';

export const LATEST = 'reports/bench/latest.json';
export const HISTORY = 'reports/bench/history.jsonl';

/** The suite, optionally restricted to the named tasks (unknown names are an error, not an empty run). */
export function selectTasks(filter: string | undefined): TaskDef[] {
  const all = suiteTasks();
  if (filter === undefined) return all;
  const names = filter.split(',').map((s) => s.trim()).filter((s) => s !== '');
  for (const n of names) if (!all.some((t) => t.name === n)) throw new EqflowError('invalid-argument', '--tasks', `unknown task "${n}" (tasks: ${all.map((t) => t.name).join(', ')})`);
  return all.filter((t) => names.includes(t.name));
}

export async function runSuite(tasks: readonly TaskDef[], opts: HarnessOptions, source: BenchRun['source']): Promise<BenchRun> {
  const loadStart = loadavg()[0];
  const done: TaskStats[] = [];
  const errored: ErroredTask[] = [];
  for (const def of tasks) {
    const r = await runTask(def, opts);
    if ('error' in r) errored.push(r);
    else done.push(r);
  }
  return { kind: 'eqflow-bench-run', version: 1, source, machine: machineInfo(loadStart), config: makeConfig(configTasks(tasks)), tasks: done, errored };
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ['time', 'warmup', 'samples', 'process-samples', 'tasks', 'out', 'source', 'no-history']);
  const opts: HarnessOptions = {
    ...DEFAULT_HARNESS,
    timeMs: numberFlag(flags, 'time', DEFAULT_HARNESS.timeMs),
    warmupMs: numberFlag(flags, 'warmup', DEFAULT_HARNESS.warmupMs),
    minSamples: numberFlag(flags, 'samples', DEFAULT_HARNESS.minSamples, 2),
    processSamples: numberFlag(flags, 'process-samples', DEFAULT_HARNESS.processSamples, 1),
  };
  const source = flags.get('source') ?? 'bench';
  if (source !== 'bench' && source !== 'save' && source !== 'check') throw new EqflowError('invalid-argument', '--source', `expected bench, save or check, got "${source}"`);
  const out = flags.get('out') ?? LATEST;
  const run = await runSuite(selectTasks(flags.get('tasks')), opts, source);
  await writeJsonAtomic(out, run);
  if (flags.get('no-history') !== 'true') await appendHistory(HISTORY, historyLine(run));
  process.stderr.write(`wrote ${out} (config ${run.config.hash}, load ${run.machine.loadStart} → ${run.machine.loadEnd})\n`);
  return run.errored.length > 0 ? 3 : 0;
}

if (isMain(import.meta.url)) runCli(main);
