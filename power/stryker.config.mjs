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
import base, { perFileOptions } from '../stryker.config.mjs';

/** the modules whose mathematical code a Case builds; the power run covers exactly these files */
export const POWER_FILES = [
  'src/groups/**/*.ts', 'src/reps/**/*.ts', 'src/space/**/*.ts', 'src/models/**/*.ts', 'src/risk/**/*.ts', 'src/flows/**/*.ts',
  // barrels; the verifier's own oracles (finite differences, symbolic gradients), which judge rather than
  // implement; and what no Case builds (the trajectory recorder of reports)
  '!src/**/index.ts', '!src/risk/differences.ts', '!src/risk/oracles.ts', '!src/flows/recorder.ts',
  // a closed-form oracle of the dense model's Q that no Case builds (only property tests compare against it)
  '!src/models/exampleQ.ts',
  // the text of the CLI's discrete-stability warning: a message, not mathematics a Case builds
  '!src/flows/discrete.ts',
  // the plain (unconstrained) network of one property test; no Case builds it
  '!src/models/plain.ts',
];

// power/run.ts runs one source file per Stryker run (EQFLOW_POWER_FILE), each with its own report and incremental
// file under reports/power/files/, so a run cut short by a time budget keeps every file it finished
const file = process.env.EQFLOW_POWER_FILE;

export default {
  ...base,
  vitest: { configFile: 'power/vitest.config.ts', related: false },
  mutate: POWER_FILES,
  testFiles: ['power/verify.power.test.ts'],
  // a timeout counts as detected, so it must mean a mutant that hangs, not a slow machine: on two shared cores a
  // claim run can take several times its dry-run time, and the base grace (1.5× + 5 s) turned a mutated warning
  // message into 11 "timeouts"; an infinite loop is still cut off, a few minutes later
  timeoutFactor: 5,
  // static mutants (module-level constants such as the kernel-support table) are NOT measured: a constant is
  // evaluated once at import, while the vitest runner switches the active mutant between tests of an already
  // loaded module, so a "survived" says nothing about the claims (all 38 of the first runs survived); the summary
  // counts them apart as "static, not measured", never as detected or survived
  ignoreStatic: true,
  timeoutMS: 120_000,
  htmlReporter: { fileName: 'reports/power/mutation.html' },
  jsonReporter: { fileName: 'reports/power/mutation.json' },
  incrementalFile: 'reports/power/stryker-incremental.json',
  ...(file === undefined ? {} : perFileOptions(file, 'reports/power/files')),
};
