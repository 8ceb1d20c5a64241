/**
 * Arbitraries for orthogonal representations of a given group (docs/theory.md §1, Representations). A `RepSpec` is
 * plain data relative to a `GroupSpec`; `buildRep` constructs it with the library's builders.
 */
import fc from 'fast-check';
import { FiniteGroup } from '../groups/group.js';
import { factorProjection } from '../groups/builtins.js';
import {
  adjacency, cyclicShift, directSum, natural, permutationRep, pullback, rot90, rotation2d, signedPermutationRep, tensor, trivial,
} from '../reps/builders.js';
import { Representation } from '../reps/representation.js';
import { GroupSpec, buildGroup } from './groups.js';

/** A printable representation description; buildRep turns it into a Representation of the group. */
export type RepSpec =
  | { kind: 'trivial'; dim: number }
  /** a 1-dimensional ±1 character: (−1)^k on C_n (n even), (−1)^f on D_n, the parity on permutation groups */
  | { kind: 'sign' }
  /** C_n on R^dim by shifts of `step` (n·step ≡ 0 mod dim) */
  | { kind: 'shift'; dim: number; step: number }
  /** C4 / D4 on `channels` k×k images */
  | { kind: 'rot90'; k: number; channels: number }
  /** C_n on R² by rotation through 2π/n (dense) */
  | { kind: 'rot2d' }
  /** D_n on the n vertices of the n-gon: r^k s^f sends vertex i to k + (−1)^f i mod n */
  | { kind: 'polygon' }
  /** a permutation group on R^degree, and on degree×degree matrices X ↦ P X Pᵀ */
  | { kind: 'natural' }
  | { kind: 'adjacency' }
  /** a representation of factor `which` of a direct product, pulled back along the factor projection */
  | { kind: 'pull'; which: 0 | 1; inner: RepSpec }
  | { kind: 'sum'; parts: RepSpec[] }
  | { kind: 'tensor'; a: RepSpec; b: RepSpec };

function degreeOf(g: GroupSpec): number {
  if (g.kind === 'symmetric') return g.n;
  if (g.kind === 'perm') return g.degree;
  throw new Error(`${g.kind} is not a permutation group`);
}

function factor(g: GroupSpec, which: 0 | 1): GroupSpec {
  if (g.kind !== 'product') throw new Error('pull needs a product group');
  return which === 0 ? g.a : g.b;
}

/** dim of the representation a spec describes, without building it. */
export function repDim(g: GroupSpec, r: RepSpec): number {
  switch (r.kind) {
    case 'trivial':
      return r.dim;
    case 'sign':
      return 1;
    case 'shift':
      return r.dim;
    case 'rot90':
      return r.channels * r.k * r.k;
    case 'rot2d':
      return 2;
    case 'polygon':
      return g.kind === 'dihedral' ? g.n : 0;
    case 'natural':
      return degreeOf(g);
    case 'adjacency':
      return degreeOf(g) ** 2;
    case 'pull':
      return repDim(factor(g, r.which), r.inner);
    case 'sum':
      return r.parts.reduce((s, p) => s + repDim(g, p), 0);
    case 'tensor':
      return repDim(g, r.a) * repDim(g, r.b);
  }
}

/** Parity of a permutation (+1 even, −1 odd) by counting cycles. */
export function parity(p: ArrayLike<number>): number {
  const seen = new Uint8Array(p.length);
  let s = 1;
  for (let i = 0; i < p.length; i++) {
    if (seen[i]) continue;
    let len = 0;
    for (let j = i; !seen[j]; j = p[j]) {
      seen[j] = 1;
      len++;
    }
    if (len % 2 === 0) s = -s;
  }
  return s;
}

/** Builds the representation of `G = buildGroup(g)` described by `r`. */
export function buildRep(g: GroupSpec, r: RepSpec): Representation {
  const G = buildGroup(g);
  switch (r.kind) {
    case 'trivial':
      return trivial(G, r.dim);
    case 'sign':
      return signRep(G);
    case 'shift':
      return cyclicShift(G, r.dim, r.step);
    case 'rot90':
      return rot90(G, r.k, r.channels);
    case 'rot2d':
      return rotation2d(G);
    case 'polygon': {
      if (G.family.kind !== 'dihedral') throw new Error('polygon needs D_n');
      const n = G.family.n;
      const perms = G.elements().map((x) => {
        const k = x % n, f = Math.floor(x / n);
        return Array.from({ length: n }, (_, i) => (((k + (f ? -i : i)) % n) + n) % n);
      });
      return permutationRep(G, perms, `polygon${n}`);
    }
    case 'natural':
      return natural(G);
    case 'adjacency':
      return adjacency(G);
    case 'pull': {
      const inner = buildRep(factor(g, r.which), r.inner);
      return pullback(inner, G, factorProjection(G, r.which));
    }
    case 'sum':
      return directSum(...r.parts.map((p) => buildRep(g, p)));
    case 'tensor':
      return tensor(buildRep(g, r.a), buildRep(g, r.b));
  }
}

/** The ±1 character named 'sign' (validated by signedPermutationRep). */
export function signRep(G: FiniteGroup): Representation {
  const fam = G.family;
  let s: (g: number) => number;
  if (fam.kind === 'cyclic' && fam.n % 2 === 0) s = (g) => (g % 2 ? -1 : 1);
  else if (fam.kind === 'dihedral') s = (g) => (g >= fam.n ? -1 : 1);
  else if (fam.kind === 'permutation') s = (g) => parity(fam.perms[g]);
  else throw new Error(`no sign representation for ${G.name}`);
  return signedPermutationRep(G, G.elements().map(() => [0]), G.elements().map((g) => [s(g)]), 'sign');
}

