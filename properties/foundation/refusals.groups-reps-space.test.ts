/**
 * Borders of groups, actions, representations and fixed-space projectors that the other properties do not reach:
 * each refusal is an EqflowError naming the bad field, and each small path (group views, signed moves, in-place
 * projection, the iterative fallback) gives a value computed here by hand.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/core/rng.js';
import { cyclic, dihedral, factorProjection, symmetric } from '../../src/groups/builtins.js';
import { enumerated, permutationGroup, planarGroup } from '../../src/groups/compact.js';
import { MAX_ORDER } from '../../src/groups/group.js';
import { Perm, PermGroup, checkPerm, composePerm, invertPerm, symmetricByGenerators, symmetricGenerators } from '../../src/groups/permGroup.js';
import { GroupAction, bandLimited, exteriorSquare, fromRepresentation, layerAction, matrixOf, pointAction, regularTruncated, signTwisted, sumAction, tensorAction, trivialAction } from '../../src/reps/action.js';
import { cyclicShift, denseRep, directSum, natural, rotation2d, signedPermutationRep, trivial } from '../../src/reps/builders.js';
import { MonomialRep } from '../../src/reps/representation.js';
import { maskSpace } from '../../src/space/admissible.js';
import { fixedSpaceProjector, iterativeProjector, orbitProjector, ruleProjector } from '../../src/space/fixedSpace.js';
import { ParamSpace } from '../../src/space/paramSpace.js';
import { Projectors } from '../../src/space/projectors.js';
import { expectEqflowError } from '../arbitraries/index.js';

// D4 as the symmetries of the square on its corners 0..3: the rotation (0 1 2 3) and the reflection fixing 0 and 2
const D4 = new PermGroup([[1, 2, 3, 0], [0, 3, 2, 1]], 'D4');
const S3 = permutationGroup(symmetricByGenerators(3));
const SO2 = planarGroup(false);
const O2 = planarGroup(true);
const C2 = cyclic(2);

/** A move as plain arrays (sign null stays null); throws when the action reports none. */
function moveOf<E>(a: GroupAction<E>, g: E): { perm: number[]; sign: number[] | null } {
  const m = a.move(g);
  if (!m) throw new Error(`${a.name} has no move`);
  return { perm: [...m.perm], sign: m.sign && [...m.sign] };
}

/** The natural action of S_n on R^n that does not report its moves (as a foreign, dense implementation would not). */
function opaquePointAction(n: number): GroupAction<Perm> {
  return { ...pointAction(permutationGroup(symmetricByGenerators(n))), move: () => null };
}

describe('groups refuse', () => {
  it('S_n above n = 6', () => {
    // S_8 first: with the guard gone it fails fast (5040 elements) instead of building S_7's table
    expectEqflowError(() => symmetric(8), { code: 'invalid-argument', field: 'n', message: /n ≤ 6/ });
    expectEqflowError(() => symmetric(7), { code: 'invalid-argument', field: 'n' });
  });

  it('a factor projection of a group that is not a direct product', () => {
    expectEqflowError(() => factorProjection(cyclic(4), 0), { code: 'invalid-argument', field: 'group', message: /not a direct product/ });
  });

  it('a permutation group without generators', () => {
    expectEqflowError(() => new PermGroup([]), { code: 'invalid-argument', field: 'generators' });
  });

  it('listing the elements of a group above MAX_ORDER, but not of S_7 at MAX_ORDER', () => {
    expectEqflowError(() => symmetricByGenerators(8).elements(), { code: 'invalid-argument', field: 'group', message: /40320 elements/ });
    expect(symmetricByGenerators(7).elements()).toHaveLength(MAX_ORDER);
  });

  it('S_n generators for n not an integer ≥ 1', () => {
    expectEqflowError(() => symmetricGenerators(0), { code: 'invalid-argument', field: 'n' });
    expectEqflowError(() => symmetricGenerators(2.5), { code: 'invalid-argument', field: 'n' });
  });
});

