import { defineConfig } from 'vitest/config';

/** Only the verify-as-tests file: the power of `eqflow verify` is measured without eqflow's unit tests. */
export default defineConfig({
  test: {
    include: ['power/verify.power.test.ts'],
    // the per-test hit limit of mutation/hitLimit.ts: a mutant looping forever stops in seconds, not at the timeout
    setupFiles: ['mutation/hitLimit.setup.ts'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
