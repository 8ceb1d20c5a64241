/**
 * src/core: seeded random streams (determinism, independent children, moments), the Float64Array kernels
 * (gemm variants against the naive triple loop, overflow-safe norm, vector helpers), typed errors and tolerances.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EqflowError, require as requireOk, requireFinite, requireInteger, requireLength } from '../src/core/errors.js';
import {
  add, axpy, distance, dot, gemm, gemmNT, gemmNaive, gemmTN, maxAbs, norm, scale, sub,
} from '../src/core/kernels.js';
import seedrandom from 'seedrandom';
import { arc4Key, RandomStream } from '../src/core/rng.js';
import { EPS, ratio, roundoff } from '../src/core/tolerance.js';
import { checkProperty, expectEqflowError } from '../properties/arbitraries/index.js';

/** One call on a stream, recorded as numbers so two streams can be compared. */
type Op = 'uniform' | 'uniformIn' | 'gaussian' | 'int' | 'vector' | 'permutation';
const OPS: Op[] = ['uniform', 'uniformIn', 'gaussian', 'int', 'vector', 'permutation'];

function run(rs: RandomStream, ops: readonly Op[]): number[] {
  const out: number[] = [];
  for (const op of ops) {
    switch (op) {
      case 'uniform':
        out.push(rs.uniform());
        break;
      case 'uniformIn':
        out.push(rs.uniformIn(-3, 5));
        break;
      case 'gaussian':
        out.push(rs.gaussian());
        break;
      case 'int':
        out.push(rs.int(7));
        break;
      case 'vector':
        out.push(...rs.gaussianVector(3, 2));
        break;
      case 'permutation':
        out.push(...rs.permutation(5));
        break;
    }
  }
  return out;
}

const seedArb = fc.oneof(fc.integer(), fc.string({ maxLength: 12 }));
const opsArb = fc.array(fc.constantFrom(...OPS), { minLength: 1, maxLength: 20 });

