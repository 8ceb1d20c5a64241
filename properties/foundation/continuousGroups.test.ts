/**
 * docs/theory.md §8, SO(2) and O(2) by band-limited representations: Haar averages are exact with N = degree + 1
 * equispaced angles (and N − 1 points are not enough), Π_G by the rule equals Π_G by conjugate gradients on the
 * topological generators, the augmented risk of polynomial networks is exact at the derived degree, other
 * activations carry an a-posteriori quadrature estimate, and sampled averages approach exact ones at rate 1/√m
 * within a stated statistical tolerance (also for S_50, where only sampling and orbits are possible).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { norm } from '../../src/core/kernels.js';
import { RandomStream } from '../../src/core/rng.js';
import { EPS } from '../../src/core/tolerance.js';
import { Planar, equispacedAngles, permutationGroup, planarGroup } from '../../src/groups/compact.js';
import { symmetricByGenerators } from '../../src/groups/permGroup.js';
import { plainNetwork } from '../../src/models/plain.js';
import { GroupAction, bandLimited, layerAction, matrixOf, pointAction, regularTruncated, tensorAction } from '../../src/reps/action.js';
import { dataset } from '../../src/risk/dataset.js';
import {
  GroupRisk, adaptiveHaarRisk, boundedTolerance, augmentedRiskDegree, exactAugmentedRisk, perSampleRisk, sampleMean, sampledTolerance, transformedRisk,
} from '../../src/risk/haarRisk.js';
import { losses } from '../../src/risk/losses.js';
import { fixedSpaceProjector, iterativeProjector, ruleProjector } from '../../src/space/fixedSpace.js';
import { symmetricEigen } from '../../src/analysis/eigen.js';
import { gapOfM, schurRank } from '../../src/claims/compactGroups.js';
import { checkProperty, gaussianVectors } from '../arbitraries/index.js';

const dist = (a: Float64Array, b: Float64Array): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));
const SO2 = planarGroup(false);
const O2 = planarGroup(true);
const planar = (reflections: boolean) => fc.record({ theta: fc.double({ min: 0, max: 2 * Math.PI, noNaN: true }), reflect: reflections ? fc.boolean() : fc.constant(false) });

describe('SO(2), O(2) and band-limited representations', () => {
  it('ψ is a homomorphism into O(dim): ρ(a)ρ(b) = ρ(ab), ρ(a⁻¹) = ρ(a)ᵀ', () => {
    for (const G of [SO2, O2]) {
      const rho = bandLimited(G, [0, 1, 3, 2]);
      checkProperty(fc.property(planar(G === O2), planar(G === O2), (a, b) => {
        const A = matrixOf(rho, a), B = matrixOf(rho, b), AB = matrixOf(rho, G.mul(a, b)), Ai = matrixOf(rho, G.inv(a));
        const d = rho.dim;
        for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += A[i * d + k] * B[k * d + j];
          // entries are sums of d products of cos/sin, each rounded once, plus the angle's own round-off
          expect(Math.abs(s - AB[i * d + j])).toBeLessThanOrEqual(64 * d * EPS * 8);
          expect(Math.abs(Ai[i * d + j] - A[j * d + i])).toBeLessThanOrEqual(64 * EPS * 8);
        }
      }), { runs: 100 });
    }
  });

  it('N = K + 1 equispaced angles average ψ_{≤K} exactly onto its frequency-0 part; N = K angles do not (negative control)', () => {
    for (const K of [1, 2, 5]) {
      const rho = regularTruncated(SO2, K);
      const [x] = gaussianVectors(K, 1, rho.dim);
      const exact = ruleProjector(rho, SO2.haarRule(K)!).apply(x).out;
      const want = new Float64Array(rho.dim);
      want[0] = x[0];
      expect(dist(exact, want)).toBeLessThanOrEqual(16 * (K + 1) * EPS * norm(x));
      const short = ruleProjector(rho, SO2.haarRule(K - 1)!).apply(x).out; // frequency K aliases to 0
      expect(dist(short, want)).toBeGreaterThan(1e-3 * norm(x));
    }
    expect(Array.from(equispacedAngles(3))).toEqual([0, Math.PI / 2, Math.PI, 1.5 * Math.PI]);
  });

  it('Π_G on layer spaces: the Haar rule of the action\'s degree equals conjugate gradients on the topological generators', () => {
    for (const [G, K, rank] of [[SO2, 3, 2 + 2 * 3], [O2, 3, 2 + 3]] as const) { // Hom(ψ_{≤K} ⊕ 1, ψ_{≤K}): 2 from ψ_0, 2 (SO(2)) or 1 (O(2)) per k ≥ 1
      const reg = regularTruncated(G, K);
      const act = layerAction([reg, reg], true);
      expect(act.degree).toBe(2 * K);
      const P = fixedSpaceProjector(act);
      expect(P.method).toBe('haar-rule');
      const [x] = gaussianVectors(K, 1, act.dim);
      const byRule = P.apply(x).out;
      const { out: byCg, residual } = iterativeProjector(act).apply(x);
      // CG's stopping residual over λ_min(M) ≥ 2 − 2cos(1) (frequency 1 under the 1-radian generator): ~1e-13 relative
      expect(dist(byRule, byCg)).toBeLessThanOrEqual(1e-10 * norm(x));
      expect(residual).toBeLessThanOrEqual(1e-10 * norm(x));
      // dim H_G = tr Π_G, by applying Π_G to the unit vectors
      let tr = 0;
      const e = new Float64Array(act.dim);
      for (let i = 0; i < act.dim; i++) { e.fill(0); e[i] = 1; tr += P.apply(e).out[i]; }
      expect(Math.abs(tr - rank)).toBeLessThanOrEqual(1e-12 * act.dim);
      // negative control: one angle short of the degree, the rule is not Π_G
      const short = ruleProjector(act, G.haarRule(act.degree - 1)!).apply(x).out;
      expect(dist(short, byRule)).toBeGreaterThan(1e-3 * norm(x));
    }
  });
});

describe('compact-group-projector\'s two closed forms (src/claims/compactGroups.ts)', () => {
  // M = Σ_s (I − ρ̄(s))ᵀ(I − ρ̄(s)) formed densely: its kernel is H_G, so its zero eigenvalues count dim H_G, and its
  // smallest nonzero one is the λ the claim divides CG's residual by
  const spectrumOfM = (G: typeof SO2, input: number[], output: number[], bias: boolean): number[] => {
    const act = layerAction([bandLimited(G, input), bandLimited(G, output)], bias);
    const d = act.dim;
    const M = Array.from({ length: d }, () => new Array<number>(d).fill(0));
    for (const s of G.generators) {
      const R = matrixOf(act, s);
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
        let v = 0;
        for (let k = 0; k < d; k++) v += ((k === i ? 1 : 0) - R[k * d + i]) * ((k === j ? 1 : 0) - R[k * d + j]);
        M[i][j] += v;
      }
    }
    return symmetricEigen(M).values.sort((a, b) => a - b);
  };

  it('Schur\'s count is M\'s kernel dimension and gapOfM bounds its smallest nonzero eigenvalue; one frequency alone does not bound it (negative control)', () => {
    let belowFirst = 0;
    for (const [G, name] of [[SO2, 'SO2'], [O2, 'O2']] as const) {
      for (const [input, output, bias] of [[[1], [1], false], [[0, 2], [2, 1], true], [[3, 3], [3], false], [[0], [1], true], [[2, 0, 3], [3, 1, 0], true]] as const) {
        const ev = spectrumOfM(G, [...input], [...output], bias);
        // M's entries are sums of O(d) unit-scale products: round-off far below the smallest gap (2 − 2cos 6 = 0.08)
        const zero = ev.filter((v) => Math.abs(v) < 1e-9).length;
        expect(zero, `${name} ${input}→${output} bias ${bias}`).toBe(schurRank(name, bias ? [...input, 0] : [...input], [...output]));
        const D = Math.max(...input) + Math.max(...output);
        const lambda = ev[zero];
        expect(lambda).toBeGreaterThanOrEqual(gapOfM(name, D) - 1e-9);
        if (lambda < 2 - 2 * Math.cos(1) - 1e-3) belowFirst++;
      }
    }
    // a bound from frequency 1 alone (2 − 2cos 1 = 0.92) would overstate the gap: on these layers it does
    expect(belowFirst).toBeGreaterThan(0);
    expect(schurRank('SO2', [1], [1])).toBe(2);
    expect(schurRank('O2', [1], [1])).toBe(1);
    expect(schurRank('SO2', [0, 1], [2])).toBe(0);
  });
});

/** A rotation network: band-limited input ψ_in, hidden ψ_h, output ψ_out; plain arithmetic, the group acts on the data. */
function rotationRisk(G: typeof SO2, inFreq: number[], hidden: number, outFreq: number[], acts: string[], seed: number): GroupRisk<Planar> {
  const input = bandLimited(G, inFreq), output = bandLimited(G, outFreq);
  const model = plainNetwork([input.dim, hidden, output.dim], acts, true);
  const rng = new RandomStream(seed);
  const count = 3;
  const data = dataset(rng.gaussianVector(count * input.dim), rng.gaussianVector(count * output.dim), input.dim, output.dim);
  return { model, data, loss: losses.squared, input, output };
}

