/**
 * Targeted tests for src/flows, src/risk and src/space that pin down behaviour the property suites only exercise
 * in aggregate: the exact one-step maps of Euler, RK4 and Lawson RK4 on linear fields, the convergence orders, the
 * Dormand–Prince controller, the five dynamics term by term, risks against their definitions, the regularizer, and
 * the projectors' in-place and closed-form paths. Written to kill StrykerJS survivors (reports/mutation/summary.md);
 * every tolerance is `roundoff` of the quantities' scale or a stated truncation order.
 */
import { Matrix } from 'ml-matrix';
import { describe, expect, it } from 'vitest';
import { EqflowError } from '../src/core/errors.js';
import { norm } from '../src/core/kernels.js';
import { RandomStream } from '../src/core/rng.js';
import { roundoff } from '../src/core/tolerance.js';
import { DYNAMICS, DynamicsKind, VectorField, dynamics, velocity } from '../src/flows/dynamics.js';
import { INTEGRATORS, Work, eulerStep, integrate, lawsonRk4Step, rk4Step } from '../src/flows/integrators.js';
import { cyclic } from '../src/groups/builtins.js';
import { BuiltCase, buildCase } from '../src/impl/build.js';
import { parseCase } from '../src/impl/caseSpec.js';
import { exampleByName } from '../src/impl/examples.js';
import { directSum, rotation2d, trivial } from '../src/reps/builders.js';
import { dataset, orbitDataset, subset } from '../src/risk/dataset.js';
import { Objective } from '../src/risk/objective.js';
import { SampledAugmentation, augmentedRisk, checkPoint, nominalRisk, regularizer, sum } from '../src/risk/risk.js';
import { basisSpace, fullSpace } from '../src/space/admissible.js';
import { matrixOf } from '../src/space/linalg.js';
import { layerSpace } from '../src/space/paramSpace.js';
import { Projectors, fixedBasisBySvd, fixedDimension, twirl } from '../src/space/projectors.js';
import { expectEqflowError, thrown } from '../properties/arbitraries/errors.js';

const gaussian = (seed: string, dim: number, scale = 1): Float64Array => new RandomStream(seed).gaussianVector(dim, scale);
const diffNorm = (a: ArrayLike<number>, b: ArrayLike<number>): number => Math.hypot(...Array.from(a, (v, i) => v - b[i]));
const built = (name: string): BuiltCase => buildCase(exampleByName(name).spec);


// ---------------------------------------------------------------------------------------------------------------
// Flows on a linear test field: F(A) = −cA + b, plus the regularizer −γΠ_{E⊥}A

/** deepsets-s4's projectors: dim H = 44, E a proper subspace (so Π_E and Π_{E⊥} both matter) */
const DS = built('deepsets-s4');
const P: Projectors = DS.P;
const DIM = P.space.dim;

/** F(A) = −cA + b: commutes with Π_E when b = 0, so every scheme's one-step map is a known polynomial in h. */
function linearField(c: number, gamma: number, b: Float64Array | null = null, kind: DynamicsKind = 'reg-augmented'): VectorField {
  return {
    dim: DIM, kind, gamma, projectors: P,
    nonlinear(A, out) {
      for (let i = 0; i < DIM; i++) out[i] = -c * A[i] + (b ? b[i] : 0);
    },
  };
}

/** A = Π_E A + Π_{E⊥} A scaled separately: x ↦ a·Π_E x + p·Π_{E⊥} x */
function split(x: Float64Array, a: number, p: number): Float64Array {
  const e = P.piE(x), q = P.piEperp(x);
  return e.map((v, i) => a * v + p * q[i]);
}

/** the exact solution of Ȧ = −cA + b − γΠ_{E⊥}A: each component relaxes to b_E/c and b_⊥/(c+γ) */
function exact(A0: Float64Array, b: Float64Array, c: number, gamma: number, t: number): Float64Array {
  const inf = split(b, 1 / c, 1 / (c + gamma));
  const d = A0.map((v, i) => v - inf[i]);
  const decayed = split(d, Math.exp(-c * t), Math.exp(-(c + gamma) * t));
  return inf.map((v, i) => v + decayed[i]);
}

const taylor4 = (z: number): number => 1 + z + (z * z) / 2 + (z * z * z) / 6 + (z * z * z * z) / 24;

