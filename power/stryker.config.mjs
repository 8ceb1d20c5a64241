// @ts-check
/**
 * The verifier's power: StrykerJS mutates the reference implementation's mathematical code — the groups and
 * representations a Case builds, the parameter spaces and projectors, the models, the risks and the flows — and
 * judges every mutant ONLY by `eqflow verify` at its default settings (power/verify.power.test.ts: one test per
 * claim and per negative control), never by eqflow's unit tests. The score is the share of bugs planted in an
 * implementation that the claims catch.
 *
 *   npm run power                      every module, incremental (later runs re-test only what changed)
 *   npm run power -- --mutate src/risk/losses.ts    any subset
 *
 * Reports: reports/power/mutation.{html,json}; power/summary.ts writes reports/power/summary.md and summary.json
 * (detection rate per module, which claim caught each mutant, every survivor with its reason).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
import base from '../stryker.config.mjs';

export default {
  ...base,
  vitest: { configFile: 'power/vitest.config.ts', related: false },
  mutate: [
    'src/groups/**/*.ts', 'src/reps/**/*.ts', 'src/space/**/*.ts', 'src/models/**/*.ts', 'src/risk/**/*.ts', 'src/flows/**/*.ts',
    // barrels; the verifier's own oracles (finite differences, symbolic gradients), which judge rather than
    // implement; and what no Case builds (invariant test risks, the trajectory recorder of reports)
    '!src/**/index.ts', '!src/risk/differences.ts', '!src/risk/oracles.ts', '!src/risk/invariant.ts', '!src/flows/recorder.ts',
  ],
  testFiles: ['power/verify.power.test.ts'],
  htmlReporter: { fileName: 'reports/power/mutation.html' },
  jsonReporter: { fileName: 'reports/power/mutation.json' },
  incrementalFile: 'reports/power/stryker-incremental.json',
};