describe('the augmented risk of rotation networks (docs/theory.md §8)', () => {
  it('identity/square networks: exact at N = degree + 1 angles, N = degree is not enough (negative control)', () => {
    for (const [G, acts, inF, outF] of [
      [SO2, ['square', 'identity'], [0, 1, 2], [1]],
      [O2, ['square', 'identity'], [1, 3], [0, 2]],
      [SO2, ['identity', 'identity'], [2], [0, 1]],
    ] as const) {
      const r = rotationRisk(G, [...inF], 4, [...outF], [...acts], 7);
      const D = augmentedRiskDegree(acts, Math.max(...inF), Math.max(...outF), 'squared')!;
      const A = new RandomStream('A').gaussianVector(r.model.space.dim, 0.5);
      const g1 = new Float64Array(A.length), g2 = new Float64Array(A.length), g0 = new Float64Array(A.length);
      const exact = exactAugmentedRisk(r, D, A, g1);
      const fine = exactAugmentedRisk(r, 4 * D + 3, A, g2); // exact too, with 4× the points
      // two exact quadratures differ by round-off of N·count·dim operations on unit-scale terms
      const tol = 16 * (4 * D + 4) * r.data.count * r.model.space.dim * EPS * Math.max(1, Math.abs(exact));
      expect(Math.abs(exact - fine)).toBeLessThanOrEqual(tol);
      expect(dist(g1, g2)).toBeLessThanOrEqual(tol * Math.max(1, norm(g1)));
      const short = exactAugmentedRisk(r, D - 1, A, g0);
      expect(Math.abs(short - fine)).toBeGreaterThan(1e3 * tol);
    }
  });

  it('tanh networks: the doubling estimate bounds the quadrature error against a 1024-point reference', () => {
    const r = rotationRisk(SO2, [0, 1, 2], 4, [1], ['tanh', 'identity'], 3);
    const A = new RandomStream('A').gaussianVector(r.model.space.dim, 0.7);
    const res = adaptiveHaarRisk(r, A, { tol: 1e-10, startDegree: 3 });
    const ref = exactAugmentedRisk(r, 1023, A, null);
    expect(Math.abs(res.value - ref)).toBeLessThanOrEqual(res.valueError + 16 * 1024 * EPS * Math.abs(ref));
    // negative control: the first rule (4 angles) alone is off by far more than the final estimate
    expect(Math.abs(exactAugmentedRisk(r, 3, A, null) - ref)).toBeGreaterThan(10 * res.valueError);
  });
});

