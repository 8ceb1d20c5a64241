/** A smooth function on the flat parameter space with its exact gradient: what flows and analyses consume. */
export interface Objective {
  readonly dim: number;
  value(A: Float64Array): number;
  /** writes ∇f(A) into grad (overwriting) and returns f(A) */
  gradient(A: Float64Array, grad: Float64Array): number;
}