describe('permutations', () => {
  it('checkPerm refuses a wrong length, a point out of range or not an integer, and a repeated point, naming the entry', () => {
    expectEqflowError(() => checkPerm([0, 1], 3, 'g'), { code: 'dimension-mismatch', field: 'g', message: /3 points, got length 2/ });
    for (const bad of [[0, 1, 3], [0, 1, -1], [0, 1, 1.5]]) expectEqflowError(() => checkPerm(bad, 3, 'g'), { code: 'not-a-group', field: 'g[2]', message: new RegExp(`closure fails: expected a point in 0\\.\\.2, got ${bad[2]}`) });
    expectEqflowError(() => checkPerm([0, 2, 2], 3, 'g'), { code: 'not-a-group', field: 'g', message: /2 appears twice/ });
  });

  it('checkPerm returns an Int32Array copy; compose and invert follow (gh)(i) = g(h(i))', () => {
    const src = [2, 0, 1, 3];
    const g = checkPerm(src, 4, 'g');
    src[0] = 0;
    expect(g).toBeInstanceOf(Int32Array);
    expect([...g]).toEqual([2, 0, 1, 3]);
    const h = Int32Array.of(1, 0, 2, 3);
    expect([...composePerm(g, h)]).toEqual([0, 2, 1, 3]); // g(h(0)) = g(1) = 0, g(h(1)) = g(0) = 2
    expect([...invertPerm(g)]).toEqual([1, 2, 0, 3]);
    expect([...composePerm(g, invertPerm(g))]).toEqual([0, 1, 2, 3]);
  });
});

describe('group views', () => {
  it('the stabilizer chain of D4 on the square: base (0, 1), orbits 4 and 2', () => {
    // Δ_0 = all four corners; Stab(0) = {e, the reflection through 0 and 2}, which moves 1 to 3
    expect(D4.chain()).toEqual({ base: [0, 1], orbitSizes: [4, 2] });
  });

  it('an enumerated group multiplies, samples, integrates and serializes by its indices', () => {
    const D3 = enumerated(dihedral(3));
    // r = 1, s = 3: rs = r s (index 1 + 3) but sr = r² s (index 2 + 3), so the order of the factors shows
    expect([D3.mul(1, 3), D3.mul(3, 1)]).toEqual([4, 5]);
    const rng = new RandomStream(2025);
    const seen = new Set(Array.from({ length: 200 }, () => D3.sample(rng)));
    expect([...seen].sort()).toEqual([0, 1, 2, 3, 4, 5]);
    const rule = D3.haarRule(0);
    expect(rule && { elements: [...rule.elements], weights: [...rule.weights] }).toEqual({ elements: [0, 1, 2, 3, 4, 5], weights: Array(6).fill(1 / 6) });
    expect(D3.toJSON(4)).toBe(4);
  });

  it('a permutation group has a Haar rule up to MAX_ORDER elements only, and serializes a permutation as a plain array', () => {
    const G = permutationGroup(D4);
    const rule = G.haarRule(0);
    expect(rule?.elements.map((g) => g.join(' ')).sort()).toEqual(['0 1 2 3', '0 3 2 1', '1 0 3 2', '1 2 3 0', '2 1 0 3', '2 3 0 1', '3 0 1 2', '3 2 1 0']);
    expect([...(rule?.weights ?? [])]).toEqual(Array(8).fill(1 / 8));
    expect(permutationGroup(symmetricByGenerators(7)).haarRule(0)?.elements).toHaveLength(MAX_ORDER);
    expect(permutationGroup(symmetricByGenerators(8)).haarRule(0)).toBeNull();
    expect(JSON.stringify(G.toJSON(Int32Array.of(1, 2, 3, 0)))).toBe('{"perm":[1,2,3,0]}');
  });

  it('SO(2) and O(2) have no finite order; only O(2) writes the reflection flag', () => {
    expect([SO2.order(), O2.order()]).toEqual([null, null]);
    expect(SO2.toJSON({ theta: 1, reflect: false })).toStrictEqual({ theta: 1 });
    expect(O2.toJSON({ theta: 1, reflect: true })).toStrictEqual({ theta: 1, reflect: true });
    expect(O2.toJSON({ theta: 2, reflect: false })).toStrictEqual({ theta: 2, reflect: false });
  });
});

describe('actions refuse', () => {

  it('a direct sum of no actions, or of actions of two groups', () => {
    expectEqflowError(() => sumAction<number>(), { code: 'invalid-argument', field: 'parts' });
    // two C2's built separately are two groups: their actions cannot be combined
    expectEqflowError(() => sumAction(fromRepresentation(trivial(C2)), fromRepresentation(trivial(cyclic(2)))), { code: 'invalid-argument', field: 'parts[1]' });
  });

  it('a band-limited action without frequencies', () => {
    expectEqflowError(() => bandLimited(SO2, []), { code: 'invalid-argument', field: 'frequencies', message: /at least one frequency/ });
  });

  it('a frequency or truncation that is not an integer ≥ 0, naming it', () => {
    expectEqflowError(() => bandLimited(SO2, [1, -1]), { code: 'invalid-argument', field: 'frequencies[1]' });
    expectEqflowError(() => bandLimited(SO2, [0.5]), { code: 'invalid-argument', field: 'frequencies[0]' });
    expectEqflowError(() => regularTruncated(SO2, 1.5), { code: 'invalid-argument', field: 'K' });
    expectEqflowError(() => regularTruncated(SO2, -1), { code: 'invalid-argument', field: 'K' });
    expect(regularTruncated(SO2, 0).dim).toBe(1); // K = 0 is allowed: the invariant signals alone
  });

  it('a network of fewer than two representations', () => {
    expectEqflowError(() => layerAction([fromRepresentation(trivial(C2))]), { code: 'invalid-argument', field: 'reps', message: /an input and an output representation/ });
  });
});

