/**
 * docs/theory.md §8, groups beyond a multiplication table: Schreier–Sims orders, uniform sampling, and Π_G from
 * generators (orbits of index pairs, conjugate gradients) against the twirl where the group is enumerable, with
 * negative controls (a dropped generator, a planted sign conflict, a sampler that is not uniform).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/core/rng.js';
import { enumerated, permutationGroup } from '../../src/groups/compact.js';
import { cyclic, fromGenerators, symmetric } from '../../src/groups/builtins.js';
import { PermGroup, composePerm, permParity, symmetricByGenerators } from '../../src/groups/permGroup.js';
import { GroupAction, SignedPerm, exteriorSquare, fromRepresentation, layerAction, pointAction, signTwisted, sumAction, tensorAction } from '../../src/reps/action.js';
import { checkedRangeBasis } from '../../src/analysis/hessian.js';
import { EqflowError } from '../../src/core/errors.js';
import { rotation2d } from '../../src/reps/builders.js';
import { fixedSpaceProjector, iterativeProjector, orbitProjector } from '../../src/space/fixedSpace.js';
import { buildSpaceWithReps, checkExpectingFailure, checkProperty, gaussianVectors, permutationArb, spaceSpecArb, twirlRef } from '../arbitraries/index.js';
import { norm } from '../../src/core/kernels.js';
import { EPS } from '../../src/core/tolerance.js';

const factorial = (n: number): bigint => (n <= 1 ? 1n : BigInt(n) * factorial(n - 1));
const dist = (a: Float64Array, b: Float64Array): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));

/**
 * Π_G by signed orbits of `act` (a layer of S_5) has rank `rank` and equals the twirl over all of `els` to round-off
 * (120 terms against orbit means); negative control: the same orbits without their signs differ from it by > 0.1‖y‖.
 */
function expectSignedOrbitsAreTwirl(act: GroupAction<Int32Array>, els: readonly Int32Array[], rank: number, seed: number): void {
  const [y] = gaussianVectors(seed, 1, act.dim);
  const want = new Float64Array(act.dim), t = new Float64Array(act.dim);
  for (const g of els) { act.apply(g, y, t); for (let i = 0; i < t.length; i++) want[i] += t[i] / els.length; }
  const moves = act.group.generators.map((s) => act.move(s) as SignedPerm);
  const P = orbitProjector(act.dim, moves);
  expect(P.rank).toBe(rank);
  const d = (u: Float64Array) => Math.sqrt(u.reduce((s2, v, i) => s2 + (v - want[i]) ** 2, 0));
  expect(d(P.apply(y).out)).toBeLessThanOrEqual(16 * act.dim * EPS * norm(y));
  expect(d(orbitProjector(act.dim, moves.map((mv) => ({ perm: mv.perm, sign: null }))).apply(y).out)).toBeGreaterThan(0.1 * norm(y));
}

describe('Schreier–Sims (docs/theory.md §8)', () => {
  it('the order of a generated group equals the size of its enumerated closure', () => {
    const gens = fc.integer({ min: 2, max: 6 }).chain((d) => fc.array(permutationArb(d), { minLength: 1, maxLength: 3 }));
    checkProperty(fc.property(gens, (g) => {
      expect(new PermGroup(g).order()).toBe(BigInt(fromGenerators(g).order));
    }), { runs: 100 });
  });

  it('orders of known groups: S_n = n! up to n = 50 (never enumerated), M_11 = 7920, A_5 = 60', () => {
    for (const n of [1, 2, 7, 20, 50]) expect(symmetricByGenerators(n).order()).toBe(factorial(n));
    expect(new PermGroup([[1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 0], [0, 1, 6, 9, 5, 3, 10, 2, 8, 4, 7]]).order()).toBe(7920n);
    const a5 = new PermGroup([[1, 2, 0, 3, 4], [0, 1, 3, 4, 2]]); // (0 1 2), (2 3 4) generate A_5
    expect(a5.order()).toBe(60n);
    expect(a5.contains([1, 0, 2, 3, 4])).toBe(false); // a transposition is odd
    expect(a5.contains([1, 0, 3, 2, 4])).toBe(true);
  });

  it('random elements are members and uniform (χ² over the 24 elements of S_4); a biased sampler is rejected', () => {
    const G = symmetricByGenerators(4);
    const rng = new RandomStream('uniform-s4');
    const draws = 24_000;
    const chi2 = (sample: () => Int32Array): number => {
      const counts = new Map<string, number>();
      for (let k = 0; k < draws; k++) {
        const g = sample();
        expect(G.contains(g)).toBe(true);
        counts.set(g.join(), (counts.get(g.join()) ?? 0) + 1);
      }
      const e = draws / 24;
      let c = 0;
      for (const v of counts.values()) c += (v - e) ** 2 / e;
      return c + (24 - counts.size) * e;
    };
    // χ²_23 has mean 23, sd √46 ≈ 6.8; 60 is beyond its 0.9999 quantile (≈ 56), so a uniform sampler fails with p < 1e-4
    expect(chi2(() => G.random(rng))).toBeLessThan(60);
    // negative control: a product of two uniform transversal picks skipping one level is not uniform on S_4
    const biased = () => { const g = G.random(rng); return g[0] === 0 && rng.uniform() < 0.5 ? G.random(rng) : g; };
    expect(chi2(biased)).toBeGreaterThan(60);
  });
});

