/**
 * `npx tsx mutation/summary.ts [REPORT] [OUT]`: turns StrykerJS's JSON reports — the per-file reports of
 * `npm run mutation` (reports/mutation/files/) merged, or one REPORT — into reports/mutation/summary.md: the mutation
 * score per file and in all, which files are left or were measured on an older source, and every surviving mutant
 * with its line and replacement. Survivors listed in mutation/equivalent.json (a reason each, matched by file, mutator, original line
 * and replacement, so the entry survives line shifts) are marked equivalent; the score still counts them as survived.
 */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { EqflowError } from '../src/core/errors.js';
import { writeFileAtomic } from '../src/report/atomic.js';
import { readJson } from '../bench/report.js';
import { MUTATION_FILES } from '../stryker.config.mjs';
import { FileRun, PART_LINES, cli, judgeHash, loadRuns, mutantsIn, rejudged, reportIn, selectFiles, unitBytes, unitsOf } from './perFile.js';

const mutantSchema = z.object({
  id: z.string(),
  mutatorName: z.string(),
  replacement: z.string().optional(),
  status: z.enum(['Killed', 'Survived', 'NoCoverage', 'Timeout', 'CompileError', 'RuntimeError', 'Ignored', 'Pending']),
  location: z.object({ start: z.object({ line: z.number().int(), column: z.number().int() }), end: z.object({ line: z.number().int(), column: z.number().int() }).optional() }),
  killedBy: z.array(z.string()).optional(),
  // a mutant of module-level code (a constant), which runs once at import rather than inside a test
  static: z.boolean().optional(),
  // set by mergeReports on a mutant of a part measured on another version of its file than the file's first part
  source: z.string().optional(),
});
const reportSchema = z.object({
  files: z.record(z.string(), z.object({ source: z.string(), mutants: z.array(mutantSchema) })),
  testFiles: z.record(z.string(), z.object({ tests: z.array(z.object({ id: z.string(), name: z.string() })) })).optional(),
});
// kind: 'equivalent' (nothing observable changes) or, for the power run, 'unseen' (observable, but in nothing a theorem
// speaks of); scope (power/scope.ts), where an unseen mutant lies outside the reference's mathematical code: 'checks'
// (input validation), 'text' (labels, names, messages), 'off-path' (code the reference implementation never runs)
const equivalentSchema = z.array(z.object({ file: z.string(), mutator: z.string(), original: z.string(), replacement: z.string(), reason: z.string().min(1), kind: z.enum(['equivalent', 'unseen']).optional(), scope: z.enum(['checks', 'text', 'off-path']).optional() }));

export type MutationReport = z.infer<typeof reportSchema>;
export type Equivalent = z.infer<typeof equivalentSchema>[number];
/** Where a power mutant lies outside the reference's mathematical code. */
export type OutOfScope = NonNullable<Equivalent['scope']>;

export interface FileScore {
  file: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  errors: number;
  /** static mutants (module-level constants), set aside: see {@link measured} */
  statics: number;
  /** (killed + timeout) / (killed + timeout + survived + noCoverage), %; compile and runtime errors are not mutants that ran */
  score: number;
}

/**
 * Whether a mutant was measured. A static one (a module-level constant) is evaluated once at import, while the vitest
 * runner switches the active mutant between tests of an already loaded module, so its "survived" says nothing: both
 * Stryker configs set ignoreStatic (status Ignored), and reports made before that hold them as survived.
 */
export const measured = (m: { static?: boolean; status: string }): boolean => m.static !== true && m.status !== 'Ignored';

export interface Survivor {
  file: string;
  line: number;
  mutator: string;
  original: string;
  /** the code the mutant replaces (the line alone does not say which of its expressions changed) */
  code: string;
  replacement: string;
  status: 'Survived' | 'NoCoverage';
  /** why it cannot be killed, when mutation/equivalent.json says so */
  equivalent: string | null;
}

function score(s: Omit<FileScore, 'file' | 'score'>): number {
  const valid = s.killed + s.timeout + s.survived + s.noCoverage;
  return valid === 0 ? 100 : (100 * (s.killed + s.timeout)) / valid;
}

