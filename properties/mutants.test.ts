import { describe, expect, test } from 'vitest';
import { allClaims } from '../src/claims/registry.js';
import { fixedSeed } from './arbitraries/config.js';
import { mutants } from './mutants/mutants.js';

/**
 * Every planted bug is rejected: some claim that holds on the reference is violated on the mutant. Claims run in
 * docs/theory.md order and the first that catches the mutant is printed. EQFLOW_SEED fixes the seed.
 */
const seed = fixedSeed() ?? Date.now() % 2 ** 31;

describe(`mutants are rejected by the theorem suite (seed ${seed})`, () => {
  for (const m of mutants) {
    test(`${m.id}: ${m.bug}`, async () => {
      let caughtBy: string | null = null;
      let message = '';
      for (const claim of allClaims) {
        const r = await claim.run(m.impl, { seed });
        if (r.verdict === 'violated') {
          caughtBy = claim.id;
          message = r.message ?? '';
          break;
        }
      }
      console.log(`mutant ${m.id} caught by ${caughtBy ?? 'NOTHING'}: ${message.slice(0, 160)}`);
      expect(caughtBy, `mutant ${m.id} (${m.bug}) passed every claim; replay with EQFLOW_SEED=${seed}`).not.toBeNull();
    });
  }
});
