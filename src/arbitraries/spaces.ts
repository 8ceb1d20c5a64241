/**
 * Arbitraries for parameter spaces H (docs/theory.md §1, Network / Induced action), admissible subspaces L_0
 * (Admissible layers) and points. Everything random is drawn by fast-check: structure as integers and booleans,
 * real-valued vectors from an integer seed fed to RandomStream (so they replay from fast-check's seed and path
 * and shrink to seed 0 rather than over raw doubles).
 */
import fc from 'fast-check';
import { RandomStream } from '../core/rng.js';
import { Representation } from '../reps/representation.js';
import { Admissible, basisSpace, fullSpace, maskSpace } from '../space/admissible.js';
import { Matrix, SVD } from 'ml-matrix';
import { norm } from '../core/kernels.js';
import { ParamSpace, layerSpace } from '../space/paramSpace.js';
import { GroupArbOptions, GroupSpec, buildGroup, groupSpecArb } from './groups.js';
import { RepSpec, buildRep, repDim, repSpecArb } from './reps.js';

/** A printable parameter space: a group and the representations of its feature spaces. */
export interface SpaceSpec {
  group: GroupSpec;
  /** feature representations ρ_0..ρ_L (2 or 3 of them: one or two layers) */
  reps: RepSpec[];
  /** bias per layer (a constant input coordinate with trivial action) */
  bias: boolean[];
}

/** dim H = Σ_i n_{i+1}(n_i + b_i), without building anything. */
export function spaceDim(s: SpaceSpec): number {
  let d = 0;
  for (let i = 0; i + 1 < s.reps.length; i++) d += repDim(s.group, s.reps[i + 1]) * (repDim(s.group, s.reps[i]) + (s.bias[i] ? 1 : 0));
  return d;
}

const spaceCache = new Map<string, { space: ParamSpace; reps: Representation[] }>();

/** The ParamSpace of a spec (memoized: the same spec gives the same object within a worker). */
export function buildSpace(s: SpaceSpec): ParamSpace {
  return buildSpaceWithReps(s).space;
}

/** The ParamSpace and the feature representations ρ_0..ρ_L it was built from. */
export function buildSpaceWithReps(s: SpaceSpec): { space: ParamSpace; reps: Representation[] } {
  const key = JSON.stringify(s);
  const hit = spaceCache.get(key);
  if (hit) return hit;
  const reps = s.reps.map((r) => buildRep(s.group, r));
  const out = { space: layerSpace(reps, s.bias), reps };
  if (spaceCache.size > 256) spaceCache.clear();
  spaceCache.set(key, out);
  return out;
}

/** Which spaces spaceSpecArb draws: group options, a group restriction, and bounds on the feature and total dimensions. */
export interface SpaceArbOptions extends GroupArbOptions {
  /** bound on each feature dimension n_i (default 16) */
  maxRepDim?: number;
  /** bound on dim H (default 160: keeps SVD nullspaces of incompatible L cheap) */
  maxDim?: number;
  /** restrict the group (e.g. to C4 for rot90 cases) */
  group?: fc.Arbitrary<GroupSpec>;
}

/** layerSpace over 2–3 representations of one random group, each layer with or without a bias column. */
export function spaceSpecArb(opts: SpaceArbOptions = {}): fc.Arbitrary<SpaceSpec> {
  const maxRepDim = opts.maxRepDim ?? 16;
  const maxDim = opts.maxDim ?? 160;
  const groups = opts.group ?? groupSpecArb(opts);
  return groups
    .chain((group) =>
      fc
        .integer({ min: 2, max: 3 })
        .chain((count) =>
          fc.tuple(
            fc.array(repSpecArb(group, maxRepDim), { minLength: count, maxLength: count }),
            fc.array(fc.boolean(), { minLength: count - 1, maxLength: count - 1 }),
          ),
        )
        .map(([reps, bias]): SpaceSpec => ({ group, reps, bias })),
    )
    .filter((s) => spaceDim(s) <= maxDim);
}

