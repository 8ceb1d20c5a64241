import fc from 'fast-check';
import { norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { roundoff } from '../core/tolerance.js';
import { planarGroup } from '../groups/compact.js';
import { bandLimited, layerAction } from '../reps/action.js';
import { FixedProjector, fixedSpaceProjector, iterativeProjector, ruleProjector } from '../space/fixedSpace.js';
import { register } from './engine.js';
import { projectorLawRatio } from './projectorLaws.js';
import { diff, measured, worst } from './util.js';

/** A layer Hom(ψ_in ⊕ 1^bias, ψ_out) under SO(2) or O(2), band-limited on both sides (docs/theory.md §8). */
export interface CompactLayerInput {
  group: 'SO2' | 'O2';
  /** ψ_in's frequencies (repeats allowed) */
  input: number[];
  /** ψ_out's frequencies, the first ≥ 1 so that the layer's degree D ≥ 1 */
  output: number[];
  bias: boolean;
  seed: number;
  /** the negative control: a rule of D angles, one short of the D + 1 that integrate degree D exactly */
  short: boolean;
}

/**
 * dim H_G by Schur's lemma (docs/theory.md §8): only blocks of equal frequency survive, trivial→trivial with 1
 * parameter, ψ_k→ψ_k (k ≥ 1) with 2 under SO(2) (a·I + b·J) and 1 under O(2) (the reflection forces b = 0).
 */
export function schurRank(group: 'SO2' | 'O2', input: readonly number[], output: readonly number[]): number {
  let r = 0;
  for (const k of output) for (const l of input) if (k === l) r += k === 0 || group === 'O2' ? 1 : 2;
  return r;
}

/**
 * The smallest nonzero eigenvalue of M = Σ_s (I − ρ̄(s))ᵀ(I − ρ̄(s)) over the topological generators (the rotation
 * r_1 by one radian; for O(2) also s): on the frequency-m part (1 ≤ m ≤ D) the rotation alone gives 2 − 2cos m,
 * and s only adds a PSD term; on frequency 0 the rotation gives 0 and s gives 2(I − S), eigenvalues 0 and 4.
 */
export function gapOfM(group: 'SO2' | 'O2', degree: number): number {
  let lambda = group === 'O2' ? 4 : Infinity;
  for (let m = 1; m <= degree; m++) lambda = Math.min(lambda, 2 - 2 * Math.cos(m));
  return lambda;
}

/**
 * Π_G of SO(2)/O(2) on a band-limited layer space, checked exactly: ρ̄ is an orthogonal representation on Haar
 * samples (ρ̄(g)ρ̄(h) = ρ̄(gh), ρ̄(g⁻¹)ρ̄(g) = I, ‖ρ̄(g)x‖ = ‖x‖, ρ̄(e) = I: A1); Π_G by the Haar rule of D + 1 angles
 * (`fixedSpaceProjector` on a non-monomial action) is G-invariant under Haar-random g, idempotent and symmetric;
 * tr Π_G = dim H_G by Schur's lemma; and conjugate gradients on the generators give the same Π_G x within
 * 2|S|·r/λ, r = max_s ‖ρ̄(s)y − y‖ of CG's answer y and λ = gapOfM (y − Π_G x ⊥ H_G, so ‖y − Π_G x‖ ≤ ‖My‖/λ),
 * with r itself at most √(‖y‖·‖My‖) ≤ √(‖x‖·stop) for CG's stop test ‖My‖ ≤ stop.
 */
export function checkCompactProjector(c: CompactLayerInput): { ratio: number; detail: string } {
  const G = planarGroup(c.group === 'O2');
  const inp = bandLimited(G, c.input), out = bandLimited(G, c.output);
  const act = layerAction([inp, out], c.bias);
  const D = act.degree;
  const rule = G.haarRule(c.short ? D - 1 : D)!;
  const P: FixedProjector = c.short ? ruleProjector(act, rule) : fixedSpaceProjector(act);
  const rng = new RandomStream(c.seed);
  const x = rng.child('x').gaussianVector(act.dim), y = rng.child('y').gaussianVector(act.dim);
  const na = out.dim, nb = inp.dim + (c.bias ? 1 : 0);
  // entries cos kθ, sin kθ at |kθ| ≤ 2πD carry (2πD + 1)·eps each; ρ̄(g)x is two products of na and nb terms, the rule sums |rule| of them
  const perApply = (na + nb) * (2 * Math.PI * D + 2);
  const ro = roundoff(norm(x) + norm(y), rule.elements.length * perApply);
  const g = G.sample(rng), h = G.sample(rng);
  const t = new Float64Array(act.dim), u = new Float64Array(act.dim), v = new Float64Array(act.dim);
  act.apply(h, x, t);
  act.apply(g, t, u);
  act.apply(G.mul(g, h), x, v);
  const hom = diff(u, v);
  act.apply(g, x, t);
  act.apply(G.inv(g), t, u);
  const inverse = diff(u, x);
  const isometry = Math.abs(norm(t) - norm(x));
  act.apply(G.identity, x, u);
  const identity = diff(u, x);
  const px = P.apply(x).out, py = P.apply(y).out;
  const laws = projectorLawRatio(act, P, x, y, px, py, rng, ro);
  let trace = 0;
  const e = new Float64Array(act.dim);
  for (let i = 0; i < act.dim; i++) {
    e.fill(0);
    e[i] = 1;
    trace += P.apply(e).out[i];
  }
  const rank = schurRank(c.group, c.bias ? [...c.input, 0] : c.input, c.output);
  const cg = iterativeProjector(act).apply(x);
  const S = G.generators.length;
  // CG's own stop test (src/space/fixedSpace.ts): ‖My‖ ≤ roundoff(1, dim·|S|)·max(‖Mx‖, ‖x‖), ‖M‖ ≤ 4|S|
  const stop = roundoff(1, act.dim * S) * 4 * S * norm(x);
  const lambda = gapOfM(c.group, D);
  return worst(
    measured(Math.max(hom, inverse, isometry, identity), ro, `ρ̄ laws on Haar samples (ρ̄(g)ρ̄(h) = ρ̄(gh), ρ̄(g⁻¹)ρ̄(g) = I, isometry, ρ̄(e) = I)`),
    { ratio: laws, detail: `Π_G laws (invariance under 3 Haar samples, idempotence, symmetry): ${laws.toExponential(2)} of round-off` },
    // each diagonal entry (Π_G e_i)_i carries the round-off of one projection of a unit vector
    measured(Math.abs(trace - rank), act.dim * roundoff(1, rule.elements.length * perApply), `tr Π_G = ${trace.toFixed(6)} vs dim H_G = ${rank} (Schur)`),
    measured(cg.residual, Math.sqrt(norm(x) * stop), `CG's residual max_s ‖ρ̄(s)y − y‖ = ${cg.residual.toExponential(2)} vs its stop test`),
    measured(diff(cg.out, px), (2 * S * cg.residual) / lambda + ro, `Π_G x by the ${P.method} vs by conjugate gradients (λ = ${lambda.toFixed(3)})`),
  );
}

const layerInput = (short: boolean): fc.Arbitrary<CompactLayerInput> => fc.record({
  group: fc.constantFrom<'SO2' | 'O2'>('SO2', 'O2'),
  input: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 1, maxLength: 3 }),
  output: fc.tuple(fc.integer({ min: 1, max: 3 }), fc.array(fc.integer({ min: 0, max: 3 }), { maxLength: 2 })).map(([k, rest]) => [k, ...rest]),
  bias: fc.boolean(),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  short: fc.constant(short),
});

/** Π_G of SO(2)/O(2) on band-limited layers: a representation, a Haar-rule projector of Schur's rank, CG agrees. */
export const compactGroupProjectorClaim = register({
  id: 'compact-group-projector',
  title: 'SO(2)/O(2) on band-limited layers Hom(ψ_in ⊕ 1, ψ_out): ρ̄ is an orthogonal representation; Π_G by the (D+1)-angle Haar rule is G-invariant, idempotent, symmetric, of Schur\'s rank, and equals conjugate gradients on the generators',
  source: 'docs/theory.md §8 (exact quadrature, the twirl, Schur\'s lemma)',
  needs: [],
  runs: 100,
  arbitrary: layerInput(false),
  check: async (_impl, input) => checkCompactProjector(input),
  negative: { arbitrary: layerInput(true), description: 'a rule of D angles, one short of the layer\'s degree D: frequency D aliases to 0 and the average is not invariant' },
});

/** The claims on continuous groups' own machinery. */
export const compactGroupClaims = [compactGroupProjectorClaim];
