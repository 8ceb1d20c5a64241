import fc from 'fast-check';
import { symmetricGenerators } from '../groups/permGroup.js';
import { CaseSpec, parseCase } from '../impl/caseSpec.js';

/**
 * The exact large-S_n family of the theorem claims (docs/theory.md §8), groups by their two generators, never
 * enumerated: S_20 (20! elements) on sets, one linear layer R^20 → R^20 with bias (a DeepSets layer, dim H = 420,
 * dim E = 3), or S_8 (8! = 40 320 elements, beyond the tables' 5040) on graphs, one linear layer R^{8×8} → R^8 with
 * bias (dim H = 520, dim E = 6); the squared loss, 2–8 seeded synthetic samples. The risk is quadratic in
 * ρ̄(g)A, so R^aug and every dynamics are exact (twirled moments, src/impl/permAugmented.ts) and the theorem claims
 * judge the family exactly, as their other cases.
 */
export const largeLinearCase: fc.Arbitrary<CaseSpec> = fc
  // graphs one case in four: their moments are 65² (sets 21²), a theorem-3-bound case costs ~0.25 s (sets ~0.2 s)
  .record({ layer: fc.oneof({ weight: 3, arbitrary: fc.constant('sets') }, { weight: 1, arbitrary: fc.constant('graphs') }), seed: fc.integer({ min: 0, max: 1_000_000 }), count: fc.integer({ min: 2, max: 8 }) })
  .map(({ layer, seed, count }) => {
    const n = layer === 'sets' ? 20 : 8;
    return parseCase({
      name: `S${n}-${layer}/linear`, group: { kind: 'perm-generators', generators: symmetricGenerators(n) },
      model: { kind: 'mlp', input: { kind: layer === 'sets' ? 'natural' : 'adjacency' }, hidden: [], output: { kind: 'natural' }, bias: true },
      data: { kind: 'synthetic', seed, count },
    });
  });

/** Cases of `arb` with the large family mixed in at one case in `share` (a small share of a claim's runs: its cost). */
export function withLargeFamily(arb: fc.Arbitrary<CaseSpec>, share: number): fc.Arbitrary<CaseSpec> {
  return fc.oneof({ weight: share - 1, arbitrary: arb }, { weight: 1, arbitrary: largeLinearCase });
}
