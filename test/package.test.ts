/**
 * The package as a user gets it: `npm pack`, the tarball installed offline (from the npm cache that `npm ci`
 * filled) into an empty project, and used there from JavaScript, from TypeScript, through its CLI, and through
 * `eqflow/vitest` with the snippet of README's "Use eqflow in your own test suite", against the reference (green)
 * and against a planted-bug implementation (red, naming the claim and the replay command).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { allClaims } from '../src/claims/registry.js';

const ROOT = resolve(import.meta.dirname, '..');
const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string; devDependencies: Record<string, string> };
const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
/** the exact versions our own lock installed, so that the offline install finds them in the cache */
const locked = (name: string) => `${name}@${lock.packages[`node_modules/${name}`].version}`;

/** The TypeScript snippet under README's "Use eqflow in your own test suite" heading. */
export function readmeSnippet(readme: string): string {
  const section = readme.split(/^## /m).find((s) => s.startsWith('Use eqflow in your own test suite'));
  const code = section?.match(/```ts\n([\s\S]*?)```/);
  if (!code) throw new Error('README has no ```ts block under "## Use eqflow in your own test suite"');
  return code[1];
}

let work = '';
// a child that runs every claim (the README snippet: 66 s on a quiet 2-core CI, 144 s beside a busy one) gets this
// long, and so does the test that waits for it: a test timeout below its child's would cut a slow run short
const SPAWN_MS = 240_000;
const run = (cmd: string, args: string[], cwd: string) => spawnSync(cmd, args, { cwd, encoding: 'utf8', timeout: SPAWN_MS, env: { ...process.env, CI: 'true', NO_COLOR: '1', FORCE_COLOR: '0', EQFLOW_SEED: '' } });

/** An empty project with eqflow installed from the tarball (and vitest, typescript to use it with). */
function project(tarball: string): string {
  const dir = join(work, 'user');
  mkdirSync(dir);
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ name: 'user-project', private: true, type: 'module' }));
  const r = run('npm', ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', tarball, locked('vitest'), locked('typescript')], dir);
  if (r.status !== 0) throw new Error(`npm install --prefer-offline failed (${r.status}): ${r.stderr}`);
  return dir;
}

/** A folder of the project holding the README snippet as its test, over the implementation module `impl`. */
function suite(dir: string, name: string, impl: string): string {
  mkdirSync(join(dir, name));
  writeFileSync(join(dir, name, 'my-impl.js'), impl);
  writeFileSync(join(dir, name, 'claims.test.ts'), readmeSnippet(readFileSync(join(ROOT, 'README.md'), 'utf8')));
  return `${name}/claims.test.ts`;
}

