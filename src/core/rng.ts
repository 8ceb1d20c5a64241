import seedrandom from 'seedrandom';

/**
 * A seeded random stream (seedrandom's ARC4 generator). Every random choice in eqflow flows from one of
 * these, so the same seed gives the same bits. `child(name)` derives an independent stream from the seed
 * and a name only: adding a consumer never shifts the numbers another consumer gets.
 */
export class RandomStream {
  readonly seed: string;
  private readonly prng: seedrandom.PRNG;
  private spareGaussian: number | null = null;

  constructor(seed: string | number) {
    this.seed = String(seed);
    this.prng = seedrandom(this.seed);
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
