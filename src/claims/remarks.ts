import fc from 'fast-check';
import { roundoff } from '../core/tolerance.js';
import { compatibleCase, incompatibleCase, orbitClosedCase, outsideHypotheses } from './cases.js';
import { caseStructure } from './caseStructure.js';
import { register } from './engine.js';
import { LARGE_SHARE, perp, pointInE, theoremCase, theoremCaseWithLarge } from './theorem1.js';
import { withLargeFamily } from './largeFamily.js';
import { farStart } from './theorem3.js';
import { predictedPerpSpeed, resolves, unresolvedPart } from './resolvable.js';
import { aboveRoundoff, gradientRoundoffScale, hessianNorm, lin, measured, norm, numerics, withSession, withStableStep, worst } from './util.js';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/**
 * Remark R1: the regularized nominal flow from A ∈ E settles at a distance d(γ) ≈ β/γ from E (β = ‖Π_{E⊥}Π_L∇R‖,
 * the nominal E⊥-velocity), not zero: d(γ)/d(2γ) = 2(1 + O(κ/γ)·(1 + ‖∇R‖/β)). The O(κ/γ) is the quasi-static
 * correction (γ + Π_⊥TΠ_⊥)^{-1} vs γ^{-1}; the ‖∇R‖/β factor is A_⊥'s lag behind its moving target as the E-part
 * moves at speed ≤ ‖∇R‖. κ = ‖Π_L∇²RΠ_L‖ by power iteration. Tolerance 2·4κ/γ·(1 + ‖∇R‖/β) + 1e-3 (the e^{−10}
 * transient); d(γ) must exceed 10⁶ float64 round-off units (aboveRoundoff).
 */
export const remark1Claim = register({
  id: 'remark-r1',
  title: 'the regularized nominal flow settles at distance ≈ β/γ from E: d(γ)/d(2γ) ≈ 2, d(γ) > 0',
  source: 'Remark R1',
  needs: ['flow', 'projectors', 'risk'],
  // two flows per case: 50 cases keep the suite within budget
  runs: 50,
  arbitrary: fc.record({ spec: withLargeFamily(compatibleCase, LARGE_SHARE), seed, gamma: fc.double({ min: 100, max: 500, noNaN: true }) }),
  check: async (impl, { spec, seed, gamma }) =>
    withSession(impl, spec, async (s) => {
      const A0 = await pointInE(s, seed);
      const { eps } = numerics(impl);
      const T = 10 / gamma;
      const [[a1], [a2]] = await withStableStep(Math.min(0.01, T / 50), async (h) => [await s.flow('reg-nominal', A0, gamma, [T], h), await s.flow('reg-nominal', A0, 2 * gamma, [T], h)]);
      const d1 = await perp(s, a1), d2 = await perp(s, a2);
      // a narrower precision's noise in d(γ): the velocity's round-off, contracted by γ, plus the state's rounding and
      // projection (√dim operations: round-off of a projection accumulates in root-mean-square, Wilkinson)
      const { narrow } = numerics(impl), ops = caseStructure(spec).count * s.dim;
      const noise = narrow && roundoff(norm(A0) + 1, ops, narrow) / gamma + roundoff(norm(A0) + 1, Math.sqrt(s.dim), narrow);
      const rho64 = roundoff(norm(A0) + 1, ops), floor = aboveRoundoff(rho64, 1e6, noise);
      // the floor R1 predicts, d(γ) ≈ β/γ: a case inside R1's hypotheses (above float64's floor) whose floor is within
      // the precision's noise cannot be resolved at it; outside them (β ≈ 0, the negative control) it is still checked
      const predicted = predictedPerpSpeed(spec, A0, 'nominal') / gamma;
      if (predicted > 1e6 * rho64 && !resolves(predicted, noise)) return { ratio: 0, detail: `d(γ) = ${d1.toExponential(2)}`, unresolved: unresolvedPart('d(γ) ≈ β/γ', predicted, noise) };
      if (!(d1 > floor)) return { ratio: floor / Math.max(d1, 1e-300), detail: `d(γ) = ${d1.toExponential(2)}: no floor above round-off` };
      const kappa = await hessianNorm(s, a1, seed, 'nominal', eps);
      const g = (await s.risk('nominal', a1)).gradient;
      const pl = await s.project('L', g);
      const beta = norm(lin(1, pl, -1, await s.project('E', pl)));
      const tol = 2 * ((4 * kappa) / gamma) * (1 + norm(g) / beta) + 1e-3;
      // d(γ) and d(2γ) each within `noise`: the ratio within (d1/d2)(noise/d1 + noise/d2) (0 in float64); once that
      // exceeds R1's own tolerance the ratio is not resolvable at this precision (the floor d(γ) > 0 still was)
      const rounding = (d1 / d2) * (noise / d1 + noise / d2);
      const m = measured(Math.abs(d1 / d2 - 2), tol + rounding, `d(γ)/d(2γ) = ${(d1 / d2).toFixed(4)} at γ = ${gamma.toFixed(1)}, γ·d(γ) = ${(gamma * d1).toExponential(3)} vs β = ${beta.toExponential(3)}`);
      return rounding > tol ? { ratio: floor / d1, detail: `d(γ) = ${d1.toExponential(2)}`, unresolved: `d(γ)/d(2γ): its round-off bound ${rounding.toExponential(2)} exceeds R1's tolerance ${tol.toExponential(2)} at this precision` } : m;
    }),
  negative: { arbitrary: fc.record({ spec: orbitClosedCase, seed, gamma: fc.double({ min: 100, max: 500, noNaN: true }) }), description: 'orbit-closed data: R = R^aug, the nominal flow keeps E (no floor)' },
});

