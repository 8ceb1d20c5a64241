/**
 * Admissible sets L = A° + L_0 at their borders: what they refuse (an EqflowError naming the bad field), their default
 * names, the offset reduced to its component orthogonal to L_0, in-place projection where it is allowed, and the
 * row-major multi-index a segment mask's predicate sees.
 */
import { describe, expect, it } from 'vitest';
import { cyclic } from '../../src/groups/builtins.js';
import { cyclicShift, trivial } from '../../src/reps/builders.js';
import { basisOf, basisSpace, fullSpace, maskSpace, projectL, segmentMask, withOffset } from '../../src/space/admissible.js';
import { layerSpace } from '../../src/space/paramSpace.js';
import { expectEqflowError } from '../arbitraries/index.js';

const C2 = cyclic(2);
// one 1×2 layer: H = R²
const space = layerSpace([cyclicShift(C2, 2, 1), trivial(C2, 1)]);

describe('admissible sets refuse', () => {
  it('a mask of the wrong length, with both lengths', () => {
    expectEqflowError(() => maskSpace(space, [1, 0, 1]), { code: 'dimension-mismatch', field: 'mask', message: /expected length 2, got 3/ });
  });

  it('a basis vector of the wrong length or not finite, naming it', () => {
    expectEqflowError(() => basisSpace(space, [[1, 0], [1, 0, 0]]), { code: 'dimension-mismatch', field: 'basis[1]' });
    expectEqflowError(() => basisSpace(space, [[NaN, 0]]), { code: 'not-finite', field: 'basis[0][0]' });
  });

  it('an offset of the wrong length or not finite', () => {
    expectEqflowError(() => withOffset(fullSpace(space), [1]), { code: 'dimension-mismatch', field: 'offset' });
    expectEqflowError(() => withOffset(fullSpace(space), [1, Infinity]), { code: 'not-finite', field: 'offset[1]' });
  });

  it('projecting onto a basis in place (the sum reads x after writing out)', () => {
    const x = Float64Array.of(1, 2);
    expectEqflowError(() => projectL(basisSpace(space, [[1, 1]]), x, x), { code: 'invalid-argument', field: 'out', message: /cannot work in place/ });
  });
});

describe('admissible sets', () => {
  it('are named full, mask and span unless named', () => {
    expect([fullSpace(space).name, maskSpace(space, [1, 0]).name, basisSpace(space, [[1, 1]]).name, maskSpace(space, [1, 0], 'm').name]).toEqual(['full', 'mask', 'span', 'm']);
  });

  it('keep of an offset only its component orthogonal to L_0, and the dimension of L_0', () => {
    const L = withOffset(maskSpace(space, [1, 0]), [3, 4]);
    expect([L.dim, ...(L.offset ?? [])]).toEqual([1, 0, 4]);
    const S = withOffset(basisSpace(space, [[1, 1], [2, 2]]), [3, 1]);
    expect(S.dim).toBe(1);
    // (3, 1) − ⟨(3, 1), q⟩q with q = (1, 1)/√2 is (1, −1), to round-off of a few operations on entries ≤ 3
    expect(Math.abs((S.offset ?? [])[0] - 1) + Math.abs((S.offset ?? [])[1] + 1)).toBeLessThan(16 * Number.EPSILON * 3);
  });

  it('project in place for the full and mask kinds', () => {
    const x = Float64Array.of(3, 4);
    expect([...projectL(maskSpace(space, [0, 1]), x, x)]).toEqual([0, 4]);
    expect([...projectL(fullSpace(space), x, x)]).toEqual([0, 4]);
    const out = new Float64Array(2);
    expect([...projectL(fullSpace(space), Float64Array.of(5, 6), out)]).toEqual([5, 6]);
  });

  it('list unit vectors of the kept coordinates as the basis of a mask, every coordinate for the full space', () => {
    const three = layerSpace([cyclicShift(C2, 2, 1), cyclicShift(C2, 2, 1)]);
    expect(basisOf(maskSpace(three, [0, 1, 1, 0])).map((e) => [...e])).toEqual([[0, 1, 0, 0], [0, 0, 1, 0]]);
    expect(basisOf(fullSpace(space)).map((e) => [...e])).toEqual([[1, 0], [0, 1]]);
  });

  it('segment masks see row-major multi-indices and leave other segments kept', () => {
    const net = layerSpace([cyclicShift(C2, 2, 1), cyclicShift(C2, 2, 1), trivial(C2, 1)]);
    const seen: number[][] = [];
    const m = segmentMask(net, { A0: (idx) => { seen.push([...idx]); return idx[0] === idx[1]; } });
    expect(seen).toEqual([[0, 0], [0, 1], [1, 0], [1, 1]]);
    expect([...m]).toEqual([1, 0, 0, 1, 1, 1]);
  });
});
