/**
 * One StrykerJS run per source file, incremental at two levels — the mechanism behind both `npm run mutation` (the
 * unit tests' score) and `npm run power` (verify's power). A full run takes hours on two cores, so: a file longer than
 * PART_LINES runs as parts cut between top-level statements, one run each (a "unit": Stryker writes its report only
 * when a run ends, so a unit is the most a cut-short run can lose); a unit whose report holds its file's current
 * source is skipped (unless --refresh, which re-runs it through Stryker's own incremental mode, re-testing only the
 * mutants whose code or covering tests changed); a run cut short by the time budget (no new unit is started once M
 * minutes have passed) or by Ctrl-C keeps every unit it finished; units never run go first, smallest first. Each
 * run's time is appended to the suite's runs.json (atomically), from which the summaries project the time a full
 * run needs.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import ts from 'typescript';
import { z } from 'zod';
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { parseUnit, perFileOptions } from '../stryker.config.mjs';

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

/** <filesDir>/<dir>__<name>[@K].json for a unit src/<dir>/<name>.ts[@K:A-B]: where the per-file run's config writes its report. */
export const reportIn = (filesDir: string, unit: string): string => perFileOptions(unit, filesDir).jsonReporter.fileName;

/** Lines per part: the longest file (src/flows/integrators.ts, 424 lines) took 2.5 h of power run, more than a session keeps; files up to 200 lines took at most 40 min. */
export const PART_LINES = 200;

/**
 * The units a file runs as: the file itself when it has at most PART_LINES lines, else parts `file@k:A-B` of
 * consecutive top-level statements, each at most PART_LINES lines unless one statement is longer. Stryker mutates
 * only nodes wholly inside a range, so a cut through a statement would lose the mutants that span it (a function's
 * body, a multi-line condition); cuts between top-level statements lose none. A part's report is named by its
 * number k, which edits that keep the number of parts do not change.
 */
export function unitsOf(file: string, root = '.'): string[] {
  const text = readFileSync(resolve(root, file), 'utf8');
  const sf = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true);
  const lines = sf.getLineAndCharacterOfPosition(text.length).line + 1;
  if (lines <= PART_LINES) return [file];
  const line = (pos: number) => sf.getLineAndCharacterOfPosition(pos).line + 1;
  const ends: number[] = []; // the last line of each part but the last
  let from = 1;
  sf.statements.forEach((st, i) => {
    const next = sf.statements[i + 1];
    // cut after st when the next statement would overflow the part and starts on a later line than st ends
    if (next !== undefined && line(next.end) - from + 1 > PART_LINES && line(next.getStart(sf)) > line(st.end)) {
      ends.push(line(st.end));
      from = line(st.end) + 1;
    }
  });
  ends.push(lines);
  return ends.length === 1 ? [file] : ends.map((end, k) => `${file}@${k + 1}:${k === 0 ? 1 : ends[k - 1] + 1}-${end}`);
}

/** The file of a unit (`src/flows/integrators.ts@2:151-300` → `src/flows/integrators.ts`). */
export const fileOfUnit = (unit: string): string => parseUnit(unit).file;

/** A unit's share of its file's bytes (by lines), the proxy the summaries project run time from. */
export function unitBytes(unit: string, root = '.'): number {
  const { file, from, to } = parseUnit(unit);
  const path = resolve(root, file);
  if (!existsSync(path)) return 0;
  if (to === Infinity) return statSync(path).size;
  return readFileSync(path, 'utf8').split('\n').slice(from - 1, to).reduce((n, l) => n + Buffer.byteLength(l) + 1, 0);
}

interface RawReport { files: Record<string, { mutants: Array<{ location: { start: { line: number } } }> }> }

/** The mutants of a report that start within a unit's lines: the unit's share of its file's report. */
export function mutantsIn<M extends { location: { start: { line: number } } }>(report: { files: Record<string, { mutants: M[] } | undefined> }, unit: string): M[] {
  const { file, from, to } = parseUnit(unit);
  return report.files[file]?.mutants.filter((m) => m.location.start.line >= from && m.location.start.line <= to) ?? [];
}

/** A Stryker report (or incremental file) cut to a unit's mutants. */
function cutReport(report: RawReport, unit: string): RawReport {
  const file = fileOfUnit(unit);
  const f = report.files[file];
  return { ...report, files: f === undefined ? {} : { [file]: { ...f, mutants: mutantsIn(report, unit) } } };
}

/**
 * Brings `file`'s reports in line with its current units. A whole-file report of a file now run in parts is split into
 * the parts' reports (each mutant lies in one part: parts are contiguous and cut between statements), its incremental
 * file copied to each part's (Stryker re-uses the results that still apply) and its run record split by mutants; then
 * what no current unit names — a part beyond the current number, a record of a unit the file no longer has — is
 * removed, so that no mutant is counted twice. A part whose range moved keeps its report and re-runs as stale.
 */
