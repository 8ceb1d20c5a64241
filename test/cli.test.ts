import { spawn, spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, test } from 'vitest';
import { zeroOfVelocity } from '../src/analysis/stationary.js';
import { distance, norm } from '../src/core/kernels.js';
import { velocity } from '../src/flows/dynamics.js';
import { buildCase } from '../src/impl/build.js';
import { EXAMPLE_Q, exampleByName } from '../src/impl/examples.js';
import { fieldOf } from '../src/impl/reference.js';
import { plateauCase, plateauSeed } from './fixtures/plateau-case.js';

/** Runs the real CLI as a user would (node bin/eqflow.mjs …). */
function eqflow(...args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, ['bin/eqflow.mjs', ...args], { encoding: 'utf8', timeout: 120_000 });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

describe('eqflow CLI', () => {
  test('bad input: one line naming the option, exit 2, no stack trace', () => {
    for (const args of [
      ['verify', '--runs', 'abc'], ['verify', '--only', 'nope'], ['flow', '--case', 'nope'], ['flow', '--case', 'example-q', '--gamma', '-1'],
      ['flow', '--case', 'example-q', '--dynamics', 'augmented', '--gamma', '2'], ['flow', '--case', 'example-q', '--from', '[1,2,3]'],
      ['flow', '--case', '/nonexistent/case.json'], ['flow', '--case', 'example-q', '--t', '0'], ['replay', '/nonexistent.json'],
    ]) {
      const r = eqflow(...args);
      expect(r.code, args.join(' ')).toBe(2);
      const text = r.err + r.out;
      expect(text.trim().split('\n')).toHaveLength(1);
      expect(text).not.toMatch(/\n\s+at /);
      expect(text).toMatch(/--\w+|case|FILE/);
    }
  });

  test('flow --json prints only JSON with the documented fields, the same bits every time', () => {
    const r = eqflow('flow', '--case', 'example-q', '--dynamics', 'reg-augmented', '--gamma', '1', '--t', '2', '--points', '3', '--json');
    expect(r.code).toBe(0);
    const j = JSON.parse(r.out) as { case: string; dynamics: string; gamma: number; trajectory: Array<{ t: number; projectionError: number; risk: number }>; final: number[] };
    expect(j).toMatchObject({ case: 'example-q', dynamics: 'reg-augmented', gamma: 1 });
    expect(j.trajectory.map((p) => p.t)).toEqual([0, 1, 2]);
    expect(j.final).toHaveLength(2);
    // Example Q near A*: ‖Π_{E⊥}A‖ decays at γ − 1/5 = 0.8 (docs/theory.md §6); one unit of time multiplies it by e^{−0.8}
    expect(j.trajectory[2].projectionError / j.trajectory[1].projectionError).toBeCloseTo(Math.exp(-0.8), 2);
    // deterministic: the same command prints the same bits
    expect(eqflow('flow', '--case', 'example-q', '--dynamics', 'reg-augmented', '--gamma', '1', '--t', '2', '--points', '3', '--json').out).toBe(r.out);
  });

  test('flow with default options: Example Q reg-nominal from A* ends at the stationary point of v to 1e-8 for γ = 1…1000 (Lawson RK4 at γ·step = 10 does not)', () => {
    const q = buildCase(exampleByName('example-q').spec);
    const from = JSON.stringify([EXAMPLE_Q.aStar, EXAMPLE_Q.aStar]);
    type Out = { final: number[]; stats: { integrator: string; steps: number; rejected: number; maxLocalError: number; velocityNorm: number; velocityScale: number; settled: boolean } };
    const run = (gamma: number, ...extra: string[]) => {
      const r = eqflow('flow', '--case', 'example-q', '--dynamics', 'reg-nominal', '--gamma', String(gamma), '--t', '50', '--from', from, '--points', '3', '--json', ...extra);
      expect(r.code, r.err).toBe(0);
      const out = JSON.parse(r.out) as Out;
      const f = fieldOf(q, 'reg-nominal', gamma);
      const A = Float64Array.from(out.final);
      const residual = norm(velocity(f, A, new Float64Array(2)));
      // Newton on v(A) = 0 from A(T), to 1e-13 ≈ 500 u·‖v‖-scale (the velocity's own round-off at γ = 1000)
      const newton = zeroOfVelocity(f, A, 1e-13 * Math.max(1, gamma));
      return { out, residual, dist: distance(A, newton.A) };
    };
    for (const gamma of [1, 10, 100, 1000]) {
      const { out, residual, dist } = run(gamma);
      expect(out.stats).toMatchObject({ integrator: 'etdrk4', settled: true });
      for (const k of ['steps', 'rejected', 'maxLocalError', 'velocityNorm', 'velocityScale'] as const) expect(Number.isFinite(out.stats[k]), k).toBe(true);
      expect(out.stats.velocityNorm).toBeCloseTo(residual, 15);
      expect(residual, `γ = ${gamma}`).toBeLessThanOrEqual(1e-8);
      expect(dist, `γ = ${gamma}`).toBeLessThanOrEqual(1e-8);
    }
    // negative control: the old default (Lawson RK4, step 0.01) at γ = 1000 settles on its own fixed point, not on a zero of v
    const lawson = run(1000, '--integrator', 'lawson-rk4', '--step', '0.01');
    expect(lawson.out.stats.settled).toBe(false);
    expect(lawson.dist).toBeGreaterThan(1e-4);
    // the table's one summary line; a run stopped before it settles says so
    const table = eqflow('flow', '--case', 'example-q', '--dynamics', 'reg-nominal', '--gamma', '1', '--t', '5', '--points', '3').out;
    expect(table).toMatch(/^etdrk4, rtol 1e-10, atol 1e-12: \d+ steps, \d+ rejected, largest local error estimate \S+; NOT settled by T: ‖v\(A\(T\)\)‖ = \S+ > 1e-6 × scale/m);
  });

  test('verify: same seed, same report (minus timestamps) for any worker count; a mutant fails and its counterexample replays', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eqflow-cli-'));
    const a = eqflow('verify', '--only', 'action,lemma-2d', '--runs', '30', '--seed', '7', '--out', join(dir, 'a'), '--json');
    const b = eqflow('verify', '--only', 'action,lemma-2d', '--runs', '30', '--seed', '7', '--out', join(dir, 'b'), '--quiet');
    expect(a.code).toBe(0);
    expect(b.code).toBe(0);
    const c = eqflow('verify', '--only', 'action,lemma-2d', '--runs', '30', '--seed', '7', '--out', join(dir, 'c'), '--quiet', '--workers', '2');
    expect(c.code).toBe(0);
    const strip = (s: string) => { const j = JSON.parse(s) as Record<string, unknown>; delete j.generatedAt; delete j.durationMs; return j; };
    expect(strip(readFileSync(join(dir, 'a', 'verification.json'), 'utf8'))).toEqual(strip(readFileSync(join(dir, 'b', 'verification.json'), 'utf8')));
    // the worker count changes where claims run, never what they report
    expect(strip(readFileSync(join(dir, 'c', 'verification.json'), 'utf8'))).toEqual(strip(readFileSync(join(dir, 'a', 'verification.json'), 'utf8')));
    expect(readFileSync(join(dir, 'a', 'verification.md'), 'utf8')).toMatch(/\| action \|/);

    // the action claim's default 100 cases: this mutant shows only on a non-involutive element of a non-symmetric
    // representation, which 30 cases of one seed need not draw
    const m = eqflow('verify', '--only', 'action', '--seed', '7', '--out', join(dir, 'm'), '--impl', 'test/fixtures/mutant-impl.ts');
    expect(m.code).toBe(1);
    expect(m.out).toMatch(/violated/);
    const files = readdirSync(join(dir, 'm', 'counterexamples'));
    expect(files).toHaveLength(1);
    const line = m.out.split('\n').find((l) => l.startsWith('replay action:'));
    expect(line).toBeDefined();
    const file = join(dir, 'm', 'counterexamples', files[0]);
    const onMutant = eqflow('replay', file, '--impl', 'test/fixtures/mutant-impl.ts');
    expect(onMutant.code).toBe(1);
    expect(onMutant.out).toMatch(/VIOLATED/);
    const onReference = eqflow('replay', file);
    expect(onReference.code).toBe(0);
    expect(onReference.out).toMatch(/holds on this input/);

    // a saved input the claim now skips (fc.pre: a saturated cross-entropy plateau, no stationary point) is reported
    // as skipped, exit 0 — not an internal error
    const plateau = join(dir, 'plateau.json');
    writeFileSync(plateau, JSON.stringify({ claim: 'theorem-2-blocks', input: { seed: plateauSeed, offset: 0, spec: plateauCase } }));
    const skipped = eqflow('replay', plateau);
    expect({ code: skipped.code, err: skipped.err }).toEqual({ code: 0, err: '' });
    expect(skipped.out).toMatch(/skipped on this input/);
  });

  test('an interrupted experiment keeps the previous results and says where the partial ones are', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'eqflow-int-'));
    // any previous result must survive byte for byte: a placeholder stands in for an earlier run's file
    const result = join(dir, 'experiments', 'mnist.json');
    mkdirSync(join(dir, 'experiments'), { recursive: true });
    writeFileSync(result, '{"previous": "run"}\n');
    copyFileSync(result, join(dir, 'before.json'));
    const child = spawn(process.execPath, ['bin/eqflow.mjs', 'experiment', 'mnist', '--gammas', '10,100', '--runs', '3', '--images', '3000', '--workers', '1', '--out', dir, '--quiet']);
    let err = '';
    child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
    await new Promise((r) => setTimeout(r, 8000)); // mid-run: the whole job needs minutes
    child.kill('SIGTERM');
    const code = await new Promise<number | null>((r) => child.on('exit', r));
    expect(code).toBe(143); // 128 + SIGTERM
    expect(err).toMatch(/interrupted by SIGTERM; \d+ finished runs saved to .*mnist\.partial\.json/);
    expect(readFileSync(result, 'utf8')).toBe(readFileSync(join(dir, 'before.json'), 'utf8'));
    const partial = JSON.parse(readFileSync(join(dir, 'experiments', 'mnist.partial.json'), 'utf8')) as { interrupted: string; finishedRuns: unknown[] };
    expect(partial.interrupted).toBe('SIGTERM');
    expect(Array.isArray(partial.finishedRuns)).toBe(true);
  });
});
