import { EqflowError } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { EPS } from '../core/tolerance.js';
import { machineEpsilon, Precision, probeScale, storageRoundoff, unitRoundoff } from '../core/precision.js';
import { CaseSpec } from '../impl/caseSpec.js';
import { CaseSession, Implementation, notOffered, precisionOf } from '../impl/implementation.js';
import { caseStructure } from './caseStructure.js';
import { together } from './pipeline.js';

export { structure } from './caseStructure.js';

/**
 * Opens a session, runs f, always closes it. A Case of a group by generators goes only to an implementation that
 * announces `perm-generators`; the others refuse it ('unsupported': the engine skips that case, not the claim).
 */
export async function withSession<R>(impl: Implementation, spec: CaseSpec, f: (s: CaseSession) => Promise<R>): Promise<R> {
  if (spec.group.kind === 'perm-generators' && !impl.capabilities.has('perm-generators')) throw notOffered(impl.name, 'perm-generators');
  const s = await impl.open(spec);
  try {
    return await f(s);
  } finally {
    await s.close();
  }
}

/**
 * Runs `body(h)` with h = step, halving it (at most 6 times) while the implementation reports a non-finite state:
 * explicit integrators are unstable once h exceeds ~2.8/curvature (a square-activation network is quartic), while
 * the exact gradient flow is not (∫‖Ȧ‖² ≤ R(0)). Every flow in one check then shares the same step.
 */
export async function withStableStep<R>(step: number, body: (h: number) => Promise<R>): Promise<R> {
  for (let k = 0; ; k++) {
    try {
      return await body(step / 2 ** k);
    } catch (e) {
      if (!(e instanceof EqflowError && e.code === 'not-finite') || k >= 6) throw e;
    }
  }
}

/** A seeded N(0, scale²) vector. */
export function gaussian(seed: number | string, dim: number, scale = 1): Float64Array {
  return new RandomStream(seed).gaussianVector(dim, scale);
}

export function diff(a: Float64Array, b: Float64Array): number {
  const d = new Float64Array(a.length);
  for (let i = 0; i < a.length; i++) d[i] = a[i] - b[i];
  return norm(d);
}

export function inner(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) s += a[i] * b[i];
  return s;
}

export function lin(a: number, x: Float64Array, b: number, y: Float64Array): Float64Array {
  return x.map((v, i) => a * v + b * y[i]);
}

export { norm, EPS, probeScale };

/** The round-off constants a claim derives its tolerances from (docs/theory.md §10). */
export interface Numerics {
  precision: Precision;
  /** unit roundoff u of the implementation's arithmetic */
  u: number;
  /** machine epsilon 2u, the constant of Higham's bounds (Number.EPSILON for float64) */
  eps: number;
  /** unit roundoff of storing a float64 input in the implementation (0 for float64: stored exactly) */
  stored: number;
  /**
   * eps for a precision narrower than float64, 0 for float64: the noise terms float64's constants were set with
   * already inside (float64 tolerances stay exactly as they were), explicit in a narrower precision
   */
  narrow: number;
}


/**
 * The level a quantity claimed nonzero must exceed: `margin64` times its float64 round-off bound `rho64` (the
 * geometry asked of it does not depend on the precision) and the round-off `noise` of a narrower precision (0 in
 * float64, where the level is margin64·rho64 as always).
 */
export function aboveRoundoff(rho64: number, margin64: number, noise: number): number {
  return Math.max(margin64 * rho64, noise);
}

/** The round-off constants of the precision `impl` announces (or is judged at). */
export function numerics(impl: Implementation): Numerics {
  const precision = precisionOf(impl);
  const eps = machineEpsilon(precision);
  return { precision, u: unitRoundoff(precision), eps, stored: storageRoundoff(precision), narrow: precision === 'float64' ? 0 : eps };
}

/** A ratio with the detail line the report shows. */
export function measured(error: number, tolerance: number, what: string): { ratio: number; detail: string } {
  const ratio = error === 0 ? 0 : error / tolerance;
  return { ratio, detail: `${what}: error ${error.toExponential(2)} vs tolerance ${tolerance.toExponential(2)}` };
}

/** The worst of several measurements (all must pass); a part not resolvable on this case passes its reason on. */
export function worst(...ms: Array<{ ratio: number; detail: string; unresolved?: string }>): { ratio: number; detail: string; unresolved?: string } {
  const w = ms.reduce((a, b) => (b.ratio > a.ratio || Number.isNaN(b.ratio) ? b : a));
  const why = ms.find((m) => m.unresolved !== undefined)?.unresolved;
  return why === undefined ? w : { ...w, unresolved: why };
}

/**
 * The scale of a risk gradient's round-off at A, from the reference's model and data (structure, like the group
 * table): per sample, ∇ℓ = Jᵀr with r = ŷ − y computed to eps·(‖ŷ‖ + ‖y‖), so the error scales with
 * ‖Jᵀu‖·(‖ŷ‖ + ‖y‖) for a unit u — large for saturated networks even where r ≈ 0 and the sum of the terms
 * vanishes (a stationary point). Returns the mean over the (transformed) samples of that and of ‖∇ℓ_s‖.
 */
export function gradientRoundoffScale(spec: CaseSpec, A: Float64Array, augmented: boolean): number {
  return caseStructure(spec).gradientScale(A, augmented);
}

/**
 * ‖Π_L∇²R(A)Π_L‖ (R = R^aug or R) by 25 power iterations on central differences of the implementation's gradients,
 * ×1.1 for the iteration's underestimate from below: a local Lipschitz constant of Π_L∇R.
 */
export async function hessianNorm(s: CaseSession, A: Float64Array, seed: number, mode: 'nominal' | 'augmented', eps0: number): Promise<number> {
  let v = await s.project('L', gaussian(seed + 3, s.dim));
  let lam = 0;
  for (let k = 0; k < 25 && norm(v) > 0; k++) {
    v = lin(1 / norm(v), v, 0, v);
    const eps = Math.cbrt(eps0) * Math.max(1, norm(A)); // h ∝ u^{1/3} balances O(h²) truncation and u/h round-off
    const [gp, gm] = await together([eps, -eps].map((e) => async () => (await s.risk(mode, lin(1, A, e, v))).gradient));
    const hv = await s.project('L', lin(1 / (2 * eps), gp, -1 / (2 * eps), gm));
    lam = norm(hv);
    v = hv;
  }
  return 1.1 * lam;
}
