/** mutation/perFile.ts and the per-file summaries: which files a run takes, in which order, and what a summary says of the rest. */
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { PerFileSuite, judgeHash, queueOf, rejudged, reportIn, selectFiles } from '../mutation/perFile.js';
import { MutationReport, coverageNote, staleFiles } from '../mutation/summary.js';
import { MUTATION_FILES } from '../stryker.config.mjs';
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
    expect(note).toMatch(/2 files were judged by another version of the claims than the current one \(src\/flows\/dynamics\.ts, src\/space\/linalg\.ts\)/);
    expect(coverageNote('power', 'npm run power', [], runs, [], [])).not.toMatch(/judged by another/);
  });

  it('a summary names the files left, the files measured on an older source, and projects the time', () => {
    const report: MutationReport = { files: { 'src/risk/risk.ts': { source: readFileSync('src/risk/risk.ts', 'utf8'), mutants: [] }, 'src/risk/losses.ts': { source: 'an older version', mutants: [] } } };
    expect(staleFiles(report)).toEqual(['src/risk/losses.ts']);
    const runs = [{ file: 'src/risk/risk.ts', seconds: 3600, mutants: 10, finishedAt: 'then' }];
    const partial = coverageNote('mutation', 'npm run mutation', ['src/risk/losses.ts'], runs, staleFiles(report));
    expect(partial).toMatch(/\*\*Partial:\*\* 1 of the mutation run's files are not measured yet \(src\/risk\/losses\.ts\)/);
    expect(partial).toMatch(/1\.0 h for 10 mutants in 1 files; the rest needs ≈ \d+\.\d h more/);
    expect(partial).toMatch(/1 file was measured on an older version of its source \(src\/risk\/losses\.ts\)/);
    // negative control: a run with no mutants timed only the dry run, so it gives no projection
    const empty = coverageNote('mutation', 'npm run mutation', ['src/risk/losses.ts'], [{ file: 'src/risk/objective.ts', seconds: 161, mutants: 0, finishedAt: 'then' }]);
    expect(empty).toMatch(/0\.0 h for 0 mutants in 1 files\. /);
    expect(empty).not.toMatch(/needs ≈/);
    expect(coverageNote('power', 'npm run power', [], runs)).toBe('Every file of the power run is measured (1 per-file runs, 1.0 h of wall time on this machine).');
  });
});
