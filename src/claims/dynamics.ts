import fc from 'fast-check';
import { zeroOfVelocity } from '../analysis/stationary.js';
import { EqflowError } from '../core/errors.js';
import { RandomStream } from '../core/rng.js';
import { roundoff } from '../core/tolerance.js';
import { DYNAMICS, DynamicsKind } from '../flows/dynamics.js';
import { firstStep } from '../flows/integrators.js';
import { CaseSpec, parseCase } from '../impl/caseSpec.js';
import { CaseSession } from '../impl/implementation.js';
import { fieldOf, flowOf } from '../impl/reference.js';
import { dynamicsCase } from './cases.js';
import { Measurement, register } from './engine.js';
import { equivariantStationaryPoint, theoremCase } from './theorem1.js';
import { diff, gaussian, gradientRoundoffScale, hessianNorm, lin, measured, norm, numerics, structure, withSession, withStableStep, worst } from './util.js';

/**
 * Conformance of the dynamics (docs/theory.md §4): an implementation's `step`, `sampledStep` and `flow` against the
 * velocity built from its own `risk` and `project` answers, on every kind of admissible set (compatible or not,
 * masks, bases, supports, affine L = A° + L_0) and non-unitary parametrizations. The Case fixes A° and K = MMᵀ
 * (plain JSON); every other number comes from the implementation.
 */

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const kind = fc.constantFrom(...DYNAMICS);
/** γ of a regularized dynamics; the unregularized ones take γ = 0 */
const gammaOf = (k: DynamicsKind, g: number): number => (k === 'reg-augmented' || k === 'reg-nominal' ? g : 0);
const gammaArb = fc.double({ min: 0.1, max: 10, noNaN: true });
/** γ of the flow claim's stiff half: γ·step from 1 to 5 at the long comparison's steps 0.1 and 0.05 */
const stiffGammaArb = fc.double({ min: 20, max: 50, noNaN: true });
const etaArb = fc.double({ min: 0.001, max: 0.1, noNaN: true });
/** whether the dynamics uses R^aug */
const isAug = (k: DynamicsKind): boolean => k === 'augmented' || k === 'reg-augmented';

/** A° of the Case's L, reduced to its component orthogonal to L_0 with the implementation's Π_L (0 when L is linear). */
async function offsetOf(s: CaseSession, spec: CaseSpec): Promise<Float64Array> {
  const o = spec.admissible.kind === 'full' ? undefined : spec.admissible.offset;
  if (!o) return new Float64Array(s.dim);
  const a = Float64Array.from(o);
  return lin(1, a, -1, await s.project('L', a));
}

/** A random point of L: A° + Π_L x, x Gaussian. */
async function pointInL(s: CaseSession, offset: Float64Array, seed: number): Promise<Float64Array> {
  return lin(1, offset, 1, await s.project('L', gaussian(seed, s.dim, 0.7)));
}

/** The start every dynamics check shares: γ of the kind (0 unless regularized), the offset A° and a random point of L. */
async function startInL(s: CaseSession, spec: CaseSpec, k: DynamicsKind, g: number, seed: number): Promise<{ gamma: number; offset: Float64Array; A: Float64Array }> {
  const offset = await offsetOf(s, spec);
  return { gamma: gammaOf(k, g), offset, A: await pointInL(s, offset, seed) };
}

/** dist(X, L) = ‖(X − A°) − Π_L(X − A°)‖ with the implementation's Π_L. */
async function distanceToL(s: CaseSession, offset: Float64Array, X: Float64Array): Promise<number> {
  const d = lin(1, X, -1, offset);
  return diff(d, await s.project('L', d));
}

/** ‖K‖ ≤ ‖M‖_F² for K = MMᵀ; 1 for Π_L. */
function kNorm(spec: CaseSpec): number {
  const p = spec.parametrization;
  return p.kind === 'matrix' ? p.M.reduce((a, r) => a + r.reduce((b, x) => b + x * x, 0), 0) : 1;
}