describe('integrators: one step on a linear field is the scheme’s polynomial (to round-off)', () => {
  const A0 = gaussian('A0', DIM);
  const c = 0.7, gamma = 3, h = 0.1;
  const tol = roundoff(norm(A0), 64 * DIM);

  it('velocity(f, A) = F(A) − γΠ_{E⊥}A, and F(A) alone when γ = 0', () => {
    const v = velocity(linearField(c, gamma), A0, new Float64Array(DIM));
    expect(diffNorm(v, split(A0, -c, -(c + gamma)))).toBeLessThanOrEqual(tol);
    const v0 = velocity(linearField(c, 0), A0, new Float64Array(DIM), new Float64Array(DIM));
    expect(diffNorm(v0, A0.map((x) => -c * x))).toBeLessThanOrEqual(tol);
  });

  it('Euler: A + h·v(A) = (1 − ch)Π_E A + (1 − (c+γ)h)Π_{E⊥}A', () => {
    const A = A0.slice();
    eulerStep(linearField(c, gamma), A, h);
    expect(diffNorm(A, split(A0, 1 - c * h, 1 - (c + gamma) * h))).toBeLessThanOrEqual(tol);
  });

  it('RK4: the degree-4 Taylor polynomial of e^{λh} on each eigenspace (λ = −c, −(c+γ))', () => {
    const A = A0.slice();
    rk4Step(linearField(c, gamma), A, h, new Work(DIM, 4));
    expect(diffNorm(A, split(A0, taylor4(-c * h), taylor4(-(c + gamma) * h)))).toBeLessThanOrEqual(tol);
  });

  it('Lawson RK4: e^{−γh} exactly times the RK4 polynomial of the nonlinear part, T4(−ch)', () => {
    const A = A0.slice();
    lawsonRk4Step(linearField(c, gamma), A, h);
    expect(diffNorm(A, split(A0, taylor4(-c * h), Math.exp(-gamma * h) * taylor4(-c * h)))).toBeLessThanOrEqual(tol);
    // γ = 0: plain RK4
    const B = A0.slice();
    lawsonRk4Step(linearField(c, 0), B, h);
    expect(diffNorm(B, A0.map((x) => taylor4(-c * h) * x))).toBeLessThanOrEqual(tol);
  });

  it('Lawson RK4 with a forcing b (non-commuting stages): fourth order, error ratio 2⁴ when h halves', () => {
    const b = gaussian('b', DIM);
    const errAt = (step: number): number => {
      const A = A0.slice();
      integrate(linearField(c, gamma, b), A, 1, { integrator: 'lawson-rk4', step });
      return diffNorm(A, exact(A0, b, c, gamma, 1));
    };
    const e1 = errAt(0.1), e2 = errAt(0.05);
    // the local error constants change with h only at O(h): 16·(1 ± 20%)
    expect(e1 / e2).toBeGreaterThan(16 * 0.8);
    expect(e1 / e2).toBeLessThan(16 * 1.2);
  });

  it('Euler is first order and RK4 fourth order on the forced field (error ratios 2 and 16)', () => {
    const b = gaussian('b2', DIM);
    for (const [integrator, order] of [['euler', 1], ['rk4', 4]] as const) {
      const errAt = (step: number): number => {
        const A = A0.slice();
        integrate(linearField(c, gamma, b), A, 1, { integrator, step });
        return diffNorm(A, exact(A0, b, c, gamma, 1));
      };
      const r = errAt(0.02) / errAt(0.01);
      expect(r, integrator).toBeGreaterThan(2 ** order * 0.8);
      expect(r, integrator).toBeLessThan(2 ** order * 1.2);
    }
  });
});

describe('integrate(): step bookkeeping, landing on tEnd, observers, limits', () => {
  const A0 = gaussian('A0/integrate', DIM);

  it('fixed-step schemes take ⌈T/h⌉ steps, shorten the last one and report t = T exactly', () => {
    for (const integrator of ['euler', 'rk4', 'lawson-rk4'] as const) {
      const times: number[] = [];
      const A = A0.slice();
      const r = integrate(linearField(1, 2), A, 0.35, { integrator, step: 0.1, observe: (t) => times.push(t) });
      expect(r).toEqual({ steps: 4, rejected: 0 });
      expect(times).toHaveLength(5);
      expect(times[0]).toBe(0);
      expect(times[4]).toBe(0.35);
      expect(times[3]).toBeCloseTo(0.3, 14);
      // the shortened last step: the state equals three full steps then one of 0.05
      const B = A0.slice();
      const f = linearField(1, 2);
      const step = integrator === 'euler' ? eulerStep : integrator === 'rk4' ? rk4Step : lawsonRk4Step;
      for (const hh of [0.1, 0.1, 0.1, 0.35 - 0.30000000000000004]) step(f, B, hh);
      expect(diffNorm(A, B)).toBeLessThanOrEqual(roundoff(norm(A0), 64 * DIM));
    }
  });

  it('T = 0 takes no step and observes t = 0 once; maxSteps stops early', () => {
    const times: number[] = [];
    const A = A0.slice();
    expect(integrate(linearField(1, 0), A, 0, { integrator: 'rk4', step: 0.1, observe: (t) => times.push(t) })).toEqual({ steps: 0, rejected: 0 });
    expect(times).toEqual([0]);
    expect(Array.from(A)).toEqual(Array.from(A0));
    for (const integrator of INTEGRATORS) {
      const r = integrate(linearField(1, 0), A0.slice(), 10, { integrator, step: 0.01, maxSteps: 3 });
      expect(r.steps, integrator).toBe(3);
    }
  });

  it('dopri5 meets its tolerance, adapts (fewer steps for looser rtol) and observes only accepted steps', () => {
    const b = gaussian('b/dopri', DIM);
    const f = linearField(0.7, 3, b);
    const run = (rtol: number): { err: number; steps: number; observed: number; last: number } => {
      const A = A0.slice();
      let observed = 0, last = -1;
      const r = integrate(f, A, 2, { integrator: 'dopri5', step: 0.5, rtol, atol: rtol * 1e-3, observe: (t) => { observed++; last = t; } });
      return { err: diffNorm(A, exact(A0, b, 0.7, 3, 2)) / norm(A), steps: r.steps, observed, last };
    };
    const tight = run(1e-10), loose = run(1e-5);
    expect(tight.err).toBeLessThan(1e-8); // global error ≲ 100·rtol over a few dozen steps
    expect(loose.err).toBeLessThan(1e-3);
    expect(loose.err).toBeGreaterThan(tight.err);
    expect(tight.steps).toBeGreaterThan(loose.steps);
    expect(tight.observed).toBe(tight.steps + 1);
    expect(tight.last).toBe(2);
  });

  it('dopri5 rejects a too-large first step and still lands on tEnd; defaults rtol 1e-9, atol 1e-12', () => {
    const A = A0.slice();
    const r = integrate(linearField(50, 0), A, 1, { integrator: 'dopri5', step: 1 });
    expect(r.rejected).toBeGreaterThan(0);
    expect(diffNorm(A, A0.map((x) => Math.exp(-50) * x))).toBeLessThan(1e-9 * norm(A0) + 1e-12 * 100);
  });

  it('dopri5 on Ȧ = A² from A = 1 (blow-up at t = 1) underflows its step there: EqflowError(not-converged)', () => {
    const f: VectorField = { dim: 1, kind: 'augmented', gamma: 0, projectors: P, nonlinear: (A, out) => { out[0] = A[0] * A[0]; } };
    const e = thrown(() => integrate(f, Float64Array.from([1]), 2, { integrator: 'dopri5', step: 0.1 }));
    expect(e).toBeInstanceOf(EqflowError);
    expect(((e as EqflowError).code)).toBe('not-converged');
    expect((e as EqflowError).field).toBe('step');
  });

  it('a NaN velocity stops every scheme with EqflowError(not-finite): the state coordinate, or dopri5’s error estimate', () => {
    const f: VectorField = { dim: 2, kind: 'augmented', gamma: 0, projectors: P, nonlinear: (_A, out) => { out[0] = 0; out[1] = Number.NaN; } };
    for (const integrator of INTEGRATORS) {
      const e = thrown(() => integrate(f, new Float64Array(2), 1, { integrator, step: 0.1 }));
      expect(e, integrator).toBeInstanceOf(EqflowError);
      expect((e as EqflowError).code).toBe('not-finite');
      expect((e as EqflowError).message).toMatch(integrator === 'dopri5' ? /error estimate/ : /coordinate 1/);
    }
  });
});

