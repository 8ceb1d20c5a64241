import { cyclic } from '../groups/builtins.js';
import { cyclicShift, trivial } from '../reps/builders.js';
import { square } from './activations.js';
import { DenseNetwork } from './dense.js';

/**
 * Example Q (docs/theory.md §6): one quadratic neuron Φ_A(x) = (Ax)², A ∈ R^{1×2}, G = C2 acting on X_0 = R² by the
 * swap P and trivially on X_1 = R. ρ̄(g)A = A P^{-1}, so E = H_G = span (1,1)/√2. As a DenseNetwork with the
 * `square` activation and no bias, the flat vector is A = (a_1, a_2).
 */
export function exampleQ(): DenseNetwork {
  const C2 = cyclic(2);
  return new DenseNetwork({ reps: [cyclicShift(C2, 2, 1), trivial(C2, 1)], activations: [square], name: 'example-q' });
}

/**
 * Example Q's data: with probability ½ (x = (1,1)/√2, y = 1), with probability ½ (x = (1,0), y = 4). The two
 * weights are equal, so R(A) = lossGradient(A, x, y, 2, squaredLoss, ½, ·). Fresh arrays on every call.
 */
export function exampleQData(): { count: 2; inputDim: 2; outputDim: 1; x: Float64Array; y: Float64Array; weights: Float64Array } {
  return {
    count: 2,
    inputDim: 2,
    outputDim: 1,
    x: Float64Array.from([Math.SQRT1_2, Math.SQRT1_2, 1, 0]),
    y: Float64Array.from([1, 4]),
    weights: Float64Array.from([0.5, 0.5]),
  };
}

/**
 * A = (a_1, a_2) = ((u+v)/√2, (u−v)/√2) from (u, v) = (⟨A, (1,1)/√2⟩, ⟨A, (1,−1)/√2⟩), the E- and E⊥-coordinates;
 * orthogonal, so it also maps (∂_u, ∂_v) to ∇_A.
 */
export function qFromUV(u: number, v: number): Float64Array {
  return Float64Array.from([(u + v) * Math.SQRT1_2, (u - v) * Math.SQRT1_2]);
}

/** R = ¼(u²−1)² + ¼(a_1²−4)². */
export function qRisk(u: number, v: number): number {
  const a1 = (u + v) * Math.SQRT1_2;
  return 0.25 * (u * u - 1) ** 2 + 0.25 * (a1 * a1 - 4) ** 2;
}

/** ∇R in (u, v): ∂_u R = u(u²−1) + a_1(a_1²−4)/√2, ∂_v R = a_1(a_1²−4)/√2 (chain rule through a_1). */
export function qRiskGradient(u: number, v: number): [number, number] {
  const a1 = (u + v) * Math.SQRT1_2;
  const t = a1 * (a1 * a1 - 4) * Math.SQRT1_2;
  return [u * (u * u - 1) + t, t];
}

/** R^aug = ¼(u²−1)² + ⅛(a_1²−4)² + ⅛(a_2²−4)². */
export function qAugmentedRisk(u: number, v: number): number {
  const a1 = (u + v) * Math.SQRT1_2;
  const a2 = (u - v) * Math.SQRT1_2;
  return 0.25 * (u * u - 1) ** 2 + 0.125 * (a1 * a1 - 4) ** 2 + 0.125 * (a2 * a2 - 4) ** 2;
}

/** ∂_u R^aug = u[(5u²+3v²)/4 − 3], ∂_v R^aug = v[(3u²+v²)/4 − 2]. */
export function qAugmentedGradient(u: number, v: number): [number, number] {
  return [u * ((5 * u * u + 3 * v * v) / 4 - 3), v * ((3 * u * u + v * v) / 4 - 2)];
}

/** A* = √(6/5)(1,1) (u² = 12/5, v = 0): stationary for the equivariant and the augmented flow. */
export function qAStar(): Float64Array {
  const a = Math.sqrt(6 / 5);
  return Float64Array.from([a, a]);
}

/** ∂²_u R^aug(A*) = 15u²/4 − 3 = 6: the E_0 block H_eq (stable for equivariant training). */
export const Q_H_EQ = 6;
/** ∂²_v R^aug(A*) = 3u²/4 − 2 = −1/5: the F_0 block H_⊥ (a saddle for augmented training); γ_loc = 1/5. */
export const Q_H_PERP = -1 / 5;