/**
 * v_kind(A) of docs/theory.md §4 from the implementation's answers: −P∇R (R^aug for the augmented kinds) with P = Π_L,
 * or K = MMᵀ for a matrix parametrization, or KΠ_E / Π_E for the equivariant kind; minus γΠ_{E⊥}(A − A°) for the
 * regularized kinds. `gradient` replaces the risk's gradient (the sampled step's batch gradient).
 */
async function velocityOf(s: CaseSession, spec: CaseSpec, k: DynamicsKind, A: Float64Array, gamma: number, offset: Float64Array, gradient?: Float64Array): Promise<Float64Array> {
  const g = gradient ?? (await s.risk(isAug(k) ? 'augmented' : 'nominal', A)).gradient;
  const K = structure(spec).K;
  let u = k === 'equivariant' ? await s.project('E', g) : K ? g : await s.project('L', g);
  if (K) {
    const t = new Float64Array(s.dim);
    K(u, t);
    u = t;
  }
  const v = lin(-1, u, 0, u);
  if (gamma === 0) return v;
  const d = lin(1, A, -1, offset);
  const perp = lin(1, d, -1, await s.project('E', d));
  return lin(1, v, -gamma, perp);
}

/**
 * Round-off of v(A) as two code paths of one implementation compute it: the risk gradient (Higham's bound over |G|·n
 * samples of O(dim) flops on the per-sample gradient scale, mapped by K), its projection and the regularizer (O(|G|·dim)
 * flops each).
 */
function velocityRoundoff(spec: CaseSpec, dim: number, A: Float64Array, gamma: number, offset: Float64Array, aug: boolean, gradNorm: number, eps: number): number {
  const b = structure(spec);
  const ops = (aug ? b.group.order : 1) * b.data.count * dim;
  const m = gradientRoundoffScale(spec, A, aug);
  return kNorm(spec) * roundoff(Math.max(1, m, gradNorm), ops, eps) + gamma * roundoff(Math.max(1, norm(A) + norm(offset)), b.group.order * dim, eps);
}

/** step(kind, A, η, γ) = A + η·v_kind(A), v from the implementation's own risk and projectors (docs/theory.md §4). */
export const stepClaim = register({
  id: 'dynamics-step',
  title: 'step(kind, A, η, γ) = A + η·v_kind(A), v from the implementation\'s risk gradients and projectors',
  source: 'docs/theory.md §4 (discrete dynamics)',
  needs: ['step', 'risk', 'projectors'],
  runs: 100,
  arbitrary: fc.record({ spec: dynamicsCase, seed, kind, gamma: gammaArb, eta: etaArb }),
  check: async (impl, { spec, seed, kind: k, gamma: g, eta }) =>
    withSession(impl, spec, async (s) => {
      const { gamma, offset, A } = await startInL(s, spec, k, g, seed);
      const v = await velocityOf(s, spec, k, A, gamma, offset);
      const out = await s.step(k, A, eta, gamma);
      // A + ηv rounded once per entry, plus η times the round-off of v between two code paths
      const { eps } = numerics(impl);
      const tol = roundoff(Math.max(1, norm(A) + eta * norm(v)), 1, eps) + eta * velocityRoundoff(spec, s.dim, A, gamma, offset, isAug(k), norm(v), eps);
      return measured(diff(out, lin(1, A, eta, v)), tol, `‖step − (A + ηv)‖ (${k}, γ = ${gamma.toPrecision(3)}, η = ${eta.toPrecision(3)}, ${spec.name})`);
    }),
  negative: { description: 'a step omitting Π_L on the gradient, a regularizer on Π_{G⊥}, a step projecting the point onto L_0 (mutants)' },
});

/** One seeded group element per sample of the Case's data. */
function drawElements(spec: CaseSpec, seed: number): Int32Array {
  const b = structure(spec);
  const rng = new RandomStream(`elements/${seed}`);
  return Int32Array.from({ length: b.data.count }, () => rng.int(b.group.order));
}

