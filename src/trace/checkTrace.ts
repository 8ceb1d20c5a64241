import { readFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { z } from 'zod';
import { EqflowError } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { EPS } from '../core/tolerance.js';
import { PRECISIONS, Precision, machineEpsilon, probeScale } from '../core/precision.js';
import { curvatureBound, curvatureQuotient } from '../analysis/rates.js';
import { DYNAMICS, DynamicsKind } from '../flows/dynamics.js';
import { BuiltCase, buildCase } from '../impl/build.js';
import { CaseSpec, parseCase, zodError } from '../impl/caseSpec.js';
import { ImplementationFault } from '../impl/fault.js';
import { MuEstimate, estimateMu } from './mu.js';
import { DataProbe } from './probe.js';
import { OptimizerSpec, SgdOptimizer, SgdSummary, checkSgd, tailZ } from './sgd.js';

/**
 * Checks a training run recorded elsewhere (PyTorch, JAX, …) against the theory, from snapshots of its parameters
 * (docs/protocol.md, Appendix): Theorem 1 (a run started in E stays in E), Theorem 3 (the E⊥ part decays at least
 * like e^{−(γ−μ)t} between snapshots under the regularized augmented dynamics) and Remark R1 (the regularized
 * nominal dynamics settles at distance ≈ β/γ from E). Reads JSON, numpy .npz and .npy. Every validation error
 * names the field (`trace.snapshots[3].A[5]`). A trace that declares its `optimizer` (SGD: η, B, augmentation, loss
 * scale s) gives step counts; check-trace maps them to flow time t = kη/s and checks what docs/theory.md §10 predicts
 * for SGD (src/trace/sgd.ts): Theorem 3 in expectation and the noise floor.
 */

export interface TraceSnapshot {
  /** flow time (for an SGD trace: step·η/s) */
  t: number;
  /** the SGD step count, for traces that declare an optimizer */
  step?: number;
  A: Float64Array;
}

/** A recorded training run: its Case, γ, dynamics and parameter snapshots (t, A). */
export interface Trace {
  case: CaseSpec;
  snapshots: TraceSnapshot[];
  /** γ of the regularizer γ/2‖Π_{E⊥}A‖² (0 when absent) */
  gamma: number;
  /** the dynamics that produced the run (default reg-augmented when γ > 0, else augmented) */
  dynamics: DynamicsKind;
  /** Theorem 3's μ when the run's author knows it; estimated from the Case's R^aug otherwise */
  mu?: number;
  /** how the run was trained, when it was SGD (snapshots then carry steps; γ is the training loss's) */
  optimizer?: SgdOptimizer;
  /** the arithmetic the run computed in (default float64): sets the default "in E" threshold */
  precision?: Precision;
}

/** Options of check-trace: the "in E" threshold, the rate slack, μ's sampling, and overrides of the Case, γ, dynamics and μ. */
export interface TraceOptions {
  /**
   * "in E" and the round-off floor: ‖Π_{E⊥}A‖ ≤ tolerance·max(1, max_k ‖A_k‖) (default 1e-9 for a float64 run,
   * 1e-9·√(u/u₆₄) at the run's precision: 2.3e-5 for float32)
   */
  tolerance?: number;
  /** the precision the run computed in (overrides the trace's: a `precision` field in JSON, float32 arrays in .npz/.npy) */
  precision?: Precision;
  /** relative slack on Theorem 3's bound per interval (default 1e-3, as the theorem-3-bound claim) */
  rateSlack?: number;
  /** at most this many snapshots (evenly spread, first and last kept) probe μ's curvature (default 8) */
  muSamples?: number;
  /** data items μ and the SGD noise are estimated on (default 32; all when the Case has fewer) */
  muItems?: number;
  /** progress of the estimates (done, total, what): the CLI draws a bar on a terminal */
  onProgress?: (done: number, total: number, what: string) => void;
  /** for .npy traces (no Case inside) and to override what an .npz or JSON trace says */
  case?: unknown;
  gamma?: number;
  dynamics?: DynamicsKind;
  mu?: number;
}

/** A statement on a trace holds, is violated, or does not apply to the run (e.g. Theorem 1 for a run not started in E). */
export type TraceVerdict = 'holds' | 'violated' | 'not applicable';

/** One row of the table: what was measured against what the theory allows. */
export interface TraceRow {
  check: 'theorem-1' | 'theorem-3' | 'remark-r1' | 'sgd-floor' | 'sgd-decay';
  source: string;
  verdict: TraceVerdict;
  /** the measured number (Theorem 1: max ‖Π_{E⊥}A‖; Theorem 3: slowest decay rate; R1: final ‖Π_{E⊥}A‖) */
  measured: number;
  /** what the theory allows or predicts (tolerance; γ − μ; β/γ) */
  bound: number;
  /** error / tolerance: ≤ 1 holds (NaN when not applicable); Theorem 3: the worst of the bounds from t_k and from t_0 */
  ratio: number;
  detail: string;
}

/** What check-trace reports: one row per statement checked, with the measured numbers and a verdict. */
export interface TraceReport {
  case: string;
  dim: number;
  snapshots: number;
  times: [number, number];
  gamma: number;
  dynamics: DynamicsKind;
  compatible: boolean;
  unitary: boolean;
  /** Theorem 3's μ and where it came from (null when Theorem 3 does not apply); an estimate states its error and sample */
  mu: ({ value: number; source: 'given' } | ({ source: 'estimated' } & MuEstimate)) | null;
  /** the absolute tolerance used (options.tolerance × max(1, max ‖A_k‖)) */
  tolerance: number;
  /** the run's precision, which set the default tolerance */
  precision: Precision;
  /** ‖Π_{E⊥}A(t_k)‖ at every snapshot */
  projectionErrors: Array<{ t: number; error: number }>;
  rows: TraceRow[];
  /** per snapshot: Theorem 3's envelope from t_0 (null when Theorem 3 is not checked) */
  envelope: number[] | null;
  /** for a trace that declares an SGD optimizer: flow-time mapping, noise, floor, decay rate */
  sgd: SgdSummary | null;
}

// ---------------------------------------------------------------------------------------------------------------
// Validation

const num = (v: unknown): string => (typeof v === 'number' ? String(v) : v === null ? 'null' : typeof v === 'string' ? JSON.stringify(v) : typeof v);

/** A finite number, or an EqflowError naming `field`; NaN written as a bare token arrives as the string "NaN". */
function finite(v: unknown, field: string): number {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  const nonFinite = (typeof v === 'number') || v === 'NaN' || v === 'Infinity' || v === '-Infinity';
  throw new EqflowError(nonFinite ? 'not-finite' : 'invalid-argument', field, `expected a finite number, got ${num(v)}`);
}

const TraceShape = z.object({
  format: z.literal('eqflow-trace/1').optional(),
  case: z.unknown(),
  snapshots: z.array(z.object({ t: z.unknown().optional(), step: z.unknown().optional(), A: z.array(z.unknown()) })).min(1),
  gamma: z.number().min(0).optional(),
  dynamics: z.enum(DYNAMICS).optional(),
  mu: z.number().min(0).optional(),
  optimizer: OptimizerSpec.optional(),
  /** the arithmetic of the run (default float64) */
  precision: z.enum(PRECISIONS).optional(),
});

const built = new Map<string, BuiltCase>();

/** Builds a case (cached: parseTrace and checkTrace both need it), naming its fields under `${root}.case` on refusal. */
function build(spec: CaseSpec, root: string): BuiltCase {
  const key = JSON.stringify(spec);
  const hit = built.get(key);
  if (hit) return hit;
  try {
    if (built.size >= 8) built.clear(); // a few cases per process; explicit data can be large
    const b = buildCase(spec);
    built.set(key, b);
    return b;
  } catch (e) {
    if (e instanceof EqflowError) throw new EqflowError(e.code, `${root}.case.${e.field}`, e.message.slice(e.field.length + 2));
    throw e;
  }
}

/**
 * Validates a trace object (parsed JSON): the Case, strictly increasing finite times, every A of length dim H and
 * finite. Options override the trace's gamma, dynamics, mu and case.
 */
export function parseTrace(input: unknown, opts: TraceOptions = {}, root = 'trace'): Trace {
  const shape = TraceShape.safeParse(input);
  if (!shape.success) throw zodError(shape.error, root);
  const raw = shape.data;
  const spec = parseCase(opts.case ?? raw.case, `${root}.case`);
  const dim = build(spec, root).model.space.dim;
  const opt = raw.optimizer;
  const snapshots = raw.snapshots.map((s, k): TraceSnapshot => {
    const field = `${root}.snapshots[${k}]`;
    let t: number, step: number | undefined;
    if (opt) {
      // an SGD trace counts steps; flow time is check-trace's business (t = kη/s, docs/theory.md §10)
      if (s.step === undefined) throw new EqflowError('invalid-argument', `${field}.step`, 'a trace with an optimizer gives the SGD step count of every snapshot (check-trace maps it to flow time t = step·lr/lossScale)');
      step = finite(s.step, `${field}.step`);
      if (!Number.isInteger(step) || step < 0) throw new EqflowError('invalid-argument', `${field}.step`, `expected an integer step ≥ 0, got ${step}`);
      t = (step * opt.lr) / opt.lossScale;
    } else t = finite(s.t, `${field}.t`);
    if (s.A.length !== dim) throw new EqflowError('dimension-mismatch', `${field}.A`, `expected ${dim} entries (dim H of case "${spec.name}"), got ${s.A.length}`);
    const A = new Float64Array(dim);
    for (let i = 0; i < dim; i++) {
      const v = s.A[i];
      // a NaN or ±Infinity parameter: the recorded run itself diverged — the verdict 'error', not bad input
      if (typeof v === 'number' ? !Number.isFinite(v) : v === 'NaN' || v === 'Infinity' || v === '-Infinity') {
        throw new ImplementationFault('answer', 'not-finite', `${field}.A[${i}]`, `expected a finite number, got ${num(v)}: the recorded run diverged, so no statement can be checked on it`);
      }
      A[i] = finite(v, `${field}.A[${i}]`);
    }
    return step === undefined ? { t, A } : { t, step, A };
  });
  for (let k = 1; k < snapshots.length; k++) {
    if (!(snapshots[k].t > snapshots[k - 1].t)) {
      const what = opt ? 'step' : 't';
      throw new EqflowError('invalid-argument', `${root}.snapshots[${k}].${what}`, `${opt ? 'steps' : 'times'} must increase strictly: ${opt ? snapshots[k].step : snapshots[k].t} after ${opt ? snapshots[k - 1].step : snapshots[k - 1].t}`);
    }
  }
  const gamma = opts.gamma ?? raw.gamma ?? 0;
  if (!(gamma >= 0 && Number.isFinite(gamma))) throw new EqflowError('invalid-argument', `${root}.gamma`, `expected a finite γ ≥ 0, got ${gamma}`);
  const nominal = opt?.augmentation === 'none';
  const dynamics = opts.dynamics ?? raw.dynamics ?? (nominal ? (gamma > 0 ? 'reg-nominal' : 'nominal') : gamma > 0 ? 'reg-augmented' : 'augmented');
  if (opt) {
    if (nominal !== ['nominal', 'reg-nominal'].includes(dynamics)) throw new EqflowError('invalid-argument', `${root}.optimizer.augmentation`, `augmentation ${opt.augmentation} contradicts the dynamics ${dynamics}`);
    if (opt.batch > build(spec, root).data.count) throw new EqflowError('invalid-argument', `${root}.optimizer.batch`, `a batch of ${opt.batch} from ${build(spec, root).data.count} data items`);
  }
  const mu = opts.mu ?? raw.mu;
  if (mu !== undefined && !(mu >= 0 && Number.isFinite(mu))) throw new EqflowError('invalid-argument', `${root}.mu`, `expected a finite μ ≥ 0, got ${mu}`);
  return { case: spec, snapshots, gamma, dynamics, mu, precision: opts.precision ?? raw.precision ?? 'float64', ...(opt ? { optimizer: opt } : {}) };
}

// ---------------------------------------------------------------------------------------------------------------
// Files: JSON, .npy, .npz

/** JSON.parse that also reads the bare NaN/Infinity tokens Python's json.dump writes (as strings, to name them). */
function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch (e) {
    try {
      return JSON.parse(text.replace(/([[,:]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '$1"$2"'));
    } catch {
      throw new EqflowError('io', field, `not valid JSON: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}

/** One numpy array: numbers (float64, float32, int64, int32 decoded to float64) or strings ('<U'). */
export interface NpyArray {
  shape: number[];
  dtype: string;
  data: Float64Array | string[];
}

/** The bytes as a Buffer without a copy (the public signatures take Uint8Array, so their types need no @types/node). */
function asBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/**
 * Reads a .npy file (format versions 1–3): little-endian '<f8', '<f4', '<i8', '<i4' and '<U n' (UTF-32) arrays, C or
 * Fortran order (returned in C order).
 */
export function readNpy(bytes: Uint8Array, field = 'npy'): NpyArray {
  const buf = asBuffer(bytes);
  if (buf.length < 10 || buf[0] !== 0x93 || buf.toString('latin1', 1, 6) !== 'NUMPY') throw new EqflowError('io', field, 'not a .npy file (no \\x93NUMPY magic)');
  const major = buf[6];
  if (major !== 1 && major !== 2 && major !== 3) throw new EqflowError('unsupported', field, `.npy format version ${major} (versions 1–3 are read)`);
  const pre = major === 1 ? 10 : 12;
  if (buf.length < pre) throw new EqflowError('io', field, `truncated: the version ${major} preamble needs ${pre} bytes, got ${buf.length}`);
  const hlen = major === 1 ? buf.readUInt16LE(8) : buf.readUInt32LE(8);
  const start = pre + hlen;
  if (buf.length < start) throw new EqflowError('io', field, `truncated: the header needs ${hlen} bytes after the preamble, got ${buf.length - pre}`);
  const header = buf.toString(major >= 3 ? 'utf8' : 'latin1', pre, start);
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*True/.test(header);
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (!descr || shapeText === undefined) throw new EqflowError('io', field, `unreadable .npy header: ${header.trim()}`);
  const dims = shapeText.split(',').map((s) => s.trim()).filter((s) => s !== '');
  // a dimension is a non-negative decimal integer; anything else would reach a typed-array length as NaN, −1 or 1.5
  const bad = dims.find((d) => !/^\d+$/.test(d) || !Number.isSafeInteger(Number(d)));
  if (bad !== undefined) throw new EqflowError('io', field, `unreadable .npy shape (${shapeText}): ${bad} is not a dimension`);
  const shape = dims.map(Number);
  const count = shape.reduce((a, b) => a * b, 1);
  const unicode = /^[<|=]U(\d+)$/.exec(descr);
  if (unicode) {
    const width = Number(unicode[1]);
    if (buf.length < start + count * width * 4) throw new EqflowError('io', field, `truncated: ${count} strings of ${width} characters need ${count * width * 4} bytes`);
    const data = Array.from({ length: count }, (_, i) => {
      let s = '';
      for (let c = 0; c < width; c++) {
        const cp = buf.readUInt32LE(start + (i * width + c) * 4);
        if (cp === 0) break;
        if (cp > 0x10ffff || (cp >= 0xd800 && cp <= 0xdfff)) throw new EqflowError('io', field, `string ${i} holds ${cp.toString(16)}, not a Unicode code point (corrupt UTF-32 data)`);
        s += String.fromCodePoint(cp);
      }
      return s;
    });
    return { shape, dtype: descr, data };
  }
  const readers: Record<string, [number, (o: number) => number]> = {
    '<f8': [8, (o) => buf.readDoubleLE(o)],
    '<f4': [4, (o) => buf.readFloatLE(o)],
    '<i8': [8, (o) => Number(buf.readBigInt64LE(o))],
    '<i4': [4, (o) => buf.readInt32LE(o)],
  };
  const reader = readers[descr];
  if (!reader) throw new EqflowError('unsupported', field, `dtype ${descr} is not supported (save little-endian float64: a.astype('<f8'))`);
  const [size, read] = reader;
  if (buf.length < start + count * size) throw new EqflowError('io', field, `truncated: shape (${shape.join(', ')}) of ${descr} needs ${count * size} bytes after the header, got ${buf.length - start}`);
  const flat = new Float64Array(count);
  for (let i = 0; i < count; i++) flat[i] = read(start + i * size);
  if (!fortran || shape.length < 2) return { shape, dtype: descr, data: flat };
  // Fortran order: index (i_0, …, i_{n−1}) at Σ i_j·Π_{l<j} shape_l; reorder to C order
  const data = new Float64Array(count);
  const idx = new Array<number>(shape.length).fill(0);
  for (let c = 0; c < count; c++) {
    let f = 0, stride = 1;
    for (let j = 0; j < shape.length; j++) {
      f += idx[j] * stride;
      stride *= shape[j];
    }
    data[c] = flat[f];
    for (let j = shape.length - 1; j >= 0; j--) {
      if (++idx[j] < shape[j]) break;
      idx[j] = 0;
    }
  }
  return { shape, dtype: descr, data };
}

/**
 * Reads the arrays of an .npz (a zip of .npy files, stored or deflated, zip64 records as np.savez writes them). A
 * corrupt archive (offsets or sizes pointing outside the file, a bad deflate stream) is an EqflowError('io').
 */
export function readNpz(bytes: Uint8Array, field = 'npz'): Map<string, NpyArray> {
  try {
    return readZip(asBuffer(bytes), field);
  } catch (e) {
    if (e instanceof EqflowError) throw e;
    // Buffer reads past the end throw RangeError, zlib throws on a bad stream: both mean the bytes are not an .npz
    throw new EqflowError('io', field, `corrupt zip archive: ${e instanceof Error ? e.message : String(e)}`);
  }
}

function readZip(buf: Buffer, field: string): Map<string, NpyArray> {
  let eocd = -1;
  for (let i = buf.length - 22; i >= Math.max(0, buf.length - 22 - 65535); i--) {
    if (buf.readUInt32LE(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new EqflowError('io', field, 'not a zip archive (no end of central directory)');
  let entries = buf.readUInt16LE(eocd + 10);
  let offset = buf.readUInt32LE(eocd + 16);
  if ((entries === 0xffff || offset === 0xffffffff) && eocd >= 20 && buf.readUInt32LE(eocd - 20) === 0x07064b50) {
    const z64 = Number(buf.readBigUInt64LE(eocd - 12));
    entries = Number(buf.readBigUInt64LE(z64 + 32));
    offset = Number(buf.readBigUInt64LE(z64 + 48));
  }
  const out = new Map<string, NpyArray>();
  for (let e = 0, p = offset; e < entries; e++) {
    if (buf.readUInt32LE(p) !== 0x02014b50) throw new EqflowError('io', field, `corrupt central directory at byte ${p}`);
    const method = buf.readUInt16LE(p + 10);
    let csize = buf.readUInt32LE(p + 20);
    let usize = buf.readUInt32LE(p + 24);
    const nlen = buf.readUInt16LE(p + 28), xlen = buf.readUInt16LE(p + 30), clen = buf.readUInt16LE(p + 32);
    let local = buf.readUInt32LE(p + 42);
    const name = buf.toString('utf8', p + 46, p + 46 + nlen);
    // zip64 extra field (id 1): the 64-bit values of the 32-bit fields set to 0xffffffff, in this order
    for (let x = p + 46 + nlen; x < p + 46 + nlen + xlen;) {
      const id = buf.readUInt16LE(x), size = buf.readUInt16LE(x + 2);
      if (id === 1) {
        let q = x + 4;
        if (usize === 0xffffffff) { usize = Number(buf.readBigUInt64LE(q)); q += 8; }
        if (csize === 0xffffffff) { csize = Number(buf.readBigUInt64LE(q)); q += 8; }
        if (local === 0xffffffff) local = Number(buf.readBigUInt64LE(q));
      }
      x += 4 + size;
    }
    if (buf.readUInt32LE(local) !== 0x04034b50) throw new EqflowError('io', `${field}:${name}`, 'corrupt local header');
    const data0 = local + 30 + buf.readUInt16LE(local + 26) + buf.readUInt16LE(local + 28);
    const raw = buf.subarray(data0, data0 + csize);
    if (method !== 0 && method !== 8) throw new EqflowError('unsupported', `${field}:${name}`, `zip compression method ${method} (only stored and deflate)`);
    // maxOutputLength: a member inflating past its declared size is corrupt (or a zip bomb); stop there
    const bytes = method === 0 ? raw : inflateRawSync(raw, { maxOutputLength: Math.max(1, usize) });
    if (bytes.length !== usize) throw new EqflowError('io', `${field}:${name}`, `expected ${usize} bytes, got ${bytes.length}`);
    out.set(name.replace(/\.npy$/, ''), readNpy(Buffer.from(bytes), `${field}:${name}`));
    p += 46 + nlen + xlen + clen;
  }
  return out;
}

/** A scalar number or string of an npz (0-d or 1-element array), or undefined when absent. */
function scalarOf(m: Map<string, NpyArray>, key: string, field: string): number | string | undefined {
  const a = m.get(key);
  if (!a) return undefined;
  if (a.data.length !== 1) throw new EqflowError('dimension-mismatch', `${field}:${key}`, `expected a scalar, got shape (${a.shape.join(', ')})`);
  return a.data[0];
}

/** snapshots from t (k; or the SGD steps) and rows of A (k × dim, flat). */
function snapshotsOf(t: Float64Array, A: Float64Array, cols: number, offset: number, time: 't' | 'step' = 't'): Array<{ t?: number; step?: number; A: number[] }> {
  return Array.from(t, (tk, k) => ({ [time]: tk, A: Array.from(A.subarray(k * (cols + offset) + offset, (k + 1) * (cols + offset))) }));
}

/**
 * Reads a trace file: `.json`; `.npz` with arrays t (k) or step (k, with an optimizer), A (k × dim) and optionally
 * gamma, mu, dynamics, case and optimizer (JSON strings); `.npy` of shape k × (1 + dim), column 0 the times (the Case from options.case).
 */
export function readTraceFile(path: string, opts: TraceOptions = {}): Trace {
  let buf: Buffer;
  try {
    buf = readFileSync(path);
  } catch (e) {
    throw new EqflowError('io', path, `cannot read: ${e instanceof Error ? e.message : String(e)}`);
  }
  if (/\.npz$/i.test(path)) {
    const m = readNpz(buf, path);
    const t = m.get('t') ?? m.get('step'), A = m.get('A');
    const time = m.has('t') ? 't' : 'step';
    if (!t || !(t.data instanceof Float64Array)) throw new EqflowError('invalid-argument', `${path}:t`, 'expected a numeric array t of snapshot times (or step, with an optimizer)');
    if (!A || !(A.data instanceof Float64Array)) throw new EqflowError('invalid-argument', `${path}:A`, 'expected a numeric array A of snapshots (k × dim)');
    if (A.shape.length !== 2 || A.shape[0] !== t.data.length) throw new EqflowError('dimension-mismatch', `${path}:A`, `expected shape (${t.data.length}, dim): one row per entry of t, got (${A.shape.join(', ')})`);
    const caseText = scalarOf(m, 'case', path);
    const gamma = scalarOf(m, 'gamma', path), mu = scalarOf(m, 'mu', path), dynamics = scalarOf(m, 'dynamics', path);
    const optimizer = scalarOf(m, 'optimizer', path);
    const raw = {
      case: typeof caseText === 'string' ? parseJson(caseText, `${path}:case`) : undefined,
      snapshots: snapshotsOf(t.data, A.data, A.shape[1], 0, time),
      ...(A.dtype === '<f4' ? { precision: 'float32' } : {}),
      ...(gamma !== undefined ? { gamma } : {}), ...(mu !== undefined ? { mu } : {}), ...(dynamics !== undefined ? { dynamics } : {}),
      ...(typeof optimizer === 'string' ? { optimizer: parseJson(optimizer, `${path}:optimizer`) } : {}),
    };
    if (raw.case === undefined && opts.case === undefined) throw new EqflowError('invalid-argument', `${path}:case`, 'the .npz has no case array: add case=json.dumps(case) or pass the Case separately');
    return parseTrace(raw, opts, 'trace');
  }
  if (/\.npy$/i.test(path)) {
    const a = readNpy(buf, path);
    if (!(a.data instanceof Float64Array) || a.shape.length !== 2 || a.shape[1] < 2) throw new EqflowError('dimension-mismatch', path, `expected a numeric k × (1 + dim) array (column 0 the times), got shape (${a.shape.join(', ')})`);
    if (opts.case === undefined) throw new EqflowError('invalid-argument', 'case', `an .npy trace carries no Case: pass the Case (group, model, data) separately`);
    const cols = a.shape[1] - 1;
    const t = Float64Array.from({ length: a.shape[0] }, (_, k) => (a.data as Float64Array)[k * a.shape[1]]);
    return parseTrace({ case: opts.case, snapshots: snapshotsOf(t, a.data, cols, 1), ...(a.dtype === '<f4' ? { precision: 'float32' } : {}) }, opts, 'trace');
  }
  return parseTrace(parseJson(buf.toString('utf8'), path), opts, 'trace');
}

// ---------------------------------------------------------------------------------------------------------------
// The checks

/** At most `n` evenly spread items, first and last kept. */
function spread<T>(xs: T[], n: number): T[] {
  if (xs.length <= n) return xs;
  return Array.from({ length: n }, (_, i) => xs[Math.round((i * (xs.length - 1)) / (n - 1))]);
}

const notApplicable = (check: TraceRow['check'], source: string, detail: string, measured = Number.NaN, bound = Number.NaN): TraceRow =>
  ({ check, source, verdict: 'not applicable', measured, bound, ratio: Number.NaN, detail });

/** |⟨d, ∇²R(A)d⟩|/‖d‖² by a central difference of exact gradients (the curvature scale of Remark R1's tolerance). */
function curvatureAlong(b: BuiltCase, A: Float64Array, d: Float64Array): number {
  const dn = norm(d);
  if (dn === 0) return 0;
  const eps = (Math.cbrt(EPS) * Math.max(1, norm(A))) / dn;
  const gp = new Float64Array(A.length), gm = new Float64Array(A.length);
  b.R.gradient(A.map((a, i) => a + eps * d[i]), gp);
  b.R.gradient(A.map((a, i) => a - eps * d[i]), gm);
  let s = 0;
  for (let i = 0; i < A.length; i++) s += d[i] * (gp[i] - gm[i]);
  return Math.abs(s) / (2 * eps * dn * dn);
}

/** Checks a trace (validated here when given as plain JSON) and returns the table of measured numbers. */
export function checkTrace(input: Trace | unknown, opts: TraceOptions = {}): TraceReport {
  const trace = isTrace(input) ? input : parseTrace(input, opts);
  const b = build(trace.case, 'trace');
  const P = b.P;
  const { snapshots, gamma, dynamics } = trace;
  const errors = snapshots.map((s) => P.projectionError(s.A));
  const scale = Math.max(1, ...snapshots.map((s) => norm(s.A)));
  // a float64 run holds E to 1e-9 of its scale; a narrower one to that times √(u/u₆₄) (core/precision.ts)
  const tol = (opts.tolerance ?? 1e-9 * probeScale(machineEpsilon(trace.precision ?? 'float64'))) * scale;
  const slack = opts.rateSlack ?? 1e-3;
  const unitary = trace.case.parametrization.kind === 'unitary';
  const hypotheses = !P.compatible ? 'L is incompatible (Π_LΠ_G ≠ Π_GΠ_L)' : !unitary ? 'the parametrization is not unitary' : null;
  const t0 = snapshots[0].t, tEnd = snapshots[snapshots.length - 1].t;
  const rows: TraceRow[] = [];
  // one seeded data subsample for every estimate (μ, the SGD noise): its orbits are built once
  let probe: DataProbe | null = null;
  const probeOf = (): DataProbe => (probe ??= new DataProbe(b, opts.muItems ?? 32, 8));
  let mu: TraceReport['mu'] = null;
  const muOf = (): NonNullable<TraceReport['mu']> => {
    if (mu) return mu;
    if (trace.mu !== undefined) return (mu = { value: trace.mu, source: 'given' });
    // μ over the region swept by the segments [Π_E A_k, A_k], on a snapshot and a data subsample
    const pts = spread(snapshots.map((s) => s.A), opts.muSamples ?? 8);
    return (mu = { source: 'estimated', ...estimateMu(probeOf(), P, pts, snapshots.length, { onProgress: (d, n) => opts.onProgress?.(d, n, 'μ') }) });
  };
  const report = (envelope: number[] | null, sgd: SgdSummary | null): TraceReport => ({
    case: trace.case.name, dim: b.model.space.dim, snapshots: snapshots.length, times: [t0, tEnd], gamma, dynamics,
    compatible: P.compatible, unitary, mu, tolerance: tol, precision: trace.precision ?? 'float64',
    projectionErrors: snapshots.map((s, k) => ({ t: s.t, error: errors[k] })),
    rows, envelope, sgd,
  });

  if (trace.optimizer) {
    const sgd = checkSgd({
      P, probe: probeOf(), opt: trace.optimizer, gamma, dynamics, steps: snapshots.map((s) => s.step ?? 0), t: snapshots.map((s) => s.t), A: snapshots.map((s) => s.A), errors, tol, hypotheses,
      mu: () => { const m = muOf(); return { value: m.value, se: m.source === 'estimated' ? m.se : 0 }; },
      ...(opts.onProgress ? { onProgress: opts.onProgress } : {}),
    });
    rows.push(...sgd.rows);
    return report(sgd.summary.envelope, sgd.summary);
  }

  // Theorem 1(i): from A(t_0) ∈ E the exact-average augmented dynamics (any γ ≥ 0) stays in E
  const t1 = 'Theorem 1(i)';
  if (!['augmented', 'reg-augmented', 'equivariant'].includes(dynamics)) rows.push(notApplicable('theorem-1', t1, `the ${dynamics} dynamics is not exactly augmented`));
  else if (hypotheses) rows.push(notApplicable('theorem-1', t1, `outside the hypotheses: ${hypotheses}`));
  else if (errors[0] > tol) rows.push(notApplicable('theorem-1', t1, `the run did not start in E: ‖Π_{E⊥}A(${t0})‖ = ${errors[0].toExponential(2)} > tolerance ${tol.toExponential(2)}`, errors[0], tol));
  else {
    const k = errors.reduce((m, e, i) => (e > errors[m] ? i : m), 0);
    rows.push({
      check: 'theorem-1', source: t1, verdict: errors[k] <= tol ? 'holds' : 'violated', measured: errors[k], bound: tol, ratio: errors[k] / tol,
      detail: `started in E; largest ‖Π_{E⊥}A‖ = ${errors[k].toExponential(2)} at t = ${snapshots[k].t} vs tolerance ${tol.toExponential(2)}`,
    });
  }

  // Theorem 3: ‖Π_{E⊥}A(t_{k+1})‖ ≤ e^{−(γ−μ)(t_{k+1}−t_k)}‖Π_{E⊥}A(t_k)‖ along the regularized augmented dynamics
  const t3 = 'Theorem 3';
  let envelope: number[] | null = null;
  if (dynamics !== 'reg-augmented' || !(gamma > 0)) rows.push(notApplicable('theorem-3', t3, `needs the reg-augmented dynamics with γ > 0 (got ${dynamics}, γ = ${gamma})`));
  else if (hypotheses) rows.push(notApplicable('theorem-3', t3, `outside the hypotheses: ${hypotheses}`));
  else {
    const m = muOf();
    // an estimated μ enters with its upper confidence bound: the envelope errs towards holding
    const muUp = m.value + (m.source === 'estimated' ? tailZ(1) * m.se : 0);
    const rate = gamma - muUp;
    envelope = snapshots.map((s) => errors[0] * Math.exp(-rate * (s.t - t0)));
    let worst = 0, worstK = 0, slowest = Number.POSITIVE_INFINITY, slowestK = -1;
    for (let k = 0; k + 1 < snapshots.length; k++) {
      const dt = snapshots[k + 1].t - snapshots[k].t;
      // the bound from t_k (every snapshot is a start: the flow is a semigroup) and from t_0 (the theorem as stated)
      const fromPrev = errors[k + 1] / (Math.exp(-rate * dt) * errors[k] * (1 + slack) + tol);
      const fromStart = errors[k + 1] / (Math.exp(-rate * (snapshots[k + 1].t - t0)) * errors[0] * (1 + slack) + tol);
      const r = Math.max(fromPrev, fromStart);
      if (r > worst) { worst = r; worstK = k; }
      // the observed rate, only where both ends are above the round-off floor
      if (errors[k + 1] > 10 * tol && errors[k] > 10 * tol) {
        const observed = -Math.log(errors[k + 1] / errors[k]) / dt;
        if (observed < slowest) { slowest = observed; slowestK = k; }
      }
    }
    const where = slowestK >= 0 ? `slowest observed decay rate ${slowest.toFixed(4)} on [${snapshots[slowestK].t}, ${snapshots[slowestK + 1].t}]` : 'the projection error stayed at the round-off floor';
    rows.push({
      check: 'theorem-3', source: t3, verdict: worst <= 1 ? 'holds' : 'violated', measured: slowestK >= 0 ? slowest : Number.NaN, bound: rate, ratio: worst,
      detail: `${where} vs γ − μ = ${rate.toFixed(4)} (γ = ${gamma}, μ = ${m.value.toFixed(4)} ${m.source === 'estimated' ? `± ${m.se.toExponential(1)} estimated on ${m.items.used}/${m.items.of} items, ${m.snapshots.used}/${m.snapshots.of} snapshots` : 'given'}); worst interval [${snapshots[worstK].t}, ${snapshots[worstK + 1]?.t ?? snapshots[worstK].t}]: ‖Π_{E⊥}A‖ ${errors[worstK].toExponential(3)} → ${errors[worstK + 1]?.toExponential(3) ?? '-'}`,
    });
  }

  // Remark R1: the regularized nominal dynamics settles at ‖Π_{E⊥}A‖ ≈ β/γ, β = ‖Π_{E⊥}Π_L∇R(A)‖
  const r1 = 'Remark R1';
  if (dynamics !== 'reg-nominal' || !(gamma > 0)) rows.push(notApplicable('remark-r1', r1, `needs the reg-nominal dynamics with γ > 0 (got ${dynamics}, γ = ${gamma})`));
  else {
    const A = snapshots[snapshots.length - 1].A;
    const d = errors[errors.length - 1];
    const g = new Float64Array(A.length);
    b.R.gradient(A, g);
    const pl = P.piL(g);
    const beta = norm(P.piEperp(pl));
    if (gamma * (tEnd - t0) < 10) rows.push(notApplicable('remark-r1', r1, `not settled: γ·(t_end − t_0) = ${(gamma * (tEnd - t0)).toFixed(2)} < 10`, d, beta / gamma));
    else if (beta <= tol) {
      rows.push({ check: 'remark-r1', source: r1, verdict: d <= tol ? 'holds' : 'violated', measured: d, bound: tol, ratio: d / tol, detail: `β = ${beta.toExponential(2)}: no nominal E⊥-velocity (data closed under G), so no floor` });
    } else {
      // quasi-static A_⊥ ≈ −Π_{E⊥}Π_L∇R/γ up to O(κ/γ) and the lag behind the moving E-part (see the remark-r1 claim)
      const rng = new RandomStream('check-trace');
      const dirs = [P.piEperp(A), ...[0, 1, 2].map(() => rng.gaussianVector(A.length))];
      const kappa = Math.max(...dirs.map((v) => curvatureAlong(b, A, v)));
      const allowed = ((4 * kappa) / gamma) * (1 + norm(g) / beta) + 1e-2;
      const dev = Math.abs((gamma * d) / beta - 1);
      rows.push({
        check: 'remark-r1', source: r1, verdict: dev <= allowed ? 'holds' : 'violated', measured: d, bound: beta / gamma, ratio: dev / allowed,
        detail: `final ‖Π_{E⊥}A‖ = ${d.toExponential(3)} vs β/γ = ${(beta / gamma).toExponential(3)}: γ·d/β = ${((gamma * d) / beta).toFixed(4)}, allowed |γ·d/β − 1| ≤ ${allowed.toExponential(2)} (κ = ${kappa.toExponential(2)})`,
      });
    }
  }

  return report(envelope, null);
}

function isTrace(x: unknown): x is Trace {
  if (typeof x !== 'object' || x === null) return false;
  const s = (x as { snapshots?: unknown }).snapshots;
  return Array.isArray(s) && s.length > 0 && (s[0] as { A?: unknown }).A instanceof Float64Array && typeof (x as { dynamics?: unknown }).dynamics === 'string';
}

/** The report as a text table (what `eqflow check-trace` prints). */
export function formatTraceReport(r: TraceReport): string {
  const e = r.projectionErrors;
  const head = [
    `case ${r.case}: dim H = ${r.dim}, ${r.snapshots} snapshots, t ∈ [${r.times[0]}, ${r.times[1]}], dynamics ${r.dynamics}, γ = ${r.gamma}` +
      (r.mu ? `, μ = ${r.mu.value.toFixed(4)} (${r.mu.source})` : '') + `${r.compatible ? '' : ', L incompatible'}${r.unitary ? '' : ', non-unitary'}`,
    `‖Π_{E⊥}A‖: ${e[0].error.toExponential(3)} at t = ${e[0].t} → ${e[e.length - 1].error.toExponential(3)} at t = ${e[e.length - 1].t} (tolerance ${r.tolerance.toExponential(2)} for a ${r.precision} run)`,
  ];
  const sgd = r.sgd;
  if (sgd) {
    const o = sgd.optimizer;
    head.push(`SGD: η = ${o.lr}, batch ${o.batch}, augmentation ${o.augmentation}, loss scale s = ${o.lossScale}: flow time t = step·η/s, γ_flow = sγ = ${sgd.gammaFlow}` +
      (sgd.noise ? `; E⊥ noise tr Σ_⊥ = ${sgd.noise.trace.toExponential(3)} ± ${sgd.noise.traceSe.toExponential(1)}${sgd.noise.bias2 > 0 ? `, bias ‖b‖ = ${Math.sqrt(sgd.noise.bias2).toExponential(3)}` : ''}` : ''));
    if (sgd.decay) head.push(`decay rate (flow time): observed ${sgd.decay.observed === null ? '—' : sgd.decay.observed.toFixed(4)}, Theorem 3's γ_flow − μ = ${sgd.decay.bound.toFixed(4)}`);
    if (sgd.floor) {
      const f = sgd.floor;
      head.push(`floor: predicted ${f.predicted.toExponential(3)} (band ${(f.predicted * f.band[0]).toExponential(3)} … ${(f.predicted * f.band[1]).toExponential(3)}), observed ${f.observed.toExponential(3)} over ${f.count} snapshots from t = ${+f.from.toPrecision(6)}; ` +
        `the run reached the band at t = ${f.reached ?? '—'}${f.predictedReach !== null ? ` (predicted by t ≈ ${f.predictedReach.toPrecision(4)})` : ''}`);
    }
  }
  if (r.mu?.source === 'estimated') head.push(`μ = ${r.mu.value.toExponential(3)} ± ${r.mu.se.toExponential(1)} (estimated on ${r.mu.items.used} of ${r.mu.items.of} data items and ${r.mu.snapshots.used} of ${r.mu.snapshots.of} snapshots, ${r.mu.gradients} subsample gradients)`);
  const fmt = (x: number) => (Number.isNaN(x) ? '-' : x.toExponential(3));
  const table = r.rows.map((row) => `${row.check.padEnd(10)} ${row.source.padEnd(13)} ${row.verdict.padEnd(15)} ${fmt(row.measured).padStart(10)} ${fmt(row.bound).padStart(10)} ${fmt(row.ratio).padStart(10)}  ${row.detail}`);
  return [...head, `${'check'.padEnd(10)} ${'source'.padEnd(13)} ${'verdict'.padEnd(15)} ${'measured'.padStart(10)} ${'bound'.padStart(10)} ${'ratio'.padStart(10)}  detail`, ...table].join('\n');
}
