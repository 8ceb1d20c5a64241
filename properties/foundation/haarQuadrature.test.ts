/**
 * docs/theory.md §8: the `haar-quadrature` claim (R^aug of SO(2)/O(2) networks with tanh on trivial channels, by
 * N-angle rules whose doubling estimate |I_2N − I_N| enters the tolerance) holds on the reference; its two
 * negative controls fail: the N = 4 rule without the estimate, and a rule one angle short (the quadrature mutant).
 */
import { describe, expect, it } from 'vitest';
import { QuadratureInput, haarQuadratureClaim } from '../../src/claims/haarQuadrature.js';
import { checkCell } from '../../src/report/verification.js';
import { ReferenceImplementation } from '../../src/impl/reference.js';
import { mutants } from '../mutants/mutants.js';

const ref = new ReferenceImplementation();

describe('haar-quadrature: SO(2)/O(2) quadrature with an a-posteriori estimate', () => {
  // the default runs are in properties/theorems.test.ts: here a few, for the report's check column
  it('holds on the reference, checked by quadrature', async () => {
    const r = await haarQuadratureClaim.run(ref, { seed: 17, runs: 10 });
    expect(r.verdict, r.message).toBe('holds');
    expect(r.check).toBe('quadrature');
    expect(checkCell(r)).toMatch(/^quadrature/);
    expect(r.worstRatio).toBeLessThanOrEqual(1);
  });

  it('negative control: at N = 16 the estimate is what makes the check pass; left out, it fails', async () => {
    const r = await haarQuadratureClaim.run(ref, { seed: 17, runs: 40, negative: true });
    expect(r.verdict, r.message).toBe('violated');
    // the same inputs with the estimate in the tolerance hold: the quadrature error is real and the estimate bounds it
    for (let seed = 0; seed < 12; seed++) {
      const input: QuadratureInput = { group: seed % 2 ? 'O2' : 'SO2', width: 1 + (seed % 3), output: (seed >> 1) % 2 as 0 | 1, bias: seed % 3 === 0, seed, count: 2 + (seed % 3), h: { M: [5, 7, 11, 13][seed % 4], k: 1 + (seed % 4), reflect: seed % 5 === 0 }, cap: 16, noEstimate: false };
      const withEstimate = await haarQuadratureClaim.replay(ref, input);
      const without = await haarQuadratureClaim.replay(ref, { ...input, noEstimate: true });
      expect(withEstimate.ratio, withEstimate.detail).toBeLessThanOrEqual(1);
      expect(without.ratio, without.detail).toBeGreaterThan(1);
    }
  });

  it('negative control: a rule one angle short (mutant quadrature-one-short) is rejected', async () => {
    const m = mutants.find((x) => x.id === 'quadrature-one-short')!;
    const r = await haarQuadratureClaim.run(m.impl, { seed: 17, runs: 40 });
    expect(r.verdict, r.message).toBe('violated');
  });
});