/** The Case with sample s replaced by (ρ_0(g_s)x_s, ρ_Y(g_s)y_s): its nominal risk is the sampled-augmentation batch risk. */
export function transformedBatch(spec: CaseSpec, elements: Int32Array): CaseSpec {
  const b = structure(spec);
  const { inputRep, outputRep } = b.model;
  const d = b.data;
  const x: number[][] = [], y: number[][] = [];
  const tx = new Float64Array(d.inputDim), ty = new Float64Array(d.outputDim);
  for (let s = 0; s < d.count; s++) {
    inputRep.apply(elements[s], d.x.subarray(s * d.inputDim, (s + 1) * d.inputDim), tx);
    outputRep.apply(elements[s], d.y.subarray(s * d.outputDim, (s + 1) * d.outputDim), ty);
    x.push(Array.from(tx));
    y.push(Array.from(ty));
  }
  return parseCase({ ...spec, name: `${spec.name}/batch`, data: { kind: 'explicit', x, y } });
}

/**
 * sampledStep(A, η, γ, g) = A − η(P∇R_b(A) + γΠ_{E⊥}(A − A°)), R_b the mean loss over the batch with sample s and its
 * target transformed by g_s (docs/theory.md §4, §10): ∇R_b is the implementation's own nominal gradient on a Case whose
 * explicit data are that transformed batch, opened separately.
 */
export const sampledStepClaim = register({
  id: 'dynamics-sampled-step',
  title: 'sampledStep(A, η, γ, g) = A − η(Π_L∇R_b(A) + γΠ_{E⊥}(A − A°)), R_b the risk of the batch transformed by g',
  source: 'docs/theory.md §4, §10 (SGD with sampled augmentation)',
  needs: ['sampled-step', 'risk', 'projectors'],
  runs: 100,
  arbitrary: fc.record({ spec: dynamicsCase, seed, gamma: fc.oneof(fc.constant(0), gammaArb), eta: etaArb }),
  check: async (impl, { spec, seed, gamma, eta }) => {
    const elements = drawElements(spec, seed);
    const batch = transformedBatch(spec, elements);
    return withSession(impl, spec, async (s) => {
      const offset = await offsetOf(s, spec);
      const A = await pointInL(s, offset, seed);
      const gradient = await withSession(impl, batch, async (sb) => (await sb.risk('nominal', A)).gradient);
      const v = await velocityOf(s, spec, 'reg-nominal', A, gamma, offset, gradient);
      const out = await s.sampledStep(A, eta, gamma, elements);
      const { eps } = numerics(impl);
      const tol = roundoff(Math.max(1, norm(A) + eta * norm(v)), 1, eps) + eta * velocityRoundoff(batch, s.dim, A, gamma, offset, false, norm(gradient), eps);
      return measured(diff(out, lin(1, A, eta, v)), tol, `‖sampledStep − (A − η(Π_L∇R_b + γΠ_{E⊥}(A − A°)))‖ (γ = ${gamma.toPrecision(3)}, g = [${elements.join(',')}], ${spec.name})`);
    });
  },
  negative: { description: 'a sampled step transforming x but not y (mutant)' },
});

/**
 * The flow claim's own reference for A(T): dopri5 with error control (its embedded pair), code disjoint from the
 * protocol flow's etdrk4 — so a bug in either integrator shows as a disagreement — at the tolerance `rtol` per step.
 */
function dopri5Reference(spec: CaseSpec, k: DynamicsKind, gamma: number, A: Float64Array, T: number, rtol: number): Float64Array {
  const b = structure(spec);
  return flowOf(fieldOf(b, k, gamma), b.P.L.offset, A, [T], { integrator: 'dopri5', step: firstStep(gamma, T), rtol, atol: 1e-2 * rtol })[0];
}
/** the reference's tolerance per step, and the looser one whose answer estimates its error */
const REF_RTOL = 1e-10;
const REF_LOOSE = 100;

