import fc from 'fast-check';
import { EPS, roundoff } from '../core/tolerance.js';
import { CaseSpec } from '../impl/caseSpec.js';
import { compatibleCase, outsideHypotheses } from './cases.js';
import { register } from './engine.js';
import { projectionOracle } from './projectionOracle.js';
import { projectorCase } from './projectorCases.js';
import { splitBasisRotation2d } from './regressions.js';
import { diff, gaussian, inner, lin, measured, norm, numerics, structure, withSession, worst } from './util.js';

const anyCase: fc.Arbitrary<CaseSpec> = fc.oneof(compatibleCase, outsideHypotheses);
const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** ρ̄ is an orthogonal representation on H: ρ̄(g)ρ̄(h)A = ρ̄(gh)A and ‖ρ̄(g)A‖ = ‖A‖ (docs/theory.md §1). */
export const actionClaim = register({
  id: 'action',
  title: 'ρ̄(g)ρ̄(h)A = ρ̄(gh)A and ‖ρ̄(g)A‖ = ‖A‖',
  source: 'docs/theory.md §1 (induced action)',
  needs: ['action'],
  runs: 100,
  arbitrary: fc.record({ spec: anyCase, seed, g: fc.nat(), h: fc.nat() }),
  check: async (impl, { spec, seed, g, h }) => {
    const G = structure(spec).group;
    const a = g % G.order, b = h % G.order;
    const { eps } = numerics(impl);
    return withSession(impl, spec, async (s) => {
      const A = gaussian(seed, s.dim);
      const left = await s.act(a, await s.act(b, A));
      const right = await s.act(G.mul(a, b), A);
      // each entry of a signed-permutation or small dense product carries O(dim) round-off on ‖A‖
      const tol = roundoff(norm(A), s.dim, eps);
      return worst(measured(diff(left, right), tol, 'ρ̄(g)ρ̄(h)A vs ρ̄(gh)A'), measured(Math.abs(norm(left) - norm(A)), tol, '‖ρ̄A‖ vs ‖A‖'));
    });
  },
  negative: { description: 'none in the hypotheses: caught by the mutants with a wrong action' },
});

/**
 * Π_G, Π_L, Π_E are orthogonal projections (idempotent, self-adjoint); Π_G A is fixed by ρ̄; Π_E A ∈ L_0 ∩ H_G;
 * ‖A‖² = ‖Π_E A‖² + ‖Π_{E⊥}A‖² — for compatible and incompatible L alike. And they project onto the right spaces,
 * not just into them (Π_E = 0 passes all of the above): Π_G A, Π_L A and Π_E A equal an oracle built from the
 * Case's definition by an independent route (src/claims/projectionOracle.ts: the twirl, the spec's mask, support or
 * vectors, and E_0 = L_0 ∩ H_G as the null space of Qᵀ(I − Π_G)Q by Jacobi), at no extra request.
 */