/**
 * Remark R3: gradient descent with step η contracts the E⊥ part when K < γ < 2/η − K, K the Lipschitz constant of
 * Π_L∇R^aug near the start (power iteration): after 30 steps ‖Π_{E⊥}A‖ has shrunk (ratio end/start ≤ 1 passes).
 */
export const remark3Claim = register({
  id: 'remark-r3',
  title: 'gradient descent contracts the E⊥ part when K < γ < 2/η − K',
  source: 'Remark R3',
  needs: ['step', 'projectors', 'risk'],
  runs: 100,
  arbitrary: fc.record({ spec: theoremCaseWithLarge, seed, eta: fc.double({ min: 0.005, max: 0.02, noNaN: true }), etaGamma: fc.double({ min: 0.3, max: 1.7, noNaN: true }) }),
  check: async (impl, { spec, seed, eta, etaGamma }) =>
    withSession(impl, spec, async (s) => {
      const gamma = etaGamma / eta;
      const { eps } = numerics(impl);
      let A = await farStart(s, seed, 1e-3, eps); // near E: a point of E plus 1e-3 along F_0
      const K = await hessianNorm(s, A, seed, 'augmented', eps);
      // R3's lower bound K < γ, and ηK < 0.1 so that ηγ ≤ 1.7 implies γ < 2/η − K (the upper bound)
      fc.pre(K < gamma && eta * K < 0.1);
      const p0 = await perp(s, A);
      for (let k = 0; k < 30; k++) A = await s.step('reg-augmented', A, eta, gamma);
      const p1 = await perp(s, A);
      return { ratio: p1 / p0, detail: `‖Π_{E⊥}A‖ ${p0.toExponential(2)} → ${p1.toExponential(2)} in 30 steps (ηγ = ${etaGamma.toFixed(2)}, ηK = ${(eta * K).toFixed(3)})` };
    }),
  negative: {
    arbitrary: fc.record({ spec: theoremCase, seed, eta: fc.double({ min: 0.005, max: 0.02, noNaN: true }), etaGamma: fc.double({ min: 2.2, max: 3, noNaN: true }) }),
    description: 'ηγ > 2: the E⊥ part diverges',
  },
});

/**
 * Remark R4 / Lemma 2(e): from A ∈ E, an SGD step with sampled augmentation (one g per sample) leaves E, while the
 * exact-average step stays (round-off level).
 */
export const remark4Claim = register({
  id: 'remark-r4',
  title: 'from A ∈ E, a sampled-augmentation SGD step leaves E while the g-averaged step stays in E',
  source: 'Remark R4, Lemma 2(e)',
  needs: ['step', 'sampled-step', 'projectors'],
  runs: 100,
  arbitrary: fc.record({ spec: withLargeFamily(compatibleCase, LARGE_SHARE), seed, draw: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }),
  check: async (impl, { spec, seed, draw }) =>
    withSession(impl, spec, async (s) => {
      const b = caseStructure(spec);
      const A = await pointInE(s, seed);
      const { eps } = numerics(impl);
      const eta = 0.05;
      const exact = await s.step('augmented', A, eta, 0);
      const elements = b.elements(draw);
      const sampled = await s.sampledStep(A, eta, 0, elements);
      const ops = b.averagedTerms * b.count * s.dim;
      const tol = roundoff(norm(A) + 1, ops, eps);
      // a narrower precision's noise in a step's ‖Π_{E⊥}‖: η times the velocity's round-off, plus the state's rounding
      // and projection (√dim operations, as in remark-r1)
      const { narrow } = numerics(impl);
      const noise = narrow && eta * roundoff(gradientRoundoffScale(spec, A, false) + 1, ops, narrow) + roundoff(norm(A) + 1, Math.sqrt(s.dim), narrow);
      const pe = await perp(s, exact), ps = await perp(s, sampled);
      const exactPart = measured(pe, tol, '‖Π_{E⊥}‖ of the exact-average step');
      // the departure R4 predicts, η‖Π_{E⊥}Π_L∇R_sampled(A)‖: above float64's floor (inside the hypotheses) but within
      // the precision's noise, the sampled part cannot be resolved; the exact-average part still is
      const rho64 = roundoff(norm(A) + 1, ops), predicted = eta * predictedPerpSpeed(spec, A, elements);
      if (predicted > 1e3 * rho64 && !resolves(predicted, noise)) return { ...exactPart, unresolved: unresolvedPart('‖Π_{E⊥}‖ of the sampled step', predicted, noise) };
      return worst(
        exactPart,
        { ratio: aboveRoundoff(rho64, 1e3, noise) / Math.max(ps, 1e-300), detail: `‖Π_{E⊥}‖ of the sampled step = ${ps.toExponential(2)} (must exceed 10³ float64 round-off units and the precision's noise)` },
      );
    }),
  negative: { arbitrary: fc.record({ spec: fc.oneof(incompatibleCase, outsideHypotheses), seed, draw: fc.integer({ min: 0, max: 2 ** 31 - 1 }) }), description: 'an incompatible support: the averaged step leaves E too' },
});

export const remarkClaims = [remark1Claim, remark3Claim, remark4Claim];
