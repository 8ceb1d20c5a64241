import { describe, expect, it } from 'vitest';
import { RandomStream } from '../src/core/rng.js';
import { CaseInput, parseCase } from '../src/impl/caseSpec.js';
import { ReferenceImplementation } from '../src/impl/reference.js';
import { EqflowError } from '../src/core/errors.js';
import { traceReportHtml } from '../src/report/traceReport.js';
import { TraceReport, checkTrace, formatTraceReport, parseTrace } from '../src/trace/checkTrace.js';

/**
 * SGD runs recorded in TypeScript with the reference's own sampledStep (docs/theory.md §10): minibatches of B items
 * drawn without replacement, one uniform g per sample, loss mean/s. sampledStep(A, η', γ', elements) is
 * A − η'(Π_L∇R_b + γ'Π_{E⊥}A), so the step A − η(∇R_b/s + γΠ_{E⊥}A) is sampledStep with η' = η/s, γ' = sγ.
 */
const caseInput: CaseInput = {
  name: 'c4-shift-mlp-16', group: { kind: 'cyclic', n: 4 },
  model: { kind: 'mlp', input: { kind: 'shift', dim: 8, step: 2 }, hidden: [{ kind: 'shift', dim: 8, step: 2 }], output: { kind: 'trivial' }, activation: 'tanh' },
  data: { kind: 'synthetic', seed: 3, count: 16 },
};
const spec = parseCase(caseInput);
const ref = new ReferenceImplementation();
const built = ref.built(spec);
const { P, data } = built;
const n = data.count;
const eta = 0.05, B = 4, s = 4, gamma = 4; // ηγ = 0.2: the E⊥ part contracts by 0.8 per step; γ_flow = sγ = 16

interface Run { gamma: number; augment: boolean; start: Float64Array; steps: number; every: number; seed: string }

/** The minibatch b as a Case of its own (explicit data), so the reference's sampledStep sees exactly that batch. */
const batchCase = (idx: Int32Array) => parseCase({
  ...caseInput, name: `batch-${Array.from(idx).join('-')}`,
  data: { kind: 'explicit', x: Array.from(idx, (i) => Array.from(data.x.subarray(i * 8, i * 8 + 8))), y: Array.from(idx, (i) => [data.y[i]]) },
});

/** Records the run; the trace declares the optimizer (sampled augmentation, γ = 4) whatever the run really did. */
async function record(run: Run): Promise<Record<string, unknown>> {
  const rng = new RandomStream(run.seed);
  const batches = rng.child('batches');
  let A: Float64Array = Float64Array.from(run.start);
  const snapshots: Array<{ step: number; A: number[] }> = [{ step: 0, A: Array.from(A) }];
  for (let k = 1; k <= run.steps; k++) {
    const idx = batches.permutation(n).slice(0, B).sort();
    const elements = Int32Array.from({ length: B }, () => (run.augment ? rng.int(4) : 0));
    A = await (await ref.open(batchCase(idx))).sampledStep(A, eta / s, s * run.gamma, elements);
    // dense while the decay lasts (ηγ = 0.2 per step), then every `every` steps
    if (k % run.every === 0 || (k <= 20 && k % 2 === 0)) snapshots.push({ step: k, A: Array.from(A) });
  }
  return { case: caseInput, gamma, optimizer: { kind: 'sgd', lr: eta, batch: B, augmentation: 'sampled', lossScale: s }, snapshots };
}

const row = (r: TraceReport, check: string) => r.rows.find((x) => x.check === check) as TraceReport['rows'][number];
const inE = P.piE(new RandomStream('start').gaussianVector(P.space.dim, 0.7));
const far = (() => {
  const perp = P.piEperp(new RandomStream('far').gaussianVector(P.space.dim));
  const k = 0.3 / Math.hypot(...perp);
  return inE.map((a, i) => a + k * perp[i]);
})();

