/**
 * Stryker runs a mutant's covering tests by name (a pattern built from the dry run's names), so a test whose name
 * changes from one collection to the next is never run on a mutant: its mutants "survive" untested. @fast-check/vitest
 * names each property after its seed, drawn from the clock unless configured; under EQFLOW_SEED (which both Stryker
 * configs' runs set) every such file must fix it.
 */
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const testFiles = (dir: string): string[] => readdirSync(dir, { withFileTypes: true, recursive: true })
  .filter((e) => e.isFile() && e.name.endsWith('.test.ts')).map((e) => join(e.parentPath, e.name));

async function names(files: readonly string[], seed: string | undefined): Promise<string[]> {
  const out = join(mkdtempSync(join(tmpdir(), 'eqflow-names-')), 'list.json');
  const env = { ...process.env };
  delete env.EQFLOW_SEED;
  await promisify(execFile)('npx', ['vitest', 'list', `--json=${out}`, ...files], { env: seed === undefined ? env : { ...env, EQFLOW_SEED: seed } });
  return (JSON.parse(readFileSync(out, 'utf8')) as Array<{ name: string }>).map((t) => t.name).sort();
}

describe('test names under EQFLOW_SEED', () => {
  it('are the same from one collection to the next in every file that uses @fast-check/vitest', async () => {
    const files = [...testFiles('properties'), ...testFiles('test')].filter((f) => readFileSync(f, 'utf8').includes("from '@fast-check/vitest'"));
    expect(files.length).toBeGreaterThan(0);
    // four collections at once: two under EQFLOW_SEED, and as the negative control two without it, whose seeds, and so
    // names, are drawn anew
    const [first, second, free1, free2] = await Promise.all([names(files, '11'), names(files, '11'), names(files, undefined), names(files, undefined)]);
    expect(first.some((n) => n.includes('(with seed=11)'))).toBe(true);
    expect(second).toEqual(first);
    expect(free1).not.toEqual(free2);
  }, 120_000);
});
