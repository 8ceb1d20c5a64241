import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { TraceReport, checkTrace, readTraceFile } from '../src/trace/checkTrace.js';
import { PYTHON, pythonMissing } from './python.js';

/**
 * Issue 22's "checked by": the paper's published training loop in PyTorch (examples/python/paper_sgd.py: paper CNN,
 * one random rot90 per digit, SGD lr 1e-3, batch 10, CE/10 + γ/2‖Π_{E⊥}A‖², float64) recorded with the Recorder's
 * optimizer field and judged by check-trace with μ estimated. A short version (1000 steps at γ = 10, the floor
 * reached by t ≈ 0.05 of 0.1; the defect's run 300 steps); `npm run trace:paper` runs the issue's 400 and 3000 steps. Opt-in
 * (`npm run test:paper-sgd`, ≈ 1 min of 2 CPUs): the default `npm test` stays within the CI budget.
 */
const ROOT = fileURLToPath(new URL('..', import.meta.url));
const missing = pythonMissing('torch');
const run = process.env.EQFLOW_PAPER_SGD === '1' && missing === null;
if (process.env.EQFLOW_PAPER_SGD === '1' && missing) console.log(`test/paper-sgd.test.ts: skipped: ${missing}`);
const dir = mkdtempSync(join(tmpdir(), 'eqflow-paper-sgd-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Trains and records the paper's loop (both runs at once: two processes on two cores). */
const train = (name: string, steps: number, extra: string[]): Promise<string> => new Promise((resolve, reject) => {
  const out = join(dir, `${name}.json`);
  const p = spawn(PYTHON, ['examples/python/paper_sgd.py', '--out', out, '--gamma', '10', '--steps', String(steps), '--snapshots', String(steps / 25 + 1), ...extra],
    { cwd: ROOT, env: { ...process.env, PYTHONPATH: join(ROOT, 'python'), PYTHONDONTWRITEBYTECODE: '1' }, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  p.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  p.on('close', (code) => (code === 0 ? resolve(out) : reject(new Error(`paper_sgd.py ${name} exited ${code}: ${err.slice(-500)}`))));
});
const row = (r: TraceReport, check: string) => r.rows.find((x) => x.check === check)!;

describe.skipIf(!run)('the paper\'s PyTorch SGD loop through check-trace (μ estimated)', () => {
  // the defect shows in the decay phase (t < 0.03): 300 steps of it suffice
  const traces = run ? Promise.all([train('clean', 1000, []), train('half', 300, ['--half-gamma'])]) : Promise.resolve(['', '']);

  it('the correct run holds: its floor lies in the band around the floor predicted from the Case\'s data', async () => {
    const [clean] = await traces;
    const r = checkTrace(readTraceFile(clean));
    expect(r.mu?.source).toBe('estimated');
    expect(r.sgd?.gammaFlow).toBe(100); // γ_flow = sγ, s = 10
    expect(row(r, 'theorem-3').verdict).toBe('holds');
    expect(row(r, 'sgd-floor').verdict).toBe('holds');
    expect(row(r, 'sgd-decay').verdict).toBe('holds');
  });

  it('the regularizer trained at half the declared γ is rejected', async () => {
    const [, half] = await traces;
    const r = checkTrace(readTraceFile(half));
    expect(row(r, 'sgd-decay').verdict).toBe('violated'); // it decays at ≈ γ_flow/2 + q̄, not γ_flow + q̄
  });
});
