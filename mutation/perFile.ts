/**
 * One StrykerJS run per source file, incremental at two levels — the mechanism behind both `npm run mutation` (the
 * unit tests' score) and `npm run power` (verify's power). A full run takes hours on two cores, so: a file whose
 * report holds its current source is skipped (unless --refresh, which re-runs it through Stryker's own incremental
 * mode, re-testing only the mutants whose code or covering tests changed); a run cut short by the time budget (no new
 * file is started once M minutes have passed) or by Ctrl-C keeps every file it finished; files never run go first,
 * smallest first. Each run's time is appended to the suite's runs.json (atomically), from which the summaries
 * project the time a full run needs.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { z } from 'zod';
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { perFileOptions } from '../stryker.config.mjs';

/** A per-file suite: which files, which Stryker config, where its per-file reports and run times live. */
export interface PerFileSuite {
  /** the npm script's name, used in messages */
  name: string;
  /** the Stryker config run once per file */
  config: string;
  /** the environment variable that tells the config which file to mutate */
  fileEnv: string;
  /** reports/<suite>/files: one <slug>.json report and <slug>.incremental.json per file */
  filesDir: string;
  /** reports/<suite>/runs.json */
  runsFile: string;
  /** the config's glob list: `src/<dir>/**\/*.ts` includes a folder, `!src/**\/<name>` excludes a basename, `!<path>` a file */
  patterns: readonly string[];
  /** writes the suite's summary from its per-file reports; returns the line to print */
  summarize: () => Promise<string>;
  /**
   * The sources that judge the mutants (power: the claims, the implementations they drive, the harness). A file's run
   * judged by other contents is re-run from scratch: Stryker's incremental mode sees test names, not the claims'
   * code, so it would keep verdicts the current claims might change.
   */
  judge?: readonly string[];
}

/** <filesDir>/<dir>__<name>.json for src/<dir>/<name>.ts: where the per-file run's config writes its report. */
export const reportIn = (filesDir: string, file: string): string => perFileOptions(file, filesDir).jsonReporter.fileName;

/** Every file under `dir` (relative to `root`), as root-relative paths. */
const walk = (root: string, dir: string): string[] => readdirSync(resolve(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(root, `${dir}/${e.name}`) : [`${dir}/${e.name}`]));

/** The files a glob list selects (the only glob shapes the Stryker configs use; see PerFileSuite.patterns). */
export function selectFiles(patterns: readonly string[], root = '.'): string[] {
  const dirs = patterns.flatMap((p) => /^src\/(\w+)\/\*\*\/\*\.ts$/.exec(p)?.[1] ?? []);
  const names = new Set(patterns.flatMap((p) => /^!src\/\*\*\/([\w.]+)$/.exec(p)?.[1] ?? []));
  const paths = new Set(patterns.filter((p) => p.startsWith('!') && !p.includes('*')).map((p) => p.slice(1)));
  return dirs.flatMap((d) => walk(root, `src/${d}`)).filter((f) => f.endsWith('.ts') && !names.has(f.split('/').pop() as string) && !paths.has(f)).sort();
}

const runSchema = z.array(z.object({ file: z.string(), sha: z.string().optional(), judge: z.string().optional(), seconds: z.number(), mutants: z.number().int(), finishedAt: z.string() }));
export type FileRun = z.infer<typeof runSchema>[number];

export function loadRuns(file: string): FileRun[] {
  if (!existsSync(file)) return [];
  const r = runSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) throw new EqflowError('invalid-argument', 'file', `${file} is malformed at [${r.error.issues[0].path.join('.')}]: ${r.error.issues[0].message}`);
  return r.data;
}

/** Hash of a file's source: a run is current while its file hashes the same (Stryker leaves files with no mutants out of its report). */
const sha = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Hash of the judging sources: every file under `paths`, in path order, path and content. */
export function judgeHash(paths: readonly string[], root = '.'): string {
  const files = paths.flatMap((p) => (statSync(resolve(root, p)).isDirectory() ? walk(root, p) : [p])).sort();
  const h = createHash('sha256');
  for (const f of files) h.update(f).update('\0').update(readFileSync(resolve(root, f))).update('\0');
  return h.digest('hex');
}

/** The files of a suite's record judged by other sources than `judge` now has (a run without a recorded judge included). */
export function rejudged(runs: readonly FileRun[], judge: string | undefined): string[] {
  return judge === undefined ? [] : runs.filter((r) => r.judge !== judge).map((r) => r.file).sort();
}

