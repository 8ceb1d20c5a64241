import { readFileSync } from 'node:fs';
import { EqflowError, requireFinite, requireLength } from '../core/errors.js';
import { DYNAMICS, DynamicsKind } from '../flows/dynamics.js';
import { integrate } from '../flows/integrators.js';
import { buildCase } from '../impl/build.js';
import { CaseSpec, parseCase } from '../impl/caseSpec.js';
import { exampleByName, examples } from '../impl/examples.js';
import { fieldOf } from '../impl/reference.js';

export interface FlowRequest {
  /** a built-in example name or a path to a case file (a Case, or {"case": Case, "start": [...]}) */
  caseRef: string;
  dynamics: DynamicsKind;
  gamma: number;
  t: number;
  from?: number[];
  points: number;
  step: number;
}

export interface FlowOutput {
  case: string;
  dynamics: DynamicsKind;
  gamma: number;
  /** risk: R for nominal, equivariant and reg-nominal dynamics, R^aug for the augmented ones (without the regularizer) */
  trajectory: Array<{ t: number; projectionError: number; risk: number }>;
  final: number[];
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

/** Integrates one flow (Lawson RK4, the γ-term exact) and samples it at `points` evenly spaced times. */
export function runFlow(req: FlowRequest): FlowOutput {
  if (!DYNAMICS.includes(req.dynamics)) throw new EqflowError('invalid-argument', '--dynamics', `expected one of ${DYNAMICS.join(', ')}, got ${req.dynamics}`);
  const regularized = req.dynamics.startsWith('reg-');
  if (!(Number.isFinite(req.gamma) && req.gamma >= 0)) throw new EqflowError('invalid-argument', '--gamma', `expected a finite γ ≥ 0, got ${req.gamma}`);
  if (!regularized && req.gamma !== 0) throw new EqflowError('invalid-argument', '--gamma', `the ${req.dynamics} dynamics has no regularizer; use reg-augmented or reg-nominal, or γ = 0`);
  if (!(Number.isFinite(req.t) && req.t > 0)) throw new EqflowError('invalid-argument', '--t', `expected a finite time > 0, got ${req.t}`);
  const { spec, start } = resolveCase(req.caseRef);
  const b = buildCase(spec);
  const dim = b.model.space.dim;
  const A = req.from ? Float64Array.from(req.from) : start(dim);
  requireLength(A, dim, '--from');
  requireFinite(A, '--from');
  const f = fieldOf(b, req.dynamics, req.gamma);
  const risk = req.dynamics.includes('augmented') ? b.Raug : b.R;
  const trajectory: FlowOutput['trajectory'] = [];
  const record = (t: number) => trajectory.push({ t, projectionError: b.P.projectionError(A), risk: risk.value(A) });
  record(0);
  for (let k = 1; k < req.points; k++) {
    const t0 = (req.t * (k - 1)) / (req.points - 1), t1 = (req.t * k) / (req.points - 1);
    integrate(f, A, t1 - t0, { integrator: 'lawson-rk4', step: req.step });
    record(t1);
  }
  return { case: spec.name, dynamics: req.dynamics, gamma: req.gamma, trajectory, final: Array.from(A) };
}

/** `eqflow flow --list`: every built-in case with its parameter layout and documented start. */
export function listCases(): string {
  return examples.map((e) => {
    const b = buildCase(e.spec);
    const layout = b.model.space.segments.map((s) => `${s.name}[${s.shape.join('×')}]@${s.offset}`).join(' ');
    return `${e.name}\n  ${e.description}\n  group ${b.group.name}, dim H = ${b.model.space.dim}, dim E = ${b.P.dimE}, L = ${b.L.name}${b.P.compatible ? '' : ' (incompatible)'}\n  layout: ${layout}\n  start: ${e.start}`;
  }).join('\n');
}
