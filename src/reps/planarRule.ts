import { EqflowError } from '../core/errors.js';
import { planarGroup } from '../groups/compact.js';
import { FiniteGroup } from '../groups/group.js';
import { bandLimited, matrixOf } from './action.js';
import { DenseRep, Representation } from './representation.js';

/**
 * A band-limited representation of SO(2)/O(2) restricted to the elements of an exact N-point Haar rule: the
 * group C_N (element k = r_{2πk/N}) or D_N (element k + N·f = r_{2πk/N} s^f), whose averages of every quantity of
 * degree < N equal SO(2)'s/O(2)'s (docs/theory.md §8). Matrices come from the continuous action itself.
 */
export function bandLimitedRep(G: FiniteGroup, frequencies: readonly number[], name?: string): Representation {
  const fam = G.family;
  if (fam.kind !== 'cyclic' && fam.kind !== 'dihedral') throw new EqflowError('invalid-argument', 'group', `a band-limited representation needs SO2/O2 (or C_N/D_N), got ${G.name}`);
  const rho = bandLimited(planarGroup(fam.kind === 'dihedral'), frequencies);
  const mats = G.elements().map((g) => matrixOf(rho, { theta: (2 * Math.PI * (g % fam.n)) / fam.n, reflect: g >= fam.n }));
  return new DenseRep(G, rho.dim, name ?? rho.name, mats);
}

/** Signals on the circle with Fourier modes 0..K: the regular representation truncated at K, on the rule's elements. */
export function circleRep(G: FiniteGroup, K: number): Representation {
  return bandLimitedRep(G, Array.from({ length: K + 1 }, (_, k) => k), `reg≤${K}`);
}