/**
 * The suite's files not run yet, then those to re-run: with --refresh, when their source changed, or when another
 * judge measured them (`fresh`: their incremental file must go, so that every mutant is judged again); and the
 * current judge's hash, which the runs record.
 */
export function queueOf(suite: PerFileSuite, chosen: readonly string[], refresh: boolean): { pending: string[]; stale: string[]; fresh: string[]; judge?: string } {
  const runs = loadRuns(suite.runsFile);
  const has = (f: string) => existsSync(reportIn(suite.filesDir, f));
  const pending = chosen.filter((f) => !has(f) && !runs.some((r) => r.file === f)).sort((a, b) => statSync(a).size - statSync(b).size);
  const judge = suite.judge && judgeHash(suite.judge);
  const other = new Set(rejudged(runs, judge));
  const fresh = chosen.filter((f) => has(f) && other.has(f));
  const stale = chosen.filter((f) => has(f) && (refresh || other.has(f) || !runs.some((r) => r.file === f && r.sha === sha(f))));
  return { pending, stale, fresh, ...(judge && { judge }) };
}

function strykerOn(suite: PerFileSuite, file: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['stryker', 'run', suite.config], { stdio: 'inherit', env: { ...process.env, [suite.fileEnv]: file, EQFLOW_SEED: '2025' } });
    // Ctrl-C or a scheduler's SIGTERM stops Stryker too (an orphaned Stryker would keep both cores busy)
    const stop = () => child.kill('SIGINT');
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, stop);
    child.on('exit', (code) => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, stop);
      resolve(code ?? 1);
    });
  });
}

/** `npm run <suite> -- [--budget-minutes M] [--refresh] [FILE…]` */
export async function runPerFile(suite: PerFileSuite, args: readonly string[]): Promise<void> {
  const at = args.indexOf('--budget-minutes');
  const budget = at < 0 ? Infinity : Number(args[at + 1]);
  if (!(budget > 0)) throw new EqflowError('invalid-argument', '--budget-minutes', `--budget-minutes must be a positive number of minutes (got ${args[at + 1]})`);
  const all = selectFiles(suite.patterns);
  const asked = args.filter((a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1));
  for (const f of asked) if (!all.includes(f)) throw new EqflowError('invalid-argument', 'FILE', `${f} is not one of the ${suite.name} run's files (${suite.config})`);
  const refresh = args.includes('--refresh');
  const { pending, stale, fresh, judge } = queueOf(suite, asked.length > 0 ? asked : all, refresh);
  const queue = [...pending, ...stale];
  process.stdout.write(`${suite.name}: ${queue.length} of ${asked.length > 0 ? asked.length : all.length} files to run (${pending.length} never run, ${stale.length} ${refresh ? 'to refresh' : 'changed'}${fresh.length > 0 ? `, ${fresh.length} of them judged by other claims: re-run from scratch` : ''})\n`);
  const started = Date.now();
  for (const file of queue) {
    if ((Date.now() - started) / 60_000 >= budget) {
      process.stdout.write(`${suite.name}: time budget of ${budget} min used; ${queue.length - queue.indexOf(file)} files left for the next run\n`);
      break;
    }
    const t0 = Date.now();
    if (fresh.includes(file)) rmSync(perFileOptions(file, suite.filesDir).incrementalFile, { force: true });
    const code = await strykerOn(suite, file);
    const out = reportIn(suite.filesDir, file);
    if (code !== 0 || !existsSync(out)) throw new EqflowError('io', 'stryker', `Stryker stopped on ${file} (exit ${code}); the files finished before it are kept`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { files: Record<string, { mutants: unknown[] }> };
    const run = { file, sha: sha(file), ...(judge && { judge }), seconds: Math.round((Date.now() - t0) / 1000), mutants: report.files[file]?.mutants.length ?? 0, finishedAt: new Date().toISOString() };
    await writeJsonAtomic(suite.runsFile, [...loadRuns(suite.runsFile).filter((r) => r.file !== file), run]);
    process.stdout.write(`${suite.name}: ${file}: ${run.mutants} mutants in ${run.seconds} s\n`);
  }
  process.stdout.write(`${await suite.summarize()}\n`);
}

/** Runs `main` as a script: an error prints one line naming the script (no stack trace) and sets exit code 2. */
export function cli(name: string, main: () => Promise<void>): void {
  main().catch((e: unknown) => {
    process.stderr.write(`${name}: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
