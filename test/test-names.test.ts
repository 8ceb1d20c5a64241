/**
 * Stryker runs a mutant's covering tests by name (a pattern built from the dry run's names), so a test whose name
 * changes from one collection to the next is never run on a mutant: its mutants "survive" untested. @fast-check/vitest
 * names each property after its seed, drawn from the clock unless configured; under EQFLOW_SEED (which both Stryker
 * configs' runs set) every such file must fix it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const testFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith('.test.ts')).map((e) => join(e.parentPath, e.name));

/** The names one `vitest list` collects from `files` under EQFLOW_SEED=`seed`. */
async function names(files: readonly string[], seed: string): Promise<string[]> {
  const dir = mkdtempSync(join(tmpdir(), 'eqflow-names-'));
  try {
    const out = join(dir, 'list.json');
    await promisify(execFile)(process.execPath, ['node_modules/vitest/vitest.mjs', 'list', `--json=${out}`, ...files], { env: { ...process.env, EQFLOW_SEED: seed } });
    return (JSON.parse(readFileSync(out, 'utf8')) as Array<{ name: string }>).map((t) => t.name);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('test names under EQFLOW_SEED', () => {
  // one collection suffices: a name that carries EQFLOW_SEED's value is a function of it, the same in every collection;
  // a file that forgets the seed names its properties after a clock-drawn one, ≠ 11 but with chance 2⁻³²
  it('carry EQFLOW_SEED, not a clock-drawn seed, in every file that uses @fast-check/vitest', async () => {
    const files = [...testFiles('properties'), ...testFiles('test')].filter((f) => readFileSync(f, 'utf8').includes("from '@fast-check/vitest'"));
    expect(files.length).toBeGreaterThan(0);
    const seeded = (await names(files, '11')).filter((n) => /\(with seed=-?\d+\)/.test(n));
    expect(seeded.length).toBeGreaterThan(0);
    expect(seeded.filter((n) => !n.includes('(with seed=11)'))).toEqual([]);
  }, 120_000);
});
