/**
 * Datasets: what `dataset` refuses (an EqflowError naming the bad field and saying why), what it copies, minibatches
 * by `subset`, the (g, s) order of `orbitDataset` and the size guards that refuse a dataset too large to allocate.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/core/rng.js';
import { MAX_DATA_ENTRIES } from '../../src/core/errors.js';
import { cyclic } from '../../src/groups/builtins.js';
import { cyclicShift, trivial } from '../../src/reps/builders.js';
import { dataset, orbitDataset, subset, syntheticDataset } from '../../src/risk/dataset.js';
import { expectEqflowError } from '../arbitraries/index.js';

describe('dataset refuses', () => {
  it('dimensions that are not positive integers', () => {
    expectEqflowError(() => dataset([1, 2], [1], 0, 1), { code: 'invalid-argument', field: 'inputDim' });
    expectEqflowError(() => dataset([1, 2], [1], 2, 1.5), { code: 'invalid-argument', field: 'outputDim' });
  });

  it('an empty dataset', () => {
    expectEqflowError(() => dataset([], [], 2, 1), { code: 'invalid-argument', field: 'x', message: /the dataset is empty/ });
  });

  it('inputs that do not split into rows, and targets of the wrong length, with the counts', () => {
    expectEqflowError(() => dataset([1, 2, 3], [1], 2, 1), { code: 'dimension-mismatch', field: 'x', message: /length 3 is not a multiple of inputDim 2/ });
    expectEqflowError(() => dataset([1, 2, 3, 4], [1, 2, 3], 2, 2), { code: 'dimension-mismatch', field: 'y', message: /expected 2×2 = 4 entries, got 3/ });
  });

  it('a non-finite entry, naming it', () => {
    expectEqflowError(() => dataset([1, 2, 3, NaN], [1, 2], 2, 1), { code: 'not-finite', field: 'x[3]' });
    expectEqflowError(() => dataset([1, 2, 3, 4], [1, Infinity], 2, 1), { code: 'not-finite', field: 'y[1]' });
  });
});

describe('dataset', () => {
  it('counts rows and copies its inputs: changing them afterwards changes nothing', () => {
    const x = [1, 2, 3, 4, 5, 6], y = [7, 8, 9];
    const d = dataset(x, y, 2, 1);
    expect(d.count).toBe(3);
    x[0] = 0;
    y[0] = 0;
    expect([...d.x, ...d.y]).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('subset takes the rows asked, in that order, repeats included', () => {
    // outputDim 2 ≠ 1, so a row offset k·outputDim is told apart from k/outputDim
    const d = dataset([1, 2, 3, 4, 5, 6], [7, 70, 8, 80, 9, 90], 2, 2);
    const b = subset(d, [2, 0, 2]);
    expect([b.count, b.inputDim, b.outputDim]).toEqual([3, 2, 2]);
    expect([...b.x]).toEqual([5, 6, 1, 2, 5, 6]);
    expect([...b.y]).toEqual([9, 90, 7, 70, 9, 90]);
  });

  it('orbitDataset lists (ρ_0(g)x_s, ρ_Y(g)y_s) in the order (g, s)', () => {
    const C3 = cyclic(3);
    const inRep = cyclicShift(C3, 3, 1), outRep = trivial(C3, 1);
    const d = dataset([1, 2, 3, 4, 5, 6], [7, 8], 3, 1);
    const o = orbitDataset(d, inRep, outRep);
    expect([o.count, o.inputDim, o.outputDim]).toEqual([6, 3, 1]);
    for (let g = 0; g < 3; g++) for (let s = 0; s < 2; s++) {
      const want = new Float64Array(3);
      inRep.apply(g, d.x, want, 3 * s, 0);
      expect([...o.x.subarray((g * 2 + s) * 3, (g * 2 + s + 1) * 3)]).toEqual([...want]);
      expect(o.y[g * 2 + s]).toBe(d.y[s]);
    }
  });

  it('refuses an orbit or a synthetic dataset larger than the allocation limit, with the count', () => {
    const C4 = cyclic(4);
    // 4 elements × (2²⁴ + 1) samples × (1 + 1) entries = 2²⁷ + 8 > 2²⁷, refused before anything is allocated
    const big = { count: 2 ** 24 + 1, inputDim: 1, outputDim: 1, x: new Float64Array(0), y: new Float64Array(0) };
    expectEqflowError(() => orbitDataset(big, trivial(C4, 1), trivial(C4, 1)), { code: 'invalid-argument', field: 'data', message: new RegExp(`the orbit of ${2 ** 24 + 1} samples under C4 would need ${4 * (2 ** 24 + 1) * 2} entries, more than the limit of ${MAX_DATA_ENTRIES}`) });
    expectEqflowError(() => syntheticDataset(new RandomStream(1), 1, 1, 2 ** 26 + 1), { code: 'invalid-argument', field: 'count', message: new RegExp(`${2 ** 26 + 1} samples in R\\^1 × R\\^1 would need`) });
    expectEqflowError(() => syntheticDataset(new RandomStream(1), 1, 1, 0), { code: 'invalid-argument', field: 'count' });
  });

  it('synthetic one-hot targets have exactly one 1 per row, regression targets are Gaussian draws', () => {
    const d = syntheticDataset(new RandomStream(5), 3, 4, 50, 'one-hot');
    for (let s = 0; s < 50; s++) {
      const row = [...d.y.subarray(4 * s, 4 * s + 4)];
      expect(row.filter((v) => v === 1).length).toBe(1);
      expect(row.filter((v) => v === 0).length).toBe(3);
    }
    const r = syntheticDataset(new RandomStream(5), 3, 4, 50);
    expect(r.y.some((v) => v !== 0 && v !== 1)).toBe(true);
  });
});
