/**
 * Cases of groups given by generators (S_n, n ≥ 20, never enumerated) through the Implementation interface:
 * elements are permutations, Π_G is the orbit mean, and the claim that needs an exact group average runs on
 * sampled ones with a stated level — the mean of m sampled-augmentation steps approaches the exact step at rate
 * 1/√m; a sampler restricted to a subgroup is caught; the report says the claim was checked statistically.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/core/rng.js';
import { LARGE_ALPHA, largeCaseSpec, largeSampledAugmentationClaim } from '../../src/claims/largeCases.js';
import { checkLargeProjector, largeGroupProjectorClaim } from '../../src/claims/largeGroups.js';
import { CompactGroup, permutationGroup } from '../../src/groups/compact.js';
import { Perm, symmetricByGenerators, symmetricGenerators } from '../../src/groups/permGroup.js';
import { GroupAction, SignedPerm } from '../../src/reps/action.js';
import { FixedProjector, orbitProjector } from '../../src/space/fixedSpace.js';
import { allClaims } from '../../src/claims/registry.js';
import { buildCase } from '../../src/impl/build.js';
import { ReferenceImplementation } from '../../src/impl/reference.js';
import { claimRows, CLAIM_COLUMNS } from '../../src/report/verification.js';
import { runVerify } from '../../src/claims/verify.js';

const impl = new ReferenceImplementation();
const shuffle = (n: number, rng: RandomStream): Int32Array => {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
};
const dist = (a: Float64Array, b: Float64Array): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));


/** Π_G by the signed orbits of the generators' moves, as large-group-projector computes it. */
const byOrbits = (act: GroupAction<Perm>) => orbitProjector(act.dim, act.group.generators.map((s) => act.move(s) as SignedPerm));
/** The planted bug: the same orbits with their signs dropped. */
const unsigned = (act: GroupAction<Perm>) => orbitProjector(act.dim, act.group.generators.map((s) => ({ perm: (act.move(s) as SignedPerm).perm, sign: null })));

describe('perm-generators Cases in the reference (docs/theory.md §8)', () => {
  const spec = largeCaseSpec({ n: 20, kind: 'sets', activation: 'tanh', count: 3, seed: 5 });

  it('S_20 is sent by its two generators and never enumerated: the enumerating builder refuses it', () => {
    expect(spec.group).toEqual({ kind: 'perm-generators', generators: symmetricGenerators(20) });
    expect(() => buildCase(spec)).toThrow(/never enumerated/);
  });

  it('elements are permutations: indices, non-permutations and R^aug are refused with the field named', async () => {
    const s = await impl.open(spec);
    const A = new Float64Array(s.dim).fill(0.1);
    await expect(s.act(3, A)).rejects.toThrow(/expected a permutation/);
    await expect(s.act(Int32Array.from({ length: 20 }, () => 0), A)).rejects.toMatchObject({ code: 'not-a-group' });
    await expect(s.sampledStep(A, 0.1, 0, Int32Array.from([0, 0, 0]))).rejects.toThrow(/one permutation per sample/);
    await expect(s.risk('augmented', A)).rejects.toMatchObject({ code: 'unsupported' });
    await expect(s.step('augmented', A, 0.1, 0)).rejects.toMatchObject({ code: 'unsupported' });
  });

  it('Π_G is the orbit mean: fixed by random permutations, and the equivariant step stays in H_G while the nominal one leaves it', async () => {
    const s = await impl.open(spec);
    const rng = new RandomStream('pc');
    const A = await s.project('G', rng.gaussianVector(s.dim));
    for (let k = 0; k < 3; k++) expect(dist(await s.act(shuffle(20, rng), A), A)).toBe(0);
    const eq = await s.step('equivariant', A, 0.1, 0);
    expect(dist(await s.project('G', eq), eq)).toBeLessThan(1e-14);
    const nom = await s.step('nominal', A, 0.1, 0);
    expect(dist(await s.project('G', nom), nom)).toBeGreaterThan(1e-6);
  });

  it('the mean of m sampled-augmentation steps approaches A − ηΠ_G∇R(A) at rate 1/√m (slope of log error vs log m ≈ −½)', async () => {
    const s = await impl.open(spec);
    const rng = new RandomStream('rate');
    const A = await s.project('G', rng.gaussianVector(s.dim, 0.5));
    const eta = 0.2;
    const pg = await s.project('G', (await s.risk('nominal', A)).gradient);
    const mu = A.map((a, i) => a - eta * pg[i]);
    const ms = [16, 64, 256];
    const err = ms.map(() => 0);
    const seeds = 12;
    for (let r = 0; r < seeds; r++) {
      for (const [k, m] of ms.entries()) {
        const mean = new Float64Array(s.dim);
        for (let j = 0; j < m; j++) {
          const X = await s.sampledStep(A, eta, 1, [shuffle(20, rng), shuffle(20, rng), shuffle(20, rng)]);
          for (let i = 0; i < X.length; i++) mean[i] += X[i] / m;
        }
        err[k] += dist(mean, mu) ** 2 / seeds;
      }
    }
    // root-mean-square error over 12 repetitions: E‖X̄_m − μ‖² = τ²/m exactly, so the slope is −½ up to sampling noise
    const slope = (Math.log(Math.sqrt(err[2])) - Math.log(Math.sqrt(err[0]))) / (Math.log(256) - Math.log(16));
    expect(slope).toBeGreaterThan(-0.65);
    expect(slope).toBeLessThan(-0.35);
  });
});