describe('actions', () => {
  // (0 1) is odd, (0 1 2) even; on Λ²R³ (basis e0∧e1, e0∧e2, e1∧e2) (0 1) reverses e0∧e1 and swaps the other two
  const swap = Int32Array.of(1, 0, 2), cycle = Int32Array.of(1, 2, 0);

  it('ρ ⊗ sgn multiplies every sign of a move by sgn(g), also for a move without signs', () => {
    expect(moveOf(signTwisted(exteriorSquare(S3)), swap)).toEqual({ perm: [0, 2, 1], sign: [1, -1, -1] });
    // (0 1 2) sends e0∧e1 ↦ e1∧e2, e0∧e2 ↦ −e0∧e1, e1∧e2 ↦ −e0∧e2, and is even
    expect(moveOf(signTwisted(exteriorSquare(S3)), cycle)).toEqual({ perm: [2, 0, 1], sign: [1, -1, -1] });
    expect(moveOf(signTwisted(pointAction(S3)), swap)).toEqual({ perm: [1, 0, 2], sign: [-1, -1, -1] });
  });

  it('ψ_{0,2} of O(2) at r_θ s is diag(1, R(2θ)·diag(1, −1)), the documented matrix; its name, degree and dimension', () => {
    const psi = bandLimited(O2, [0, 2]);
    expect([psi.name, psi.degree, psi.dim]).toEqual(['ψ{0,2}', 2, 3]);
    const t = Math.PI / 6, c = Math.cos(2 * t), s = Math.sin(2 * t);
    const want = [1, 0, 0, 0, c, s, 0, s, -c]; // [[c, −s], [s, c]]·diag(1, −1) = [[c, s], [s, −c]]
    const M = matrixOf(psi, { theta: t, reflect: true });
    // each entry is one cos or sin (correctly rounded to 1 ulp) times ±1, exact products
    for (let i = 0; i < 9; i++) expect(Math.abs(M[i] - want[i]), `entry ${i}`).toBeLessThanOrEqual(Number.EPSILON);
    const R = matrixOf(psi, { theta: t, reflect: false });
    expect([...R]).toEqual([1, 0, 0, 0, c, -s, 0, s, c]);
    const reg = regularTruncated(SO2, 3);
    expect([reg.name, reg.degree, reg.dim]).toEqual(['reg≤3', 3, 7]);
  });

  it('ρ ⊗ sgn of an action without moves has none', () => {
    expect(signTwisted(opaquePointAction(3)).move(swap)).toBeNull();
  });

  it('a sum with a part without moves has none', () => {
    const sum = sumAction(bandLimited(SO2, [1]), trivialAction(SO2));
    expect(sum.move({ theta: 0.5, reflect: false })).toBeNull();
    expect(sum.move(SO2.identity)).toBeNull();
  });

  it('a tensor product of signed moves multiplies the signs entry by entry', () => {
    // Λ² ⊗ Λ² at (0 1): perm (i, j) ↦ (π(i), π(j)) with π = [0, 2, 1], sign s_i s_j with s = (−1, 1, 1)
    expect(moveOf(tensorAction(exteriorSquare(S3), exteriorSquare(S3)), swap)).toEqual({
      perm: [0, 2, 1, 6, 8, 7, 3, 5, 4],
      sign: [1, -1, -1, -1, 1, 1, -1, 1, 1],
    });
    // an unsigned second factor contributes +1
    expect(moveOf(tensorAction(exteriorSquare(S3), pointAction(S3)), swap).sign).toEqual([-1, -1, -1, 1, 1, 1, 1, 1, 1]);
  });

  it('a bias array shorter than the layers gives the remaining layers no bias', () => {
    const r2 = fromRepresentation(cyclicShift(C2, 2, 1)), t1 = fromRepresentation(trivial(C2));
    // layers 2×(2+b_0) and 1×(2+b_1)
    expect(layerAction([r2, r2, t1], [true]).dim).toBe(2 * 3 + 1 * 2);
    expect(layerAction([r2, r2, t1], [false, true]).dim).toBe(2 * 2 + 1 * 3);
  });
});

