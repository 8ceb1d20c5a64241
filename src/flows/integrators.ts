import { EqflowError } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { PerpProjector, VectorField, velocity } from './dynamics.js';

/** The fields the integrators take: they use Π_{E⊥} alone. */
type Field = VectorField<PerpProjector>;

/** The integrators `integrate` offers. */
export const INTEGRATORS = ['etdrk4', 'lawson-rk4', 'rk4', 'euler', 'dopri5'] as const;
/** One of the integrators `integrate` offers. */
export type IntegratorKind = (typeof INTEGRATORS)[number];

/** The default: equilibrium-exact for every step and γ (docs/theory.md §9), error-controlled unless a step is fixed. */
export const DEFAULT_INTEGRATOR: IntegratorKind = 'etdrk4';

/** Tolerances of the error-controlled flows users ask for (flow command, experiments): local error ≤ 1e-12 + 1e-10·|A_i|. */
export const FLOW_RTOL = 1e-10;
export const FLOW_ATOL = 1e-12;

/**
 * The first step of an adaptive run up to T: small against 1/γ, so that the step-doubling estimate resolves the
 * fast E⊥ transient (with γh ≫ 1 from a start far off E both halves err alike and the estimate misses it); the
 * controller grows it by up to 5× per step.
 */
export function firstStep(gamma: number, T: number): number {
  return Math.min(1e-3, T / 100, gamma > 0 ? 0.1 / gamma : 1);
}

/** The classical order p of each one-step scheme (the step-doubling estimate divides by 2^p − 1). */
export const ORDER: Record<IntegratorKind, number> = { euler: 1, rk4: 4, 'lawson-rk4': 4, etdrk4: 4, dopri5: 5 };

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
export function eulerStep(f: Field, A: Float64Array, h: number, w: Work = new Work(f.dim, 1)): void {
  velocity(f, A, w.k[0], w.tmp);
  for (let i = 0; i < A.length; i++) A[i] += h * w.k[0][i];
}

/** Classical RK4 on the whole velocity. */
export function rk4Step(f: Field, A: Float64Array, h: number, w: Work = new Work(f.dim, 4)): void {
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
function linearFlow(f: Field, t: number, x: Float64Array, tmp: Float64Array): void {
  if (f.gamma === 0) return;
  const c = Math.exp(-f.gamma * t);
  f.projectors.piEperp(x, tmp);
  for (let i = 0; i < x.length; i++) x[i] -= (1 - c) * tmp[i];
}

/**
 * Integrating-factor (Lawson) RK4: RK4 on w = φ(−t)A, so the stiff linear term −γΠ_{E⊥}A is integrated exactly and
 * the step stays stable for any γ (fourth order in the nonlinear part):
 * A⁺ = φ(h)A + h/6 (φ(h)k1 + 2φ(h/2)(k2 + k3) + k4).
 * Limitation (docs/theory.md §9): its fixed points A = Ψ_h(A) are NOT the zeros of v once γh is not small — on
 * Example Q's regularized nominal flow ‖Π_{E⊥}A_∞‖ is off by ≈ 70% at γh = 10 — so long runs at large γ need
 * γh ≪ 1 or the equilibrium-exact etdrk4.
 */
export function lawsonRk4Step(f: Field, A: Float64Array, h: number, w: Work = new Work(f.dim, 4)): void {
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

/**
 * φ_0(z), …, φ_3(z) for real z ≤ 0: φ_0 = e^z, φ_{k+1}(z) = (φ_k(z) − 1/k!)/z, φ_k(0) = 1/k!. For |z| < 1 the Taylor
 * series Σ_j z^j/(j+k)! (the recurrence would cancel catastrophically there); for |z| ≥ 1 the recurrence loses at
 * most a factor ≈ 8 of the unit roundoff.
 */
export function phi(z: number): [number, number, number, number] {
  if (Math.abs(z) < 1) {
    const out: [number, number, number, number] = [0, 0, 0, 0];
    for (let k = 0; k < 4; k++) {
      // term_j = z^j/(j+k)!, 25 terms: |z|^25/25! < 1e-25
      let term = 1;
      for (let m = 2; m <= k; m++) term /= m;
      let s = 0;
      for (let j = 0; j < 25; j++) {
        s += term;
        term *= z / (j + k + 1);
      }
      out[k] = s;
    }
    return out;
  }
  const p0 = Math.exp(z);
  const p1 = (p0 - 1) / z;
  const p2 = (p1 - 1) / z;
  return [p0, p1, p2, (p2 - 0.5) / z];
}

/**
 * out ← e^{cz}u + h Σ_j a_j N_j with each coefficient an operator a_j(hL), L = −γΠ_{E⊥}: a_j(0) on E_0 and a_j(z) on
 * its complement, z = −γh. Written as u + h Σ a_j(0)N_j + Π_{E⊥}[(e^{cz} − 1)u + h Σ (a_j(z) − a_j(0))N_j]: one
 * projection per stage.
 */
function expCombine(f: Field, u: Float64Array, decay: number, h: number, N: Float64Array[], a0: number[], az: number[], out: Float64Array, tmp: Float64Array): void {
  const n = u.length;
  if (f.gamma === 0) {
    for (let i = 0; i < n; i++) {
      let s = 0;
      for (let j = 0; j < N.length; j++) s += a0[j] * N[j][i];
      out[i] = u[i] + h * s;
    }
    return;
  }
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < N.length; j++) s += (az[j] - a0[j]) * N[j][i];
    tmp[i] = (decay - 1) * u[i] + h * s;
  }
  f.projectors.piEperp(tmp, out);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < N.length; j++) s += a0[j] * N[j][i];
    out[i] += u[i] + h * s;
  }
}

