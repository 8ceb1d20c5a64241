/**
 * docs/theory.md §1, Representations and Induced action on layers (assumption A1): every representation eqflow
 * builds is an orthogonal homomorphism, the induced action ρ̄ on a parameter space is one too and equals
 * (ρ̄(g)A)_i = ρ_{i+1}(g) A_i ρ_i(g)^{-1}, and validateRepresentation refuses non-homomorphic and non-orthogonal
 * input with typed errors naming the field.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { cyclic, dihedral, product } from '../../src/groups/builtins.js';
import { FiniteGroup } from '../../src/groups/group.js';
import {
  cyclicShift, denseRep, permutationRep, pullback, rot90, rotation2d, signedPermutationRep, validateRepresentation,
} from '../../src/reps/builders.js';
import { DenseRep, Representation, character } from '../../src/reps/representation.js';
import { channels, directSum, tensor, trivial } from '../../src/reps/builders.js';
import {
  buildGroup, buildPoint, buildRep, buildSpaceWithReps, checkExpectingFailure, checkProperty, checkRepLawsDense,
  checkRepLawsOnVectors, expectEqflowError, groupSpecArb, matVec, maxDiff, pointSpecArb, repDim, repSpecArb, roundoff,
  spaceSpecArb, vecTol,
} from '../arbitraries/index.js';
import type { GroupSpec, PointSpec, RepSpec } from '../arbitraries/index.js';

/** The (which mod (|G|−1))-th element other than the identity. */
function nonIdentity(G: FiniteGroup, which: number): number {
  const others = G.elements().filter((h) => h !== G.identity);
  return others[which % others.length];
}

/** A (group, representation) case with dim ≤ maxDim. */
function repCaseArb(maxDim = 16) {
  return groupSpecArb({ s5: true }).chain((group) =>
    fc.record({ group: fc.constant(group), rep: repSpecArb(group, maxDim), x: pointSpecArb(), y: pointSpecArb() }),
  );
}

