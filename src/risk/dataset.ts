import { EqflowError, MAX_DATA_ENTRIES, requireFinite, requireInteger, requireSize } from '../core/errors.js';
import { RandomStream } from '../core/rng.js';
import { Representation } from '../reps/representation.js';

/** n samples (x_s, y_s) with uniform weights 1/n; rows of x (length inputDim) and y (length outputDim). */
export interface Dataset {
  readonly count: number;
  readonly inputDim: number;
  readonly outputDim: number;
  readonly x: Float64Array;
  readonly y: Float64Array;
}

/** A dataset from flat inputs x (count × inputDim) and targets y (count × outputDim), validated (finite, consistent lengths). */
export function dataset(x: ArrayLike<number>, y: ArrayLike<number>, inputDim: number, outputDim: number): Dataset {
  requireInteger(inputDim, 'inputDim');
  requireInteger(outputDim, 'outputDim');
  if (x.length === 0) throw new EqflowError('invalid-argument', 'x', 'the dataset is empty');
  if (x.length % inputDim !== 0) throw new EqflowError('dimension-mismatch', 'x', `length ${x.length} is not a multiple of inputDim ${inputDim}`);
  const count = x.length / inputDim;
  if (y.length !== count * outputDim) throw new EqflowError('dimension-mismatch', 'y', `expected ${count}×${outputDim} = ${count * outputDim} entries, got ${y.length}`);
  requireFinite(x, 'x');
  requireFinite(y, 'y');
  return { count, inputDim, outputDim, x: Float64Array.from(x), y: Float64Array.from(y) };
}

/** The rows idx of `d` as a new dataset (a minibatch). */
export function subset(d: Dataset, idx: ArrayLike<number>): Dataset {
  const x = new Float64Array(idx.length * d.inputDim);
  const y = new Float64Array(idx.length * d.outputDim);
  for (let k = 0; k < idx.length; k++) {
    x.set(d.x.subarray(idx[k] * d.inputDim, (idx[k] + 1) * d.inputDim), k * d.inputDim);
    y.set(d.y.subarray(idx[k] * d.outputDim, (idx[k] + 1) * d.outputDim), k * d.outputDim);
  }
  return { count: idx.length, inputDim: d.inputDim, outputDim: d.outputDim, x, y };
}

/**
 * Every sample transformed by every group element, in the order (g, s): the data-side augmentation
 * (x, y) ↦ (ρ_0(g)x, ρ_Y(g)y) that defines R^aug (docs/theory.md §3), as users do it.
 */
export function orbitDataset(d: Dataset, inRep: Representation, outRep: Representation): Dataset {
  const G = inRep.group;
  const n = d.count;
  requireSize(G.order * n * (d.inputDim + d.outputDim), MAX_DATA_ENTRIES, 'data', `the orbit of ${n} samples under ${G.name}`);
  const x = new Float64Array(G.order * n * d.inputDim);
  const y = new Float64Array(G.order * n * d.outputDim);
  for (let g = 0; g < G.order; g++) {
    for (let s = 0; s < n; s++) {
      const r = g * n + s;
      inRep.apply(g, d.x, x, s * d.inputDim, r * d.inputDim);
      outRep.apply(g, d.y, y, s * d.outputDim, r * d.outputDim);
    }
  }
  return { count: G.order * n, inputDim: d.inputDim, outputDim: d.outputDim, x, y };
}

/**
 * A seeded synthetic dataset: Gaussian inputs, Gaussian targets (regression) or random one-hot labels
 * (classification). Generic draws are not closed under G, so R ≠ R^aug (assumption A5).
 */
export function syntheticDataset(rng: RandomStream, inputDim: number, outputDim: number, count: number, targets: 'regression' | 'one-hot' = 'regression'): Dataset {
  requireInteger(count, 'count');
  requireSize(count * (inputDim + outputDim), MAX_DATA_ENTRIES, 'count', `${count} samples in R^${inputDim} × R^${outputDim}`);
  const x = rng.child('x').gaussianVector(count * inputDim);
  let y: Float64Array;
  if (targets === 'regression') y = rng.child('y').gaussianVector(count * outputDim);
  else {
    const r = rng.child('labels');
    y = new Float64Array(count * outputDim);
    for (let s = 0; s < count; s++) y[s * outputDim + r.int(outputDim)] = 1;
  }
  return dataset(x, y, inputDim, outputDim);
}
