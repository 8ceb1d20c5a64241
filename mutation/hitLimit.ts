/**
 * A per-test hit limit for StrykerJS's vitest runner, so that a mutant looping forever is stopped in seconds instead
 * of at the wall-clock timeout. Stryker counts the evaluations of the active mutant's code ("hits") and stops a mutant
 * run past 100 × the hits of the whole dry run; in a hot loop (an `i++` → `i--` in a kernel every test runs) that is
 * 100 × what the whole suite did, hours away, so the hang ran into the timeout, 5 × its covering tests' dry-run time
 * plus a minute: update operators were 61% of the timeouts of both suites (172 of 282), and each cost 5–10 min.
 * Here the same factor applies per test: a mutant run stops once a test evaluates the mutant's code more than
 * HIT_FACTOR times as often as it did in the dry run (and at least HIT_FLOOR times), which Stryker reports as a
 * timeout ("Hit limit reached"), the verdict it gives its own limit. mutation/hitLimit.setup.ts wires it into vitest.
 */

/** Stryker's own factor over the dry run's hits (HIT_LIMIT_FACTOR in @stryker-mutator/core), here per test. */
export const HIT_FACTOR = 100;
/** A test that hit the mutant rarely still allows this many evaluations (a few milliseconds of looping). */
export const HIT_FLOOR = 1_000_000;

/** Hits per test id (Stryker's `<test file path>#<suite and test names>`), per mutant id, as the dry run counted them. */
export type HitsByTest = Record<string, Record<string, number> | undefined>;

/**
 * The hit limit for one test of a mutant run: the hits counted before it (`before`, the file's running count) plus
 * HIT_FACTOR × its dry-run hits `dry`, at least HIT_FLOOR, never above Stryker's own limit `strykerLimit`; Stryker's
 * limit alone when the dry run saw this test miss the mutant (`dry` undefined: nothing to scale).
 */
export function testHitLimit(strykerLimit: number | undefined, before: number, dry: number | undefined): number | undefined {
  if (dry === undefined) return strykerLimit;
  const ours = before + Math.max(HIT_FLOOR, HIT_FACTOR * dry);
  return strykerLimit === undefined ? ours : Math.min(strykerLimit, ours);
}

/** The dry-run hits of the tests of one test file: the entries of Stryker's per-test coverage under `<file>#`. */
export function hitsOfFile(perTest: HitsByTest, file: string): HitsByTest {
  return Object.fromEntries(Object.entries(perTest).filter(([id]) => id.startsWith(`${file}#`)));
}

/** A vitest task as Stryker names it in its coverage: the file's path, '#', the suite names and the test's, by spaces. */
export interface NamedTask {
  name: string;
  suite?: NamedTask;
  file?: { filepath: string };
}

export function strykerTestId(task: NamedTask): string {
  const names: string[] = [];
  for (let t: NamedTask | undefined = task; t !== undefined; t = t.suite) names.unshift(t.name);
  return `${task.file?.filepath ?? 'unknown.js'}#${names.join(' ').trim()}`;
}