describe('representations are orthogonal homomorphisms', () => {
  it('ρ(e) = I, ρ(gh) = ρ(g)ρ(h), ρ(g)ᵀρ(g) = I for every generated representation (matrices)', () => {
    checkProperty(
      fc.property(repCaseArb(), ({ group, rep }) => {
        const r = buildRep(group, rep);
        expect(r.dim).toBe(repDim(group, rep));
        checkRepLawsDense(r);
        // and the library's own validator agrees
        expect(validateRepresentation(r)).toBe(r);
      }),
    );
  });

  it('apply agrees with matrix (also at offsets), and the character is the trace', () => {
    checkProperty(
      fc.property(repCaseArb(), fc.nat({ max: 3 }), fc.nat({ max: 3 }), ({ group, rep, x }, xOff, outOff) => {
        const r = buildRep(group, rep);
        const d = r.dim;
        const v = buildPoint(x, d);
        const scale = Math.max(...Array.from(v, Math.abs), Number.MIN_VALUE);
        for (const g of r.group.elements()) {
          const m = r.matrix(g);
          const want = matVec(m, v, d);
          const src = new Float64Array(d + xOff);
          src.set(v, xOff);
          const out = new Float64Array(d + outOff + 2).fill(7);
          r.apply(g, src, out, xOff, outOff);
          // each entry a d-term sum of entries ≤ 1 times entries ≤ max|x|
          expect(maxDiff(out.subarray(outOff, outOff + d), want)).toBeLessThanOrEqual(roundoff(scale, d));
          // nothing outside [outOff, outOff + d) is touched
          for (let i = 0; i < outOff; i++) expect(out[i]).toBe(7);
          expect(out[outOff + d]).toBe(7);
          let tr = 0;
          for (let i = 0; i < d; i++) tr += m[i * d + i];
          // a sum of d diagonal entries of size ≤ 1
          expect(Math.abs(character(r, g) - tr)).toBeLessThanOrEqual(roundoff(1, d));
        }
      }),
    );
  });

  it('the induced action ρ̄ on layerSpace is an orthogonal homomorphism (on generic vectors)', () => {
    checkProperty(
      fc.property(spaceSpecArb(), pointSpecArb(), pointSpecArb(), (spec, px, py) => {
        const { space } = buildSpaceWithReps(spec);
        const rho = space.action;
        expect(rho.dim).toBe(space.dim);
        // dense segments apply ρ_{i+1}·A·ρ_iᵀ: each entry is a sum of ≤ n_i + n_{i+1} ≤ dim products
        checkRepLawsOnVectors(rho, buildPoint(px, space.dim), buildPoint(py, space.dim), space.dim);
      }),
    );
  });

  it('(ρ̄(g)A)_i = ρ_{i+1}(g) A_i ρ_i(g)^{-1}, with a bias column acted on trivially', () => {
    checkProperty(
      fc.property(spaceSpecArb(), pointSpecArb(), (spec, p) => {
        const { space, reps } = buildSpaceWithReps(spec);
        const G = space.group;
        const A = buildPoint(p, space.dim);
        const out = new Float64Array(space.dim);
        for (const g of G.elements()) {
          space.action.apply(g, A, out);
          space.segments.forEach((seg, i) => {
            const inRep: Representation = spec.bias[i] ? directSum(reps[i], trivial(G, 1)) : reps[i];
            const nOut = reps[i + 1].dim, nIn = inRep.dim;
            expect(seg.shape).toEqual([nOut, nIn]);
            const P = reps[i + 1].matrix(g);
            const Q = inRep.matrix(G.inv(g)); // ρ_i(g)^{-1}, by the group inverse (not by transposition)
            let maxA = 0;
            for (let k = 0; k < seg.size; k++) maxA = Math.max(maxA, Math.abs(A[seg.offset + k]));
            for (let r = 0; r < nOut; r++) for (let c = 0; c < nIn; c++) {
              let s = 0;
              for (let a = 0; a < nOut; a++) for (let b = 0; b < nIn; b++) s += P[r * nOut + a] * A[seg.offset + a * nIn + b] * Q[b * nIn + c];
              // an (nOut·nIn)-term sum of products of two unit-size entries with one entry of A
              expect(Math.abs(out[seg.offset + r * nIn + c] - s)).toBeLessThanOrEqual(roundoff(maxA, nOut * nIn + nOut + nIn));
            }
          });
        }
      }),
    );
  });

  it('rot90 on c×k×k images: r sends pixel (i, j) to (k−1−j, i), s sends it to (i, k−1−j); C4 and D4, k ∈ 1..5', () => {
    const arb = fc.record({ d4: fc.boolean(), k: fc.integer({ min: 1, max: 5 }), ch: fc.integer({ min: 1, max: 3 }), p: pointSpecArb() });
    checkProperty(
      fc.property(arb, ({ d4, k, ch, p }) => {
        const G = d4 ? dihedral(4) : cyclic(4);
        const r = rot90(G, k, ch);
        checkRepLawsDense(r);
        const img = buildPoint(p, ch * k * k);
        const out = new Float64Array(img.length);
        // element 1 = r (counter-clockwise rotation); element 4 = s (horizontal flip) in D4
        r.apply(1, img, out);
        for (let c = 0; c < ch; c++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
          expect(out[c * k * k + (k - 1 - j) * k + i]).toBe(img[c * k * k + i * k + j]);
        }
        if (d4) {
          r.apply(4, img, out);
          for (let c = 0; c < ch; c++) for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) {
            expect(out[c * k * k + i * k + (k - 1 - j)]).toBe(img[c * k * k + i * k + j]);
          }
        }
      }),
    );
  });

  it('adjacency(S_n) acts on n×n matrices by X ↦ P X Pᵀ with P the natural permutation matrix', () => {
    checkProperty(
      fc.property(fc.integer({ min: 1, max: 5 }), fc.nat(), pointSpecArb(), (n, which, p) => {
        const spec: GroupSpec = { kind: 'symmetric', n };
        const nat = buildRep(spec, { kind: 'natural' });
        const adj = buildRep(spec, { kind: 'adjacency' });
        const g = which % nat.group.order;
        const P = nat.matrix(g);
        const X = buildPoint(p, n * n);
        const want = new Float64Array(n * n);
        for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) {
          let s = 0;
          for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) s += P[i * n + a] * X[a * n + b] * P[j * n + b];
          want[i * n + j] = s;
        }
        const got = new Float64Array(n * n);
        adj.apply(g, X, got);
        // permutation matrices: every sum has exactly one non-zero term, so the result is exact
        expect(maxDiff(got, want)).toBe(0);
      }),
    );
  });

  it('cyclicShift: every integer step (negative too) is a representation iff n·step ≡ 0 mod dim', () => {
    const arb = fc.record({ n: fc.integer({ min: 1, max: 8 }), dim: fc.integer({ min: 1, max: 16 }), step: fc.integer({ min: -32, max: 32 }) });
    checkProperty(
      fc.property(arb, ({ n, dim, step }) => {
        const G = buildGroup({ kind: 'cyclic', n });
        if ((((n * step) % dim) + dim) % dim === 0) {
          const r = cyclicShift(G, dim, step);
          checkRepLawsDense(r);
          // r^k e_i = e_{(i + k·step) mod dim}
          for (let k = 0; k < n; k++) for (let i = 0; i < dim; i++) expect(r.monomial?.perm[k][i]).toBe((((i + k * step) % dim) + dim) % dim);
        } else {
          expectEqflowError(() => cyclicShift(G, dim, step), { code: 'not-a-representation', field: 'step', message: new RegExp(`r\\^${n} = e`) });
        }
      }),
    );
  });
});