/** Ψ_τ(A): one step τ of the implementation's flow. */
async function oneStep(s: CaseSession, k: DynamicsKind, A: Float64Array, gamma: number, tau: number): Promise<Float64Array> {
  return (await s.flow(k, A, gamma, [tau], tau))[0];
}

/** Round-off of a point assembled from A by a few rounded operations per entry (Higham's bound, dim terms). */
const pointRoundoff = (A: Float64Array, eps: number): number => roundoff(Math.max(1, norm(A)), A.length, eps);

const T_LONG = 1;
const H_LONG = 0.1;
/** halvings of the long comparison's step: down to 0.1/2⁸ ≈ 4e-4 (2560 steps to T at the finest) */
const LONG_HALVINGS = 8;
/** a step-doubling difference at most this fraction of the one before is contracting: 2^{−p} ≤ 1/2 for any order p ≥ 1 */
const CONTRACTION = 0.6;
/** …and small: pre-asymptotic sequences can contract twice by chance while still O(0.1) off (CNN Cases, measured) */
const SETTLED = 1e-6;

/**
 * The implementation's A(T) at steps h_j = H_LONG/2^j, halved until it is in its asymptotic range: the differences
 * d_j = ‖X_j − X_{j+1}‖ contract by ≤ 0.6 twice in a row, or fall below the round-off `floor`; then
 * ‖X_{j+1} − A(T)‖ ≤ Σ_{i>j} d_i ≤ 1.5·d_j. Pre-asymptotic steps are common on the CNN Cases (a LayerNorm over 4
 * numbers), where one halving can move A(T) by more than the error left. A step whose flow leaves float64 (an
 * explicit scheme past its stability limit) is passed over. Undefined when the sequence does not settle.
 */
async function resolvedFlow(s: CaseSession, k: DynamicsKind, A: Float64Array, gamma: number, floor: (h: number, X: Float64Array) => number): Promise<{ X: Float64Array; h: number; d: number } | undefined> {
  const X: Array<Float64Array | undefined> = [];
  const settled = (a: Float64Array, b: Float64Array, c: Float64Array, h: number) => {
    const [d0, d1] = [diff(a, b), diff(b, c)];
    return d1 <= CONTRACTION * d0 || d1 <= floor(h, c);
  };
  for (let j = 0; j <= LONG_HALVINGS; j++) {
    const h = H_LONG / 2 ** j;
    try {
      X.push((await s.flow(k, A, gamma, [T_LONG], h))[0]);
    } catch (e) {
      if (!(e instanceof EqflowError && e.code === 'not-finite')) throw e;
      X.push(undefined);
    }
    const [a, b, c, d] = X.slice(-4);
    if (a && b && c && d && settled(a, b, c, 2 * h) && settled(b, c, d, h) && diff(c, d) <= SETTLED * Math.max(1, norm(A))) return { X: d, h, d: diff(c, d) };
  }
  return undefined;
}

/**
 * flow(kind, A, γ): (i) the difference quotient D(τ) = (A(τ) − A)/τ tends to v(A) at first order or better: its
 * Richardson extrapolation 2D(τ/2) − D(τ) at τ = τ₀/2 is within twice the next Richardson difference (the O(τ²)
 * remainder) of v(A) built from the implementation's risk and projectors; (ii) A(1) agrees with an independent
 * reference, dopri5 under error control (no integrator code shared with the reference's etdrk4 flow), within twice
 * the implementation's step-doubling difference once its steps are in their asymptotic range (resolvedFlow), the
 * reference's own estimate, and the round-off of the trajectory amplified as the flow amplifies a perturbation of A.
 */
