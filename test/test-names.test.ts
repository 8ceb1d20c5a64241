/**
 * Stryker runs a mutant's covering tests by name (a pattern built from the dry run's names), so a test whose name
 * changes from one collection to the next is never run on a mutant: its mutants "survive" untested. @fast-check/vitest
 * names each property after its seed, drawn from the clock unless configured; under EQFLOW_SEED (which both Stryker
 * configs' runs set) every such file must fix it.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const testFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith('.test.ts')).map((e) => join(e.parentPath, e.name));

function names(files: readonly string[], seed: string | undefined): string[] {
  const out = join(mkdtempSync(join(tmpdir(), 'eqflow-names-')), 'list.json');
  const env = { ...process.env };
  delete env.EQFLOW_SEED;
  execFileSync('npx', ['vitest', 'list', `--json=${out}`, ...files], { env: seed === undefined ? env : { ...env, EQFLOW_SEED: seed }, stdio: 'ignore' });
  return (JSON.parse(readFileSync(out, 'utf8')) as Array<{ name: string }>).map((t) => t.name).sort();
}

describe('test names under EQFLOW_SEED', () => {
  it('are the same from one collection to the next in every file that uses @fast-check/vitest', () => {
    const files = [...testFiles('properties'), ...testFiles('test')].filter((f) => readFileSync(f, 'utf8').includes("from '@fast-check/vitest'"));
    expect(files.length).toBeGreaterThan(0);
    const first = names(files, '11');
    expect(first.some((n) => n.includes('(with seed=11)'))).toBe(true);
    expect(names(files, '11')).toEqual(first);
    // negative control: without EQFLOW_SEED the seeds, and so the names, are drawn anew
    expect(names(files, undefined)).not.toEqual(names(files, undefined));
  }, 120_000);
});