export async function settleUnits(suite: PerFileSuite, file: string, root = '.'): Promise<void> {
  const units = unitsOf(file, root);
  const before = loadRuns(suite.runsFile);
  let runs = before;
  const whole = reportIn(suite.filesDir, file), wholeIncremental = perFileOptions(file, suite.filesDir).incrementalFile;
  if (units.length > 1 && existsSync(whole)) {
    const report = JSON.parse(readFileSync(whole, 'utf8')) as RawReport;
    const incremental = existsSync(wholeIncremental) ? (JSON.parse(readFileSync(wholeIncremental, 'utf8')) as RawReport) : undefined;
    const record = runs.find((r) => r.file === file);
    const total = report.files[file]?.mutants.length ?? 0;
    const parts: FileRun[] = [];
    for (const u of units) {
      const part = cutReport(report, u);
      const n = part.files[file]?.mutants.length ?? 0;
      if (!existsSync(reportIn(suite.filesDir, u))) await writeJsonAtomic(reportIn(suite.filesDir, u), part);
      const inc = perFileOptions(u, suite.filesDir).incrementalFile;
      if (incremental !== undefined && !existsSync(inc)) await writeJsonAtomic(inc, cutReport(incremental, u));
      if (record !== undefined && !runs.some((r) => r.file === u)) parts.push({ ...record, file: u, mutants: n, seconds: total === 0 ? 0 : Math.round((record.seconds * n) / total) });
    }
    runs = [...runs, ...parts];
  }
  const current = new Set(units);
  // a part whose lines moved (an edit above or inside it) keeps its report, named by its number, and so its record,
  // renamed to the current range: its sha marks it changed, and its judge still says which claims judged it
  const unitOfReport = new Map(units.filter((u) => existsSync(reportIn(suite.filesDir, u))).map((u) => [reportIn(suite.filesDir, u), u]));
  runs = runs.map((r) => {
    const now = fileOfUnit(r.file) === file && !current.has(r.file) ? unitOfReport.get(reportIn(suite.filesDir, r.file)) : undefined;
    return now !== undefined && !runs.some((x) => x.file === now) ? { ...r, file: now } : r;
  });
  const reports = new Set(units.map((u) => basename(reportIn(suite.filesDir, u))));
  const slug = basename(whole, '.json');
  if (existsSync(suite.filesDir)) {
    for (const f of readdirSync(suite.filesDir)) {
      const m = /^(.*?)(@\d+)?(\.incremental)?\.json$/.exec(f);
      if (m !== null && m[1] === slug && !reports.has(`${m[1]}${m[2] ?? ''}.json`)) rmSync(join(suite.filesDir, f));
    }
  }
  const kept = runs.filter((r) => fileOfUnit(r.file) !== file || current.has(r.file));
  if (JSON.stringify(kept) !== JSON.stringify(before)) await writeJsonAtomic(suite.runsFile, kept);
}

/** Every file under `dir` (relative to `root`), as root-relative paths. */
const walk = (root: string, dir: string): string[] => readdirSync(resolve(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(root, `${dir}/${e.name}`) : [`${dir}/${e.name}`]));

/** The files a glob list selects (the only glob shapes the Stryker configs use; see PerFileSuite.patterns). */
export function selectFiles(patterns: readonly string[], root = '.'): string[] {
  const dirs = patterns.flatMap((p) => /^src\/(\w+)\/\*\*\/\*\.ts$/.exec(p)?.[1] ?? []);
  const names = new Set(patterns.flatMap((p) => /^!src\/\*\*\/([\w.]+)$/.exec(p)?.[1] ?? []));
  const paths = new Set(patterns.filter((p) => p.startsWith('!') && !p.includes('*')).map((p) => p.slice(1)));
  return dirs.flatMap((d) => walk(root, `src/${d}`)).filter((f) => f.endsWith('.ts') && !names.has(f.split('/').pop() as string) && !paths.has(f)).sort();
}

// file: the unit run, a file or a part of it (unitsOf)
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

/** The units of a suite's record judged by other sources than `judge` now has (a run without a recorded judge included). */
export function rejudged(runs: readonly FileRun[], judge: string | undefined): string[] {
  return judge === undefined ? [] : runs.filter((r) => r.judge !== judge).map((r) => r.file).sort();
}

/**
 * The units of the chosen files not run yet (smallest first), then those to re-run: with --refresh, when their file's
 * source changed, or when another judge measured them (`fresh`: their incremental file must go, so that every mutant
 * is judged again); and the current judge's hash, which the runs record.
 */
