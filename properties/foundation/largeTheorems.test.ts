/**
 * The theorem claims on their exact large-S_n family (S_20 on sets, S_8 on graphs, by generators; largeFamily.ts):
 * the orbit bases their structure reads are exact; every claim that draws the family holds on it for the reference;
 * the planted bugs specific to groups by generators (properties/mutants/mutants.ts, permMutants) are rejected on it;
 * and an implementation without `perm-generators` has the large cases skipped with a stated reason, never the claim.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { claimById } from '../../src/claims/registry.js';
import { largeLinearCase } from '../../src/claims/largeFamily.js';
import { caseStructure } from '../../src/claims/caseStructure.js';
import { splitBases } from '../../src/analysis/hessian.js';
import { EqflowError } from '../../src/core/errors.js';
import { RandomStream } from '../../src/core/rng.js';
import { Implementation } from '../../src/impl/implementation.js';
import { ReferenceImplementation } from '../../src/impl/reference.js';
import { orbitProjector } from '../../src/space/fixedSpace.js';
import { CaseSpec } from '../../src/impl/caseSpec.js';
import { permMutants } from '../mutants/mutants.js';

const sample = fc.sample(largeLinearCase, { seed: 1, numRuns: 20 });
/** one case of each layer of the family: S_20 on sets (dim H = 420, dim E = 3), S_8 on graphs (520, 6) */
const layers = [['S20-sets', 420, 3], ['S8-graphs', 520, 6]] as const;
const specOf = (name: string): CaseSpec => sample.find((c) => c.name.startsWith(name))!;
const spec = specOf('S20-sets');

/** One input per claim that draws the large family, on `spec`, inside each claim's hypotheses. */
const inputs = (s: CaseSpec): Array<[string, unknown]> => [
  ['theorem-1-flow', { spec: s, seed: 3, gamma: 2, kind: 'augmented' }],
  ['theorem-1-gd', { spec: s, seed: 3, gamma: 2, eta: 0.05 }],
  ['theorem-1-stationary', { spec: s, seed: 3 }],
  ['theorem-2-blocks', { spec: s, seed: 3, offset: 0 }],
  ['theorem-2-regularized', { spec: s, seed: 3, gamma: 0.5, predictor: 'theorem' }],
  ['theorem-3-bound', { spec: s, seed: 3, gamma: 2, far: 1 }],
  ['remark-r1', { spec: s, seed: 3, gamma: 200 }],
  ['remark-r3', { spec: s, seed: 3, eta: 0.01, etaGamma: 1 }],
  ['remark-r4', { spec: s, seed: 3, draw: 5 }],
];

const dot = (a: Float64Array, b: Float64Array): number => a.reduce((s, v, i) => s + v * b[i], 0);

/** max |⟨b_i, b_j⟩ − δ_ij| over a list of vectors (plain loops: 520² inner products of 520 terms). */
function orthonormalityError(B: Float64Array[]): number {
  let e = 0;
  for (let i = 0; i < B.length; i++) {
    const u = B[i];
    for (let j = 0; j <= i; j++) {
      const v = B[j];
      let d = 0;
      for (let k = 0; k < u.length; k++) d += u[k] * v[k];
      e = Math.max(e, Math.abs(d - (i === j ? 1 : 0)));
    }
  }
  return e;
}

