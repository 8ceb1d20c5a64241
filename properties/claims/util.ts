import { EqflowError } from '../../src/core/errors.js';
import { norm } from '../../src/core/kernels.js';
import { RandomStream } from '../../src/core/rng.js';
import { EPS } from '../../src/core/tolerance.js';
import { BuiltCase, buildCase } from '../../src/impl/build.js';
import { CaseSpec } from '../../src/impl/caseSpec.js';
import { CaseSession, Implementation } from '../../src/impl/implementation.js';

const cache = new Map<string, BuiltCase>();

/**
 * The reference's build of a case: the claims read structure from it (group table, bases of E_0 and F_0) while
 * every number under test comes from the implementation.
 */
export function structure(spec: CaseSpec): BuiltCase {
  const key = JSON.stringify(spec);
  let b = cache.get(key);
  if (!b) {
    if (cache.size > 64) cache.clear(); // bounded over long runs
    b = buildCase(spec);
    cache.set(key, b);
  }
  return b;
}

/** Opens a session, runs f, always closes it. */
export async function withSession<R>(impl: Implementation, spec: CaseSpec, f: (s: CaseSession) => Promise<R>): Promise<R> {
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

export { norm, EPS };

/** A ratio with the detail line the report shows. */
export function measured(error: number, tolerance: number, what: string): { ratio: number; detail: string } {
  const ratio = error === 0 ? 0 : error / tolerance;
  return { ratio, detail: `${what}: error ${error.toExponential(2)} vs tolerance ${tolerance.toExponential(2)}` };
}

/** The worst of several measurements (all must pass). */
export function worst(...ms: Array<{ ratio: number; detail: string }>): { ratio: number; detail: string } {
  return ms.reduce((a, b) => (b.ratio > a.ratio || Number.isNaN(b.ratio) ? b : a));
}