export const flowClaim = register({
  id: 'dynamics-flow',
  title: '(A(τ) − A)/τ → v(A) as τ → 0, and A(1) agrees with an independent dopri5 reference within the integrators\' error estimates',
  source: 'docs/theory.md §4, §9 (flows)',
  needs: ['flow', 'risk', 'projectors'],
  // each case integrates 7 or more flows of the implementation and 3 of the reference: 50 cases keep the suite within budget
  runs: 50,
  arbitrary: fc.record({ spec: dynamicsCase, seed, kind, gamma: fc.oneof(gammaArb, stiffGammaArb) }),
  check: async (impl, { spec, seed, kind: k, gamma: g }) =>
    withSession(impl, spec, async (s) => {
      const { gamma, offset, A } = await startInL(s, spec, k, g, seed);
      const v = await velocityOf(s, spec, k, A, gamma, offset);
      const { eps } = numerics(impl);
      const vr = velocityRoundoff(spec, s.dim, A, gamma, offset, isAug(k), norm(v), eps);
      // τ₀ well inside the stiff scale 1/γ and the time ‖A‖/‖v‖ in which A moves by its own size: there the Richardson
      // remainder is asymptotic (error ≈ tolerance/6), while round-off/τ₀ stays ≈ 1e-11 relative
      const tau0 = 1e-3 * Math.min(1, 1 / gamma, Math.max(1, norm(A)) / Math.max(norm(v), 1e-300));
      const D = async (tau: number) => lin(1 / tau, await oneStep(s, k, A, gamma, tau), -1 / tau, A);
      const [D1, D2, D3] = [await D(tau0), await D(tau0 / 2), await D(tau0 / 4)];
      const R1 = lin(2, D2, -1, D1), R2 = lin(2, D3, -1, D2);
      // R2 = 2D(τ₀/4) − D(τ₀/2) carries 3× the round-off of D(τ₀/4): pointRoundoff/τ plus v's own
      const tolD = 2 * diff(R1, R2) + 3 * (pointRoundoff(A, eps) / (tau0 / 4) + vr) + vr;
      const quotient = measured(diff(R2, v), tolD, `‖(A(τ) − A)/τ extrapolated − v(A)‖ (${k}, γ = ${gamma.toPrecision(3)}, τ₀ = ${tau0.toPrecision(2)}, ${spec.name})`);
      // the reference's A(1) at two tolerances, and how much its flow amplifies a perturbation δu of A (u ∈ L_0)
      const b = structure(spec);
      const [Y1, Y2] = [dopri5Reference(spec, k, gamma, A, T_LONG, REF_LOOSE * REF_RTOL), dopri5Reference(spec, k, gamma, A, T_LONG, REF_RTOL)];
      const u = b.P.piL(gaussian(seed + 11, s.dim));
      const delta = 1e-7 * Math.max(1, norm(A));
      const un = norm(u);
      const amp = un === 0 ? 1 : Math.max(1, diff(dopri5Reference(spec, k, gamma, lin(1, A, delta / un, u), T_LONG, REF_RTOL), Y2) / delta);
      const roundAt = (h: number, X: Float64Array) => {
        const steps = T_LONG / h;
        return amp * roundoff(Math.max(1, norm(A), norm(X), norm(Y2)), steps * (isAug(k) ? b.group.order : 1) * b.data.count * s.dim, eps);
      };
      const r = await resolvedFlow(s, k, A, gamma, roundAt);
      const what = `‖A(${T_LONG}) − A_dopri5(${T_LONG})‖`;
      const tail = `(${k}, γ = ${gamma.toPrecision(3)}, amplification ${amp.toExponential(1)}, ${spec.name})`;
      // the implementation's error by its step-doubling difference once in its asymptotic range, and the reference's:
      // its error ∝ rtol, so ‖Y(100·rtol) − Y(rtol)‖ bounds Y(rtol)'s about 100 times over
      const long = r
        ? measured(diff(r.X, Y2), 2 * (r.d + diff(Y1, Y2)) + roundAt(r.h, r.X), `${what} at step ${r.h.toPrecision(2)} ${tail}`)
        : { ratio: 0, detail: `${what} ${tail}`, unresolved: `${what}: the implementation's A(${T_LONG}) shows no asymptotic convergence at steps ${H_LONG} to ${(H_LONG / 2 ** LONG_HALVINGS).toPrecision(2)}` };
      return worst(quotient, long);
    }),
  negative: { description: 'a flow integrating with γ/2 (mutant)' },
});

