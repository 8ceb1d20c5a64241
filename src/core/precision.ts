import { EqflowError } from './errors.js';
import { EPS } from './tolerance.js';

/**
 * The arithmetic an implementation computes in (docs/theory.md §10): float64, float32, tf32 (float32 storage,
 * products with a 10-bit mantissa, as GPU tensor cores), bfloat16 (8-bit mantissa), float16 (11-bit mantissa).
 */
export const PRECISIONS = ['float64', 'float32', 'tf32', 'bfloat16', 'float16'] as const;
/** One of {@link PRECISIONS}. */
export type Precision = (typeof PRECISIONS)[number];

/** Significand bits p (the implicit bit included) of each precision's arithmetic: u = 2^−p. */
const SIGNIFICAND: Record<Precision, number> = { float64: 53, float32: 24, tf32: 11, bfloat16: 8, float16: 11 };

/** Significand bits of each precision's storage (tf32 stores float32; its products round to 11 bits). */
const STORAGE: Record<Precision, number> = { float64: 53, float32: 24, tf32: 24, bfloat16: 8, float16: 11 };

/** The unit roundoff u = 2^−p of a precision's arithmetic (float64 2^−53, float32 2^−24, tf32 2^−11, …). */
export function unitRoundoff(p: Precision): number {
  return 2 ** -SIGNIFICAND[p];
}

/**
 * The machine epsilon 2u of a precision: the constant of every round-off bound (for float64 exactly
 * Number.EPSILON, so float64 tolerances are those eqflow always had).
 */
export function machineEpsilon(p: Precision): number {
  return 2 * unitRoundoff(p);
}

/**
 * The unit roundoff of storing a float64 number in the precision's format, 0 for float64: the claims generate
 * float64 inputs, which a float64 implementation holds exactly and a narrower one rounds on arrival.
 */
export function storageRoundoff(p: Precision): number {
  return STORAGE[p] === 53 ? 0 : 2 ** -STORAGE[p];
}

/**
 * How much coarser than in float64 a perturbation probe or a "nothing there" threshold must be at machine epsilon
 * `eps`: √(eps/ε₆₄), keeping the probe at the geometric middle between round-off (∝ u) and its O(1) nonlinear
 * range, as float64's constants are; exactly 1 for float64.
 */
export function probeScale(eps: number): number {
  return Math.sqrt(eps / EPS);
}

/** The precision named `v`, or an EqflowError naming `field` and the known names. */
export function parsePrecision(v: unknown, field = 'precision'): Precision {
  if (typeof v === 'string' && (PRECISIONS as readonly string[]).includes(v)) return v as Precision;
  throw new EqflowError('invalid-argument', field, `unknown precision ${JSON.stringify(v)} (known: ${PRECISIONS.join(', ')})`);
}

/** float16's largest finite value and smallest normal: beyond it overflow, below it gradual underflow. */
const HALF_MAX = 65504;

/** The largest finite number a precision stores (beyond it a value overflows to ±∞). */
export function largestFinite(p: Precision): number {
  return p === 'float64' ? Number.MAX_VALUE : p === 'float16' ? HALF_MAX : p === 'bfloat16' ? 2 ** 127 * (2 - 2 ** -7) : 2 ** 127 * (2 - 2 ** -23);
}
const HALF_MIN_NORMAL = 2 ** -14;

/** x rounded to nearest (ties to even) with `bits` significand bits, exponent unbounded. */
function roundSignificand(x: number, bits: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const e = Math.floor(Math.log2(Math.abs(x)));
  const q = 2 ** (e - bits + 1); // the spacing of `bits`-bit numbers in [2^e, 2^{e+1})
  const r = x / q;
  const f = Math.floor(r), d = r - f;
  const n = d > 0.5 || (d === 0.5 && f % 2 !== 0) ? f + 1 : f;
  return n * q;
}

/**
 * x rounded to the storage format of `p` (float64: x itself; float32 and tf32: Math.fround; bfloat16: float32's
 * exponent range with 8 significand bits; float16: ±65504 with subnormals below 2^−14).
 */
export function roundToStorage(p: Precision, x: number): number {
  switch (p) {
    case 'float64': return x;
    case 'float32': case 'tf32': return Math.fround(x);
    case 'bfloat16': return Math.fround(roundSignificand(Math.fround(x), 8));
    case 'float16': {
      const a = Math.abs(x);
      if (a < HALF_MIN_NORMAL) return Math.round(x / 2 ** -24) * 2 ** -24; // subnormal spacing 2^−24
      const r = roundSignificand(x, 11);
      return Math.abs(r) > HALF_MAX ? Math.sign(x) * Infinity : r;
    }
  }
}

/** Every entry of `a` rounded to the storage of `p` (a new array; `a` itself for float64). */
export function roundArray(p: Precision, a: Float64Array): Float64Array {
  return p === 'float64' ? a : a.map((v) => roundToStorage(p, v));
}
