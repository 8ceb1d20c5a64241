import { SplitProjectors, checkedRangeBasis, splitBases } from '../analysis/hessian.js';
import { orthonormalize } from '../space/linalg.js';
import { norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { Perm } from '../groups/permGroup.js';
import { BuiltCase, buildCase } from '../impl/build.js';
import { CaseSpec } from '../impl/caseSpec.js';
import { SampleElements } from '../impl/implementation.js';
import { PermCase, buildPermCase, transformedGradient } from '../impl/permCase.js';
import { LinearMap } from '../flows/dynamics.js';
import { Projectors } from '../space/projectors.js';
import { Dataset, orbitDataset } from '../risk/dataset.js';
import { squaredLoss } from '../risk/losses.js';
import { Model, Loss } from '../models/model.js';
import { Objective } from '../risk/objective.js';
import { SampledAugmentation } from '../risk/risk.js';

/**
 * What the theorem claims read of a Case besides the implementation's numbers (structure, like a group table): the
 * reference's risk, projectors and bases of E_0 and F_0, and the sizes the round-off budgets count. For an
 * enumerated group it is the reference's dense build; for a group given by generators (perm-generators) it is
 * built without enumerating G or forming a dense projector: Π_G = Π_E by orbits, bases of E_0 and F_0 by orbits
 * (exact and sparse), Haar-random elements from a Schreier–Sims chain (docs/theory.md §8).
 */
export interface CaseStructure {
  readonly dim: number;
  /**
   * The factor a G-average multiplies a sample's flops per entry by, the |G| of the round-off budgets
   * (|G|·n·dim operations): |G| for a twirl over the elements. For a group by generators Π_G and R^aug (twirled
   * moments) are orbit means, and an orbit mean over a space of dimension D adds at most D terms to an entry:
   * ⌈D/dim H⌉ samples' worth, D the largest space twirled (H, or Hom(X̃_0, X̃_0) for the moments).
   */
  readonly averagedTerms: number;
  /** samples in the data */
  readonly count: number;
  /** the nominal risk R */
  readonly R: Objective;
  /**
   * Orthonormal bases of E_0 and of F' ⊆ F_0 for the Hessian claims: F' = F_0 for an enumerated group; for a group
   * by generators with dim F_0 > 48, a seeded 12-dimensional subspace (Lemma 3's blocks and Theorem 2's
   * relations hold for the compression BᵀHB to E_0 ⊕ F' of every F' ⊆ F_0; a dim-F_0 Hessian of hundreds of
   * columns would cost seconds per case).
   */
  hessianBases(seed: number): { E: Float64Array[]; F: Float64Array[] };
  readonly P: Projectors | SplitProjectors;
  /** K = MMᵀ for a matrix parametrization, null for the unitary one */
  readonly K: LinearMap | null;
  /** Haar-random group elements, one per sample, from a seed (as the implementation takes them) */
  elements(seed: number): SampleElements;
  /** the batch risk's gradient with sample s transformed by elements[s] */
  sampledGradient(A: Float64Array, elements: SampleElements, out: Float64Array): void;
  /**
   * The mean over the samples (transformed by every g when `augmented`) of the scale of a per-sample gradient's
   * round-off (see gradientRoundoffScale in util.ts)
   */
  gradientScale(A: Float64Array, augmented: boolean): number;
}

/**
 * Per sample, max(‖∇ℓ_s‖, ‖Jᵀ(c·1)‖) with c = (‖ŷ‖ + ‖y‖)/√m: the round-off of ∇ℓ = Jᵀ(ŷ − y), whose residual is
 * computed to eps·(‖ŷ‖ + ‖y‖); the mean over the data.
 */
function sampleGradientScale(model: Model, d: Dataset, loss: Loss, A: Float64Array): number {
  const m = d.outputDim;
  const g = new Float64Array(A.length), yhat = new Float64Array(m), target = new Float64Array(m);
  let sum = 0;
  for (let k = 0; k < d.count; k++) {
    const x = d.x.subarray(k * d.inputDim, (k + 1) * d.inputDim), y = d.y.subarray(k * m, (k + 1) * m);
    g.fill(0);
    model.lossGradient(A, x, y, 1, loss, 1, g);
    const own = norm(g);
    model.forward(A, x, 1, yhat);
    const c = (norm(yhat) + norm(Float64Array.from(y))) / Math.sqrt(m);
    for (let i = 0; i < m; i++) target[i] = yhat[i] - c; // squared loss: ∇ℓ = Jᵀ(ŷ − target) = Jᵀ(c·1)
    g.fill(0);
    model.lossGradient(A, x, target, 1, squaredLoss, 1, g);
    sum += Math.max(own, norm(g));
  }
  return sum / d.count;
}

function ofBuilt(b: BuiltCase): CaseStructure {
  const order = b.group.order;
  return {
    dim: b.model.space.dim, averagedTerms: order, count: b.data.count, R: b.R, P: b.P, K: b.K,
    hessianBases: () => splitBases(b.P),
    // indices |v|·10⁶ mod |G| of seeded Gaussians (uniform enough for a claim that holds for every draw)
    elements: (seed) => Int32Array.from(new RandomStream(seed).gaussianVector(b.data.count), (v) => Math.floor(Math.abs(v) * 1e6) % order),
    sampledGradient: (A, elements, out) => void new SampledAugmentation(b.model, b.data, b.loss, new RandomStream('unused')).gradientWith(A, elements as Int32Array, out),
    gradientScale: (A, augmented) => sampleGradientScale(b.model, augmented ? orbitDataset(b.data, b.model.inputRep, b.model.outputRep) : b.data, b.loss, A),
  };
}

function ofPerm(c: PermCase): CaseStructure {
  const dim = c.params.dim;
  const piE = (x: Float64Array, out?: Float64Array) => c.projector.apply(x, out).out;
  const piEperp = (x: Float64Array, out = new Float64Array(x.length)) => {
    const g = piE(x);
    for (let i = 0; i < x.length; i++) out[i] = x[i] - g[i];
    return out;
  };
  // buildPermCase's Π_G is an orbit projector: both bases exist, built on first use (F_0's is dense, dim² entries)
  let E: Float64Array[] | undefined, F: Float64Array[] | undefined;
  const P: SplitProjectors = {
    piE, piEperp,
    piL: (x, out = new Float64Array(x.length)) => (out === x ? out : (out.set(x), out)), // L = H
    eBasis: () => (E ??= checkedRangeBasis(c.projector.fixedBasis!(), piE, dim, 'E_0 basis')),
    fBasis: () => (F ??= checkedRangeBasis(c.projector.complementBasis!(), piEperp, dim, 'F_0 basis')),
  };
  const m = c.spec.model;
  const inTilde = c.input.dim + (m.kind === 'mlp' && m.bias ? 1 : 0);
  return {
    dim, averagedTerms: Math.ceil(Math.max(dim, inTilde * inTilde) / dim), count: c.data.count, R: c.R, P, K: null,
    hessianBases: (seed) => {
      const e = P.eBasis();
      if (dim - e.length <= FULL_F) return { E: e, F: P.fBasis() };
      // Π_{E⊥} of SUB_F seeded Gaussians, orthonormalized: a uniformly random SUB_F-dimensional subspace of F_0
      const rng = new RandomStream(`F'/${seed}`);
      return { E: e, F: orthonormalize(Array.from({ length: SUB_F }, () => piEperp(rng.gaussianVector(dim)))) };
    },
    elements: (seed) => {
      const rng = new RandomStream(seed);
      return Array.from({ length: c.data.count }, () => c.group.sample(rng));
    },
    sampledGradient: (A, elements, out) => void transformedGradient(c, A, elements as readonly Perm[], out),
    // at A ∈ H_G (where the claims ask for it) ρ̄(g)A = A and the ρ's are orthogonal: the transformed sample's
    // gradient and output have the sample's norms, so the orbit's mean is the data's
    gradientScale: (A) => sampleGradientScale(c.model, c.data, c.loss, A),
  };
}

/** dim F_0 up to which the Hessian claims use all of F_0 on a group by generators, and the subspace's dim beyond */
const FULL_F = 48, SUB_F = 12;

const built = new Map<string, BuiltCase>();

/**
 * The reference's build of a case: the claims read structure from it (group table, bases of E_0 and F_0) while
 * every number under test comes from the implementation. Enumerated groups only (buildCase refuses the others).
 */
export function structure(spec: CaseSpec): BuiltCase {
  const key = JSON.stringify(spec);
  let b = built.get(key);
  if (!b) {
    if (built.size > 64) built.clear(); // bounded over long runs
    b = buildCase(spec);
    built.set(key, b);
  }
  return b;
}

const structures = new Map<string, CaseStructure>();

/** The structure of any Case the theorem claims read, groups by generators included (cached; bounded over long runs). */
export function caseStructure(spec: CaseSpec): CaseStructure {
  const key = JSON.stringify(spec);
  let s = structures.get(key);
  if (!s) {
    if (structures.size > 64) structures.clear();
    s = spec.group.kind === 'perm-generators' ? ofPerm(buildPermCase(spec)) : ofBuilt(structure(spec));
    structures.set(key, s);
  }
  return s;
}
