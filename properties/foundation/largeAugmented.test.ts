/**
 * R^aug of a perm-generators Case by twirled moments (src/impl/permAugmented.ts, docs/theory.md §8): for one
 * linear layer with the squared loss it equals the enumerated group average where S_n can be enumerated (S_4,
 * S_5), and the mean of R(ρ̄(g)A) over Haar samples within Hoeffding's bound where it cannot (S_20). Negative
 * controls: twirling only C_xx or only C_yx is rejected by the same checks.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/core/rng.js';
import { symmetricGenerators } from '../../src/groups/permGroup.js';
import { parseCase, RepSpec } from '../../src/impl/caseSpec.js';
import { buildPermCase, PermCase } from '../../src/impl/permCase.js';
import { twirledMomentRisk } from '../../src/impl/permAugmented.js';
import { ReferenceImplementation } from '../../src/impl/reference.js';
import { exampleByName } from '../../src/impl/examples.js';
import { Objective } from '../../src/risk/objective.js';

/** S_n on sets, one linear layer (natural or trivial output), squared loss, seeded explicit data. */
function linearCase(n: number, output: RepSpec, bias: boolean, count: number, seed: string, spike = 0): PermCase {
  const rng = new RandomStream(seed);
  const q = output.kind === 'natural' ? n : 1;
  const spiked = (v: Float64Array): number[] => Array.from(v, (t, i) => (i === 0 ? spike : 0) + (spike ? 0.2 : 1) * t);
  return buildPermCase(parseCase({
    name: `S${n}-linear`, group: { kind: 'perm-generators', generators: symmetricGenerators(n) },
    model: { kind: 'mlp', input: { kind: 'natural' }, hidden: [], output, outputActivation: 'identity', bias },
    data: { kind: 'explicit', x: Array.from({ length: count }, () => spiked(rng.gaussianVector(n))), y: Array.from({ length: count }, () => spiked(rng.gaussianVector(q))) },
  }));
}

const norm = (a: Float64Array): number => Math.sqrt(a.reduce((s, v) => s + v * v, 0));

/** E_g R(ρ̄(g)A) and E_g ρ̄(g)ᵀ∇R(ρ̄(g)A) over the enumerated elements: the definition (old code path). */
function enumerated(c: PermCase, A: Float64Array): { value: number; gradient: Float64Array } {
  const els = elementsOf(c);
  const gA = new Float64Array(A.length), g = new Float64Array(A.length), back = new Float64Array(A.length), sum = new Float64Array(A.length);
  let value = 0;
  for (const e of els) {
    c.params.apply(e, A, gA);
    value += c.R.gradient(gA, g) / els.length;
    c.params.apply(c.group.inv(e), g, back);
    for (let i = 0; i < sum.length; i++) sum[i] += back[i] / els.length;
  }
  return { value, gradient: sum };
}
function elementsOf(c: PermCase): Int32Array[] {
  const rule = c.group.haarRule(0);
  if (!rule) throw new Error('not enumerable');
  return rule.elements.slice();
}