/**
 * Krogstad's ETDRK4 (exponential time differencing, docs/theory.md §9) for v(A) = −γΠ_{E⊥}A + N(A), with the
 * operators φ_k(hL) applied as φ_k(0) on E_0 and φ_k(−γh) on E⊥ (z = −γh, φ_{k,½} = φ_k(z/2)):
 *   U2 = e^{z/2}A + h·½φ_{1,½}N1,  U3 = e^{z/2}A + h[(½φ_{1,½} − φ_{2,½})N1 + φ_{2,½}N2],
 *   U4 = e^{z}A + h[(φ1 − 2φ2)N1 + 2φ2N3],
 *   A⁺ = e^{z}A + h[(φ1 − 3φ2 + 4φ3)N1 + (2φ2 − 4φ3)(N2 + N3) + (4φ3 − φ2)N4].
 * Fourth order (classical RK4 when γ = 0) and stable for any γh; at a zero of v every stage equals A and the step
 * returns A exactly, so its fixed points are the zeros of v for every step and every γ (unlike lawsonRk4Step).
 */
export function etdrk4Step(f: Field, A: Float64Array, h: number, w: Work = new Work(f.dim, 4)): void {
  const [N1, N2, N3, N4] = w.k;
  const y = w.y, t = w.tmp;
  const z = -f.gamma * h;
  const [e1, p1, p2, p3] = phi(z);
  const [eh, q1, q2] = phi(z / 2);
  f.nonlinear(A, N1);
  expCombine(f, A, eh, h, [N1], [0.5], [0.5 * q1], y, t);
  f.nonlinear(y, N2);
  expCombine(f, A, eh, h, [N1, N2], [0, 0.5], [0.5 * q1 - q2, q2], y, t);
  f.nonlinear(y, N3);
  expCombine(f, A, e1, h, [N1, N3], [0, 1], [p1 - 2 * p2, 2 * p2], y, t);
  f.nonlinear(y, N4);
  for (let i = 0; i < A.length; i++) N2[i] += N3[i];
  expCombine(f, A, e1, h, [N1, N2, N4], [1 / 6, 1 / 3, 1 / 6], [p1 - 3 * p2 + 4 * p3, 2 * p2 - 4 * p3, 4 * p3 - p2], y, t);
  A.set(y);
}

export type StepFn = (f: Field, A: Float64Array, h: number, w: Work) => void;

const STEPS: Record<Exclude<IntegratorKind, 'dopri5'>, StepFn> = { euler: eulerStep, rk4: rk4Step, 'lawson-rk4': lawsonRk4Step, etdrk4: etdrk4Step };

