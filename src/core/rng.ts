import seedrandom from 'seedrandom';

/** ARC4 (as seedrandom keys it) reads a key of n ≤ 256 bytes as its periodic extension K^∞[0:256]. */
const ARC4_KEY_BYTES = 256;

/**
 * The key handed to seedrandom for `seed`, chosen so that distinct seeds never share an ARC4 key schedule.
 * seedrandom keys ARC4 with the char codes mod 256 repeated to 256 bytes, so raw seeds collide when one is the
 * other's periodic extension ("1" and "11", "ab" and "abab") or when codes agree mod 256 ("±" and "α"). A seed
 * that is the shortest member of its class (no NUL, codes < 256, length ≤ 256, W = seed^∞[0:256] of least period
 * |seed|) is used as is, so every such seed keeps the bits it always had. Any other seed is escaped to NUL, its
 * length, ':' and its UTF-16 code units as byte pairs: the NUL keeps escapes apart from raw keys, the length
 * prefix keeps them apart from each other. Past 256 bytes seedrandom folds the key, a hash whose collisions are
 * accidental, not structural.
 */
export function arc4Key(seed: string): string {
  if (isShortestKey(seed)) return seed;
  let key = `\u0000${seed.length}:`;
  for (let i = 0; i < seed.length; i++) {
    const c = seed.charCodeAt(i);
    key += String.fromCharCode(c >> 8, c & 255);
  }
  return key;
}

/** Whether ARC4 keyed by `seed` as is is keyed by no other raw seed (see arc4Key). */
function isShortestKey(seed: string): boolean {
  const n = seed.length;
  if (n > ARC4_KEY_BYTES) return false;
  for (let i = 0; i < n; i++) {
    const c = seed.charCodeAt(i);
    if (c === 0 || c > 255) return false;
  }
  if (n === 0) return true; // ARC4 keys "" as one NUL, and every other member of that class holds a NUL
  // least period of W = n − its longest proper border (Knuth–Morris–Pratt failure function)
  const w = (i: number): number => seed.charCodeAt(i % n);
  const border = new Int32Array(ARC4_KEY_BYTES);
  for (let i = 1, k = 0; i < ARC4_KEY_BYTES; i++) {
    while (k > 0 && w(i) !== w(k)) k = border[k - 1];
    if (w(i) === w(k)) k++;
    border[i] = k;
  }
  return ARC4_KEY_BYTES - border[ARC4_KEY_BYTES - 1] === n;
}

/**
 * A seeded random stream (seedrandom's ARC4 generator, keyed by arc4Key so distinct seeds give distinct streams).
 * Every random choice in eqflow flows from one of these, so the same seed gives the same bits. `child(name)` derives an independent stream from the seed
 * and a name only: adding a consumer never shifts the numbers another consumer gets.
 */
export class RandomStream {
  readonly seed: string;
  private readonly prng: seedrandom.PRNG;
  private spareGaussian: number | null = null;

  constructor(seed: string | number) {
    this.seed = String(seed);
    this.prng = seedrandom(arc4Key(this.seed));
  }

  /** An independent stream named `name`, a pure function of (this seed, name). */
  child(name: string | number): RandomStream {
    return new RandomStream(`${this.seed}/${name}`);
  }

  /** Uniform on [0, 1) with 53 random bits. */
  uniform(): number {
    return this.prng.double();
  }

  /** Uniform on [lo, hi). */
  uniformIn(lo: number, hi: number): number {
    return lo + (hi - lo) * this.prng.double();
  }

  /** Standard normal by the Marsaglia polar method (pairs cached). */
  gaussian(): number {
    if (this.spareGaussian !== null) {
      const s = this.spareGaussian;
      this.spareGaussian = null;
      return s;
    }
    for (;;) {
      const u = 2 * this.prng.double() - 1;
      const v = 2 * this.prng.double() - 1;
      const s = u * u + v * v;
      if (s > 0 && s < 1) {
        const f = Math.sqrt((-2 * Math.log(s)) / s);
        this.spareGaussian = v * f;
        return u * f;
      }
    }
  }

  /** Uniform integer in {0, …, n-1}. */
  int(n: number): number {
    return Math.floor(this.prng.double() * n);
  }

  /** A vector of i.i.d. N(0, scale²) entries. */
  gaussianVector(n: number, scale = 1): Float64Array {
    const x = new Float64Array(n);
    for (let i = 0; i < n; i++) x[i] = scale * this.gaussian();
    return x;
  }

  /** Fisher–Yates shuffle in place; returns its argument. */
  shuffle<T, A extends { length: number; [i: number]: T }>(a: A): A {
    for (let i = a.length - 1; i > 0; i--) {
      const j = this.int(i + 1);
      const t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
    return a;
  }

  /** A uniformly random permutation of {0, …, n-1}. */
  permutation(n: number): Int32Array {
    const p = new Int32Array(n);
    for (let i = 0; i < n; i++) p[i] = i;
    return this.shuffle(p);
  }
}
