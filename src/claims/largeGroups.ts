import fc from 'fast-check';
import { norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { roundoff } from '../core/tolerance.js';
import { CompactGroup, permutationGroup } from '../groups/compact.js';
import { Perm, symmetricByGenerators } from '../groups/permGroup.js';
import { GroupAction, SignedPerm, layerAction, pointAction, tensorAction } from '../reps/action.js';
import { boundedTolerance } from '../risk/haarRisk.js';
import { FixedProjector, orbitProjector } from '../space/fixedSpace.js';
import { register } from './engine.js';

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

/** A DeepSets layer Hom(R^n ⊕ R, R^n) or a graph layer Hom(R^{n×n}, R^n) under S_n. */
function layer(G: CompactGroup<Perm>, kind: 'sets' | 'graphs'): GroupAction<Perm> {
  const nat = pointAction(G);
  return kind === 'sets' ? layerAction([nat, nat], true) : layerAction([tensorAction(nat, nat), nat]);
}

/**
 * m sampled actions: McDiarmid's tolerance is (1 + √(2 ln 1/α))·τ/√m = 0.104τ at m = 2048, below the 0.15–0.24τ by
 * which a sampler confined to the first level's transversal (a Schreier–Sims chain left incomplete) misses Π_G x on
 * these layers; at m = 64 (0.59τ) such a sampler passed
 */
const SAMPLES = 2048;
const ALPHA = 1e-3;

const factorial = (n: number): bigint => (n <= 1 ? 1n : BigInt(n) * factorial(n - 1));

/**
 * Π_G of S_n (n = 20…30 here, never enumerated; S_50 in the catalog and `npm run bench:groups`) by orbits of index pairs (docs/theory.md §8), checked the only way a
 * group of 50! elements allows: |G| = n! from the stabilizer chain, ρ̄(g)Π_G x = Π_G x for Haar-random g (exactly:
 * Π_G x is constant on orbits), idempotence and symmetry within round-off, and statistically: the mean of m = 2048 random ρ̄(g)x lies within
 * McDiarmid's tolerance (τ + τ√(2 ln 1/α))/√m of Π_G x, τ² = ‖x‖² − ‖Π_G x‖² (every sample is at distance τ from
 * Π_G x), α = 10⁻³. The ratio reported is the worst of the exact checks against round-off and the statistical one.
 */
export function checkLargeProjector(n: number, kind: 'sets' | 'graphs', seed: number, project: (act: GroupAction<Perm>) => FixedProjector, group: CompactGroup<Perm> = symmetricGroup(n)): { ratio: number; detail: string } {
  const act = layer(group, kind);
  const P = project(act);
  const rng = new RandomStream(seed);
  const x = rng.child('x').gaussianVector(act.dim), y = rng.child('y').gaussianVector(act.dim);
  const px = P.apply(x).out, py = P.apply(y).out;
  // an orbit mean sums at most dim terms of size ≤ ‖x‖
  const ro = roundoff(norm(x) + norm(y), act.dim);
  let exact = 0;
  const t = new Float64Array(act.dim);
  const G = act.group;
  for (let k = 0; k < 3; k++) {
    act.apply(G.sample(rng), px, t);
    for (let i = 0; i < t.length; i++) t[i] -= px[i];
    exact = Math.max(exact, norm(t) / ro);
  }
  const ppx = P.apply(px).out;
  for (let i = 0; i < t.length; i++) t[i] = ppx[i] - px[i];
  exact = Math.max(exact, norm(t) / ro);
  let a = 0, b = 0;
  for (let i = 0; i < act.dim; i++) { a += px[i] * y[i]; b += x[i] * py[i]; }
  exact = Math.max(exact, Math.abs(a - b) / (ro * (norm(x) + norm(y))));
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
  return { ratio: Math.max(exact, stat, orderRatio), detail: `S${n} ${kind}, dim H = ${act.dim}, dim H_G = ${P.rank}, |G| = ${order}${orderRatio > 0 ? ` ≠ ${n}!` : ` = ${n}!`}: exact checks ${exact.toExponential(2)} of round-off; sampled mean (m = ${SAMPLES}) at ${stat.toFixed(3)} of its α = 10⁻³ tolerance` };
}

const byOrbits = (act: GroupAction<Perm>): FixedProjector => orbitProjector(act.dim, act.group.generators.map((s) => act.move(s) as SignedPerm));
/** The planted bug of the negative control: the orbits of the n-cycle alone (the transposition dropped), Π of C_n ≤ S_n. */
const cycleOnly = (act: GroupAction<Perm>): FixedProjector => orbitProjector(act.dim, [act.move(act.group.generators[1]) as SignedPerm]);

/** n, the layer kind, a seed, and whether Π_G drops the transposition (the negative control's planted bug). */
const largeCase = (drop: boolean) => fc.record({ n: fc.constantFrom(20, 25, 30), kind: fc.constantFrom<'sets' | 'graphs'>('sets', 'graphs'), seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }), drop: fc.constant(drop) });

/** Π_G by generators under S_n, n ≥ 20: exact invariance and projector laws, statistical agreement with sampled Haar averages. */
export const largeGroupProjectorClaim = register({
  id: 'large-group-projector',
  title: 'S_n by generators (n = 20…30): |G| = n! by Schreier–Sims; Π_G by orbits is G-invariant, idempotent, symmetric (exact) and is the Haar mean of ρ̄(g)x [statistical, α = 10⁻³]',
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