/** Π_G by orbits of a monomial layer space against the twirl over every element (enumerable groups). */
const monomialSpaces = spaceSpecArb({ maxDim: 120 }).filter((s) => buildSpaceWithReps(s).reps.every((r) => r.monomial !== null));

function actionOf(s: Parameters<typeof buildSpaceWithReps>[0]): GroupAction<number> {
  const { reps } = buildSpaceWithReps(s);
  return layerAction(reps.map(fromRepresentation), s.bias);
}

describe('Π_G from generators (docs/theory.md §8)', () => {
  it('by orbits of index pairs it equals the twirl on every monomial layer space', () => {
    checkProperty(fc.property(monomialSpaces, fc.integer(), (s, seed) => {
      const { space } = buildSpaceWithReps(s);
      const act = actionOf(s);
      const P = fixedSpaceProjector(act);
      expect(P.method).toBe('orbits');
      const [x] = gaussianVectors(seed, 1, space.dim);
      const want = twirlRef(space.action, x);
      // the twirl sums |G| signed copies of x; the orbit mean sums |O| ≤ dim: round-off of both relative to ‖x‖
      expect(dist(P.apply(x).out, want)).toBeLessThanOrEqual(16 * (space.group.order + space.dim) * EPS * norm(x));
    }), { runs: 100 });
  });

  it('negative control: dropping a generator of a non-abelian group changes Π_G', () => {
    const details = checkExpectingFailure(fc.property(monomialSpaces.filter((s) => buildSpaceWithReps(s).space.group.generators.length > 1), fc.integer(), (s, seed) => {
      const { space } = buildSpaceWithReps(s);
      const act = actionOf(s);
      const moves = space.group.generators.slice(1).map((g) => act.move(g)!);
      const [x] = gaussianVectors(seed, 1, space.dim);
      return dist(orbitProjector(space.dim, moves).apply(x).out, twirlRef(space.action, x)) <= 1e-9 * norm(x);
    }));
    expect(details.failed).toBe(true);
    // and a concrete instance: S_3 on 3×3 adjacency matrices has 2 orbits (diagonal, off-diagonal); the 3-cycle alone has 3
    const nat = pointAction(permutationGroup(new PermGroup([[1, 0, 2], [1, 2, 0]])));
    const pairs = tensorAction(nat, nat);
    const moves = pairs.group.generators.map((g) => pairs.move(g)!);
    expect(orbitProjector(9, moves).rank).toBe(2);
    expect(orbitProjector(9, moves.slice(1)).rank).toBe(3);
  });

  it('a sign conflict around a cycle kills its orbit: the sign representation of S_3 has H_G = 0', () => {
    // ρ(g) = sgn(g) on R¹: the transposition's move is 0 ↦ 0 with sign −1
    const P = orbitProjector(1, [{ perm: Int32Array.of(0), sign: Int8Array.of(-1) }, { perm: Int32Array.of(0), sign: Int8Array.of(1) }]);
    expect(P.rank).toBe(0);
    expect(P.apply(Float64Array.of(3)).out[0]).toBe(0);
    // negative control of the check itself: without the sign the orbit survives
    expect(orbitProjector(1, [{ perm: Int32Array.of(0), sign: null }]).rank).toBe(1);
  });

  it('ρ ⊗ sgn: the parity is multiplicative, the twisted action a representation whose moves match it; on S_5 it equals the twirl', () => {
    const P = symmetricByGenerators(5);
    const G = permutationGroup(P);
    const els = P.elements();
    expect(permParity(Int32Array.of(1, 0, 2, 3, 4))).toBe(1); // a transposition
    expect(permParity(Int32Array.of(1, 2, 0, 3, 4))).toBe(0); // a 3-cycle
    expect(permParity(Int32Array.of(1, 2, 3, 4, 0))).toBe(0); // a 5-cycle: 4 transpositions
    const tw = signTwisted(pointAction(G));
    const x = Float64Array.of(1, 2, 3, 4, 5), a = new Float64Array(5), b = new Float64Array(5), c = new Float64Array(5), m = new Float64Array(5);
    for (const g of els.slice(0, 40)) for (const h of els.slice(40, 80)) {
      expect(permParity(composePerm(g, h))).toBe(permParity(g) ^ permParity(h));
      tw.apply(h, x, a);
      tw.apply(g, a, b);
      tw.apply(composePerm(g, h), x, c);
      expect(Array.from(b)).toEqual(Array.from(c)); // signs and moves only: exact
      const mv = tw.move(g) as SignedPerm;
      for (let i = 0; i < 5; i++) m[mv.perm[i]] = (mv.sign as Int8Array)[i] * x[i];
      tw.apply(g, x, a);
      expect(Array.from(m)).toEqual(Array.from(a));
    }
    // Π_G by signed orbits on Hom(R^5 ⊕ R^5⊗sgn, R^5⊗sgn) equals the twirl over all 120 elements; negative control:
    // without the signs the orbits of Hom(R^5, R^5⊗sgn) survive and the projection differs
    expectSignedOrbitsAreTwirl(layerAction([sumAction(pointAction(G), tw), tw]), els, 2, 5);
  });

  it('Λ²R^n: a representation whose moves match it, equal to g ⊗ g on antisymmetric matrices; on S_5 its edge layer\'s signed orbits equal the twirl', () => {
    const P = symmetricByGenerators(5);
    const G = permutationGroup(P);
    const els = P.elements();
    const ext = exteriorSquare(G);
    expect(ext.dim).toBe(10);
    const x = Float64Array.from({ length: 10 }, (_, i) => i + 1), a = new Float64Array(10), b = new Float64Array(10), c = new Float64Array(10), m = new Float64Array(10);
    // the pairs i < j in index order, and x as the antisymmetric matrix X with X_ij = x_ij = −X_ji
    const pairs = Array.from({ length: 5 }, (_, i) => Array.from({ length: 5 - i - 1 }, (__, k) => [i, i + k + 1])).flat();
    for (const g of els.slice(0, 40)) for (const h of els.slice(40, 80)) {
      ext.apply(h, x, a);
      ext.apply(g, a, b);
      ext.apply(composePerm(g, h), x, c);
      expect(Array.from(b)).toEqual(Array.from(c));
      const mv = ext.move(g) as SignedPerm;
      for (let i = 0; i < 10; i++) m[mv.perm[i]] = (mv.sign as Int8Array)[i] * x[i];
      ext.apply(g, x, a);
      expect(Array.from(m)).toEqual(Array.from(a));
      // (P_g X P_gᵀ)_{g(i) g(j)} = X_ij: the entry at the pair {g(i), g(j)}, read in increasing order
      pairs.forEach(([i, j], k) => {
        const [u, v] = [g[i], g[j]];
        const at = pairs.findIndex(([p, q]) => p === Math.min(u, v) && q === Math.max(u, v));
        expect(a[at]).toBe(u < v ? x[k] : -x[k]);
      });
    }
    // Π_G by signed orbits on Hom(Λ²R^5 ⊕ R, R^5) equals the twirl over all 120 elements, rank 2; without the signs
    // the orbit of (e_i ∧ e_j, e_k), k ∉ {i, j}, survives and the projection differs
    expectSignedOrbitsAreTwirl(layerAction([ext, pointAction(G)], true), els, 2, 7);
  });

  it('by conjugate gradients on a dense action it equals the twirl, with the stated residual; capped early it refuses', () => {
    for (const n of [3, 4, 6]) {
      const G = cyclic(n);
      const rot = fromRepresentation(rotation2d(G));
      const act = layerAction([rot, rot, rot], [true, false]);
      const [x] = gaussianVectors(n, 1, act.dim);
      const { out, residual } = iterativeProjector(act).apply(x);
      const want = new Float64Array(act.dim), t = new Float64Array(act.dim);
      for (let g = 0; g < G.order; g++) { act.apply(g, x, t); for (let i = 0; i < t.length; i++) want[i] += t[i] / G.order; }
      // CG stops at ‖My‖ ≤ 16·dim·|S|·eps·‖x‖ (M's entries are O(1)); residual² = ⟨y, My⟩ ≤ ‖My‖²/λ with λ ≥ 2 − 2cos(2π/n)
      // the smallest nonzero eigenvalue of M = 2I − ρ(r) − ρ(r)ᵀ on frequencies 1..2 of C_n
      const lambda = 2 - 2 * Math.cos((2 * Math.PI) / n);
      const stop = 16 * act.dim * EPS * norm(x);
      expect(residual).toBeLessThanOrEqual(4 * stop / Math.sqrt(lambda));
      expect(dist(out, want)).toBeLessThanOrEqual(4 * stop / lambda);
      // negative control: CG needs one iteration per distinct nonzero eigenvalue of M (2 − 2cos(2πk/n), one for n = 3);
      // for n ≥ 4 one iteration is not enough and is refused, not returned
      if (n >= 4) expect(() => iterativeProjector(act, { maxIterations: 1 }).apply(x)).toThrow(/did not reach/);
    }
  });

  it('enumerated and generator-given S_4 give the same Π_G on adjacency ⊗ natural', () => {
    const G = permutationGroup(symmetricByGenerators(4));
    const nat = pointAction(G);
    const act = layerAction([tensorAction(nat, nat), nat]);
    const P = fixedSpaceProjector(act);
    const rule = G.haarRule(0)!;
    expect(rule.elements.length).toBe(24);
    const [x] = gaussianVectors(7, 1, act.dim);
    const want = new Float64Array(act.dim), t = new Float64Array(act.dim);
    for (const g of rule.elements) { act.apply(g, x, t); for (let i = 0; i < t.length; i++) want[i] += t[i] / 24; }
    expect(dist(P.apply(x).out, want)).toBeLessThanOrEqual(16 * 24 * EPS * norm(x));
    expect(P.rank).toBe(5); // S_n orbits on [n]³: the 5 set partitions of 3 positions (n ≥ 3)
    expect(enumerated(symmetric(4)).order()).toBe(24n);
  });
});