describe('RandomStream', () => {
  it('same seed, same calls → same numbers (bit for bit)', () => {
    checkProperty(
      fc.property(seedArb, opsArb, (seed, ops) => {
        expect(run(new RandomStream(seed), ops)).toEqual(run(new RandomStream(seed), ops));
        // a number seed and its string are the same stream
        expect(new RandomStream(seed).seed).toBe(String(seed));
      }),
    );
  });

  it('different seeds give different streams', () => {
    checkProperty(
      fc.property(fc.integer(), fc.integer(), (a, b) => {
        fc.pre(a !== b);
        expect(run(new RandomStream(a), ['uniform', 'uniform'])).not.toEqual(run(new RandomStream(b), ['uniform', 'uniform']));
      }),
    );
  });

  it('child(name) is a pure function of (seed, name): independent of parent and sibling consumption order', () => {
    checkProperty(
      fc.property(seedArb, fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), opsArb, opsArb, opsArb, (seed, nameA, nameB, opsA, opsB, opsParent) => {
        fc.pre(nameA !== nameB);
        // reference: child a created and consumed first on a fresh parent
        const fresh = new RandomStream(seed).child(nameA);
        const want = run(fresh, opsA);
        // now: the parent is consumed, a sibling is created and consumed, then a is created and consumed
        const parent = new RandomStream(seed);
        run(parent, opsParent);
        const b = parent.child(nameB);
        const early = parent.child(nameA);
        run(b, opsB);
        expect(run(parent.child(nameA), opsA)).toEqual(want);
        // a child created before the sibling's consumption is unaffected as well
        expect(run(early, opsA)).toEqual(want);
        // children of different names differ; the child is the stream named `${seed}/${name}`
        expect(run(parent.child(nameB), ['uniform', 'uniform'])).not.toEqual(run(parent.child(nameA), ['uniform', 'uniform']));
        expect(run(new RandomStream(`${seed}/${nameA}`), opsA)).toEqual(want);
      }),
    );
  });

  /** The 256 bytes ARC4's key schedule reads from a key of at most 256 chars, as seedrandom builds it. */
  const schedule = (key: string): string => {
    const bytes = key.length === 0 ? [0] : Array.from(key, (_, i) => key.charCodeAt(i) & 255);
    return Array.from({ length: 256 }, (_, i) => bytes[i % bytes.length]).join(',');
  };
  /** Seeds built to collide under raw ARC4 keying: periodic extensions, and codes equal mod 256. */
  const collidingPairArb = fc.tuple(fc.string({ unit: 'binary', minLength: 1, maxLength: 6 }), fc.integer({ min: 1, max: 5 }), fc.nat(), fc.boolean())
    .map(([s, k, cut, shift]) => {
      const b = shift ? String.fromCharCode(...Array.from(s, (_, i) => (s.charCodeAt(i) + 256) % 0x10000)) : s.repeat(k) + s.slice(0, cut % s.length);
      return [s, b] as const;
    });

  it('distinct seeds never share an ARC4 key schedule, even those raw seedrandom confuses ("1" and "11", "±" and "α")', () => {
    // negative control: seedrandom keyed by the raw seed gives these pairs the same stream
    for (const [a, b] of [['1', '11'], ['/', '//'], ['ab', 'abab'], ['±', 'α'], ['', '\u0000']]) {
      expect(seedrandom(a)(), `${a} vs ${b}`).toBe(seedrandom(b)());
      expect(schedule(a)).toBe(schedule(b));
      expect(run(new RandomStream(a), ['uniform', 'uniform']), `${a} vs ${b}`).not.toEqual(run(new RandomStream(b), ['uniform', 'uniform']));
    }
    checkProperty(
      fc.property(fc.oneof(collidingPairArb, fc.tuple(fc.string({ unit: 'binary', maxLength: 8 }), fc.string({ unit: 'binary', maxLength: 8 }))), ([a, b]) => {
        fc.pre(a !== b);
        const [ka, kb] = [arc4Key(a), arc4Key(b)];
        // keys past 256 chars are folded by seedrandom's hash, outside this structural check
        if (ka.length <= 256 && kb.length <= 256) expect(schedule(ka)).not.toBe(schedule(kb));
        expect(run(new RandomStream(a), ['uniform', 'uniform'])).not.toEqual(run(new RandomStream(b), ['uniform', 'uniform']));
      }),
    );
  });

  it('a seed that is the shortest of its ARC4 class keeps the bits it always had (2025, its children, most integers)', () => {
    for (const seed of ['2025', '2025/claims/action', '7', '12345', '']) expect(arc4Key(seed)).toBe(seed);
    for (const seed of ['11', '2020', '//', 'α']) expect(arc4Key(seed)).not.toBe(seed);
    checkProperty(
      fc.property(fc.oneof(fc.integer().map(String), fc.string({ maxLength: 12 })), (seed) => {
        const raw = seedrandom(seed);
        const periodic = Array.from({ length: seed.length - 1 }, (_, p) => p + 1).some((p) => schedule(seed) === schedule(seed.slice(0, p)));
        // raw is kept exactly when no shorter seed has its schedule
        expect(arc4Key(seed) === seed).toBe(!periodic && !seed.includes('\u0000'));
        if (!periodic) expect(new RandomStream(seed).uniform()).toBe(raw.double());
      }),
    );
  });

  it('uniform ∈ [0,1), uniformIn ∈ [lo,hi), int(n) ∈ {0..n−1} hitting every value, permutation and shuffle are bijections', () => {
    checkProperty(
      fc.property(fc.integer(), fc.integer({ min: 1, max: 9 }), fc.array(fc.integer(), { maxLength: 12 }), (seed, n, items) => {
        const rs = new RandomStream(seed);
        const hits = new Uint32Array(n);
        for (let i = 0; i < 400; i++) {
          const u = rs.uniform();
          expect(u >= 0 && u < 1).toBe(true);
          const v = rs.uniformIn(-2, 3);
          expect(v >= -2 && v < 3).toBe(true);
          const k = rs.int(n);
          expect(Number.isInteger(k) && k >= 0 && k < n).toBe(true);
          hits[k]++;
        }
        // P(some value of n ≤ 9 missed in 400 draws) ≤ 9·(8/9)^400 ≈ 3e-20
        expect(Math.min(...hits)).toBeGreaterThan(0);
        const p = Array.from(rs.permutation(n)).sort((a, b) => a - b);
        expect(p).toEqual(Array.from({ length: n }, (_, i) => i));
        const shuffled = rs.shuffle(items.slice());
        expect(shuffled.slice().sort((a, b) => a - b)).toEqual(items.slice().sort((a, b) => a - b));
      }),
    );
  });

  it('gaussian moments: mean 0, variance 1, skewness 0, kurtosis 3 (5σ bands, 20 000 draws); uniform mean ½, variance 1/12', () => {
    const N = 20_000;
    checkProperty(
      fc.property(fc.integer(), fc.constantFrom(1, 0.5, 3), (seed, sd) => {
        const rs = new RandomStream(seed);
        const x = rs.gaussianVector(N, sd);
        let m1 = 0, m2 = 0, m3 = 0, m4 = 0;
        for (const v0 of x) {
          const v = v0 / sd;
          m1 += v;
          m2 += v * v;
          m3 += v * v * v;
          m4 += v * v * v * v;
        }
        m1 /= N; m2 /= N; m3 /= N; m4 /= N;
        // standard errors: Var(Z) = 1, Var(Z²) = 2, Var(Z³) = 15, Var(Z⁴) = 96
        const se = (v: number) => 5 * Math.sqrt(v / N);
        expect(Math.abs(m1)).toBeLessThan(se(1));
        expect(Math.abs(m2 - 1)).toBeLessThan(se(2));
        expect(Math.abs(m3)).toBeLessThan(se(15));
        expect(Math.abs(m4 - 3)).toBeLessThan(se(96));
        let u1 = 0, u2 = 0;
        for (let i = 0; i < N; i++) {
          const u = rs.uniform();
          u1 += u;
          u2 += u * u;
        }
        u1 /= N; u2 /= N;
        // Var(U) = 1/12, Var(U²) = 1/5 − 1/9 = 4/45
        expect(Math.abs(u1 - 0.5)).toBeLessThan(se(1 / 12));
        expect(Math.abs(u2 - 1 / 3)).toBeLessThan(se(4 / 45));
      }),
    );
  });
});

