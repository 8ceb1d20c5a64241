/**
 * bench:check's logic on synthetic samples (no timing anywhere): the bootstrap ratio interval, the noise threshold,
 * the verdicts and exit codes, refusal of different configurations, typed errors for missing or corrupt baselines
 * (which are never written), and the history file's crash-safe append and line-numbered errors.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import seedrandom from 'seedrandom';
import { describe, expect, it } from 'vitest';
import { EqflowError } from '../src/core/errors.js';
import {
  Baseline, BenchRun, ConfigTask, TaskStats, appendHistory, historyLine, loadBaseline, loadRun, makeConfig, parseHistory, readHistory,
} from '../bench/report.js';
import { DEFAULT_COMPARE, compareRuns, ratioInterval, verdictOf } from '../bench/stats.js';

const TASKS: ConfigTask[] = [
  { name: 'step', size: { batch: 10 }, clock: 'cpu' },
  { name: 'proj', size: { dim: 100 }, clock: 'cpu' },
];

/** n log-normal per-op times around `center` ms with relative spread `cv` (seeded). */
function samples(seed: string, center: number, cv: number, n = 200): number[] {
  const rng = seedrandom(seed);
  return Array.from({ length: n }, () => {
    const u = Math.max(rng(), 1e-12), v = rng();
    const z = Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * v);
    return center * Math.exp(cv * z);
  }).sort((a, b) => a - b);
}

function stats(name: string, xs: number[]): TaskStats {
  const s = xs.slice().sort((a, b) => a - b);
  const mean = s.reduce((a, b) => a + b, 0) / s.length;
  return {
    name, group: 'x', description: name, clock: 'cpu', reps: 1, flops: null, meanMs: mean, p50Ms: s[s.length >> 1], p99Ms: s[Math.floor(0.99 * (s.length - 1))],
    minMs: s[0], maxMs: s[s.length - 1], sdMs: 0, rme: 1, count: s.length, gflops: null, samples: s,
  };
}

/** A run of both tasks; `factor` scales the "step" task (the one that regresses or improves). */
function run(seed: string, factor: number, tasks: ConfigTask[] = TASKS): BenchRun {
  return {
    kind: 'eqflow-bench-run', version: 1, source: 'bench',
    machine: { cpu: 'test', cores: 2, parallelism: 2, memGiB: 1, platform: 'linux', arch: 'x64', node: 'v20', v8: '11', commit: 'abc', dirty: false, date: '2025-01-01T00:00:00Z', loadStart: 0, loadEnd: 0 },
    config: makeConfig(tasks, 'v20', 'test', 2),
    tasks: [stats('step', samples(`${seed}/step`, 10 * factor, 0.03)), stats('proj', samples(`${seed}/proj`, 0.2, 0.05))],
    errored: [],
  };
}

function baseline(tasks: ConfigTask[] = TASKS): Baseline {
  const runs = [run('b1', 1, tasks), run('b2', 1.01, tasks), run('b3', 0.99, tasks)];
  return { kind: 'eqflow-bench-baseline', version: 1, name: 'synthetic', created: '2025-01-01T00:00:00Z', config: runs[0].config, runs };
}

function tmp(): string {
  return mkdtempSync(join(tmpdir(), 'eqflow-bench-test-'));
}