describe('S_n beyond the tables: n = 30 on adjacency matrices → sets', () => {
  it('Π_G is idempotent, G-invariant under random elements, of rank 5; a sampled Π_G is not exact', () => {
    const n = 30;
    const G = permutationGroup(symmetricByGenerators(n));
    const nat = pointAction(G);
    const act = layerAction([tensorAction(nat, nat), nat]);
    expect(act.dim).toBe(n ** 3);
    const P = fixedSpaceProjector(act);
    expect(P.rank).toBe(5);
    const [x] = gaussianVectors(1, 1, act.dim);
    const y = P.apply(x).out;
    const scale = 16 * n ** 3 * EPS * norm(x); // an orbit mean sums at most n³ terms of size ≤ ‖x‖
    expect(dist(P.apply(y).out, y)).toBeLessThanOrEqual(scale);
    const rng = new RandomStream('s30');
    const t = new Float64Array(act.dim);
    for (let k = 0; k < 5; k++) {
      act.apply(G.sample(rng), y, t);
      expect(dist(t, y)).toBe(0); // y is one value per orbit: a permutation of the orbit moves equal numbers
    }
    // negative control: x itself is not invariant
    act.apply(G.sample(rng), x, t);
    expect(dist(t, x)).toBeGreaterThan(0.1 * norm(x));
  });
});