export function queueOf(suite: PerFileSuite, chosen: readonly string[], refresh: boolean): { pending: string[]; stale: string[]; fresh: string[]; judge?: string } {
  const runs = loadRuns(suite.runsFile);
  const units = chosen.flatMap((f) => unitsOf(f));
  const has = (u: string) => existsSync(reportIn(suite.filesDir, u));
  const pending = units.filter((u) => !has(u) && !runs.some((r) => r.file === u)).sort((a, b) => unitBytes(a) - unitBytes(b));
  const judge = suite.judge && judgeHash(suite.judge);
  const other = new Set(rejudged(runs, judge));
  const fresh = units.filter((u) => has(u) && other.has(u));
  const stale = units.filter((u) => has(u) && (refresh || other.has(u) || !runs.some((r) => r.file === u && r.sha === sha(fileOfUnit(u)))));
  return { pending, stale, fresh, ...(judge && { judge }) };
}

function strykerOn(suite: PerFileSuite, unit: string): Promise<number> {
  return new Promise((resolve) => {
    const child = spawn('npx', ['stryker', 'run', suite.config], { stdio: 'inherit', env: { ...process.env, [suite.fileEnv]: unit, EQFLOW_SEED: '2025' } });
    // Ctrl-C or a scheduler's SIGTERM stops Stryker too (an orphaned Stryker would keep both cores busy)
    const stop = () => child.kill('SIGINT');
    for (const s of ['SIGINT', 'SIGTERM'] as const) process.once(s, stop);
    child.on('exit', (code) => {
      for (const s of ['SIGINT', 'SIGTERM'] as const) process.off(s, stop);
      resolve(code ?? 1);
    });
  });
}

/** Whether the FILE[@K] arguments choose a unit: its file named alone, or with the unit's part number. */
export const chosenBy = (asked: readonly string[], unit: string): boolean => {
  const { file, part } = parseUnit(unit);
  return asked.includes(file) || (part !== undefined && asked.includes(`${file}@${part}`));
};

/** `npm run <suite> -- [--budget-minutes M] [--refresh] [FILE[@K]…]`: FILE@K runs part K of FILE only */
export async function runPerFile(suite: PerFileSuite, args: readonly string[]): Promise<void> {
  const at = args.indexOf('--budget-minutes');
  const budget = at < 0 ? Infinity : Number(args[at + 1]);
  if (!(budget > 0)) throw new EqflowError('invalid-argument', '--budget-minutes', `--budget-minutes must be a positive number of minutes (got ${args[at + 1]})`);
  const all = selectFiles(suite.patterns);
  const asked = args.filter((a, i) => !a.startsWith('--') && (at < 0 || i !== at + 1));
  const fileOf = (a: string): string => a.replace(/@\d+$/, ''); // FILE@K → FILE
  const files = [...new Set(asked.map(fileOf))];
  for (const f of files) if (!all.includes(f)) throw new EqflowError('invalid-argument', 'FILE', `${f} is not one of the ${suite.name} run's files (${suite.config})`);
  for (const a of asked) if (!unitsOf(fileOf(a)).some((u) => chosenBy([a], u))) throw new EqflowError('invalid-argument', 'FILE', `${a}: no such part (the file runs as ${unitsOf(fileOf(a)).join(', ')})`);
  const refresh = args.includes('--refresh');
  for (const f of files.length > 0 ? files : all) await settleUnits(suite, f);
  const q = queueOf(suite, files.length > 0 ? files : all, refresh);
  const [pending, stale, fresh] = [q.pending, q.stale, q.fresh].map((us) => us.filter((u) => files.length === 0 || chosenBy(asked, u)));
  const { judge } = q;
  const queue = [...pending, ...stale];
  process.stdout.write(`${suite.name}: ${queue.length} units of ${files.length > 0 ? files.length : all.length} files to run (${pending.length} never run, ${stale.length} ${refresh ? 'to refresh' : 'changed'}${fresh.length > 0 ? `, ${fresh.length} of them judged by other claims: re-run from scratch` : ''})\n`);
  const started = Date.now();
  for (const unit of queue) {
    if ((Date.now() - started) / 60_000 >= budget) {
      process.stdout.write(`${suite.name}: time budget of ${budget} min used; ${queue.length - queue.indexOf(unit)} units left for the next run\n`);
      break;
    }
    const t0 = Date.now();
    const file = fileOfUnit(unit);
    if (fresh.includes(unit)) rmSync(perFileOptions(unit, suite.filesDir).incrementalFile, { force: true });
    const code = await strykerOn(suite, unit);
    const out = reportIn(suite.filesDir, unit);
    if (code !== 0 || !existsSync(out)) throw new EqflowError('io', 'stryker', `Stryker stopped on ${unit} (exit ${code}); the units finished before it are kept`);
    const report = JSON.parse(readFileSync(out, 'utf8')) as { files: Record<string, { mutants: unknown[] }> };
    const run = { file: unit, sha: sha(file), ...(judge && { judge }), seconds: Math.round((Date.now() - t0) / 1000), mutants: report.files[file]?.mutants.length ?? 0, finishedAt: new Date().toISOString() };
    await writeJsonAtomic(suite.runsFile, [...loadRuns(suite.runsFile).filter((r) => r.file !== unit), run]);
    process.stdout.write(`${suite.name}: ${unit}: ${run.mutants} mutants in ${run.seconds} s\n`);
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
