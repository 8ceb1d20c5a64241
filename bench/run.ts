/**
 * `npm run bench`: runs the suite (bench/tasks.ts) once, writes reports/bench/latest.json atomically and appends
 * one line to reports/bench/history.jsonl.
 *
 * Options: --time MS (budget per task, default 2000), --warmup MS (500), --samples N (≥ 20 per task),
 * --process-samples N (3), --tasks a,b (names; changes the configuration), --out FILE, --source bench|save|check,
 * --history FILE, --no-history.
 *
 * Interrupted (SIGINT/SIGTERM/SIGHUP), it leaves --out and the history as they were and saves the tasks measured so far to
 * FILE.partial.json (FILE being --out without .json), saying so on stderr; exit code 128 + the signal number (130 for Ctrl-C).
 */
import { loadavg } from 'node:os';
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { saveOnInterrupt } from '../src/report/interrupt.js';
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

/** The run so far: `partial()` can be taken at any time (e.g. on an interrupt); `run()` measures the remaining tasks. */
export function suiteRun(tasks: readonly TaskDef[], opts: HarnessOptions, source: BenchRun['source']): { run: () => Promise<BenchRun>; partial: () => BenchRun } {
  const loadStart = loadavg()[0];
  const done: TaskStats[] = [];
  const errored: ErroredTask[] = [];
  const partial = (): BenchRun => ({ kind: 'eqflow-bench-run', version: 1, source, machine: machineInfo(loadStart), config: makeConfig(configTasks(tasks)), tasks: [...done], errored: [...errored] });
  const run = async (): Promise<BenchRun> => {
    for (const def of tasks) {
      const r = await runTask(def, opts);
      if ('error' in r) errored.push(r);
      else done.push(r);
    }
    return partial();
  };
  return { run, partial };
}

/** Where an interrupted run's measured tasks go: next to --out, never over it. */
export function partialPath(out: string): string {
  return `${out.replace(/\.json$/, '')}.partial.json`;
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ['time', 'warmup', 'samples', 'process-samples', 'tasks', 'out', 'source', 'history', 'no-history']);
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
  const history = flags.get('no-history') === 'true' ? null : (flags.get('history') ?? HISTORY);
  const suite = suiteRun(selectTasks(flags.get('tasks')), opts, source);
  const release = saveOnInterrupt('bench', async (signal) => {
    const partial = partialPath(out);
    const run = suite.partial();
    await writeJsonAtomic(partial, { ...run, interrupted: signal });
    return `${run.tasks.length} measured tasks saved to ${partial}; ${out}${history === null ? '' : ` and ${history}`} were left as they were`;
  });
  const run = await suite.run();
  release();
  await writeJsonAtomic(out, run);
  if (history !== null) await appendHistory(history, historyLine(run));
  process.stderr.write(`wrote ${out} (config ${run.config.hash}, load ${run.machine.loadStart} → ${run.machine.loadEnd})\n`);
  return run.errored.length > 0 ? 3 : 0;
}

if (isMain(import.meta.url)) runCli(main);