describe('bases of H_G and H_G^⊥ by orbits, checked against Π_G (analysis/hessian checkedRangeBasis)', () => {
  const n = 6;
  const G = permutationGroup(symmetricByGenerators(n));
  const nat = pointAction(G);
  const act = layerAction([nat, nat], true); // DeepSets Hom(R^n ⊕ R, R^n): dim H_G = 3
  const P = orbitProjector(act.dim, G.generators.map((s) => act.move(s) as SignedPerm));
  const pi = (x: Float64Array) => P.apply(x).out;
  const perp = (x: Float64Array) => {
    const p = pi(x);
    return x.map((v, i) => v - p[i]);
  };

  it('the orbit bases pass: orthonormal, inside the range, spanning it (dim H_G = rank, dim H_G^⊥ = dim − rank)', () => {
    const E = checkedRangeBasis(P.fixedBasis!(), pi, act.dim, 'E');
    const F = checkedRangeBasis(P.complementBasis!(), perp, act.dim, 'F');
    expect(E.length).toBe(P.rank);
    expect(E.length + F.length).toBe(act.dim);
  });

  it('negative controls: an empty, a short, a mis-scaled, a foreign, a wrong-length or an extra zero vector is refused with the field named', () => {
    const E = P.fixedBasis!();
    const refused = (Q: Float64Array[]) => { try { checkedRangeBasis(Q, pi, act.dim, 'E'); return null; } catch (e) { return (e as EqflowError).code + ' ' + (e as EqflowError).field; } };
    expect(refused([])).toBe('dimension-mismatch E'); // the empty list spans only {0} ≠ H_G
    expect(refused([E[0].subarray(1), ...E.slice(1)])).toBe('dimension-mismatch E[0]');
    expect(refused(E.slice(1))).toBe('dimension-mismatch E'); // spans too little
    expect(refused([E[0].map((v) => 2 * v), ...E.slice(1)])).toBe('not-orthogonal E[0]');
    const foreign = P.complementBasis!()[0];
    expect(refused([...E, foreign])).toBe(`dimension-mismatch E[${E.length}]`); // orthonormal to E but Πq ≠ q
    expect(refused([...E, new Float64Array(act.dim)])).toBe(`not-orthogonal E[${E.length}]`);
  });
});
