import fc from 'fast-check';
import { roundoff } from '../core/tolerance.js';
import { CaseSpec } from '../impl/caseSpec.js';
import { CaseSession } from '../impl/implementation.js';
import { incompatibleCase, incompatibleCnnCase, lemmaCase, nonEquivariantCase, orbitClosedCase } from './cases.js';
import { register } from './engine.js';
import { diff, gaussian, lin, measured, norm, numerics, structure, withSession, worst } from './util.js';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });
const input = (cases: fc.Arbitrary<CaseSpec>) => fc.record({ spec: cases, seed, h: fc.nat() });

/** Round-off of a risk assembled over |G|·n samples with O(dim) flops each, on values of size `scale`. */
function riskTol(spec: CaseSpec, dim: number, scale: number, eps: number): number {
  const b = structure(spec);
  return roundoff(Math.max(scale, 1e-300), b.group.order * b.data.count * dim, eps);
}

/** (1/|G|) Σ_g ρ̄(g)^{-1} ∇R(ρ̄(g)A) and (1/|G|) Σ_g R(ρ̄(g)A), from the implementation's action and risk. */
async function parameterSideAverage(s: CaseSession, spec: CaseSpec, A: Float64Array): Promise<{ value: number; gradient: Float64Array }> {
  const G = structure(spec).group;
  const grad = new Float64Array(s.dim);
  let value = 0;
  for (let g = 0; g < G.order; g++) {
    const r = await s.risk('nominal', await s.act(g, A));
    value += r.value / G.order;
    const back = await s.act(G.inv(g), r.gradient);
    for (let i = 0; i < s.dim; i++) grad[i] += back[i] / G.order;
  }
  return { value, gradient: grad };
}

/** Lemma 1(a), 2(a): data-side augmentation equals the parameter-side average, in value and gradient. */
export const lemma1aClaim = register({
  id: 'lemma-1a-2a',
  title: 'R^aug(A) = (1/|G|)Σ_g R(ρ̄(g)A) and ∇R^aug(A) = (1/|G|)Σ_g ρ̄(g)^{-1}∇R(ρ̄(g)A)',
  source: 'Lemma 1(a), Lemma 2(a)',
  needs: ['risk', 'action'],
  runs: 100,
  arbitrary: input(lemmaCase),
  check: async (impl, { spec, seed }) =>
    withSession(impl, spec, async (s) => {
      const { eps } = numerics(impl);
      const A = gaussian(seed, s.dim, 0.7);
      const aug = await s.risk('augmented', A);
      const avg = await parameterSideAverage(s, spec, A);
      return worst(
        measured(Math.abs(aug.value - avg.value), riskTol(spec, s.dim, Math.abs(aug.value) + 1, eps), 'R^aug vs parameter-side average'),
        measured(diff(aug.gradient, avg.gradient), riskTol(spec, s.dim, norm(aug.gradient) + 1, eps), '∇R^aug vs parameter-side average'),
      );
    }),
  negative: { arbitrary: input(nonEquivariantCase), description: 'a non-equivariant σ (A2 violated)' },
});

/** Lemma 1(b), 2(b): R^aug is invariant and ∇R^aug equivariant under ρ̄. */
export const lemma1bClaim = register({
  id: 'lemma-1b-2b',
  title: 'R^aug(ρ̄(h)A) = R^aug(A) and ∇R^aug(ρ̄(h)A) = ρ̄(h)∇R^aug(A)',
  source: 'Lemma 1(b), Lemma 2(b)',
  needs: ['risk', 'action'],
  runs: 100,
  arbitrary: input(lemmaCase),
  check: async (impl, { spec, seed, h }) =>
    withSession(impl, spec, async (s) => {
      const { eps } = numerics(impl);
      const g = h % structure(spec).group.order;
      const A = gaussian(seed, s.dim, 0.7);
      const r0 = await s.risk('augmented', A);
      const r1 = await s.risk('augmented', await s.act(g, A));
      const moved = await s.act(g, r0.gradient);
      return worst(
        measured(Math.abs(r1.value - r0.value), riskTol(spec, s.dim, Math.abs(r0.value) + 1, eps), 'R^aug(ρ̄(h)A) vs R^aug(A)'),
        measured(diff(r1.gradient, moved), riskTol(spec, s.dim, norm(r0.gradient) + 1, eps), '∇R^aug(ρ̄(h)A) vs ρ̄(h)∇R^aug(A)'),
      );
    }),
  negative: { arbitrary: input(nonEquivariantCase), description: 'a non-equivariant σ (A2 violated)' },
});

/** Lemma 1(c): on orbit-closed data with equal weights, R^aug = R (and so are the gradients). */
export const lemma1cClaim = register({
  id: 'lemma-1c',
  title: 'on orbit-closed data, R^aug = R and ∇R^aug = ∇R',
  source: 'Lemma 1(c)',
  needs: ['risk'],
  runs: 100,
  arbitrary: input(orbitClosedCase),
  check: async (impl, { spec, seed }) =>
    withSession(impl, spec, async (s) => {
      const { eps } = numerics(impl);
      const A = gaussian(seed, s.dim, 0.7);
      const a = await s.risk('augmented', A), r = await s.risk('nominal', A);
      return worst(
        measured(Math.abs(a.value - r.value), riskTol(spec, s.dim, Math.abs(r.value) + 1, eps), 'R^aug vs R'),
        measured(diff(a.gradient, r.gradient), riskTol(spec, s.dim, norm(r.gradient) + 1, eps), '∇R^aug vs ∇R'),
      );
    }),
  negative: { arbitrary: input(lemmaCase), description: 'data not closed under G (A5): R ≠ R^aug' },
});

