/**
 * Bad input everywhere: every parser and public constructor gets random JSON (fc.jsonValue, fc.anything) and
 * mutated valid inputs (a field deleted, a type changed, NaN/±Infinity/huge/negative numbers, wrong array lengths,
 * deep nesting, unknown fields, another variant's `kind`). The outcome must be a valid result or an EqflowError
 * with a known code and a non-empty field — never another exception (TypeError, RangeError, a leaked ZodError) —
 * and a successful parse or build never carries NaN.
 *
 * Entries: parseCase → buildCase, parseTrace, the eqflow/1 handshake and answers (through a scripted process,
 * test/fixtures/scripted-impl.mjs), fromCayleyTable, fromGenerators, permutationRep, signedPermutationRep,
 * denseRep, dataset(), readNpy, readNpz, and the benchmark files (parseHistory, loadRun, loadBaseline).
 *
 * Sizes are bounded (≤ 8 group elements for raw tables, ≤ 6 points for raw permutations, ≤ 300-byte buffers) so the
 * file runs in well under a minute; EQFLOW_RUNS scales the run counts (properties/arbitraries/config.ts).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateRawSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BuiltCase, buildCase } from '../src/impl/build.js';
import { PermCase, buildPermCase } from '../src/impl/permCase.js';
import { CaseInput, CaseSpec, parseCase } from '../src/impl/caseSpec.js';
import { examples } from '../src/impl/examples.js';
import { ErrorCode, EqflowError } from '../src/core/errors.js';
import { ExternalImplementation } from '../src/impl/external.js';
import { FiniteGroup, fromCayleyTable } from '../src/groups/group.js';
import { cyclic, dihedral, fromGenerators, symmetric, trivialGroup } from '../src/groups/builtins.js';
import { Representation } from '../src/reps/representation.js';
import { denseRep, permutationRep, signedPermutationRep } from '../src/reps/builders.js';
import { dataset } from '../src/risk/dataset.js';
import { NpyArray, parseTrace, readNpy, readNpz } from '../src/trace/checkTrace.js';
import { loadBaseline, loadRun, makeConfig, parseHistory } from '../bench/report.js';
import { checkProperty, fcParams, replayHint, runScale, runs } from './arbitraries/config.js';

// ---------------------------------------------------------------------------------------------------------------
// The contract: a valid result or a typed EqflowError

const ERROR_CODES: ReadonlySet<string> = new Set<ErrorCode>([
  'invalid-argument', 'dimension-mismatch', 'not-finite', 'not-a-group', 'not-a-representation', 'not-orthogonal',
  'incompatible', 'not-converged', 'unsupported', 'io',
]);

/** What an entry point did with one input. */
type Outcome<T> = { ok: true; value: T } | { ok: false; error: EqflowError };

function describeThrown(e: unknown): string {
  if (e instanceof Error) return `${e.constructor.name}: ${e.message}\n${e.stack ?? ''}`;
  return `a thrown ${typeof e}: ${String(e)}`;
}

/** Checks a caught value is a well-formed EqflowError (known code, non-empty field), else throws describing it. */
function typed(e: unknown): EqflowError {
  if (!(e instanceof EqflowError)) throw new Error(`expected a valid result or an EqflowError, got ${describeThrown(e)}`);
  if (!ERROR_CODES.has(e.code)) throw new Error(`EqflowError with unknown code ${JSON.stringify(e.code)}: ${e.message}`);
  if (typeof e.field !== 'string' || e.field.trim() === '') throw new Error(`EqflowError without a field: ${e.message}`);
  return e;
}

function outcome<T>(f: () => T): Outcome<T> {
  try {
    return { ok: true, value: f() };
  } catch (e) {
    return { ok: false, error: typed(e) };
  }
}

async function outcomeAsync<T>(f: () => Promise<T>): Promise<Outcome<T>> {
  try {
    return { ok: true, value: await f() };
  } catch (e) {
    return { ok: false, error: typed(e) };
  }
}

/** The path of the first NaN inside a value (arrays, typed arrays, plain objects, Maps), or null. Iterative. */
function firstNaN(root: unknown): string | null {
  const stack: Array<[unknown, string]> = [[root, '$']];
  const seen = new Set<object>();
  while (stack.length > 0) {
    const [x, path] = stack.pop() as [unknown, string];
    if (typeof x === 'number') {
      if (Number.isNaN(x)) return path;
      continue;
    }
    if (x === null || typeof x !== 'object' || seen.has(x)) continue;
    seen.add(x);
    if (x instanceof Float64Array || x instanceof Float32Array || x instanceof Int32Array) {
      for (let i = 0; i < x.length; i++) if (Number.isNaN(x[i])) return `${path}[${i}]`;
    } else if (Array.isArray(x)) {
      x.forEach((v, i) => stack.push([v, `${path}[${i}]`]));
    } else if (x instanceof Map) {
      for (const [k, v] of x) stack.push([v, `${path}.get(${String(k)})`]);
    } else {
      for (const [k, v] of Object.entries(x)) stack.push([v, `${path}.${k}`]);
    }
  }
  return null;
}

function expectNoNaN(value: unknown, what: string): void {
  const at = firstNaN(value);
  if (at !== null) throw new Error(`${what}: NaN at ${at}`);
}

/** checkProperty for async properties (fc.check returns a promise for them): same parameters and replay line. */
async function checkAsync<T>(property: fc.IAsyncProperty<T>, base: number): Promise<void> {
  const details = await fc.check(property, fcParams<T>(base));
  if (!details.failed) return;
  const err = details.errorInstance;
  const cause = err instanceof Error ? `Got error: ${err.message}` : 'The predicate returned false.';
  const name = expect.getState().currentTestName?.split(' > ').pop();
  throw new Error(`${fc.defaultReportMessage(details) ?? 'property failed'}\n${cause}\n${replayHint(details.seed, details.counterexamplePath, 'properties/fuzz.test.ts', name)}`);
}

// ---------------------------------------------------------------------------------------------------------------
// Mutating valid inputs

type Key = string | number;

/** The paths inside a JSON-like value (pre-order, root first), at most `limit` of them and at most 64 levels deep. */
function pathsOf(root: unknown, limit = 5000): Key[][] {
  const out: Key[][] = [];
  const stack: Key[][] = [[]];
  while (stack.length > 0 && out.length < limit) {
    const p = stack.pop() as Key[];
    out.push(p);
    if (p.length >= 64) continue; // inside a nest mutation's chain: deeper targets add nothing but cost
    const v = getAt(root, p);
    if (Array.isArray(v)) for (let i = v.length - 1; i >= 0; i--) stack.push([...p, i]);
    else if (v !== null && typeof v === 'object') for (const k of Object.keys(v).reverse()) stack.push([...p, k]);
  }
  return out;
}

function getAt(root: unknown, path: readonly Key[]): unknown {
  let v = root;
  for (const k of path) v = (v as Record<Key, unknown>)[k];
  return v;
}