/** Scores per file and in all, and the surviving (or uncovered) mutants with their equivalence notes. */
export function summarize(report: MutationReport, equivalents: readonly Equivalent[]): { files: FileScore[]; total: FileScore; survivors: Survivor[] } {
  const files: FileScore[] = [];
  const survivors: Survivor[] = [];
  const totals = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, statics: 0 };
  for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const lines = source.split('\n');
    const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0, statics: 0 };
    for (const m of mutants) {
      if (!measured(m)) c.statics++;
      else if (m.status === 'Killed') c.killed++;
      else if (m.status === 'Timeout') c.timeout++;
      else if (m.status === 'Survived') c.survived++;
      else if (m.status === 'NoCoverage') c.noCoverage++;
      else if (m.status === 'CompileError' || m.status === 'RuntimeError') c.errors++;
      if (!measured(m) || (m.status !== 'Survived' && m.status !== 'NoCoverage')) continue;
      const own = m.source === undefined ? lines : m.source.split('\n');
      const original = (own[m.location.start.line - 1] ?? '').trim();
      const { start, end } = m.location;
      const code = end === undefined ? '' : own.slice(start.line - 1, end.line).map((l, i, a) => (i === a.length - 1 ? l.slice(0, end.column - 1) : l)).join('\n').slice(start.column - 1).replace(/\s+/g, ' ');
      const replacement = (m.replacement ?? '').replace(/\s+/g, ' ');
      const eq = equivalents.find((e) => e.file === file && e.mutator === m.mutatorName && e.original === original && e.replacement === replacement);
      survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, original, code, replacement, status: m.status, equivalent: eq?.reason ?? null });
    }
    files.push({ file, ...c, score: score(c) });
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += c[k];
  }
  survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { files, total: { file: 'all', ...totals, score: score(totals) }, survivors };
}

const cell = (s: string): string => `\`${s.replace(/`/g, "'").replace(/\|/g, '\\|').slice(0, 120)}\``;
/** The table cells of a survivor: its line, the code it replaces (— when the report gives no end position), its replacement. */
export const survivorCells = (v: Pick<Survivor, 'original' | 'code' | 'replacement'>): string => `${cell(v.original)} | ${v.code === '' ? '—' : cell(v.code)} | ${cell(v.replacement)}`;

/** The Markdown summary. */
export function formatSummary(s: ReturnType<typeof summarize>, meta: { generatedAt: string; commit: string; coverage?: string }): string {
  const equivalent = s.survivors.filter((v) => v.equivalent !== null).length;
  const t = s.total;
  const killable = t.killed + t.timeout + t.survived + t.noCoverage - equivalent;
  const out = [
    '# Mutation testing (StrykerJS)',
    '',
    `Generated ${meta.generatedAt} at commit ${meta.commit} by \`npm run mutation\` (EQFLOW_SEED=2025; see stryker.config.mjs).`,
    '',
    ...(meta.coverage === undefined ? [] : [meta.coverage, '']),
    `**Mutation score: ${t.score.toFixed(1)}%** — ${t.killed} killed + ${t.timeout} timed out (detected) of ${t.killed + t.timeout + t.survived + t.noCoverage} mutants; ${t.survived} survived, ${t.noCoverage} not covered by any test${t.errors > 0 ? `, ${t.errors} compile/runtime errors (not counted)` : ''}.`,
    `Of the ${t.survived + t.noCoverage} undetected, ${equivalent} are judged equivalent (no test can tell them apart; reasons below); without them the score is ${killable === 0 ? '100.0' : ((100 * (t.killed + t.timeout)) / killable).toFixed(1)}%.`,
    ...(t.statics === 0 ? [] : [`${t.statics} static mutants (module-level constants) are not measured and not counted: the vitest runner cannot switch a constant evaluated at import (ignoreStatic).`]),
    '',
    '| file | killed | timed out | survived | no coverage | score | static, not measured |',
    '|---|---|---|---|---|---|---|',
    ...s.files.map((f) => `| ${f.file} | ${f.killed} | ${f.timeout} | ${f.survived} | ${f.noCoverage} | ${f.score.toFixed(1)}% | ${f.statics} |`),
    `| **all** | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | **${t.score.toFixed(1)}%** | ${t.statics} |`,
    '',
    '## Undetected mutants',
    '',
    '| where | mutator | original line | mutated code | replaced by | status | equivalent because |',
    '|---|---|---|---|---|---|---|',
    ...s.survivors.map((v) => `| ${v.file}:${v.line} | ${v.mutator} | ${survivorCells(v)} | ${v.status} | ${v.equivalent ?? '—'} |`),
    '',
  ];
  return out.join('\n');
}

