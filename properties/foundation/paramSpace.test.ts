/**
 * The parameter space's layout and its refusals: a malformed layer list is an EqflowError naming the bad field
 * (never a space of the wrong dimension), and the space does not alias the caller's arrays.
 */
import { describe, expect, it } from 'vitest';
import { cyclic } from '../../src/groups/builtins.js';
import { cyclicShift, trivial } from '../../src/reps/builders.js';
import { ParamSpace, layerSpace } from '../../src/space/paramSpace.js';
import { expectEqflowError } from '../arbitraries/index.js';

const C4 = cyclic(4);

describe('ParamSpace refuses', () => {
  it('no segments', () => {
    expectEqflowError(() => new ParamSpace([]), { code: 'invalid-argument', field: 'segments', message: /at least one segment/ });
  });

  it('a shape entry that is not a positive integer, naming the segment and the entry', () => {
    expectEqflowError(() => new ParamSpace([{ name: 'A0', shape: [4, 1.5], rep: cyclicShift(C4, 4, 1) }]), { code: 'invalid-argument', field: 'segments[0].shape[1]' });
  });

  it('a shape whose size is not the representation\'s dimension', () => {
    expectEqflowError(() => new ParamSpace([{ name: 'A0', shape: [4], rep: cyclicShift(C4, 4, 1) }, { name: 'A1', shape: [2, 3], rep: cyclicShift(C4, 4, 1) }]), {
      code: 'dimension-mismatch', field: 'segments[1].rep', message: /the shape 2×3 has 6 entries but the representation acts on R\^4/,
    });
  });

  it('segments of different groups', () => {
    expectEqflowError(() => new ParamSpace([{ name: 'A0', shape: [4], rep: cyclicShift(C4, 4, 1) }, { name: 'A1', shape: [4], rep: cyclicShift(cyclic(4), 4, 1) }]), {
      code: 'invalid-argument', field: 'segments[1].rep', message: /one group/,
    });
  });

  it('a segment name it does not have, listing those it has', () => {
    const space = layerSpace([cyclicShift(C4, 4, 1), cyclicShift(C4, 4, 1), trivial(C4, 1)]);
    expect(space.segment('A1')).toMatchObject({ name: 'A1', offset: 16, size: 4 });
    expectEqflowError(() => space.segment('A2'), { code: 'invalid-argument', field: 'segment', message: /no segment named A2 \(have A0, A1\)/ });
  });

  it('a network of fewer than two representations', () => {
    expectEqflowError(() => layerSpace([trivial(C4, 1)]), { code: 'invalid-argument', field: 'reps', message: /at least an input and an output/ });
  });
});

describe('ParamSpace layout', () => {
  it('a bias array shorter than the layers gives the remaining layers no bias', () => {
    const space = layerSpace([cyclicShift(C4, 4, 1), cyclicShift(C4, 4, 1), trivial(C4, 1)], [true]);
    expect(space.segments.map((s) => s.shape)).toEqual([[4, 5], [1, 4]]);
  });

  it('copies each shape: changing the caller\'s array afterwards changes no segment', () => {
    const shape = [4];
    const space = new ParamSpace([{ name: 'A0', shape, rep: cyclicShift(C4, 4, 1) }]);
    shape[0] = 7;
    expect(space.segments[0].shape).toEqual([4]);
  });
});
