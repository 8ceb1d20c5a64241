import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { claimById } from '../src/claims/registry.js';
import { measureResolution } from '../src/claims/resolution.js';
import type { RegisteredClaim } from '../src/claims/engine.js';
import { verify } from '../src/claims/verify.js';
import { claimRows } from '../src/report/verification.js';
import { EqflowError } from '../src/core/errors.js';
import { machineEpsilon, parsePrecision, roundToStorage, storageRoundoff, unitRoundoff } from '../src/core/precision.js';
import { plantDefect } from '../src/impl/defects.js';
import { withPrecision } from '../src/impl/implementation.js';
import { ReferenceImplementation } from '../src/impl/reference.js';
import { roundedImplementation } from '../src/impl/rounded.js';

describe('precisions and their unit roundoff', () => {
  it('maps each precision to its u, float64 to exactly Number.EPSILON', () => {
    expect(machineEpsilon('float64')).toBe(Number.EPSILON);
    expect([unitRoundoff('float32'), unitRoundoff('tf32'), unitRoundoff('bfloat16'), unitRoundoff('float16')]).toEqual([2 ** -24, 2 ** -11, 2 ** -8, 2 ** -11]);
    expect(storageRoundoff('float64')).toBe(0);
    expect(storageRoundoff('tf32')).toBe(2 ** -24); // tf32 stores float32
  });

  it('rounds to each storage format, ties to even', () => {
    expect(roundToStorage('float32', 0.1)).toBe(Math.fround(0.1));
    expect(roundToStorage('bfloat16', 1 + 2 ** -8)).toBe(1); // a tie: 1 is even
    expect(roundToStorage('bfloat16', 1 + 3 * 2 ** -8)).toBe(1 + 2 ** -6);
    expect(roundToStorage('float16', 65504)).toBe(65504);
    expect(roundToStorage('float16', 70000)).toBe(Infinity);
    expect(roundToStorage('float16', 1 + 2 ** -11)).toBe(1);
    expect(roundToStorage('float16', 2 ** -20)).toBe(2 ** -20); // subnormal, exact
  });

  it('rejects an unknown precision with the field named', () => {
    expect(() => parsePrecision('float8', '--precision')).toThrow(EqflowError);
    expect(() => parsePrecision('float8', '--precision')).toThrow(/--precision.*float64, float32/s);
  });
});

// Checked by (issue 21): float64 tolerances unchanged; a float32-rounded correct implementation holds at float32 and
// fails at float64; the same with a 1e-3 defect is rejected at float32.
describe('verdicts at the implementation\'s precision', () => {
  it('float64 verdicts and ratios are bit-identical to those before precision support (default seed and runs)', async () => {
    const before = JSON.parse(readFileSync(new URL('./fixtures/float64-ratios.json', import.meta.url), 'utf8')) as { seed: number; claims: Record<string, { verdict: string; worstRatio: number; cases: number; skipped: number; negativeWorstRatio?: number }> };
    const ids = Object.keys(before.claims);
    const r = await verify(new ReferenceImplementation(), { seed: before.seed, only: ids });
    expect(r.precision).toBe('float64');
    for (const c of r.claims) {
      const b = before.claims[c.id];
      expect({ id: c.id, verdict: c.verdict, worstRatio: c.worstRatio, cases: c.cases, skipped: c.skipped, negativeWorstRatio: c.negativeControl.worstRatio ?? null })
        .toEqual({ id: c.id, verdict: b.verdict, worstRatio: b.worstRatio, cases: b.cases, skipped: b.skipped, negativeWorstRatio: b.negativeWorstRatio ?? null });
    }
  }, 240_000);

  const rounded = roundedImplementation(new ReferenceImplementation(), 'float32');

  it('a correct implementation whose answers are rounded to float32 holds every claim at float32', async () => {
    const r = await verify(rounded, { runs: 8, controls: false });
    expect(r.precision).toBe('float32');
    expect(r.claims.filter((c) => c.verdict !== 'holds').map((c) => `${c.id}: ${c.message}`)).toEqual([]);
  }, 240_000);

  it('the same implementation judged at float64 (as before this change) fails', async () => {
    const r = await verify(withPrecision(rounded, 'float64'), { runs: 8, controls: false, only: ['action', 'gradient', 'lemma-1a-2a', 'theorem-1-gd'] });
    expect(r.precision).toBe('float64');
    expect(r.claims.map((c) => c.verdict)).toEqual(['violated', 'violated', 'violated', 'violated']);
  }, 120_000);

  it('with a 1e-3 relative defect planted it is rejected at float32, whichever defect class', async () => {
    for (const kind of ['action', 'projector', 'gradient'] as const) {
      const bad = roundedImplementation(plantDefect(new ReferenceImplementation(), kind, 1e-3), 'float32');
      const r = await verify(bad, { runs: 8, controls: false, only: ['action', 'projectors', 'gradient', 'lemma-1a-2a', 'lemma-2d', 'theorem-1-gd'] });
      expect(r.summary.violated, kind).toBeGreaterThan(0);
    }
  }, 120_000);
});

describe('resolution', () => {
  it('bisects the smallest detected defect: the action claim sees a ρ̄ break far smaller at float64 than at float32', async () => {
    const claims = [claimById('action') as RegisteredClaim];
    const [f64, f32] = await Promise.all([measureResolution('float64', { claims, seed: 2025, runs: 5, steps: 4 }), measureResolution('float32', { claims, seed: 2025, runs: 5, steps: 4 })]);
    const at = (t: typeof f64) => t.claims[0].smallest.action as number;
    expect(f32.claims[0].clean).toBe('holds');
    expect(at(f32)).toBeLessThan(1e-3); // the 1e-3 defect of the checks above is well inside float32's resolution
    expect(at(f64)).toBeLessThan(at(f32) * 1e-3);
    expect(f32.claims[0].smallest.projector).toBeNull(); // the action claim never asks Π_E
  }, 120_000);

  it('verify reports quote the committed table of the precision judged', async () => {
    const r = await verify(roundedImplementation(new ReferenceImplementation(), 'float32'), { only: ['action'], runs: 3, controls: false });
    expect(r.resolution?.precision).toBe('float32');
    expect(claimRows(r)[0].at(-1)).toMatch(/^ρ̄ \d/);
  }, 60_000);
});
