/**
 * docs/theory.md §8: the `haar-quadrature` claim (R^aug of SO(2)/O(2) networks with tanh on trivial channels, by
 * N-angle rules whose doubling estimate |I_2N − I_N| enters the tolerance) holds on the reference; its two
 * negative controls fail: the N = 4 rule without the estimate, and a rule one angle short (the quadrature mutant).
 */
import { describe, expect, it } from 'vitest';
import { haarQuadratureClaim } from '../../src/claims/haarQuadrature.js';
import { checkCell } from '../../src/report/verification.js';
import { ReferenceImplementation } from '../../src/impl/reference.js';
import { mutants } from '../mutants/mutants.js';

const ref = new ReferenceImplementation();

describe('haar-quadrature: SO(2)/O(2) quadrature with an a-posteriori estimate', () => {
  it('holds on the reference', async () => {
    const r = await haarQuadratureClaim.run(ref, { seed: 17, runs: 40 });
    expect(r.verdict, r.message).toBe('holds');
    expect(r.check).toBe('quadrature');
    expect(checkCell(r)).toMatch(/^quadrature/);
    expect(r.worstRatio).toBeLessThanOrEqual(1);
  });

  it('negative control: without the estimate the N = 4 rule is not SO(2)-invariant', async () => {
    const r = await haarQuadratureClaim.run(ref, { seed: 17, runs: 40, negative: true });
    expect(r.verdict, r.message).toBe('violated');
  });

  it('negative control: a rule one angle short (mutant quadrature-one-short) is rejected', async () => {
    const m = mutants.find((x) => x.id === 'quadrature-one-short')!;
    const r = await haarQuadratureClaim.run(m.impl, { seed: 17, runs: 40 });
    expect(r.verdict, r.message).toBe('violated');
  });
});