describe('sampled averages approach exact ones at rate 1/√m (statistical claims)', () => {
  const ALPHA = 1e-2; // each comparison fails with probability ≤ 1% under a correct sampler, whatever the distribution (Markov)

  it('sampled-augmentation gradients of a rotation network: within the Markov tolerance of the exact gradient, error ratio ≈ 2 from m to 4m', () => {
    const r = rotationRisk(SO2, [0, 1, 2], 4, [1], ['square', 'identity'], 11);
    const D = augmentedRiskDegree(['square', 'identity'], 2, 1, 'squared')!;
    const A = new RandomStream('A').gaussianVector(r.model.space.dim, 0.5);
    const exact = new Float64Array(A.length);
    exactAugmentedRisk(r, D, A, exact);
    const rng = new RandomStream('sampled');
    const draw = (sampler: () => Planar) => {
      const g = new Float64Array(A.length);
      perSampleRisk(r, A, Array.from({ length: r.data.count }, sampler), g);
      return g;
    };
    const m = 1000;
    const uniform = () => SO2.sample(rng);
    const { mean, totalVariance } = sampleMean(Array.from({ length: m }, () => draw(uniform)));
    expect(dist(mean, exact)).toBeLessThanOrEqual(sampledTolerance(totalVariance, m, ALPHA));
    // rate: mean squared error over 40 repeats at m = 25 and 100; E‖X̄_m − μ‖² = τ²/m exactly, so the RMS ratio is 2
    const rms = (mm: number) => Math.sqrt(Array.from({ length: 40 }, () => dist(sampleMean(Array.from({ length: mm }, () => draw(uniform))).mean, exact) ** 2).reduce((a, b) => a + b) / 40);
    const ratio = rms(25) / rms(100);
    expect(ratio).toBeGreaterThan(1.4); // 40 repeats: the RMS ratio's relative spread is ~ √(2/40)·… ≈ 0.25; bounds at ±0.6
    expect(ratio).toBeLessThan(2.8);
    // negative control: angles drawn only from [0, π/2) are not Haar: the mean converges elsewhere and is rejected
    const half = () => ({ theta: rng.uniformIn(0, Math.PI / 2), reflect: false });
    const biased = sampleMean(Array.from({ length: m }, () => draw(half)));
    expect(dist(biased.mean, exact)).toBeGreaterThan(sampledTolerance(biased.totalVariance, m, ALPHA));
  });

  it('S_50 on 50×50 adjacency matrices: the mean of m = 200 random ρ(g)x is within tolerance of Π_G x by orbits; a lazy sampler is rejected', () => {
    const n = 50;
    const G = permutationGroup(symmetricByGenerators(n));
    const nat = pointAction(G);
    const act: GroupAction<Int32Array> = tensorAction(nat, nat);
    const [x] = gaussianVectors(5, 1, act.dim);
    const px = fixedSpaceProjector(act).apply(x).out;
    const rng = new RandomStream('s50');
    const m = 200;
    // the total variance is known exactly: E‖ρ̄(g)x − Π_G x‖² = ‖x‖² − ‖Π_G x‖² (ρ̄ orthogonal, Π_G its mean)
    const tau2 = norm(x) ** 2 - norm(px) ** 2;
    const meanOf = (sample: () => Int32Array): Float64Array => {
      const mean = new Float64Array(act.dim), t = new Float64Array(act.dim);
      for (let k = 0; k < m; k++) { act.apply(sample(), x, t); for (let i = 0; i < t.length; i++) mean[i] += t[i] / m; }
      return mean;
    };
    const err = dist(meanOf(() => G.sample(rng)), px);
    // every sample is at distance exactly τ from Π_G x, so the bounded-difference tolerance applies (α = 10⁻³)
    const tol = boundedTolerance(Math.sqrt(tau2), Math.sqrt(tau2), m, 1e-3);
    expect(err).toBeLessThanOrEqual(tol);
    // and not absurdly small either: E err² = τ²/m, so err < 0.5·τ/√m would be a (chi-square-like) 1e-6 event at this dimension
    expect(err).toBeGreaterThan(0.5 * Math.sqrt(tau2 / m));
    // negative control: a sampler returning the identity half of the time has mean (x + Π_G x)/2, at distance τ/2
    const lazy = () => (rng.uniform() < 0.5 ? G.identity : G.sample(rng));
    expect(dist(meanOf(lazy), px)).toBeGreaterThan(tol);
  });
});

/** The transformedRisk helper with uniform weights over sampled elements is the sampled average of R at those elements. */
it('transformedRisk with one element equals the per-sample risk with that element for every sample', () => {
  const r = rotationRisk(O2, [1], 3, [0], ['identity', 'identity'], 2);
  const A = new RandomStream('A').gaussianVector(r.model.space.dim);
  const g: Planar = { theta: 0.3, reflect: true };
  expect(transformedRisk(r, A, [g], [1], null)).toBe(perSampleRisk(r, A, [g, g, g], null));
});
