/**
 * Shared fast-check configuration for every property suite.
 *
 * - `EQFLOW_RUNS` scales the number of generated cases (default 100 per property; a property with a smaller
 *   base count, e.g. an SVD one at 25, is scaled by the same factor EQFLOW_RUNS / 100).
 * - `EQFLOW_SEED` fixes fast-check's seed, `EQFLOW_PATH` (with the seed) replays one counterexample.
 *
 * On failure `checkProperty` throws fast-check's own report (seed, path, counterexample, shrink count) followed
 * by the exact command line that replays it.
 */
import fc from 'fast-check';
import { relative } from 'node:path';
import { expect } from 'vitest';

export const DEFAULT_RUNS = 100;

function envInt(name: string): number | undefined {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const v = Number(raw);
  if (!Number.isSafeInteger(v)) throw new Error(`${name} must be an integer, got ${JSON.stringify(raw)}`);
  return v;
}

/** The scale set by EQFLOW_RUNS (default 100 = the project's baseline). */
export function runScale(): number {
  const r = envInt('EQFLOW_RUNS');
  return r === undefined ? 1 : Math.max(r, 1) / DEFAULT_RUNS;
}

/**
 * Number of generated cases: `base` (100 unless a property is genuinely expensive; never below 25) scaled by
 * EQFLOW_RUNS / 100. EQFLOW_RUNS only scales up: a smaller value never drops a property below its base.
 */
export function runs(base = DEFAULT_RUNS): number {
  if (base < 25) throw new Error(`runs(${base}): the project floor is 25 generated cases per property`);
  return Math.max(base, Math.round(base * runScale()));
}

/** The fixed seed (EQFLOW_SEED), or undefined to let fast-check draw one (it is printed on failure). */
export function fixedSeed(): number | undefined {
  return envInt('EQFLOW_SEED');
}

/** fast-check parameters for one property: run count, the fixed seed and replay path when given. */
export function fcParams<T>(base = DEFAULT_RUNS, extra: fc.Parameters<T> = {}): fc.Parameters<T> {
  const params: fc.Parameters<T> = { numRuns: runs(base), ...extra };
  const seed = fixedSeed();
  if (seed !== undefined) params.seed = seed;
  const path = process.env.EQFLOW_PATH;
  if (seed !== undefined && path) params.path = path;
  return params;
}

/** The replay instructions appended to every failure. */
export function replayHint(seed: number, path: string | null, file?: string, name?: string): string {
  const where = file ? ` ${file}` : ' properties/foundation test/core.test.ts';
  // -t takes a regular expression: escape the test name so it matches literally
  const filter = name ? ` -t '${name.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/'/g, "'\\''")}'` : '';
  const p = path ? ` EQFLOW_PATH=${path}` : '';
  return `Replay: EQFLOW_SEED=${seed}${p} npx vitest run${where}${filter}`;
}

export interface CheckOptions<T> {
  /** base run count (scaled by EQFLOW_RUNS) */
  runs?: number;
  /** the test file and test name, for the replay command line */
  file?: string;
  name?: string;
  params?: fc.Parameters<T>;
}

/**
 * Runs `property` with the shared parameters and throws on failure with fast-check's report plus a replay line
 * (EQFLOW_SEED + EQFLOW_PATH). Use this instead of fc.assert everywhere in the suites.
 */
export function checkProperty<T>(property: fc.IProperty<T>, opts: CheckOptions<T> = {}): fc.RunDetails<T> {
  const details = fc.check(property, fcParams(opts.runs ?? DEFAULT_RUNS, opts.params ?? {}));
  if (details.failed) {
    const report = fc.defaultReportMessage(details) ?? 'property failed';
    const err = details.errorInstance;
    const cause = err instanceof Error ? `Got error: ${err.message}` : err !== null && err !== undefined ? `Got: ${String(err)}` : 'The predicate returned false.';
    const state = expect.getState();
    const file = opts.file ?? (state.testPath ? relative(process.cwd(), state.testPath) : undefined);
    const name = opts.name ?? state.currentTestName?.split(' > ').pop();
    throw new Error(`${report}\n${cause}\n${replayHint(details.seed, details.counterexamplePath, file, name)}`);
  }
  return details;
}

/**
 * Runs a property that is EXPECTED to fail (a negative control) and returns fast-check's details; the caller
 * asserts `details.failed`. No replay path is forced here: a negative control must fail for its own seed.
 */
export function checkExpectingFailure<T>(property: fc.IProperty<T>, base = DEFAULT_RUNS): fc.RunDetails<T> {
  const params = fcParams<T>(base);
  delete params.path;
  return fc.check(property, params);
}