describe('bench:check compare logic', () => {
  it('a clear 2× regression gives verdict regression and exit code 1', () => {
    const c = compareRuns([run('c', 2)], baseline(), 'b.json');
    const step = c.tasks.find((t) => t.name === 'step');
    expect(step?.verdict).toBe('regression');
    expect(step?.lo).toBeGreaterThan(1.9);
    expect(step?.hi).toBeLessThan(2.1);
    expect(c.tasks.find((t) => t.name === 'proj')?.verdict).toBe('unchanged');
    expect(c.regressions).toEqual(['step']);
    expect(c.exitCode).toBe(1);
  });

  it('identical distributions (fresh draws) give a CI around 1 and exit code 0', () => {
    const c = compareRuns([run('same', 1)], baseline(), 'b.json');
    for (const t of c.tasks) {
      expect(t.verdict).toBe('unchanged');
      expect(t.lo).toBeLessThan(1.05);
      expect(t.hi).toBeGreaterThan(0.95);
    }
    expect(c.exitCode).toBe(0);
  });

  it('a 2× speed-up is an improvement and never fails the check', () => {
    const c = compareRuns([run('fast', 0.5)], baseline(), 'b.json');
    expect(c.tasks.find((t) => t.name === 'step')?.verdict).toBe('improvement');
    expect(c.exitCode).toBe(0);
  });

  it('a real but small slow-down (2%) inside the 5% threshold is not a regression; with threshold 0 it is', () => {
    const c = compareRuns([run('small', 1.02)], baseline(), 'b.json');
    expect(c.tasks.find((t) => t.name === 'step')?.verdict).toBe('unchanged');
    expect(c.exitCode).toBe(0);
    const strict = compareRuns([run('small', 1.02)], baseline(), 'b.json', { ...DEFAULT_COMPARE, threshold: 0 });
    const s = strict.tasks.find((t) => t.name === 'step');
    // the interval includes the baseline's run-to-run spread (±1%), so it may or may not clear 1; it must bracket 1.02
    expect(s?.lo).toBeLessThan(1.02);
    expect(s?.hi).toBeGreaterThan(1.02);
  });

  it('verdicts follow the interval and the threshold exactly', () => {
    expect(verdictOf({ ratio: 1.2, lo: 1.051, hi: 1.3 }, 0.05)).toBe('regression');
    expect(verdictOf({ ratio: 1.2, lo: 1.049, hi: 1.3 }, 0.05)).toBe('unchanged');
    expect(verdictOf({ ratio: 0.8, lo: 0.7, hi: 0.949 }, 0.05)).toBe('improvement');
    expect(verdictOf({ ratio: 1, lo: 0.5, hi: 2 }, 0.05)).toBe('unchanged');
  });

  it('the interval is reproducible from its seed and includes the run-to-run spread', () => {
    const cur = [samples('x', 1, 0.02)], base = [samples('y', 1, 0.02), samples('z', 1.1, 0.02), samples('w', 0.9, 0.02)];
    const a = ratioInterval(cur, base, DEFAULT_COMPARE, 't');
    const b = ratioInterval(cur, base, DEFAULT_COMPARE, 't');
    expect(a).toEqual(b);
    // the three baseline runs differ by ±10%: the interval must be wide although each run alone is tight
    expect(a.hi - a.lo).toBeGreaterThan(0.1);
  });

  it('a single current run is given the baseline run-to-run spread: +8% is a regression only when runs agree', () => {
    const cur = [samples('one', 1.08, 0.01)];
    const tight = [samples('t1', 1, 0.01), samples('t2', 1, 0.01), samples('t3', 1, 0.01)];
    const loose = [samples('l1', 0.92, 0.01), samples('l2', 1, 0.01), samples('l3', 1.08, 0.01)];
    expect(verdictOf(ratioInterval(cur, tight, DEFAULT_COMPARE, 's'), 0.05)).toBe('regression');
    expect(verdictOf(ratioInterval(cur, loose, DEFAULT_COMPARE, 's'), 0.05)).toBe('unchanged');
  });

  it('different configurations are refused with EqflowError(incompatible)', () => {
    const other: ConfigTask[] = [TASKS[0], { name: 'proj', size: { dim: 200 }, clock: 'cpu' }];
    const err = (() => {
      try {
        compareRuns([run('c', 1, other)], baseline(), 'bench/baselines/x.json');
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(err).toBeInstanceOf(EqflowError);
    expect((err as EqflowError).code).toBe('incompatible');
    expect((err as EqflowError).message).toMatch(/bench\/baselines\/x\.json.*task proj/);
    const newer = { ...run('c', 1), config: makeConfig(TASKS, 'v22', 'test', 2) };
    expect(() => compareRuns([newer], baseline(), 'b.json')).toThrow(/Node v22 vs v20/);
  });
});

/** Runs a bench script, sends SIGTERM once its stderr shows `marker`, and returns its exit code and whole stderr. */
async function killWhen(script: string, args: readonly string[], marker: string): Promise<{ code: number | null; err: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', script, ...args]);
  let err = '';
  child.stderr.on('data', (d: Buffer) => {
    err += d.toString();
    if (err.includes(marker) && child.exitCode === null && !child.killed) child.kill('SIGTERM');
  });
  const code = await new Promise<number | null>((r) => child.on('exit', r));
  return { code, err };
}

describe('baseline and history files', () => {
  it('a missing or corrupt baseline is a typed error naming the file, and the file is left untouched', async () => {
    const dir = tmp();
    const missing = join(dir, 'nope.json');
    await expect(loadBaseline(missing)).rejects.toMatchObject({ name: 'EqflowError', code: 'io' });
    await expect(loadBaseline(missing)).rejects.toThrow(missing);
    const corrupt = join(dir, 'corrupt.json');
    const garbage = '{"kind": "eqflow-bench-baseline", "version": 1, "runs": [tru';
    writeFileSync(corrupt, garbage);
    await expect(loadBaseline(corrupt)).rejects.toMatchObject({ name: 'EqflowError', code: 'invalid-argument' });
    await expect(loadBaseline(corrupt)).rejects.toThrow(corrupt);
    const wrongShape = join(dir, 'shape.json');
    const b = baseline();
    const text = JSON.stringify({ ...b, runs: b.runs.slice(0, 2) });
    writeFileSync(wrongShape, text);
    await expect(loadBaseline(wrongShape)).rejects.toThrow(/runs.*at least 3 runs/);
    expect(readFileSync(corrupt, 'utf8')).toBe(garbage);
    expect(readFileSync(wrongShape, 'utf8')).toBe(text);
  });

  it('bench:check exit codes end to end: 2 for a corrupt baseline (one line, file kept), 1 for a regression, 0 otherwise', () => {
    const dir = tmp();
    const corrupt = join(dir, 'corrupt.json');
    writeFileSync(corrupt, 'not json');
    const good = join(dir, 'base.json');
    writeFileSync(good, JSON.stringify(baseline()));
    const slow = join(dir, 'slow.json'), same = join(dir, 'same.json');
    writeFileSync(slow, JSON.stringify(run('slow', 2)));
    writeFileSync(same, JSON.stringify(run('same', 1)));
    const check = (base: string, cur: string) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'bench/check.ts', '--baseline', base, '--current', cur, '--resamples', '500', '--report', join(dir, 'check.json')], { encoding: 'utf8' });
    const bad = check(corrupt, same);
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(corrupt);
    expect(readFileSync(corrupt, 'utf8')).toBe('not json');
    const reg = check(good, slow);
    expect(reg.status).toBe(1);
    expect(reg.stdout).toMatch(/REGRESSION in step/);
    expect(check(good, same).status).toBe(0);
  });

  it('history: one line per append, a torn line from a crash is fenced off and reported by its line number', async () => {
    const file = join(tmp(), 'history.jsonl');
    await appendHistory(file, historyLine(run('h1', 1)));
    expect(await readHistory(file)).toHaveLength(1);
    // a crash in the middle of a write would leave a partial line without its newline
    writeFileSync(file, `${readFileSync(file, 'utf8')}{"kind":"eqflow-bench-hist`);
    await appendHistory(file, historyLine(run('h2', 1)));
    const lines = readFileSync(file, 'utf8').split('\n');
    expect(lines).toHaveLength(4); // valid, torn, valid, ''
    expect(() => JSON.parse(lines[2]) as unknown).not.toThrow();
    await expect(readHistory(file)).rejects.toThrow(`${file}:2 is not valid JSON`);
    expect(() => parseHistory('{"kind":"eqflow-bench-history"}\n', 'h.jsonl')).toThrow(/h\.jsonl:1 is not a history record/);
  });

  it('a bench run killed mid-way leaves the previous latest.json and history intact and saves what it measured', async () => {
    const dir = tmp();
    const out = join(dir, 'latest.json'), history = join(dir, 'history.jsonl');
    // an earlier run's files, which must survive byte for byte
    writeFileSync(out, JSON.stringify(run('previous', 1)));
    await appendHistory(history, historyLine(run('previous', 1)));
    const before = { out: readFileSync(out, 'utf8'), history: readFileSync(history, 'utf8') };
    // killed once the first task is measured (tasks run in suite order), while the second (≈ 3 s) is running
    const { code, err } = await killWhen('bench/run.ts', ['--out', out, '--history', history, '--tasks', 'mlp-small-reg-aug-step,rot90-action-batch', '--time', '3000', '--warmup', '50'], 'mlp-small-reg-aug-step');
    expect(code).toBe(143); // 128 + SIGTERM
    const partial = join(dir, 'latest.partial.json');
    expect(err).toContain(`bench: interrupted by SIGTERM; 1 measured tasks saved to ${partial}; ${out} and ${history} were left as they were`);
    expect(readFileSync(out, 'utf8')).toBe(before.out);
    expect(readFileSync(history, 'utf8')).toBe(before.history);
    const saved = await loadRun(partial);
    expect(saved.tasks.map((t) => t.name)).toEqual(['mlp-small-reg-aug-step']);
    expect(saved.config.tasks.map((t) => t.name)).toEqual(['mlp-small-reg-aug-step', 'rot90-action-batch']);
  }, 60_000);

  it('bench:save killed mid-way writes no baseline and says where the finished runs are', async () => {
    const dir = tmp();
    const file = join(dir, 'base.json'), history = join(dir, 'history.jsonl');
    const { code, err } = await killWhen('bench/save.ts', ['--name', file, '--history', history, '--tasks', 'rot90-action-batch', '--time', '200', '--warmup', '20'], 'run 2/3');
    expect(code).toBe(143); // 128 + SIGTERM
    expect(err).toMatch(new RegExp(`bench: interrupted by SIGTERM; 1 of 3 runs finished, their files in \\S+; baseline ${file} left as it was`));
    expect(() => readFileSync(file)).toThrow(/ENOENT/);
    expect(await readHistory(history)).toHaveLength(1); // the finished run's line, and nothing torn after it
  }, 60_000);
});
