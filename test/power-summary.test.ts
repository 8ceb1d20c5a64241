/** power/summary.ts: detection rate over non-equivalent mutants per module, the claim that caught each, reasons. */
import { describe, expect, it } from 'vitest';
import { MutationReport, mergeReports } from '../mutation/summary.js';
import { formatPower, powerSummary } from '../power/summary.js';
import { applyMutant } from '../power/replay.js';
import { VERIFIER_SIDE, errorHandlingRanges, functionRanges, inRanges, lineStarts } from '../power/scope.js';

type Status = MutationReport['files'][string]['mutants'][number]['status'];
const mutant = (id: string, status: Status, line: number, killedBy: string[] = []) =>
  ({ id, mutatorName: 'ArithmeticOperator', replacement: 'a - b', status, location: { start: { line, column: 1 } }, killedBy });

const report: MutationReport = {
  files: {
    'src/risk/risk.ts': { source: 'x\ny\nz\n', mutants: [mutant('1', 'Killed', 1, ['t1', 't2']), mutant('2', 'Killed', 1, ['t1']), mutant('3', 'Survived', 2), mutant('4', 'Survived', 3)] },
    'src/space/projectors.ts': { source: 'p\n', mutants: [mutant('5', 'Timeout', 1), mutant('6', 'NoCoverage', 1)] },
  },
  testFiles: { 'power/verify.power.test.ts': { tests: [{ id: 't1', name: 'verify at default settings (seed 2025) gradient' }, { id: 't2', name: 'verify at default settings (seed 2025) lemma-1a-2a control' }] } },
};

describe('power summary', () => {
  const reasons = [
    { file: 'src/risk/risk.ts', mutator: 'ArithmeticOperator', original: 'y', replacement: 'a - b', reason: 'same sum', kind: 'equivalent' as const },
    { file: 'src/risk/risk.ts', mutator: 'ArithmeticOperator', original: 'z', replacement: 'a - b', reason: 'only the progress count', kind: 'unseen' as const },
  ];

  it('rate = detected / (mutants − equivalent); unseen mutants count as undetected', () => {
    const p = powerSummary(report, reasons);
    expect(p.modules.map((m) => [m.module, m.mutants, m.detected, m.equivalent, m.unseen, m.survived])).toEqual([['src/risk', 4, 2, 1, 1, 0], ['src/space', 2, 1, 0, 0, 1]]);
    expect(p.modules[0].rate).toBeCloseTo(200 / 3, 12);
    expect(p.total.rate).toBe(60); // 3 detected of 6 − 1 equivalent
  });

  it('credits each detected mutant to the claims in its killedBy (Stryker stops at the first failing one)', () => {
    expect(powerSummary(report, reasons).claims).toEqual([{ test: 'gradient', caught: 2 }, { test: 'lemma-1a-2a control', caught: 1 }]);
    expect(formatPower(powerSummary(report, reasons), { generatedAt: 'now', commit: 'abc' })).not.toMatch(/by it alone/);
  });

  it('sets static mutants apart: neither detected nor survived, counted per module as not measured', () => {
    const withStatic: MutationReport = { ...report, files: { ...report.files, 'src/space/supports.ts': { source: 's\n', mutants: [{ ...mutant('7', 'Survived', 1), static: true }, { ...mutant('8', 'Killed', 1, ['t1']), static: true }] } } };
    const p = powerSummary(withStatic, reasons);
    expect(p.total).toEqual(powerSummary(report, reasons).total);
    expect(p.statics).toEqual({ 'src/space': 2 });
    expect(formatPower(p, { generatedAt: 'now', commit: 'abc' })).toMatch(/\| all \| 6 \| 3 \| 1 \| 1 \| 1 \| 60\.0% \| 0 \| 0 \| 3 of 5 \| 60\.0% \| 2 \|/);
  });

  it('negative control: without reasons every undetected mutant is a survivor and the Markdown flags it', () => {
    const p = powerSummary(report, []);
    expect(p.total.survived).toBe(3);
    expect(p.total.rate).toBe(50);
    expect(formatPower(p, { generatedAt: 'now', commit: 'abc' })).toMatch(/no reason yet/);
  });

  it('merges per-file reports: each run numbers its tests anew, so ids are prefixed and the claims still add up', () => {
    const one = (file: string): MutationReport => ({ files: { [file]: report.files[file] }, testFiles: report.testFiles });
    const merged = mergeReports([{ name: 'risk', report: one('src/risk/risk.ts') }, { name: 'space', report: one('src/space/projectors.ts') }]);
    expect(Object.keys(merged.files)).toEqual(['src/risk/risk.ts', 'src/space/projectors.ts']);
    expect(merged.files['src/risk/risk.ts'].mutants[0].killedBy).toEqual(['risk:t1', 'risk:t2']);
    expect(powerSummary(merged, reasons)).toEqual(powerSummary(report, reasons));
  });
});