/** Which base (non-composite) representation kinds a group supports. */
function baseArbs(g: GroupSpec, maxDim: number): fc.WeightedArbitrary<RepSpec>[] {
  // trivial first (the shrink target), but rarer than the faithful kinds, which are what the properties are about
  const out: fc.WeightedArbitrary<RepSpec>[] = [{ arbitrary: fc.integer({ min: 1, max: Math.min(2, maxDim) }).map((dim): RepSpec => ({ kind: 'trivial', dim })), weight: 1 }];
  const push = (arbitrary: fc.Arbitrary<RepSpec>, weight = 3) => out.push({ arbitrary, weight });
  switch (g.kind) {
    case 'cyclic': {
      const n = g.n;
      if (n % 2 === 0) push(fc.constant<RepSpec>({ kind: 'sign' }), 1);
      const dims = [n, 2 * n].filter((d) => d <= maxDim);
      if (dims.length) {
        push(
          fc.constantFrom(...dims).chain((dim) => {
            const steps = Array.from({ length: dim }, (_, s) => s).filter((s) => (n * s) % dim === 0);
            // the default step dim/n first: shrinking goes to the faithful shift
            // (negative steps shift backwards: r^k e_i = e_{(i + k·step) mod dim} with the mathematical mod)
            const ordered = [dim / n, ...steps.filter((s) => s !== dim / n), ...steps.filter((s) => s > 0).map((s) => s - dim)];
            return fc.constantFrom(...ordered).map((step): RepSpec => ({ kind: 'shift', dim, step }));
          }),
        );
      }
      if (n >= 3 && maxDim >= 2) push(fc.constant<RepSpec>({ kind: 'rot2d' }));
      if (n === 4) push(rot90Arb(maxDim));
      break;
    }
    case 'dihedral':
      push(fc.constant<RepSpec>({ kind: 'sign' }), 1);
      if (g.n <= maxDim) push(fc.constant<RepSpec>({ kind: 'polygon' }));
      if (g.n === 4) push(rot90Arb(maxDim));
      break;
    case 'symmetric':
    case 'perm': {
      const d = degreeOf(g);
      push(fc.constant<RepSpec>({ kind: 'sign' }), 1);
      if (d <= maxDim) push(fc.constant<RepSpec>({ kind: 'natural' }));
      if (d * d <= maxDim) push(fc.constant<RepSpec>({ kind: 'adjacency' }));
      break;
    }
    case 'product':
      push(
        fc.constantFrom<0 | 1>(0, 1).chain((which) =>
          fc.oneof(...baseArbs(factor(g, which), maxDim)).map((inner): RepSpec => ({ kind: 'pull', which, inner })),
        ),
      );
      break;
    case 'trivial':
      break;
  }
  return out;
}

/** rot90 on 1–2 channels of k×k images, k ∈ {2, 3, 4}, within maxDim (k = 2, one channel, always fits 4). */
function rot90Arb(maxDim: number): fc.Arbitrary<RepSpec> {
  const opts: RepSpec[] = [];
  for (const channels of [1, 2]) for (const k of [2, 3, 4]) if (channels * k * k <= maxDim) opts.push({ kind: 'rot90', k, channels });
  if (opts.length === 0) return fc.constant<RepSpec>({ kind: 'trivial', dim: 1 });
  return fc.constantFrom(...opts);
}

/** A base representation of g (no sums or tensors) of dimension ≤ maxDim. */
export function baseRepSpecArb(g: GroupSpec, maxDim = 16): fc.Arbitrary<RepSpec> {
  return fc.oneof(...baseArbs(g, maxDim));
}

/**
 * A representation of g of dimension ≤ maxDim: a base one, a direct sum of 2–3 base ones, or a tensor of two.
 * Shrinks towards the trivial representation.
 */
export function repSpecArb(g: GroupSpec, maxDim = 16): fc.Arbitrary<RepSpec> {
  const base = baseRepSpecArb(g, maxDim);
  const sum = fc.array(base, { minLength: 2, maxLength: 3 }).map((parts): RepSpec => ({ kind: 'sum', parts }));
  const tens = fc.tuple(base, base).map(([a, b]): RepSpec => ({ kind: 'tensor', a, b }));
  return fc
    .oneof({ arbitrary: base, weight: 5 }, { arbitrary: sum, weight: 2 }, { arbitrary: tens, weight: 2 })
    .filter((r) => repDim(g, r) <= maxDim);
}

/**
 * The element pairs on which the homomorphism law is checked: all |G|² pairs for |G| ≤ 24; otherwise every
 * (g, s) with s a generator. The latter is complete: if ρ(e) = I and ρ(gs) = ρ(g)ρ(s) for every g and every
 * generator s, then by induction ρ(g·s_1⋯s_k) = ρ(g)ρ(s_1)⋯ρ(s_k) = ρ(g)ρ(s_1⋯s_k), and every h is such a word.
 */
export function homomorphismPairs(G: FiniteGroup): [number, number][] {
  const pairs: [number, number][] = [];
  if (G.order <= 24) {
    for (let g = 0; g < G.order; g++) for (let h = 0; h < G.order; h++) pairs.push([g, h]);
  } else {
    for (let g = 0; g < G.order; g++) for (const s of G.generators) pairs.push([g, s]);
  }
  return pairs;
}
