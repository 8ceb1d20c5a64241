import { Representation } from '../reps/representation.js';
import { ParamSpace } from '../space/paramSpace.js';

/**
 * A per-sample loss ℓ(ŷ, y), invariant under the output representation (assumption A3):
 * ℓ(ρ_Y(g)ŷ, ρ_Y(g)y) = ℓ(ŷ, y).
 */
export interface Loss {
  readonly name: string;
  /** ℓ(ŷ, y) for vectors of length n at the given offsets; writes ∂ℓ/∂ŷ into grad[gOff..] when grad is given. */
  evaluate(yhat: Float64Array, y: Float64Array, n: number, grad: Float64Array | null, off: number, gOff: number): number;
}

/**
 * σ_i, an equivariant map applied after layer i (assumption A2): pointwise nonlinearities, and structured maps
 * on channel-major images (2×2 average pooling, LayerNorm over the spatial axes). Batched over `count` rows.
 */
export interface Activation {
  readonly name: string;
  /**
   * Which orthogonal representations σ commutes with (A2), so that a model can refuse a layer where it does not:
   * linear maps commute with all, odd pointwise maps with signed permutations, other pointwise maps with
   * permutations. Undefined for structured maps (pooling, LayerNorm), which their model checks itself.
   */
  readonly commutesWith?: 'orthogonal' | 'signed-permutation' | 'permutation';
  /** output length for an input of length n (n for pointwise maps, n/4 for pooling) */
  outDim(n: number): number;
  /** a[s] = σ(z[s]) for each of `count` rows of length n */
  forward(z: Float64Array, a: Float64Array, n: number, count: number): void;
  /** gz[s] = Dσ(z[s])ᵀ ga[s]; z and a are the forward's input and output */
  backward(z: Float64Array, a: Float64Array, ga: Float64Array, gz: Float64Array, n: number, count: number): void;
}

/**
 * A network Φ_A: X_0 → X_L with parameters A in the flat space H (docs/theory.md §1). Gradients are exact
 * (hand-written backpropagation) with respect to the flat vector A. Work buffers grow to the largest batch
 * seen and are then reused: no allocation per step.
 */
export interface Model {
  readonly name: string;
  readonly space: ParamSpace;
  /** ρ_0 on X_0 */
  readonly inputRep: Representation;
  /** ρ_L = ρ_Y on X_L */
  readonly outputRep: Representation;
  /** Φ_A(x_s) for `count` inputs (rows of x, length inputRep.dim) into rows of out (length outputRep.dim) */
  forward(A: Float64Array, x: Float64Array, count: number, out: Float64Array): void;
  /**
   * Σ_s weight·ℓ(Φ_A(x_s), y_s) over `count` samples; when grad is given, adds weight·Σ_s ∇_A ℓ(Φ_A(x_s), y_s) to it.
   */
  lossGradient(A: Float64Array, x: Float64Array, y: Float64Array, count: number, loss: Loss, weight: number, grad: Float64Array | null): number;
}
