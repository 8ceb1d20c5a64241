/**
 * `npx tsx power/summary.ts [REPORT] [OUT_DIR]`: the verifier's power from StrykerJS's report of `npm run power`
 * (reports/power/mutation.json): detection rate = detected / (all − equivalent), per module (src/<folder>) and in
 * all; for each claim, on how many mutants it was the first to fail; every undetected mutant with its
 * reason from power/equivalent.json — `equivalent` (no observable change at all) or `unseen` (observable, but in
 * nothing the theorems speak of; counted as undetected). Writes reports/power/summary.json and summary.md.
 */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { writeFileAtomic, writeJsonAtomic } from '../src/report/atomic.js';
import { Equivalent, MutationReport, OutOfScope, PerFileMeta, coverageNote, loadEquivalents, loadPerFile, measured, perFileMeta, summarize, survivorCells } from '../mutation/summary.js';
import { cli } from '../mutation/perFile.js';
import { FILES_DIR, POWER_JUDGE, loadRuns, powerFiles } from './files.js';
import { VERIFIER_SIDE, errorHandlingRanges, functionRanges, inRanges, lineStarts } from './scope.js';

/** Detection counts of one module (or of all). */
export interface ModulePower {
  module: string;
  mutants: number;
  detected: number;
  equivalent: number;
  unseen: number;
  survived: number;
  /** detected / (mutants − equivalent), % */
  rate: number;
  /** non-equivalent mutants in input checks and text (power/scope.ts: checks that only throw, the guards, labels and messages) */
  checksAndText: number;
  /** non-equivalent mutants in code the reference implementation never runs (scope 'off-path') */
  offPath: number;
  /** detected mutants in the rest, the reference's mathematical code on its path */
  pathDetected: number;
  /** pathDetected / (mutants − equivalent − checksAndText − offPath), % */
  pathRate: number;
}

/** Per module: static mutants (module-level constants) — not measured (power/stryker.config.mjs ignoreStatic). */
export type StaticCounts = Record<string, number>;

export interface PowerSummary {
  modules: ModulePower[];
  total: ModulePower;
  /** per claim (or claim control): the mutants on which it was the first test to fail (Stryker stops a mutant's run there) */
  claims: Array<{ test: string; caught: number }>;
  /** static mutants per module, left out of every count above */
  statics: StaticCounts;
  survivors: Array<{ file: string; line: number; mutator: string; original: string; code: string; replacement: string; kind: 'equivalent' | 'unseen' | null; reason: string | null }>;
}

const moduleOf = (file: string): string => file.split('/').slice(0, 2).join('/');

/** One version of a source file, read for the scope of the mutants measured on it (the scopes stated there by line). */
interface Version {
  guards: Array<readonly [number, number]>;
  starts: number[];
  lines: string[];
  verifierSide: Array<readonly [number, number]>;
  stated: Map<number, OutOfScope>;
}

