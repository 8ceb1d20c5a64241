import fc from 'fast-check';
import { norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { roundoff } from '../core/tolerance.js';
import { CompactGroup, permutationGroup } from '../groups/compact.js';
import { Perm, symmetricByGenerators } from '../groups/permGroup.js';
import { GroupAction, SignedPerm, exteriorSquare, layerAction, pointAction, signTwisted, sumAction, tensorAction } from '../reps/action.js';
import { boundedTolerance } from '../risk/haarRisk.js';
import { FixedProjector, orbitProjector } from '../space/fixedSpace.js';
import { register } from './engine.js';
import { projectorLawRatio } from './projectorLaws.js';

/** S_n by two generators, built once per n (Schreier–Sims on 50 points takes about a second). */
const groups = new Map<number, CompactGroup<Perm>>();
function symmetricGroup(n: number): CompactGroup<Perm> {
  let G = groups.get(n);
  if (!G) {
    G = permutationGroup(symmetricByGenerators(n));
    groups.set(n, G);
  }
  return G;
}

/** The layers of large-group-projector: DeepSets, graphs, a signed DeepSets layer, and edges to nodes. */
export type LargeLayerKind = 'sets' | 'graphs' | 'signed' | 'edges';

/**
 * A DeepSets layer Hom(R^n ⊕ R, R^n), a graph layer Hom(R^{n×n}, R^n), or the signed layer
 * Hom(R^n ⊕ R^n⊗sgn ⊕ R, R^n⊗sgn) under S_n: its moves carry signs, and the blocks Hom(R^n, R^n⊗sgn) and
 * Hom(R, R^n⊗sgn) have no invariants (their orbits cancel), while Hom(R^n⊗sgn, R^n⊗sgn) = Hom(R^n, R^n) keeps 2;
 * or the edge layer Hom(Λ²R^n ⊕ R, R^n) of oriented edges to nodes, whose one live orbit mixes signs.
 */
function layer(G: CompactGroup<Perm>, kind: LargeLayerKind): GroupAction<Perm> {
  const nat = pointAction(G);
  if (kind === 'signed') return layerAction([sumAction(nat, signTwisted(nat)), signTwisted(nat)], true);
  if (kind === 'edges') return layerAction([exteriorSquare(G), nat], true);
  return kind === 'sets' ? layerAction([nat, nat], true) : layerAction([tensorAction(nat, nat), nat]);
}

/**
 * m sampled actions: McDiarmid's tolerance is (1 + √(2 ln 1/α))·τ/√m = 0.104τ at m = 2048, below the 0.15–0.24τ by
 * which a sampler confined to the first level's transversal (a Schreier–Sims chain left incomplete) misses Π_G x on
 * these layers; at m = 64 (0.59τ) such a sampler passed
 */
const SAMPLES = 2048;
const ALPHA = 1e-3;

/**
 * dim H_G of each layer for n ≥ 4: Hom_{S_n}(R^{n⊗k}, R^{n⊗l}) has dimension Bell(k + l) for n ≥ k + l (one
 * invariant per partition of the k + l indices), so sets 2 + 1, graphs Bell(3) = 5; on the signed layer only
 * Hom(R^n⊗sgn, R^n⊗sgn) = Hom(R^n, R^n) keeps its 2, as R^n⊗R^n and R^n hold no copy of sgn once n ≥ 4; on the
 * edge layer Λ²R^n = V ⊕ Λ²V and R^n = 1 ⊕ V (V the standard representation) share V once, so 2: the boundary map
 * e_i ∧ e_j ↦ e_j − e_i (the orbit of (e_i ∧ e_j, e_i), signs mixed) and the constant bias.
 */
const INVARIANTS: Record<LargeLayerKind, number> = { sets: 3, graphs: 5, signed: 2, edges: 2 };

const factorial = (n: number): bigint => (n <= 1 ? 1n : BigInt(n) * factorial(n - 1));

/**
 * Π_G of S_n (n = 20…30 here, never enumerated; S_50 in the catalog and `npm run bench:groups`) by orbits of index pairs (docs/theory.md §8), checked the only way a
 * group of 50! elements allows: |G| = n! from the stabilizer chain, dim H_G = its Bell count (INVARIANTS), ρ̄(g)Π_G x = Π_G x for Haar-random g (exactly:
 * Π_G x is constant on orbits), idempotence and symmetry within round-off, and statistically: the mean of m = 2048 random ρ̄(g)x lies within
 * McDiarmid's tolerance (τ + τ√(2 ln 1/α))/√m of Π_G x, τ² = ‖x‖² − ‖Π_G x‖² (every sample is at distance τ from
 * Π_G x), α = 10⁻³. The ratio reported is the worst of the exact checks against round-off and the statistical one.
 */
export function checkLargeProjector(n: number, kind: LargeLayerKind, seed: number, project: (act: GroupAction<Perm>) => FixedProjector, group: CompactGroup<Perm> = symmetricGroup(n)): { ratio: number; detail: string } {
  const act = layer(group, kind);
  const P = project(act);
  const rng = new RandomStream(seed);
  const x = rng.child('x').gaussianVector(act.dim), y = rng.child('y').gaussianVector(act.dim);
  const px = P.apply(x).out, py = P.apply(y).out;
  // an orbit mean sums at most dim terms of size ≤ ‖x‖
  const ro = roundoff(norm(x) + norm(y), act.dim);
  const exact = projectorLawRatio(act, P, x, y, px, py, rng, ro);
  const G = act.group;
  const t = new Float64Array(act.dim);
  const mean = new Float64Array(act.dim);
  for (let k = 0; k < SAMPLES; k++) {
    act.apply(G.sample(rng), x, t);
    for (let i = 0; i < t.length; i++) mean[i] += t[i] / SAMPLES;
  }
  for (let i = 0; i < t.length; i++) t[i] = mean[i] - px[i];
  const tau = Math.sqrt(Math.max(norm(x) ** 2 - norm(px) ** 2, 0));
  const stat = norm(t) / boundedTolerance(tau, tau, SAMPLES, ALPHA);
  // Schreier–Sims' chain gives |G| = Π|Δ_i| exactly, and its transversals make u_0⋯u_k Haar-uniform only when complete:
  // an integer, so any difference is a failure (ratio ≥ 2)
  const order = G.order();
  const orderRatio = order === null ? Infinity : 2 * Math.abs(Number(order - factorial(n)));
  // dim H_G is an integer too: a miscounted orbit (a sign that cancels a live orbit) fails with ratio ≥ 2
  const rankRatio = P.rank === null ? 0 : 2 * Math.abs(P.rank - INVARIANTS[kind]);
  return { ratio: Math.max(exact, stat, orderRatio, rankRatio), detail: `S${n} ${kind}, dim H = ${act.dim}, dim H_G = ${P.rank}${rankRatio > 0 ? ` ≠ ${INVARIANTS[kind]}` : ''}, |G| = ${order}${orderRatio > 0 ? ` ≠ ${n}!` : ` = ${n}!`}: exact checks ${exact.toExponential(2)} of round-off; sampled mean (m = ${SAMPLES}) at ${stat.toFixed(3)} of its α = 10⁻³ tolerance` };
}

const byOrbits = (act: GroupAction<Perm>): FixedProjector => orbitProjector(act.dim, act.group.generators.map((s) => act.move(s) as SignedPerm));
/** The planted bug of the negative control: the orbits of the n-cycle alone (the transposition dropped), Π of C_n ≤ S_n. */
const cycleOnly = (act: GroupAction<Perm>): FixedProjector => orbitProjector(act.dim, [act.move(act.group.generators[1]) as SignedPerm]);

/** n, the layer kind, a seed, and whether Π_G drops the transposition (the negative control's planted bug). */
const largeCase = (drop: boolean) => fc.record({ n: fc.constantFrom(20, 25, 30), kind: fc.constantFrom<LargeLayerKind>('sets', 'graphs', 'signed', 'edges'), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), drop: fc.constant(drop) });

/** Π_G by generators under S_n, n ≥ 20: exact invariance and projector laws, statistical agreement with sampled Haar averages. */
export const largeGroupProjectorClaim = register({
  id: 'large-group-projector',
  title: 'S_n by generators (n = 20…30) on sets, graphs, a signed layer and edges to nodes: |G| = n! by Schreier–Sims; Π_G by orbits has rank Bell\'s count and is G-invariant, idempotent, symmetric (exact) and is the Haar mean of ρ̄(g)x [statistical, α = 10⁻³]',
  source: 'docs/theory.md §8 (eqflow\'s group machinery)',
  needs: [],
  // ≤ 27 000-parameter spaces, 2048 sampled actions each: 25 cases keep it to a few seconds
  runs: 25,
  statistical: { alpha: 25 * ALPHA },
  arbitrary: largeCase(false),
  check: async (_impl, { n, kind, seed, drop }) => checkLargeProjector(n, kind, seed, drop ? cycleOnly : byOrbits),
  negative: { arbitrary: largeCase(true), description: 'orbits of the n-cycle only (a dropped generator): the sampled S_n mean is far from that projection' },
});

/** The claims on groups too large to enumerate. */
export const largeGroupClaims = [largeGroupProjectorClaim];

