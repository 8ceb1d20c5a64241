import { EqflowError } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { VectorField, velocity } from './dynamics.js';

/** The integrators `integrate` offers. */
export const INTEGRATORS = ['euler', 'rk4', 'lawson-rk4', 'dopri5'] as const;
/** One of the integrators `integrate` offers. */
export type IntegratorKind = (typeof INTEGRATORS)[number];

/** Work buffers for one integrator, allocated once per field. */
export class Work {
  readonly k: Float64Array[];
  readonly y: Float64Array;
  readonly tmp: Float64Array;
  constructor(n: number, stages: number) {
    this.k = Array.from({ length: stages }, () => new Float64Array(n));
    this.y = new Float64Array(n);
    this.tmp = new Float64Array(n);
  }
}

/** A ← A + h·v(A): gradient descent with step η = h (docs/theory.md §4, discrete). */
export function eulerStep(f: VectorField, A: Float64Array, h: number, w: Work = new Work(f.dim, 1)): void {
  velocity(f, A, w.k[0], w.tmp);
  for (let i = 0; i < A.length; i++) A[i] += h * w.k[0][i];
}

/** Classical RK4 on the whole velocity. */
export function rk4Step(f: VectorField, A: Float64Array, h: number, w: Work = new Work(f.dim, 4)): void {
  const [k1, k2, k3, k4] = w.k;
  const y = w.y;
  const n = A.length;
  velocity(f, A, k1, w.tmp);
  for (let i = 0; i < n; i++) y[i] = A[i] + 0.5 * h * k1[i];
  velocity(f, y, k2, w.tmp);
  for (let i = 0; i < n; i++) y[i] = A[i] + 0.5 * h * k2[i];
  velocity(f, y, k3, w.tmp);
  for (let i = 0; i < n; i++) y[i] = A[i] + h * k3[i];
  velocity(f, y, k4, w.tmp);
  for (let i = 0; i < n; i++) A[i] += (h / 6) * (k1[i] + 2 * k2[i] + 2 * k3[i] + k4[i]);
}

/** x ← φ(t)x = Π_E x + e^{−γt} Π_{E⊥} x, the exact flow of the linear γ-term. */
function linearFlow(f: VectorField, t: number, x: Float64Array, tmp: Float64Array): void {
  if (f.gamma === 0) return;
  const c = Math.exp(-f.gamma * t);
  f.projectors.piEperp(x, tmp);
  for (let i = 0; i < x.length; i++) x[i] -= (1 - c) * tmp[i];
}

/**
 * Integrating-factor (Lawson) RK4: RK4 on w = φ(−t)A, so the stiff linear term −γΠ_{E⊥}A is integrated exactly and
 * the step stays stable for any γ (fourth order in the nonlinear part):
 * A⁺ = φ(h)A + h/6 (φ(h)k1 + 2φ(h/2)(k2 + k3) + k4).
 */
export function lawsonRk4Step(f: VectorField, A: Float64Array, h: number, w: Work = new Work(f.dim, 4)): void {
  const [k1, k2, k3, k4] = w.k;
  const y = w.y, t = w.tmp;
  const n = A.length;
  f.nonlinear(A, k1);
  // y = φ(h/2)(A + h/2 k1)
  for (let i = 0; i < n; i++) y[i] = A[i] + 0.5 * h * k1[i];
  linearFlow(f, h / 2, y, t);
  f.nonlinear(y, k2);
  // y = φ(h/2)A + h/2 k2
  y.set(A);
  linearFlow(f, h / 2, y, t);
  for (let i = 0; i < n; i++) y[i] += 0.5 * h * k2[i];
  f.nonlinear(y, k3);
  // y = φ(h)A + h φ(h/2) k3
  const z = k4; // k4 is free until it is computed
  z.set(k3);
  linearFlow(f, h / 2, z, t);
  y.set(A);
  linearFlow(f, h, y, t);
  for (let i = 0; i < n; i++) y[i] += h * z[i];
  // A⁺ = φ(h)A + h/6 (φ(h)k1 + 2φ(h/2)(k2 + k3) + k4): accumulate in φ-nested form
  for (let i = 0; i < n; i++) k2[i] += k3[i];
  linearFlow(f, h / 2, k2, t); // φ(h/2)(k2 + k3)
  linearFlow(f, h, k1, t); // φ(h)k1
  f.nonlinear(y, k4);
  linearFlow(f, h, A, t);
  for (let i = 0; i < n; i++) A[i] += (h / 6) * (k1[i] + 2 * k2[i] + k4[i]);
}

/** How to integrate: the integrator, its (initial) step, tolerances for the adaptive one and an observer. */
export interface FlowOptions {
  integrator: IntegratorKind;
  /** fixed step for euler/rk4/lawson-rk4, initial step for dopri5 */
  step: number;
  /** dopri5 tolerances: error per step ≤ atol + rtol·‖A‖ (RMS norm) */
  rtol?: number;
  atol?: number;
  /** called at t = 0, after every accepted step, with the current time and point (do not keep A: it is reused) */
  observe?: (t: number, A: Float64Array) => void;
  /** stop early when the velocity norm falls below this (a stationary point) */
  maxSteps?: number;
}

