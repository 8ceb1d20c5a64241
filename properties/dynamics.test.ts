import { describe, expect, test } from 'vitest';
import { dynamicsClaims } from '../src/claims/dynamics.js';
import { verify } from '../src/claims/verify.js';
import { dynamicsMutants } from './mutants/mutants.js';

/**
 * The planted slips in the training code paths, each wrapped around the reference, are rejected by `verify` with
 * its default options (seed 2025, each claim's own case count) run on the dynamics conformance claims: `caughtBy`
 * must be violated, and the claims that never call the mutated method must still hold (each claim pins down its own
 * method). The printed lines are the mutant table of README and docs/theory.md.
 */
const ids = dynamicsClaims.map((c) => c.id);
const expected: Record<string, { caughtBy: string[]; untouched: string[] }> = {
  'regularizer-on-PiG': { caughtBy: ['dynamics-step', 'dynamics-sampled-step', 'dynamics-flow', 'dynamics-in-L'], untouched: ['dynamics-stiff-fixed-point'] },
  'step-omits-PiL': { caughtBy: ['dynamics-step', 'dynamics-in-L'], untouched: ['dynamics-sampled-step', 'dynamics-flow', 'dynamics-stiff-fixed-point'] },
  'sampled-step-x-not-y': { caughtBy: ['dynamics-sampled-step'], untouched: ['dynamics-step', 'dynamics-flow', 'dynamics-in-L', 'dynamics-stiff-fixed-point'] },
  'flow-half-gamma': { caughtBy: ['dynamics-flow', 'dynamics-stiff-fixed-point'], untouched: ['dynamics-step', 'dynamics-sampled-step', 'dynamics-in-L'] },
  // right for one step (part (i) holds), wrong along the trajectory: only dynamics-flow's comparison of A(1) with dopri5 sees it
  'flow-frozen-gradient': { caughtBy: ['dynamics-flow'], untouched: ['dynamics-step', 'dynamics-sampled-step', 'dynamics-in-L', 'dynamics-stiff-fixed-point'] },
  // Lawson's integrating factor is as accurate as ETDRK4 at small γ·step (dynamics-flow holds), but not a fixed point at a zero of v
  'flow-lawson': { caughtBy: ['dynamics-stiff-fixed-point'], untouched: ['dynamics-step', 'dynamics-sampled-step', 'dynamics-flow', 'dynamics-in-L'] },
  'step-projects-point': { caughtBy: ['dynamics-step', 'dynamics-in-L'], untouched: ['dynamics-sampled-step', 'dynamics-flow', 'dynamics-stiff-fixed-point'] },
  'regularizer-ignores-offset': { caughtBy: ['dynamics-step', 'dynamics-sampled-step', 'dynamics-flow', 'dynamics-in-L'], untouched: ['dynamics-stiff-fixed-point'] },
};

describe('dynamics mutants are rejected by eqflow verify (default options, dynamics claims)', () => {
  test('every dynamics mutant has an expectation', () => {
    expect(dynamicsMutants.map((m) => m.id).sort()).toEqual(Object.keys(expected).sort());
  });
  for (const m of dynamicsMutants) {
    test(`${m.id}: ${m.bug}`, async () => {
      const r = await verify(m.impl, { only: ids });
      const violated = r.claims.filter((c) => c.verdict === 'violated');
      console.log(`| ${m.id} | ${violated.map((c) => `${c.id} (${c.worstRatio.toExponential(1)})`).join(', ') || 'NOTHING'} |`);
      for (const c of violated) console.log(`    ${c.id}: ${(c.message ?? '').slice(0, 180)}`);
      const { caughtBy, untouched } = expected[m.id];
      expect(violated.map((c) => c.id)).toEqual(expect.arrayContaining(caughtBy));
      for (const id of untouched) expect(r.claims.find((c) => c.id === id)?.verdict, `${id} on ${m.id}`).toBe('holds');
    }, 180_000);
  }
});