describe('validateRepresentation refuses non-representations with typed errors', () => {
  it('a shift step incompatible with r^n = e, or a non-integer step: not-a-representation on field "step"', () => {
    const arb = fc
      .record({ n: fc.integer({ min: 2, max: 8 }), dim: fc.integer({ min: 2, max: 16 }), step: fc.integer({ min: 1, max: 15 }) })
      .filter(({ n, dim, step }) => (n * step) % dim !== 0);
    checkProperty(
      fc.property(arb, ({ n, dim, step }) => {
        expectEqflowError(() => cyclicShift(cyclic(n), dim, step), { code: 'not-a-representation', field: 'step' });
        expectEqflowError(() => cyclicShift(cyclic(n), dim, step + 0.5), { code: 'not-a-representation', field: 'step' });
      }),
    );
  });

  it('matrices of another group: rotations by 2π/m on C_n (m ∤ n), D_n polygon matrices on C_2n, and back', () => {
    const arb = fc.record({ n: fc.integer({ min: 3, max: 6 }), m: fc.integer({ min: 2, max: 9 }) }).filter(({ n, m }) => n % m !== 0);
    checkProperty(
      fc.property(arb, ({ n, m }) => {
        const rotM = rotation2d(cyclic(m));
        // r^k ↦ R(2πk/m) on C_n: r^n ↦ R(2πn/m) ≠ I
        const mats = Array.from({ length: n }, (_, k) => rotM.matrix(k % m));
        for (let k = m; k < n; k++) {
          let t = Float64Array.from([1, 0, 0, 1]);
          for (let j = 0; j < k; j++) t = Float64Array.from([t[0] * mats[1][0] + t[1] * mats[1][2], t[0] * mats[1][1] + t[1] * mats[1][3], t[2] * mats[1][0] + t[3] * mats[1][2], t[2] * mats[1][1] + t[3] * mats[1][3]]);
          mats[k] = t;
        }
        expectEqflowError(() => denseRep(cyclic(n), mats, 2, 'rot-of-Cm'), { code: 'not-a-representation', field: 'rot-of-Cm', message: /homomorphism fails/ });
        // D_n acting on the n-gon is non-abelian and faithful: its matrices cannot represent the abelian C_2n
        const poly = buildRep({ kind: 'dihedral', n }, { kind: 'polygon' });
        const D = poly.group;
        expectEqflowError(() => denseRep(cyclic(2 * n), D.elements().map((g) => poly.matrix(g)), n, 'Dn-on-C2n'), { code: 'not-a-representation', field: 'Dn-on-C2n' });
        // the faithful shift of C_2n has an abelian image of order 2n: it cannot represent D_n (non-abelian)
        const shift = cyclicShift(cyclic(2 * n), 2 * n);
        expectEqflowError(() => denseRep(dihedral(n), shift.group.elements().map((g) => shift.matrix(g)), 2 * n, 'C2n-on-Dn'), { code: 'not-a-representation', field: 'C2n-on-Dn' });
      }),
    );
  });

  it('one matrix negated (|G| ≥ 3): orthogonal still, ρ(e) = I still, the homomorphism law names the field', () => {
    const arb = groupSpecArb({ s5: false })
      .filter((g) => buildGroup(g).order >= 3)
      .chain((group) => fc.record({ group: fc.constant(group), rep: repSpecArb(group, 12), which: fc.nat() }));
    checkProperty(
      fc.property(arb, ({ group, rep, which }) => {
        const r = buildRep(group, rep);
        const G = r.group;
        const g = nonIdentity(G, which);
        const mats = G.elements().map((h) => r.matrix(h));
        mats[g] = mats[g].map((v) => -v);
        expectEqflowError(() => denseRep(G, mats, r.dim, 'one-negated'), { code: 'not-a-representation', field: 'one-negated', message: /homomorphism fails/ });
      }),
    );
  });

  it('non-orthogonal matrices: not-orthogonal naming the element; ρ(e) ≠ I: not-a-representation on "[e]"', () => {
    const arb = repCaseArb(12).chain((c) => fc.record({ c: fc.constant(c), which: fc.nat(), factor: fc.constantFrom(2, 0.5, -3, 1 + 2 ** -20) }));
    checkProperty(
      fc.property(arb, ({ c, which, factor }) => {
        const r = buildRep(c.group, c.rep);
        const G = r.group;
        const g = which % G.order;
        const mats = G.elements().map((h) => r.matrix(h));
        mats[g] = mats[g].map((v) => factor * v);
        expectEqflowError(() => denseRep(G, mats, r.dim, 'scaled'), { code: 'not-orthogonal', field: `scaled[${G.labels[g]}]` });
        // −ρ(g) for every g is orthogonal but sends e to −I
        const neg = G.elements().map((h) => r.matrix(h).map((v) => -v));
        expectEqflowError(() => denseRep(G, neg, r.dim, 'negated'), { code: 'not-a-representation', field: 'negated[e]' });
        // NaN entries are refused as not-finite
        const nan = G.elements().map((h) => r.matrix(h));
        nan[g][0] = Number.NaN;
        expectEqflowError(() => denseRep(G, nan, r.dim, 'nan'), { code: 'not-finite', field: `nan[${G.labels[g]}]` });
      }),
    );
  });

  it('permutation / signed tables and shapes are checked field by field', () => {
    const G = buildGroup({ kind: 'cyclic', n: 3 });
    const id = [0, 1, 2], r1 = [1, 2, 0], r2 = [2, 0, 1];
    expect(permutationRep(G, [id, r1, r2]).dim).toBe(3);
    expectEqflowError(() => permutationRep(G, [id, [1, 1, 0], r2]), { code: 'not-orthogonal', field: 'perms[1]' });
    expectEqflowError(() => permutationRep(G, [id, r1]), { code: 'dimension-mismatch', field: 'perms' });
    expectEqflowError(() => permutationRep(G, [id, r1, [2, 0]]), { code: 'dimension-mismatch', field: 'perms[2]' });
    // a valid permutation per element, but r ↦ r² is not compatible with r2 ↦ r²: homomorphism fails
    expectEqflowError(() => permutationRep(G, [id, r1, r1], 'bad-perm'), { code: 'not-a-representation', field: 'bad-perm' });
    const ones = [[1, 1, 1], [1, 1, 1], [1, 1, 1]];
    expect(signedPermutationRep(G, [id, r1, r2], ones).dim).toBe(3);
    expectEqflowError(() => signedPermutationRep(G, [id, r1, r2], [[1, 1, 1], [1, 2, 1], [1, 1, 1]]), { code: 'not-orthogonal', field: 'signs[1][1]' });
    expectEqflowError(() => signedPermutationRep(G, [id, r1, r2], [[1, 1, 1], [1, 0, 1], [1, 1, 1]]), { code: 'not-orthogonal', field: 'signs[1][1]' });
    // signs that are not a character: r ↦ −P_r, r² ↦ +P_r², so ρ(r)ρ(r²) = −I ≠ ρ(e)
    expectEqflowError(() => signedPermutationRep(G, [id, r1, r2], [[1, 1, 1], [-1, -1, -1], [1, 1, 1]], 'bad-sign'), { code: 'not-a-representation', field: 'bad-sign' });
    expectEqflowError(() => denseRep(G, [[1], [1]], 1), { code: 'dimension-mismatch', field: 'matrices' });
    expectEqflowError(() => denseRep(G, [[1], [1, 0], [1]], 1), { code: 'dimension-mismatch', field: 'matrices[1]' });
  });

  it('pullback along a map that is not a homomorphism (k ↦ k² on C_n, n ≥ 3) fails on field "hom"', () => {
    checkProperty(
      fc.property(fc.integer({ min: 3, max: 8 }), (n) => {
        const C = cyclic(n);
        const faithful = cyclicShift(C, n);
        expectEqflowError(() => pullback(faithful, C, Array.from({ length: n }, (_, k) => (k * k) % n)), { code: 'not-a-representation', field: 'hom' });
        expectEqflowError(() => pullback(faithful, C, Array.from({ length: n }, (_, k) => (k === 1 ? n : k))), { code: 'invalid-argument', field: 'hom[1]' });
        expectEqflowError(() => pullback(faithful, C, [0]), { code: 'dimension-mismatch', field: 'hom' });
        // the product projections are homomorphisms: pulling back is fine
        const P = product(C, cyclic(2));
        expect(() => pullback(faithful, P, Array.from({ length: P.order }, (_, x) => Math.floor(x / 2)))).not.toThrow();
      }),
    );
  });
});

