/**
 * `npm run bench:trend`: renders reports/bench/history.jsonl as reports/bench/trend.svg, one panel per task, the
 * median per-op time of each run (relative to the first) against the run's index in the history; one line per
 * configuration, so runs that may not be compared are never joined. A corrupt history line is an error naming it.
 */
import { EqflowError } from '../src/core/errors.js';
import { writeFileAtomic } from '../src/report/atomic.js';
import { LineSeries, lineChart } from '../src/report/plot.js';
import { fmtMs } from './harness.js';
import { HistoryLine, isMain, parseFlags, readHistory, runCli } from './report.js';
import { HISTORY } from './run.js';

export const TREND = 'reports/bench/trend.svg';

/**
 * One series per (task, configuration): x = index of the run in the history, y = its p50 relative to the first run
 * of that series (so µs and s tasks share one linear scale and a regression reads as a ratio). Panels are named
 * with the task and its latest absolute p50.
 */
export function trendSeries(history: readonly HistoryLine[]): LineSeries[] {
  const series = new Map<string, LineSeries & { first: number }>();
  const latest = new Map<string, number>();
  history.forEach((h, i) => {
    for (const [task, s] of Object.entries(h.tasks)) {
      const key = `${task} @ ${h.config}`;
      let line = series.get(key);
      if (!line) {
        line = { name: key, group: task, legend: `config ${h.config}`, x: [], y: [], style: 'bold', first: s.p50Ms };
        series.set(key, line);
      }
      line.x.push(i + 1);
      line.y.push(s.p50Ms / line.first);
      latest.set(task, s.p50Ms);
    }
  });
  return [...series.values()].map(({ first: _first, ...line }) => {
    const task = line.group ?? '';
    return { ...line, group: `${task} (latest p50 ${fmtMs(latest.get(task) ?? 0)})` };
  });
}

async function main(): Promise<number> {
  const flags = parseFlags(process.argv.slice(2), ['history', 'out']);
  const file = flags.get('history') ?? HISTORY;
  const out = flags.get('out') ?? TREND;
  const history = await readHistory(file);
  if (history.length === 0) throw new EqflowError('invalid-argument', 'history', `${file} has no runs yet; run npm run bench first`);
  const svg = await lineChart({
    title: `eqflow benchmark history (${history.length} runs, ${history[0].date.slice(0, 10)} … ${history[history.length - 1].date.slice(0, 10)})`,
    xTitle: 'run (order in history.jsonl)',
    yTitle: 'p50 / p50 of the first run',
    series: trendSeries(history),
    panels: true,
    columns: 2,
    width: 300,
    height: 160,
  });
  await writeFileAtomic(out, svg);
  process.stdout.write(`wrote ${out}\n`);
  return 0;
}

if (isMain(import.meta.url)) runCli(main);