describe('claims checked statistically', () => {
  it('large-sn-sampled-augmentation holds on the reference and says it was checked statistically at its level', async () => {
    const r = await largeSampledAugmentationClaim.run(impl, { seed: 11, runs: 3 });
    expect(r.verdict, r.message).toBe('holds');
    expect(r.check).toBe('statistical');
    expect(r.alpha).toBeCloseTo(25 * LARGE_ALPHA, 12);
  });

  it('its negative control (elements from ⟨(0 1)⟩ only) fails by its measurement, for several seeds', async () => {
    for (const seed of [1, 2, 3]) {
      const r = await largeSampledAugmentationClaim.run(impl, { seed, runs: 5, negative: true });
      expect(r.verdict).toBe('violated');
      expect(r.message).toMatch(/error\/tolerance/);
    }
  });

  // power: Schreier–Sims with its Schreier generators unchecked (the chain stops at the first level) survived the
  // claim at m = 64 sampled actions; its sampler then draws only the n transversal elements u_γ
  it('large-group-projector rejects a sampler confined to n elements (by the Haar mean) and a miscounted chain (by |G|), and holds on S_n', () => {
    for (const [n, kind] of [[20, 'sets'], [30, 'sets'], [25, 'graphs']] as const) {
      const G = permutationGroup(symmetricByGenerators(n));
      expect(checkLargeProjector(n, kind, 7, byOrbits, G).ratio).toBeLessThanOrEqual(1);
      // n elements, as the first level's transversal is (the n-cycle's powers here): the Haar mean alone, |G| left right
      const cycle = Array.from({ length: n }, (_, k) => Int32Array.from({ length: n }, (_, i) => (i + k) % n));
      const confined: CompactGroup<Perm> = { ...G, sample: (rng) => cycle[rng.int(n)] };
      expect(checkLargeProjector(n, kind, 7, byOrbits, confined).ratio).toBeGreaterThan(1);
      // |G| alone (a correct sampler): the chain's order must be n!
      const miscounted: CompactGroup<Perm> = { ...G, order: () => BigInt(n) };
      const wrongOrder = checkLargeProjector(n, kind, 7, byOrbits, miscounted);
      expect(wrongOrder.detail).toMatch(new RegExp(`≠ ${n}!`));
      expect(wrongOrder.ratio).toBeGreaterThan(1);
    }
  });

  // power: orbitProjector's sign logic (parities, cancelling orbits) was reached by no Case until the signed layer
  it('large-group-projector on the signed layer holds, and rejects orbits taken without their signs (by the rank, and the Haar mean when the n-cycle is odd)', () => {
    for (const n of [20, 25]) {
      const ok = checkLargeProjector(n, 'signed', 11, byOrbits);
      expect(ok.ratio).toBeLessThanOrEqual(1);
      expect(ok.detail).toMatch(/dim H_G = 2,/);
      const bad = checkLargeProjector(n, 'signed', 11, unsigned);
      expect(bad.detail).toMatch(/dim H_G = 5 ≠ 2/); // Hom(R^n, R^n⊗sgn) and Hom(R, R^n⊗sgn) survive without signs
      expect(bad.ratio).toBeGreaterThan(1);
      // on sets the moves carry no signs: the same planted bug changes nothing there (the signed layer is what exposes it)
      expect(checkLargeProjector(n, 'sets', 11, unsigned).ratio).toBeLessThanOrEqual(1);
    }
  });

  // power: orbitProjector's parity bookkeeping survived, because every live orbit of the signed layer has one sign
  it('large-group-projector on the edge layer Hom(Λ²R^n ⊕ R, R^n) holds, and rejects a projector that cancels the right orbits but averages the live ones without their signs', () => {
    /** The planted bug: dead orbits found from the signs, live orbits averaged without them (the same rank as the right one). */
    const signlessMean = (act: GroupAction<Perm>): FixedProjector => {
      const right = byOrbits(act), plain = unsigned(act);
      const live = new Uint8Array(act.dim);
      const basis = right.fixedBasis?.();
      if (!basis) throw new Error('an orbit projector gives its basis');
      for (const v of basis) v.forEach((c, i) => { if (c !== 0) live[i] = 1; });
      return { ...right, apply: (x, out = new Float64Array(act.dim)) => {
        const r = plain.apply(x, out);
        for (let i = 0; i < act.dim; i++) if (!live[i]) r.out[i] = 0;
        return r;
      } };
    };
    for (const n of [20, 25]) {
      const ok = checkLargeProjector(n, 'edges', 11, byOrbits);
      expect(ok.ratio).toBeLessThanOrEqual(1);
      expect(ok.detail).toMatch(/dim H_G = 2,/); // the boundary map e_i ∧ e_j ↦ e_j − e_i and the constant bias
      expect(checkLargeProjector(n, 'edges', 11, signlessMean).ratio).toBeGreaterThan(1);
      expect(checkLargeProjector(n, 'edges', 11, unsigned).detail).toMatch(/dim H_G = 3 ≠ 2/); // the orbit of (e_i ∧ e_j, e_k), k ∉ {i, j}, cancels only with its signs
      // the signed layer's live orbits carry one sign each: the same bug passes there (the gap this layer closes)
      expect(checkLargeProjector(n, 'signed', 11, signlessMean).ratio).toBeLessThanOrEqual(1);
    }
  });

  it('every claim is exact but the two on groups by generators (statistical) and haar-quadrature; the report table has a check column', async () => {
    expect(allClaims.filter((c) => c.statistical).map((c) => c.id).sort()).toEqual(['large-group-projector', 'large-sn-sampled-augmentation']);
    expect(allClaims.filter((c) => c.quadrature).map((c) => c.id)).toEqual(['haar-quadrature']);
    const rep = await runVerify(impl, { seed: 3, runs: 2, claims: [largeGroupProjectorClaim, allClaims.find((c) => c.id === 'action')!], controls: false });
    const col = CLAIM_COLUMNS.indexOf('check');
    expect(col).toBeGreaterThan(0);
    const rows = claimRows(rep);
    expect(rows.map((r) => r[col])).toEqual(['statistical (α = 2.5e-2)', 'exact']);
    expect(rep.claims.map((c) => c.check)).toEqual(['statistical', 'exact']);
  });
});