describe('representation builders refuse', () => {

  it('a matrix that is not orthogonal, naming the element', () => {
    expectEqflowError(() => denseRep(C2, [[1, 0, 0, 1], [2, 0, 0, 1]], 2), { code: 'not-orthogonal', field: 'dense[r]' });
  });

  it('a sign table of the wrong length, naming it', () => {
    expectEqflowError(() => signedPermutationRep(C2, [[0, 1], [1, 0]], [[1, 1], [1]]), { code: 'dimension-mismatch', field: 'signs[1]' });
  });

  it('cyclic shifts, the natural representation and 2-d rotations of the wrong group family', () => {
    expectEqflowError(() => cyclicShift(dihedral(2), 4), { code: 'invalid-argument', field: 'group' });
    expectEqflowError(() => natural(cyclic(3)), { code: 'invalid-argument', field: 'group' });
    expectEqflowError(() => rotation2d(dihedral(3)), { code: 'invalid-argument', field: 'group' });
  });

  it('an empty direct sum', () => {
    expectEqflowError(() => directSum(), { code: 'invalid-argument', field: 'parts' });
  });
});

describe('fixed-space projectors', () => {
  it('refuse a move of the wrong length, naming it', () => {
    expectEqflowError(() => orbitProjector(2, [{ perm: Int32Array.of(1, 0), sign: null }, { perm: Int32Array.of(0, 1, 2), sign: null }]), { code: 'dimension-mismatch', field: 'moves[1]' });
  });

  it('project by a Haar rule in place bit for bit as out of place', () => {
    const C4 = cyclic(4);
    const rule = enumerated(C4).haarRule(0);
    if (!rule) throw new Error('C4 has a Haar rule');
    const P = ruleProjector(fromRepresentation(cyclicShift(C4, 4, 1)), rule);
    const x = Float64Array.of(0.1, 0.7, -0.3, 1.9);
    const apart = P.apply(x, new Float64Array(4)).out;
    // Π_G of the shifts is the mean, 2.4/4 = 0.6 to round-off
    for (const v of apart) expect(Math.abs(v - 0.6)).toBeLessThan(8 * Number.EPSILON);
    expect([...P.apply(x, x).out]).toEqual([...apart]);
    expect([...x]).toEqual([...apart]);
  });

  it('stop conjugate gradients at p ∈ ker M (here p = Mx = 0, forced into the loop by a negative tolerance)', () => {
    // x is fixed (ψ_0 part only), so Mx = 0 exactly; without the stop α = 0/0 turns the projection into NaN
    const P = iterativeProjector(bandLimited(SO2, [0, 1]), { tol: -1 });
    const { out, residual } = P.apply(Float64Array.of(3, 0, 0));
    expect([...out, residual]).toEqual([3, 0, 0, 0]);
  });

  it('fall back to conjugate gradients for a non-monomial action of a group too large for a Haar rule', () => {
    const P = fixedSpaceProjector(opaquePointAction(8));
    expect([P.method, P.rank]).toEqual(['iterative', null]);
    // H_G of S_8 on R^8 is the constants: Π_G x is the mean, 4.5; CG stops at round-off of 8·|gens| terms times ‖x‖ ≈ 14, far below 1e-12
    const { out, residual } = P.apply(Float64Array.of(1, 2, 3, 4, 5, 6, 7, 8));
    for (const v of out) expect(Math.abs(v - 4.5)).toBeLessThan(1e-12);
    expect(residual).toBeLessThan(1e-12);
  });

  it('refuse a compatible pair whose tr(Π_LΠ_G) is not an integer (ρ orthogonal but not a homomorphism)', () => {
    // C3 on R¹ by the signs (1, −1, 1): unvalidated, its twirl is multiplication by 1/3, so tr(Π_LΠ_G) = 1/3
    const C3 = cyclic(3);
    const id = Int32Array.of(0);
    const rho = new MonomialRep(C3, 1, 'not-a-rep', [id, id, id], [Float64Array.of(1), Float64Array.of(-1), Float64Array.of(1)]);
    const space = new ParamSpace([{ name: 'A0', shape: [1], rep: rho }]);
    expectEqflowError(() => new Projectors(maskSpace(space, [1])), { code: 'incompatible', field: 'L', message: /not an integer/ });
  });
});
