import fc from 'fast-check';
import { roundoff } from '../core/tolerance.js';
import { RandomStream } from '../core/rng.js';
import { Perm, symmetricGenerators } from '../groups/permGroup.js';
import { CaseInput, CaseSpec, RepSpec, parseCase } from '../impl/caseSpec.js';
import { Implementation } from '../impl/implementation.js';
import { boundedTolerance } from '../risk/haarRisk.js';
import { register } from './engine.js';
import { diff, norm, numerics, withSession } from './util.js';

/** Per-case level of the sampled check; 25 cases keep the claim's family-wise level ≤ 2.5·10⁻⁵ (union bound). */
export const LARGE_ALPHA = 1e-6;
/** Sampled steps averaged per case: tolerance ∝ 1/√m, and the dropped-generator control must exceed it. */
export const LARGE_SAMPLES = 256;

/** A generated S_n case (n ≥ 20, never enumerated): a DeepSets or graph network, explicit seeded data. */
export interface LargeCaseInput {
  n: number;
  kind: 'sets' | 'graphs';
  activation: 'tanh' | 'softplus' | 'identity' | 'square';
  count: number;
  seed: number;
  eta: number;
  gamma: number;
  /** the negative control's planted bug: elements drawn from ⟨(0 1)⟩ only (the n-cycle generator dropped) */
  drop: boolean;
}

/** The Case of a generated input: S_n on sets (R^n → R^n → R, bias) or graphs (R^{n×n} → R^n → R), seeded explicit data. */
export function largeCaseSpec(c: Pick<LargeCaseInput, 'n' | 'kind' | 'activation' | 'count' | 'seed'>): CaseSpec {
  const input: RepSpec = c.kind === 'sets' ? { kind: 'natural' } : { kind: 'adjacency' };
  const nIn = c.kind === 'sets' ? c.n : c.n * c.n;
  const rng = new RandomStream(`large/${c.seed}`);
  const x = Array.from({ length: c.count }, () => Array.from(rng.gaussianVector(nIn)));
  const y = Array.from({ length: c.count }, () => [rng.gaussian()]);
  const spec: CaseInput = {
    name: `S${c.n}-${c.kind}/${c.activation}`, group: { kind: 'perm-generators', generators: symmetricGenerators(c.n) },
    model: { kind: 'mlp', input, hidden: [{ kind: 'natural' }], output: { kind: 'trivial' }, activation: c.activation, bias: c.kind === 'sets' },
    data: { kind: 'explicit', x, y },
  };
  return parseCase(spec);
}

/** The same case on its sample s alone (its risk is ℓ_s). */
function oneSample(spec: CaseSpec, s: number): CaseSpec {
  const d = spec.data as { kind: 'explicit'; x: number[][]; y: number[][] };
  return parseCase({ ...spec, name: `${spec.name}/sample${s}`, data: { kind: 'explicit', x: [d.x[s]], y: [d.y[s]] } });
}

// graphs stop at n = 24 (13 848 parameters): 256 sampled steps at n = 30 (27 030) take about a second
const sizes = fc.oneof(
  fc.record({ kind: fc.constant<'sets'>('sets'), n: fc.constantFrom(20, 30, 50) }),
  fc.record({ kind: fc.constant<'graphs'>('graphs'), n: fc.constantFrom(20, 24) }),
);

const largeInput = (drop: boolean): fc.Arbitrary<LargeCaseInput> => fc.record({
  size: sizes,
  activation: fc.constantFrom<LargeCaseInput['activation']>('tanh', 'softplus', 'identity', 'square'),
  count: fc.integer({ min: 1, max: 3 }),
  seed: fc.integer({ min: 0, max: 2 ** 31 - 1 }),
  eta: fc.double({ min: 0.01, max: 0.5, noNaN: true }),
  gamma: fc.double({ min: 0, max: 5, noNaN: true }),
  drop: fc.constant(drop),
}).map(({ size, ...rest }) => ({ ...size, ...rest }));

/** The identity or the transposition (0 1), each with probability ½: Haar on ⟨(0 1)⟩ ≤ S_n (the planted bug). */
function transpositionOnly(n: number, rng: RandomStream): Perm {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  if (rng.uniform() < 0.5) [p[0], p[1]] = [1, 0];
  return p;
}

/** Haar-random elements of S_n, one per sample: a product of uniform transpositions and n-cycle powers would be slow to mix, so this is a Fisher–Yates shuffle (exactly uniform). */
function randomPerm(n: number, rng: RandomStream): Perm {
  const p = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = n - 1; i > 0; i--) {
    const j = rng.int(i + 1);
    [p[i], p[j]] = [p[j], p[i]];
  }
  return p;
}