/**
 * The Dormand–Prince 5(4) tableau: stage rows A, 5th-order weights b and embedded 4th-order weights b̂ (the nodes
 * c_i are not needed: every field here is autonomous). Built per call, not at module load, so that a mutation tool
 * can tell which tests use it (9 tiny arrays per integration).
 */
function dopri5Tableau(): { Acoef: number[][]; B5: number[]; B4: number[] } {
  return {
    Acoef: [
      [],
      [1 / 5],
      [3 / 40, 9 / 40],
      [44 / 45, -56 / 15, 32 / 9],
      [19372 / 6561, -25360 / 2187, 64448 / 6561, -212 / 729],
      [9017 / 3168, -355 / 33, 46732 / 5247, 49 / 176, -5103 / 18656],
      [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84],
    ],
    B5: [35 / 384, 0, 500 / 1113, 125 / 192, -2187 / 6784, 11 / 84, 0],
    B4: [5179 / 57600, 0, 7571 / 16695, 393 / 640, -92097 / 339200, 187 / 2100, 1 / 40],
  };
}

/**
 * Integrates Ȧ = v(A) from t = 0 to `tEnd` in place. Fixed-step schemes land exactly on tEnd (last step shortened);
 * dopri5 adapts its step to keep the embedded error estimate ≤ atol + rtol·|A_i| (Hairer–Nørsett–Wanner II.4).
 * Throws EqflowError('not-finite') the moment the state stops being finite, naming the time.
 */
export function integrate(f: VectorField, A: Float64Array, tEnd: number, opts: FlowOptions): { steps: number; rejected: number } {
  if (!(tEnd >= 0) || !Number.isFinite(tEnd)) throw new EqflowError('invalid-argument', 't', `expected a finite time ≥ 0, got ${tEnd}`);
  if (!(opts.step > 0) || !Number.isFinite(opts.step)) throw new EqflowError('invalid-argument', 'step', `expected a finite step > 0, got ${opts.step}`);
  const maxSteps = opts.maxSteps ?? 10_000_000;
  opts.observe?.(0, A);
  let t = 0;
  let steps = 0;
  let rejected = 0;
  const check = () => {
    for (let i = 0; i < A.length; i++) {
      if (!Number.isFinite(A[i])) throw new EqflowError('not-finite', 'trajectory', `the state became ${A[i]} at t = ${t} (coordinate ${i}); the step may be too large for this γ`);
    }
  };
  if (opts.integrator !== 'dopri5') {
    const stages = opts.integrator === 'euler' ? 1 : 4;
    const w = new Work(f.dim, stages);
    const stepFn = opts.integrator === 'euler' ? eulerStep : opts.integrator === 'rk4' ? rk4Step : lawsonRk4Step;
    while (t < tEnd && steps < maxSteps) {
      const h = Math.min(opts.step, tEnd - t);
      stepFn(f, A, h, w);
      t = tEnd - t - h <= 1e-12 * tEnd ? tEnd : t + h;
      steps++;
      check();
      opts.observe?.(t, A);
    }
    return { steps, rejected };
  }
  const { Acoef, B5, B4 } = dopri5Tableau();
  const rtol = opts.rtol ?? 1e-9;
  const atol = opts.atol ?? 1e-12;
  const n = A.length;
  const k = Array.from({ length: 7 }, () => new Float64Array(n));
  const y = new Float64Array(n), y5 = new Float64Array(n), tmp = new Float64Array(n), err = new Float64Array(n);
  let h = opts.step;
  velocity(f, A, k[0], tmp);
  while (t < tEnd && steps < maxSteps) {
    h = Math.min(h, tEnd - t);
    for (let s = 1; s < 7; s++) {
      for (let i = 0; i < n; i++) {
        let acc = A[i];
        for (let j = 0; j < s; j++) acc += h * Acoef[s][j] * k[j][i];
        y[i] = acc;
      }
      velocity(f, y, k[s], tmp);
    }
    for (let i = 0; i < n; i++) {
      let s5 = 0, s4 = 0;
      for (let j = 0; j < 7; j++) {
        s5 += B5[j] * k[j][i];
        s4 += B4[j] * k[j][i];
      }
      y5[i] = A[i] + h * s5;
      err[i] = (h * (s5 - s4)) / (atol + rtol * Math.max(Math.abs(A[i]), Math.abs(y5[i])));
    }
    const e = norm(err) / Math.sqrt(n);
    if (!Number.isFinite(e)) throw new EqflowError('not-finite', 'trajectory', `the error estimate became ${e} at t = ${t}`);
    if (e <= 1) {
      A.set(y5);
      t = tEnd - t - h <= 1e-12 * tEnd ? tEnd : t + h;
      steps++;
      k[0].set(k[6]); // FSAL: the last stage is the next step's first
      check();
      opts.observe?.(t, A);
    } else rejected++;
    // standard controller: safety 0.9, growth limited to [0.2, 5]
    h *= Math.min(5, Math.max(0.2, 0.9 * (e === 0 ? 5 : e ** -0.2)));
    if (h < 1e-14 * Math.max(1, tEnd)) throw new EqflowError('not-converged', 'step', `dopri5 step underflow at t = ${t}`);
  }
  return { steps, rejected };
}