/** The power figures of a Stryker report judged by the verify tests; `reasons` explains undetected mutants. */
export function powerSummary(report: MutationReport, reasons: readonly Equivalent[]): PowerSummary {
  // static mutants are set aside by summarize (measured) and counted per module below
  const files = Object.fromEntries(Object.entries(report.files).map(([file, f]) => [file, { ...f, mutants: f.mutants.filter(measured) }]));
  const s = summarize(report, reasons);
  const statics: StaticCounts = {};
  const reasonOf = (file: string, mutator: string, original: string, replacement: string) => reasons.find((e) => e.file === file && e.mutator === mutator && e.original === original && e.replacement === replacement);
  const kindOf = (v: (typeof s.survivors)[number]) => {
    const r = reasonOf(v.file, v.mutator, v.original, v.replacement);
    return r ? (r.kind ?? 'equivalent') : null;
  };
  const survivors = s.survivors.map((v) => ({ file: v.file, line: v.line, mutator: v.mutator, original: v.original, code: v.code, replacement: v.replacement, kind: kindOf(v), reason: v.equivalent }));
  const byModule = new Map<string, ModulePower>();
  const row = (module: string) => byModule.get(module) ?? byModule.set(module, { module, mutants: 0, detected: 0, equivalent: 0, unseen: 0, survived: 0, rate: 0, checksAndText: 0, offPath: 0, pathDetected: 0, pathRate: 0 }).get(module) as ModulePower;
  for (const f of s.files) {
    const m = row(moduleOf(f.file));
    m.mutants += f.killed + f.timeout + f.survived + f.noCoverage;
    m.detected += f.killed + f.timeout;
    if (f.statics > 0) statics[m.module] = (statics[m.module] ?? 0) + f.statics;
  }
  for (const v of survivors) {
    const m = row(moduleOf(v.file));
    if (v.kind === 'equivalent') m.equivalent++;
    else if (v.kind === 'unseen') m.unseen++;
    else m.survived++;
  }
  // the scope of every non-equivalent mutant (power/scope.ts): error handling by syntax and the verifier-side functions
  // by name, detected or not; otherwise the scope stated for an undetected mutant, which also covers the detected ones
  // on its line (one line, one kind of code)
  for (const [file, { source, mutants }] of Object.entries(files)) {
    const m = row(moduleOf(file));
    // a file joined from parts measured on different versions: each mutant is read in the version its part measured
    const versions = new Map<string, Version>();
    const versionOf = (src: string): Version => {
      let v = versions.get(src);
      if (v === undefined) versions.set(src, (v = { guards: errorHandlingRanges(src), starts: lineStarts(src), lines: src.split('\n'), verifierSide: functionRanges(src, Object.keys(VERIFIER_SIDE[file] ?? {})), stated: new Map() }));
      return v;
    };
    const classified = mutants.flatMap((x) => {
      const detected = x.status === 'Killed' || x.status === 'Timeout';
      if (!detected && x.status !== 'Survived' && x.status !== 'NoCoverage') return [];
      const v = versionOf(x.source ?? source);
      const line = x.location.start.line;
      const r = detected ? undefined : reasonOf(file, x.mutatorName, (v.lines[line - 1] ?? '').trim(), (x.replacement ?? '').replace(/\s+/g, ' '));
      if (r !== undefined && (r.kind ?? 'equivalent') === 'equivalent') return [];
      if (r?.scope !== undefined) v.stated.set(line, r.scope);
      const at = v.starts[line - 1] + x.location.start.column - 1;
      return [{ v, line, detected, guarded: inRanges(v.guards, at), verifierSide: inRanges(v.verifierSide, at) }];
    });
    for (const x of classified) {
      const scope = x.guarded ? 'checks' : x.verifierSide ? 'off-path' : x.v.stated.get(x.line);
      if (scope === 'off-path') m.offPath++;
      else if (scope !== undefined) m.checksAndText++;
      else if (x.detected) m.pathDetected++;
    }
  }
  const pct = (a: number, b: number) => (b === 0 ? 100 : (100 * a) / b);
  const rate = (m: ModulePower) => ({ ...m, rate: pct(m.detected, m.mutants - m.equivalent), pathRate: pct(m.pathDetected, m.mutants - m.equivalent - m.checksAndText - m.offPath) });
  const modules = [...byModule.values()].sort((a, b) => a.module.localeCompare(b.module)).map(rate);
  const sum = (k: keyof Omit<ModulePower, 'module' | 'rate' | 'pathRate'>) => modules.reduce((a, m) => a + m[k], 0);
  const total = rate({ module: 'all', mutants: sum('mutants'), detected: sum('detected'), equivalent: sum('equivalent'), unseen: sum('unseen'), survived: sum('survived'), rate: 0, checksAndText: sum('checksAndText'), offPath: sum('offPath'), pathDetected: sum('pathDetected'), pathRate: 0 });
  const names = new Map(Object.values(report.testFiles ?? {}).flatMap((f) => f.tests.map((t) => [t.id, t.name.replace(/^verify at default settings \(seed \d+\) /, '')] as const)));
  // Stryker stops a mutant's run at the first failing test, so killedBy names that one claim: whether another
  // claim would also have caught it is not measured (no "caught by it alone" column)
  const caught = new Map<string, number>();
  for (const { mutants } of Object.values(files)) {
    for (const m of mutants) for (const t of new Set((m.killedBy ?? []).map((id) => names.get(id) ?? id))) caught.set(t, (caught.get(t) ?? 0) + 1);
  }
  const claims = [...caught.entries()].map(([test, c]) => ({ test, caught: c })).sort((a, b) => b.caught - a.caught || a.test.localeCompare(b.test));
  return { modules, total, claims, survivors, statics };
}


