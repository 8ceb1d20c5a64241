/**
 * `eqflow verify` at its default settings, as one vitest test per claim and per negative control, so that StrykerJS
 * (power/stryker.config.mjs) can judge each mutant of the reference by the claims alone and name the claim that
 * caught it. A test fails exactly when verify's own exit code would: a claim violated (or, once the implementation
 * errs, not answering properly), or a negative control that did not fail.
 */
import { describe, expect, test } from 'vitest';
import { allClaims } from '../src/claims/registry.js';
import { DEFAULT_SEED } from '../src/claims/verify.js';
import { ReferenceImplementation } from '../src/impl/reference.js';

const impl = new ReferenceImplementation();
// power/replay.ts re-checks a mutant judged equivalent with more cases and other seeds; the power run uses neither
const seed = process.env.EQFLOW_POWER_SEED === undefined ? DEFAULT_SEED : Number(process.env.EQFLOW_POWER_SEED);
const scale = Number(process.env.EQFLOW_POWER_SCALE ?? 1);
// a claim's time limit, well above its default run: under Stryker's instrumentation of src/reps/action.ts the 25
// cases of large-group-projector (2048 sampled actions on up to 27 000 coordinates) took over 120 s in the dry run
const LIMIT_MS = 300_000;

describe(`verify at default settings (seed ${seed})`, () => {
  for (const claim of allClaims) {
    test(claim.id, async () => {
      const r = await claim.run(impl, { seed, runs: Math.round(claim.runs * scale) });
      expect(['holds', 'not tested'], `${claim.id}: ${r.message}`).toContain(r.verdict);
    }, LIMIT_MS * scale);
    if (claim.hasNegativeInputs) {
      test(`${claim.id} control`, async () => {
        const r = await claim.run(impl, { seed, negative: true });
        expect(r.verdict, `${claim.id} control did not fail`).not.toBe('holds');
      }, LIMIT_MS);
    }
  }
});
