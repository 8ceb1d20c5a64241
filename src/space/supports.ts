import { EqflowError } from '../core/errors.js';
import { Admissible, maskSpace, segmentMask } from './admissible.js';
import { ParamSpace } from './paramSpace.js';

/** A 3×3 kernel support ω as the list of kept positions (row, column). */
export type KernelSupport = ReadonlyArray<readonly [number, number]>;

/** The supports of docs/theory.md §1: compatible under C4 (full, cross, centre+corners) and not (skew, L-shape). */
export const supports: Readonly<Record<string, KernelSupport>> = {
  full: [[0, 0], [0, 1], [0, 2], [1, 0], [1, 1], [1, 2], [2, 0], [2, 1], [2, 2]],
  cross: [[1, 1], [0, 1], [1, 0], [1, 2], [2, 1]],
  'centre-corners': [[1, 1], [0, 0], [0, 2], [2, 0], [2, 2]],
  skew: [[0, 0], [0, 1], [1, 0], [1, 2], [2, 1]],
  'l-shape': [[0, 0], [1, 0], [1, 1]],
};

/** A built-in 3×3 kernel support by name (full, cross, corners, skew, L-shape …), or an EqflowError listing them. */
export function supportByName(name: string): KernelSupport {
  const s = supports[name];
  if (!s) throw new EqflowError('invalid-argument', 'support', `unknown kernel support '${name}' (known: ${Object.keys(supports).join(', ')})`);
  return s;
}

/**
 * L_0 for convolutions with support ω: every segment named in `segments` has shape [..., 3, 3] and keeps only the
 * kernel positions in ω; other segments are unconstrained.
 */
export function kernelSupportSpace(space: ParamSpace, support: KernelSupport, segments: string[], name = 'support'): Admissible {
  support.forEach((cell, i) => {
    if (cell.length !== 2 || !cell.every((v) => Number.isInteger(v) && v >= 0 && v <= 2)) throw new EqflowError('invalid-argument', `support[${i}]`, `a 3×3 kernel position is [row, column] with entries 0, 1 or 2, got ${JSON.stringify(cell)}`);
  });
  const keep = (idx: number[]) => {
    const i = idx[idx.length - 2], j = idx[idx.length - 1];
    return support.some(([a, b]) => a === i && b === j);
  };
  const preds: Record<string, (idx: number[]) => boolean> = {};
  for (const s of segments) {
    const shape = space.segment(s).shape;
    if (shape.length < 2 || shape[shape.length - 1] !== 3 || shape[shape.length - 2] !== 3) {
      throw new EqflowError('dimension-mismatch', 'segments', `segment ${s} has shape ${shape.join('×')}, expected [..., 3, 3]`);
    }
    preds[s] = keep;
  }
  return maskSpace(space, segmentMask(space, preds), name);
}