describe('R^aug by twirled moments (one linear layer, squared loss)', () => {
  for (const [n, output, bias] of [[4, { kind: 'natural' }, true], [5, { kind: 'trivial' }, true], [4, { kind: 'natural' }, false]] as const) {
    it(`equals the enumerated average over S_${n} (output ${output.kind}, bias ${bias}); twirling one moment only does not`, () => {
      const c = linearCase(n, output, bias, 3, `en/${n}/${output.kind}/${bias}`);
      const rng = new RandomStream(`A/${n}`);
      const A = rng.gaussianVector(c.params.dim);
      const ref = enumerated(c, A);
      const check = (R: Objective): number => {
        const g = new Float64Array(A.length);
        const v = R.gradient(A, g);
        const scale = Math.abs(ref.value) + norm(ref.gradient) + 1;
        return Math.max(Math.abs(v - ref.value), norm(g.map((x, i) => x - ref.gradient[i]))) / scale;
      };
      // |G| + dim² rounded sums of O(1) terms: 1e3·ε relative to the scale is ample and far below the controls' O(1) gaps
      const tol = 1e3 * Number.EPSILON;
      expect(check(twirledMomentRisk(c)!)).toBeLessThan(tol);
      expect(check(twirledMomentRisk(c, 'xx')!)).toBeGreaterThan(1e3 * tol);
      expect(check(twirledMomentRisk(c, 'yx')!)).toBeGreaterThan(1e3 * tol);
    });
  }

  it('equals the mean of R(ρ̄(g)A) over m = 2000 Haar samples of S_20 within Hoeffding (α = 1e-9); one-moment twirls fall outside', () => {
    // data and A concentrated on point 0 (x_0, y_0 ≈ 5 + noise 0.2, W_00 ≈ 1 + noise 0.02): a moment left unaveraged over G is then far from its twirl
    const c = linearCase(20, { kind: 'natural' }, true, 3, 'hoeffding', 5);
    const rng = new RandomStream('haar20');
    const A = rng.gaussianVector(c.params.dim, 0.02);
    A[0] += 1;
    const m = 2000;
    const gA = new Float64Array(A.length);
    let mean = 0;
    for (let j = 0; j < m; j++) {
      c.params.apply(c.group.sample(rng), A, gA);
      mean += c.R.value(gA) / m;
    }
    // 0 ≤ R(ρ̄(g)A) ≤ E_D ½(‖W̃‖_F‖x̃‖ + ‖y‖)² =: b for every g (ρ's orthogonal), so P(|mean − R^aug| > b√(ln(2/α)/2m)) ≤ α
    const d = c.data, k = d.inputDim + 1;
    let b = 0;
    for (let s = 0; s < d.count; s++) {
      const xn = Math.sqrt(norm(d.x.subarray(s * d.inputDim, (s + 1) * d.inputDim)) ** 2 + 1);
      b += 0.5 * (norm(A) * xn + norm(d.y.subarray(s * d.outputDim, (s + 1) * d.outputDim))) ** 2 / d.count;
    }
    const tol = b * Math.sqrt(Math.log(2 / 1e-9) / (2 * m));
    expect(k).toBe(21);
    const gap = (R: Objective | null): number => Math.abs(R!.value(A) - mean);
    expect(gap(twirledMomentRisk(c))).toBeLessThan(tol);
    expect(gap(twirledMomentRisk(c, 'xx'))).toBeGreaterThan(tol);
    expect(gap(twirledMomentRisk(c, 'yx'))).toBeGreaterThan(tol);
  });

  it('the reference offers R^aug and the augmented dynamics on sets-s20-linear, whose augmented flow from E is the equivariant one (Theorem 1(i)), and still refuses them for a hidden tanh layer', async () => {
    const impl = new ReferenceImplementation();
    const c = buildPermCase(exampleByName('sets-s20-linear').spec);
    const s = await impl.open(c.spec);
    const A = new RandomStream('s').gaussianVector(s.dim, 0.1);
    const r = await s.risk('augmented', A);
    expect(r.value).toBe(twirledMomentRisk(c)!.value(A));
    const X = await s.step('reg-augmented', A, 0.1, 2);
    const pg = await s.project('G', A);
    expect(norm(X.map((x, i) => x - (A[i] - 0.1 * (r.gradient[i] + 2 * (A[i] - pg[i])))))).toBeLessThan(1e-14 * (norm(A) + 1));
    // Theorem 1(i) on S_20: from A(0) ∈ E the augmented flow (γ = 0 and γ = 2) stays in E and equals the equivariant flow; the nominal one leaves E
    const A0 = await s.project('G', A), times = [0.25, 0.5];
    const eq = await s.flow('equivariant', A0, 0, times, 0.05);
    const out = (X: Float64Array): number => {
      const p = c.projector.apply(X).out;
      return norm(X.map((x, i) => x - p[i]));
    };
    const scale = norm(A0) + 1;
    let worst = 0;
    for (const gamma of [0, 2]) {
      const aug = await s.flow(gamma ? 'reg-augmented' : 'augmented', A0, gamma, times, 0.05);
      for (const [k, X] of aug.entries()) worst = Math.max(worst, out(X) / scale, norm(X.map((x, i) => x - eq[k][i])) / scale);
    }
    // ∇R^aug (moments) and Π_G∇R (backprop) agree on E up to round-off of sums over 32 samples × 21 columns, carried by ~20 steps of a flow whose Lipschitz constant is λ_max(T(C_xx)) = O(1): 1e4·ε
    expect(worst).toBeLessThan(1e4 * Number.EPSILON);
    const nom = await s.flow('nominal', A0, 0, times, 0.05);
    expect(out(nom[1]) / scale).toBeGreaterThan(1e-6);
    const deep = parseCase({ ...c.spec, model: { kind: 'mlp', input: { kind: 'natural' }, hidden: [{ kind: 'natural' }], output: { kind: 'natural' }, activation: 'tanh', bias: true } });
    const t = await impl.open(deep);
    await expect(t.risk('augmented', new Float64Array(t.dim))).rejects.toMatchObject({ code: 'unsupported' });
  });
});
