/**
 * `npx tsx mutation/summary.ts [REPORT] [OUT]`: turns StrykerJS's JSON report (reports/mutation/mutation.json) into
 * reports/mutation/summary.md: the mutation score per file and in all, and every surviving mutant with its line and
 * replacement. Survivors listed in mutation/equivalent.json (a reason each, matched by file, mutator, original line
 * and replacement, so the entry survives line shifts) are marked equivalent; the score still counts them as survived.
 */
import { pathToFileURL } from 'node:url';
import { z } from 'zod';
import { EqflowError } from '../src/core/errors.js';
import { writeFileAtomic } from '../src/report/atomic.js';
import { readJson } from '../bench/report.js';

const mutantSchema = z.object({
  id: z.string(),
  mutatorName: z.string(),
  replacement: z.string().optional(),
  status: z.enum(['Killed', 'Survived', 'NoCoverage', 'Timeout', 'CompileError', 'RuntimeError', 'Ignored', 'Pending']),
  location: z.object({ start: z.object({ line: z.number().int(), column: z.number().int() }), end: z.object({ line: z.number().int(), column: z.number().int() }).optional() }),
  killedBy: z.array(z.string()).optional(),
  // a mutant of module-level code (a constant), which runs once at import rather than inside a test
  static: z.boolean().optional(),
});
const reportSchema = z.object({
  files: z.record(z.string(), z.object({ source: z.string(), mutants: z.array(mutantSchema) })),
  testFiles: z.record(z.string(), z.object({ tests: z.array(z.object({ id: z.string(), name: z.string() })) })).optional(),
});
// kind: 'equivalent' (nothing observable changes) or, for the power run, 'unseen' (observable, but in nothing a theorem speaks of)
const equivalentSchema = z.array(z.object({ file: z.string(), mutator: z.string(), original: z.string(), replacement: z.string(), reason: z.string().min(1), kind: z.enum(['equivalent', 'unseen']).optional() }));

export type MutationReport = z.infer<typeof reportSchema>;
export type Equivalent = z.infer<typeof equivalentSchema>[number];

export interface FileScore {
  file: string;
  killed: number;
  timeout: number;
  survived: number;
  noCoverage: number;
  errors: number;
  /** (killed + timeout) / (killed + timeout + survived + noCoverage), %; compile and runtime errors are not mutants that ran */
  score: number;
}

export interface Survivor {
  file: string;
  line: number;
  mutator: string;
  original: string;
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
  const totals = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0 };
  for (const [file, { source, mutants }] of Object.entries(report.files).sort(([a], [b]) => a.localeCompare(b))) {
    const lines = source.split('\n');
    const c = { killed: 0, timeout: 0, survived: 0, noCoverage: 0, errors: 0 };
    for (const m of mutants) {
      if (m.status === 'Killed') c.killed++;
      else if (m.status === 'Timeout') c.timeout++;
      else if (m.status === 'Survived') c.survived++;
      else if (m.status === 'NoCoverage') c.noCoverage++;
      else if (m.status === 'CompileError' || m.status === 'RuntimeError') c.errors++;
      if (m.status !== 'Survived' && m.status !== 'NoCoverage') continue;
      const original = (lines[m.location.start.line - 1] ?? '').trim();
      const replacement = (m.replacement ?? '').replace(/\s+/g, ' ');
      const eq = equivalents.find((e) => e.file === file && e.mutator === m.mutatorName && e.original === original && e.replacement === replacement);
      survivors.push({ file, line: m.location.start.line, mutator: m.mutatorName, original, replacement, status: m.status, equivalent: eq?.reason ?? null });
    }
    files.push({ file, ...c, score: score(c) });
    for (const k of Object.keys(totals) as Array<keyof typeof totals>) totals[k] += c[k];
  }
  survivors.sort((a, b) => a.file.localeCompare(b.file) || a.line - b.line);
  return { files, total: { file: 'all', ...totals, score: score(totals) }, survivors };
}

const cell = (s: string): string => `\`${s.replace(/`/g, "'").replace(/\|/g, '\\|').slice(0, 120)}\``;

/** The Markdown summary. */
export function formatSummary(s: ReturnType<typeof summarize>, meta: { generatedAt: string; commit: string }): string {
  const equivalent = s.survivors.filter((v) => v.equivalent !== null).length;
  const t = s.total;
  const killable = t.killed + t.timeout + t.survived + t.noCoverage - equivalent;
  const out = [
    '# Mutation testing (StrykerJS)',
    '',
    `Generated ${meta.generatedAt} at commit ${meta.commit} by \`npm run mutation\` (EQFLOW_SEED=2025; see stryker.config.mjs).`,
    '',
    `**Mutation score: ${t.score.toFixed(1)}%** — ${t.killed} killed + ${t.timeout} timed out (detected) of ${t.killed + t.timeout + t.survived + t.noCoverage} mutants; ${t.survived} survived, ${t.noCoverage} not covered by any test${t.errors > 0 ? `, ${t.errors} compile/runtime errors (not counted)` : ''}.`,
    `Of the ${t.survived + t.noCoverage} undetected, ${equivalent} are judged equivalent (no test can tell them apart; reasons below); without them the score is ${killable === 0 ? '100.0' : ((100 * (t.killed + t.timeout)) / killable).toFixed(1)}%.`,
    '',
    '| file | killed | timed out | survived | no coverage | score |',
    '|---|---|---|---|---|---|',
    ...s.files.map((f) => `| ${f.file} | ${f.killed} | ${f.timeout} | ${f.survived} | ${f.noCoverage} | ${f.score.toFixed(1)}% |`),
    `| **all** | ${t.killed} | ${t.timeout} | ${t.survived} | ${t.noCoverage} | **${t.score.toFixed(1)}%** |`,
    '',
    '## Undetected mutants',
    '',
    '| where | mutator | original line | replaced by | status | equivalent because |',
    '|---|---|---|---|---|---|',
    ...s.survivors.map((v) => `| ${v.file}:${v.line} | ${v.mutator} | ${cell(v.original)} | ${cell(v.replacement)} | ${v.status} | ${v.equivalent ?? '—'} |`),
    '',
  ];
  return out.join('\n');
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

async function main(): Promise<void> {
  const [reportFile = 'reports/mutation/mutation.json', out = 'reports/mutation/summary.md'] = process.argv.slice(2);
  const s = summarize(await loadReport(reportFile), await loadEquivalents('mutation/equivalent.json'));
  const { execFileSync } = await import('node:child_process');
  const commit = execFileSync('git', ['rev-parse', '--short', 'HEAD'], { encoding: 'utf8' }).trim();
  await writeFileAtomic(out, formatSummary(s, { generatedAt: new Date().toISOString(), commit }));
  process.stdout.write(`mutation score ${s.total.score.toFixed(1)}% (${s.survivors.length} undetected); wrote ${out}\n`);
}

// run as a script only (power/summary.ts imports this module's functions)
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().catch((e: unknown) => {
    process.stderr.write(`mutation summary: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exitCode = 2;
  });
}
