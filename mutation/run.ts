/**
 * `npm run mutation -- [--budget-minutes M] [--refresh] [FILE…]`: the unit tests' mutation score over every file of
 * MUTATION_FILES (stryker.config.mjs), one Stryker run per file (EQFLOW_MUTATION_FILE), incremental as
 * mutation/perFile.ts describes; mutation/summary.ts merges the per-file reports into reports/mutation/summary.md.
 */
import { MUTATION_FILES } from '../stryker.config.mjs';
import { cli, runPerFile } from './perFile.js';
import { MUTATION_FILES_DIR, MUTATION_RUNS, writeMutationSummary } from './summary.js';

if (process.argv[1]?.endsWith('mutation/run.ts')) {
  cli('mutation', () => runPerFile({
    name: 'mutation', config: 'stryker.config.mjs', fileEnv: 'EQFLOW_MUTATION_FILE', filesDir: MUTATION_FILES_DIR, runsFile: MUTATION_RUNS, patterns: MUTATION_FILES,
    summarize: async () => `mutation: the unit tests' score is ${(await writeMutationSummary()).total.score.toFixed(1)}% over the files run so far; reports/mutation/summary.md`,
  }, process.argv.slice(2)));
}
