import { readFileSync } from 'node:fs';
import { EqflowError, requireFinite, requireLength } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { DYNAMICS, DynamicsKind, PerpProjector, VectorField, velocity } from '../flows/dynamics.js';
import { DEFAULT_INTEGRATOR, FLOW_ATOL, FLOW_RTOL, INTEGRATORS, IntegratorKind, firstStep, integrate } from '../flows/integrators.js';
import { buildCase } from '../impl/build.js';
import { CaseSpec, parseCase } from '../impl/caseSpec.js';
import { exampleByName, examples } from '../impl/examples.js';
import { fieldOf } from '../impl/reference.js';
import { buildPermCase, permField, permProjectors } from '../impl/permCase.js';
import { twirledMomentRisk } from '../impl/permAugmented.js';
import { Objective } from '../risk/objective.js';

export interface FlowRequest {
  /** a built-in example name or a path to a case file (a Case, or {"case": Case, "start": [...]}) */
  caseRef: string;
  dynamics: DynamicsKind;
  gamma: number;
  t: number;
  from?: number[];
  points: number;
  /** a fixed step; absent: the step is controlled by rtol/atol */
  step?: number;
  /** default etdrk4 */
  integrator?: IntegratorKind;
  rtol?: number;
  atol?: number;
}

/** "settled": ‖v(A(T))‖ ≤ 1e-6 of the velocity scale, i.e. the remaining motion is below half the float64 digits */
export const SETTLED = 1e-6;

/** What the integration achieved (docs/theory.md §9). */
export interface FlowStats {
  integrator: IntegratorKind;
  /** the fixed step, or null when the step was error-controlled */
  step: number | null;
  rtol: number | null;
  atol: number | null;
  steps: number;
  rejected: number;
  /** the largest local error estimate ‖·‖₂ over the accepted steps (step doubling / embedded pair) */
  maxLocalError: number;
  /** ‖v(A(T))‖, the velocity at the end */
  velocityNorm: number;
  /** the scale it is compared with: max(‖v(A(0))‖, ‖N(A(T))‖ + γ‖Π_{E⊥}A(T)‖) */
  velocityScale: number;
  /** ‖v(A(T))‖ ≤ SETTLED·scale: A(T) is a stationary point to that accuracy, not just the state at T */
  settled: boolean;
}

export interface FlowOutput {
  case: string;
  dynamics: DynamicsKind;
  gamma: number;
  /** risk: R for nominal, equivariant and reg-nominal dynamics, R^aug for the augmented ones (without the regularizer) */
  trajectory: Array<{ t: number; projectionError: number; risk: number }>;
  final: number[];
  stats: FlowStats;
}

