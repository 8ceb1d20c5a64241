/**
 * Numerical robustness: stiff regularized flows (γ up to 1e4), parameter scales from 1e-8 to 1e8, and degenerate
 * groups (the trivial group, E = {0}, E = H). Every outcome is a finite number or a typed EqflowError: NaN never
 * comes back silently. Tolerances are `roundoff` (src/core/tolerance.ts) of the quantities' own scale and operation
 * count, so they are relative: they hold at 1e-8 and at 1e8 alike.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runFlow } from '../src/cli/flowCommand.js';
import { EqflowError } from '../src/core/errors.js';
import { norm } from '../src/core/kernels.js';
import { RandomStream } from '../src/core/rng.js';
import { roundoff } from '../src/core/tolerance.js';
import { DynamicsKind, dynamics } from '../src/flows/dynamics.js';
import { IntegratorKind, integrate } from '../src/flows/integrators.js';
import { BuiltCase, buildCase } from '../src/impl/build.js';
import { CaseInput, CaseSpec, parseCase } from '../src/impl/caseSpec.js';
import { exampleByName } from '../src/impl/examples.js';
import { ReferenceImplementation, fieldOf } from '../src/impl/reference.js';
import { crossEntropyLoss, squaredLoss } from '../src/risk/losses.js';
import { claimById } from '../src/claims/registry.js';
import { thrown } from '../properties/arbitraries/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'eqflow-robust-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const built = (name: string): BuiltCase => buildCase(exampleByName(name).spec);
const gaussian = (seed: string, dim: number, scale = 1): Float64Array => new RandomStream(seed).gaussianVector(dim, scale);
const allFinite = (x: ArrayLike<number>): boolean => Array.from(x).every(Number.isFinite);


/**
 * Round-off floor of a trajectory: `steps` steps whose velocity is assembled from |G|·n samples of O(dim) flops on a
 * state of size `scale` (Higham's bound per operation, summed over the steps; the same budget as theorem-1-flow).
 */
function trajectoryFloor(b: BuiltCase, steps: number, scale: number): number {
  return roundoff(Math.max(scale, 1), steps * b.group.order * b.data.count * b.model.space.dim);
}

/** A start off E: a point of E plus a unit E⊥ part inside L (or just a point of E when L ∩ E⊥ = {0}). */
function farStart(b: BuiltCase, seed: string): Float64Array {
  const e = b.P.piE(gaussian(`${seed}/e`, b.model.space.dim, 0.5));
  const f = b.P.piEperp(b.P.piL(gaussian(`${seed}/f`, b.model.space.dim)));
  const fn = norm(f);
  return fn > 0 ? e.map((v, i) => v + f[i] / fn) : e;
}

// ---------------------------------------------------------------------------------------------------------------