/**
 * Large-S_n sampled augmentation (docs/theory.md §8, Lemma 2(c), Theorem 1 discrete form, R4), through the
 * implementation. At A = Π_G x ∈ E: exactly, ρ̄(g)A = A for random g; statistically, the mean of m sampled-
 * augmentation steps X_j = A − η(∇R_{g_j·D}(A) + γΠ_{E⊥}A) approaches the exact-average step
 * μ = A − ηΠ_G∇R(A), which the group's size forbids computing as an average but Lemma 2(c) gives in closed form
 * (∇R^aug = Π_G∇R on H_G). On H_G, ∇ℓ(A; gx, gy) = ρ̄(g)∇ℓ_s(A), so X_j − μ = −(η/c)Σ_s (ρ̄(g_s) − Π_G)∇ℓ_s with
 * ‖(ρ̄(g) − Π_G)v‖ = τ_s := √(‖v‖² − ‖Π_G v‖²) for every g: ‖X_j − μ‖ ≤ B = (η/c)Σ_s τ_s and E‖X_j − μ‖² =
 * (η/c)²Σ_s τ_s², whence McDiarmid's tolerance (boundedTolerance) at level α, plus the round-off of the steps.
 */
async function checkSampledAugmentation(impl: Implementation, input: LargeCaseInput): Promise<{ ratio: number; detail: string }> {
  const spec = largeCaseSpec(input);
  const { n, eta, gamma, count, drop } = input;
  const eps = numerics(impl).eps;
  const rng = new RandomStream(`large-steps/${input.seed}`);
  return withSession(impl, spec, async (sess) => {
    const A = await sess.project('G', rng.child('x').gaussianVector(sess.dim, 0.5));
    // exact: A is fixed by random elements (Π_G is an orbit mean, the action a permutation of coordinates)
    const ro = roundoff(norm(A), sess.dim, eps);
    let exact = 0;
    for (let k = 0; k < 3; k++) exact = Math.max(exact, diff(await sess.act(randomPerm(n, rng), A), A) / ro);
    const grad = (await sess.risk('nominal', A)).gradient;
    const pg = await sess.project('G', grad);
    const mu = A.map((a, i) => a - eta * pg[i]);
    const tauS: number[] = [];
    for (let s = 0; s < count; s++) {
      const g = await withSession(impl, oneSample(spec, s), async (one) => (await one.risk('nominal', A)).gradient);
      const p = await sess.project('G', g);
      tauS.push(Math.sqrt(Math.max(norm(g) ** 2 - norm(p) ** 2, 0)));
    }
    const bound = (eta / count) * tauS.reduce((a, b) => a + b, 0);
    const tau = (eta / count) * Math.sqrt(tauS.reduce((a, b) => a + b * b, 0));
    const mean = new Float64Array(sess.dim);
    for (let j = 0; j < LARGE_SAMPLES; j++) {
      const els = Array.from({ length: count }, () => (drop ? transpositionOnly(n, rng) : randomPerm(n, rng)));
      const X = await sess.sampledStep(A, eta, gamma, els);
      for (let i = 0; i < X.length; i++) mean[i] += X[i] / LARGE_SAMPLES;
    }
    // each step: a gradient of O(dim) terms of size ≤ ‖∇ℓ‖ scaled by η, plus A; the mean adds m terms
    const slack = roundoff(norm(A) + eta * (norm(grad) + bound / eta), sess.dim + LARGE_SAMPLES, eps);
    const tol = boundedTolerance(tau, bound, LARGE_SAMPLES, LARGE_ALPHA) + slack;
    const stat = diff(mean, mu) / tol;
    return {
      ratio: Math.max(exact, stat),
      detail: `S${n} ${input.kind} (dim H = ${sess.dim}, ${count} samples): ρ̄(g)A = A to ${exact.toExponential(2)} of round-off; mean of m = ${LARGE_SAMPLES} sampled steps at ${stat.toFixed(3)} of its α = ${LARGE_ALPHA} tolerance ${tol.toExponential(2)} (B = ${bound.toExponential(2)})`,
    };
  });
}

/** Sampled augmentation on S_n by generators (n = 20…50) converges to the exact-average step [statistical]. */
export const largeSampledAugmentationClaim = register<LargeCaseInput>({
  id: 'large-sn-sampled-augmentation',
  title: 'S_n by generators (n = 20…50), A ∈ E: ρ̄(g)A = A, and the mean of m sampled-augmentation steps is within McDiarmid\'s tolerance of A − ηΠ_G∇R(A) [statistical, α = 10⁻⁶ per case]',
  source: 'Lemma 2(c), Theorem 1 (discrete form), R4 on docs/theory.md §8 groups',
  needs: ['action', 'projectors', 'risk', 'sampled-step', 'perm-generators'],
  // 256 sampled steps of ≤ 14 000 parameters per case
  runs: 25,
  statistical: { alpha: 25 * LARGE_ALPHA },
  arbitrary: largeInput(false),
  check: checkSampledAugmentation,
  negative: { arbitrary: largeInput(true), description: 'elements drawn from ⟨(0 1)⟩ only (the n-cycle generator dropped): the sampled mean approaches Π_{⟨(0 1)⟩}∇R, not Π_G∇R' },
});

/** The claims on Cases of groups by generators. */
export const largeCaseClaims = [largeSampledAugmentationClaim];