describe('negative control: the homomorphism property catches one wrong matrix', () => {
  it('a representation with one matrix negated FAILS the homomorphism property (fc.check reports failure)', () => {
    const arb = groupSpecArb({ s5: false })
      .filter((g) => buildGroup(g).order >= 3)
      .chain((group) => fc.record({ group: fc.constant(group) as fc.Arbitrary<GroupSpec>, rep: repSpecArb(group, 8) as fc.Arbitrary<RepSpec>, which: fc.nat() }));
    const details = checkExpectingFailure(
      fc.property(arb, ({ group, rep, which }) => {
        const r = buildRep(group, rep);
        const G = r.group;
        const g = nonIdentity(G, which);
        const mats = G.elements().map((h) => r.matrix(h));
        mats[g] = mats[g].map((v) => -v);
        const broken = new DenseRep(G, r.dim, `${r.name} with ρ(${G.labels[g]}) negated`, mats); // unvalidated on purpose
        checkRepLawsDense(broken);
      }),
    );
    expect(details.failed).toBe(true);
    expect(String(details.errorInstance)).toMatch(/≠ ρ\(/);
    // the unbroken representation of the same counterexample passes
    const [{ group, rep }] = details.counterexample as [{ group: GroupSpec; rep: RepSpec; which: number }];
    expect(() => checkRepLawsDense(buildRep(group, rep))).not.toThrow();
  });

  it('the vector-level check on ρ̄ FAILS too when one layer carries a broken representation', () => {
    const arb = fc.record({ n: fc.integer({ min: 3, max: 8 }), p: pointSpecArb(), q: pointSpecArb() });
    const details = checkExpectingFailure(
      fc.property(arb, ({ n, p, q }) => {
        const C = cyclic(n);
        const good = cyclicShift(C, n);
        const mats = C.elements().map((h) => good.matrix(h));
        mats[1] = mats[1].map((v) => -v);
        const broken = new DenseRep(C, n, 'broken-shift', mats);
        const rho = directSum(good, broken);
        checkRepLawsOnVectors(rho, buildPoint(p, rho.dim), buildPoint(q, rho.dim), rho.dim);
      }),
    );
    expect(details.failed).toBe(true);
    const [{ n, p, q }] = details.counterexample as [{ n: number; p: PointSpec; q: PointSpec }];
    const sh = cyclicShift(cyclic(n), n);
    const ok = directSum(sh, sh);
    expect(() => checkRepLawsOnVectors(ok, buildPoint(p, ok.dim), buildPoint(q, ok.dim), ok.dim)).not.toThrow();
  });

  it('sanity: vecTol is tight enough that a relative perturbation of 1e-9 is detected', () => {
    expect(vecTol(1, 200, 200)).toBeLessThan(1e-9);
  });
});

describe('tensor and pullback: names, the size guard and the messages of their errors', () => {
  it('names ρ_a⊗ρ_b and ρ∘φ (or the name given), and refuses representations of two groups naming b', () => {
    const C = cyclic(4);
    const shift = cyclicShift(C, 4), rot = rotation2d(C);
    expect(tensor(shift, rot).name).toBe(`${shift.name}⊗${rot.name}`);
    expect(pullback(shift, C, [0, 1, 2, 3]).name).toBe(`${shift.name}∘φ`);
    expect(pullback(shift, C, [0, 1, 2, 3], 'restricted').name).toBe('restricted');
    expectEqflowError(() => tensor(shift, rotation2d(cyclic(3))), { code: 'invalid-argument', field: 'b' });
  });

  it('a non-monomial ρ_a⊗ρ_b keeps |G|·(dim_a² + dim_b²) matrix entries: past the table limit it is refused naming dim', () => {
    const C = cyclic(4);
    // 4 · (3000² + 2²) = 36 000 016 entries > 2²⁵ = 33 554 432; refused before any matrix is built
    const e = expectEqflowError(() => tensor(channels(rotation2d(C), 1500), rotation2d(C)), { code: 'invalid-argument', field: 'dim' });
    expect(e.message).toMatch(/⊗rot2d\(2π\/4\) would need 36000016 entries, more than the limit of 33554432$/);
    // negative control: the same shape within the limit is built
    expect(tensor(channels(rotation2d(C), 10), rotation2d(C)).dim).toBe(40);
  });

  it('says which image of φ is not an element and how many images were expected', () => {
    const C = cyclic(4), shift = cyclicShift(C, 4);
    for (const bad of [4, -1]) {
      expect(expectEqflowError(() => pullback(shift, C, [0, bad, 2, 3]), { code: 'invalid-argument', field: 'hom[1]' }).message).toMatch(/not an element of C4$/);
    }
    expect(expectEqflowError(() => pullback(shift, C, [0]), { code: 'dimension-mismatch', field: 'hom' }).message).toMatch(/expected 4 images, got 1$/);
  });
});
