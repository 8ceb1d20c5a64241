import { trivialGroup } from '../groups/builtins.js';
import { trivial } from '../reps/builders.js';
import { pointwise } from './activations.js';
import { DenseNetwork } from './dense.js';

/**
 * A dense network R^{w_0} → … → R^{w_L} whose layers carry the trivial group: its arithmetic (forward pass and
 * exact gradients) without a multiplication table, for groups that act from outside through GroupActions (too
 * large to enumerate, or continuous; docs/theory.md §8). Same flat layout as layerAction over the same widths.
 */
export function plainNetwork(widths: readonly number[], activations: readonly string[], bias: boolean | boolean[] = false): DenseNetwork {
  const C1 = trivialGroup();
  return new DenseNetwork({ reps: widths.map((w) => trivial(C1, w)), activations: activations.map(pointwise), bias, name: `plain(${widths.join('→')})` });
}
