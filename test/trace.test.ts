import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { EqflowError } from '../src/core/errors.js';
import { RandomStream } from '../src/core/rng.js';
import { DynamicsKind } from '../src/flows/dynamics.js';
import { CaseInput, CaseSpec, parseCase } from '../src/impl/caseSpec.js';
import { ReferenceImplementation } from '../src/impl/reference.js';
import { TraceReport, checkTrace, formatTraceReport, parseTrace, readNpy, readTraceFile } from '../src/trace/checkTrace.js';
import { PYTHON, pythonMissing } from './python.js';

const RECORD = fileURLToPath(new URL('../examples/python/record_trace.py', import.meta.url));
const RECORD_SGD = fileURLToPath(new URL('../examples/python/record_sgd_trace.py', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'eqflow-trace-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** C4 shifts: R^8 (by 2) → R^8 (by 2, tanh) → R, asymmetric synthetic data: docs/theory.md's setting, compatible L = H. */
const caseInput: CaseInput = {
  name: 'c4-shift-mlp', group: { kind: 'cyclic', n: 4 },
  model: { kind: 'mlp', input: { kind: 'shift', dim: 8, step: 2 }, hidden: [{ kind: 'shift', dim: 8, step: 2 }], output: { kind: 'trivial' }, activation: 'tanh' },
  data: { kind: 'synthetic', seed: 3, count: 5 },
};
const spec: CaseSpec = parseCase(caseInput);
const ref = new ReferenceImplementation();
const P = ref.built(spec).P;

/** A trace (plain JSON, as a file would hold) of the reference flow `kind` from A0 at `times`. */
async function flowTrace(kind: DynamicsKind, A0: Float64Array, gamma: number, times: number[], step: number, declared: Record<string, unknown> = {}): Promise<Record<string, unknown>> {
  const s = await ref.open(spec);
  const points = await s.flow(kind, A0, gamma, times, step);
  return {
    case: caseInput, gamma, dynamics: kind, ...declared,
    snapshots: [{ t: 0, A: Array.from(A0) }, ...points.map((A, k) => ({ t: times[k], A: Array.from(A) }))],
  };
}

const inE = P.piE(new RandomStream('start').gaussianVector(P.space.dim, 0.7));
/** A start far from E: a point of E plus a unit-size E⊥ part. */
const far = (() => {
  const x = new RandomStream('far').gaussianVector(P.space.dim);
  const perp = P.piEperp(x);
  const n = Math.hypot(...perp);
  return inE.map((a, i) => a + perp[i] / n);
})();
const times = (T: number, k: number): number[] => Array.from({ length: k }, (_, i) => ((i + 1) * T) / k);
const row = (r: TraceReport, check: string) => r.rows.find((x) => x.check === check) as TraceReport['rows'][number];

function expectError(f: () => unknown, code: string, field: string, message?: RegExp): void {
  let caught: unknown = null;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EqflowError);
  const e = caught as EqflowError;
  expect(e.code, e.message).toBe(code);
  expect(e.field, e.message).toBe(field);
  if (message) expect(e.message).toMatch(message);
}

describe('checkTrace: Theorem 1, Theorem 3, Remark R1 on traces of the reference flows', () => {
  it('Theorem 1: the augmented flow from E stays in E; the nominal flow (declared augmented) is caught', async () => {
    const good = checkTrace(await flowTrace('augmented', inE, 0, times(2, 20), 0.01));
    console.log(formatTraceReport(good));
    expect(row(good, 'theorem-1').verdict).toBe('holds');
    expect(row(good, 'theorem-1').measured).toBeLessThan(1e-12);
    expect(row(good, 'theorem-3').verdict).toBe('not applicable');
    // negative control: the nominal flow on asymmetric data leaves E (docs/theory.md §5, necessity)
    const bad = checkTrace(await flowTrace('nominal', inE, 0, times(2, 20), 0.01, { dynamics: 'augmented' }));
    expect(row(bad, 'theorem-1').verdict).toBe('violated');
    expect(row(bad, 'theorem-1').ratio).toBeGreaterThan(1e3);
  });

  it('Theorem 3: the regularized augmented flow from far off E decays at least like e^{−(γ−μ)t}, μ estimated or given', async () => {
    const trace = await flowTrace('reg-augmented', far, 5, times(1.5, 30), 0.01);
    const r = checkTrace(trace);
    console.log(formatTraceReport(r));
    const t3 = row(r, 'theorem-3');
    expect(t3.verdict).toBe('holds');
    expect(r.mu?.source).toBe('estimated');
    expect(t3.measured).toBeGreaterThanOrEqual(t3.bound);
    expect(row(r, 'theorem-1').verdict).toBe('not applicable'); // it did not start in E
    // a given μ is used as is
    expect(checkTrace({ ...trace, mu: 0.5 }).mu).toEqual({ value: 0.5, source: 'given' });
    // negative control: the run claims γ = 20 but was made with γ = 5: it decays far slower than e^{−(20−μ)t}
    const lie = checkTrace({ ...trace, gamma: 20 });
    expect(row(lie, 'theorem-3').verdict).toBe('violated');
    expect(row(lie, 'theorem-3').ratio).toBeGreaterThan(1e6); // e^{15·1.5}-fold slower than claimed, from t = 0
  });

  it('Remark R1: the regularized nominal flow settles at ≈ β/γ; a wrong γ is caught', async () => {
    const gamma = 200;
    const trace = await flowTrace('reg-nominal', inE, gamma, times(15 / gamma, 15), 15 / gamma / 60);
    const r = checkTrace(trace);
    console.log(formatTraceReport(r));
    const r1 = row(r, 'remark-r1');
    expect(r1.verdict).toBe('holds');
    expect(r1.measured).toBeGreaterThan(0);
    expect(Math.abs(r1.measured / r1.bound - 1)).toBeLessThan(0.1);
    expect(row(r, 'theorem-1').verdict).toBe('not applicable');
    // negative control: declared γ twice the real one, so the floor is twice β/γ
    expect(row(checkTrace({ ...trace, gamma: 2 * gamma }), 'remark-r1').verdict).toBe('violated');
    // not settled: too short a run says so instead of guessing
    const short = checkTrace({ ...trace, snapshots: (trace.snapshots as unknown[]).slice(0, 3) });
    expect(row(short, 'remark-r1').verdict).toBe('not applicable');
    expect(row(short, 'remark-r1').detail).toMatch(/not settled/);
  });

  it('Theorem 1 does not apply outside its hypotheses (an incompatible support)', () => {
    const incompatible: CaseInput = {
      name: 'skew', group: { kind: 'cyclic', n: 4 },
      model: { kind: 'mlp', input: { kind: 'rot90', k: 3 }, hidden: [], output: { kind: 'trivial' }, activation: 'identity' },
      admissible: { kind: 'mask', mask: [1, 1, 0, 1, 0, 1, 0, 1, 0] }, data: { kind: 'synthetic', seed: 1, count: 2 },
    };
    const r = checkTrace({ case: incompatible, snapshots: [{ t: 0, A: new Array<number>(9).fill(0) }, { t: 1, A: new Array<number>(9).fill(0) }] });
    expect(r.compatible).toBe(false);
    expect(row(r, 'theorem-1').detail).toMatch(/incompatible/);
  });
});

describe('checkTrace: validation names the field', () => {
  const base = (): { case: CaseInput; snapshots: Array<{ t: unknown; A: unknown[] }> } => ({
    case: caseInput,
    snapshots: [0, 0.1, 0.2].map((t) => ({ t, A: Array.from(inE) })),
  });

  it('non-monotone times', () => {
    const t = base();
    t.snapshots[2].t = 0.05;
    expectError(() => parseTrace(t), 'invalid-argument', 'trace.snapshots[2].t', /times must increase strictly: 0.05 after 0.1/);
  });

  it('inconsistent shapes', () => {
    const t = base();
    t.snapshots[1].A = t.snapshots[1].A.slice(1);
    expectError(() => parseTrace(t), 'dimension-mismatch', 'trace.snapshots[1].A', /expected 72 entries \(dim H of case "c4-shift-mlp"\), got 71/);
  });

  it('NaN, in an object or as the bare token Python writes', () => {
    const t = base();
    t.snapshots[0].A[3] = Number.NaN;
    expectError(() => parseTrace(t), 'not-finite', 'trace.snapshots[0].A[3]', /got NaN/);
    const file = join(dir, 'nan.json');
    const good = base();
    writeFileSync(file, JSON.stringify(good).replace(/("A":\[[^,]+,[^,]+,)[^,]+/, '$1NaN'));
    expectError(() => readTraceFile(file), 'not-finite', 'trace.snapshots[0].A[2]', /got "NaN"/);
  });

  it('a bad case, a negative γ, a non-number time, an empty trace', () => {
    const t = base();
    expectError(() => parseTrace({ ...t, case: { ...caseInput, group: { kind: 'cyclic', n: 0 } } }), 'invalid-argument', 'trace.case.group.n');
    expectError(() => parseTrace({ ...t, gamma: -1 }), 'invalid-argument', 'trace.gamma');
    t.snapshots[1].t = '0.1';
    expectError(() => parseTrace(t), 'invalid-argument', 'trace.snapshots[1].t', /got "0.1"/);
    expectError(() => parseTrace({ case: caseInput, snapshots: [] }), 'invalid-argument', 'trace.snapshots');
    expectError(() => readTraceFile(join(dir, 'missing.json')), 'io', join(dir, 'missing.json'));
  });
});

/** A little-endian '<f8' (or '<f4') .npy buffer (format 1.0), optionally Fortran-ordered. */
function npy(shape: number[], data: number[], fortran = false, f4 = false): Buffer {
  let header = `{'descr': '${f4 ? '<f4' : '<f8'}', 'fortran_order': ${fortran ? 'True' : 'False'}, 'shape': (${shape.join(', ')}${shape.length === 1 ? ',' : ''}), }`;
  header += ' '.repeat(63 - ((10 + header.length) % 64)) + '\n';
  const head = Buffer.alloc(10);
  head.writeUInt8(0x93, 0);
  head.write('NUMPY', 1, 'latin1');
  head.writeUInt8(1, 6);
  head.writeUInt8(0, 7);
  head.writeUInt16LE(header.length, 8);
  const body = Buffer.alloc((f4 ? 4 : 8) * data.length);
  data.forEach((v, i) => (f4 ? body.writeFloatLE(v, 4 * i) : body.writeDoubleLE(v, 8 * i)));
  return Buffer.concat([head, Buffer.from(header, 'latin1'), body]);
}

describe('checkTrace: numpy files', () => {
  it('reads .npy (C and Fortran order) and an .npy trace with the Case given separately', async () => {
    const c = readNpy(npy([2, 3], [1, 2, 3, 4, 5, 6]));
    expect(c.shape).toEqual([2, 3]);
    expect(Array.from(c.data as Float64Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const f = readNpy(npy([2, 3], [1, 4, 2, 5, 3, 6], true)); // column-major storage of the same matrix
    expect(Array.from(f.data as Float64Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const trace = await flowTrace('augmented', inE, 0, times(1, 5), 0.01);
    const rows = (trace.snapshots as Array<{ t: number; A: number[] }>).flatMap((s) => [s.t, ...s.A]);
    const file = join(dir, 'run.npy');
    writeFileSync(file, npy([6, 1 + P.space.dim], rows));
    expectError(() => readTraceFile(file), 'invalid-argument', 'case');
    const r = checkTrace(readTraceFile(file, { case: caseInput }));
    expect(row(r, 'theorem-1').verdict).toBe('holds');
  });

  it('a float32 run: the "in E" threshold follows the dtype (float32 .npy, a JSON precision field); the nominal flow is still caught', async () => {
    const f32 = async (kind: DynamicsKind, declared: Record<string, unknown> = {}) => {
      const trace = await flowTrace(kind, inE, 0, times(1, 5), 0.01, declared);
      // what a float32 training run records: parameters carrying float32 round-off (not symmetric under G), in float32
      const noise = new RandomStream('float32 run');
      return { ...trace, snapshots: (trace.snapshots as Array<{ t: number; A: number[] }>).map((s) => ({ t: s.t, A: s.A.map((a) => Math.fround(a * (1 + 2 ** -24 * noise.gaussianVector(1)[0]))) })) };
    };
    const good = await f32('augmented');
    // judged as a float64 run, the float32 rounding of A(0) already puts it outside E: Theorem 1 cannot be checked
    expect(row(checkTrace(good), 'theorem-1').verdict).not.toBe('holds');
    const fair = checkTrace({ ...good, precision: 'float32' });
    expect(fair.precision).toBe('float32');
    expect(row(fair, 'theorem-1').verdict).toBe('holds');
    const rows = (good.snapshots as Array<{ t: number; A: number[] }>).flatMap((s) => [s.t, ...s.A]);
    const file = join(dir, 'run-f32.npy');
    writeFileSync(file, npy([6, 1 + P.space.dim], rows, false, true));
    const fromNpy = checkTrace(readTraceFile(file, { case: caseInput }));
    expect([fromNpy.precision, row(fromNpy, 'theorem-1').verdict]).toEqual(['float32', 'holds']);
    const bad = checkTrace({ ...(await f32('nominal', { dynamics: 'augmented' })), precision: 'float32' });
    expect(row(bad, 'theorem-1').verdict).toBe('violated');
    expectError(() => parseTrace({ ...good, precision: 'float8' }), 'invalid-argument', 'trace.precision');
  });

  const numpy = pythonMissing('numpy') === null;
  if (!numpy && !process.env.CI) console.log(`test/trace.test.ts: skipping the .npz test: numpy is not importable by ${PYTHON}`);
  it.skipIf(!numpy && !process.env.CI)('reads .npz written by np.savez and np.savez_compressed (zip64, deflate), Case inside', async () => {
    const trace = await flowTrace('reg-augmented', far, 5, times(1, 10), 0.01);
    const json = join(dir, 'run.json');
    writeFileSync(json, JSON.stringify(trace));
    for (const fn of ['savez', 'savez_compressed']) {
      const out = join(dir, `run-${fn}.npz`);
      const script = [
        'import json, sys, numpy as np',
        'tr = json.load(open(sys.argv[1]))',
        't = np.array([s["t"] for s in tr["snapshots"]]); A = np.array([s["A"] for s in tr["snapshots"]])',
        `np.${fn}(sys.argv[2], t=t, A=np.asfortranarray(A), gamma=tr["gamma"], dynamics=tr["dynamics"], case=json.dumps(tr["case"]))`,
      ].join('\n');
      const p = spawnSync(PYTHON, ['-c', script, json, out], { encoding: 'utf8' });
      expect(p.status, p.stderr).toBe(0);
      const fromNpz = readTraceFile(out);
      const fromJson = readTraceFile(json);
      expect(fromNpz.snapshots.map((s) => Array.from(s.A))).toEqual(fromJson.snapshots.map((s) => Array.from(s.A)));
      expect(fromNpz.gamma).toBe(5);
      expect(fromNpz.dynamics).toBe('reg-augmented');
      expect(row(checkTrace(fromNpz), 'theorem-3').verdict).toBe('holds');
    }
  });
});

const noTorch = pythonMissing('torch');
if (noTorch) console.log(`test/trace.test.ts: skipping examples/python/record_trace.py: ${noTorch}`);

describe.skipIf(noTorch !== null)('examples/python/record_trace.py (PyTorch)', () => {
  it('a run started in E stays in E (Theorem 1); a regularized run from off E decays (Theorem 3)', () => {
    for (const [flag, check] of [['--in-E', 'theorem-1'], ['', 'theorem-3']] as const) {
      const out = join(dir, `torch${flag}.json`);
      const p = spawnSync(PYTHON, [RECORD, out, ...(flag ? [flag] : [])], { encoding: 'utf8', timeout: 120_000 });
      expect(p.status, p.stderr).toBe(0);
      const r = checkTrace(readTraceFile(out));
      console.log(`record_trace.py ${flag}\n${formatTraceReport(r)}`);
      expect(row(r, check).verdict).toBe('holds');
      expect(JSON.parse(readFileSync(out, 'utf8')).snapshots.length).toBe(41);
    }
  });

  it('record_sgd_trace.py: PyTorch SGD (minibatches, sampled augmentation, loss/4) sits at the predicted floor; planted defects are rejected', () => {
    for (const [flag, verdict] of [['', 'holds'], ['--half-gamma', 'violated'], ['--no-aug', 'violated']] as const) {
      const out = join(dir, `torch-sgd${flag}.json`);
      const p = spawnSync(PYTHON, [RECORD_SGD, out, ...(flag ? [flag] : [])], { encoding: 'utf8', timeout: 120_000 });
      expect(p.status, p.stderr).toBe(0);
      const r = checkTrace(readTraceFile(out));
      console.log(`record_sgd_trace.py ${flag}\n${formatTraceReport(r)}`);
      expect(row(r, 'sgd-floor').verdict).toBe(verdict);
      if (!flag) expect(row(r, 'theorem-3').verdict).toBe('holds');
    }
  });
});
