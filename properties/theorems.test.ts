import { describe, expect, test } from 'vitest';
import { ReferenceImplementation } from '../src/impl/reference.js';
import { allClaims } from '../src/claims/registry.js';
import { fixedSeed, runScale } from './arbitraries/config.js';
import { claimTestPattern } from '../src/vitest.js';

/**
 * The theorem suite on the reference implementation: every claim holds, and every claim with negative inputs
 * (outside its hypotheses) is violated on them. EQFLOW_RUNS scales the case counts, EQFLOW_SEED fixes the seed.
 */
const impl = new ReferenceImplementation();
const seed = fixedSeed() ?? Date.now() % 2 ** 31;
// a deep run (EQFLOW_RUNS) runs proportionally more cases: its time budget per claim scales with it
const timeout = 120_000 * Math.max(1, runScale());

describe(`theorem suite on the reference (seed ${seed}; replay with EQFLOW_SEED=${seed})`, () => {
  for (const claim of allClaims) {
    test(`${claimTestPattern(claim.id)}${claim.title}`, async () => {
      const r = await claim.run(impl, { seed, runs: Math.max(claim.runs, Math.round(claim.runs * runScale())) });
      const replay = `replay: EQFLOW_SEED=${r.seed} npx vitest run properties/theorems.test.ts -t '${claimTestPattern(claim.id)}'`;
      expect(r.verdict, `${r.message}\ncounterexample: ${JSON.stringify(r.counterexample)}\npath: ${r.path}\n${replay}`).toBe('holds');
      expect(r.cases).toBeGreaterThanOrEqual(Math.min(25, claim.runs));
    }, timeout);
    if (claim.hasNegativeInputs) {
      test(`${claim.id} negative control: ${claim.negativeDescription}`, async () => {
        const r = await claim.run(impl, { seed, negative: true });
        expect(r.verdict, `the check did not fail outside its hypotheses (${claim.negativeDescription})`).toBe('violated');
        expect(r.message, 'a negative control must fail by its measurement, not by skipping').toMatch(/error\/tolerance|no floor|‖/);
      }, timeout);
    }
  }
});