describe('check-trace on SGD runs (sampled augmentation, minibatches, loss/s)', () => {
  it('the run decays within Theorem 3\'s envelope and settles at the predicted noise floor; a half-strength regularizer is rejected', async () => {
    const trace = await record({ gamma, augment: true, start: far, steps: 600, every: 10, seed: 'sgd' });
    const r = checkTrace(trace);
    console.log(formatTraceReport(r));
    expect(r.times[1]).toBeCloseTo((600 * eta) / s, 12); // steps mapped to flow time
    expect(row(r, 'theorem-3').verdict).toBe('holds');
    expect(row(r, 'sgd-floor').verdict).toBe('holds');
    expect(row(r, 'sgd-decay').verdict).toBe('holds'); // the decay rate γ_flow + q̄ of Theorem 3's identity
    expect(r.sgd?.floor?.reached).not.toBeNull();
    // the floor is far above round-off and far below the start: a real floor, not the gradient flow's 1e-9
    expect(r.sgd!.floor!.predicted).toBeGreaterThan(1e-4);
    expect(r.sgd!.floor!.predicted).toBeLessThan(0.3 / 10);
    const html = await traceReportHtml(r);
    expect(html).toMatch(/<svg/);
    const drawn = [...html.matchAll(/<path aria-label="([^"]*)" role="graphics-symbol" aria-roledescription="line mark"/g)].map((m) => m[1]);
    for (const curve of ['observed', 'envelope', 'floor', 'band-low', 'band-high']) expect(drawn.some((l) => l.includes(curve)), `${curve} in ${drawn.join(' | ')}`).toBe(true);

    // negative control: the regularizer was half as strong as declared (floor √2 higher, decay half as fast)
    const halfTrace = await record({ gamma: gamma / 2, augment: true, start: far, steps: 600, every: 10, seed: 'sgd' });
    const half = checkTrace(halfTrace);
    console.log(formatTraceReport(half));
    expect([row(half, 'theorem-3').verdict, row(half, 'sgd-floor').verdict]).toContain('violated');
    expect(row(half, 'sgd-floor').verdict).toBe('violated');
    expect(row(half, 'sgd-decay').verdict).toBe('violated'); // decays at ≈ γ_flow/2 + q̄

    // μ ≥ γ_flow (as a subsample estimate on the paper CNN can be): Theorem 3's bound is vacuous and no floor phase
    // can be placed, yet the rate γ_flow + q̄, measured along the run, still rejects the half-strength regularizer
    const vacuous = checkTrace({ ...halfTrace, mu: 1.5 * s * gamma });
    expect(row(vacuous, 'sgd-floor').verdict).toBe('not applicable');
    expect(row(vacuous, 'sgd-decay').verdict).toBe('violated');
    expect(row(checkTrace({ ...trace, mu: 1.5 * s * gamma }), 'sgd-decay').verdict).toBe('holds');
  }, 120_000);

  it('a run trained without augmentation but declared augmented is rejected', async () => {
    const r = checkTrace(await record({ gamma, augment: false, start: far, steps: 600, every: 10, seed: 'sgd' }));
    console.log(formatTraceReport(r));
    expect(row(r, 'sgd-floor').verdict).toBe('violated');
  }, 120_000);

  it('Theorem 1 for SGD from E: sampled augmentation leaves E only through the noise, at the predicted level', async () => {
    const trace = await record({ gamma, augment: true, start: inE, steps: 300, every: 10, seed: 'from-e' });
    const r = checkTrace(trace);
    console.log(formatTraceReport(r));
    expect(row(r, 'theorem-1').verdict).toBe('holds');
    expect(row(r, 'theorem-1').measured).toBeGreaterThan(1e3 * r.tolerance); // it did leave E
    // declared exact augmentation, the same run leaves E far beyond round-off
    const exact = checkTrace({ ...trace, optimizer: { kind: 'sgd', lr: eta, batch: B, augmentation: 'exact', lossScale: s } });
    expect(row(exact, 'theorem-1').verdict).toBe('violated');
  }, 120_000);
});

describe('SGD traces: validation names the field', () => {
  const base = { case: caseInput, gamma, optimizer: { kind: 'sgd', lr: eta, batch: B, augmentation: 'sampled', lossScale: s }, snapshots: [{ step: 0, A: Array.from(far) }, { step: 10, A: Array.from(far) }] };
  const code = (f: () => unknown): string => {
    try {
      f();
    } catch (e) {
      if (e instanceof EqflowError) return `${e.code} ${e.field}`;
      throw e;
    }
    return 'no error';
  };
  it('steps, not times; the augmentation agrees with the dynamics; the batch fits the data', () => {
    expect(parseTrace(base).snapshots[1].t).toBeCloseTo((10 * eta) / s, 15);
    expect(code(() => parseTrace({ ...base, snapshots: [{ t: 0, A: Array.from(far) }] }))).toBe('invalid-argument trace.snapshots[0].step');
    expect(code(() => parseTrace({ ...base, snapshots: [{ step: 1.5, A: Array.from(far) }] }))).toBe('invalid-argument trace.snapshots[0].step');
    expect(code(() => parseTrace({ ...base, snapshots: [base.snapshots[1], base.snapshots[0]] }))).toBe('invalid-argument trace.snapshots[1].step');
    expect(code(() => parseTrace({ ...base, dynamics: 'reg-nominal' }))).toBe('invalid-argument trace.optimizer.augmentation');
    expect(code(() => parseTrace({ ...base, optimizer: { ...base.optimizer, batch: 17 } }))).toBe('invalid-argument trace.optimizer.batch');
    expect(code(() => parseTrace({ ...base, optimizer: { ...base.optimizer, lr: -1 } }))).toBe('invalid-argument trace.optimizer.lr');
    expect(parseTrace({ ...base, optimizer: { ...base.optimizer, augmentation: 'none' } }).dynamics).toBe('reg-nominal');
  });
});
