/**
 * `eqflow serve`: the reference (or any implementation) behind eqflow/1. Through the protocol the claims see the
 * same numbers bit for bit (JSON round-trips float64), so a verify through `serve` must equal the in-process one;
 * a served mutant is rejected by the same claim; malformed requests get error answers naming the field.
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { selectClaims, runVerify } from '../src/claims/verify.js';
import { ExternalImplementation } from '../src/impl/external.js';
import { ReferenceImplementation } from '../src/impl/reference.js';

const SERVE = `"${process.execPath}" bin/eqflow.mjs serve`;
const claims = selectClaims(['action', 'projectors', 'gradient', 'lemma-1a-2a', 'theorem-1-gd']);
const summary = (r: Awaited<ReturnType<typeof runVerify>>) => r.claims.map((c) => [c.id, c.verdict, c.cases, c.worstRatio, c.negativeControl.verdict]);

describe('eqflow serve', () => {
  test('a verify through the protocol equals the in-process verify, ratio for ratio', async () => {
    const opts = { seed: 7, runs: 15, claims, controls: true };
    const direct = await runVerify(new ReferenceImplementation(), opts);
    const served = await ExternalImplementation.start(SERVE, { timeoutMs: 60_000 });
    try {
      const viaProtocol = await runVerify(served, opts);
      expect(viaProtocol.implementation).toBe('reference');
      expect(summary(viaProtocol)).toEqual(summary(direct));
      // groups by generators: serve announces `perm-generators`, so the client sends those Cases, act's g and
      // sampledStep's elements as permutations; one S_n case (same process, no second start) keeps this cheap
      expect(served.capabilities.has('perm-generators')).toBe(true);
      const large = { seed: 7, runs: 1, claims: selectClaims(['large-sn-sampled-augmentation']), controls: false };
      const largeServed = await runVerify(served, large);
      expect(summary(largeServed)).toEqual(summary(await runVerify(new ReferenceImplementation(), large)));
      expect(largeServed.claims.map((c) => [c.verdict, c.cases])).toEqual([['holds', 1]]);
    } finally {
      await served.close();
    }
  }, 300_000);

  test('a served planted bug is rejected by the claim that rejects it in process', async () => {
    const { implementation: mutant } = await import('./fixtures/mutant-impl.js');
    const opts = { seed: 7, claims: selectClaims(['action']), controls: false };
    const inProcess = await runVerify(mutant, opts);
    expect(inProcess.claims[0].verdict).toBe('violated');
    const served = await ExternalImplementation.start(`${SERVE} --impl test/fixtures/mutant-impl.ts`, { timeoutMs: 60_000 });
    try {
      const r = await runVerify(served, opts);
      expect(r.claims[0].verdict).toBe('violated');
      expect(r.claims[0].worstRatio).toBe(inProcess.claims[0].worstRatio);
    } finally {
      await served.close();
    }
  }, 300_000);

  test('malformed requests get error answers naming the field; a wrong hello is refused', () => {
    const lines = [
      { hello: 'eqflow/1' },
      { id: 1, op: 'open', case: { name: 'x', group: { kind: 'cyclic', n: 2 }, model: { kind: 'mlp', input: { kind: 'shift', dim: 2 }, hidden: [], output: { kind: 'trivial' } }, data: { kind: 'explicit', x: [[1, 0]], y: [[1]] } } },
      { id: 2, op: 'act', session: 1, g: 1, A: [1, 'a'] },
      { id: 3, op: 'project', session: 1, which: 'Q', A: [1, 2] },
      { id: 4, op: 'risk', session: 9, mode: 'nominal', A: [1, 2] },
      { id: 5, op: 'act', session: 1, g: 1, A: [1, 2] },
    ];
    const r = spawnSync(process.execPath, ['bin/eqflow.mjs', 'serve'], { input: lines.map((l) => JSON.stringify(l)).join('\n'), encoding: 'utf8', timeout: 60_000 });
    const out = r.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id?: number; dim?: number; A?: number[]; error?: { code: string; field?: string } });
    expect(out[0]).toMatchObject({ protocol: 'eqflow/1', name: 'reference' });
    expect(out[1]).toMatchObject({ id: 1, dim: 2 });
    expect(out[2]).toMatchObject({ id: 2, error: { code: 'invalid-argument', field: 'A[1]' } });
    expect(out[3]).toMatchObject({ id: 3, error: { code: 'invalid-argument', field: 'which' } });
    expect(out[4]).toMatchObject({ id: 4, error: { code: 'invalid-argument', field: 'session' } });
    expect(out[5]).toEqual({ id: 5, A: [2, 1] }); // the swap on R² applied to the row A = (1, 2)
    const bad = spawnSync(process.execPath, ['bin/eqflow.mjs', 'serve'], { input: '{"hello":"eqflow/2"}\n', encoding: 'utf8', timeout: 60_000 });
    expect(JSON.parse(bad.stdout)).toMatchObject({ error: { code: 'unsupported' } });
  }, 120_000);
});
