/**
 * What a long run does when it is interrupted: the final files are written atomically only at the end, so an
 * interrupt leaves them as they were; what was finished so far is saved to a separate partial file, and one line on
 * stderr says where. Used by `eqflow experiment mnist` and the benchmark runs.
 */

/** Saves the partial results and returns the one line that says where they are and what was left untouched. */
export type SavePartial = (signal: NodeJS.Signals) => Promise<string>;

/** Exit code of a run stopped by a signal (128 + SIGINT, the shell convention for an interrupted job). */
export const INTERRUPTED_EXIT = 130;

/**
 * Until the returned release function is called, SIGINT or SIGTERM runs `save`, prints its line prefixed with
 * `who` and exits with INTERRUPTED_EXIT. A failing save is reported too, and still exits (never hangs).
 */
export function saveOnInterrupt(who: string, save: SavePartial): () => void {
  const stop = (signal: NodeJS.Signals): void => {
    save(signal).then(
      (line) => process.stderr.write(`\n${who}: interrupted by ${signal}; ${line}\n`),
      (e: unknown) => process.stderr.write(`\n${who}: interrupted by ${signal}; saving partial results failed: ${e instanceof Error ? e.message : String(e)}\n`),
    ).finally(() => process.exit(INTERRUPTED_EXIT));
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return () => {
    process.removeListener('SIGINT', stop);
    process.removeListener('SIGTERM', stop);
  };
}
