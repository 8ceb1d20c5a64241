// @ts-check
/**
 * StrykerJS mutation testing of the numerical core by eqflow's own tests: every file of src/space, src/risk,
 * src/flows, src/models, src/groups and src/reps (MUTATION_FILES).
 *
 *   npm run mutation            every file, one Stryker run per file (mutation/run.ts), incremental: files never run
 *                               first, then files whose source changed; --budget-minutes M stops starting new files
 *   npm run mutation -- src/risk/losses.ts   any subset
 *   npx stryker run stryker.config.mjs       the four key files in one run (projectors, risk, integrators, dynamics)
 *
 * Reports: per file reports/mutation/files/<dir>__<name>.json (and .incremental.json); mutation/summary.ts merges
 * them into reports/mutation/summary.md (score per file, every surviving mutant, equivalence notes from
 * mutation/equivalent.json). EQFLOW_SEED is fixed by the npm scripts so that every property test draws the same
 * cases in the dry run and in every mutant run (a flaky test would be reported as a kill).
 *
 * @type {import('@stryker-mutator/api/core').PartialStrykerOptions}
 */
const KEY_FILES = ['src/space/projectors.ts', 'src/risk/risk.ts', 'src/flows/integrators.ts', 'src/flows/dynamics.ts'];
/** the files `npm run mutation` covers, one Stryker run each */
export const MUTATION_FILES = ['src/space/**/*.ts', 'src/risk/**/*.ts', 'src/flows/**/*.ts', 'src/models/**/*.ts', 'src/groups/**/*.ts', 'src/reps/**/*.ts', '!src/**/index.ts'];

/**
 * A unit's file, part number and lines: `src/a/b.ts@2:151-300` → part 2, lines 151 to 300; a whole file → all its lines.
 * @param {string} unit
 * @returns {{ file: string; part: number | undefined; from: number; to: number }}
 */
export function parseUnit(unit) {
  const [, file, part, a, b] = /** @type {RegExpExecArray} */ (/^(.*?)(?:@(\d+):(\d+)-(\d+))?$/.exec(unit));
  return part === undefined ? { file, part: undefined, from: 1, to: Infinity } : { file, part: Number(part), from: Number(a), to: Number(b) };
}

/**
 * The options of a run on one file or one part of it (mutation/perFile.ts names it in the config's environment variable:
 * `src/<dir>/<name>.ts`, or `src/<dir>/<name>.ts@K:A-B` for its part K, lines A to B): that code mutated (a part by
 * Stryker's mutation-range syntax `file:A-B`), its JSON report and Stryker incremental file under `dir` as
 * <dir>__<name>[@K].json, no HTML (the summary merges the per-file reports).
 * @param {string} unit
 * @param {string} dir
 */
export function perFileOptions(unit, dir) {
  const { file, part, from, to } = parseUnit(unit);
  const slug = file.replace(/^src\//, '').replace(/\.ts$/, '').replace(/\//g, '__') + (part === undefined ? '' : `@${part}`);
  return { mutate: [part === undefined ? file : `${file}:${from}-${to}`], reporters: ['json', 'progress'], jsonReporter: { fileName: `${dir}/${slug}.json` }, incrementalFile: `${dir}/${slug}.incremental.json` };
}

const file = process.env.EQFLOW_MUTATION_FILE;

export default {
  $schema: './node_modules/@stryker-mutator/core/schema/stryker-schema.json',
  packageManager: 'npm',
  testRunner: 'vitest',
  // related: false — the property suites reach these modules through src/impl and src/claims, which vitest's
  // import-graph "related" mode does not always connect; testFiles below is the selection instead
  vitest: { configFile: 'mutation/vitest.config.ts', related: false },
  // the vitest runner records which test hits which mutant, so each mutant runs only the tests that cover it
  coverageAnalysis: 'perTest',
  concurrency: 2,
  mutate: KEY_FILES,
  // every property suite and the unit tests that run the six folders' code in-process (CLI and external-process tests
  // run code Stryker cannot switch mutants in, so they are left out)
  testFiles: [
    'properties/**/*.test.ts',
    'test/projectors-oracle.test.ts',
    'test/planarCases.test.ts',
    'test/precision.test.ts',
    'test/trace.test.ts',
    'test/robustness.test.ts',
    'test/mutation-kills.test.ts',
    'test/recorder.test.ts',
  ],

  reporters: ['html', 'json', 'clear-text', 'progress'],
  htmlReporter: { fileName: 'reports/mutation/mutation.html' },
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  // nothing under these is needed to run the selected tests; skipping them keeps the sandbox copy small
  ignorePatterns: ['reports', 'tmp', 'bench/peers', 'docs', '.stryker-tmp'],
  // a timeout counts as detected, so it must mean a mutant that hangs, not a loaded machine: 5× its tests' dry-run
  // time plus 60 s (the default 1.5× + 5 s turned slow runs on two shared cores into "timeouts"; power does the same)
  timeoutFactor: 5,
  timeoutMS: 60_000,
  // static mutants (module-level constants) are not measured: the vitest runner switches mutants between tests of an
  // already loaded module, so a constant's "survived" says nothing (mutation/summary.ts counts them apart)
  ignoreStatic: true,
  // later runs re-test only mutants whose code or covering tests changed
  incremental: true,
  incrementalFile: 'reports/mutation/stryker-incremental.json',
  dryRunTimeoutMinutes: 20,
  thresholds: { high: 90, low: 80, break: null },
  tempDirName: '.stryker-tmp',
  ...(file === undefined ? {} : perFileOptions(file, 'reports/mutation/files')),
};
