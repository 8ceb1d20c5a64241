/**
 * `npm run power -- [--budget-minutes M] [--refresh] [FILE…]`: the verifier's power, one source file per StrykerJS
 * run (power/stryker.config.mjs with EQFLOW_POWER_FILE), each with its own JSON report and incremental file under
 * reports/power/files/, incremental as mutation/perFile.ts describes; power/summary.ts projects the full-run time
 * from reports/power/runs.json.
 */
import { cli, runPerFile } from '../mutation/perFile.js';
import { FILES_DIR, POWER_JUDGE, RUNS_FILE } from './files.js';
import { writePowerSummary } from './summary.js';
import { POWER_FILES } from './stryker.config.mjs';

if (process.argv[1]?.endsWith('power/run.ts')) {
  cli('power', () => runPerFile({
    name: 'power', config: 'power/stryker.config.mjs', fileEnv: 'EQFLOW_POWER_FILE', filesDir: FILES_DIR, runsFile: RUNS_FILE, patterns: POWER_FILES, judge: POWER_JUDGE,
    summarize: async () => `power: verify detects ${(await writePowerSummary()).total.rate.toFixed(1)}% of the non-equivalent mutants run so far; reports/power/summary.md`,
  }, process.argv.slice(2)));
}