describe('the CLI on groups by generators', () => {
  it('eqflow flow --list has an SO(2) case and a large-S_n case; the S_30 flows run, the augmented one is refused', async () => {
    const { listCases, runFlow } = await import('../../src/cli/flowCommand.js');
    const list = listCases();
    expect(list).toMatch(/^so2-vectors$/m);
    expect(list).toMatch(/^sets-s30\n.*\n {2}group S30 \(\|G\| = 265252859812191058636308480000000, by generators\), dim H = 961, dim E = 5/m);
    const { buildPermCase, permProjectors } = await import('../../src/impl/permCase.js');
    const { exampleByName } = await import('../../src/impl/examples.js');
    const A0 = permProjectors(buildPermCase(exampleByName('sets-s30').spec)).piG(new RandomStream('s30').gaussianVector(961, 0.5));
    const out = runFlow({ caseRef: 'sets-s30', dynamics: 'reg-nominal', gamma: 2, t: 0.5, points: 3, from: Array.from(A0) });
    // from A ∈ E the regularized nominal flow leaves E (asymmetric data, R1) but stays within O(β/γ)
    expect(out.trajectory[0].projectionError).toBeLessThan(1e-14);
    expect(out.trajectory[2].projectionError).toBeGreaterThan(1e-6);
    const eq = runFlow({ caseRef: 'sets-s30', dynamics: 'equivariant', gamma: 0, t: 0.5, points: 3, from: Array.from(A0) });
    expect(Math.max(...eq.trajectory.map((p) => p.projectionError))).toBeLessThan(1e-12);
    expect(() => runFlow({ caseRef: 'sets-s30', dynamics: 'augmented', gamma: 0, t: 0.5, points: 3 })).toThrow(/not enumerable/);
  });

  it('a served reference answers permutation elements over the protocol (act with g as an array)', async () => {
    const { serveImplementation } = await import('../../src/impl/serve.js');
    const { PassThrough } = await import('node:stream');
    const input = new PassThrough(), output = new PassThrough();
    const done = serveImplementation(new ReferenceImplementation(), input, output);
    const lines: string[] = [];
    output.on('data', (b: Buffer) => lines.push(...b.toString().split('\n').filter(Boolean)));
    const spec = largeCaseSpec({ n: 20, kind: 'sets', activation: 'tanh', count: 1, seed: 2 });
    const send = async (o: unknown) => {
      const before = lines.length;
      input.write(`${JSON.stringify(o)}\n`);
      while (lines.length <= before) await new Promise((r) => setTimeout(r, 5));
      return JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
    };
    await send({ hello: 'eqflow/1' });
    const open = await send({ id: 2, op: 'open', case: spec });
    const dim = open.dim as number;
    const A = Array.from({ length: dim }, (_, i) => i);
    const g = Array.from({ length: 20 }, (_, i) => (i + 1) % 20);
    const acted = await send({ id: 3, op: 'act', session: open.session, g, A });
    expect((acted.A as number[]).slice().sort((a, b) => a - b)).toEqual(A);
    expect(acted.A).not.toEqual(A);
    input.end();
    await done;
  });
});
