/**
 * `npm run power -- [--budget-minutes M] [--refresh] [FILE…]`: the verifier's power, one source file per StrykerJS
 * run (power/stryker.config.mjs with EQFLOW_POWER_FILE), each with its own JSON report and incremental file under
 * reports/power/files/. A full run takes many hours on two cores, so it is incremental at two levels: a file whose
 * report holds its current source is skipped (unless --refresh, which re-runs it through Stryker's own incremental
 * mode, re-testing only the mutants whose code or covering claims changed), and a run cut short by the time budget
 * (no new file is started once M minutes have passed) or by Ctrl-C keeps every file it finished. Files without a
 * report go first, smallest first. Each run's time is appended to reports/power/runs.json (atomically), from which
 * power/summary.ts projects the full-run time.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { RUNS_FILE, loadRuns, powerFiles, reportOf } from './files.js';
import { writePowerSummary } from './summary.js';

/** Hash of a file's source: a run is current while its file hashes the same (Stryker leaves files with no mutants out of its report). */
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** A file is up to date when its last run was made from its current source. */
function upToDate(file: string): boolean {
  return existsSync(reportOf(file)) && loadRuns().some((r) => r.file === file && r.sha === sha(file));
}

function strykerOn(file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['stryker', 'run', 'power/stryker.config.mjs'], { stdio: 'inherit', env: { ...process.env, EQFLOW_POWER_FILE: file, EQFLOW_SEED: '2025' } });
    // Ctrl-C or a scheduler's SIGTERM stops Stryker too (an orphaned Stryker would keep both cores busy)
    const stop = () => child.kill('SIGINT');
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, stop);
    child.on('exit', (code) => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, stop);
      resolve(code ?? 1);
    });
  });
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const at = args.indexOf('--budget-minutes');
  const budget = at < 0 ? Infinity : Number(args[at + 1]);
  if (!(budget > 0)) throw new EqflowError('invalid-argument', '--budget-minutes', `--budget-minutes must be a positive number of minutes (got ${args[at + 1]})`);
  const refresh = args.includes('--refresh');
  const all = powerFiles();
  const asked = args.filter((a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1));
  for (const f of asked) if (!all.includes(f)) throw new EqflowError('invalid-argument', 'FILE', `${f} is not one of the power run's files (power/stryker.config.mjs POWER_FILES)`);
  const chosen = asked.length > 0 ? asked : all;
  const pending = chosen.filter((f) => !existsSync(reportOf(f)) && !loadRuns().some((r) => r.file === f)).sort((a, b) => statSync(a).size - statSync(b).size);
  const stale = chosen.filter((f) => existsSync(reportOf(f)) && (refresh || !upToDate(f)));
  const queue = [...pending, ...stale];
  process.stdout.write(`power: ${queue.length} of ${chosen.length} files to run (${pending.length} never run, ${stale.length} ${refresh ? 'to refresh' : 'changed'})\n`);
  const started = Date.now();
  for (const file of queue) {
    if ((Date.now() - started) / 60_000 >= budget) {
      process.stdout.write(`power: time budget of ${budget} min used; ${queue.length - queue.indexOf(file)} files left for the next run\n`);
      break;
    }
    const t0 = Date.now();
    const code = await strykerOn(file);
    if (code !== 0 || !existsSync(reportOf(file))) throw new EqflowError('io', 'stryker', `Stryker stopped on ${file} (exit ${code}); the files finished before it are kept`);
    const report = JSON.parse(readFileSync(reportOf(file), 'utf8')) as { files: Record<string, { mutants: unknown[] }> };
    const run = { file, sha: sha(file), seconds: Math.round((Date.now() - t0) / 1000), mutants: report.files[file]?.mutants.length ?? 0, finishedAt: new Date().toISOString() };
    await writeJsonAtomic(RUNS_FILE, [...loadRuns().filter((r) => r.file !== file), run]);
    process.stdout.write(`power: ${file}: ${run.mutants} mutants in ${run.seconds} s\n`);
  }
  const p = await writePowerSummary();
  process.stdout.write(`power: verify detects ${p.total.rate.toFixed(1)}% of the non-equivalent mutants run so far; reports/power/summary.md\n`);
}

if (process.argv[1]?.endsWith('power/run.ts')) {
  main().catch((e: unknown) => {
    process.stderr.write(`power: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
