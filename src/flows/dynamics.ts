import { EqflowError } from '../core/errors.js';
import { Objective } from '../risk/objective.js';
import { Projectors } from '../space/projectors.js';

/** The five dynamics of docs/theory.md §4. */
export const DYNAMICS = ['nominal', 'augmented', 'equivariant', 'reg-augmented', 'reg-nominal'] as const;
/** One of the five dynamics: nominal, augmented, equivariant, regularized augmented, regularized nominal. */
export type DynamicsKind = (typeof DYNAMICS)[number];

/** A linear map on H given by its action (used for K = MMᵀ of a parametrization). */
export type LinearMap = (x: Float64Array, out: Float64Array) => void;

/** What the integrators need of the projectors: Π_{E⊥} (the linear γ-term and its exact flow). */
export interface PerpProjector {
  piEperp(x: Float64Array, out?: Float64Array): Float64Array;
}

/**
 * A vector field Ȧ = F(A) − γ Π_{E⊥}A split into a nonlinear part F and the linear regularizer term, so that
 * integrators can treat the γ-term exactly (its flow is A ↦ Π_E A + e^{−γt} Π_{E⊥} A).
 */
export interface VectorField<P extends PerpProjector = Projectors> {
  readonly dim: number;
  readonly kind: DynamicsKind;
  /** γ of the linear part −γΠ_{E⊥}A (0 for unregularized dynamics) */
  readonly gamma: number;
  /** the case's projectors (Projectors; a case of a group by generators gives only Π_{E⊥}, which is all integrators use) */
  readonly projectors: P;
  /** out ← F(A), the velocity without the γ-term */
  nonlinear(A: Float64Array, out: Float64Array): void;
}

/** out ← F(A) − γΠ_{E⊥}A, the whole velocity. */
export function velocity(f: VectorField<PerpProjector>, A: Float64Array, out: Float64Array, tmp: Float64Array = new Float64Array(f.dim)): Float64Array {
  f.nonlinear(A, out);
  if (f.gamma !== 0) {
    f.projectors.piEperp(A, tmp);
    for (let i = 0; i < out.length; i++) out[i] -= f.gamma * tmp[i];
  }
  return out;
}

/** What a vector field is built from: the dynamics, the projectors, the nominal and augmented risks, γ and an optional K = MMᵀ. */
export interface DynamicsOptions {
  kind: DynamicsKind;
  projectors: Projectors;
  /** R, the nominal risk (needed by nominal, equivariant and reg-nominal) */
  nominal?: Objective;
  /** R^aug (needed by augmented and reg-augmented) */
  augmented?: Objective;
  gamma?: number;
  /**
   * K = MMᵀ replacing Π_L (a parametrization A = A° + Mθ, docs/theory.md §1); the unitary parametrization is K = Π_L.
   * For the equivariant dynamics K is applied after Π_E.
   */
  K?: LinearMap;
}

/**
 * The five dynamics of docs/theory.md §4, velocity projected onto L_0 (or mapped by K):
 * nominal −Π_L∇R; augmented −Π_L∇R^aug; equivariant −Π_E∇R; reg-augmented −Π_L∇R^aug − γΠ_{E⊥}A;
 * reg-nominal −Π_L∇R − γΠ_{E⊥}A. On an affine L = A° + L_0 the regularizer is −γΠ_{E⊥}(A − A°), so the velocity
 * stays in L_0; its +γA° part goes into `nonlinear` (the integrators treat −γΠ_{E⊥}A exactly).
 */
export function dynamics(opts: DynamicsOptions): VectorField {
  const { kind, projectors: P } = opts;
  const gamma = opts.gamma ?? 0;
  if (!Number.isFinite(gamma) || gamma < 0) throw new EqflowError('invalid-argument', 'gamma', `expected a finite γ ≥ 0, got ${gamma}`);
  const regularized = kind === 'reg-augmented' || kind === 'reg-nominal';
  if (!regularized && gamma !== 0) throw new EqflowError('invalid-argument', 'gamma', `the ${kind} dynamics has no regularizer; γ must be 0`);
  const useAug = kind === 'augmented' || kind === 'reg-augmented';
  const risk = useAug ? opts.augmented : opts.nominal;
  if (!risk) throw new EqflowError('invalid-argument', useAug ? 'augmented' : 'nominal', `the ${kind} dynamics needs ${useAug ? 'R^aug' : 'R'}`);
  const dim = P.space.dim;
  if (risk.dim !== dim) throw new EqflowError('dimension-mismatch', 'risk', `risk on R^${risk.dim}, space R^${dim}`);
  const grad = new Float64Array(dim);
  const tmp = new Float64Array(dim);
  const K = opts.K;
  const offset = P.L.offset;
  return {
    dim,
    kind,
    gamma,
    projectors: P,
    nonlinear(A, out) {
      risk.gradient(A, grad);
      if (kind === 'equivariant') {
        P.piE(grad, out);
        if (K) {
          K(out, tmp);
          out.set(tmp);
        }
      } else if (K) K(grad, out);
      else P.piL(grad, out);
      for (let i = 0; i < dim; i++) out[i] = -out[i];
      // affine L: the regularizer pulls towards A° + E_0, −γΠ_{E⊥}(A − A°) = −γΠ_{E⊥}A + γA° (A° ⊥ L_0 ⊇ E_0)
      if (offset && gamma !== 0) for (let i = 0; i < dim; i++) out[i] += gamma * offset[i];
    },
  };
}

/**
 * The field of `f` in the coordinates a = A − A° of an affine L = A° + L_0: ȧ = Ñ(a) − γΠ_{E⊥}a with
 * Ñ(a) = F(a + A°) − γA°. Its linear part keeps L_0 invariant, so an integrator that treats −γΠ_{E⊥} exactly but
 * does not preserve the fixed point of ȧ = −γ(a − A°) on the A° component (Lawson RK4, docs/theory.md §9) still
 * stays in L.
 */
export function aroundOffset(f: VectorField, offset: Float64Array): VectorField {
  const at = new Float64Array(f.dim);
  return {
    ...f,
    nonlinear(a, out) {
      for (let i = 0; i < at.length; i++) at[i] = a[i] + offset[i];
      f.nonlinear(at, out);
      for (let i = 0; i < out.length; i++) out[i] -= f.gamma * offset[i];
    },
  };
}