/** Replaces the value at `path` (an own data property, as JSON.parse would create, even for "__proto__"). */
function setAt(root: unknown, path: readonly Key[], value: unknown): unknown {
  if (path.length === 0) return value;
  const parent = getAt(root, path.slice(0, -1)) as Record<Key, unknown>;
  Object.defineProperty(parent, path[path.length - 1], { value, writable: true, enumerable: true, configurable: true });
  return root;
}

function deleteAt(root: unknown, path: readonly Key[]): unknown {
  if (path.length === 0) return undefined;
  const parent = getAt(root, path.slice(0, -1));
  const k = path[path.length - 1];
  if (Array.isArray(parent) && typeof k === 'number') parent.splice(k, 1);
  else delete (parent as Record<Key, unknown>)[k];
  return root;
}

/** Numbers that break naive code: non-finite, huge (past every size limit), negative, fractional, −0, tiny. */
const SPECIAL_NUMBERS: readonly number[] = [
  Number.NaN, Infinity, -Infinity, -1, 0, -0, 0.5, 1.5, 1e308, -1e308, 2 ** 31 - 1, 2 ** 32, 2 ** 53, Number.MAX_SAFE_INTEGER,
  1e9, 1e4, Number.MIN_VALUE, -1e-300, 3, 7,
];
const OTHER_VALUES: readonly unknown[] = [null, true, false, '', 'x', 'NaN', '1', {}, [], [1, 2], [[]], { kind: 'x' }, { kind: null }];
/** Every `kind` of the Case schema: a swapped kind selects another variant whose fields are then missing or extra. */
const KINDS: readonly string[] = [
  'cyclic', 'dihedral', 'symmetric', 'product', 'generators', 'table', 'trivial', 'shift', 'rot90', 'natural', 'adjacency',
  'rotation2d', 'permutation', 'signed', 'dense', 'sum', 'tensor', 'factor', 'mlp', 'cnn', 'full', 'support', 'mask', 'basis',
  'synthetic', 'teacher', 'explicit', 'orbit', 'mnist', 'unitary', 'matrix', 'bogus',
];
const UNKNOWN_KEYS: readonly string[] = ['zz', '__proto__', 'constructor', 'toString', 'kind2', ''];

interface Mutation {
  op: 'delete' | 'type' | 'number' | 'length' | 'nest' | 'unknown-field' | 'kind';
  pick: number;
  arg: number;
  depth: number;
}

const mutationArb: fc.Arbitrary<Mutation> = fc.record({
  op: fc.constantFrom<Mutation['op']>('delete', 'type', 'number', 'length', 'nest', 'unknown-field', 'kind'),
  pick: fc.nat(),
  arg: fc.nat(),
  // shallow nesting is legitimate structure; 300–1000 levels (up to 3000 JSON levels) probe recursion limits while
  // staying printable by JSON.stringify (which overflows near 5000)
  depth: fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 300, max: 1000 })),
});

function nest(v: unknown, style: number, depth: number): unknown {
  let x = v;
  for (let i = 0; i < depth; i++) {
    switch (style % 5) {
      case 0: x = [x]; break;
      case 1: x = { kind: 'sum', parts: [x] }; break;
      case 2: x = { kind: 'orbit', of: x }; break;
      case 3: x = { kind: 'product', factors: [x, { kind: 'cyclic', n: 1 }] }; break;
      default: x = { kind: 'factor', which: 0, rep: x }; break;
    }
  }
  return x;
}

/** Applies one mutation to (a structured clone of) `input`. */
function mutate(input: unknown, m: Mutation): unknown {
  const paths = pathsOf(input);
  const path = paths[m.pick % paths.length];
  const node = getAt(input, path);
  switch (m.op) {
    case 'delete':
      return deleteAt(input, path);
    case 'type':
      return setAt(input, path, structuredClone(OTHER_VALUES[m.arg % OTHER_VALUES.length]));
    case 'number':
      return setAt(input, path, SPECIAL_NUMBERS[m.arg % SPECIAL_NUMBERS.length]);
    case 'length': {
      if (Array.isArray(node)) {
        const variants: unknown[][] = [[], node.slice(0, -1), [...node, structuredClone(node[0] ?? 0)], [...node, ...structuredClone(node)], [...node, SPECIAL_NUMBERS[m.arg % SPECIAL_NUMBERS.length]]];
        return setAt(input, path, variants[m.arg % variants.length]);
      }
      if (typeof node === 'string') return setAt(input, path, m.arg % 2 ? '' : node.repeat(50));
      return setAt(input, path, []);
    }
    case 'nest':
      return setAt(input, path, nest(node, m.arg, m.depth));
    case 'unknown-field': {
      const target = node !== null && typeof node === 'object' && !Array.isArray(node) ? path : path.slice(0, -1);
      const obj = getAt(input, target);
      if (obj === null || typeof obj !== 'object' || Array.isArray(obj)) return input;
      const key = UNKNOWN_KEYS[m.arg % UNKNOWN_KEYS.length];
      return setAt(input, [...target, key], SPECIAL_NUMBERS[m.arg % SPECIAL_NUMBERS.length]);
    }
    case 'kind': {
      const target = node !== null && typeof node === 'object' && 'kind' in node ? path : path.slice(0, -1);
      const obj = getAt(input, target);
      if (obj === null || typeof obj !== 'object' || !('kind' in obj)) return input;
      return setAt(input, [...target, 'kind'], KINDS[m.arg % KINDS.length]);
    }
  }
}

/**
 * An input made inside the property and printed as its recipe: a mutated value may be nested thousands of levels
 * deep, which fast-check's printer (and JSON.stringify) would overflow on when reporting a counterexample.
 */
class Input {
  constructor(readonly recipe: unknown, readonly make: () => unknown) {}
  [fc.toStringMethod](): string {
    return `Input(${fc.stringify(this.recipe)})`;
  }
}

/** A plain generated value as an Input. */
const plain = (arb: fc.Arbitrary<unknown>): fc.Arbitrary<Input> => arb.map((v) => new Input(v, () => v));

/** One to three mutations of one of `seeds` (cloned, so the seeds stay valid). */
function mutated(seeds: readonly unknown[]): fc.Arbitrary<Input> {
  return fc.record({ seed: fc.nat(), ms: fc.array(mutationArb, { minLength: 1, maxLength: 3 }) })
    .map((recipe) => new Input(recipe, () => recipe.ms.reduce((v, m) => mutate(v, m), structuredClone(seeds[recipe.seed % seeds.length]))));
}

/** Random JSON, JSON-mapped fc.anything, and raw JS values (NaN, −0, sparse arrays, null prototypes, Maps …). */
const jsonish: fc.Arbitrary<unknown> = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.anything({ maxDepth: 5 }).map((v): unknown => {
    try {
      return JSON.parse(JSON.stringify(v) ?? 'null') as unknown;
    } catch {
      return null; // BigInt and the like have no JSON form
    }
  }),
  fc.anything({ maxDepth: 4, withNullPrototype: true, withSparseArray: true, withTypedArray: true, withMap: true, withBoxedValues: true, withDate: true }),
);