/**
 * One report from the per-unit reports of mutation/perFile.ts (the parts of a file are joined; each run numbers its
 * tests and mutants from scratch, so their ids are prefixed by the report they come from), or the single report of a
 * whole-set Stryker run. A part measured on another version of the file than its first part (a run cut short between
 * parts) keeps that version on each of its mutants, whose lines refer to it; staleFiles then names the file.
 */
export function mergeReports(reports: ReadonlyArray<{ name: string; report: MutationReport }>): MutationReport {
  const merged: MutationReport = { files: {}, testFiles: {} };
  for (const { name, report } of reports) {
    const id = (t: string) => `${name}:${t}`;
    for (const [file, f] of Object.entries(report.files)) {
      const before = merged.files[file];
      const other = before !== undefined && before.source !== f.source;
      const mutants = f.mutants.map((m) => ({ ...m, id: id(m.id), killedBy: m.killedBy?.map(id), ...(other && { source: f.source }) }));
      merged.files[file] = before === undefined ? { ...f, mutants } : { ...before, mutants: [...before.mutants, ...mutants] };
    }
    for (const [file, t] of Object.entries(report.testFiles ?? {})) (merged.testFiles as NonNullable<MutationReport['testFiles']>)[`${name}:${file}`] = { tests: t.tests.map((x) => ({ ...x, id: id(x.id) })) };
  }
  return merged;
}

/** The per-file reports under `filesDir` merged, or, without any, the single report of a whole-set run. */
export async function loadPerFile(filesDir: string, wholeReport: string): Promise<MutationReport> {
  const perFile = existsSync(filesDir) ? readdirSync(filesDir).filter((f) => f.endsWith('.json') && !f.endsWith('.incremental.json')) : [];
  if (perFile.length === 0) return loadReport(wholeReport);
  return mergeReports(await Promise.all(perFile.map(async (f) => ({ name: f.replace(/\.json$/, ''), report: await loadReport(join(filesDir, f)) }))));
}

/** Which units a per-file suite has measured, how long it took, and the time the rest needs at that rate. */
export function coverageNote(suite: string, command: string, pending: readonly string[], runs: readonly FileRun[], stale: readonly string[] = [], rejudged: readonly string[] = []): string {
  const hours = runs.reduce((a, r) => a + r.seconds, 0) / 3600;
  const staleNote = (stale.length === 0 ? '' : ` ${stale.length === 1 ? '1 file was measured on an older version of its source' : `${stale.length} files were measured on older versions of their source`} (${stale.join(', ')}): \`${command}\` re-runs ${stale.length === 1 ? 'it' : 'them'} incrementally.`) +
    (rejudged.length === 0 ? '' : ` ${rejudged.length === 1 ? '1 unit was' : `${rejudged.length} units were`} judged by another version of the claims than the current one (${rejudged.join(', ')}); the current claims may detect more or fewer of ${rejudged.length === 1 ? 'its' : 'their'} mutants: \`${command}\` re-runs ${rejudged.length === 1 ? 'it' : 'them'} from scratch.`);
  if (pending.length === 0) return `Every file of the ${suite} run is measured (${runs.length} units, ${hours.toFixed(1)} h of wall time on this machine).${staleNote}`;
  // the pending units' mutants are not known before Stryker instruments them: source size is the proxy for the projection
  const bytes = (units: readonly string[]) => units.reduce((a, u) => a + unitBytes(u), 0);
  // a run without mutants times only Stryker's dry run, a fixed cost that says nothing of the rate per byte
  const timed = runs.filter((r) => r.mutants > 0);
  const doneBytes = bytes(timed.map((r) => r.file));
  const projected = doneBytes > 0 ? (timed.reduce((a, r) => a + r.seconds, 0) / 3600) * bytes(pending) / doneBytes : NaN;
  return `**Partial:** ${pending.length} of the ${suite} run's units (a file, or a part of a file longer than ${PART_LINES} lines) are not measured yet (${pending.join(', ')}); the figures are over the units measured. ` +
    `Time so far: ${hours.toFixed(1)} h for ${runs.reduce((a, r) => a + r.mutants, 0)} mutants in ${runs.length} units${Number.isFinite(projected) ? `; the rest needs ≈ ${projected.toFixed(1)} h more at that rate (projected from the source size)` : ''}. ` +
    `\`${command} -- --budget-minutes M\` continues where the last run stopped.${staleNote}`;
}