/** A case and its documented start, from a built-in name or a file. */
export function resolveCase(ref: string): { spec: CaseSpec; start: (dim: number) => Float64Array; startDoc: string } {
  if (examples.some((e) => e.name === ref)) {
    const e = exampleByName(ref);
    return { spec: e.spec, start: (d) => e.startPoint(d), startDoc: e.start };
  }
  if (!/[./\\]/.test(ref)) exampleByName(ref); // a bare word that is not an example: say which names exist
  let text: string;
  try {
    text = readFileSync(ref, 'utf8');
  } catch (e) {
    throw new EqflowError('io', '--case', `cannot read case file ${ref}: ${(e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new EqflowError('invalid-argument', '--case', `${ref} is not valid JSON: ${(e as Error).message}`);
  }
  const wrapped = typeof json === 'object' && json !== null && 'case' in json;
  const spec = parseCase(wrapped ? (json as { case: unknown }).case : json, wrapped ? 'case' : ref);
  const start = wrapped ? (json as { start?: unknown }).start : undefined;
  if (start !== undefined && !(Array.isArray(start) && start.every((v) => typeof v === 'number'))) {
    throw new EqflowError('invalid-argument', `${ref}: start`, 'expected an array of numbers');
  }
  return {
    spec,
    start: (d) => (start ? Float64Array.from(start as number[]) : new Float64Array(d)),
    startDoc: start ? 'the file\'s "start"' : 'A = 0',
  };
}

/** What a flow needs of a case: its field, the risk it descends (R^aug for the augmented dynamics) and ‖Π_{E⊥}A‖. */
interface FlowTarget {
  dim: number;
  f: VectorField<PerpProjector>;
  risk: Objective;
  projectionError: (A: Float64Array) => number;
}

/** The flow target of an enumerated case (BuiltCase) or of a case of a group by generators (PermCase: no augmented dynamics). */
function flowTarget(spec: CaseSpec, kind: DynamicsKind, gamma: number): FlowTarget {
  if (spec.group.kind === 'perm-generators') {
    const c = buildPermCase(spec);
    return { dim: c.params.dim, f: permField(c, kind, gamma), risk: c.R, projectionError: permProjectors(c).projectionError };
  }
  const b = buildCase(spec);
  return { dim: b.model.space.dim, f: fieldOf(b, kind, gamma), risk: kind.includes('augmented') ? b.Raug : b.R, projectionError: (A) => b.P.projectionError(A) };
}

/**
 * Integrates one flow and samples it at `points` evenly spaced times. Default: etdrk4 with error control (its fixed
 * points are exactly the zeros of v for every step and γ); `step` fixes the step instead (then the local error is
 * still estimated by step doubling, at 3× the work). Reports what the run achieved, including whether A(T) is
 * settled at a stationary point.
 */
export function runFlow(req: FlowRequest): FlowOutput {
  if (!DYNAMICS.includes(req.dynamics)) throw new EqflowError('invalid-argument', '--dynamics', `expected one of ${DYNAMICS.join(', ')}, got ${req.dynamics}`);
  const integrator = req.integrator ?? DEFAULT_INTEGRATOR;
  if (!INTEGRATORS.includes(integrator)) throw new EqflowError('invalid-argument', '--integrator', `expected one of ${INTEGRATORS.join(', ')}, got ${integrator}`);
  if (integrator === 'dopri5' && req.step !== undefined) throw new EqflowError('invalid-argument', '--step', 'dopri5 always controls its step; drop --step or choose a one-step integrator');
  const regularized = req.dynamics.startsWith('reg-');
  if (!(Number.isFinite(req.gamma) && req.gamma >= 0)) throw new EqflowError('invalid-argument', '--gamma', `expected a finite γ ≥ 0, got ${req.gamma}`);
  if (!regularized && req.gamma !== 0) throw new EqflowError('invalid-argument', '--gamma', `the ${req.dynamics} dynamics has no regularizer; use reg-augmented or reg-nominal, or γ = 0`);
  if (!(Number.isFinite(req.t) && req.t > 0)) throw new EqflowError('invalid-argument', '--t', `expected a finite time > 0, got ${req.t}`);
  const { spec, start } = resolveCase(req.caseRef);
  const { dim, f, risk, projectionError } = flowTarget(spec, req.dynamics, req.gamma);
  const A = req.from ? Float64Array.from(req.from) : start(dim);
  requireLength(A, dim, '--from');
  requireFinite(A, '--from');
  const v = new Float64Array(dim);
  const v0 = norm(velocity(f, A, v));
  const fixed = req.step !== undefined;
  const rtol = req.rtol ?? FLOW_RTOL, atol = req.atol ?? FLOW_ATOL;
  const trajectory: FlowOutput['trajectory'] = [];
  const record = (t: number) => trajectory.push({ t, projectionError: projectionError(A), risk: risk.value(A) });
  record(0);
  let steps = 0, rejected = 0, maxLocalError = 0;
  let h = req.step ?? firstStep(req.gamma, req.t);
  for (let k = 1; k < req.points; k++) {
    const t0 = (req.t * (k - 1)) / (req.points - 1), t1 = (req.t * k) / (req.points - 1);
    const r = integrate(f, A, t1 - t0, { integrator, step: h, adaptive: !fixed, estimate: fixed, rtol, atol });
    steps += r.steps;
    rejected += r.rejected;
    maxLocalError = Math.max(maxLocalError, r.maxLocalError ?? 0);
    h = r.nextStep ?? h;
    record(t1);
  }
  const velocityNorm = norm(velocity(f, A, v));
  f.nonlinear(A, v);
  const velocityScale = Math.max(v0, norm(v) + req.gamma * projectionError(A));
  const stats: FlowStats = {
    integrator, step: fixed ? (req.step as number) : null, rtol: fixed ? null : rtol, atol: fixed ? null : atol,
    steps, rejected, maxLocalError, velocityNorm, velocityScale, settled: velocityNorm <= SETTLED * velocityScale,
  };
  return { case: spec.name, dynamics: req.dynamics, gamma: req.gamma, trajectory, final: Array.from(A), stats };
}

/** The one-line summary of a run's statistics printed under the table. */
export function formatStats(s: FlowStats): string {
  const how = s.step === null ? `${s.integrator}, rtol ${s.rtol}, atol ${s.atol}` : `${s.integrator}, fixed step ${s.step}`;
  const end = s.settled
    ? `settled: ‖v(A(T))‖ = ${s.velocityNorm.toExponential(2)} (≤ ${SETTLED.toExponential(0)} × scale ${s.velocityScale.toExponential(2)})`
    : `NOT settled by T: ‖v(A(T))‖ = ${s.velocityNorm.toExponential(2)} > ${SETTLED.toExponential(0)} × scale ${s.velocityScale.toExponential(2)}; A(T) is not a stationary point (raise --t)`;
  return `${how}: ${s.steps} steps, ${s.rejected} rejected, largest local error estimate ${s.maxLocalError.toExponential(2)}; ${end}`;
}

/** `eqflow flow --list`: every built-in case with its parameter layout and documented start. */
export function listCases(): string {
  return examples.map((e) => {
    let space, what;
    if (e.spec.group.kind === 'perm-generators') {
      const c = buildPermCase(e.spec);
      space = c.model.space;
      what = `group ${c.group.name} (|G| = ${c.group.order()}, by generators), dim H = ${c.params.dim}, dim E = ${c.projector.rank}, L = full; augmented dynamics: ${twirledMomentRisk(c) ? 'exact (R^aug by twirled moments)' : 'not offered (R^aug is not enumerable)'}`;
    } else {
      const b = buildCase(e.spec);
      space = b.model.space;
      what = `group ${b.group.name}, dim H = ${space.dim}, dim E = ${b.P.dimE}, L = ${b.L.name}${b.P.compatible ? '' : ' (incompatible)'}`;
    }
    const layout = space.segments.map((s) => `${s.name}[${s.shape.join('×')}]@${s.offset}`).join(' ');
    return `${e.name}\n  ${e.description}\n  ${what}\n  layout: ${layout}\n  start: ${e.start}`;
  }).join('\n');
}