/** Row-level damage for the raw-array constructors (their inputs stay number[][], as the types demand). */
interface RowMutation { op: 'entry' | 'drop-row' | 'drop-entry' | 'dup-row' | 'append' | 'swap' | 'empty-row' | 'clear'; i: number; j: number; v: number }

/** Small entries, mostly valid indices, some of everything else. */
const entry: fc.Arbitrary<number> = fc.oneof({ weight: 8, arbitrary: fc.integer({ min: -1, max: 8 }) }, { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_NUMBERS) });

function mutatedRows(seeds: readonly number[][][]): fc.Arbitrary<number[][]> {
  const m = fc.record({ op: fc.constantFrom<RowMutation['op']>('entry', 'entry', 'drop-row', 'drop-entry', 'dup-row', 'append', 'swap', 'empty-row', 'clear'), i: fc.nat(), j: fc.nat(), v: entry });
  return fc.tuple(fc.nat(), fc.array(m, { minLength: 1, maxLength: 3 })).map(([seed, ms]) => {
    let rows = seeds[seed % seeds.length].map((r) => r.slice());
    for (const { op, i, j, v } of ms) {
      if (rows.length === 0) break;
      const r = i % rows.length;
      const row = rows[r];
      switch (op) {
        case 'entry': if (row.length) row[j % row.length] = v; break;
        case 'drop-row': rows.splice(r, 1); break;
        case 'drop-entry': row.splice(j % Math.max(1, row.length), 1); break;
        case 'dup-row': rows.push(row.slice()); break;
        case 'append': row.push(v); break;
        case 'swap': [rows[r], rows[j % rows.length]] = [rows[j % rows.length], row]; break;
        case 'empty-row': rows[r] = []; break;
        case 'clear': rows = []; break;
      }
    }
    return rows;
  });
}

/** A random object shaped like `template`'s top level: the right keys, random values (gets past the first check). */
function shapedLike(template: Record<string, unknown>): fc.Arbitrary<Input> {
  return plain(fc.dictionary(fc.constantFrom(...Object.keys(template)), jsonish, { maxKeys: Object.keys(template).length }));
}

// ---------------------------------------------------------------------------------------------------------------
// Valid seeds: one Case per branch of the schema