/** Lemma 1(d), 2(c): on H_G, R^aug = R and ∇R^aug = Π_G∇R. */
export const lemma1dClaim = register({
  id: 'lemma-1d-2c',
  title: 'for A ∈ H_G: R^aug(A) = R(A) and ∇R^aug(A) = Π_G∇R(A)',
  source: 'Lemma 1(d), Lemma 2(c)',
  needs: ['risk', 'projectors'],
  runs: 100,
  arbitrary: fc.record({ spec: lemmaCase, seed, inside: fc.constant<boolean>(true) }),
  check: async (impl, { spec, seed, inside }) =>
    withSession(impl, spec, async (s) => {
      const { eps } = numerics(impl);
      const B = gaussian(seed, s.dim, 0.7);
      const A = inside ? await s.project('G', B) : B;
      const a = await s.risk('augmented', A), r = await s.risk('nominal', A);
      const pg = await s.project('G', r.gradient);
      return worst(
        measured(Math.abs(a.value - r.value), riskTol(spec, s.dim, Math.abs(r.value) + 1, eps), 'R^aug vs R on H_G'),
        measured(diff(a.gradient, pg), riskTol(spec, s.dim, norm(r.gradient) + 1, eps), '∇R^aug vs Π_G∇R on H_G'),
      );
    }),
  negative: { arbitrary: fc.record({ spec: lemmaCase, seed, inside: fc.constant<boolean>(false) }), description: 'A ∉ H_G' },
});

/** Lemma 2(d) = Theorem 1(ii)'s identity: compatible L, A ∈ E: Π_L∇R^aug(A) = Π_E∇R(A). */
export const lemma2dClaim = register({
  id: 'lemma-2d',
  title: 'compatible L, A ∈ E: Π_L∇R^aug(A) = Π_E∇R(A)',
  source: 'Lemma 2(d), Theorem 1(ii)',
  needs: ['risk', 'projectors'],
  runs: 100,
  arbitrary: input(lemmaCase),
  check: async (impl, { spec, seed }) =>
    withSession(impl, spec, async (s) => {
      const { eps } = numerics(impl);
      const A = await s.project('E', gaussian(seed, s.dim, 0.7));
      const a = await s.risk('augmented', A), r = await s.risk('nominal', A);
      const left = await s.project('L', a.gradient), right = await s.project('E', r.gradient);
      return measured(diff(left, right), riskTol(spec, s.dim, norm(r.gradient) + 1, eps), 'Π_L∇R^aug vs Π_E∇R on E');
    }),
  negative: { arbitrary: input(fc.oneof(incompatibleCase, incompatibleCnnCase)), description: 'an incompatible support (Π_LΠ_G ≠ Π_GΠ_L)' },
});

/**
 * Lemma 2(e): sampled augmentation (one g per sample) is unbiased — the mean of the sampled SGD steps over the |G|
 * assignments s ↦ g_{(s+k) mod |G|}, k = 0..|G|−1 (each sample sees every g once) equals the exact-average step.
 */
export const lemma2eClaim = register({
  id: 'lemma-2e',
  title: 'the mean over g of sampled-augmentation steps equals the exact-average step',
  source: 'Lemma 2(e)',
  needs: ['sampled-step', 'step'],
  runs: 100,
  arbitrary: fc.record({ spec: lemmaCase, seed, gamma: fc.double({ min: 0, max: 10, noNaN: true }), averaged: fc.constant<boolean>(true) }),
  check: async (impl, { spec, seed, gamma, averaged }) =>
    withSession(impl, spec, async (s) => {
      const { eps } = numerics(impl);
      const b = structure(spec);
      const n = b.data.count, order = b.group.order, eta = 0.05;
      const A = gaussian(seed, s.dim, 0.7);
      const mean = new Float64Array(s.dim);
      const draws = averaged ? order : 1;
      for (let k = 0; k < draws; k++) {
        const step = await s.sampledStep(A, eta, gamma, Int32Array.from({ length: n }, (_, i) => (i + k + 1) % order));
        for (let i = 0; i < s.dim; i++) mean[i] += step[i] / draws;
      }
      const exact = await s.step('reg-augmented', A, eta, gamma);
      const scale = norm(lin(1, exact, -1, A)) + norm(A) * 1e-3;
      return measured(diff(mean, exact), riskTol(spec, s.dim, scale, eps), 'mean sampled step vs exact-average step');
    }),
  negative: { arbitrary: fc.record({ spec: lemmaCase, seed, gamma: fc.double({ min: 0, max: 10, noNaN: true }), averaged: fc.constant<boolean>(false) }), description: 'one sampled step, not the mean over g' },
});

export const lemmaClaims = [lemma1aClaim, lemma1bClaim, lemma1cClaim, lemma1dClaim, lemma2dClaim, lemma2eClaim];