/** A k×n row-major block of small integers (exact products) or Gaussians from a seed. */
const BETAS = [0, 1, -1, 0.5, 2, -3];

interface GemmCase {
  m: number;
  n: number;
  k: number;
  beta: number;
  offs: [number, number, number];
  ints: boolean;
  seed: number;
}

const gemmCaseArb: fc.Arbitrary<GemmCase> = fc.record({
  m: fc.integer({ min: 1, max: 13 }),
  n: fc.integer({ min: 1, max: 13 }),
  k: fc.integer({ min: 0, max: 13 }),
  beta: fc.constantFrom(...BETAS),
  offs: fc.tuple(fc.nat({ max: 3 }), fc.nat({ max: 3 }), fc.nat({ max: 3 })),
  ints: fc.boolean(),
  seed: fc.nat(),
});

function fill(len: number, ints: boolean, rs: RandomStream): Float64Array {
  const x = new Float64Array(len);
  for (let i = 0; i < len; i++) x[i] = ints ? rs.int(17) - 8 : rs.gaussian();
  return x;
}

/** Pads `x` with `off` sentinel entries in front and 2 behind. */
function padded(x: Float64Array, off: number, sentinel = 1234.5): Float64Array {
  const out = new Float64Array(off + x.length + 2).fill(sentinel);
  out.set(x, off);
  return out;
}

function transposeOf(a: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(a.length);
  for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) t[j * rows + i] = a[i * cols + j];
  return t;
}

type Gemm = typeof gemm;

/**
 * Runs one gemm variant on padded buffers and compares with gemmNaive(A, B) + beta·C0: exact for integer data
 * (every partial sum is a small integer, so no rounding at all), otherwise within roundoff(Σ_p |a_ip||b_pj|, k)
 * (the two orders of summation each err by at most k·eps times that sum, plus the beta·C term).
 */
function checkGemm(kind: 'NN' | 'TN' | 'NT', f: Gemm, c: GemmCase): void {
  const { m, n, k, beta, offs, ints } = c;
  const rs = new RandomStream(`gemm:${c.seed}`);
  const A = fill(m * k, ints, rs); // m×k
  const B = fill(k * n, ints, rs); // k×n
  const C0 = fill(m * n, ints, rs);
  const ref = new Float64Array(m * n);
  gemmNaive(m, n, k, A, B, ref);
  const bound = new Float64Array(m * n);
  gemmNaive(m, n, k, A.map(Math.abs), B.map(Math.abs), bound);
  const aIn = kind === 'TN' ? transposeOf(A, m, k) : A; // TN takes A as k×m
  const bIn = kind === 'NT' ? transposeOf(B, k, n) : B; // NT takes B as n×k
  const a = padded(aIn, offs[0]), b = padded(bIn, offs[1]), cc = padded(C0, offs[2]);
  f(m, n, k, a, offs[0], b, offs[1], cc, offs[2], beta);
  for (let i = 0; i < m * n; i++) {
    const want = ref[i] + beta * C0[i];
    const got = cc[offs[2] + i];
    if (ints) expect(Math.abs(got - want)).toBe(0); // exact (and −0 vs 0 is not an error)
    else expect(Math.abs(got - want)).toBeLessThanOrEqual(roundoff(bound[i] + Math.abs(beta * C0[i]), k + 2));
  }
  // nothing outside C's block is written, A and B are not modified
  for (let i = 0; i < offs[2]; i++) expect(cc[i]).toBe(1234.5);
  expect(cc[offs[2] + m * n]).toBe(1234.5);
  expect(cc[offs[2] + m * n + 1]).toBe(1234.5);
  expect(Array.from(a.subarray(offs[0], offs[0] + m * k))).toEqual(Array.from(aIn));
  expect(Array.from(b.subarray(offs[1], offs[1] + k * n))).toEqual(Array.from(bIn));
}

