/**
 * The two kernel backends (EQFLOW_KERNELS=js|wasm) give the same bits where it matters: the loss and gradient of
 * every model, and the verdicts and figures of `eqflow verify` for any worker count. Each backend runs in its own
 * process, since the choice is made once per thread. Also: with the WASM backend the hot loop copies nothing —
 * the entries staged into linear memory per lossGradient do not grow with the batch (none per sample), and none at
 * all when the caller's A, x and gradient are work buffers too.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

interface Run {
  hash: string;
  stagedCalls: number;
  stagedEntries: number;
}
type Bits = { backend: string } & Record<string, { caller: Run[]; resident: Run }>;

function node(backend: string, args: string[]): { code: number; out: string; err: string } {
  const r = spawnSync(process.execPath, args, { encoding: 'utf8', timeout: 240_000, env: { ...process.env, EQFLOW_KERNELS: backend } });
  return { code: r.status ?? -1, out: r.stdout, err: r.stderr };
}

function gradientBits(backend: string): Bits {
  const r = node(backend, ['--import', 'tsx', 'test/fixtures/gradient-bits.ts']);
  expect(r.code, r.err).toBe(0);
  return JSON.parse(r.out) as Bits;
}

const MODELS = ['paperCnn', 'toyCnn', 'smallMlp', 'wideMlp'];

describe('kernel backends', () => {
  it('every model: the same loss and gradient bits with either backend; staging does not grow with the batch', () => {
    const j = gradientBits('js'), w = gradientBits('wasm');
    expect([j.backend, w.backend]).toEqual(['js', 'wasm']);
    for (const m of MODELS) {
      expect(w[m].caller.map((r) => r.hash), m).toEqual(j[m].caller.map((r) => r.hash));
      expect(w[m].resident.hash, m).toBe(j[m].caller[1].hash); // resident caller buffers: same batch, same bits
      // JS stages nothing; WASM stages the caller's gradient (and, for dense layers, A_i) once per layer, per call
      expect(j[m].caller.every((r) => r.stagedCalls === 0)).toBe(true);
      const [small, large] = w[m].caller;
      expect(large.stagedCalls, m).toBe(small.stagedCalls);
      expect(large.stagedEntries, m).toBe(small.stagedEntries);
      expect(w[m].resident.stagedCalls, m).toBe(0);
    }
  });

  it('EQFLOW_KERNELS rejects an unknown backend with one line naming it', () => {
    const r = node('fortran', ['bin/eqflow.mjs', 'verify', '--only', 'action', '--runs', '1', '--out', mkdtempSync(join(tmpdir(), 'eqflow-k-'))]);
    expect(r.code).not.toBe(0);
    expect(r.err + r.out).toMatch(/EQFLOW_KERNELS: expected js or wasm, got "fortran"/);
  });

  it('verify: identical reports with js and wasm kernels, on 1 and 2 workers', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eqflow-backends-'));
    const claims = 'gradient,lemma-1a-2a,lemma-2e,theorem-1-gd';
    const report = (backend: string, workers: number): Record<string, unknown> => {
      const out = join(dir, `${backend}-${workers}`);
      const r = node(backend, ['bin/eqflow.mjs', 'verify', '--only', claims, '--runs', '15', '--seed', '11', '--out', out, '--quiet', '--workers', String(workers)]);
      expect(r.code, r.err).toBe(0);
      const j = JSON.parse(readFileSync(join(out, 'verification.json'), 'utf8')) as Record<string, unknown>;
      delete j.generatedAt;
      delete j.durationMs;
      return j;
    };
    const base = report('js', 1);
    expect(report('wasm', 1)).toEqual(base);
    expect(report('wasm', 2)).toEqual(base);
    expect(report('js', 2)).toEqual(base);
  });
});