/**
 * Every output of step, sampledStep and flow started at A ∈ L lies in L = A° + L_0 to round-off (affine L included):
 * each step adds O(dim) rounded terms per entry off L_0, never amplified (the velocity is in L_0 everywhere on L).
 */
export const inLClaim = register({
  id: 'dynamics-in-L',
  title: 'step, sampledStep and flow started in L = A° + L_0 stay in L',
  source: 'docs/theory.md §4 (velocity in L_0)',
  needs: ['step', 'sampled-step', 'flow', 'projectors'],
  runs: 100,
  arbitrary: fc.record({ spec: dynamicsCase, seed, kind, gamma: gammaArb, eta: etaArb }),
  check: async (impl, { spec, seed, kind: k, gamma: g, eta }) =>
    withSession(impl, spec, async (s) => {
      const { gamma, offset, A } = await startInL(s, spec, k, g, seed);
      const aug = isAug(k);
      const { eps } = numerics(impl);
      const vr = (X: Float64Array, gam: number, augmented: boolean) => velocityRoundoff(spec, s.dim, X, gam, offset, augmented, 0, eps);
      const ms: Measurement[] = [];
      const stepped = await s.step(k, A, eta, gamma);
      ms.push(measured(await distanceToL(s, offset, stepped), pointRoundoff(lin(1, stepped, -1, offset), eps) + eta * vr(A, gamma, aug), `dist(step, L) (${k}, ${spec.name})`));
      const elements = drawElements(spec, seed);
      const sampled = await s.sampledStep(A, eta, g, elements);
      ms.push(measured(await distanceToL(s, offset, sampled), pointRoundoff(lin(1, sampled, -1, offset), eps) + eta * vr(A, g, true), `dist(sampledStep, L) (${spec.name})`));
      await withStableStep(H_LONG, async (h) => {
        const points = await s.flow(k, A, gamma, [T_LONG / 2, T_LONG], h);
        for (const [i, X] of points.entries()) {
          const steps = ((i + 1) * T_LONG) / 2 / h;
          // per step: the point's round-off and h times v's, at the larger of the two ends' gradient scales
          const tol = steps * (pointRoundoff(lin(1, X, -1, offset), eps) + h * Math.max(vr(A, gamma, aug), vr(X, gamma, aug)));
          ms.push(measured(await distanceToL(s, offset, X), tol, `dist(A(${((i + 1) * T_LONG) / 2}), L) (${k}, ${spec.name})`));
        }
      });
      return worst(...ms);
    }),
  negative: { description: 'a step omitting Π_L, a step projecting the point onto L_0, a regularizer ignoring A° (mutants)' },
});

/** γ·step of the stiff check: |z| ≥ 1 takes φ_k(z) off its Taylor range; classical RK4 is still stable (down to −2.79). */
const STIFF_GAMMA_H = { min: 1, max: 2.5 };
/** steps of the stiff check: few, so that an explicit scheme's growth e^{(γ+κ)T} on round-off stays bounded */
const STIFF_STEPS = 4;

/**
 * The zero A* of the regularized nominal velocity v = −Π_L∇R − γΠ_{E⊥}A near the Case's equivariant stationary point
 * (Remark R1: it lies off E, at ≈ β/γ), by the reference's Newton; fc.pre skips a case where Newton does not converge.
 */
function nominalZero(spec: CaseSpec, seed: number, gamma: number): Float64Array {
  const b = structure(spec);
  fc.pre(!b.P.L.offset); // the reference integrates an affine L around A° (reference.ts); the theorems' Cases are linear
  const f = fieldOf(b, 'reg-nominal', gamma);
  const { A } = equivariantStationaryPoint(spec, seed);
  let Astar: Float64Array;
  try {
    // 1e-13 of the velocity's scale: the γ-term's own round-off is ~ dim·ε·γ‖A‖
    Astar = zeroOfVelocity(f, A, 1e-13 * Math.max(1, gamma * norm(A))).A;
  } catch (e) {
    if (e instanceof EqflowError && e.code === 'not-converged') fc.pre(false);
    throw e;
  }
  // off E by more than 1e-6 relative (by the reference, so the same cases at every precision), or the φ_k(z) weights
  // multiply nothing: β = 0 at this stationary point (A = 0, or a nominal gradient with no E⊥ part)
  fc.pre(norm(b.P.piEperp(Astar)) > 1e-6 * Math.max(1, norm(Astar)));
  return Astar;
}

