import { defineConfig } from 'vitest/config';

/** Only the verify-as-tests file: the power of `eqflow verify` is measured without eqflow's unit tests. */
export default defineConfig({
  test: {
    include: ['power/verify.power.test.ts'],
    testTimeout: 120_000,
    pool: 'forks',
  },
});