const C4_ROTATIONS = [[1, 0, 0, 1], [0, -1, 1, 0], [-1, 0, 0, -1], [0, 1, -1, 0]];
const mlp = (input: unknown, output: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> => ({ kind: 'mlp', input, hidden: [], output, ...extra });

const CASE_SEEDS: readonly CaseInput[] = [
  ...examples.filter((e) => e.name !== 'paper-cnn').map((e) => e.spec), // paper-cnn: a 28×28 CNN on 100 MNIST digits, too slow per run
  {
    name: 'product-factors', group: { kind: 'product', factors: [{ kind: 'cyclic', n: 2 }, { kind: 'cyclic', n: 3 }] },
    model: mlp({ kind: 'sum', parts: [{ kind: 'factor', which: 0, rep: { kind: 'shift', dim: 2 } }, { kind: 'factor', which: 1, rep: { kind: 'shift', dim: 3 } }] }, { kind: 'trivial' }) as CaseInput['model'],
    data: { kind: 'synthetic', seed: 'p', count: 3 },
  },
  {
    name: 'table-c3', group: { kind: 'table', table: [[0, 1, 2], [1, 2, 0], [2, 0, 1]] },
    model: mlp({ kind: 'permutation', perms: [[0, 1, 2], [1, 2, 0], [2, 0, 1]] }, { kind: 'trivial', dim: 2 }, { bias: true }) as CaseInput['model'],
    data: { kind: 'explicit', x: [[1, 2, 3], [0, -1, 0.5]], y: [[1, 0], [0, 1]] },
  },
  {
    name: 'generators-s3', group: { kind: 'generators', perms: [[1, 0, 2], [1, 2, 0]] },
    model: { kind: 'mlp', input: { kind: 'natural' }, hidden: [{ kind: 'natural' }], output: { kind: 'trivial' }, activation: 'sigmoid' },
    data: { kind: 'orbit', of: { kind: 'synthetic', seed: 4, count: 2 } },
  },
  {
    name: 'signed-c2', group: { kind: 'cyclic', n: 2 },
    model: mlp({ kind: 'signed', perms: [[0, 1], [1, 0]], signs: [[1, 1], [-1, -1]] }, { kind: 'trivial' }) as CaseInput['model'],
    admissible: { kind: 'basis', vectors: [[1, -1]], name: 'antidiagonal' }, data: { kind: 'synthetic', seed: 5, count: 2 },
  },
  {
    name: 'dense-c4', group: { kind: 'cyclic', n: 4 },
    model: mlp({ kind: 'dense', dim: 2, matrices: C4_ROTATIONS }, { kind: 'rotation2d' }) as CaseInput['model'],
    data: { kind: 'teacher', seed: 6, count: 3, scale: 0.3, noise: 0.01, equivariant: true }, loss: 'squared',
  },
  {
    name: 'tensor-adjacency', group: { kind: 'symmetric', n: 3 },
    model: mlp({ kind: 'adjacency' }, { kind: 'tensor', a: { kind: 'natural' }, b: { kind: 'trivial' } }) as CaseInput['model'],
    admissible: { kind: 'mask', mask: Array.from({ length: 27 }, (_, i) => (i % 4 === 0 ? 1 : 0) as 0 | 1) },
    data: { kind: 'synthetic', seed: 7, count: 2 },
  },
  {
    name: 'cnn-cells', group: { kind: 'dihedral', n: 4 },
    model: { kind: 'cnn', imageSize: 4, inChannels: 1, outputs: 3, blocks: [{ outChannels: 1, pool: true, layerNorm: true, activation: 'softplus' }] },
    admissible: { kind: 'support', support: [[1, 1], [0, 1], [1, 0], [1, 2], [2, 1]], segments: ['conv0'] },
    data: { kind: 'synthetic', seed: 8, count: 2, targets: 'one-hot' }, loss: 'cross-entropy',
  },
  {
    name: 'mnist-c1', group: { kind: 'cyclic', n: 1 },
    model: mlp({ kind: 'trivial', dim: 784 }, { kind: 'trivial', dim: 10 }) as CaseInput['model'],
    data: { kind: 'mnist', count: 2, sample: 'window', offset: 5 }, loss: 'cross-entropy',
  },
  {
    name: 'matrix-param', group: { kind: 'cyclic', n: 2 },
    model: mlp({ kind: 'shift', dim: 2 }, { kind: 'trivial' }, { activation: 'leaky-relu(0.1)', outputActivation: 'biased-tanh' }) as CaseInput['model'],
    data: { kind: 'synthetic', seed: 9, count: 2 }, parametrization: { kind: 'matrix', M: [[1, 0, 2], [0.5, 1, 0]] },
  },
];

/** Parsed and built: what a successful build must look like (finite, in range, NaN-free where it is cheap to see). */
function checkBuilt(b: BuiltCase): void {
  const dim = b.model.space.dim;
  expect(Number.isSafeInteger(dim) && dim >= 1, `dim H = ${dim}`).toBe(true);
  expect(Number.isSafeInteger(b.group.order) && b.group.order >= 1).toBe(true);
  expect(b.P.dimE >= 0 && b.P.dimE <= dim && b.P.dimG >= b.P.dimE && b.P.dimG <= dim, `dim E = ${b.P.dimE}, dim H_G = ${b.P.dimG}, dim H = ${dim}`).toBe(true);
  expect(Number.isFinite(b.P.defect) && b.P.defect >= 0, `defect ${b.P.defect}`).toBe(true);
  expectNoNaN(b.data.x, 'data.x');
  expectNoNaN(b.data.y, 'data.y');
  // the risks at A = 0 and at a small generic A: a cheap end-to-end evaluation (skipped for big cases, for time).
  // Data of size ~1e308 overflow: R is then +∞ (never NaN), but ∇R sums ±∞ terms into NaN — so the gradient is checked
  // only for data below 1e100, where no product or square of data, weights (≤ 0.1) and activations can overflow.
  if (dim * b.data.count * b.group.order <= 2e6) {
    const A = new Float64Array(dim);
    for (const R of [b.R, b.Raug]) expect(Number.isNaN(R.value(A)), 'R(0) is NaN').toBe(false);
    for (let i = 0; i < dim; i++) A[i] = 0.1 * Math.sin(i + 1);
    const grad = new Float64Array(dim);
    const moderate = [b.data.x, b.data.y].every((v) => v.every((t) => Math.abs(t) <= 1e100));
    for (const R of [b.R, b.Raug]) {
      expect(Number.isNaN(R.gradient(A, grad)), 'R(A) is NaN').toBe(false);
      if (moderate) expectNoNaN(grad, '∇R(A)');
    }
  }
}

/** parseCase, then buildCase on success: typed errors only, NaN-free results. */
function parseAndBuild(input: unknown): void {
  const parsed = outcome(() => parseCase(input));
  if (!parsed.ok) return;
  expectNoNaN(parsed.value, 'parseCase');
  if (parsed.value.group.kind === 'perm-generators') {
    const pc = outcome(() => buildPermCase(parsed.value));
    if (pc.ok) checkPermBuilt(pc.value);
    return;
  }
  const built = outcome(() => buildCase(parsed.value));
  if (built.ok) checkBuilt(built.value);
}

/** A Case of a group by generators (never enumerated): R and ∇R at a point are not NaN. */
function checkPermBuilt(c: PermCase): void {
  const A = Float64Array.from({ length: c.params.dim }, (_, i) => 0.1 * Math.sin(i + 1));
  const grad = new Float64Array(c.params.dim);
  expect(Number.isNaN(c.R.gradient(A, grad)), 'R(A) is NaN').toBe(false);
}

describe('fuzz: parseCase → buildCase', () => {
  it('every seed Case is valid and builds (the mutation baseline)', () => {
    for (const s of CASE_SEEDS) {
      const spec = parseCase(s);
      if (spec.group.kind === 'perm-generators') checkPermBuilt(buildPermCase(spec));
      else checkBuilt(buildCase(spec));
    }
  });

  it('random JSON and raw JS values: a Case or a typed error', () => {
    checkProperty(fc.property(fc.oneof(plain(jsonish), shapedLike(CASE_SEEDS[0] as Record<string, unknown>)), (input) => { parseAndBuild(input.make()); }), { runs: runs(100) });
  });

  it('mutated valid Cases: a Case that builds, or a typed error naming the field', () => {
    checkProperty(fc.property(mutated(CASE_SEEDS), (input) => { parseAndBuild(input.make()); }), { runs: runs(200) });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// parseTrace

/** Valid traces of small cases (dim H = 2 and 4), as files hold them. */
const TRACE_SEEDS: readonly unknown[] = [
  { format: 'eqflow-trace/1', case: examples[1].spec, gamma: 1, dynamics: 'reg-augmented', mu: 0.5, snapshots: [{ t: 0, A: [0.1, -0.2] }, { t: 0.5, A: [0.05, -0.1] }, { t: 1, A: [0.01, 0.02] }] },
  { case: CASE_SEEDS[8], snapshots: [{ t: 0, A: [1, 0, 0, 1] }, { t: 2, A: [0.5, 0.5, 0.25, 0.75] }] },
];

describe('fuzz: parseTrace', () => {
  it('random JSON and mutated valid traces: a Trace (finite, strictly increasing times) or a typed error', () => {
    const check = (input: Input): void => {
      const r = outcome(() => parseTrace(input.make()));
      if (!r.ok) return;
      expectNoNaN(r.value, 'parseTrace');
      const ts = r.value.snapshots.map((s) => s.t);
      expect(ts.every((t, k) => Number.isFinite(t) && (k === 0 || t > ts[k - 1]))).toBe(true);
      expect(Number.isFinite(r.value.gamma) && r.value.gamma >= 0).toBe(true);
    };
    checkProperty(fc.property(fc.oneof(plain(jsonish), shapedLike(TRACE_SEEDS[0] as Record<string, unknown>), mutated(TRACE_SEEDS), mutated(TRACE_SEEDS)), check), { runs: runs(200) });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// Groups and representations from raw arrays

const rawRows = (maxRows: number, maxCols: number): fc.Arbitrary<number[][]> => fc.array(fc.array(entry, { maxLength: maxCols }), { maxLength: maxRows });

const tableOf = (G: FiniteGroup): number[][] => Array.from({ length: G.order }, (_, a) => Array.from({ length: G.order }, (_, b) => G.mul(a, b)));
const SMALL_GROUPS: readonly FiniteGroup[] = [trivialGroup(), cyclic(2), cyclic(3), cyclic(4), dihedral(3), symmetric(3), dihedral(4)];
/** ρ(g)e_i = e_{g·i}: the regular representation, a valid permutation representation of every group. */
const regular = (G: FiniteGroup): number[][] => tableOf(G);

function checkGroup(G: FiniteGroup): void {
  const n = G.order;
  expect(G.table.length).toBe(n * n);
  expect(G.identity >= 0 && G.identity < n).toBe(true);
  for (let a = 0; a < n; a++) expect(G.mul(a, G.inv(a))).toBe(G.identity);
}

function checkRep(rep: Representation): void {
  expect(Number.isSafeInteger(rep.dim) && rep.dim >= 0).toBe(true);
  for (let g = 0; g < rep.group.order; g++) expectNoNaN(rep.matrix(g), `ρ(${g})`);
}

describe('fuzz: group and representation constructors with raw arrays', () => {
  it('fromCayleyTable: random and mutated Cayley tables give a group or a typed error', () => {
    const valid = SMALL_GROUPS.map(tableOf);
    checkProperty(fc.property(fc.oneof(rawRows(8, 8), mutatedRows(valid)), (rows) => {
      const r = outcome(() => fromCayleyTable(rows));
      if (r.ok) checkGroup(r.value);
    }), { runs: runs(200) });
  });

  it('fromGenerators: random and mutated generating sets give a group or a typed error', () => {
    const valid: number[][][] = [[[1, 0, 2], [1, 2, 0]], [[1, 2, 3, 0], [3, 2, 1, 0]], [[0, 1]], [[1, 0, 3, 2, 4, 5], [0, 2, 1, 4, 3, 5]]];
    // at most 6 points: every group generated stays ≤ |S_6| = 720, so a run takes milliseconds
    checkProperty(fc.property(fc.oneof(rawRows(3, 6), mutatedRows(valid)), (gens) => {
      if (gens.some((g) => g.length > 6)) return;
      const r = outcome(() => fromGenerators(gens));
      if (r.ok) checkGroup(r.value);
    }), { runs: runs(200) });
  });

  it('permutationRep, signedPermutationRep, denseRep: a validated representation or a typed error', () => {
    const group = fc.integer({ min: 0, max: SMALL_GROUPS.length - 1 }).map((i) => SMALL_GROUPS[i]);
    const validPerms = SMALL_GROUPS.map(regular);
    const validSigns = SMALL_GROUPS.map((G) => regular(G).map((row) => row.map(() => 1)));
    const validDense = SMALL_GROUPS.map((G) => regular(G).map((p) => {
      const m = new Array<number>(p.length * p.length).fill(0);
      p.forEach((to, from) => { m[to * p.length + from] = 1; });
      return m;
    }));
    const perms = fc.oneof(rawRows(8, 8), mutatedRows(validPerms));
    const signs = fc.oneof(rawRows(8, 8), mutatedRows(validSigns));
    const matrices = fc.oneof(rawRows(8, 16), mutatedRows(validDense));
    const dim = fc.oneof(fc.integer({ min: 0, max: 8 }), fc.constantFrom(...SPECIAL_NUMBERS));
    checkProperty(fc.property(group, perms, signs, matrices, dim, (G, p, s, m, d) => {
      for (const f of [() => permutationRep(G, p), () => signedPermutationRep(G, p, s), () => denseRep(G, m, d)]) {
        const r = outcome(f);
        if (r.ok) checkRep(r.value);
      }
    }), { runs: runs(200) });
  });

  it('dataset(): a NaN-free dataset or a typed error', () => {
    const values = fc.array(fc.oneof({ weight: 6, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true, min: -10, max: 10 }) }, { weight: 1, arbitrary: fc.constantFrom(...SPECIAL_NUMBERS) }), { maxLength: 24 });
    const dim = fc.oneof(fc.integer({ min: -1, max: 6 }), fc.constantFrom(...SPECIAL_NUMBERS));
    checkProperty(fc.property(values, values, dim, dim, (x, y, nIn, nOut) => {
      const r = outcome(() => dataset(x, y, nIn, nOut));
      if (!r.ok) return;
      expectNoNaN(r.value, 'dataset');
      expect(r.value.count * r.value.inputDim).toBe(r.value.x.length);
      expect(r.value.count * r.value.outputDim).toBe(r.value.y.length);
    }), { runs: runs(100) });
  });
});

// ---------------------------------------------------------------------------------------------------------------
// .npy and .npz bytes

interface NpySpec {
  descr: '<f8' | '<f4' | '<i8' | '<i4' | '<U3';
  shape: number[];
  fortran: boolean;
  version: 1 | 2 | 3;
}

const WIDTH: Record<NpySpec['descr'], number> = { '<f8': 8, '<f4': 4, '<i8': 8, '<i4': 4, '<U3': 12 };

/** A valid .npy file (numpy's layout: magic, version, header length, a padded dict header, the data). */
function npyBytes(s: NpySpec, fill: number): Buffer {
  const shape = `(${s.shape.join(', ')}${s.shape.length === 1 ? ',' : ''})`;
  let header = `{'descr': '${s.descr}', 'fortran_order': ${s.fortran ? 'True' : 'False'}, 'shape': ${shape}, }`;
  const pre = s.version === 1 ? 10 : 12;
  header += `${' '.repeat(63 - ((pre + header.length) % 64))}\n`;
  const head = Buffer.alloc(pre);
  head[0] = 0x93;
  head.write('NUMPY', 1, 'latin1');
  head[6] = s.version;
  if (s.version === 1) head.writeUInt16LE(header.length, 8);
  else head.writeUInt32LE(header.length, 8);
  const count = s.shape.reduce((a, b) => a * b, 1);
  const body = Buffer.alloc(count * WIDTH[s.descr]);
  for (let i = 0; i < count; i++) {
    const v = fill + i;
    if (s.descr === '<f8') body.writeDoubleLE(v / 3, 8 * i);
    else if (s.descr === '<f4') body.writeFloatLE(v / 3, 4 * i);
    else if (s.descr === '<i8') body.writeBigInt64LE(BigInt(v), 8 * i);
    else if (s.descr === '<i4') body.writeInt32LE(v, 4 * i);
    else {
      body.writeUInt32LE(0x61, 12 * i); // "a" then "b" in UTF-32LE, the third character NUL (numpy's padding)
      body.writeUInt32LE(0x62, 12 * i + 4);
    }
  }
  return Buffer.concat([head, Buffer.from(header, s.version === 3 ? 'utf8' : 'latin1'), body]);
}

/** A valid .npz: a zip of .npy members, stored or deflated (the CRC is left 0: eqflow does not check it). */
function npzBytes(members: Array<{ name: string; data: Buffer; deflate: boolean }>): Buffer {
  const locals: Buffer[] = [];
  const centrals: Buffer[] = [];
  let offset = 0;
  for (const m of members) {
    const body = m.deflate ? deflateRawSync(m.data) : m.data;
    const name = Buffer.from(m.name, 'utf8');
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(m.deflate ? 8 : 0, 8);
    local.writeUInt32LE(body.length, 18);
    local.writeUInt32LE(m.data.length, 22);
    local.writeUInt16LE(name.length, 26);
    const central = Buffer.alloc(46);
    central.writeUInt32LE(0x02014b50, 0);
    central.writeUInt16LE(m.deflate ? 8 : 0, 10);
    central.writeUInt32LE(body.length, 20);
    central.writeUInt32LE(m.data.length, 24);
    central.writeUInt16LE(name.length, 28);
    central.writeUInt32LE(offset, 42);
    locals.push(local, name, body);
    centrals.push(central, name);
    offset += 30 + name.length + body.length;
  }
  const cd = Buffer.concat(centrals);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(members.length, 8);
  eocd.writeUInt16LE(members.length, 10);
  eocd.writeUInt32LE(cd.length, 12);
  eocd.writeUInt32LE(offset, 16);
  return Buffer.concat([...locals, cd, eocd]);
}

const npySpec: fc.Arbitrary<NpySpec> = fc.record({
  descr: fc.constantFrom<NpySpec['descr']>('<f8', '<f4', '<i8', '<i4', '<U3'),
  shape: fc.array(fc.integer({ min: 0, max: 4 }), { maxLength: 3 }),
  fortran: fc.boolean(),
  version: fc.constantFrom<NpySpec['version']>(1, 2, 3),
});

/** Byte-level damage: overwrite bytes (0x00, 0xff, random), truncate, or splice in a hostile header field. */
interface ByteMutation { kind: 'set' | 'truncate' | 'header'; at: number; value: number; text: string }
const HOSTILE_SHAPES = ['(-1,)', '(1.5,)', '(1e400,)', '(99999999999, 99999999999)', '(abc,)', '(,)', '(2, -3)', '(0x10,)', '(4294967296,)'];
const byteMutation: fc.Arbitrary<ByteMutation> = fc.record({
  kind: fc.constantFrom<ByteMutation['kind']>('set', 'set', 'truncate', 'header'),
  at: fc.nat(),
  value: fc.oneof(fc.constantFrom(0, 0xff, 0x7f), fc.integer({ min: 0, max: 255 })),
  text: fc.constantFrom(...HOSTILE_SHAPES),
});

function damage(buf: Buffer, ms: ByteMutation[]): Buffer {
  let b = Buffer.from(buf);
  for (const m of ms) {
    if (b.length === 0) break;
    if (m.kind === 'set') b[m.at % b.length] = m.value;
    else if (m.kind === 'truncate') b = b.subarray(0, m.at % b.length);
    else {
      const s = b.toString('latin1');
      b = Buffer.from(s.replace(/\(\s*[\d,\s]*\)/, m.text), 'latin1'); // keeps the declared header length: misaligned on purpose
    }
  }
  return b;
}

function checkNpy(a: NpyArray): void {
  expect(a.shape.every((d) => Number.isSafeInteger(d) && d >= 0), `shape (${a.shape.join(', ')})`).toBe(true);
  expect(a.data.length).toBe(a.shape.reduce((x, y) => x * y, 1));
}

describe('fuzz: readNpy and readNpz on random and damaged bytes', () => {
  const randomBytes = fc.uint8Array({ maxLength: 300 }).map((u) => Buffer.from(u));
  /** random bytes behind a valid magic, so the header parser is reached */
  const afterMagic = fc.uint8Array({ maxLength: 200 }).map((u) => Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]), Buffer.from(u)]));
  const damagedNpy = fc.tuple(npySpec, fc.integer({ min: -5, max: 5 }), fc.array(byteMutation, { minLength: 1, maxLength: 3 })).map(([s, fill, ms]) => damage(npyBytes(s, fill), ms));

  it('readNpy: an array with a consistent shape or a typed error', () => {
    for (const s of [{ descr: '<f8', shape: [2, 3], fortran: true, version: 1 }, { descr: '<U3', shape: [2], fortran: false, version: 3 }] as NpySpec[]) checkNpy(readNpy(npyBytes(s, 1)));
    checkProperty(fc.property(fc.oneof(randomBytes, afterMagic, damagedNpy), (buf) => {
      const r = outcome(() => readNpy(buf));
      if (r.ok) checkNpy(r.value);
    }), { runs: runs(300) });
  });

  it('readNpz: a map of arrays or a typed error', () => {
    const member = fc.tuple(npySpec, fc.boolean(), fc.constantFrom('t.npy', 'A.npy', 'gamma.npy', 'x')).map(([s, deflate, name]) => ({ name, data: npyBytes(s, 2), deflate }));
    const validNpz = fc.array(member, { minLength: 1, maxLength: 3 }).map(npzBytes);
    checkNpz(readNpz(npzBytes([{ name: 'A.npy', data: npyBytes({ descr: '<f8', shape: [2, 2], fortran: false, version: 1 }, 0), deflate: true }])));
    /** random bytes ending in an end-of-central-directory record with random fields */
    const fakeEocd = fc.tuple(fc.uint8Array({ maxLength: 120 }), fc.uint8Array({ minLength: 18, maxLength: 18 })).map(([body, fields]) => Buffer.concat([Buffer.from(body), Buffer.from([0x50, 0x4b, 0x05, 0x06]), Buffer.from(fields)]));
    const damagedNpz = fc.tuple(validNpz, fc.array(byteMutation, { minLength: 1, maxLength: 3 })).map(([b, ms]) => damage(b, ms));
    checkProperty(fc.property(fc.oneof(randomBytes, fakeEocd, validNpz, damagedNpz, damagedNpz), (buf) => {
      const r = outcome(() => readNpz(buf));
      if (r.ok) checkNpz(r.value);
    }), { runs: runs(300) });
  });
});

function checkNpz(m: Map<string, NpyArray>): void {
  for (const a of m.values()) checkNpy(a);
}

// ---------------------------------------------------------------------------------------------------------------
// The eqflow/1 protocol: handshake and answers from a scripted process

const SCRIPTED = fileURLToPath(new URL('../test/fixtures/scripted-impl.mjs', import.meta.url));
const b64 = (s: string): string => Buffer.from(s, 'utf8').toString('base64');
const command = (hello?: string): string => `"${process.execPath}" "${SCRIPTED}"${hello === undefined ? '' : ` ${b64(hello)}`}`;

/** A line the process writes: never blank or multi-line (a blank line is not an answer; the request would time out). */
const oneLine = (s: string): string => {
  const t = s.replace(/[\r\n]/g, ' ');
  return t.trim() === '' ? `${t}?` : t;
};

const VALID_HELLO = { protocol: 'eqflow/1', name: 'scripted', capabilities: ['action', 'projectors', 'risk', 'step', 'sampled-step', 'flow', 'extra'] };
const helloLine: fc.Arbitrary<string> = fc.oneof(
  jsonish.map((v) => oneLine(JSON.stringify(v) ?? 'undefined')),
  mutated([VALID_HELLO]).map((i) => oneLine(JSON.stringify(i.make()) ?? 'undefined')),
  fc.string({ maxLength: 60 }).map(oneLine),
  fc.constantFrom('{"protocol": "eqflow/1", "name": NaN, "capabilities": []}', '{"error": {"code": "io", "message": "no"}}', '[1, 2', 'null'),
);

/** The dim-4 case the scripted process serves (C2 shifts on R², one 2×2 layer). */
const DIM4: CaseInput = {
  name: 'dim4', group: { kind: 'cyclic', n: 2 },
  model: { kind: 'mlp', input: { kind: 'shift', dim: 2 }, hidden: [], output: { kind: 'trivial', dim: 2 } },
  data: { kind: 'explicit', x: [[1, 2]], y: [[0.5, -1]] },
};
const OPS = ['act', 'project', 'risk', 'step', 'sampledStep', 'flow'] as const;
type Op = (typeof OPS)[number];
const VALID_ANSWERS: Record<Op, Record<string, unknown>> = {
  act: { id: 0, A: [1, 2, 3, 4] }, project: { id: 0, A: [0.5, 0.5, 0, 1e-3] }, risk: { id: 0, value: 0.25, gradient: [0, -1, 2, 3] },
  step: { id: 0, A: [1, 1, 1, 1] }, sampledStep: { id: 0, A: [2, 2, 2, 2] }, flow: { id: 0, points: [[1, 2, 3, 4], [0, 0, 0, 0]] },
};
const VALID_OPEN = { id: 0, session: 's', dim: 4 };
/** A JSON line with the request's id spliced in where the template had id 0 (mutations may have moved or removed it). */
const withId = (v: unknown): string => oneLine((JSON.stringify(v) ?? 'undefined').replace(/"id":0\b/, '"id":__ID__'));

const answerCase = fc.record({
  op: fc.constantFrom(...OPS),
  open: fc.option(fc.oneof(mutated([VALID_OPEN]).map((i) => withId(i.make())), jsonish.map(withId)), { freq: 4 }),
  answer: fc.oneof(
    fc.constantFrom(...OPS).chain((op) => mutated([VALID_ANSWERS[op]]).map((i) => withId(i.make()))),
    jsonish.map(withId),
    fc.constantFrom(...OPS).map((op) => withId(VALID_ANSWERS[op])),
    fc.constantFrom('{"id": __ID__, "A": [1, NaN, 2, 3]}', '{"id": __ID__, "value": Infinity, "gradient": [0, 0, 0, 0]}', '{"id": __ID__, "A": [1, 2, 3, 4]', '{"id": __ID__, "error": {"code": 7, "message": []}}', '{"id": __ID__, "error": {"code": "not-finite", "message": "x", "field": "A[2]"}}', 'garbage'),
  ),
});

async function ask(impl: ExternalImplementation, op: Op, open: string | null, answer: string): Promise<void> {
  const spec: CaseSpec = parseCase({ ...DIM4, name: b64(JSON.stringify(open === null ? { answer } : { open, answer })) });
  const session = await outcomeAsync(() => impl.open(spec));
  if (!session.ok) return;
  const s = session.value;
  const A = Float64Array.from([0.5, -1, 2, 0.25]);
  const r = await outcomeAsync(async (): Promise<unknown> => {
    switch (op) {
      case 'act': return s.act(1, A);
      case 'project': return s.project('E', A);
      case 'risk': return s.risk('augmented', A);
      case 'step': return s.step('reg-augmented', A, 0.1, 1);
      case 'sampledStep': return s.sampledStep(A, 0.1, 1, Int32Array.from([1]));
      case 'flow': return s.flow('augmented', A, 0, [0.5, 1], 0.1);
    }
  });
  if (r.ok) {
    expectNoNaN(r.value, `${op} answer`);
    const vectors = r.value instanceof Float64Array ? [r.value] : Array.isArray(r.value) ? (r.value as Float64Array[]) : [(r.value as { gradient: Float64Array }).gradient];
    for (const v of vectors) expect(v.length).toBe(4);
  }
  await outcomeAsync(() => s.close());
}

describe('fuzz: the eqflow/1 protocol (handshake and answers of a scripted process)', () => {
  it('handshake: an implementation with known capabilities, or a typed error', async () => {
    await checkAsync(fc.asyncProperty(helloLine, async (line) => {
      const r = await outcomeAsync(() => ExternalImplementation.start(command(line), { timeoutMs: 5000, exitGraceMs: 200 }));
      if (!r.ok) return;
      expect(r.value.name.length).toBeGreaterThan(0);
      await r.value.close();
    }), 100);
  }, 120_000 * runScale()); // one process per run: the time grows with EQFLOW_RUNS

  let impl: ExternalImplementation;
  beforeAll(async () => { impl = await ExternalImplementation.start(command(), { timeoutMs: 5000, exitGraceMs: 200 }); });
  afterAll(async () => { await impl.close(); });

  it('answers to every op: a finite vector of length dim, or a typed error naming op#id', async () => {
    await checkAsync(fc.asyncProperty(answerCase, async ({ op, open, answer }) => { await ask(impl, op, open, answer); }), 200);
  }, 120_000 * runScale());
});

// ---------------------------------------------------------------------------------------------------------------
// Benchmark files (bench/report.ts): history lines, runs, baselines

const dir = mkdtempSync(join(tmpdir(), 'eqflow-fuzz-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const MACHINE = { cpu: 'cpu', cores: 2, parallelism: 2, memGiB: 8, platform: 'linux', arch: 'x64', node: 'v20', v8: '11', commit: 'abc', dirty: false, date: '2025-01-01T00:00:00Z', loadStart: 0.1, loadEnd: 0.2 };
const TASK = { name: 't', group: 'g', description: 'd', clock: 'cpu', reps: 1, flops: null, meanMs: 1, p50Ms: 1, p99Ms: 2, minMs: 0.5, maxMs: 3, sdMs: 0.1, rme: 1, count: 3, gflops: null, samples: [0.5, 1, 3] };
const CONFIG = makeConfig([{ name: 't', size: { n: 4 }, clock: 'cpu' }], 'v20', 'cpu', 2);
const RUN = { kind: 'eqflow-bench-run', version: 1, source: 'bench', machine: MACHINE, config: CONFIG, tasks: [TASK], errored: [] };
const BASELINE = { kind: 'eqflow-bench-baseline', version: 1, name: 'b', created: '2025-01-01', config: CONFIG, runs: [RUN, RUN, RUN] };
const HISTORY = { kind: 'eqflow-bench-history', version: 1, source: 'save', date: 'd', commit: 'c', dirty: false, config: CONFIG.hash, loadStart: 0.3, tasks: { t: { meanMs: 1, p50Ms: 1, p99Ms: 2, rme: 1, count: 3, gflops: null } } };

describe('fuzz: benchmark files (bench/report.ts)', () => {
  it('parseHistory: records or a typed error naming the line', () => {
    const line = fc.oneof(jsonish.map((v) => JSON.stringify(v) ?? ''), mutated([HISTORY]).map((i) => JSON.stringify(i.make()) ?? ''), fc.string({ maxLength: 40 }), fc.constant(JSON.stringify(HISTORY)));
    checkProperty(fc.property(fc.array(line, { maxLength: 4 }), (lines) => {
      const r = outcome(() => parseHistory(lines.join('\n'), 'history.jsonl'));
      if (r.ok) expectNoNaN(r.value, 'parseHistory');
    }), { runs: runs(100) });
  });

  it('loadRun and loadBaseline: a validated file or a typed error (never a ZodError or a SyntaxError)', async () => {
    let k = 0;
    const text = fc.oneof(jsonish.map((v) => JSON.stringify(v) ?? ''), mutated([RUN, BASELINE]).map((i) => JSON.stringify(i.make()) ?? ''), fc.string({ maxLength: 40 }), fc.constantFrom(JSON.stringify(RUN), JSON.stringify(BASELINE), '{"kind": NaN}'));
    await checkAsync(fc.asyncProperty(text, async (t) => {
      const file = join(dir, `f${k++}.json`);
      writeFileSync(file, t);
      const loaders: ReadonlyArray<(f: string) => Promise<unknown>> = [loadRun, loadBaseline];
      for (const load of loaders) {
        const r = await outcomeAsync(() => load(file));
        if (r.ok) expectNoNaN(r.value, load.name);
      }
    }), 100);
  });
});

// ---------------------------------------------------------------------------------------------------------------
// The inputs that broke an entry point before the fix (each a one-line regression with its field)

/** The EqflowError f throws (failing the test with whatever else it threw, or if it returns). */
function typedError(f: () => unknown): EqflowError {
  const r = outcome(f);
  if (r.ok) throw new Error('expected an EqflowError, got a result');
  return r.error;
}

const SMALL_CASE: CaseInput = CASE_SEEDS[1] as CaseInput; // nominal-leaves-e: C2, R² → R

describe('fuzz regressions: inputs that threw a RangeError, hung or ran out of memory before the fix', () => {
  it('parseCase: 800 nested `sum`s (or `orbit`s) is a typed error naming the path, not a stack overflow in zod', () => {
    let rep: unknown = { kind: 'trivial' };
    for (let i = 0; i < 800; i++) rep = { kind: 'sum', parts: [rep] };
    const e = typedError(() => parseCase({ ...SMALL_CASE, model: { ...(SMALL_CASE.model as Record<string, unknown>), output: rep } }));
    expect(e.code).toBe('invalid-argument');
    expect(e.field).toMatch(/^case\.model\.output(\.parts\[0\])+/);
    let data: unknown = { kind: 'synthetic', seed: 1, count: 1 };
    for (let i = 0; i < 3000; i++) data = { kind: 'orbit', of: data };
    expect(typedError(() => parseCase({ ...SMALL_CASE, data })).field).toMatch(/^case\.data(\.of)+$/);
    // legitimate nesting stays accepted: 20 levels of sum
    let ok: unknown = { kind: 'trivial' };
    for (let i = 0; i < 20; i++) ok = { kind: 'sum', parts: [ok] };
    expect(parseCase({ ...SMALL_CASE, model: { ...(SMALL_CASE.model as Record<string, unknown>), output: ok } }).name).toBe(SMALL_CASE.name);
  });

  it('groups too large for a Cayley table are refused at once (S_8 by generators ran 5 min, then V8 aborted)', () => {
    const started = Date.now();
    const s8 = typedError(() => fromGenerators([[1, 0, 2, 3, 4, 5, 6, 7], [1, 2, 3, 4, 5, 6, 7, 0]]));
    expect([s8.code, s8.field]).toEqual(['invalid-argument', 'generators']);
    for (const f of [() => cyclic(1e6), () => dihedral(3000), () => buildCase(parseCase({ ...SMALL_CASE, group: { kind: 'product', factors: [{ kind: 'cyclic', n: 100 }, { kind: 'cyclic', n: 100 }] } }))]) {
      expect(typedError(f).message).toMatch(/too large/);
    }
    expect(Date.now() - started).toBeLessThan(5000); // each refusal happens before anything of size |G|² exists
  });

  it('absurd dimensions and counts in a Case are refused before allocation (they hung or threw RangeError)', () => {
    const model = SMALL_CASE.model as Record<string, unknown>;
    const inputs: unknown[] = [
      { ...SMALL_CASE, model: { ...model, input: { kind: 'shift', dim: 2 ** 32 } } },
      { ...SMALL_CASE, model: { ...model, output: { kind: 'trivial', dim: 1e9 } } },
      { ...SMALL_CASE, group: { kind: 'cyclic', n: 4 }, model: { kind: 'cnn', imageSize: 1e5, inChannels: 1, blocks: [], outputs: 1 } },
      { ...SMALL_CASE, group: { kind: 'cyclic', n: 4 }, model: { kind: 'cnn', imageSize: 4, inChannels: 1, blocks: [], outputs: 1e9 } },
      { ...SMALL_CASE, model: { ...model, input: { kind: 'shift', dim: 10000 } }, data: { kind: 'synthetic', seed: 1, count: 100000 } },
      { ...SMALL_CASE, data: { kind: 'teacher', seed: 1, count: 100000 }, model: { ...model, input: { kind: 'shift', dim: 4000 } } },
    ];
    for (const input of inputs) {
      const started = Date.now();
      const e = typedError(() => buildCase(parseCase(input)));
      expect(e.message, e.message).toMatch(/more than the limit/);
      expect(Date.now() - started).toBeLessThan(2000);
    }
  });

  it('readNpy: a short version-2 preamble, a shape of −1 or 1.5, a UTF-32 value past U+10FFFF are io errors', () => {
    const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
    expect(typedError(() => readNpy(Buffer.from([...magic, 2, 0, 0, 0]))).code).toBe('io');
    for (const shape of ['(-1,)', '(1.5,)', '(1e400,)']) {
      const header = `{'descr': '<f8', 'fortran_order': False, 'shape': ${shape}, }`;
      const b = Buffer.concat([Buffer.from([...magic, 1, 0, header.length, 0]), Buffer.from(header, 'latin1'), Buffer.alloc(16)]);
      expect(typedError(() => readNpy(b)).message).toMatch(/shape/);
    }
    const bad = npyBytes({ descr: '<U3', shape: [1], fortran: false, version: 1 }, 0);
    bad.writeUInt32LE(0x00620061, bad.length - 12); // "ab" written as UTF-16: not a code point in UTF-32
    expect(typedError(() => readNpy(bad)).message).toMatch(/code point/);
  });

  it('readNpz: offsets and sizes pointing past the end, and a bad deflate stream, are io errors', () => {
    const eocdOnly = Buffer.from([0x50, 0x4b, 0x05, 0x06, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0]);
    expect(typedError(() => readNpz(eocdOnly)).code).toBe('io');
    const good = npzBytes([{ name: 'A.npy', data: npyBytes({ descr: '<f8', shape: [3], fortran: false, version: 1 }, 0), deflate: true }]);
    const corrupt = Buffer.from(good);
    corrupt[40] ^= 0xff; // inside the deflated member
    const r = outcome(() => readNpz(corrupt));
    if (!r.ok) expect(r.error.code).toBe('io');
  });
});