export const projectorsClaim = register({
  id: 'projectors',
  title: 'Π_G, Π_L, Π_E idempotent and self-adjoint; ρ̄(g)Π_G A = Π_G A; Π_E A ∈ L_0 ∩ H_G; Pythagoras; onto H_G, L_0, E_0',
  source: 'docs/theory.md §1 (twirl, E = L ∩ H_G)',
  needs: ['projectors', 'action'],
  runs: 100,
  arbitrary: fc.record({ spec: projectorCase, seed, g: fc.nat() }),
  regressions: [{ spec: splitBasisRotation2d, seed: 1, g: 1 }],
  check: async (impl, { spec, seed, g }) => {
    const G = structure(spec).group;
    const { eps } = numerics(impl);
    return withSession(impl, spec, async (s) => {
      const A = gaussian(seed, s.dim), B = gaussian(seed + 1, s.dim);
      const scale = norm(A) * norm(B);
      // Π applied twice and inner products of length dim: O(|G|·dim) operations on unit-size entries
      const tol = roundoff(Math.max(norm(A), 1), G.order * s.dim, eps) * Math.max(norm(B), 1);
      const ms = [];
      const P = { G: A, L: A, E: A };
      for (const which of ['G', 'L', 'E'] as const) {
        const PA = P[which] = await s.project(which, A);
        ms.push(measured(diff(await s.project(which, PA), PA), tol, `Π_${which} idempotent`));
        const PB = await s.project(which, B);
        ms.push(measured(Math.abs(inner(PA, B) - inner(A, PB)), tol * Math.max(1, scale), `Π_${which} self-adjoint`));
      }
      const { G: PG, L: PL, E: PE } = P;
      ms.push(measured(diff(await s.act(g % G.order, PG), PG), tol, 'ρ̄(g)Π_G A = Π_G A'));
      ms.push(measured(diff(await s.project('L', PE), PE), tol, 'Π_E A ∈ L_0'));
      ms.push(measured(diff(await s.project('G', PE), PE), tol, 'Π_E A ∈ H_G'));
      const perp = lin(1, A, -1, PE);
      ms.push(measured(Math.abs(norm(A) ** 2 - norm(PE) ** 2 - norm(perp) ** 2), tol * norm(A), 'Pythagoras'));
      const o = projectionOracle(structure(spec).model.space, spec.admissible ?? { kind: 'full' });
      // the oracle's own float64 round-off: the twirl and k ≤ dim projections of length dim
      const own = roundoff(norm(A), G.order * s.dim + s.dim * s.dim, EPS);
      ms.push(measured(diff(PG, o.piG(A)), tol + own, 'Π_G A vs the twirl (onto H_G)'));
      const oL = o.piL(A);
      if (oL) ms.push(measured(diff(PL, oL), tol + own, 'Π_L A vs the Case\'s L_0 (onto L_0)'));
      const oE = o.piE(A);
      // E_0's basis from Jacobi is off by O(round-off of M)/gap (Davis–Kahan), gap the smallest nonzero sin²
      if (oE) ms.push(measured(diff(PE, oE), tol + own / o.gap, `Π_E A vs L_0 ∩ H_G of dimension ${o.dimE} (onto E_0)`));
      return worst(...ms);
    });
  },
  negative: { description: 'a wrong projector: caught by the twirl and Π_E mutants' },
});

/**
 * ∇R and ∇R^aug equal central finite differences of the risk along a random direction d. The tolerance is the
 * Richardson estimate of the truncation error |D(2h) − D(h)| plus the round-off of the risk divided by h — Higham's
 * bound for a sum over |G|·n samples of O(dim) flops, on the scale max(1, |R|) — doubled.
 */
export const gradientClaim = register({
  id: 'gradient',
  title: '⟨∇R(A), d⟩ and ⟨∇R^aug(A), d⟩ equal finite differences of the risk',
  source: 'docs/theory.md §3 (exact gradients)',
  needs: ['risk'],
  runs: 100,
  arbitrary: fc.record({ spec: anyCase, seed, aug: fc.boolean() }),
  check: async (impl, { spec, seed, aug }) =>
    withSession(impl, spec, async (s) => {
      const mode = aug ? 'augmented' : 'nominal';
      const { eps, stored } = numerics(impl);
      const A = gaussian(seed, s.dim, 0.5), d = gaussian(seed + 1, s.dim);
      const dn = norm(d);
      const h = (Math.cbrt(eps) * Math.max(1, norm(A))) / dn; // h ∝ u^{1/3}: O(h²) truncation vs u/h round-off
      const at = async (t: number) => (await s.risk(mode, lin(1, A, t, d))).value;
      const { value, gradient } = await s.risk(mode, A);
      const D = async (k: number) => ((await at(k)) - (await at(-k))) / (2 * k);
      const d1 = await D(h), d2 = await D(2 * h);
      const exact = inner(gradient, d);
      const b = structure(spec);
      const ops = (aug ? b.group.order : 1) * b.data.count * s.dim;
      // a narrower implementation rounds A ± hd on arrival: R moves by up to u_stored·‖∇R‖·‖A ± 2hd‖ (0 in float64)
      const arrival = (stored * norm(gradient) * (norm(A) + 2 * h * dn)) / h;
      const tol = 2 * (Math.abs(d2 - d1) + roundoff(Math.max(1, Math.abs(value)), ops, eps) / h + arrival) + roundoff(norm(gradient) * dn, s.dim, eps);
      return measured(Math.abs(exact - d1), tol, `⟨∇R${aug ? '^aug' : ''}, d⟩ vs finite differences`);
    }),
  negative: { description: 'a backpropagation slip: caught by the backprop mutant' },
});

export const conformanceClaims = [actionClaim, projectorsClaim, gradientClaim];