/** An admissible subspace L_0 of H, as data relative to dim H. */
export type AdmSpec =
  | { kind: 'full' }
  /** the coordinates j with bits[j] */
  | { kind: 'mask'; bits: boolean[] }
  /** a G-invariant mask: the union of the ρ̄-blocks (orbits, for a monomial ρ̄) whose first coordinate has its bit set */
  | { kind: 'orbitMask'; bits: boolean[] }
  /** span of `count` Gaussian vectors drawn from `seed` */
  | { kind: 'basis'; seed: number; count: number }
  /** span of Π_G v for `count` Gaussian v: a subspace of H_G (compatible) */
  | { kind: 'twirledBasis'; seed: number; count: number }
  /** span of all ρ̄(g)v for `count` Gaussian v: a ρ̄-invariant subspace (compatible) */
  | { kind: 'orbitBasis'; seed: number; count: number };

/** Blocks of coordinates that ρ̄ never mixes with others: connected components of the support of all ρ̄(g). */
export function actionBlocks(rep: Representation): Int32Array {
  const d = rep.dim;
  const parent = Int32Array.from({ length: d }, (_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  };
  const union = (i: number, j: number) => {
    const a = find(i), b = find(j);
    if (a !== b) parent[Math.max(a, b)] = Math.min(a, b);
  };
  const G = rep.group;
  for (let g = 0; g < G.order; g++) {
    if (rep.monomial) {
      const p = rep.monomial.perm[g];
      for (let i = 0; i < d; i++) union(i, p[i]);
    } else {
      const m = rep.matrix(g);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) if (m[i * d + j] !== 0) union(i, j);
    }
  }
  // label = smallest coordinate of the block
  return Int32Array.from({ length: d }, (_, i) => find(i));
}

/** The union of the blocks whose smallest coordinate has its bit set. */
export function blockUnionMask(blocks: Int32Array, bits: readonly boolean[]): Uint8Array {
  return Uint8Array.from(blocks, (b) => (bits[b] ? 1 : 0));
}

/** `count` Gaussian vectors of length `dim` from a seed. */
export function gaussianVectors(seed: number, count: number, dim: number): Float64Array[] {
  const rs = new RandomStream(`vectors:${seed}`);
  return Array.from({ length: count }, () => rs.gaussianVector(dim));
}

/** Builds L_0 ⊆ H for a spec. */
export function buildAdmissible(space: ParamSpace, a: AdmSpec): Admissible {
  const rho = space.action;
  switch (a.kind) {
    case 'full':
      return fullSpace(space);
    case 'mask':
      return maskSpace(space, a.bits, 'random-mask');
    case 'orbitMask':
      return maskSpace(space, blockUnionMask(actionBlocks(rho), a.bits), 'orbit-union');
    case 'basis':
      return basisSpace(space, gaussianVectors(a.seed, a.count, space.dim), 'random-span');
    case 'twirledBasis': {
      // L_0 = span Π_G v_i ⊆ H_G. The twirls can be nearly parallel or pure round-off (H_G small or 0), so take an
      // SVD span first (dropping directions below 1e-8·‖v‖), then twirl the orthonormal basis again: the basis we
      // hand over is well conditioned and inside H_G to round-off. The properties test the projectors, not an
      // ill-posed input (see the KNOWN-BUG test in projectors.test.ts for what Gram–Schmidt alone does).
      const raw = gaussianVectors(a.seed, a.count, space.dim);
      const span = spanBasis(raw.map((v) => twirlRef(rho, v)), Math.max(...raw.map((v) => norm(v))));
      return basisSpace(space, span.map((q) => twirlRef(rho, q)), 'twirled-span');
    }
    case 'orbitBasis':
      return basisSpace(space, spanBasis(orbitVectors(rho, gaussianVectors(a.seed, a.count, space.dim))), 'orbit-span');
  }
}

/** All ρ(g)v for v in `vs`: they span the smallest ρ-invariant subspace containing `vs`. */
export function orbitVectors(rho: Representation, vs: Float64Array[]): Float64Array[] {
  const out: Float64Array[] = [];
  for (const v of vs) {
    for (let g = 0; g < rho.group.order; g++) {
      const w = new Float64Array(rho.dim);
      rho.apply(g, v, w);
      out.push(w);
    }
  }
  return out;
}