/** The Markdown summary of reports/power/. */
export function formatPower(p: PowerSummary, meta: Pick<PerFileMeta, 'generatedAt' | 'commit'> & Partial<PerFileMeta>): string {
  const t = p.total;
  const coverage = [coverageNote('power', 'npm run power', meta.pending ?? [], meta.runs ?? [], meta.stale ?? [], meta.rejudged ?? [])];
  const nStatic = (m: string) => (m === 'all' ? Object.values(p.statics).reduce((a, n) => a + n, 0) : p.statics[m] ?? 0);
  const line = (m: ModulePower) => `| ${m.module} | ${m.mutants} | ${m.detected} | ${m.equivalent} | ${m.unseen} | ${m.survived} | ${m.rate.toFixed(1)}% | ${m.checksAndText} | ${m.offPath} | ${m.pathDetected} of ${m.mutants - m.equivalent - m.checksAndText - m.offPath} | ${m.pathRate.toFixed(1)}% | ${nStatic(m.module)} |`;
  return [
    '# The verifier\'s power (StrykerJS, judged by `eqflow verify` alone)',
    '',
    `Generated ${meta.generatedAt} at commit ${meta.commit} by \`npm run power\` (power/stryker.config.mjs; EQFLOW_SEED=2025).`,
    '',
    ...coverage,
    '',
    `**Detection rate: ${t.rate.toFixed(1)}%** — ${t.detected} of ${t.mutants - t.equivalent} non-equivalent mutants of the reference implementation make \`eqflow verify\` (default settings) fail; ${t.equivalent} mutants are equivalent, ${t.unseen} change only what no theorem speaks of (reasons below), ${t.survived} ${t.survived === 1 ? 'survives' : 'survive'} without a stated reason.`,
    '',
    `**On the reference's mathematical code: ${t.pathRate.toFixed(1)}%** — ${t.pathDetected} of ${t.mutants - t.equivalent - t.checksAndText - t.offPath} non-equivalent mutants, leaving out ${t.checksAndText} in input checks and text (checks that only throw, the check*/require*/validate* guards, labels and messages: by syntax for every mutant, power/scope.ts, and by the scope stated for undetected ones) and ${t.offPath} in code the reference implementation never runs (library helpers, integrators and factories verify does not call, scope \`off-path\` in power/equivalent.json; and the functions only verify's own oracles run, VERIFIER_SIDE in power/scope.ts). The issue asks for the verifier's power on the reference's mathematical code; both figures are kept.`,
    '',
    '| module | mutants | detected | equivalent | unseen by the theory | survived | detection rate | input checks and text | off the reference\'s path | detected on its mathematical code | rate there | static, not measured |',
    '|---|---|---|---|---|---|---|---|---|---|---|---|',
    ...p.modules.map(line),
    line({ ...t, module: 'all' }),
    '',
    `Static mutants (module-level constants, ${nStatic('all')} here) are left out of every count: the vitest runner switches mutants between tests of a loaded module, so a constant evaluated at import may never take the mutated value and its \"survived\" says nothing (power/stryker.config.mjs, ignoreStatic).`,
    '',
    '## Which claim caught the mutants',
    '',
    'Stryker stops a mutant\'s run at the first claim that fails, so each detected mutant is credited to that one claim; whether other claims would also catch it is not measured.',
    '',
    '| claim (or its negative control) | mutants on which it failed first |',
    '|---|---|',
    ...p.claims.map((c) => `| ${c.test} | ${c.caught} |`),
    '',
    '## Undetected mutants',
    '',
    '| where | mutator | original line | mutated code | replaced by | kind | reason |',
    '|---|---|---|---|---|---|---|',
    ...p.survivors.map((v) => `| ${v.file}:${v.line} | ${v.mutator} | ${survivorCells(v)} | ${v.kind ?? '**no reason yet**'} | ${v.reason ?? '—'} |`),
    '',
  ].join('\n');
}

/** Reads the per-file reports (or, without them, reports/power/mutation.json) and writes summary.{json,md}. */
export async function writePowerSummary(outDir = 'reports/power'): Promise<PowerSummary> {
  const report = await loadPerFile(FILES_DIR, join(outDir, 'mutation.json'));
  const p = powerSummary(report, await loadEquivalents('power/equivalent.json'));
  const meta = await perFileMeta(report, powerFiles(), loadRuns(), FILES_DIR, POWER_JUDGE);
  await writeJsonAtomic(join(outDir, 'summary.json'), { ...meta, ...p });
  await writeFileAtomic(join(outDir, 'summary.md'), formatPower(p, meta));
  return p;
}

async function main(): Promise<void> {
  const p = await writePowerSummary();
  process.stdout.write(`verify detects ${p.total.rate.toFixed(1)}% of non-equivalent mutants, ${p.total.pathRate.toFixed(1)}% on the reference's mathematical code (${p.total.survived} survivors without a reason); wrote reports/power/summary.md\n`);
}

// run as a script only (power/summary.ts imports this module's functions)
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) {
  cli('power summary', main);
}