describe('the theorem claims on S_20 (sets) and S_8 (graphs) by generators (exact)', () => {
  it('the orbit bases of H_G and H_G^⊥ are orthonormal, complementary and give Π_G (a cancelling orbit goes to H_G^⊥)', () => {
    for (const [name, dim, dimE] of layers) {
      const { E, F } = splitBases(caseStructure(specOf(name)).P);
      // H_G of Hom(R^20 ⊕ R, R^20): I, 11ᵀ and the constant bias; of Hom(R^{8×8} ⊕ R, R^8): 5 maps and the bias
      expect([E.length, F.length]).toEqual([dimE, dim - dimE]);
      // unit-size vectors, inner products of ≤ dim nonzero terms: 1e3·ε bounds their round-off
      expect(orthonormalityError([...E, ...F])).toBeLessThan(1e3 * Number.EPSILON);
      const x = new RandomStream('bases').gaussianVector(dim);
      const viaBasis = new Float64Array(dim);
      for (const e of E) { const c = dot(e, x); for (let i = 0; i < dim; i++) viaBasis[i] += c * e[i]; }
      const direct = caseStructure(specOf(name)).P.piE(x);
      expect(Math.max(...direct.map((v, i) => Math.abs(v - viaBasis[i])))).toBeLessThan(1e3 * Number.EPSILON * Math.sqrt(dot(x, x)));
    }
    // x_0 = −x_0 (a cancelling orbit) and x_1 ↔ x_2: H_G = span(e_1 + e_2), H_G^⊥ = span(e_0, e_1 − e_2)
    const small = orbitProjector(3, [{ perm: Int32Array.from([0, 2, 1]), sign: Int8Array.from([-1, 1, 1]) }]);
    const h = 1 / Math.sqrt(2); // each entry is one division (σ_i/√|O| or ±1/√(k(k+1))), bit for bit
    expect(small.fixedBasis!().map((v) => Array.from(v))).toEqual([[0, h, h]]);
    expect(small.complementBasis!().map((v) => Array.from(v))).toEqual([[1, 0, 0], [0, h, -h]]);
  });

  it('every theorem claim drawing the family holds on it for the reference (sets and graphs)', async () => {
    const impl = new ReferenceImplementation();
    for (const [name] of layers) {
      for (const [id, input] of inputs(specOf(name))) {
        // a check may skip an input outside its own precondition (fc.pre, e.g. H_eq ⊁ 0): no verdict either way
        const m = await claimById(id)!.replay(impl, input).catch(() => null);
        if (m) expect(m.ratio, `${name} ${id}: ${m.detail}`).toBeLessThanOrEqual(1);
      }
    }
  });

  for (const mutant of permMutants) {
    it(`theorem-1-stationary rejects the planted bug "${mutant.bug}" on it`, async () => {
      for (const [name] of layers) {
        const [, input] = inputs(specOf(name)).find(([id]) => id === 'theorem-1-stationary')!;
        const m = await claimById('theorem-1-stationary')!.replay(mutant.impl, input);
        expect(m.ratio, `mutant ${mutant.id} on ${name}: ${m.detail}`).toBeGreaterThan(1);
      }
    });
  }

  it('an implementation without perm-generators has the large cases skipped with a stated reason, and the claim still judged on the others', async () => {
    const ref = new ReferenceImplementation();
    const impl: Implementation = { name: 'no-perm', capabilities: new Set([...ref.capabilities].filter((c) => c !== 'perm-generators')), open: (s) => ref.open(s), close: () => ref.close() };
    const refusal = await claimById('theorem-1-gd')!.replay(impl, inputs(spec)[1][1]).catch((e: unknown) => e);
    expect(refusal).toBeInstanceOf(EqflowError);
    expect((refusal as EqflowError).code).toBe('unsupported');
    expect((refusal as Error).message).toMatch(/perm-generators/);
    const [withIt, without] = [await claimById('theorem-1-gd')!.run(ref, { seed: 17 }), await claimById('theorem-1-gd')!.run(impl, { seed: 17 })];
    expect(withIt.verdict).toBe('holds');
    expect(without.verdict).toBe('holds');
    expect(without.skipped).toBeGreaterThan(withIt.skipped); // the large cases, and only they, were refused
    expect(without.cases).toBe(withIt.cases);
    expect(withIt.byGenerators).toBeGreaterThan(0);
    expect(without.byGenerators).toBeUndefined();
    expect(without.refused).toEqual([{ count: without.skipped - withIt.skipped, reason: expect.stringMatching(/does not offer 'perm-generators'/) }]);
  });
});
