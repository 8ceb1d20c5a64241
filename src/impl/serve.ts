/**
 * The other side of eqflow/1 (docs/protocol.md): serves any Implementation — the reference, a TypeScript module,
 * even another external program — as a JSON-lines program on stdin/stdout, so that `eqflow verify --impl
 * "eqflow serve …"` drives it through exactly the path a Python or C++ implementation takes. Requests are answered
 * one at a time, in order; every failure is an error answer naming the field, never a crash.
 */
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import { EqflowError, requireFinite } from '../core/errors.js';
import { DYNAMICS, DynamicsKind } from '../flows/dynamics.js';
import { parseCase } from './caseSpec.js';
import { CaseSession, Capability, Implementation, ProjectorName, RiskMode } from './implementation.js';
import { PROTOCOL_VERSION } from './external.js';

type Request = Record<string, unknown>;

/** The field `name` of a request as a float64 vector (finite numbers only). */
function vector(req: Request, name: string): Float64Array {
  const v = req[name];
  if (!Array.isArray(v)) throw new EqflowError('invalid-argument', name, 'expected an array of numbers');
  const out = new Float64Array(v.length);
  for (let i = 0; i < v.length; i++) {
    if (typeof v[i] !== 'number') throw new EqflowError('invalid-argument', `${name}[${i}]`, `expected a number, got ${JSON.stringify(v[i])}`);
    out[i] = v[i] as number;
  }
  requireFinite(out, name);
  return out;
}

function scalar(req: Request, name: string): number {
  const v = req[name];
  if (typeof v !== 'number' || !Number.isFinite(v)) throw new EqflowError('invalid-argument', name, `expected a finite number, got ${JSON.stringify(v)}`);
  return v;
}

function oneOf<T extends string>(req: Request, name: string, allowed: readonly T[]): T {
  const v = req[name];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) throw new EqflowError('invalid-argument', name, `expected one of ${allowed.join(', ')}, got ${JSON.stringify(v)}`);
  return v as T;
}

const OP_CAPABILITY: Readonly<Record<string, Capability>> = { act: 'action', project: 'projectors', risk: 'risk', step: 'step', sampledStep: 'sampled-step', flow: 'flow' };

/** Serves `impl` over eqflow/1 until `input` ends; then closes the implementation. */
export async function serveImplementation(impl: Implementation, input: Readable, output: Writable): Promise<void> {
  const sessions = new Map<number, CaseSession>();
  let nextSession = 1;
  let greeted = false;
  const send = (msg: object) => output.write(`${JSON.stringify(msg)}\n`);

  const answer = async (req: Request): Promise<object> => {
    const op = req.op;
    if (op === 'open') {
      const s = await impl.open(parseCase(req.case, 'case'));
      const id = nextSession++;
      sessions.set(id, s);
      return { session: id, dim: s.dim };
    }
    if (typeof op !== 'string' || (!(op in OP_CAPABILITY) && op !== 'close')) throw new EqflowError('invalid-argument', 'op', `unknown operation ${JSON.stringify(op)}`);
    const s = sessions.get(req.session as number);
    if (!s) throw new EqflowError('invalid-argument', 'session', `no open session ${JSON.stringify(req.session)}`);
    if (op === 'close') {
      sessions.delete(req.session as number);
      await s.close();
      return {};
    }
    if (!impl.capabilities.has(OP_CAPABILITY[op])) throw new EqflowError('unsupported', 'op', `${impl.name} does not offer '${OP_CAPABILITY[op]}'`);
    const A = vector(req, 'A');
    switch (op) {
      case 'act': {
        // an index, or a permutation of the points for a group by generators (docs/protocol.md)
        const g = req.g;
        if (Array.isArray(g) && g.every((x) => Number.isInteger(x))) return { A: Array.from(await s.act(Int32Array.from(g as number[]), A)) };
        if (typeof g !== 'number' || !Number.isInteger(g)) throw new EqflowError('invalid-argument', 'g', `expected an element index or a permutation, got ${JSON.stringify(g)}`);
        return { A: Array.from(await s.act(g, A)) };
      }
      case 'project':
        return { A: Array.from(await s.project(oneOf<ProjectorName>(req, 'which', ['G', 'L', 'E']), A)) };
      case 'risk': {
        const r = await s.risk(oneOf<RiskMode>(req, 'mode', ['nominal', 'augmented']), A);
        return { value: r.value, gradient: Array.from(r.gradient) };
      }
      case 'step':
        return { A: Array.from(await s.step(oneOf<DynamicsKind>(req, 'kind', DYNAMICS), A, scalar(req, 'eta'), scalar(req, 'gamma'))) };
      case 'sampledStep': {
        const e = req.elements;
        const isPerm = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => Number.isInteger(v));
        if (Array.isArray(e) && e.length > 0 && e.every(isPerm)) return { A: Array.from(await s.sampledStep(A, scalar(req, 'eta'), scalar(req, 'gamma'), e.map((p) => Int32Array.from(p)))) };
        if (!Array.isArray(e) || !e.every((x) => Number.isInteger(x))) throw new EqflowError('invalid-argument', 'elements', 'expected an array of element indices or of permutations');
        return { A: Array.from(await s.sampledStep(A, scalar(req, 'eta'), scalar(req, 'gamma'), Int32Array.from(e as number[]))) };
      }
      default: {
        const times = vector(req, 'times');
        const points = await s.flow(oneOf<DynamicsKind>(req, 'kind', DYNAMICS), A, scalar(req, 'gamma'), Array.from(times), scalar(req, 'step'));
        return { points: points.map((p) => Array.from(p)) };
      }
    }
  };

  const lines = createInterface({ input, crlfDelay: Infinity });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    let req: Request;
    try {
      req = JSON.parse(line) as Request;
      if (typeof req !== 'object' || req === null || Array.isArray(req)) throw new Error('not a JSON object');
    } catch (e) {
      process.stderr.write(`eqflow serve: ignoring a line that is not a JSON object: ${(e as Error).message}\n`);
      continue;
    }
    if (!greeted) {
      if (req.hello !== PROTOCOL_VERSION) {
        send({ error: { code: 'unsupported', message: `this server speaks ${PROTOCOL_VERSION}, not ${JSON.stringify(req.hello)}` } });
        break;
      }
      greeted = true;
      send({ protocol: PROTOCOL_VERSION, name: impl.name, capabilities: [...impl.capabilities] });
      continue;
    }
    const id = req.id;
    try {
      send({ id, ...(await answer(req)) });
    } catch (e) {
      const err = e instanceof EqflowError ? { code: e.code, field: e.field, message: e.message } : { code: 'internal', message: e instanceof Error ? e.message : String(e) };
      send({ id, error: err });
    }
  }
  for (const s of sessions.values()) await s.close();
  await impl.close();
}
