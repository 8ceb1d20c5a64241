/**
 * vitest setup file of the mutation and power runs (mutation/vitest.config.ts, power/vitest.config.ts): the per-test
 * hit limit of mutation/hitLimit.ts. Outside a Stryker run it does nothing. In Stryker's dry run it saves each test
 * file's per-test hits under the sandbox (.eqflow-hits/); in a mutant run it bounds each test's hits of the active
 * mutant by its dry-run hits, through the counter and limit Stryker's own setup file keeps in its global namespace.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, inject } from 'vitest';
import { HitsByTest, hitsOfFile, strykerTestId, testHitLimit } from './hitLimit.js';

// Stryker's vitest runner provides these; in a plain vitest run they are undefined
const mode = (inject as (key: string) => unknown)('mode');
const namespace = (inject as (key: string) => unknown)('globalNamespace');

/** The fields of Stryker's namespace this file reads or sets (its setup file owns them). */
interface StrykerNamespace {
  mutantCoverage?: { perTest?: HitsByTest };
  activeMutant?: string;
  hitCount?: number;
  hitLimit?: number;
}

const hitsDir = join(process.cwd(), '.eqflow-hits');
const hitsFile = (testFile: string) => join(hitsDir, `${createHash('sha1').update(testFile).digest('hex')}.json`);
/** The test file a file-level hook runs for (vitest passes the file's suite). */
const fileOf = (suite: unknown): string | undefined => (suite as { filepath?: string }).filepath;

if (typeof namespace === 'string') {
  const ns = ((globalThis as Record<string, unknown>)[namespace] ??= {}) as StrykerNamespace;
  if (mode === 'dry-run') {
    // vitest reads a hook's first parameter as a fixtures pattern: it must be a destructure, even an empty one
    afterAll(({}, suite) => {
      const file = fileOf(suite);
      if (file === undefined) return;
      mkdirSync(hitsDir, { recursive: true });
      writeFileSync(hitsFile(file), JSON.stringify(hitsOfFile(ns.mutantCoverage?.perTest ?? {}, file)));
    });
  } else if (mode === 'mutant') {
    let dry: HitsByTest = {};
    let strykerLimit: number | undefined;
    let exceeded = false;
    beforeAll(({}, suite) => {
      const file = fileOf(suite);
      dry = file !== undefined && existsSync(hitsFile(file)) ? (JSON.parse(readFileSync(hitsFile(file), 'utf8')) as HitsByTest) : {};
      strykerLimit = ns.hitLimit;
    });
    beforeEach(({ task }) => {
      const id = ns.activeMutant;
      ns.hitLimit = testHitLimit(strykerLimit, ns.hitCount ?? 0, id === undefined ? undefined : dry[strykerTestId(task)]?.[id]);
    });
    afterEach(() => {
      if (ns.hitLimit !== undefined && (ns.hitCount ?? 0) > ns.hitLimit) exceeded = true;
      ns.hitLimit = strykerLimit;
    });
    // registered after Stryker's setup file, so it runs before Stryker's afterAll reads the count: past our limit, the
    // count is raised past Stryker's so that its runner reports the timeout ("Hit limit reached"), not a failed test
    afterAll(() => {
      if (exceeded) ns.hitCount = Number.MAX_SAFE_INTEGER;
    });
  }
}
