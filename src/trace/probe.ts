import { RandomStream } from '../core/rng.js';
import { BuiltCase } from '../impl/build.js';
import { Dataset, orbitDataset, subset } from '../risk/dataset.js';

/**
 * A seeded subsample of a Case's data on which check-trace estimates what would cost a pass over all the data: μ's
 * curvature (Theorem 3) and the SGD noise Σ_⊥ (docs/theory.md §10). `m` of the `n` items, split into `groups` equal
 * groups whose spread gives the estimates' standard errors; the orbit of every group is transformed once and reused
 * at every snapshot.
 */
export class DataProbe {
  /** the items drawn, without replacement */
  readonly items: Int32Array;
  /** the items of each group */
  readonly groupItems: Int32Array[];
  /** per group: its items and their whole orbit (every g), for the subsample's R^aug */
  private readonly orbits: Dataset[];
  /** per group: its items as they are, for the subsample's R */
  private readonly plain: Dataset[];
  private readonly x: Float64Array;
  private readonly y: Float64Array;
  /** finite-population factor 1 − m/n of a standard error (0 when every item is used: the estimate is exact) */
  readonly fpc: number;

  constructor(readonly b: BuiltCase, items: number, groups: number, seed = 'check-trace') {
    const n = b.data.count;
    const m = Math.max(1, Math.min(n, items));
    const order = new RandomStream(seed).child('items').permutation(n);
    this.items = order.slice(0, m).sort();
    const J = Math.max(1, Math.min(groups, m));
    this.groupItems = Array.from({ length: J }, (_, j) => this.items.filter((_, i) => i % J === j));
    this.plain = this.groupItems.map((idx) => subset(b.data, idx));
    this.orbits = this.plain.map((d) => orbitDataset(d, b.model.inputRep, b.model.outputRep));
    this.fpc = 1 - m / n;
    this.x = new Float64Array(b.data.inputDim);
    this.y = new Float64Array(b.data.outputDim);
  }

  get n(): number {
    return this.b.data.count;
  }

  get m(): number {
    return this.items.length;
  }

  /** ∇ of the subsample's risk (augmented: every g; nominal: as is) restricted to group j, a mean over its samples. */
  groupGradient(A: Float64Array, j: number, augmented: boolean, out: Float64Array): Float64Array {
    const d = augmented ? this.orbits[j] : this.plain[j];
    out.fill(0);
    this.b.model.lossGradient(A, d.x, d.y, d.count, this.b.loss, 1 / d.count, out);
    return out;
  }

  /** ∇ of the whole subsample's risk (augmented: every g; nominal: as is), the groups weighted by their sizes. */
  gradient(A: Float64Array, augmented: boolean, out: Float64Array): Float64Array {
    const g = new Float64Array(out.length);
    out.fill(0);
    this.groupItems.forEach((items, j) => {
      this.groupGradient(A, j, augmented, g);
      for (let i = 0; i < out.length; i++) out[i] += (items.length / this.m) * g[i];
    });
    return out;
  }

  /** ∇_A ℓ(Φ_A(ρ_0(g)x_i), ρ_Y(g)y_i) of data item i (an index of the Case's data) transformed by element g. */
  sampleGradient(A: Float64Array, item: number, g: number, out: Float64Array): Float64Array {
    const { data, model } = this.b;
    model.inputRep.apply(g, data.x, this.x, item * data.inputDim, 0);
    model.outputRep.apply(g, data.y, this.y, item * data.outputDim, 0);
    out.fill(0);
    model.lossGradient(A, this.x, this.y, 1, this.b.loss, 1, out);
    return out;
  }
}

/** Mean and standard error of the mean of `v` (0 for a single value), times the finite-population factor. */
export function meanSe(v: readonly number[], fpc = 1): { mean: number; se: number } {
  const k = v.length;
  const mean = v.reduce((a, x) => a + x, 0) / k;
  if (k < 2) return { mean, se: 0 };
  const s2 = v.reduce((a, x) => a + (x - mean) ** 2, 0) / (k - 1);
  return { mean, se: Math.sqrt((s2 / k) * fpc) };
}
