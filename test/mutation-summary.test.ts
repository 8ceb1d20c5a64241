/** mutation/summary.ts: scores counted as Stryker defines them, equivalence notes matched across line shifts, bad files refused. */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { MutationReport, formatSummary, loadEquivalents, loadReport, summarize } from '../mutation/summary.js';

const mutant = (id: string, status: MutationReport['files'][string]['mutants'][number]['status'], line: number, replacement = 'true') =>
  ({ id, mutatorName: 'ConditionalExpression', replacement, status, location: { start: { line, column: 1 } } });

const report: MutationReport = {
  files: {
    'src/b.ts': { source: 'a\n  if (x) y();\n', mutants: [mutant('1', 'Killed', 1), mutant('2', 'Survived', 2), mutant('3', 'Timeout', 1), mutant('4', 'CompileError', 1)] },
    'src/a.ts': { source: 'q\n', mutants: [mutant('5', 'NoCoverage', 1, 'false'), mutant('6', 'Killed', 1)] },
  },
};

describe('mutation summary', () => {
  it('score = detected / (detected + survived + uncovered), per file and in all; errors are not counted', () => {
    const s = summarize(report, []);
    expect(s.files.map((f) => f.file)).toEqual(['src/a.ts', 'src/b.ts']);
    expect(s.files[1]).toMatchObject({ killed: 1, timeout: 1, survived: 1, noCoverage: 0, errors: 1 });
    expect(s.files[1].score).toBeCloseTo(200 / 3, 12);
    expect(s.files[0].score).toBe(50);
    expect(s.total.score).toBe(60); // 3 detected of 5
    expect(s.survivors.map((v) => [v.file, v.line, v.original, v.status])).toEqual([['src/a.ts', 1, 'q', 'NoCoverage'], ['src/b.ts', 2, 'if (x) y();', 'Survived']]);
  });

  it('a survivor names the code it replaces, not only its line (one line can hold an error code, a field and a message)', () => {
    const line = "  if (g < 0) throw new EqflowError('invalid-argument', 'gamma', 'expected γ ≥ 0');";
    const at = (text: string) => line.indexOf(text) + 1;
    const span = (text: string) => ({ ...mutant('1', 'Survived', 1, '""'), mutatorName: 'StringLiteral', location: { start: { line: 1, column: at(text) }, end: { line: 1, column: at(text) + text.length } } });
    const s = summarize({ files: { 'src/d.ts': { source: `${line}\n`, mutants: [span("'invalid-argument'"), span("'expected γ ≥ 0'")] } } }, []);
    expect(s.survivors.map((v) => v.code)).toEqual(["'invalid-argument'", "'expected γ ≥ 0'"]);
    expect(s.survivors.map((v) => v.original)).toEqual([line.trim(), line.trim()]);
    // a span over two lines is joined with its whitespace folded
    const two = summarize({ files: { 'src/e.ts': { source: 'f(a,\n    b);\n', mutants: [{ ...mutant('2', 'Survived', 1), location: { start: { line: 1, column: 3 }, end: { line: 2, column: 6 } } }] } } }, []);
    expect(two.survivors[0].code).toBe('a, b');
    expect(formatSummary(s, { generatedAt: 'now', commit: 'abc' })).toContain("| `'invalid-argument'` | `\"\"` | Survived |");
  });

  it('static mutants (module-level constants) are set aside, never counted as survived', () => {
    const withStatic: MutationReport = { files: { 'src/c.ts': { source: 'export const k = 1;\n', mutants: [
      mutant('7', 'Killed', 1), { ...mutant('8', 'Survived', 1), static: true }, { ...mutant('9', 'Ignored', 1), static: true },
    ] } } };
    const s = summarize(withStatic, []);
    expect(s.files[0]).toMatchObject({ killed: 1, survived: 0, statics: 2, score: 100 });
    expect(s.survivors).toEqual([]);
    expect(formatSummary(s, { generatedAt: 'now', commit: 'abc' })).toContain('2 static mutants (module-level constants) are not measured');
    // negative control: the same survivor without the static flag counts
    const plain: MutationReport = { files: { 'src/c.ts': { ...withStatic.files['src/c.ts'], mutants: [mutant('7', 'Killed', 1), mutant('8', 'Survived', 1)] } } };
    expect(summarize(plain, []).files[0]).toMatchObject({ survived: 1, statics: 0, score: 50 });
  });

  it('an equivalence note matches by file, mutator, original line and replacement, wherever the line moved', () => {
    const note = { file: 'src/b.ts', mutator: 'ConditionalExpression', original: 'if (x) y();', replacement: 'true', reason: 'y is idempotent' };
    const shifted: MutationReport = { files: { 'src/b.ts': { source: '\n\n\nif (x) y();', mutants: [mutant('2', 'Survived', 4)] } } };
    expect(summarize(shifted, [note]).survivors[0].equivalent).toBe('y is idempotent');
    expect(summarize(shifted, [{ ...note, replacement: 'false' }]).survivors[0].equivalent).toBeNull();
    const md = formatSummary(summarize(report, [note]), { generatedAt: 'now', commit: 'abc' });
    expect(md).toContain('**Mutation score: 60.0%**');
    expect(md).toContain('1 are judged equivalent');
    expect(md).toContain('without them the score is 75.0%');
    expect(md).toContain('| src/b.ts:2 | ConditionalExpression | `if (x) y();` | — | `true` | Survived | y is idempotent |'); // no end position: no span
  });

  it('a malformed report or note list is a typed error naming the file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eqflow-mut-'));
    const bad = join(dir, 'bad.json');
    writeFileSync(bad, '{"files": {"x.ts": {"source": 1, "mutants": []}}}');
    await expect(loadReport(bad)).rejects.toMatchObject({ name: 'EqflowError', code: 'invalid-argument' });
    await expect(loadReport(bad)).rejects.toThrow(`Stryker report ${bad} is malformed at files.x.ts.source`);
    writeFileSync(bad, '[{"file": "a", "mutator": "m", "original": "o", "replacement": "r", "reason": ""}]');
    await expect(loadEquivalents(bad)).rejects.toThrow(/malformed at \[0\.reason\]/);
    writeFileSync(bad, 'not json');
    await expect(loadReport(bad)).rejects.toThrow(/is not valid JSON/);
  });
});