describe('stiff regularized flows (γ up to 1e4)', () => {
  const CASES = ['example-q', 'nominal-leaves-e', 'deepsets-s4', 'toy-cnn'];

  it('Lawson RK4 integrates γ = 1e2 … 1e4 with steps γh up to 100: finite, and the E⊥ part is gone (round-off floor)', () => {
    for (const name of CASES) {
      const b = built(name);
      for (const gamma of [1e2, 1e3, 1e4]) {
        for (const kind of ['reg-augmented', 'reg-nominal'] as const) {
          const A = farStart(b, `${name}/${gamma}`);
          const p0 = b.P.projectionError(A);
          const h = 0.01, T = 0.2;
          const { steps } = integrate(fieldOf(b, kind, gamma), A, T, { integrator: 'lawson-rk4', step: h });
          expect(allFinite(A), `${name} ${kind} γ=${gamma}`).toBe(true);
          const p = b.P.projectionError(A);
          if (kind === 'reg-augmented') {
            // compatible L: ‖A_⊥(T)‖ ≤ e^{−(γ−μ)T}‖A_⊥(0)‖ (Theorem 3) with μ ≪ γ/2 here (μ ≤ 2 for Example Q, O(1) for
            // the small networks), so e^{−γT/2}·p0 plus the round-off floor bounds it
            const bound = Math.exp(-(gamma * T) / 2) * p0 + trajectoryFloor(b, steps, norm(A));
            expect(p, `${name}: ‖Π_{E⊥}A(T)‖ = ${p} vs ${bound}`).toBeLessThanOrEqual(bound);
          } else {
            // Remark R1: the nominal flow settles at distance ≈ β/γ from E: finite, and well below a unit start
            expect(p, `${name} reg-nominal γ=${gamma}: ‖Π_{E⊥}A‖ = ${p}`).toBeLessThan(Math.max(p0, 1e-300));
          }
        }
      }
    }
  });

  it('the CLI-level runFlow (Lawson RK4) at γ = 1e4: a finite trajectory whose ‖Π_{E⊥}A‖ drops to round-off', () => {
    const out = runFlow({ caseRef: 'example-q', dynamics: 'reg-augmented', gamma: 1e4, t: 1, points: 5, step: 0.05 });
    expect(out.trajectory).toHaveLength(5);
    for (const p of out.trajectory) expect(Number.isFinite(p.projectionError) && Number.isFinite(p.risk), JSON.stringify(p)).toBe(true);
    expect(allFinite(out.final)).toBe(true);
    // 20 steps on Example Q's 2 parameters, state of norm ≈ 1.5
    expect(out.trajectory[4].projectionError).toBeLessThanOrEqual(trajectoryFloor(built('example-q'), 20, norm(Float64Array.from(out.final))));
  });

  it('runFlow from a case file, the regularized nominal flow at γ = 1e4: settles at β/γ (Remark R1) when γh ≤ 1', () => {
    const file = join(dir, 'far.json');
    writeFileSync(file, JSON.stringify({ case: exampleByName('nominal-leaves-e').spec, start: [0.3, -0.7] }));
    const b = built('nominal-leaves-e');
    const gamma = 1e4;
    /** β = ‖Π_{E⊥}Π_L∇R(A)‖ at the final point: the E⊥ velocity the regularizer balances */
    const betaAt = (A: number[]): number => {
      const g = new Float64Array(2);
      b.R.gradient(Float64Array.from(A), g);
      return b.P.projectionError(b.P.piL(g));
    };
    // γh = 1, t = 0.01 (the e^{−γt} = e^{−100} transient is gone): d·γ/β = 1 + O(κ/γ) + Lawson's 3e-4 at γh = 1
    const fine = runFlow({ caseRef: file, dynamics: 'reg-nominal', gamma, t: 0.01, points: 2, step: 1 / gamma });
    const dFine = fine.trajectory[1].projectionError;
    expect(Math.abs((dFine * gamma) / betaAt(fine.final) - 1)).toBeLessThan(0.01);
    // γh = 1000: still finite and stable, but Lawson RK4's fixed point of the forced stiff part is
    // z(1 + 4e^{−z/2} + e^{−z}) / (6(1 − e^{−z}))·β/γ ≈ (γh/6)·β/γ, not β/γ (docs/theory.md §9)
    // (t = 0.4 in two segments of two full steps: the last step sets A_⊥, so it must not be a shortened one)
    const coarse = runFlow({ caseRef: file, dynamics: 'reg-nominal', gamma, t: 0.4, points: 3, step: 0.1, integrator: 'lawson-rk4' });
    expect(coarse.trajectory.every((p) => Number.isFinite(p.projectionError) && Number.isFinite(p.risk))).toBe(true);
    const z = gamma * 0.1;
    const lawsonFixedPoint = ((z * (1 + 4 * Math.exp(-z / 2) + Math.exp(-z))) / (6 * (1 - Math.exp(-z)))) * (betaAt(coarse.final) / gamma);
    expect(Math.abs(coarse.trajectory[2].projectionError / lawsonFixedPoint - 1)).toBeLessThan(0.01);
    // the default etdrk4 at the same step γh = 1000 sits at β/γ, as the fine Lawson run does
    const etd = runFlow({ caseRef: file, dynamics: 'reg-nominal', gamma, t: 0.4, points: 3, step: 0.1 });
    expect(Math.abs((etd.trajectory[2].projectionError * gamma) / betaAt(etd.final) - 1)).toBeLessThan(0.01);
  });

  it('explicit Euler and RK4 at γ = 1e4 with γh = 100 throw EqflowError(not-finite) naming the time, never return NaN', () => {
    const b = built('example-q');
    for (const integrator of ['euler', 'rk4'] as const satisfies readonly IntegratorKind[]) {
      const A = farStart(b, integrator);
      const seen: boolean[] = [];
      const e = thrown(() => integrate(fieldOf(b, 'reg-augmented', 1e4), A, 100, { integrator, step: 0.01, observe: (_t, X) => { seen.push(allFinite(X)); } }));
      expect(e, integrator).toBeInstanceOf(EqflowError);
      expect((e as EqflowError).code).toBe('not-finite');
      expect((e as EqflowError).field).toBe('trajectory');
      expect((e as EqflowError).message).toMatch(/at t = \d/);
      expect(seen.length).toBeGreaterThan(1);
      expect(seen.every((ok) => ok), `${integrator}: an observer saw a non-finite state`).toBe(true);
    }
  });

  it('Dormand–Prince on the stiff field: a finite state or a typed error (its step shrinks to the stability limit)', () => {
    const b = built('example-q');
    const A = farStart(b, 'dopri');
    const e = thrown(() => integrate(fieldOf(b, 'reg-augmented', 1e4), A, 0.05, { integrator: 'dopri5', step: 0.01 }));
    if (e === undefined) expect(allFinite(A)).toBe(true);
    else expect(e).toBeInstanceOf(EqflowError);
  });

  it('bad flow parameters are typed errors: γ NaN/∞/< 0, t NaN/< 0/∞, step 0/NaN/∞', () => {
    const b = built('example-q');
    for (const gamma of [Number.NaN, Infinity, -1]) {
      const e = thrown(() => dynamics({ kind: 'reg-augmented', projectors: b.P, augmented: b.Raug, gamma }));
      expect(e).toBeInstanceOf(EqflowError);
      expect((e as EqflowError).field).toBe('gamma');
    }
    const f = fieldOf(b, 'augmented', 0);
    const bad: ReadonlyArray<readonly [number, number, string]> = [[Number.NaN, 0.1, 't'], [-1, 0.1, 't'], [Infinity, 0.1, 't'], [1, 0, 'step'], [1, Number.NaN, 'step'], [1, Infinity, 'step']];
    for (const [t, step, field] of bad) {
      const e = thrown(() => integrate(f, new Float64Array(2), t, { integrator: 'lawson-rk4', step }));
      expect(e, `t=${t} step=${step}`).toBeInstanceOf(EqflowError);
      expect((e as EqflowError).field).toBe(field);
    }
    for (const gamma of [Number.NaN, -1, Infinity]) {
      const e = thrown(() => runFlow({ caseRef: 'example-q', dynamics: 'reg-augmented', gamma, t: 1, points: 2, step: 0.1 }));
      expect(e).toBeInstanceOf(EqflowError);
      expect((e as EqflowError).field).toBe('--gamma');
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------

/** Small cases covering every projector path: full, mask (compatible and not), basis, dense (non-monomial) actions. */
const SCALE_CASES: ReadonlyArray<{ name: string; spec: CaseSpec }> = [
  ...['example-q', 'skew-support', 'deepsets-s4', 'toy-cnn', 'small-mlp'].map((n) => ({ name: n, spec: exampleByName(n).spec })),
  {
    name: 'rotation2d-c3', spec: parseCase({
      name: 'rotation2d-c3', group: { kind: 'cyclic', n: 3 },
      model: { kind: 'mlp', input: { kind: 'rotation2d' }, hidden: [{ kind: 'rotation2d' }], output: { kind: 'rotation2d' }, activation: 'identity' },
      data: { kind: 'synthetic', seed: 1, count: 3 },
    }),
  },
  {
    name: 'basis-c4', spec: parseCase({
      name: 'basis-c4', group: { kind: 'cyclic', n: 4 },
      model: { kind: 'mlp', input: { kind: 'shift', dim: 4, step: 1 }, hidden: [], output: { kind: 'trivial', dim: 2 } },
      admissible: { kind: 'basis', vectors: [[1, 1, 0, 0, 0, 0, 0, 0], [0, 0, 1, 1, 0, 0, 0, 0], [0, 0, 0, 0, 1, -1, 1, 0]] },
      data: { kind: 'synthetic', seed: 2, count: 3, targets: 'one-hot' }, loss: 'cross-entropy',
    }),
  },
];
const SCALES = [1e-8, 1e-4, 1, 1e4, 1e8];

describe('parameter scales 1e-8 … 1e8', () => {
  it('Π_G, Π_L, Π_E, Π_{E⊥} stay idempotent and homogeneous relative to ‖A‖ at every scale', () => {
    for (const { name, spec } of SCALE_CASES) {
      const b = buildCase(spec);
      const P = b.P, dim = b.model.space.dim;
      const x = gaussian(name, dim);
      // a twirl sums |G| images of each entry; Π_E from a basis sums dim E inner products of length dim
      const ops = b.group.order * dim + (P.dimE + 1) * dim;
      const projectors: ReadonlyArray<readonly [string, (v: Float64Array) => Float64Array]> = [
        ['G', (v) => P.piG(v)], ['L', (v) => P.piL(v)], ['E', (v) => P.piE(v)], ['E⊥', (v) => P.piEperp(v)],
      ];
      for (const s of SCALES) {
        const A = x.map((v) => s * v);
        const tol = roundoff(norm(A), ops);
        for (const [label, pi] of projectors) {
          const PA = pi(A);
          expect(allFinite(PA), `${name} Π_${label} at ${s}`).toBe(true);
          const twice = pi(PA);
          expect(norm(twice.map((v, i) => v - PA[i])), `${name}: Π_${label} idempotent at scale ${s}`).toBeLessThanOrEqual(tol);
          const unit = pi(x);
          expect(norm(PA.map((v, i) => v - s * unit[i])), `${name}: Π_${label}(sA) = sΠ_${label}(A) at ${s}`).toBeLessThanOrEqual(tol);
        }
      }
    }
  });

  it('R, R^aug and their gradients are finite at every scale (tanh saturates, square grows like s⁴, logits like s)', () => {
    for (const { name, spec } of SCALE_CASES) {
      const b = buildCase(spec);
      const dim = b.model.space.dim;
      const x = gaussian(`${name}/risk`, dim);
      const g = new Float64Array(dim);
      for (const s of SCALES) {
        const A = x.map((v) => s * v);
        for (const [label, R] of [['R', b.R], ['R^aug', b.Raug]] as const) {
          const v = R.gradient(A, g);
          expect(Number.isFinite(v) && v >= 0, `${name}: ${label}(A) = ${v} at scale ${s}`).toBe(true);
          expect(allFinite(g), `${name}: ∇${label} has a non-finite entry at scale ${s}`).toBe(true);
          expect(R.value(A)).toBe(v);
        }
      }
    }
  });

  it('flows from every scale: a finite state or EqflowError(not-finite), never NaN', () => {
    for (const { name, spec } of SCALE_CASES) {
      const b = buildCase(spec);
      const x = gaussian(`${name}/flow`, b.model.space.dim);
      for (const s of SCALES) {
        for (const kind of ['augmented', 'reg-augmented', 'equivariant'] as const satisfies readonly DynamicsKind[]) {
          const A = x.map((v) => s * v);
          const e = thrown(() => integrate(fieldOf(b, kind, kind === 'reg-augmented' ? 10 : 0), A, 0.1, { integrator: 'lawson-rk4', step: 0.02 }));
          if (e === undefined) expect(allFinite(A), `${name} ${kind} at ${s}`).toBe(true);
          else {
            expect(e, `${name} ${kind} at ${s}: ${String(e)}`).toBeInstanceOf(EqflowError);
            expect((e as EqflowError).code).toBe('not-finite');
          }
        }
      }
    }
  });

  it('losses at extreme logits: cross-entropy is the exact −log softmax (0·log 0 = 0); squared loss overflows to +∞, not NaN', () => {
    const g = new Float64Array(3);
    // the correct class holds the largest logit: the loss is −log(1 − ~0) = 0 and the gradient softmax − y = 0
    const ce = crossEntropyLoss.evaluate(Float64Array.from([1e308, -1e308, 0]), Float64Array.from([1, 0, 0]), 3, g, 0, 0);
    expect(ce).toBe(0);
    expect(Array.from(g)).toEqual([0, 0, 0]);
    for (const s of SCALES) {
      const v = crossEntropyLoss.evaluate(Float64Array.from([s, -s, 0.5 * s]), Float64Array.from([0, 1, 0]), 3, g, 0, 0);
      expect(Number.isFinite(v) && v >= 0 && allFinite(g), `cross-entropy at ${s}: ${v}`).toBe(true);
    }
    expect(squaredLoss.evaluate(Float64Array.from([1e200]), Float64Array.from([-1e200]), 1, g, 0, 0)).toBe(Infinity);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Degenerate groups: the claims' own checks (claim.replay) on Cases where E is everything or nothing

const DEGENERATE: Readonly<Record<'trivial-group' | 'e-zero' | 'e-equals-h', CaseInput>> = {
  /** C1: Π_G = I, so E = L = H and augmentation changes nothing */
  'trivial-group': {
    name: 'c1', group: { kind: 'cyclic', n: 1 },
    model: { kind: 'mlp', input: { kind: 'trivial', dim: 3 }, hidden: [{ kind: 'trivial', dim: 2 }], output: { kind: 'trivial' }, activation: 'tanh', bias: true },
    data: { kind: 'synthetic', seed: 11, count: 4 },
  },
  /** C3 rotating R² by 2π/3 with an invariant linear output: no nonzero invariant map, E = H_G = {0} */
  'e-zero': {
    name: 'c3-rotation', group: { kind: 'cyclic', n: 3 },
    model: { kind: 'mlp', input: { kind: 'rotation2d' }, hidden: [], output: { kind: 'trivial' } },
    data: { kind: 'synthetic', seed: 12, count: 4 },
  },
  /** C3 acting trivially on every layer: every A is equivariant, E = H, while |G| = 3 */
  'e-equals-h': {
    name: 'c3-trivial', group: { kind: 'cyclic', n: 3 },
    model: { kind: 'mlp', input: { kind: 'trivial', dim: 2 }, hidden: [{ kind: 'trivial', dim: 2 }], output: { kind: 'trivial' }, activation: 'softplus' },
    data: { kind: 'synthetic', seed: 13, count: 3 },
  },
};

/** The claims that are identities on every Case (so they must hold on degenerate ones too), with an input per seed. */
const IDENTITY_CLAIMS: ReadonlyArray<{ id: string; input: (spec: CaseSpec, seed: number) => unknown }> = [
  { id: 'action', input: (spec, seed) => ({ spec, seed, g: seed, h: seed + 1 }) },
  { id: 'projectors', input: (spec, seed) => ({ spec, seed, g: seed }) },
  { id: 'gradient', input: (spec, seed) => ({ spec, seed, aug: seed % 2 === 0 }) },
  { id: 'lemma-1a-2a', input: (spec, seed) => ({ spec, seed, h: seed }) },
  { id: 'lemma-1b-2b', input: (spec, seed) => ({ spec, seed, h: seed }) },
  { id: 'lemma-1d-2c', input: (spec, seed) => ({ spec, seed, inside: true }) },
  { id: 'lemma-2d', input: (spec, seed) => ({ spec, seed, h: seed }) },
  { id: 'lemma-2e', input: (spec, seed) => ({ spec, seed, gamma: seed % 5, averaged: true }) },
  { id: 'theorem-1-gd', input: (spec, seed) => ({ spec, seed, gamma: seed % 3, eta: 0.05 }) },
  { id: 'theorem-1-flow', input: (spec, seed) => ({ spec, seed, gamma: seed % 2 ? 0 : 5, kind: 'augmented' }) },
];
/** 25 seeds per claim and case, as `claim.run(…, { runs: 25 })` would draw */
const SEEDS = Array.from({ length: 25 }, (_, k) => 1000 + 37 * k);

describe('degenerate groups: C1, E = {0}, E = H', () => {
  const impl = new ReferenceImplementation();

  it('the structure is right: dim E and dim H_G, Π_E = I or 0, compatible, finite defect', () => {
    const c1 = buildCase(parseCase(DEGENERATE['trivial-group']));
    expect(c1.group.order).toBe(1);
    expect(c1.P.dimE).toBe(c1.model.space.dim);
    const zero = buildCase(parseCase(DEGENERATE['e-zero']));
    expect([zero.P.dimG, zero.P.dimE]).toEqual([0, 0]);
    const all = buildCase(parseCase(DEGENERATE['e-equals-h']));
    expect([all.P.dimG, all.P.dimE]).toEqual([all.model.space.dim, all.model.space.dim]);
    for (const b of [c1, zero, all]) {
      const A = gaussian('structure', b.model.space.dim);
      const PE = b.P.piE(A);
      const expected = b.P.dimE === 0 ? new Float64Array(A.length) : A;
      expect(norm(PE.map((v, i) => v - expected[i]))).toBeLessThanOrEqual(roundoff(norm(A), b.group.order * A.length));
      expect(Number.isFinite(b.P.defect)).toBe(true);
      expect(b.P.compatible).toBe(true);
    }
  });

  for (const [label, input] of Object.entries(DEGENERATE)) {
    it(`${label}: every identity claim holds on 25 seeds, with a finite (never NaN) error/tolerance`, async () => {
      const spec = parseCase(input);
      for (const { id, input: make } of IDENTITY_CLAIMS) {
        const claim = claimById(id);
        if (!claim) throw new Error(`no claim ${id}`);
        for (const seed of SEEDS) {
          const m = await claim.replay(impl, make(spec, seed));
          expect(Number.isNaN(m.ratio), `${id} on ${label}, seed ${seed}: ${m.detail}`).toBe(false);
          expect(m.ratio, `${id} on ${label}, seed ${seed}: ${m.detail}`).toBeLessThanOrEqual(1);
        }
      }
    });
  }

  it('remark-r4 (a sampled step leaves E) holds where E⊥ ≠ {0} and is correctly violated where E = H (nothing can leave)', async () => {
    const r4 = claimById('remark-r4');
    if (!r4) throw new Error('no claim remark-r4');
    for (const seed of SEEDS.slice(0, 5)) {
      const zero = await r4.replay(impl, { spec: parseCase(DEGENERATE['e-zero']), seed, draw: seed });
      expect(zero.ratio, zero.detail).toBeLessThanOrEqual(1);
      for (const label of ['trivial-group', 'e-equals-h'] as const) {
        const m = await r4.replay(impl, { spec: parseCase(DEGENERATE[label]), seed, draw: seed });
        expect(Number.isNaN(m.ratio)).toBe(false);
        expect(m.ratio, `${label}: ${m.detail}`).toBeGreaterThan(1);
      }
    }
  });
});
