import { requireInteger } from '../core/errors.js';
import { RandomStream } from '../core/rng.js';
import { FiniteGroup, MAX_ORDER } from './group.js';
import { Perm, PermGroup, composePerm, invertPerm } from './permGroup.js';

/** An element of SO(2) or O(2): the rotation by θ, followed by the reflection (x, y) ↦ (x, −y) when `reflect`. */
export interface Planar {
  readonly theta: number;
  readonly reflect: boolean;
}

/**
 * A finite rule {(g_j, w_j)} with Σ_j w_j f(g_j) = ∫_G f dHaar exactly for every f in the class it was asked for
 * (all functions for an enumerated finite group; trigonometric polynomials of degree ≤ `degree` for SO(2)/O(2)).
 */
export interface HaarRule<E> {
  readonly elements: readonly E[];
  readonly weights: Float64Array;
}

/**
 * A compact group with normalized Haar measure (docs/theory.md §1, §8), known by what eqflow needs of it, never by
 * a list of elements: generators (topological ones for a continuous group; the common fixed space of their
 * actions is H_G), Haar sampling, and an exact Haar rule where one exists. Elements are of type E: an index for
 * an enumerated group, a permutation for a generator-given one, an angle (and reflection flag) for SO(2)/O(2).
 */
export interface CompactGroup<E> {
  readonly name: string;
  readonly kind: 'enumerated' | 'permutation' | 'SO2' | 'O2';
  /** |G|, or null for a continuous group */
  order(): bigint | null;
  readonly identity: E;
  mul(a: E, b: E): E;
  inv(a: E): E;
  /** elements whose common fixed vectors, in every representation the group is used with, are the G-invariant ones */
  readonly generators: readonly E[];
  /** one Haar-uniform element */
  sample(rng: RandomStream): E;
  /**
   * An exact Haar rule for functions of degree ≤ `degree` (ignored by finite groups), or null when the group has
   * too many elements to enumerate (claims then use sampled averages).
   */
  haarRule(degree: number): HaarRule<E> | null;
  /** The element as the protocol's JSON (docs/protocol.md). */
  toJSON(g: E): ElementJSON;
}

/** How an element travels in the protocol: an index, a permutation of points, or an angle (radians) with a reflection flag. */
export type ElementJSON = number | { perm: number[] } | { theta: number; reflect?: boolean };

const uniformWeights = (n: number): Float64Array => new Float64Array(n).fill(1 / n);

const enumeratedViews = new WeakMap<FiniteGroup, CompactGroup<number>>();

/** An enumerated FiniteGroup (Cayley table) seen as a CompactGroup over its element indices (one view per group, so actions of it can be combined). */
export function enumerated(G: FiniteGroup): CompactGroup<number> {
  const hit = enumeratedViews.get(G);
  if (hit) return hit;
  const all = G.elements();
  const view: CompactGroup<number> = {
    name: G.name, kind: 'enumerated', identity: G.identity, generators: G.generators,
    order: () => BigInt(G.order),
    mul: (a, b) => G.mul(a, b),
    inv: (a) => G.inv(a),
    sample: (rng) => rng.int(G.order),
    haarRule: () => ({ elements: all, weights: uniformWeights(G.order) }),
    toJSON: (g) => g,
  };
  enumeratedViews.set(G, view);
  return view;
}

/** A generator-given permutation group as a CompactGroup over permutations; enumerable only up to MAX_ORDER. */
export function permutationGroup(G: PermGroup): CompactGroup<Perm> {
  let rule: HaarRule<Perm> | null | undefined;
  return {
    name: G.name, kind: 'permutation', identity: G.identity(), generators: G.generators,
    order: () => G.order(),
    mul: composePerm,
    inv: invertPerm,
    sample: (rng) => G.random(rng),
    haarRule: () => {
      if (rule === undefined) {
        const els = G.order() <= BigInt(MAX_ORDER) ? G.elements() : null;
        rule = els && { elements: els, weights: uniformWeights(els.length) };
      }
      return rule;
    },
    toJSON: (g) => ({ perm: Array.from(g) }),
  };
}

const TWO_PI = 2 * Math.PI;
/** θ reduced to [0, 2π) so that products do not drift. */
const wrap = (t: number): number => {
  const r = t % TWO_PI;
  return r < 0 ? r + TWO_PI : r;
};

/**
 * The N equispaced angles 2πj/N, j < N, with N = degree + 1: for a trigonometric polynomial of degree D,
 * (1/N) Σ_j f(2πj/N) = (1/2π) ∫ f exactly iff N > D, since (1/N) Σ_j e^{ik2πj/N} = [N divides k] and the
 * frequencies 0 < |k| ≤ D are then not multiples of N.
 */
export function equispacedAngles(degree: number): Float64Array {
  requireInteger(degree, 'degree', 0);
  const n = degree + 1;
  return Float64Array.from({ length: n }, (_, j) => (TWO_PI * j) / n);
}

/**
 * SO(2) (reflections = false) or O(2) (true) with elements (θ, f) meaning r_θ s^f, s the reflection (x, y) ↦ (x, −y),
 * so s r_θ s = r_{−θ} and (r_a s^f)(r_b s^h) = r_{a + (−1)^f b} s^{f+h}. Topological generators: the rotation by
 * 1 radian (its powers are dense, since 1/2π is irrational) and, for O(2), s. Haar rule for trigonometric
 * polynomials of degree ≤ D: N = D + 1 equispaced angles, each with and without s for O(2) (Haar on O(2) is the
 * average over the two cosets of SO(2)).
 */
export function planarGroup(reflections: boolean): CompactGroup<Planar> {
  const e: Planar = { theta: 0, reflect: false };
  const gens: Planar[] = [{ theta: 1, reflect: false }];
  if (reflections) gens.push({ theta: 0, reflect: true });
  return {
    name: reflections ? 'O2' : 'SO2', kind: reflections ? 'O2' : 'SO2', identity: e, generators: gens,
    order: () => null,
    mul: (a, b) => ({ theta: wrap(a.theta + (a.reflect ? -b.theta : b.theta)), reflect: a.reflect !== b.reflect }),
    inv: (a) => (a.reflect ? a : { theta: wrap(-a.theta), reflect: false }),
    sample: (rng) => ({ theta: rng.uniformIn(0, TWO_PI), reflect: reflections && rng.uniform() < 0.5 }),
    haarRule: (degree) => {
      const angles = Array.from(equispacedAngles(degree));
      const els = angles.map((theta) => ({ theta, reflect: false }));
      if (reflections) for (const theta of angles) els.push({ theta, reflect: true });
      return { elements: els, weights: uniformWeights(els.length) };
    },
    toJSON: (g) => (reflections ? { theta: g.theta, reflect: g.reflect } : { theta: g.theta }),
  };
}