describe('the power on the reference\'s mathematical code (power/scope.ts)', () => {
  const source = [
    'export function f(x: number[], n: number): number {', // 1
    "  if (n < 0) throw new EqflowError('invalid-argument', 'n', `got ${n}`);", // 2
    "  requireLength(x, n, 'x');", // 3
    '  let s = 0;', // 4
    '  for (let i = 0; i < n; i++) s += x[i] * x[i];', // 5
    '  return s;', // 6
    '}', // 7
    'function checkLevel(i: number): number {', // 8: a guard's name, but it never throws: sifting, not validation
    '  return i + 1;', // 9
    '}', // 10
    'function checkSize(n: number): void {', // 11
    "  if (!(n > 0)) throw new EqflowError('invalid-argument', 'n', 'positive');", // 12
    '}', // 13
    'const label = `f(${1})`;', // 14
  ].join('\n');
  const at = (line: number, column: number) => inRanges(errorHandlingRanges(source), lineStarts(source)[line - 1] + column - 1);

  it('error handling by syntax: a check that only throws, its message, guard calls and bodies; not the arithmetic, not a non-throwing check*', () => {
    expect([at(2, 7), at(2, 40), at(3, 3), at(12, 9)]).toEqual([true, true, true, true]);
    expect([at(4, 3), at(5, 26), at(6, 10), at(9, 10), at(14, 15)]).toEqual([false, false, false, false, false]);
  });

  it('the rate there leaves out checks, text and code off the path; detected mutants on a line stated out of scope follow it', () => {
    const m = (id: string, status: Status, line: number, column: number, replacement = 'a - b') => ({ id, mutatorName: 'ArithmeticOperator', replacement, status, location: { start: { line, column } }, killedBy: [] });
    const r: MutationReport = { files: { 'src/risk/f.ts': { source, mutants: [
      m('1', 'Killed', 2, 7), // in a throwing check, detected: out of scope
      m('2', 'Survived', 2, 40), // its message: out of scope
      m('3', 'Killed', 5, 26), // arithmetic, detected
      m('4', 'Survived', 5, 30, 'x[i] / x[i]'), // arithmetic, unseen with no scope: on the path, undetected
      m('5', 'Survived', 14, 15), // a label, stated text
      m('6', 'Killed', 14, 17), // same line: text too
      m('7', 'NoCoverage', 9, 10), // off the path, stated
    ] } } };
    const line = (n: number) => source.split('\n')[n - 1].trim();
    const reasons = [
      { file: 'src/risk/f.ts', mutator: 'ArithmeticOperator', original: line(5), replacement: 'x[i] / x[i]', reason: 'theory-blind', kind: 'unseen' as const },
      { file: 'src/risk/f.ts', mutator: 'ArithmeticOperator', original: line(2), replacement: 'a - b', reason: 'a message', kind: 'unseen' as const, scope: 'checks' as const },
      { file: 'src/risk/f.ts', mutator: 'ArithmeticOperator', original: line(14), replacement: 'a - b', reason: 'a label', kind: 'unseen' as const, scope: 'text' as const },
      { file: 'src/risk/f.ts', mutator: 'ArithmeticOperator', original: line(9), replacement: 'a - b', reason: 'never called', kind: 'unseen' as const, scope: 'off-path' as const },
    ];
    const t = powerSummary(r, reasons).total;
    expect([t.mutants, t.detected, t.checksAndText, t.offPath, t.pathDetected]).toEqual([7, 3, 4, 1, 1]);
    expect(t.rate).toBeCloseTo(300 / 7, 12);
    expect(t.pathRate).toBe(50); // 1 detected of the 2 on the path
    // negative control: without the stated scopes only the syntax rule applies, and the label's mutants count on the path
    const bare = powerSummary(r, reasons.map(({ scope: _, ...e }) => e)).total;
    expect([bare.checksAndText, bare.offPath, bare.pathDetected]).toEqual([2, 0, 2]);
  });

  it('a file joined from parts of different versions reads each mutant\'s scope in the version its part measured', () => {
    const older = 'const a = 1;\nconst old = f(a);\n';
    const m = { ...mutant('1', 'Survived', 2), source: older };
    const reasons = [{ file: 'src/risk/f.ts', mutator: 'ArithmeticOperator', original: 'const old = f(a);', replacement: 'a - b', reason: 'never called', kind: 'unseen' as const, scope: 'off-path' as const }];
    const t = powerSummary({ files: { 'src/risk/f.ts': { source: 'const a = 1;\nconst now = g(a);\n', mutants: [m] } } }, reasons).total;
    expect([t.offPath, t.survived]).toEqual([1, 0]);
    // negative control: read in the current version, the line has no reason: a survivor on the path
    const { source: _, ...current } = m;
    const c = powerSummary({ files: { 'src/risk/f.ts': { source: 'const a = 1;\nconst now = g(a);\n', mutants: [current] } } }, reasons).total;
    expect([c.offPath, c.survived]).toEqual([0, 1]);
  });

  it('the functions only verify\'s own oracles run (VERIFIER_SIDE) are off the path, detected or not', () => {
    const src = ['export function adaptiveHaarRisk(a: number, b: number): number {', '  return a + b;', '}', 'export const haarRisk = (a: number, b: number): number => a + b;'].join('\n');
    expect(VERIFIER_SIDE['src/risk/haarRisk.ts']).toHaveProperty('adaptiveHaarRisk');
    expect(functionRanges(src, ['adaptiveHaarRisk', 'haarRisk'])).toEqual([[0, src.indexOf('\nexport const')], [src.indexOf('haarRisk ='), src.length - 1]]); // a variable's declaration ends before its semicolon
    const mutants = [mutant('1', 'Killed', 2, ['t1']), mutant('2', 'Survived', 2), mutant('3', 'Killed', 4, ['t1'])];
    const t = (file: string) => powerSummary({ files: { [file]: { source: src, mutants: mutants.map((x, i) => ({ ...x, location: { start: { line: x.location.start.line, column: i === 2 ? 60 : 10 } } })) } } }, []).total;
    const v = t('src/risk/haarRisk.ts');
    expect([v.offPath, v.pathDetected, v.pathRate]).toEqual([2, 1, 100]);
    // negative control: the same code in a file with no verifier-side functions is all on the path
    const plain = t('src/risk/risk.ts');
    expect([plain.offPath, plain.pathDetected]).toEqual([0, 2]);
    expect(plain.pathRate).toBeCloseTo(200 / 3, 12);
  });
});

describe('power replay', () => {
  const source = 'const a = 1;\nconst b = a + 2;\n';
  const m = { id: '1', mutatorName: 'ArithmeticOperator', replacement: 'a - 2', status: 'Killed' as const, location: { start: { line: 2, column: 11 }, end: { line: 2, column: 16 } }, file: 'src/x.ts', source };

  it('applies a mutant at the 1-based line and column of the report', () => {
    expect(applyMutant(m, source)).toBe('const a = 1;\nconst b = a - 2;\n');
  });

  it('refuses a report made from another version of the file', () => {
    expect(() => applyMutant(m, source.replace('1', '3'))).toThrow(/another version/);
  });
});
