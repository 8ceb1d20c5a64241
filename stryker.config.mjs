// @ts-check
/**
 * StrykerJS mutation testing of the numerical core: src/space (projectors, admissible sets, parameter spaces),
 * src/risk (risks, losses, datasets, regularizer) and src/flows (dynamics, integrators, recorder).
 *
 *   npm run mutation            the key files (projectors, risk, integrators, dynamics): ~1 h on 2 cores
 *   npm run mutation:all        every file of src/space, src/risk, src/flows (several hours)
 *   npm run mutation -- --mutate src/risk/losses.ts   any subset (CLI --mutate overrides `mutate`)
 *
 * Reports: reports/mutation/mutation.html and mutation.json; then mutation/summary.ts writes
 * reports/mutation/summary.md (score per file, every surviving mutant, equivalence notes from
 * mutation/equivalent.json). EQFLOW_SEED is fixed by the npm scripts so that every property test draws the same
 * cases in the dry run and in every mutant run (a flaky test would be reported as a kill).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const KEY_FILES = ['src/space/projectors.ts', 'src/risk/risk.ts', 'src/flows/integrators.ts', 'src/flows/dynamics.ts'];
const ALL_FILES = ['src/space/**/*.ts', 'src/risk/**/*.ts', 'src/flows/**/*.ts', '!src/**/index.ts'];

export default {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'vitest',
  // related: false — the property suites reach these modules through src/impl and src/claims, which vitest's
  // import-graph "related" mode does not always connect; testFiles below is the selection instead
  vitest: { configFile: 'vitest.config.ts', related: false },
  // the vitest runner records which test hits which mutant, so each mutant runs only the tests that cover it
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: process.env.EQFLOW_MUTATE_ALL === '1' ? ALL_FILES : KEY_FILES,
  // the suites that exercise space/risk/flows in-process (CLI and external-process tests run code Stryker cannot
  // switch mutants in, so they are left out)
  testFiles: [
    'properties/foundation/projectors.test.ts',
    'properties/foundation/reps.test.ts',
    'properties/models.dense.test.ts',
    'properties/models.cnn.test.ts',
    'properties/theorems.test.ts',
    'properties/mutants.test.ts',
    'test/trace.test.ts',
    'test/robustness.test.ts',
    'test/mutation-kills.test.ts',
  ],
  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // nothing under these is needed to run the selected tests; skipping them keeps the sandbox copy small
  ignorePatterns: ['reports', 'tmp', 'bench/peers', 'docs', '.stryker-tmp'],
  // a mutant that loops forever (e.g. `t < tEnd` → `true`) is cut off after 1.5× its tests' dry-run time plus 5 s
  // (a timeout counts as detected; a longer grace only made the first run slower)
  timeoutMS: 5_000,
  // later runs re-test only mutants whose code or covering tests changed
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  dryRunTimeoutMinutes: 20,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
};
