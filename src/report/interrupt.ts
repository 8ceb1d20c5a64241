/**
 * What a long run does when it is interrupted: the final files are written atomically only at the end, so an
 * interrupt leaves them as they were; what was finished so far is saved to a separate partial file, and one line on
 * stderr says where. Used by `eqflow experiment mnist`, `eqflow verify` and the benchmark runs; the signal handling
 * itself (SIGINT, SIGTERM, SIGHUP; every implementation process group killed; exit 128 + the signal number; a second
 * signal exits at once) is src/core/shutdown.ts.
 */
export { onInterrupt as saveOnInterrupt, signalExitCode } from '../core/shutdown.js';
export type { SavePartial } from '../core/shutdown.js';