describe('kernels', () => {
  it('gemm (C ← AB + βC) equals the naive triple loop, any m, n, k (not multiples of 4 too), β ∈ {0, 1, other}', () => {
    checkProperty(fc.property(gemmCaseArb, (c) => checkGemm('NN', gemm, c)));
  });

  it('gemmTN (C ← AᵀB + βC) equals the naive triple loop on Aᵀ', () => {
    checkProperty(fc.property(gemmCaseArb, (c) => checkGemm('TN', gemmTN, c)));
  });

  it('gemmNT (C ← ABᵀ + βC) equals the naive triple loop on Bᵀ', () => {
    checkProperty(fc.property(gemmCaseArb, (c) => checkGemm('NT', gemmNT, c)));
  });

  it('β = 0 overwrites C, even NaN garbage (BLAS semantics), in all three variants', () => {
    checkProperty(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), fc.integer({ min: 1, max: 9 }), (m, n, k) => {
        const A = new Float64Array(m * k).fill(1), B = new Float64Array(k * n).fill(1);
        for (const f of [gemm, gemmTN, gemmNT]) {
          const C = new Float64Array(m * n).fill(Number.NaN);
          f(m, n, k, A, 0, B, 0, C, 0, 0);
          expect(Array.from(C)).toEqual(new Array(m * n).fill(k));
        }
      }),
    );
  });

  it('dot, axpy, scale, add, sub, distance, maxAbs agree with the definitions (with offsets)', () => {
    checkProperty(
      fc.property(fc.array(fc.integer({ min: -50, max: 50 }), { minLength: 1, maxLength: 20 }), fc.integer({ min: -3, max: 3 }), fc.nat({ max: 3 }), (xs, a, off) => {
        const x = Float64Array.from(xs);
        const y = Float64Array.from(xs, (v, i) => v - 2 * i);
        const n = x.length;
        let d = 0;
        for (let i = 0; i < n; i++) d += x[i] * y[i];
        expect(Math.abs(dot(x, y) - d)).toBe(0); // small integers: exact
        expect(Math.abs(dot(padded(x, off), padded(y, off + 1), n, off, off + 1) - d)).toBe(0);
        const z = padded(y, off);
        axpy(a, x, z, n, 0, off);
        for (let i = 0; i < n; i++) expect(Math.abs(z[off + i] - (y[i] + a * x[i]))).toBe(0);
        expect(z[off + n]).toBe(1234.5);
        const s = padded(x, off);
        scale(a, s, n, off);
        for (let i = 0; i < n; i++) expect(Math.abs(s[off + i] - a * x[i])).toBe(0);
        expect(s[off + n]).toBe(1234.5);
        expect(Array.from(add(x, y))).toEqual(Array.from(x, (v, i) => v + y[i]));
        expect(Array.from(sub(x, y))).toEqual(Array.from(x, (v, i) => v - y[i]));
        // n exact integer differences, then two norms of n terms each within n·eps relative
        expect(Math.abs(distance(x, y) - Math.hypot(...Array.from(x, (v, i) => v - y[i])))).toBeLessThanOrEqual(roundoff(distance(x, y), n));
        expect(maxAbs(x)).toBe(Math.max(...xs.map(Math.abs)));
      }),
    );
  });

  it('norm equals Math.hypot to round-off at every scale 1e-300..1e300 (no overflow or underflow), with offsets', () => {
    checkProperty(
      fc.property(fc.array(fc.integer({ min: -1000, max: 1000 }), { minLength: 1, maxLength: 40 }), fc.integer({ min: -300, max: 300 }), fc.nat({ max: 3 }), (ms, e, off) => {
        const x = Float64Array.from(ms, (v) => v * 10 ** e);
        const ref = Math.hypot(...x);
        const got = norm(padded(x, off, 1e308), x.length, off);
        // n squares and a sum of n terms, each relative error eps; 1e-300·1000 stays normal
        expect(Math.abs(got - ref)).toBeLessThanOrEqual(roundoff(ref, 2 * x.length));
      }),
    );
  });

  it('norm: 1e200 entries do not overflow, 1e-200 entries do not underflow, NaN and ±Inf propagate', () => {
    expect(norm(Float64Array.from([1e200, 1e200]))).toBeCloseTo(Math.SQRT2 * 1e200, -186);
    expect(Math.abs(norm(new Float64Array(100).fill(1e200)) / 1e201 - 1)).toBeLessThan(1e-14);
    expect(Math.abs(norm(new Float64Array(100).fill(-1e-200)) / 1e-199 - 1)).toBeLessThan(1e-14);
    expect(norm(Float64Array.from([3e-320, 4e-320]))).toBeGreaterThan(0); // subnormals: not 0
    expect(norm(new Float64Array(5))).toBe(0);
    expect(norm(Float64Array.from([1, Number.POSITIVE_INFINITY]))).toBe(Number.POSITIVE_INFINITY);
    expect(norm(Float64Array.from([Number.NEGATIVE_INFINITY, 1]))).toBe(Number.POSITIVE_INFINITY);
    expect(norm(Float64Array.from([1, Number.NaN]))).toBeNaN();
    // a NaN-only vector must not read as a zero norm (that would pass any "error ≤ tol" check)
    expect(norm(Float64Array.from([Number.NaN]))).toBeNaN();
    expect(norm(Float64Array.from([Number.NaN, 0]))).toBeNaN();
    expect(maxAbs([Number.NaN, 0])).toBeNaN();
    expect(distance(Float64Array.from([Number.NaN]), Float64Array.from([0]))).toBeNaN();
  });
});