export async function loadReport(file: string): Promise<MutationReport> {
  const r = reportSchema.safeParse(await readJson(file, 'Stryker report'));
  if (!r.success) throw new EqflowError('invalid-argument', 'file', `Stryker report ${file} is malformed at ${r.error.issues[0].path.join('.')}: ${r.error.issues[0].message}`);
  return r.data;
}

export async function loadEquivalents(file: string): Promise<Equivalent[]> {
  const r = equivalentSchema.safeParse(await readJson(file, 'equivalent-mutant list'));
  if (!r.success) throw new EqflowError('invalid-argument', 'file', `${file} is malformed at [${r.error.issues[0].path.join('.')}]: ${r.error.issues[0].message}`);
  return r.data;
}

export const MUTATION_FILES_DIR = 'reports/mutation/files';
export const MUTATION_RUNS = 'reports/mutation/runs.json';

/** The files of a merged report with a part measured on another source than the file's current one (re-run them). */
export function staleFiles(report: MutationReport): string[] {
  const stale = (f: MutationReport['files'][string], now: string) => now !== f.source || f.mutants.some((m) => m.source !== undefined && m.source !== now);
  return Object.entries(report.files).filter(([file, f]) => existsSync(file) && stale(f, readFileSync(file, 'utf8'))).map(([file]) => file).sort();
}

/** What a per-file suite's summary states besides its figures: when, at which commit, which files are left or stale. */
export interface PerFileMeta {
  generatedAt: string;
  commit: string;
  /** units of the suite (files, or parts of long files) not run yet */
  pending: string[];
  /** files whose report was made from another version of their source */
  stale: string[];
  /** files judged by other sources than the suite's judge now holds (PerFileSuite.judge) */
  rejudged: string[];
  runs: FileRun[];
}

export async function perFileMeta(report: MutationReport, files: readonly string[], runs: FileRun[], filesDir: string, judge?: readonly string[]): Promise<PerFileMeta> {
  const { execFileSync } = await import('node:child_process');
  // a unit was run if it has its own report (its mutants' lines may be an older version's, from before its range
  // moved), if the report holds mutants of its file in its lines (a whole-set run), or, with no mutants (missing from
  // Stryker's report), if runs.json records it
  const recorded = new Set(runs.map((r) => r.file));
  const reported = (u: string) => existsSync(reportIn(filesDir, u)) || mutantsIn(report, u).length > 0;
  return {
    generatedAt: new Date().toISOString(),
    commit: execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim(),
    pending: files.flatMap((f) => unitsOf(f)).filter((u) => !recorded.has(u) && !reported(u)),
    stale: staleFiles(report),
    rejudged: rejudged(runs, judge && judgeHash(judge)),
    runs,
  };
}

/** Reads the per-file reports of `npm run mutation` (or one whole-set report) and writes the Markdown summary. */
export async function writeMutationSummary(reportFile?: string, out = 'reports/mutation/summary.md'): Promise<ReturnType<typeof summarize>> {
  const report = reportFile !== undefined ? await loadReport(reportFile) : await loadPerFile(MUTATION_FILES_DIR, 'reports/mutation/mutation.json');
  const s = summarize(report, await loadEquivalents('mutation/equivalent.json'));
  const meta = await perFileMeta(report, selectFiles(MUTATION_FILES), loadRuns(MUTATION_RUNS), MUTATION_FILES_DIR);
  await writeFileAtomic(out, formatSummary(s, { ...meta, coverage: coverageNote('mutation', 'npm run mutation', meta.pending, meta.runs, meta.stale, meta.rejudged) }));
  return s;
}

async function main(): Promise<void> {
  const [reportFile, out] = process.argv.slice(2);
  const s = await writeMutationSummary(reportFile, out);
  process.stdout.write(`mutation score ${s.total.score.toFixed(1)}% (${s.survivors.length} undetected); wrote ${out ?? 'reports/mutation/summary.md'}\n`);
}

// run as a script only (power/summary.ts imports this module's functions)
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli('mutation summary', main);
}