/**
 * docs/theory.md §9: every Runge–Kutta and every ETD scheme keeps the zeros of v as fixed points for any step (all
 * stages coincide there); Lawson's integrating factor does not. At a zero A* of the regularized nominal velocity,
 * which sits off E, the flow at γ·step ∈ [1, 2.5] weights the E⊥ part by φ_k(−γ·step) with |z| ≥ 1, a range no
 * other claim reaches off E. Tolerance (Grönwall): A* is a zero of the implementation's v only to ‖v(A*)‖ (from its
 * own risk and projectors), and the flow moves it by at most T·‖v(A*)‖ plus each step's round-off, both grown at
 * most e^{(γ+κ)T} (|R(z)| ≤ e^{|z|} for any RK polynomial; κ = ‖Π_L∇²RΠ_L‖ by power iteration); the 2 covers the
 * per-step weight (R(z) − 1)/z, ≤ 1 for RK4 and ETDRK4 on z ≤ 0.
 */
export const stiffFixedPointClaim = register({
  id: 'dynamics-stiff-fixed-point',
  title: 'at stiff steps (γ·step ∈ [1, 2.5]) the flow keeps a zero of the regularized nominal velocity, off E, in place',
  source: 'docs/theory.md §9 (fixed points of Runge–Kutta and ETD schemes)',
  needs: ['flow', 'risk', 'projectors'],
  // each case: a stationary point on E, Newton on v (dense Jacobian), 25 Hessian products and one short flow
  runs: 30,
  arbitrary: fc.record({ spec: theoremCase, seed, gamma: fc.double({ min: 20, max: 200, noNaN: true }), gammaH: fc.double({ ...STIFF_GAMMA_H, noNaN: true }) }),
  check: async (impl, { spec, seed, gamma, gammaH }) => {
    const Astar = nominalZero(spec, seed, gamma);
    return withSession(impl, spec, async (s) => {
      const { eps } = numerics(impl);
      const offset = new Float64Array(s.dim);
      const v = await velocityOf(s, spec, 'reg-nominal', Astar, gamma, offset);
      const off = norm(lin(1, Astar, -1, await s.project('E', Astar)));
      const kappa = await hessianNorm(s, Astar, seed, 'nominal', eps);
      const vr = velocityRoundoff(spec, s.dim, Astar, gamma, offset, false, norm(v), eps);
      const h = gammaH / gamma;
      const times = Array.from({ length: STIFF_STEPS }, (_, k) => (k + 1) * h);
      const traj = await s.flow('reg-nominal', Astar, gamma, times, h);
      const ms = traj.map((X, k) => {
        const t = times[k];
        const grow = Math.exp((gamma + kappa) * t);
        const tol = grow * (2 * t * (norm(v) + vr) + (k + 1) * pointRoundoff(X, eps));
        return measured(diff(X, Astar), tol, `‖A(${t.toPrecision(3)}) − A*‖ at a zero of v (reg-nominal, γ = ${gamma.toPrecision(3)}, γ·step = ${gammaH.toFixed(2)}, ‖Π_{E⊥}A*‖ = ${off.toExponential(2)}, ‖v(A*)‖ = ${norm(v).toExponential(1)}, ${spec.name})`);
      });
      return worst(...ms);
    });
  },
  negative: { description: 'a flow by Lawson RK4 (integrating factor), whose fixed points are off the zeros of v at stiff steps (mutant)' },
});

export const dynamicsClaims = [stepClaim, sampledStepClaim, flowClaim, inLClaim, stiffFixedPointClaim];