/**
 * The Dormand–Prince 5(4) pair as published (Dormand & Prince 1980; Hairer–Nørsett–Wanner I, Table II.5.2), copied
 * independently of src/flows: rows of A, the 5th-order weights b and the embedded 4th-order weights b̂.
 */
const DP_A: readonly (readonly number[])[] = [
  [],
  [1 / 5],
  [3 / 40, 9 / 40],
  [44 / 45, -56 / 15, 32 / 9],
  [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
  [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
  [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
];
const DP_B = [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0];
const DP_BHAT = [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40];

/** The stability polynomials R₅(z), R₄(z) of the pair: one step of ẏ = λy is y ↦ R(λh)y. */
function dpPolynomials(z: number): { r5: number; r4: number } {
  const K: number[] = [];
  for (let s = 0; s < 7; s++) K.push(z * (1 + DP_A[s].reduce((acc, a, j) => acc + a * K[j], 0)));
  return { r5: 1 + DP_B.reduce((acc, b, j) => acc + b * K[j], 0), r4: 1 + DP_BHAT.reduce((acc, b, j) => acc + b * K[j], 0) };
}

/**
 * integrate()'s dopri5 on ẏ = λy, modelled from its documented parts: a step is y ↦ R₅(z)y with error estimate
 * (R₅ − R₄)(z)·y per coordinate over atol + rtol·max(|y|, |y⁺|) (RMS), accepted when ≤ 1; the standard controller
 * h ← h·min(5, max(0.2, 0.9·e^{−1/5})); the last step shortened to land on T.
 */
function dopriModel(lambda: number, y0: number, T: number, h0: number, rtol: number, atol: number): { times: number[]; y: number; rejected: number } {
  let y = y0, t = 0, h = h0, rejected = 0;
  const times = [0];
  while (t < T) {
    h = Math.min(h, T - t);
    const { r5, r4 } = dpPolynomials(lambda * h);
    const y5 = r5 * y;
    const e = Math.abs(((r5 - r4) * y) / (atol + rtol * Math.max(Math.abs(y), Math.abs(y5))));
    if (e <= 1) {
      y = y5;
      t = T - t - h <= 1e-12 * T ? T : t + h;
      times.push(t);
    } else rejected++;
    h *= Math.min(5, Math.max(0.2, 0.9 * (e === 0 ? 5 : e ** -0.2)));
  }
  return { times, y, rejected };
}

describe('dopri5: the published Dormand–Prince pair with the standard step controller', () => {
  it('the reference tableau is the published one: R₅(z) = Σ_{k≤5} z^k/k! + z⁶/600, R₄ agrees with e^z to O(z⁵)', () => {
    for (const z of [0.5, -0.3]) {
      const { r5, r4 } = dpPolynomials(z);
      const t5 = 1 + z + z ** 2 / 2 + z ** 3 / 6 + z ** 4 / 24 + z ** 5 / 120;
      expect(Math.abs(r5 - t5 - z ** 6 / 600)).toBeLessThanOrEqual(roundoff(1, 64));
      expect(Math.abs(r4 - Math.exp(z))).toBeLessThan(Math.abs(z) ** 5 / 10);
    }
  });

  it('integrate(…, dopri5) reproduces the model step for step: accepted times, rejections, the final state', () => {
    const lambda = -3;
    const f: VectorField = { dim: 2, kind: 'augmented', gamma: 0, projectors: P, nonlinear: (A, out) => { out[0] = lambda * A[0]; out[1] = lambda * A[1]; } };
    for (const [rtol, atol, h0] of [[1e-6, 1e-9, 0.5], [1e-9, 1e-12, 1], [1e-3, 1e-6, 0.01]] as const) {
      const model = dopriModel(lambda, 1, 2, h0, rtol, atol);
      const times: number[] = [];
      const A = Float64Array.from([1, 1]);
      const opts = rtol === 1e-9 ? { integrator: 'dopri5' as const, step: h0 } : { integrator: 'dopri5' as const, step: h0, rtol, atol }; // the defaults are rtol 1e-9, atol 1e-12
      const r = integrate(f, A, 2, { ...opts, observe: (t) => times.push(t) });
      expect(r.steps, `rtol ${rtol}`).toBe(model.times.length - 1);
      expect(r.rejected, `rtol ${rtol}`).toBe(model.rejected);
      expect(times).toHaveLength(model.times.length);
      // the error estimate subtracts two O(1) values into O(rtol): it carries relative round-off ~eps/rtol ≤ 1e-7,
      // and each new h inherits a fifth of it — so the step sequences agree to ~1e-8 relative, not to eps
      times.forEach((t, k) => expect(Math.abs(t - model.times[k]), `t_${k}`).toBeLessThanOrEqual(1e-8 * 2));
      for (const a of A) expect(Math.abs(a - model.y)).toBeLessThanOrEqual(1e-8 * Math.abs(model.y) + roundoff(1, 64 * times.length));
    }
  });
});

describe('integrate(): the last step snaps onto tEnd (no extra micro-step from accumulated round-off)', () => {
  it('T = 10 in steps of 0.01 is exactly 1000 steps; T = 1 in steps of 0.1 is 10', () => {
    const f: VectorField = { dim: 1, kind: 'augmented', gamma: 0, projectors: P, nonlinear: (_A, out) => { out[0] = 0; } };
    for (const [T, h, n] of [[10, 0.01, 1000], [1, 0.1, 10]] as const) {
      let last = -1;
      expect(integrate(f, new Float64Array(1), T, { integrator: 'euler', step: h, observe: (t) => { last = t; } }).steps).toBe(n);
      expect(last).toBe(T);
    }
  });

  it('within 1e-12·tEnd of the end, the boundary included, dopri5 and the fixed-step schemes land on tEnd in one step', () => {
    // a zero field: dopri5's error estimate is 0, so its step grows ×5 after each accepted step (h₀, then 5h₀)
    const f: VectorField = { dim: 1, kind: 'augmented', gamma: 0, projectors: P, nonlinear: (_A, out) => { out[0] = 0; } };
    const edge = 2 ** -40 / 1e-12; // 1e-12·edge rounds to 2^-40, a difference two numbers near edge can have exactly
    const cases = [
      { T: 4, integrator: 'dopri5', h: (4 - 1e-12) / 6, grow: 5 }, // 1e-12 left: within 1e-12·4 but not within 1e-12/4
      { T: edge, integrator: 'dopri5', h: 0.15158245029533646, grow: 5 }, // exactly 1e-12·T left
      { T: edge, integrator: 'euler', h: 0.45474735088600937, grow: 1 }, // exactly 1e-12·T left after two fixed steps
    ] as const;
    for (const { T, integrator, h, grow } of cases) {
      const left = T - h - grow * h;
      expect(left, `${integrator} T = ${T}`).toBeGreaterThan(0);
      expect(left, `${integrator} T = ${T}`).toBeLessThanOrEqual(1e-12 * T);
      if (T === edge) expect(left).toBe(1e-12 * T); // the case sits on the boundary
      const times: number[] = [];
      const r = integrate(f, new Float64Array(1), T, { integrator, step: h, observe: (t) => times.push(t) });
      expect(r.steps, `${integrator} T = ${T}`).toBe(2);
      expect(times, `${integrator} T = ${T}`).toEqual([0, h, T]);
    }
  });

  it('a last step shortened to land on tEnd may be below minStep: the run ends, no underflow', () => {
    const f: VectorField = { dim: 1, kind: 'augmented', gamma: 0, projectors: P, nonlinear: (_A, out) => { out[0] = 0; } };
    for (const opts of [{ integrator: 'dopri5' }, { integrator: 'etdrk4', adaptive: true }] as const) {
      // steps 1 − 1e-6, then the 1e-6 left, far below minStep = 1e-3 (and still 5e-6 once grown ×5)
      expect(integrate(f, new Float64Array(1), 1, { ...opts, step: 1 - 1e-6, minStep: 1e-3 }).steps, opts.integrator).toBe(2);
    }
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The five dynamics, term by term

describe('dynamics(): each kind is the velocity docs/theory.md §4 defines', () => {
  const skew = built('skew-support'); // a mask L (Π_L ≠ I), incompatible: Π_E from a basis
  const nonUnitary = built('non-unitary'); // K = MMᵀ
  const grad = (b: BuiltCase, aug: boolean, A: Float64Array): Float64Array => {
    const g = new Float64Array(A.length);
    (aug ? b.Raug : b.R).gradient(A, g);
    return g;
  };

  it('nominal −Π_L∇R, augmented −Π_L∇R^aug, equivariant −Π_E∇R, reg-* add −γΠ_{E⊥}A only through velocity()', () => {
    for (const b of [skew, DS]) {
      const A = gaussian(`dyn/${b.spec.name}`, b.model.space.dim, 0.4);
      const tol = roundoff(norm(grad(b, true, A)) + norm(A), 64 * b.model.space.dim);
      const expected: Record<DynamicsKind, Float64Array> = {
        nominal: b.P.piL(grad(b, false, A)).map((v) => -v),
        augmented: b.P.piL(grad(b, true, A)).map((v) => -v),
        equivariant: b.P.piE(grad(b, false, A)).map((v) => -v),
        'reg-augmented': b.P.piL(grad(b, true, A)).map((v) => -v),
        'reg-nominal': b.P.piL(grad(b, false, A)).map((v) => -v),
      };
      for (const kind of DYNAMICS) {
        const gamma = kind.startsWith('reg-') ? 2.5 : 0;
        const f = dynamics({ kind, projectors: b.P, nominal: b.R, augmented: b.Raug, gamma });
        expect([f.kind, f.gamma, f.dim, f.projectors]).toEqual([kind, gamma, b.model.space.dim, b.P]);
        const out = new Float64Array(A.length).fill(Number.NaN); // must be overwritten
        f.nonlinear(A, out);
        expect(diffNorm(out, expected[kind]), `${b.spec.name} ${kind}`).toBeLessThanOrEqual(tol);
        const v = velocity(f, A, new Float64Array(A.length));
        const perp = b.P.piEperp(A);
        expect(diffNorm(v, expected[kind].map((x, i) => x - gamma * perp[i])), `${kind} velocity`).toBeLessThanOrEqual(tol + roundoff(gamma * norm(A), A.length));
      }
    }
  });

  it('a parametrization K replaces Π_L (−K∇R), and follows Π_E for the equivariant kind (−KΠ_E∇R)', () => {
    const b = nonUnitary;
    const K = b.K;
    if (K === null) throw new Error('non-unitary has a matrix parametrization');
    const A = Float64Array.from([0.3, -0.8]);
    const apply = (x: Float64Array): Float64Array => { const o = new Float64Array(2); K(x, o); return o; };
    const cases: ReadonlyArray<readonly [DynamicsKind, Float64Array]> = [
      ['nominal', apply(grad(b, false, A))], ['augmented', apply(grad(b, true, A))], ['equivariant', apply(b.P.piE(grad(b, false, A)))],
    ];
    for (const [kind, kg] of cases) {
      const out = new Float64Array(2);
      dynamics({ kind, projectors: b.P, nominal: b.R, augmented: b.Raug, K }).nonlinear(A, out);
      expect(diffNorm(out, kg.map((v) => -v)), kind).toBeLessThanOrEqual(roundoff(norm(kg), 8));
    }
  });

  it('refuses γ ≠ 0 without a regularizer, γ < 0 or non-finite, a missing risk, a risk on another space', () => {
    const b = skew;
    const e1 = thrown(() => dynamics({ kind: 'augmented', projectors: b.P, augmented: b.Raug, gamma: 1 }));
    expect([(e1 as EqflowError).code, (e1 as EqflowError).field]).toEqual(['invalid-argument', 'gamma']);
    expect((e1 as EqflowError).message).toMatch(/no regularizer/);
    for (const gamma of [-1e-300, Number.NaN, Infinity]) expectEqflowError(() => dynamics({ kind: 'reg-augmented', projectors: b.P, augmented: b.Raug, gamma }), { code: 'invalid-argument', field: 'gamma' });
    expectEqflowError(() => dynamics({ kind: 'reg-augmented', projectors: b.P, nominal: b.R, gamma: 1 }), { code: 'invalid-argument', field: 'augmented' });
    expectEqflowError(() => dynamics({ kind: 'equivariant', projectors: b.P, augmented: b.Raug }), { code: 'invalid-argument', field: 'nominal' });
    const e4 = thrown(() => dynamics({ kind: 'nominal', projectors: b.P, nominal: DS.R }));
    expect([(e4 as EqflowError).code, (e4 as EqflowError).field]).toEqual(['dimension-mismatch', 'risk']);
    // γ = 0 is allowed for the regularized kinds; omitted γ means 0
    expect(dynamics({ kind: 'reg-nominal', projectors: b.P, nominal: b.R }).gamma).toBe(0);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Risks against their definitions

describe('risks: R, R^aug, sampled augmentation, the regularizer and sums, from their definitions', () => {
  const b = DS; // S4 on R^4, a hidden layer with biases: 16 samples
  const A = gaussian('risk/A', DIM, 0.4);
  const out = new Float64Array(b.data.count * b.model.outputRep.dim);

  /** (1/n)Σ_s ℓ(Φ_A(x_s), y_s) from the forward pass and the loss alone */
  function meanLoss(x: Float64Array, y: Float64Array, n: number): number {
    const yhat = new Float64Array(n * b.model.outputRep.dim);
    b.model.forward(A, x, n, yhat);
    let s = 0;
    const k = b.model.outputRep.dim;
    for (let i = 0; i < n; i++) s += b.loss.evaluate(yhat, y, k, null, i * k, 0);
    return s / n;
  }

  it('R(A) is the mean loss over the samples, and ∇R overwrites the buffer it is given', () => {
    b.model.forward(A, b.data.x, b.data.count, out);
    const R = nominalRisk(b.model, b.data, b.loss);
    expect(R.dim).toBe(DIM);
    const v = R.value(A);
    expect(Math.abs(v - meanLoss(b.data.x, b.data.y, b.data.count))).toBeLessThanOrEqual(roundoff(v, 64 * DIM));
    const g = new Float64Array(DIM).fill(Number.NaN);
    expect(R.gradient(A, g)).toBe(v);
    const clean = new Float64Array(DIM);
    R.gradient(A, clean);
    expect(Array.from(g)).toEqual(Array.from(clean));
  });

  it('R^aug(A) is the mean loss over the orbit data (every sample under every g); refuses data of the wrong dimensions', () => {
    const orbit = orbitDataset(b.data, b.model.inputRep, b.model.outputRep);
    expect(orbit.count).toBe(b.group.order * b.data.count);
    const v = augmentedRisk(b.model, b.data, b.loss).value(A);
    expect(Math.abs(v - meanLoss(orbit.x, orbit.y, orbit.count))).toBeLessThanOrEqual(roundoff(v, 64 * DIM * b.group.order));
    const wrongIn = dataset(new Float64Array(6), new Float64Array(2), 3, 1);
    const wrongOut = dataset(new Float64Array(8), new Float64Array(4), 4, 2);
    for (const [d, field] of [[wrongIn, 'data.inputDim'], [wrongOut, 'data.outputDim']] as const) {
      for (const make of [() => nominalRisk(b.model, d, b.loss), () => augmentedRisk(b.model, d, b.loss), () => new SampledAugmentation(b.model, d, b.loss, new RandomStream(1))]) {
        const e = thrown(make) as EqflowError;
        expect([e.code, e.field]).toEqual(['dimension-mismatch', field]);
      }
    }
  });

  it('sampled augmentation: gradientWith(elements) is the risk of the batch with sample s moved by elements[s]; gradient() draws them uniformly', () => {
    const n = b.data.count;
    const elements = Int32Array.from({ length: n }, (_, s) => (7 * s + 3) % b.group.order);
    // row g·n + s of the orbit dataset is sample s under g
    const moved = subset(orbitDataset(b.data, b.model.inputRep, b.model.outputRep), Array.from(elements, (g, s) => g * n + s));
    const sampler = new SampledAugmentation(b.model, b.data, b.loss, new RandomStream('draws'));
    const g1 = new Float64Array(DIM).fill(Number.NaN);
    const v = sampler.gradientWith(A, elements, g1);
    const g2 = new Float64Array(DIM);
    const ref = nominalRisk(b.model, moved, b.loss).gradient(A, g2);
    expect(Math.abs(v - ref)).toBeLessThanOrEqual(roundoff(ref, 64 * DIM));
    expect(diffNorm(g1, g2)).toBeLessThanOrEqual(roundoff(norm(g2), 64 * DIM));
    // gradient(): one rng.int(|G|) per sample, in order, then gradientWith
    const drawn = sampler.gradient(A, g1);
    const rng = new RandomStream('draws');
    const expected = Int32Array.from({ length: n }, () => rng.int(b.group.order));
    expect(Array.from(sampler.elements)).toEqual(Array.from(expected));
    expect(drawn).toBe(sampler.gradientWith(A, expected, g2));
    expect(new Set(sampler.elements).size).toBeGreaterThan(1);
    // exactly n draws per call: the next call takes the stream's next n, so batches never share or skip a draw
    sampler.gradient(A, g1);
    expect(Array.from(sampler.elements)).toEqual(Array.from({ length: n }, () => rng.int(b.group.order)));
  });

  it('the regularizer: value γ/2‖Π_{E⊥}A‖², gradient γΠ_{E⊥}A returning the same value; γ checked', () => {
    const gamma = 2.5;
    const reg = regularizer(P, gamma);
    const perp = P.piEperp(A);
    const expected = 0.5 * gamma * norm(perp) ** 2;
    expect(reg.dim).toBe(DIM);
    expect(Math.abs(reg.value(A) - expected)).toBeLessThanOrEqual(roundoff(expected, DIM));
    const g = new Float64Array(DIM).fill(Number.NaN);
    expect(Math.abs(reg.gradient(A, g) - expected)).toBeLessThanOrEqual(roundoff(expected, DIM));
    expect(diffNorm(g, perp.map((v) => gamma * v))).toBeLessThanOrEqual(roundoff(gamma * norm(perp), DIM));
    expect(regularizer(P, 0).value(A)).toBe(0);
    for (const bad of [-1, Number.NaN, Infinity]) expectEqflowError(() => regularizer(P, bad), { code: 'invalid-argument', field: 'gamma' });
  });

  it('sum(f, g): values and gradients add; objectives on different spaces are refused', () => {
    const f: Objective = { dim: 3, value: (x) => x[0], gradient: (x, gr) => { gr.fill(0); gr[0] = 1; return x[0]; } };
    const h: Objective = { dim: 3, value: (x) => 2 * x[1] * x[1], gradient: (x, gr) => { gr.fill(0); gr[1] = 4 * x[1]; return 2 * x[1] * x[1]; } };
    const s = sum(f, h);
    const x = Float64Array.from([3, -2, 5]);
    expect(s.dim).toBe(3);
    expect(s.value(x)).toBe(11);
    const g = new Float64Array(3).fill(7);
    expect(s.gradient(x, g)).toBe(11);
    expect(Array.from(g)).toEqual([1, -8, 0]);
    const e = thrown(() => sum(f, { ...h, dim: 4 })) as EqflowError;
    expect([e.code, e.field]).toEqual(['dimension-mismatch', 'g']);
  });

  it('checkPoint names the field: a wrong length, then the first non-finite entry', () => {
    expect(thrown(() => checkPoint([1, 2], 2))).toBeUndefined();
    expect((thrown(() => checkPoint([1, 2, 3], 2)) as EqflowError).field).toBe('A');
    const e = thrown(() => checkPoint([1, Number.NaN], 2, 'start')) as EqflowError;
    expect([e.code, e.field]).toEqual(['not-finite', 'start[1]']);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Projectors: in-place paths, the dense twirl, the closed-form defect, dim E by trace

/** ‖M₁M₂ − M₂M₁‖_F of two linear maps, densely */
function commutatorNorm(dim: number, f: (x: Float64Array, o: Float64Array) => void, g: (x: Float64Array, o: Float64Array) => void): number {
  const F = matrixOf(dim, f), G = matrixOf(dim, g);
  return F.mmul(G).sub(G.mmul(F)).norm('frobenius');
}

describe('projectors: every path against a dense reference', () => {
  const C3 = cyclic(3);
  const rot = rotation2d(C3);

  it('the dense twirl (non-monomial ρ) is (1/|G|)Σ_g ρ(g)x, with or without scratch, in place or not', () => {
    const rep = directSum(rot, trivial(C3, 1), rot);
    const x = gaussian('twirl', rep.dim);
    const ref = new Float64Array(rep.dim);
    for (let g = 0; g < 3; g++) {
      const m = rep.matrix(g);
      for (let i = 0; i < rep.dim; i++) for (let j = 0; j < rep.dim; j++) ref[i] += (m[i * rep.dim + j] * x[j]) / 3;
    }
    const tol = roundoff(norm(x), 8 * rep.dim);
    expect(diffNorm(twirl(rep, x, new Float64Array(rep.dim)), ref)).toBeLessThanOrEqual(tol);
    expect(diffNorm(twirl(rep, x, new Float64Array(rep.dim), new Float64Array(rep.dim)), ref)).toBeLessThanOrEqual(tol);
    const y = x.slice();
    expect(twirl(rep, y, y)).toBe(y);
    expect(diffNorm(y, ref)).toBeLessThanOrEqual(tol);
    // twirl writes out[0..dim) only: a longer buffer keeps its tail (dense and monomial paths)
    const long = new Float64Array(rep.dim + 2).fill(5);
    twirl(rep, x, long);
    expect(Array.from(long.subarray(rep.dim))).toEqual([5, 5]);
    expect(diffNorm(long.subarray(0, rep.dim), ref)).toBeLessThanOrEqual(tol);
    const monoRep = built('example-q').model.space.action;
    const longMono = new Float64Array(monoRep.dim + 1).fill(5);
    twirl(monoRep, Float64Array.from([1, 3]), longMono);
    expect(Array.from(longMono)).toEqual([2, 2, 5]);
    // monomial in place
    const shift = DS.model.space.action;
    const z = gaussian('twirl/mono', shift.dim);
    const zRef = twirl(shift, z, new Float64Array(shift.dim));
    twirl(shift, z, z);
    expect(diffNorm(z, zRef)).toBeLessThanOrEqual(roundoff(norm(zRef), 8 * shift.dim));
  });

  it('fixedDimension: exact for monomial actions, rounded for dense ones, and never −0', () => {
    expect(Object.is(fixedDimension(rot), 0)).toBe(true); // 2 + 2cos(2π/3) + 2cos(4π/3) rounds from −4e-16
    expect(fixedDimension(directSum(rot, trivial(C3, 2)))).toBe(2);
    expect(fixedDimension(DS.model.space.action)).toBe(DS.P.dimG);
  });

  it('fixedBasisBySvd: dim H_G orthonormal columns N with NNᵀ = Π_G (the twirl)', () => {
    for (const rep of [directSum(rot, trivial(C3, 1)), built('example-q').model.space.action, layerSpace([rot, trivial(C3, 1)]).action]) {
      const N = fixedBasisBySvd(rep);
      expect(N.length).toBe(fixedDimension(rep));
      const x = gaussian('svd', rep.dim);
      const viaN = new Float64Array(rep.dim);
      for (const q of N) {
        expect(Math.abs(norm(q) - 1)).toBeLessThanOrEqual(roundoff(1, 16 * rep.dim));
        let d = 0;
        for (let i = 0; i < rep.dim; i++) d += q[i] * x[i];
        for (let i = 0; i < rep.dim; i++) viaN[i] += d * q[i];
      }
      expect(diffNorm(viaN, twirl(rep, x, new Float64Array(rep.dim)))).toBeLessThanOrEqual(roundoff(norm(x), 64 * rep.dim));
    }
  });

  it('the compatibility defect equals the dense ‖Π_LΠ_G − Π_GΠ_L‖_F on the mask closed form and on the general path', () => {
    const skew = built('skew-support'); // mask + monomial: closed form
    const basisL = buildCase(parseCase({
      name: 'basis', group: { kind: 'cyclic', n: 4 },
      model: { kind: 'mlp', input: { kind: 'shift', dim: 4, step: 1 }, hidden: [], output: { kind: 'trivial' } },
      admissible: { kind: 'basis', vectors: [[1, 2, 0, 0], [0, 0, 1, -1]] }, data: { kind: 'synthetic', seed: 3, count: 2 },
    }));
    for (const c of [skew, basisL, built('toy-cnn')]) {
      const dim = c.model.space.dim;
      const dense = commutatorNorm(dim, (x, o) => { c.P.piL(x, o); }, (x, o) => { c.P.piG(x, o); });
      expect(Math.abs(c.P.defect - dense), c.spec.name).toBeLessThanOrEqual(roundoff(Math.max(1, dense), 64 * dim));
      expect(c.P.defectTolerance).toBe(roundoff(1, dim) * Math.sqrt(dim));
      expect(c.P.compatible).toBe(c.P.defect <= c.P.defectTolerance);
    }
    expect(skew.P.compatible).toBe(false);
    expect(basisL.P.compatible).toBe(false);
  });

  it('dim E: the trace of Π_LΠ_G when compatible (full, mask, basis), the size of an orthonormal E-basis otherwise', () => {
    const full = fullSpace(DS.model.space);
    expect(new Projectors(full).dimE).toBe(DS.P.dimG);
    const toy = built('toy-cnn'); // a compatible kernel support mask
    const rank = (M: Matrix): number => M.transpose().mmul(M).trace(); // Π_E is a projection: its trace is its rank
    const dimEDense = (c: BuiltCase): number => Math.round(rank(matrixOf(c.model.space.dim, (x, o) => { c.P.piE(x, o); })));
    expect(toy.P.compatible).toBe(true);
    expect(toy.P.eBasis).toBeNull();
    expect(toy.P.dimE).toBe(dimEDense(toy));
    // a compatible basis L: span of two G-invariant vectors and one fixed by nothing
    const space = built('nominal-leaves-e').model.space;
    const L = basisSpace(space, [[1, 1], [1, 0]]);
    const PB = new Projectors(L);
    expect([PB.compatible, PB.dimE]).toEqual([true, 1]);
    // a compatible basis L on which tr(Π_LΠ_G) rounds from −7e-17: dim E is 0, not −0
    const rot = buildCase(parseCase({
      name: 'rot-basis', group: { kind: 'cyclic', n: 3 }, model: { kind: 'mlp', input: { kind: 'rotation2d' }, hidden: [], output: { kind: 'trivial' } },
      admissible: { kind: 'basis', vectors: [[1, 0]] }, data: { kind: 'synthetic', seed: 1, count: 2 },
    }));
    expect(rot.P.compatible).toBe(true);
    expect(Object.is(rot.P.dimE, 0)).toBe(true);
    const skew = built('skew-support');
    expect(skew.P.eBasis?.length).toBe(skew.P.dimE);
    expect(skew.P.dimE).toBe(dimEDense(skew));
    for (const q of skew.P.eBasis ?? []) {
      expect(Math.abs(norm(q) - 1)).toBeLessThanOrEqual(roundoff(1, 64 * q.length));
      expect(diffNorm(skew.P.piL(q), q)).toBeLessThanOrEqual(roundoff(1, 64 * q.length));
      expect(diffNorm(skew.P.piG(q), q)).toBeLessThanOrEqual(roundoff(1, 64 * q.length));
    }
  });

  it('Π_G, Π_L, Π_E, Π_{E⊥}: default, explicit and aliased (in-place) outputs agree, on mask, basis and incompatible L', () => {
    const basisCase = buildCase(parseCase({
      name: 'basis2', group: { kind: 'cyclic', n: 2 },
      model: { kind: 'mlp', input: { kind: 'shift', dim: 2 }, hidden: [], output: { kind: 'trivial', dim: 2 } },
      admissible: { kind: 'basis', vectors: [[1, 0, 0, 1], [0, 1, 1, 0], [1, 1, 0, 0]] }, data: { kind: 'synthetic', seed: 4, count: 2 },
    }));
    for (const c of [built('skew-support'), basisCase, built('toy-cnn'), DS]) {
      const dim = c.model.space.dim;
      const x = gaussian(`alias/${c.spec.name}`, dim);
      const tol = roundoff(norm(x), 64 * dim);
      const ops: ReadonlyArray<readonly [string, (v: Float64Array, o?: Float64Array) => Float64Array]> = [
        ['G', (v, o) => c.P.piG(v, o)], ['L', (v, o) => c.P.piL(v, o)], ['E', (v, o) => c.P.piE(v, o)], ['E⊥', (v, o) => c.P.piEperp(v, o)],
      ];
      for (const [label, op] of ops) {
        const ref = op(x);
        const explicit = new Float64Array(dim).fill(Number.NaN);
        expect(op(x, explicit)).toBe(explicit);
        expect(diffNorm(explicit, ref), `${c.spec.name} Π_${label} explicit`).toBeLessThanOrEqual(tol);
        const y = x.slice();
        expect(op(y, y)).toBe(y);
        expect(diffNorm(y, ref), `${c.spec.name} Π_${label} in place`).toBeLessThanOrEqual(tol);
      }
      const perp = c.P.piEperp(x);
      expect(Math.abs(c.P.projectionError(x) - norm(perp))).toBeLessThanOrEqual(tol);
      const layers = c.P.projectionErrors(x);
      expect(layers).toHaveLength(c.model.space.segments.length);
      c.model.space.segments.forEach((seg, k) => expect(Math.abs(layers[k] - norm(perp, seg.size, seg.offset))).toBeLessThanOrEqual(tol));
    }
  });
});

describe('error messages say what was expected and what came (the user reads these, not a stack)', () => {
  const message = (f: () => unknown): string => {
    const e = thrown(f);
    if (!(e instanceof EqflowError)) throw new Error(`expected an EqflowError, got ${String(e)}`);
    expect(e.message.startsWith(`${e.field}: `)).toBe(true); // the field leads the one-line message
    return e.message.slice(e.field.length + 2);
  };
  const other = built('example-q');

  it('dynamics and integrate', () => {
    expect(message(() => dynamics({ kind: 'reg-augmented', projectors: P, augmented: DS.Raug, gamma: -2 }))).toBe('expected a finite γ ≥ 0, got -2');
    expect(message(() => dynamics({ kind: 'reg-augmented', projectors: P, nominal: DS.R, gamma: 1 }))).toBe('the reg-augmented dynamics needs R^aug');
    expect(message(() => dynamics({ kind: 'nominal', projectors: P, augmented: DS.Raug }))).toBe('the nominal dynamics needs R');
    expect(message(() => dynamics({ kind: 'nominal', projectors: P, nominal: other.R }))).toBe(`risk on R^${other.P.space.dim}, space R^${DIM}`);
    const f = dynamics({ kind: 'augmented', projectors: P, augmented: DS.Raug });
    expect(message(() => integrate(f, new Float64Array(DIM), -1, { integrator: 'rk4', step: 0.1 }))).toBe('expected a finite time ≥ 0, got -1');
    expect(message(() => integrate(f, new Float64Array(DIM), 1, { integrator: 'rk4', step: 0 }))).toBe('expected a finite step > 0, got 0');
    const nan: VectorField = { dim: 1, kind: 'augmented', gamma: 0, projectors: P, nonlinear: (_A, out) => { out[0] = Number.NaN; } };
    expect(message(() => integrate(nan, new Float64Array(1), 1, { integrator: 'dopri5', step: 0.1 }))).toBe('the error estimate became NaN at t = 0');
    const blowUp: VectorField = { dim: 1, kind: 'augmented', gamma: 0, projectors: P, nonlinear: (A, out) => { out[0] = A[0] * A[0]; } };
    expect(message(() => integrate(blowUp, Float64Array.from([1]), 2, { integrator: 'dopri5', step: 0.1 }))).toMatch(/^dopri5 step underflow at t = 0\.99\d*: h = \S+ < minimum 2\.000e-12 \(tolerance too tight or the flow blows up\)$/);
  });

  it('risks, the regularizer and sums', () => {
    const name = DS.model.name;
    const wrongIn = dataset(new Float64Array(6), new Float64Array(2), 3, 1);
    expect(message(() => nominalRisk(DS.model, wrongIn, DS.loss))).toBe(`model ${name} takes inputs in R^${DS.model.inputRep.dim}, data has 3`);
    const wrongOut = dataset(new Float64Array(2 * DS.model.inputRep.dim), new Float64Array(2 * 7), DS.model.inputRep.dim, 7);
    expect(message(() => nominalRisk(DS.model, wrongOut, DS.loss))).toBe(`model ${name} outputs R^${DS.model.outputRep.dim}, data has 7`);
    expect(message(() => regularizer(P, -1))).toBe('expected a finite γ ≥ 0, got -1');
    expect(message(() => sum(DS.R, other.R))).toBe(`objectives on R^${DIM} and R^${other.P.space.dim}`);
  });
});