describe('the packed package in an empty project', () => {
  let dir = '';
  let green = '';
  let red = '';
  let shipped: string[] = [];
  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'eqflow-pack-'));
    const out = execFileSync('npm', ['pack', '--json', '--pack-destination', work], { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    const packed = (JSON.parse(out.slice(out.indexOf('['))) as Array<{ filename: string; files: Array<{ path: string }> }>)[0];
    const tarball = join(work, packed.filename);
    shipped = packed.files.map((f) => f.path);
    dir = project(tarball);
    green = suite(dir, 'green', "export { reference as implementation } from 'eqflow';\n");
    // a planted bug: Π_E taken as Π_LΠ_G, which is no projection onto L ∩ H_G when L is incompatible
    red = suite(dir, 'red', [
      "import { reference } from 'eqflow';",
      'export const implementation = {',
      "  name: 'pi-e-as-pi-l-pi-g', capabilities: reference.capabilities,",
      '  async open(spec) {',
      '    const s = await reference.open(spec);',
      "    return Object.assign(Object.create(s), { project: async (w, A) => (w === 'E' ? s.project('L', await s.project('G', A)) : s.project(w, A)) });",
      '  },',
      '  close: () => reference.close(),',
      '};',
      '',
    ].join('\n'));
  }, 240_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  test('npm publish --dry-run is clean: nothing in package.json for npm to correct', () => {
    const r = run('npm', ['publish', '--dry-run', '--ignore-scripts'], ROOT);
    expect(r.status, r.stderr).toBe(0);
    const warnings = r.stderr.split('\n').filter((l) => /npm warn/.test(l) && !/requires you to be logged in/.test(l));
    expect(warnings).toEqual([]);
  });

  test('ships a compiled file for a source that exists, and none for a deleted one (the build starts from an empty dist/)', () => {
    const compiled = shipped.filter((f) => f.startsWith('dist/') && f.endsWith('.js'));
    expect(compiled).toContain('dist/index.js');
    expect(compiled.filter((f) => !existsSync(join(ROOT, f.replace(/^dist\//, 'src/').replace(/\.js$/, '.ts'))))).toEqual([]);
  });

  test('imports from plain JavaScript', () => {
    const r = run(process.execPath, ['--input-type=module', '-e', "import * as e from 'eqflow'; const { cyclic, reference, verify } = e; console.log(cyclic(4).order, typeof verify, reference.name, Object.keys(e).length);"], dir);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toMatch(/^4 function reference \d+$/);
  });

  test('types resolve from TypeScript (tsc --noEmit)', () => {
    writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ compilerOptions: { module: 'NodeNext', moduleResolution: 'NodeNext', target: 'ES2022', strict: true, noEmit: true, skipLibCheck: false, types: [] }, files: ['typed.ts'] }));
    writeFileSync(join(dir, 'typed.ts'), [
      "import { cyclic, reference, verify, type VerificationReport } from 'eqflow';",
      "import { describeClaims } from 'eqflow/vitest';",
      "import { groupSpecArb } from 'eqflow/arbitraries';",
      'const order: number = cyclic(4).order;',
      "const report: Promise<VerificationReport> = verify(reference, { only: ['action'], runs: 2 });",
      'export { order, report, describeClaims, groupSpecArb };',
      '',
    ].join('\n'));
    const ok = run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', '.'], dir);
    expect(ok.stdout + ok.stderr).toBe('');
    // the types are real: a wrong type is an error
    writeFileSync(join(dir, 'typed.ts'), "import { cyclic } from 'eqflow';\nconst order: string = cyclic(4).order;\nexport { order };\n");
    const bad = run(process.execPath, [join(dir, 'node_modules/typescript/bin/tsc'), '-p', '.'], dir);
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/TS2322/);
  });

  test('npx eqflow --version and a verify run', () => {
    const v = run('npx', ['--no-install', 'eqflow', '--version'], dir);
    expect(v.stdout.trim()).toBe(pkg.version);
    const r = run('npx', ['--no-install', 'eqflow', 'verify', '--only', 'action,projectors', '--runs', '5', '--out', join(dir, 'reports')], dir);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/reference: 2 hold, 0 violated, 0 implementation errors, 0 not tested/);
  });

  test('the README snippet under vitest: the reference passes every claim', () => {
    const r = run('npx', ['--no-install', 'vitest', 'run', green], dir);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Tests\\s+\\S*${allClaims.length} passed`));
  }, SPAWN_MS);

  // the red run selects the claim that must catch the bug by the pattern its replay command prints, and that pattern
  // must select that test alone (1 failed, the rest skipped); every claim already ran through the snippet above, and
  // running them all again would cost 80 s of CI for the same wiring
  test('the README snippet under vitest: a planted bug fails, naming the claim and the replay command', () => {
    const r = run('npx', ['--no-install', 'vitest', 'run', red, '-t', 'projectors: '], dir);
    expect(r.status).not.toBe(0);
    const out = r.stdout + r.stderr;
    expect(out).toMatch(/Tests\s+1 failed \| \d+ skipped/);
    expect(out).toMatch(/claim projectors \(.*\) violated/);
    expect(out).toMatch(/replay: EQFLOW_SEED=\d+ EQFLOW_PATH=[\d:]+ npx vitest run red\/claims\.test\.ts -t 'projectors: '/);
  }, SPAWN_MS);
});