/** How to integrate: the integrator, its (initial) step, error control and tolerances, and an observer. */
export interface FlowOptions {
  integrator: IntegratorKind;
  /** the fixed step (when `adaptive` is false), else the first step tried */
  step: number;
  /**
   * control the step by the local error estimate (step doubling for the one-step schemes, the embedded pair for
   * dopri5, which is always adaptive); default false
   */
  adaptive?: boolean;
  /** fixed-step runs: also estimate each step's local error by step doubling (3× the work); default false */
  estimate?: boolean;
  /** tolerances of the adaptive runs: error per step ≤ atol + rtol·|A_i| (RMS norm) */
  rtol?: number;
  atol?: number;
  /**
   * a step the controller proposes below this (dopri5, or `adaptive`) raises EqflowError('not-converged'); the last
   * step, shortened to land on tEnd, may be shorter; default 1e-12·max(1, tEnd)
   */
  minStep?: number;
  /** called at t = 0, after every accepted step, with the current time and point (do not keep A: it is reused) */
  observe?: (t: number, A: Float64Array) => void;
  /** stop after this many accepted steps */
  maxSteps?: number;
}

/**
 * What a run achieved: accepted and rejected steps, and the largest local error estimate (‖·‖₂) when estimated — for
 * step doubling the bound ‖Ψ_{h/2}² − Ψ_h‖ (adaptive) or twice it (fixed step keeps Ψ_h), not the Richardson
 * value the controller steers by; for dopri5 the embedded difference.
 */
export interface IntegrationStats {
  steps: number;
  rejected: number;
  maxLocalError?: number;
  /** adaptive runs: the step the controller would try next (to continue a run without a cold start) */
  nextStep?: number;
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
 * One step of `step` from A (left unchanged) by step doubling: `full` ← Ψ_h(A), `half` ← Ψ_{h/2}(Ψ_{h/2}(A)). For a
 * scheme of order p the error of `half` is ≈ (half − full)/(2^p − 1) and that of `full` 2^p times it.
 */
export function doubled(step: StepFn, f: Field, A: Float64Array, h: number, w: Work, full: Float64Array, half: Float64Array): void {
  full.set(A);
  step(f, full, h, w);
  half.set(A);
  step(f, half, h / 2, w);
  step(f, half, h / 2, w);
}

/**
 * The divisor turning ‖Ψ_{h/2}² − Ψ_h‖ into the error of Ψ_{h/2}²: 2^p − 1 while γh ≤ 1 (local error ∝ h^{p+1}),
 * falling continuously (as 1/γh, so the controller sees no jump) to 1 at γh ≥ 2^p − 1: stiff order reduction voids
 * the h^{p+1} law there (measured: the /15 estimate missed the error by up to 50× at γh = 10 from far off E), and
 * the difference itself bounds the error whenever halving the step halves it.
 */
function richardsonGain(order: number, gammaH: number): number {
  return Math.max(1, (2 ** order - 1) / Math.max(1, gammaH));
}

/**
 * The standard step controller's factor h_new/h for a scaled error estimate e of order q (local error O(h^{q+1})):
 * 0.9·e^{−1/(q+1)} with safety 0.9, limited to [0.2, 5]; e = 0 gives e^{−1/(q+1)} = ∞, so the growth limit 5.
 */
const stepFactor = (e: number, q: number): number => Math.min(5, Math.max(0.2, 0.9 * e ** (-1 / (q + 1))));

/** RMS of d_i/(atol + rtol·max(|a_i|, |b_i|)): ≤ 1 means the step meets the tolerance. */
function scaledError(d: Float64Array, a: Float64Array, b: Float64Array, rtol: number, atol: number): number {
  let s = 0;
  for (let i = 0; i < d.length; i++) {
    const r = d[i] / (atol + rtol * Math.max(Math.abs(a[i]), Math.abs(b[i])));
    s += r * r;
  }
  return Math.sqrt(s / d.length);
}

/**
 * Integrates Ȧ = v(A) from t = 0 to `tEnd` in place. Fixed-step runs land exactly on tEnd (last step shortened).
 * Adaptive runs (dopri5 always, the one-step schemes with `adaptive`) keep the local error estimate — dopri5's
 * embedded pair (Hairer–Nørsett–Wanner II.4), step doubling otherwise (docs/theory.md §9) — ≤ atol + rtol·|A_i|,
 * rejecting and retrying steps, with h_new = h·min(5, max(0.2, 0.9·err^{−1/(p+1)})); a step below `minStep` raises
 * EqflowError('not-converged') instead of looping. Throws EqflowError('not-finite') the moment the state stops
 * being finite, naming the time.
 */
export function integrate(f: Field, A: Float64Array, tEnd: number, opts: FlowOptions): IntegrationStats {
  if (!(tEnd >= 0) || !Number.isFinite(tEnd)) throw new EqflowError('invalid-argument', 't', `expected a finite time ≥ 0, got ${tEnd}`);
  if (!(opts.step > 0) || !Number.isFinite(opts.step)) throw new EqflowError('invalid-argument', 'step', `expected a finite step > 0, got ${opts.step}`);
  const minStep = opts.minStep ?? 1e-12 * Math.max(1, tEnd);
  const rtol = opts.rtol ?? 1e-9;
  const atol = opts.atol ?? 1e-12;
  for (const [name, v] of [['rtol', rtol], ['atol', atol], ['minStep', minStep]] as const) {
    if (!(v >= 0) || !Number.isFinite(v)) throw new EqflowError('invalid-argument', name, `expected a finite number ≥ 0, got ${v}`);
  }
  if (!(rtol > 0 || atol > 0)) throw new EqflowError('invalid-argument', 'rtol', 'rtol and atol cannot both be 0');
  const clock = new Clock(A, tEnd, minStep, opts.maxSteps ?? 10_000_000, opts.observe);
  opts.observe?.(0, A);
  return opts.integrator === 'dopri5' ? dopri5(f, A, clock, opts.step, rtol, atol) : oneStepRun(f, A, clock, opts.integrator, opts, rtol, atol);
}

/** The bookkeeping both integration loops share: time, counts, landing on tEnd, and the checks that stop a run. */
class Clock {
  t = 0;
  steps = 0;
  rejected = 0;

