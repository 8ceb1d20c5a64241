/**
 * The claim engine on implementation faults (src/claims/engine.ts): an ImplementationFault ends the run at once
 * with the verdict 'error' and the input it failed on, unshrunk (no further call reaches the implementation),
 * while a genuine counterexample is still shrunk; a plain exception stays a failure of the check. Pinned regression
 * inputs run first on every seed.
 */
import fc from 'fast-check';
import { describe, expect, test } from 'vitest';
import { claimById } from '../src/claims/registry.js';
import { register } from '../src/claims/engine.js';
import type { RegisteredClaim } from '../src/claims/engine.js';
import { ImplementationFault } from '../src/impl/fault.js';
import type { CaseSession, Implementation } from '../src/impl/implementation.js';
import { ReferenceImplementation } from '../src/impl/reference.js';
import type { CaseSpec } from '../src/impl/caseSpec.js';

/** The reference, whose `act` calls are counted and whose n-th call throws what `fail` makes. */
function faulty(n: number, fail: () => Error): Implementation & { acts: number } {
  const ref = new ReferenceImplementation();
  const impl = {
    name: 'faulty', capabilities: ref.capabilities, acts: 0,
    async open(spec: CaseSpec): Promise<CaseSession> {
      const s = await ref.open(spec);
      return Object.assign(Object.create(s) as CaseSession, {
        act: (g: number, A: Float64Array) => (++impl.acts === n ? Promise.reject(fail()) : s.act(g, A)),
      });
    },
    close: () => ref.close(),
  };
  return impl;
}

const action = claimById('action') as RegisteredClaim;

describe('runClaim on implementation faults', () => {
  test('a fault on the 5th act: verdict error at once, the failing input kept, no shrink step reaches the implementation', async () => {
    const impl = faulty(5, () => new ImplementationFault('timeout', 'io', 'act#5', 'no answer within 300 ms'));
    const r = await action.run(impl, { seed: 3, runs: 50 });
    expect(r.verdict).toBe('error');
    expect(r.fault).toBe('timeout');
    expect(r.message).toBe('act#5: no answer within 300 ms');
    expect(r.counterexample).toBeDefined();
    expect(r.path).toBeDefined();
    const calls = impl.acts;
    // the failing case was the last one run: nothing after the fault (a shrink would call act again)
    expect(calls).toBe(5);
  });

  test('a plain exception is still a failure of the check, shrunk like a counterexample', async () => {
    const impl = faulty(5, () => new Error('a bug in the check path'));
    const r = await action.run(impl, { seed: 3, runs: 50 });
    expect(r.verdict).toBe('violated');
    expect(r.message).toMatch(/a bug in the check path/);
  });
});

describe('regression cases (Claim.regressions)', () => {
  const ref = new ReferenceImplementation();
  /** a claim over integers ≥ 10 whose check fails exactly on the input 3, pinned or not */
  const claim = (regressions?: number[]) => register<number>({
    id: 'toy', title: 'n ≠ 3', source: 'test', needs: [], runs: 20, regressions,
    arbitrary: fc.integer({ min: 10, max: 100 }),
    check: async (_impl, n) => ({ ratio: n === 3 ? 2 : 0, detail: `n = ${n}` }),
    negative: { arbitrary: fc.integer({ min: 10, max: 100 }), description: 'never 3' },
  });

  test('a pinned input is checked first at every seed, counted in the runs, and replays from its path', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await claim([3]).run(ref, { seed });
      expect(r.verdict).toBe('violated');
      expect(r.cases).toBe(1);
      expect(r.counterexample).toBe(3);
      expect((await claim([3]).run(ref, { seed, path: r.path })).verdict).toBe('violated');
    }
    const held = await claim([11]).run(ref, { seed: 1 });
    expect(held.verdict).toBe('holds');
    expect(held.cases).toBe(20);
  });

  test('negative control: without the pin the generated inputs never draw 3, and the negative run ignores pins', async () => {
    expect((await claim().run(ref, { seed: 1 })).verdict).toBe('holds');
    expect((await claim([3]).run(ref, { seed: 1, negative: true })).verdict).toBe('holds');
  });
});