/**
 * An orthonormal basis of span(vectors) from the SVD of the dim×m matrix of columns: left singular vectors with
 * σ > 1e-8·scale (scale defaults to σ_max). Rank-revealing, unlike Gram–Schmidt in input order, so the basis is
 * accurate to round-off even when the vectors are many and nearly dependent (orbits).
 */
export function spanBasis(vectors: Float64Array[], scale?: number): Float64Array[] {
  if (vectors.length === 0) return [];
  const d = vectors[0].length;
  const m = new Matrix(d, vectors.length);
  vectors.forEach((v, j) => v.forEach((x, i) => m.set(i, j, x)));
  const svd = new SVD(m, { computeLeftSingularVectors: true, computeRightSingularVectors: false, autoTranspose: true });
  const sv = svd.diagonal;
  const cut = 1e-8 * (scale ?? Math.max(0, ...sv));
  const U = svd.leftSingularVectors;
  const out: Float64Array[] = [];
  sv.forEach((s, j) => {
    if (s > cut) out.push(Float64Array.from(U.getColumn(j)));
  });
  return out;
}

/** Π_G by the definition (1/|G|) Σ_g ρ(g)v through `apply`: a reference independent of `twirl`. */
export function twirlRef(rho: Representation, v: Float64Array): Float64Array {
  const out = new Float64Array(rho.dim);
  const t = new Float64Array(rho.dim);
  for (let g = 0; g < rho.group.order; g++) {
    rho.apply(g, v, t);
    for (let i = 0; i < out.length; i++) out[i] += t[i];
  }
  for (let i = 0; i < out.length; i++) out[i] /= rho.group.order;
  return out;
}

/** Every kind of admissible subspace for a space of dimension dim. */
export function admSpecArb(dim: number): fc.Arbitrary<AdmSpec> {
  const bits = fc.array(fc.boolean(), { minLength: dim, maxLength: dim });
  const span = (kind: 'basis' | 'twirledBasis' | 'orbitBasis', max: number) =>
    fc.record({ seed: fc.nat(), count: fc.integer({ min: 1, max: Math.max(1, Math.min(dim, max)) }) }).map(({ seed, count }): AdmSpec => ({ kind, seed, count }));
  return fc.oneof(
    { arbitrary: fc.constant<AdmSpec>({ kind: 'full' }), weight: 1 },
    { arbitrary: bits.map((b): AdmSpec => ({ kind: 'mask', bits: b })), weight: 3 },
    { arbitrary: bits.map((b): AdmSpec => ({ kind: 'orbitMask', bits: b })), weight: 3 },
    { arbitrary: span('basis', 6), weight: 2 },
    { arbitrary: span('twirledBasis', 4), weight: 1 },
    { arbitrary: span('orbitBasis', 2), weight: 1 },
  );
}

/** A point: Gaussian entries from `seed`, scaled by 10^exp (exp ∈ −8..8: tolerances must be relative). */
export interface PointSpec {
  seed: number;
  exp: number;
}

/** A point: a seed and a decimal exponent, so that shrinking goes towards unit scale. */
export function pointSpecArb(maxExp = 8): fc.Arbitrary<PointSpec> {
  return fc.record({ seed: fc.nat(), exp: fc.integer({ min: -maxExp, max: maxExp }) });
}

/** The Gaussian point of a PointSpec, of scale 10^exp. */
export function buildPoint(p: PointSpec, dim: number): Float64Array {
  return new RandomStream(`point:${p.seed}`).gaussianVector(dim, 10 ** p.exp);
}

/** A full projector case: a space, an admissible L_0, two points. */
export interface ProjCase {
  space: SpaceSpec;
  L: AdmSpec;
  x: PointSpec;
  y: PointSpec;
}

/** A full projector case: a space, an admissible L_0 and two points. */
export function projCaseArb(opts: SpaceArbOptions = {}, adm?: (dim: number) => fc.Arbitrary<AdmSpec>): fc.Arbitrary<ProjCase> {
  return spaceSpecArb(opts).chain((space) => {
    const dim = spaceDim(space);
    return fc.record({ space: fc.constant(space), L: (adm ?? admSpecArb)(dim), x: pointSpecArb(), y: pointSpecArb() });
  });
}

/** The group object of a space spec (convenience). */
export function groupOf(s: SpaceSpec) {
  return buildGroup(s.group);
}