  constructor(private readonly A: Float64Array, readonly tEnd: number, private readonly minStep: number, private readonly maxSteps: number, private readonly observe?: (t: number, A: Float64Array) => void) {}

  get running(): boolean {
    return this.t < this.tEnd && this.steps < this.maxSteps;
  }

  /** An accepted step of h: the time advances (onto tEnd itself when within round-off of it, so no micro-step follows), the state must stay finite, the observer sees it. */
  accept(h: number): void {
    this.t = this.tEnd - this.t - h <= 1e-12 * this.tEnd ? this.tEnd : this.t + h;
    this.steps++;
    for (let i = 0; i < this.A.length; i++) {
      if (!Number.isFinite(this.A[i])) throw new EqflowError('not-finite', 'trajectory', `the state became ${this.A[i]} at t = ${this.t} (coordinate ${i}); the step may be too large for this γ`);
    }
    this.observe?.(this.t, this.A);
  }

  /** A scaled error estimate, refused when not finite (it decides whether to accept, so NaN must stop the run). */
  finiteError(e: number): number {
    if (!Number.isFinite(e)) throw new EqflowError('not-finite', 'trajectory', `the error estimate became ${e} at t = ${this.t}`);
    return e;
  }

  /** The step the controller proposes, refused below minStep instead of looping. */
  underflow(h: number, name: string): void {
    if (h < this.minStep) throw new EqflowError('not-converged', 'step', `${name} step underflow at t = ${this.t}: h = ${h.toExponential(3)} < minimum ${this.minStep.toExponential(3)} (tolerance too tight or the flow blows up)`);
  }
}

/** integrate() with a one-step scheme: at a fixed step (optionally estimating each step's error), or adaptive by step doubling. */
function oneStepRun(f: Field, A: Float64Array, clock: Clock, kind: Exclude<IntegratorKind, 'dopri5'>, opts: FlowOptions, rtol: number, atol: number): IntegrationStats {
  const stepFn = STEPS[kind];
  const w = new Work(f.dim, kind === 'euler' ? 1 : 4);
  const n = A.length;
  const full = new Float64Array(n), half = new Float64Array(n), d = new Float64Array(n);
  const order = ORDER[kind];
  const adaptive = opts.adaptive === true;
  const estimating = adaptive || opts.estimate === true;
  let maxLocalError = 0;
  let h = opts.step;
  while (clock.running) {
    const hh = adaptive ? Math.min(h, clock.tEnd - clock.t) : Math.min(opts.step, clock.tEnd - clock.t);
    if (!estimating) stepFn(f, A, hh, w);
    else {
      doubled(stepFn, f, A, hh, w, full, half);
      const gain = richardsonGain(order, f.gamma * hh);
      for (let i = 0; i < n; i++) d[i] = (half[i] - full[i]) / gain;
      if (!adaptive) {
        // the fixed step keeps Ψ_h(A), whose error is (gain + 1) times that of the two half steps
        maxLocalError = Math.max(maxLocalError, (gain + 1) * norm(d));
        A.set(full);
      } else {
        const e = clock.finiteError(scaledError(d, A, half, rtol, atol));
        const next = hh * stepFactor(e, order);
        // a step shortened to land on tEnd and accepted says nothing against the longer step proposed before it
        h = e <= 1 && hh < h ? Math.max(h, next) : next;
        if (e > 1) {
          clock.rejected++;
          clock.underflow(h, kind);
          continue;
        }
        // reported: ‖Ψ_{h/2}² − Ψ_h‖ = gain·‖d‖, a bound on the kept result's error whenever halving the step at least
        // halves it (the Richardson value ‖d‖ alone under-reported it 5.7× on a deep linear network)
        maxLocalError = Math.max(maxLocalError, gain * norm(d));
        A.set(half);
      }
    }
    clock.accept(hh);
  }
  const { steps, rejected } = clock;
  return !estimating ? { steps, rejected } : adaptive ? { steps, rejected, maxLocalError, nextStep: h } : { steps, rejected, maxLocalError };
}

/** integrate() with dopri5: the Dormand–Prince 5(4) pair, FSAL, under the standard controller from a first step h. */
function dopri5(f: Field, A: Float64Array, clock: Clock, h: number, rtol: number, atol: number): IntegrationStats {
  const { Acoef, B5, B4 } = dopri5Tableau();
  const n = A.length;
  const k = Array.from({ length: 7 }, () => new Float64Array(n));
  const y = new Float64Array(n), y5 = new Float64Array(n), tmp = new Float64Array(n);
  let maxLocalError = 0;
  velocity(f, A, k[0], tmp);
  while (clock.running) {
    h = Math.min(h, clock.tEnd - clock.t);
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
      y[i] = h * (s5 - s4); // the stages are done with y: it holds the absolute error estimate
    }
    const e = clock.finiteError(scaledError(y, A, y5, rtol, atol));
    if (e <= 1) {
      maxLocalError = Math.max(maxLocalError, norm(y));
      A.set(y5);
      k[0].set(k[6]); // FSAL: the last stage is the next step's first
      clock.accept(h);
    } else clock.rejected++;
    h *= stepFactor(e, 4); // the embedded estimate is of order 4: the local error is O(h⁵)
    // after accepted steps too: approaching a blow-up, accepted steps shrink without end
    if (clock.t < clock.tEnd) clock.underflow(h, 'dopri5');
  }
  return { steps: clock.steps, rejected: clock.rejected, maxLocalError, nextStep: h };
}

/** A run of {@link flowAtTimes}: the integrator, its step (fixed, or the first tried when adaptive) and tolerances. */
export type FlowRun = Pick<FlowOptions, 'integrator' | 'step' | 'adaptive' | 'rtol' | 'atol'>;

/**
 * The protocol's `flow`: x integrated in place by `run` (etdrk4 at a fixed step for the protocol), a copy of it at
 * each of the non-decreasing times ≥ 0.
 */
export function flowAtTimes(f: Field, x: Float64Array, times: readonly number[], run: FlowRun): Float64Array[] {
  const out: Float64Array[] = [];
  let t = 0;
  for (const [i, ti] of times.entries()) {
    if (!(ti >= t)) throw new EqflowError('invalid-argument', `times[${i}]`, `times must be non-decreasing and ≥ 0, got ${ti} after ${t}`);
    integrate(f, x, ti - t, run);
    t = ti;
    out.push(Float64Array.from(x));
  }
  return out;
}
