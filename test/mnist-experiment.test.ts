import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { fitDecayRate } from '../src/analysis/rates.js';
import { EqflowError } from '../src/core/errors.js';
import {
  decodeMnistRun,
  formatMnistSummary,
  MnistExperimentOptions,
  MnistResult,
  renderMnistFigure,
  resolveMnistOptions,
  runMnistExperiment,
  validateMnistResult,
  writeMnistResult,
} from '../src/experiments/mnist.js';
import { runPool } from '../src/core/pool.js';
import { thrown } from '../properties/arbitraries/errors.js';

/** A tiny P1 run (docs/theory.md §7): γ = 100 (ηγ = 0.1), 2 runs, 50 images = 5 SGD steps of batch 10. */
const tiny: MnistExperimentOptions = { gammas: [100], runs: 2, images: 50, epochs: 1, workers: 1, seed: 'mnist-experiment-test' };


function expectField(f: () => unknown, field: string): void {
  const e = thrown(f);
  expect(e).toBeInstanceOf(EqflowError);
  expect((e as EqflowError).field).toBe(field);
}

describe('P1 MNIST experiment (docs/theory.md §7)', () => {
  let inline: MnistResult;
  let pooled: MnistResult;
  let dir: string;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'eqflow-mnist-'));
    const progress: number[] = [];
    inline = await runMnistExperiment({ ...tiny, onProgress: (done, total) => progress.push(done / total) });
    expect(progress[progress.length - 1]).toBe(1);
    pooled = await runMnistExperiment({ ...tiny, workers: 2 });
  });

  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  it('is bit-identical inline (workers = 1) and on a pool of 2 worker threads', () => {
    expect(pooled.timing.workers).toBe(2);
    expect(inline.timing.workers).toBe(1);
    // everything but the wall-clock facts must agree to the last bit
    expect(JSON.stringify(pooled.gammas)).toBe(JSON.stringify(inline.gammas));
    expect(JSON.stringify(pooled.config)).toBe(JSON.stringify(inline.config));
    // and the two runs really differ (their streams derive from different run indices)
    const [a, b] = inline.gammas[0].runs;
    expect(a.streamSeed).not.toBe(b.streamSeed);
    expect(a.projErrAug).not.toEqual(b.projErrAug);
  });

  it('logs every step of every run, with finite projection errors', () => {
    const g = inline.gammas[0];
    expect(inline.config.steps).toBe(5);
    expect(g.runs).toHaveLength(2);
    for (const run of g.runs) {
      expect(run.diverged).toBeNull();
      expect(run.step).toEqual([0, 1, 2, 3, 4, 5]);
      for (const key of ['projErrNom', 'projErrAug', 'distNomEq', 'distAugEq', 'lossEq', 'lossNom', 'lossAug'] as const) {
        expect(run[key]).toHaveLength(6);
        for (const v of run[key]) expect(Number.isFinite(v)).toBe(true);
      }
      // per-layer errors: conv0, conv1, linear, whose root sum of squares is the total
      expect(run.projErrNomLayers).toHaveLength(3);
      for (let r = 0; r < run.step.length; r++) {
        const total = Math.hypot(...run.projErrAugLayers.map((l) => l[r]));
        expect(Math.abs(total - run.projErrAug[r])).toBeLessThan(1e-12 * run.projErrAug[r]);
      }
      // Nom and Aug start at the same point, Eq + δ with δ ⊥ E, so both are ‖δ‖ from Eq at step 0
      expect(run.projErrNom[0]).toBe(run.projErrAug[0]);
      expect(Math.abs(run.distNomEq[0] - run.projErrNom[0])).toBeLessThan(1e-12);
    }
  });

  it('keeps Eq in E: its projection error stays at round-off (its updates are Π_E of the gradient)', () => {
    for (const run of inline.gammas[0].runs) for (const e of run.projErrEq) expect(e).toBeLessThan(1e-13);
  });

  it('contracts the E⊥ part of Aug by ≈ 1 − ηγ per step early on (γ = 100, ηγ = 0.1; Theorem 3, R3)', () => {
    for (const run of inline.gammas[0].runs) {
      const e = run.projErrAug;
      for (let t = 1; t < e.length; t++) expect(e[t]).toBeLessThan(e[t - 1]);
      const { rate } = fitDecayRate(run.step, e);
      // −ln(0.9) = 0.1054 per step (measured 0.1052–0.1054 over 6 runs); the floor (~2e-3) is still far below
      expect(rate).toBeGreaterThan(0.095);
      expect(rate).toBeLessThan(0.115);
    }
    expect(inline.gammas[0].summary.predictedRatePerStep).toBeCloseTo(-Math.log(0.9), 12);
  });

  it('writes JSON that validates, and names the field of a corrupted one', async () => {
    const path = join(dir, 'reports', 'experiments', 'mnist.json');
    await writeMnistResult(path, inline);
    const back: unknown = JSON.parse(await readFile(path, 'utf8'));
    const ok = validateMnistResult(back);
    expect(ok.gammas[0].runs[1].projErrAug).toEqual(inline.gammas[0].runs[1].projErrAug);
    const bad = JSON.parse(JSON.stringify(back)) as { gammas: Array<{ runs: Array<{ projErrNom: unknown[] }> }> };
    bad.gammas[0].runs[0].projErrNom[2] = 'x';
    expectField(() => validateMnistResult(bad), 'result.gammas.0.runs.0.projErrNom.2');
  });

  it('renders Figure 2: one thin line per run and a bold median, Nom and Aug', async () => {
    const svg = await renderMnistFigure(inline);
    expect(svg.startsWith('<svg')).toBe(true);
    for (const name of ['Nom γ=100 run 0', 'Nom γ=100 run 1', 'Aug γ=100 run 0', 'Nom γ=100 median', 'Aug γ=100 median']) expect(svg).toContain(`aria-label="${name}"`);
  });

  it('summarizes per γ for the CLI', () => {
    const text = formatMnistSummary(inline);
    expect(text.split('\n')).toHaveLength(3);
    expect(text).toContain('Aug rate/step');
    expect(text.split('\n')[2].startsWith('100 ')).toBe(true);
  });

  it('records a diverging run (ηγ = 5 ≥ 2, Remark R3) instead of crashing', async () => {
    const r = await runMnistExperiment({ ...tiny, gammas: [5000], runs: 1, images: 100 });
    const run = r.gammas[0].runs[0];
    // |1 − ηγ| = 4 per step: from ~0.086 past DIVERGENCE_BOUND = 1e3 after ⌈ln(1.2e4)/ln 4⌉ = 7 steps
    expect(run.diverged).toEqual({ model: 'nom', step: 7, reason: 'blow-up' });
    expect(run.step).toEqual([0, 1, 2, 3, 4, 5, 6]);
    expect(r.gammas[0].summary).toMatchObject({ divergedRuns: 1, predictedStable: false, nom: null, aug: null, augFloorBelowNom: null });
    expect(r.gammas[0].median.runs).toBe(0);
    expect(validateMnistResult(JSON.parse(JSON.stringify(r)))).toBeTruthy();
  });

  it('passes a worker-side EqflowError back with its field', async () => {
    const url = new URL('../src/experiments/mnistWorker.ts', import.meta.url);
    const bad = runPool({ url, jobs: [{ seed: '' }], workers: 1, decode: decodeMnistRun });
    await expect(bad).rejects.toBeInstanceOf(EqflowError);
    await expect(bad).rejects.toMatchObject({ field: 'job.seed' });
  });

  it('refuses bad options with a typed error naming the field', () => {
    expectField(() => resolveMnistOptions({ ...tiny, images: 0 }), 'images');
    expectField(() => resolveMnistOptions({ ...tiny, images: 5 }), 'images');
    expectField(() => resolveMnistOptions({ ...tiny, images: 10001 }), 'images');
    expectField(() => resolveMnistOptions({ ...tiny, gammas: [10, -1] }), 'gammas[1]');
    expectField(() => resolveMnistOptions({ ...tiny, gammas: [] }), 'gammas');
    expectField(() => resolveMnistOptions({ ...tiny, runs: 1.5 }), 'runs');
    expectField(() => resolveMnistOptions({ ...tiny, epochs: 0 }), 'epochs');
    expectField(() => resolveMnistOptions({ ...tiny, workers: 0 }), 'workers');
    expectField(() => resolveMnistOptions({ ...tiny, logEvery: 0 }), 'logEvery');
    expectField(() => resolveMnistOptions({ ...tiny, seed: '' }), 'seed');
    expectField(() => resolveMnistOptions({ ...tiny, lr: Number.NaN }), 'lr');
  });
});
