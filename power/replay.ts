/**
 * Re-runs mutants of the power run outside Stryker, each applied to a temporary copy of the repository:
 *
 *   npx tsx power/replay.ts protocol [--sample 30] [--seed S]
 *     A seeded sample of detected mutants served through the protocol: the unmutated verifier runs
 *     `eqflow verify --impl "node COPY/bin/eqflow.mjs serve"` against the mutated reference. The protocol path loses
 *     no power when every one of them is detected there too (exit 1, a claim violated, or 3, the implementation
 *     failed: the same two outcomes the in-process power test counts). Writes reports/power/protocol.json.
 *
 *   npx tsx power/replay.ts equivalents [--sample K] [--seeds 7,8] [--scale 10] [--covering] [--files F1,F2]
 *     A seeded sample of the mutants power/equivalent.json calls equivalent, re-judged by the power test with
 *     --scale × each claim's cases at each of --seeds: an equivalence judgment holds when no claim tells the mutant
 *     apart at any of them. --covering runs only the claims that ran the mutant's code in the power run (a full
 *     10× run takes ~16 min per seed on two loaded cores). --files samples only those source files' mutants (a round's
 *     new judgments). Mutants of a file whose source changed since its power run are left out (they cannot be
 *     applied). Writes reports/power/equivalents.json after each mutant.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import seedrandom from 'seedrandom';
import { EqflowError } from '../src/core/errors.js';
import { writeJsonAtomic } from '../src/report/atomic.js';
import { MutationReport, loadEquivalents, loadReport } from '../mutation/summary.js';
import { cli } from '../mutation/perFile.js';
import { FILES_DIR } from './files.js';

/** A mutant of a per-file power report, with the claim tests (by claim id, e.g. `projectors control`) that ran its code. */
type Mutant = MutationReport['files'][string]['mutants'][number] & { file: string; source: string; covering?: string[] | null };

const ROOT = resolve('.');

function allMutants(): Mutant[] {
  const files = existsSync(FILES_DIR) ? readdirSync(FILES_DIR).filter((f) => f.endsWith('.json') && !f.endsWith('.incremental.json')) : [];
  if (files.length === 0) throw new EqflowError('io', FILES_DIR, `no per-file power reports in ${FILES_DIR}: run \`npm run power\` first`);
  return files.flatMap((f) => {
    const r = JSON.parse(readFileSync(join(FILES_DIR, f), 'utf8')) as MutationReport;
    // test names are "verify at default settings (seed S) <claim>": the claim part is what other seeds share
    const names = new Map(Object.values(r.testFiles ?? {}).flatMap((t) => t.tests.map((x) => [x.id, x.name.replace(/^.*\(seed \d+\) /, '')] as const)));
    return Object.entries(r.files).flatMap(([file, { source, mutants }]) => mutants.map((m) => {
      const ids = (m as { coveredBy?: string[] }).coveredBy;
      return { ...m, file, source, covering: ids ? ids.map((id) => names.get(id) ?? id) : null };
    }));
  });
}

/** Offset of a 1-based (line, column) position, as Stryker's report gives it. */
function offsetOf(source: string, line: number, column: number): number {
  const lines = source.split('\n');
  return lines.slice(0, line - 1).reduce((a, l) => a + l.length + 1, 0) + column - 1;
}

/** The mutated source; refuses a mutant whose report is stale (made from another version of the file). */
export function applyMutant(m: Mutant, current: string): string {
  if (current !== m.source) throw new EqflowError('invalid-argument', m.file, `the power report of ${m.file} was made from another version of it: re-run \`npm run power\` first`);
  if (m.location.end === undefined || m.replacement === undefined) throw new EqflowError('invalid-argument', m.file, `mutant ${m.id} of ${m.file} has no end position or replacement`);
  const a = offsetOf(m.source, m.location.start.line, m.location.start.column), b = offsetOf(m.source, m.location.end.line, m.location.end.column);
  return m.source.slice(0, a) + m.replacement + m.source.slice(b);
}

