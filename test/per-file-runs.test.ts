/** mutation/perFile.ts and the per-file summaries: which files a run takes, in which order, and what a summary says of the rest. */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Instrumenter } from '@stryker-mutator/instrumenter';
import { describe, expect, it } from 'vitest';
import { PART_LINES, PerFileSuite, chosenBy, fileOfUnit, judgeHash, loadRuns, queueOf, rejudged, reportIn, selectFiles, runPerFile, settleUnits, unitBytes, unitsOf } from '../mutation/perFile.js';
import { MutationReport, coverageNote, mergeReports, perFileMeta, staleFiles, summarize } from '../mutation/summary.js';
import { MUTATION_FILES, parseUnit, perFileOptions } from '../stryker.config.mjs';
import { POWER_FILES } from '../power/stryker.config.mjs';

const suite = (dir: string): PerFileSuite => ({ name: 't', config: 'stryker.config.mjs', fileEnv: 'X', filesDir: join(dir, 'files'), runsFile: join(dir, 'runs.json'), patterns: MUTATION_FILES, summarize: async () => '' });
const sha = (f: string) => createHash('sha256').update(readFileSync(f)).digest('hex');

describe('per-file mutation runs', () => {
  it('selects every file of the six folders but the barrels; the power run leaves out what no Case builds', () => {
    const all = selectFiles(MUTATION_FILES);
    for (const d of ['space', 'risk', 'flows', 'models', 'groups', 'reps']) expect(all.some((f) => f.startsWith(`src/${d}/`))).toBe(true);
    expect(all.filter((f) => f.endsWith('/index.ts'))).toEqual([]);
    expect(all).toContain('src/risk/oracles.ts');
    const power = selectFiles(POWER_FILES);
    expect(power).not.toContain('src/risk/oracles.ts');
    expect(power.every((f) => all.includes(f))).toBe(true);
  });

  it('runs files never run first (smallest first), then those whose source changed; an up-to-date file is skipped', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eqflow-perfile-'));
    const s = suite(dir);
    mkdirSync(s.filesDir);
    const [a, b, c, d] = ['src/risk/risk.ts', 'src/risk/losses.ts', 'src/space/linalg.ts', 'src/flows/dynamics.ts'];
    for (const f of [b, c, d]) writeFileSync(reportIn(s.filesDir, f), '{}');
    writeFileSync(s.runsFile, JSON.stringify([
      { file: b, sha: sha(b), seconds: 1, mutants: 1, finishedAt: 'then' },
      { file: c, sha: 'another version', seconds: 1, mutants: 1, finishedAt: 'then' },
    ]));
    const q = queueOf(s, [a, b, c, d, 'src/risk/dataset.ts'], false);
    expect(q.pending).toEqual(['src/risk/risk.ts', 'src/risk/dataset.ts'].sort((x, y) => readFileSync(x).length - readFileSync(y).length));
    // c changed since its run, d has a report but no run on record (measured before runs were recorded)
    expect(q.stale).toEqual([c, d]);
    // negative control: --refresh re-runs the up-to-date file too
    expect(queueOf(s, [b], true).stale).toEqual([b]);
    expect(queueOf(s, [b], false)).toEqual({ pending: [], stale: [], fresh: [] });
  });

  it('a run judged by other claims is re-run from scratch, and the summary says which files the current claims have not judged', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eqflow-judge-'));
    mkdirSync(join(dir, 'claims'));
    writeFileSync(join(dir, 'claims', 'a.ts'), 'export const a = 1;');
    writeFileSync(join(dir, 'harness.ts'), 'run all');
    const before = judgeHash(['claims', 'harness.ts'], dir);
    expect(judgeHash(['claims', 'harness.ts'], dir)).toBe(before); // the same sources hash the same
    writeFileSync(join(dir, 'claims', 'b.ts'), 'export const b = 2;'); // a claim added
    const after = judgeHash(['claims', 'harness.ts'], dir);
    expect(after).not.toBe(before);
    const s = { ...suite(dir), judge: ['claims', 'harness.ts'].map((p) => join(dir, p)) };
    mkdirSync(s.filesDir);
    const [b, c, d] = ['src/risk/losses.ts', 'src/space/linalg.ts', 'src/flows/dynamics.ts'];
    for (const f of [b, c, d]) writeFileSync(reportIn(s.filesDir, f), '{}');
    const now = judgeHash(s.judge);
    const runs = [
      { file: b, sha: sha(b), judge: now, seconds: 1, mutants: 1, finishedAt: 'then' },
      { file: c, sha: sha(c), judge: 'older claims', seconds: 1, mutants: 1, finishedAt: 'then' },
      { file: d, sha: sha(d), seconds: 1, mutants: 1, finishedAt: 'before judges were recorded' },
    ];
    writeFileSync(s.runsFile, JSON.stringify(runs));
    // b is current on both counts (negative control); c and d were judged by other claims, though their source is unchanged
    expect(queueOf(s, [b, c, d], false)).toEqual({ pending: [], stale: [c, d], fresh: [c, d], judge: now });
    expect(rejudged(runs, now)).toEqual([d, c].sort());
    expect(rejudged(runs, undefined)).toEqual([]); // a suite without a judge (the unit-test run) never re-judges
    const note = coverageNote('power', 'npm run power', [], runs, [], rejudged(runs, now));
    expect(note).toMatch(/2 units were judged by another version of the claims than the current one \(src\/flows\/dynamics\.ts, src\/space\/linalg\.ts\)/);
    expect(coverageNote('power', 'npm run power', [], runs, [], [])).not.toMatch(/judged by another/);
  });

  it('a summary names the files left, the files measured on an older source, and projects the time', () => {
    const report: MutationReport = { files: { 'src/risk/risk.ts': { source: readFileSync('src/risk/risk.ts', 'utf8'), mutants: [] }, 'src/risk/losses.ts': { source: 'an older version', mutants: [] } } };
    expect(staleFiles(report)).toEqual(['src/risk/losses.ts']);
    const runs = [{ file: 'src/risk/risk.ts', seconds: 3600, mutants: 10, finishedAt: 'then' }];
    const partial = coverageNote('mutation', 'npm run mutation', ['src/risk/losses.ts'], runs, staleFiles(report));
    expect(partial).toMatch(/\*\*Partial:\*\* 1 of the mutation run's units \(a file, or a part of a file longer than 200 lines\) are not measured yet \(src\/risk\/losses\.ts\)/);
    expect(partial).toMatch(/1\.0 h for 10 mutants in 1 units; the rest needs ≈ \d+\.\d h more/);
    expect(partial).toMatch(/1 file was measured on an older version of its source \(src\/risk\/losses\.ts\)/);
    // negative control: a run with no mutants timed only the dry run, so it gives no projection
    const empty = coverageNote('mutation', 'npm run mutation', ['src/risk/losses.ts'], [{ file: 'src/risk/objective.ts', seconds: 161, mutants: 0, finishedAt: 'then' }]);
    expect(empty).toMatch(/0\.0 h for 0 mutants in 1 units\. /);
    expect(empty).not.toMatch(/needs ≈/);
    expect(coverageNote('power', 'npm run power', [], runs)).toBe('Every file of the power run is measured (1 units, 1.0 h of wall time on this machine).');
  });

  it('a file longer than PART_LINES runs in parts cut between top-level statements, which hold exactly its mutants', async () => {
    const long = 'src/flows/integrators.ts', short = 'src/risk/losses.ts';
    const units = unitsOf(long);
    expect(units.length).toBeGreaterThan(1);
    expect(unitsOf(short)).toEqual([short]); // negative control: a short file is one unit, named as before parts existed
    expect(units.map(fileOfUnit)).toEqual(units.map(() => long));
    const ranges = units.map((u) => (/@(\d+):(\d+)-(\d+)$/.exec(u) as RegExpExecArray).slice(1).map(Number));
    const source = readFileSync(long, 'utf8');
    const lines = source.split('\n').length;
    // the parts tile the file: numbered 1…, contiguous, from line 1 to the last, none longer than PART_LINES here (no statement is)
    expect(ranges.map(([k]) => k)).toEqual(units.map((_, i) => i + 1));
    ranges.forEach(([, a, b], i) => {
      expect(a).toBe(i === 0 ? 1 : ranges[i - 1][2] + 1);
      expect(b - a + 1).toBeLessThanOrEqual(PART_LINES);
    });
    expect(ranges[ranges.length - 1][2]).toBe(lines);
    expect(units.reduce((a, u) => a + unitBytes(u), 0)).toBe(statSync(long).size + 1); // every line once (split adds the newline after the last)
    expect(perFileOptions(units[1], 'd')).toEqual({ mutate: [`${long}:${ranges[1][1]}-${ranges[1][2]}`], reporters: ['json', 'progress'], jsonReporter: { fileName: 'd/flows__integrators@2.json' }, incrementalFile: 'd/flows__integrators@2.incremental.json' });

    // Stryker mutates only nodes wholly inside a range: the parts must hold exactly the whole file's mutants
    const silent = new Proxy({}, { get: (_, k) => (String(k).startsWith('is') ? () => false : () => undefined) });
    const mutantsIn = async (mutate: boolean | Array<{ start: { line: number; column: number }; end: { line: number; column: number } }>) =>
      (await new Instrumenter(silent as never).instrument([{ name: long, mutate, content: source }], { plugins: null, excludedMutations: [], ignorers: [], noHeader: false })).mutants.length;
    const range = (a: number, b: number) => [{ start: { line: a - 1, column: 0 }, end: { line: b - 1, column: Number.MAX_SAFE_INTEGER } }];
    const whole = await mutantsIn(true);
    let inParts = 0;
    for (const [, a, b] of ranges) inParts += await mutantsIn(range(a, b));
    expect(inParts).toBe(whole);
    // negative control: cuts every PART_LINES lines run through statements and lose the mutants that span them
    let inFixed = 0;
    for (let a = 1; a <= lines; a += PART_LINES) inFixed += await mutantsIn(range(a, a + PART_LINES - 1));
    expect(inFixed).toBeLessThan(whole);

    const dir = mkdtempSync(join(tmpdir(), 'eqflow-parts-'));
    const s = suite(dir);
    mkdirSync(s.filesDir);
    // the file was measured whole before parts existed (one mutant in each part), and once in more parts than it has
    // now: the whole report is split into the parts', the extra part removed, another file left alone
    const mutantAt = (id: string, line: number) => ({ id, mutatorName: 'EqualityOperator', status: 'Killed', location: { start: { line, column: 1 } } });
    const wholeReport = { schemaVersion: '2', files: { [long]: { language: 'typescript', source, mutants: ranges.map(([, a], i) => mutantAt(String(i), a + 1)) } } };
    writeFileSync(reportIn(s.filesDir, long), JSON.stringify(wholeReport));
    writeFileSync(perFileOptions(long, s.filesDir).incrementalFile, JSON.stringify(wholeReport));
    const beyond = `${long}@${units.length + 1}:1-2`;
    for (const f of [reportIn(s.filesDir, beyond), reportIn(s.filesDir, short)]) writeFileSync(f, '{}');
    writeFileSync(s.runsFile, JSON.stringify([long, beyond, short].map((file) => ({ file, sha: sha(fileOfUnit(file)), seconds: 30 * units.length, mutants: units.length, finishedAt: 'then' }))));
    await settleUnits(s, long);
    expect(existsSync(reportIn(s.filesDir, long))).toBe(false);
    expect(existsSync(perFileOptions(long, s.filesDir).incrementalFile)).toBe(false);
    expect(existsSync(reportIn(s.filesDir, beyond))).toBe(false);
    expect(existsSync(reportIn(s.filesDir, short))).toBe(true);
    units.forEach((u, i) => {
      for (const f of [reportIn(s.filesDir, u), perFileOptions(u, s.filesDir).incrementalFile]) {
        const r = JSON.parse(readFileSync(f, 'utf8')) as typeof wholeReport;
        expect(r.schemaVersion).toBe('2');
        expect(r.files[long].mutants.map((m) => m.id)).toEqual([String(i)]);
      }
    });
    expect(loadRuns(s.runsFile).map((r) => [r.file, r.mutants, r.seconds])).toEqual([[short, units.length, 30 * units.length], ...units.map((u) => [u, 1, 30])]);
    // every part is now measured and current: nothing to run; settling again changes nothing
    expect(queueOf(s, [long, short], false)).toEqual({ pending: [], stale: [], fresh: [] });
    await settleUnits(s, long);
    expect(loadRuns(s.runsFile)).toHaveLength(units.length + 1);
    // negative control: without a report or a record a part is pending, the smallest first
    for (const u of units.slice(1)) rmSync(reportIn(s.filesDir, u));
    writeFileSync(s.runsFile, JSON.stringify(loadRuns(s.runsFile).filter((r) => r.file === units[0])));
    expect(queueOf(s, [long], false).pending).toEqual(units.slice(1).sort((a, b) => unitBytes(a) - unitBytes(b)));

    const part = (id: string, line: number) => ({ files: { [long]: { source, mutants: [{ id, mutatorName: 'EqualityOperator', status: 'Killed' as const, location: { start: { line, column: 1 } }, killedBy: ['0'] }] } } });
    const merged = mergeReports([{ name: 'flows__integrators@1', report: part('0', 10) }, { name: 'flows__integrators@2', report: part('0', 200) }]);
    // each run numbers its mutants and tests from 0: the joined file keeps both, told apart by their report
    expect(merged.files[long].mutants.map((m) => [m.id, m.location.start.line, m.killedBy])).toEqual([['flows__integrators@1:0', 10, ['flows__integrators@1:0']], ['flows__integrators@2:0', 200, ['flows__integrators@2:0']]]);
    // a summary counts a part as measured when the report holds mutants in its lines (or runs.json records it)
    const at = (line: number) => units.findIndex((u) => parseUnit(u).from <= line && line <= parseUnit(u).to);
    const none = join(dir, 'no-reports');
    expect((await perFileMeta(merged, [long], [], none)).pending).toEqual(units.filter((_, i) => i !== at(10) && i !== at(200)));
    expect((await perFileMeta(merged, [long], [{ file: units[2], seconds: 1, mutants: 0, finishedAt: 'then' }], none)).pending).toEqual(units.filter((_, i) => i !== at(10) && i !== at(200) && i !== 2));
    // a part with its own report is measured even when none of its mutants lies in its current lines (its range moved
    // since): here part 3's report exists, the merged report holds nothing in its lines, runs.json has no record of it
    expect([at(10), at(200)]).toEqual([0, 1]);
    expect((await perFileMeta(merged, [long], [], s.filesDir)).pending).toEqual([units[2]]);
    writeFileSync(reportIn(s.filesDir, units[2]), '{}');
    expect((await perFileMeta(merged, [long], [], s.filesDir)).pending).toEqual([]);
    // a run cut short between parts leaves parts measured on different versions of the file: they still join, each
    // survivor's line is read from the version its part measured, and the file is named stale
    const survivorAt = (src: string, line: number) => ({ files: { [long]: { source: src, mutants: [{ id: '0', mutatorName: 'EqualityOperator', status: 'Survived' as const, location: { start: { line, column: 1 } } }] } } });
    const mixed = mergeReports([{ name: 'a', report: survivorAt(source, 2) }, { name: 'b', report: survivorAt('older line 1\nolder line 2\n', 2) }]);
    expect(mixed.files[long].mutants).toHaveLength(2);
    expect(summarize(mixed, []).survivors.map((v) => v.original)).toEqual([source.split('\n')[1].trim(), 'older line 2']);
    expect(staleFiles(mixed)).toEqual([long]);
    // negative control: two parts of the current version are not stale
    expect(staleFiles(mergeReports([{ name: 'a', report: survivorAt(source, 2) }, { name: 'b', report: survivorAt(source, 300) }]))).toEqual([]);
  });

  it('FILE@K chooses part K of FILE only, FILE all its parts; a part the file does not have is refused by name', async () => {
    const long = 'src/flows/integrators.ts';
    const units = unitsOf(long);
    expect(units.filter((u) => chosenBy([`${long}@2`], u))).toEqual([units[1]]);
    expect(units.filter((u) => chosenBy([long], u))).toEqual(units);
    expect(units.filter((u) => chosenBy([`${long}@9`, 'src/risk/risk.ts'], u))).toEqual([]); // negative control
    expect(chosenBy(['src/risk/risk.ts@1'], 'src/risk/risk.ts')).toBe(false); // a whole file has no part 1
    const s = suite(mkdtempSync(join(tmpdir(), 'eqflow-chosen-')));
    await expect(runPerFile(s, [`${long}@9`])).rejects.toThrow(`${long}@9: no such part (the file runs as ${units.join(', ')})`);
  });

  it('a part whose lines moved keeps its record under the new range, so a run judged by other claims is still re-run from scratch', async () => {
    const long = 'src/flows/integrators.ts';
    const units = unitsOf(long);
    const dir = mkdtempSync(join(tmpdir(), 'eqflow-moved-'));
    const s = { ...suite(dir), judge: ['power/files.ts'] };
    mkdirSync(s.filesDir);
    // the records name each part by its ranges before an edit that moved every cut by 3 lines; reports go by number
    const moved = units.map((u) => { const { from, to } = parseUnit(u); return u.replace(/@(\d+):.*$/, `@$1:${from === 1 ? 1 : from - 3}-${to - 3}`); });
    expect(moved.filter((m, i) => m !== units[i])).toHaveLength(units.length);
    for (const u of units) writeFileSync(reportIn(s.filesDir, u), '{}');
    writeFileSync(s.runsFile, JSON.stringify(moved.map((file) => ({ file, sha: 'older', judge: 'earlier claims', seconds: 1, mutants: 1, finishedAt: 'then' }))));
    await settleUnits(s, long);
    expect(loadRuns(s.runsFile).map((r) => [r.file, r.judge])).toEqual(units.map((u) => [u, 'earlier claims']));
    expect(queueOf(s, [long], false).fresh).toEqual(units);
    // negative control: a record with no report of its number is an orphan and goes, as before
    rmSync(reportIn(s.filesDir, units[0]));
    writeFileSync(s.runsFile, JSON.stringify([{ file: moved[0], sha: 'older', seconds: 1, mutants: 1, finishedAt: 'then' }]));
    await settleUnits(s, long);
    expect(loadRuns(s.runsFile)).toEqual([]);
  });
});
