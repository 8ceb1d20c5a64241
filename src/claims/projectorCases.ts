import fc from 'fast-check';
import { RandomStream } from '../core/rng.js';
import { buildGroup, buildModel } from '../impl/build.js';
import { CaseSpec, parseCase } from '../impl/caseSpec.js';
import { admissibleVariantCase, compatibleCase, mlpCase, outsideHypotheses } from './cases.js';

/**
 * L_0 = span of an overcomplete, dependent list (docs/theory.md §1, "the span of any vectors"): k = dim + 1..3
 * vectors drawn in a random r-dimensional subspace (r < dim), so L_0 has dimension r while the list has more
 * vectors than dim H; with r = 0 every vector is zero and L_0 = {0}. A span must be rank-revealing on such lists.
 */
export const overcompleteSpanCase: fc.Arbitrary<CaseSpec> = fc
  .record({ spec: mlpCase.filter((c) => buildModel(buildGroup(c.group), c.model).space.dim <= 24), seed: fc.integer({ min: 0, max: 1_000_000 }) })
  .map(({ spec, seed }) => {
    const dim = buildModel(buildGroup(spec.group), spec.model).space.dim;
    const rng = new RandomStream(`span/${seed}`);
    const r = rng.int(dim); // 0 ≤ r < dim
    const U = Array.from({ length: r }, () => rng.gaussianVector(dim));
    const vectors = Array.from({ length: dim + 1 + rng.int(3) }, () => {
      const c = rng.gaussianVector(r);
      return Array.from({ length: dim }, (_, i) => U.reduce((s, u, j) => s + c[j] * u[i], 0));
    });
    return parseCase({ ...spec, name: `${spec.name}/span${r}of${vectors.length}`, admissible: { kind: 'basis', vectors, name: `span${r}` } });
  });

/**
 * The projectors claim's Cases: inside and outside the hypotheses, every kind of admissible set (masks, unions of
 * orbits, bases compatible or not, affine) and overcomplete spans.
 */
export const projectorCase: fc.Arbitrary<CaseSpec> = fc.oneof(compatibleCase, outsideHypotheses, admissibleVariantCase, overcompleteSpanCase);