/** A copy of what `bin/eqflow.mjs` and the power test need, with the mutant applied; node_modules is linked. */
function mutatedCopy(m: Mutant): string {
  const dir = mkdtempSync(join(tmpdir(), 'eqflow-mutant-'));
  for (const p of ['src', 'bin', 'power', 'mutation', 'wasm', 'bench', 'package.json', 'tsconfig.json']) if (existsSync(join(ROOT, p))) cpSync(join(ROOT, p), join(dir, p), { recursive: true });
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  writeFileSync(join(dir, m.file), applyMutant(m, readFileSync(join(ROOT, m.file), 'utf8')));
  return dir;
}

/** k of the items, drawn without replacement by a seeded shuffle. */
function sample<T>(items: readonly T[], k: number, seed: string): T[] {
  const rng = seedrandom(seed), a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, k);
}

const describe = (m: Mutant) => ({ file: m.file, line: m.location.start.line, mutator: m.mutatorName, replacement: (m.replacement ?? '').replace(/\s+/g, ' ').slice(0, 120) });

async function protocol(k: number, seed: string, write: (rows: Array<Record<string, unknown>>) => Promise<void>): Promise<Array<Record<string, unknown>>> {
  const detected = allMutants().filter((m) => m.status === 'Killed' || m.status === 'Timeout');
  const rows: Array<Record<string, unknown>> = [];
  for (const [i, m] of sample(detected, k, seed).entries()) {
    const dir = mutatedCopy(m);
    const t0 = Date.now();
    try {
      const out = join(dir, 'out');
      const r = spawnSync(process.execPath, ['bin/eqflow.mjs', 'verify', '--quiet', '--out', out, '--impl', `node ${join(dir, 'bin/eqflow.mjs')} serve`], { cwd: ROOT, encoding: 'utf8', timeout: 30 * 60_000 });
      const violated = existsSync(join(out, 'verification.json'))
        ? (JSON.parse(readFileSync(join(out, 'verification.json'), 'utf8')) as { claims: Array<{ id: string; verdict: string }> }).claims.filter((c) => c.verdict !== 'holds' && c.verdict !== 'not tested').map((c) => `${c.id}: ${c.verdict}`)
        : [];
      const row = { ...describe(m), inProcess: m.status, exitCode: r.status, detected: r.status === 1 || r.status === 3, violated, seconds: Math.round((Date.now() - t0) / 1000) };
      process.stdout.write(`${i + 1}/${k} ${m.file}:${m.location.start.line} ${m.mutatorName}: exit ${r.status} (${row.seconds} s)\n`);
      rows.push(row);
      await write(rows); // after each mutant: a run cut short keeps what it finished
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

/** A vitest -t pattern selecting exactly the named claim tests (at any seed). */
const onlyTests = (claims: string[]): string => `\\) (${claims.map((c) => c.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`;

async function equivalents(k: number, seeds: number[], scale: number, covering: boolean, files: string[] | null, write: (rows: Array<Record<string, unknown>>) => Promise<void>): Promise<Array<Record<string, unknown>>> {
  const judged = (await loadEquivalents('power/equivalent.json')).filter((e) => (e.kind ?? 'equivalent') === 'equivalent' && (files === null || files.includes(e.file)));
  const current = new Map<string, string | null>();
  const unchanged = (m: Mutant): boolean => {
    if (!current.has(m.file)) current.set(m.file, existsSync(m.file) ? readFileSync(m.file, 'utf8') : null);
    return current.get(m.file) === m.source;
  };
  const mutants = allMutants().filter(unchanged);
  const found = judged.flatMap((e) => mutants.filter((m) => m.status !== 'Killed' && m.status !== 'Timeout' && m.file === e.file && m.mutatorName === e.mutator && (m.source.split('\n')[m.location.start.line - 1] ?? '').trim() === e.original && (m.replacement ?? '').replace(/\s+/g, ' ') === e.replacement).map((m) => ({ m, reason: e.reason })));
  const rows: Array<Record<string, unknown>> = [];
  for (const [i, { m, reason }] of sample(found, k, 'equivalents').entries()) {
    const dir = mutatedCopy(m);
    // --covering: only the claims that ran the mutated code in the power run (a claim that never reaches it
    // answers exactly as on the reference); coverage was taken at 1× the cases, so this is the cheaper, weaker check
    const claims = covering && m.covering ? m.covering : null;
    try {
      const runs = seeds.map((s) => {
        const args = [join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'power/vitest.config.ts', ...(claims ? ['-t', onlyTests(claims)] : [])];
        const r = spawnSync(process.execPath, args, { cwd: dir, encoding: 'utf8', env: { ...process.env, EQFLOW_POWER_SEED: String(s), EQFLOW_POWER_SCALE: String(scale) }, timeout: 60 * 60_000 });
        return { seed: s, toldApart: r.status !== 0 };
      });
      process.stdout.write(`${i + 1}/${k} ${m.file}:${m.location.start.line} ${m.mutatorName}: ${runs.map((r) => `seed ${r.seed} ${r.toldApart ? 'TOLD APART' : 'equivalent'}`).join(', ')}\n`);
      rows.push({ ...describe(m), reason, scale, claims: claims ?? 'all', runs, confirmed: runs.every((r) => !r.toldApart) });
      await write(rows); // after each mutant: a long re-check cut short keeps what it finished
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }
  return rows;
}

function flag(args: string[], name: string, fallback: string): string {
  const i = args.indexOf(name);
  return i < 0 ? fallback : args[i + 1];
}

async function main(): Promise<void> {
  const [mode, ...args] = process.argv.slice(2);
  const k = Number(flag(args, '--sample', mode === 'protocol' ? '30' : '10'));
  if (!Number.isInteger(k) || k < 1) throw new EqflowError('invalid-argument', '--sample', `--sample must be a positive integer (got ${flag(args, '--sample', '')})`);
  if (mode === 'protocol') {
    const seed = flag(args, '--seed', 'protocol');
    const write = (rows: Array<Record<string, unknown>>) => writeJsonAtomic('reports/power/protocol.json', { generatedAt: new Date().toISOString(), seed, asked: k, sample: rows.length, detected: rows.filter((r) => r.detected).length, mutants: rows });
    const rows = await protocol(k, seed, write);
    process.stdout.write(`protocol path: ${rows.filter((r) => r.detected).length} of ${rows.length} detected mutants detected through \`verify --impl … serve\`\n`);
  } else if (mode === 'equivalents') {
    const seeds = flag(args, '--seeds', '7,8').split(',').map(Number);
    const scale = Number(flag(args, '--scale', '10'));
    const covering = args.includes('--covering');
    const files = args.includes('--files') ? flag(args, '--files', '').split(',').filter((f) => f !== '') : null;
    const write = (rows: Array<Record<string, unknown>>) => writeJsonAtomic('reports/power/equivalents.json', { generatedAt: new Date().toISOString(), seeds, scale, covering, files, asked: k, sample: rows.length, confirmed: rows.filter((r) => r.confirmed).length, mutants: rows });
    const rows = await equivalents(k, seeds, scale, covering, files, write);
    process.stdout.write(`equivalence re-checked: ${rows.filter((r) => r.confirmed).length} of ${rows.length} confirmed at ${scale}× cases, seeds ${seeds.join(', ')}\n`);
  } else {
    throw new EqflowError('invalid-argument', 'mode', `mode must be "protocol" or "equivalents" (got ${mode ?? 'nothing'})`);
  }
}

if (process.argv[1]?.endsWith('power/replay.ts')) {
  cli('power replay', main);
}