describe('errors and tolerances', () => {
  it('EqflowError carries code and field; the message names the field; it is an Error', () => {
    const e = new EqflowError('not-a-group', 'table[1][2]', 'closure fails');
    expect(e).toBeInstanceOf(Error);
    expect(e).toBeInstanceOf(EqflowError);
    expect(e.name).toBe('EqflowError');
    expect(e.code).toBe('not-a-group');
    expect(e.field).toBe('table[1][2]');
    expect(e.message).toBe('table[1][2]: closure fails');
  });

  it('require, requireFinite, requireLength, requireInteger throw typed errors naming the field', () => {
    expect(() => requireOk(true, 'f', 'm')).not.toThrow();
    expectEqflowError(() => requireOk(false, 'f', 'm'), { code: 'invalid-argument', field: 'f', message: /^f: m$/ });
    expectEqflowError(() => requireOk(false, 'g', 'm', 'incompatible'), { code: 'incompatible', field: 'g' });
    checkProperty(
      fc.property(fc.array(fc.double({ noNaN: true, noDefaultInfinity: true }), { maxLength: 8 }), fc.nat({ max: 8 }), fc.constantFrom(Number.NaN, Infinity, -Infinity), (xs, at, bad) => {
        expect(() => requireFinite(xs, 'x')).not.toThrow();
        const ys = xs.slice();
        const i = Math.min(at, ys.length);
        ys.splice(i, 0, bad);
        expectEqflowError(() => requireFinite(ys, 'x'), { code: 'not-finite', field: `x[${i}]` });
        expectEqflowError(() => requireLength(xs, xs.length + 1, 'x'), { code: 'dimension-mismatch', field: 'x' });
        expect(() => requireLength(xs, xs.length, 'x')).not.toThrow();
      }),
    );
    expect(() => requireInteger(3, 'n')).not.toThrow();
    expect(() => requireInteger(0, 'n', 0)).not.toThrow();
    for (const bad of [0, -1, 1.5, Number.NaN, Infinity, 2 ** 60]) expectEqflowError(() => requireInteger(bad, 'n'), { code: 'invalid-argument', field: 'n' });
  });

  it('roundoff is 16·ops·eps·scale, never 0; ratio(0, ·) = 0', () => {
    expect(roundoff(1, 10)).toBe(160 * EPS);
    expect(roundoff(2, 0)).toBe(32 * EPS);
    expect(roundoff(0, 5)).toBeGreaterThan(0); // a zero scale still gives a positive tolerance
    expect(roundoff(1e-320, 5)).toBeGreaterThan(0);
    expect(ratio(0, 0)).toBe(0);
    expect(ratio(1, 4)).toBe(0.25);
  });
});
