import fc from 'fast-check';
import { symmetricGenerators } from '../groups/permGroup.js';
import { CaseSpec, parseCase } from '../impl/caseSpec.js';

/**
 * The exact large-S_n family of the theorem claims (docs/theory.md §8): S_20 by its two generators (20! elements,
 * never enumerated) on sets, one linear layer R^20 → R^20 with bias (a DeepSets layer, dim H = 420, dim E = 3), the
 * squared loss, 2–8 seeded synthetic samples. Its risk is quadratic in ρ̄(g)A, so R^aug and every dynamics are
 * exact (twirled moments, src/impl/permAugmented.ts) and the theorem claims judge it exactly, as their other cases.
 */
export const largeLinearCase: fc.Arbitrary<CaseSpec> = fc
  .record({ seed: fc.integer({ min: 0, max: 1_000_000 }), count: fc.integer({ min: 2, max: 8 }) })
  .map(({ seed, count }) => parseCase({
    name: 'S20-sets/linear', group: { kind: 'perm-generators', generators: symmetricGenerators(20) },
    model: { kind: 'mlp', input: { kind: 'natural' }, hidden: [], output: { kind: 'natural' }, bias: true },
    data: { kind: 'synthetic', seed, count },
  }));

/** Cases of `arb` with the large family mixed in at one case in `share` (a small share of a claim's runs: its cost). */
export function withLargeFamily(arb: fc.Arbitrary<CaseSpec>, share: number): fc.Arbitrary<CaseSpec> {
  return fc.oneof({ weight: share - 1, arbitrary: arb }, { weight: 1, arbitrary: largeLinearCase });
}
