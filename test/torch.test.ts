import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EqflowError } from '../src/core/errors.js';
import { RandomStream } from '../src/core/rng.js';
import { CaseSpec, parseCase } from '../src/impl/caseSpec.js';
import { exampleByName } from '../src/impl/examples.js';
import { ExternalImplementation } from '../src/impl/external.js';
import { ReferenceImplementation } from '../src/impl/reference.js';
import { RegisteredClaim, claimById } from '../properties/claims/index.js';
import { cnnCase, exampleQCase, incompatibleCase, incompatibleCnnCase, mlpAnyCase, nonEquivariantCase, nonUnitaryCase, orbitClosedCase } from '../properties/claims/cases.js';

const PYTHON = '/usr/bin/python3';
const PYDIR = fileURLToPath(new URL('../python', import.meta.url));
const ENV = { ...process.env, PYTHONPATH: PYDIR, PYTHONDONTWRITEBYTECODE: '1' };
const SERVER = `${PYTHON} -m eqflow_torch`;

/** Why the PyTorch tests cannot run here, or null. In CI (python3-torch installed by .ci/run) they always run. */
function torchMissing(): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', 'import torch'], { encoding: 'utf8' });
  return r.status === 0 ? null : `torch is not importable by ${PYTHON} (${(r.stderr || '').trim().split('\n').pop()})`;
}
const missing = torchMissing();
const skipTorch = missing !== null && !process.env.CI;
if (skipTorch) console.log(`test/torch.test.ts: skipping the PyTorch tests: ${missing} (apt-get install python3-torch)`);

const start = (bugs: string[] = []): Promise<ExternalImplementation> =>
  ExternalImplementation.start(`${SERVER}${bugs.map((b) => ` --bug ${b}`).join('')}`, { timeoutMs: 120_000, env: ENV });

describe.skipIf(skipTorch)('eqflow_torch (python/eqflow_torch) against the reference', () => {
  let py: ExternalImplementation;
  beforeAll(async () => {
    py = await start();
  });
  afterAll(async () => {
    await py?.close();
  });

  it('agrees with the reference on every operation and every case family, to ~1e-12 relative', async () => {
    const ref = new ReferenceImplementation();
    const families = fc.oneof(mlpAnyCase, incompatibleCase, nonUnitaryCase, orbitClosedCase, cnnCase, incompatibleCnnCase, nonEquivariantCase);
    const specs: CaseSpec[] = [...fc.sample(families, { numRuns: 60, seed: 11 }), exampleQCase, exampleByName('toy-cnn').spec];
    let worst = 0, where = '';
    const cmp = (a: Float64Array, b: Float64Array, scale: number, what: string) => {
      for (let i = 0; i < a.length; i++) {
        const r = Math.abs(a[i] - b[i]) / scale;
        if (r > worst) { worst = r; where = what; }
      }
    };
    for (const spec of specs) {
      const se = await py.open(spec), sr = await ref.open(spec);
      expect(se.dim).toBe(sr.dim);
      const A = new RandomStream(spec.name).gaussianVector(se.dim, 0.7);
      const scale = Math.max(1, ...Array.from(A, Math.abs));
      const b = ref.built(spec);
      for (let g = 0; g < b.group.order; g++) cmp(await se.act(g, A), await sr.act(g, A), scale, `${spec.name} act`);
      for (const w of ['G', 'L', 'E'] as const) cmp(await se.project(w, A), await sr.project(w, A), scale, `${spec.name} Π_${w}`);
      for (const m of ['nominal', 'augmented'] as const) {
        const x = await se.risk(m, A), y = await sr.risk(m, A);
        const sc = Math.max(1, Math.abs(y.value), ...Array.from(y.gradient, Math.abs));
        cmp(Float64Array.of(x.value), Float64Array.of(y.value), sc, `${spec.name} ${m} risk`);
        cmp(x.gradient, y.gradient, sc, `${spec.name} ${m} gradient`);
      }
      for (const [k, gamma] of [['nominal', 0], ['augmented', 0], ['equivariant', 0], ['reg-augmented', 3], ['reg-nominal', 3]] as const) cmp(await se.step(k, A, 0.01, gamma), await sr.step(k, A, 0.01, gamma), scale, `${spec.name} step ${k}`);
      const el = Int32Array.from({ length: b.data.count }, (_, i) => (3 * i + 1) % b.group.order);
      cmp(await se.sampledStep(A, 0.01, 2, el), await sr.sampledStep(A, 0.01, 2, el), scale, `${spec.name} sampledStep`);
      const fr = await sr.flow('reg-augmented', A, 2, [0.05, 0.1], 0.02).catch((e: unknown) => e);
      const fe = await se.flow('reg-augmented', A, 2, [0.05, 0.1], 0.02).catch((e: unknown) => e);
      if (fr instanceof EqflowError) expect(fe).toBeInstanceOf(EqflowError);
      else (fe as Float64Array[]).forEach((p, i) => cmp(p, (fr as Float64Array[])[i], scale, `${spec.name} flow`));
      await se.close();
    }
    console.log(`eqflow_torch vs reference: worst relative disagreement ${worst.toExponential(2)} (${where}) over ${specs.length} cases`);
    expect(worst).toBeLessThan(1e-12);
  });
});

/** Each planted bug and a claim that must reject it (`python -m eqflow_torch --list-bugs` names them). */
const BUG_CLAIMS: Record<string, string> = {
  'rot90-centre': 'lemma-1a-2a', // data-side vs parameter-side augmentation differ once conv and rot90 stop commuting
  'twirl-subgroup': 'projectors', // ρ̄(g)Π_G A ≠ Π_G A for g outside the subgroup
  'augment-skips-y': 'lemma-1a-2a', // R^aug with untransformed targets is not the average of R(ρ̄(g)A)
  'regularizer-g-perp': 'lemma-2e', // the exact-average step's pull differs from the sampled steps' off L_0
};

describe.skipIf(skipTorch)('eqflow_torch --bug NAME: planted bugs', () => {
  it('--list-bugs prints one name per line, each with a claim below', () => {
    const r = spawnSync(PYTHON, ['-m', 'eqflow_torch', '--list-bugs'], { encoding: 'utf8', env: ENV });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').sort()).toEqual(Object.keys(BUG_CLAIMS).sort());
  });

  for (const [bug, id] of Object.entries(BUG_CLAIMS)) {
    it(`${bug} is rejected by '${id}' with a counterexample that passes without the bug`, async () => {
      const buggy = await start([bug]);
      const good = await start();
      try {
        const claim = claimById(id) as RegisteredClaim;
        const r = await claim.run(buggy, { seed: 2025 });
        console.log(`--bug ${bug}: ${id} ${r.verdict} after ${r.cases} cases: ${r.message}`);
        expect(r.verdict).toBe('violated');
        expect((await claim.replay(good, r.counterexample)).ratio).toBeLessThanOrEqual(1);
      } finally {
        await buggy.close();
        await good.close();
      }
    });
  }
});
