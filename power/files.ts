/** Where the per-file power runs live and which files they cover (shared by power/run.ts, summary.ts and replay.ts). */
import { FileRun, loadRuns as loadRunsOf, selectFiles } from '../mutation/perFile.js';
import { POWER_FILES } from './stryker.config.mjs';

export const FILES_DIR = 'reports/power/files';
export const RUNS_FILE = 'reports/power/runs.json';
/** What judges a power mutant: the claims, the implementations and analysis they drive, and the harness (PerFileSuite.judge). */
export const POWER_JUDGE = ['src/claims', 'src/impl', 'src/analysis', 'power/verify.power.test.ts'];

/** The files POWER_FILES selects. */
export const powerFiles = (root = '.'): string[] => selectFiles(POWER_FILES, root);

export const loadRuns = (file = RUNS_FILE): FileRun[] => loadRunsOf(file);
