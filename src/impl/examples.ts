import { EqflowError } from '../core/errors.js';
import { RandomStream } from '../core/rng.js';
import { symmetricGenerators } from '../groups/permGroup.js';
import { CaseInput, CaseSpec, parseCase } from './caseSpec.js';

/**
 * The built-in examples of docs/theory.md §6–7 as named Cases, each with its documented start point. They are what
 * `eqflow flow --case NAME` and the experiments run, and what the theorem claims use as fixed cases.
 */
export interface Example {
  readonly name: string;
  readonly description: string;
  readonly spec: CaseSpec;
  /** the documented start A(0), a pure function of the case */
  readonly start: string;
  startPoint(dim: number): Float64Array;
}

const q = Math.sqrt(6 / 5);

/** docs/theory.md §6 Example Q as an ordinary dense-network Case: Φ_A(x) = (Ax)² on R² with the swap. */
export const exampleQSpec: CaseSpec = parseCase({
  name: 'example-q', group: { kind: 'cyclic', n: 2 },
  model: { kind: 'mlp', input: { kind: 'shift', dim: 2 }, hidden: [], output: { kind: 'trivial' }, outputActivation: 'square' },
  data: { kind: 'explicit', x: [[Math.SQRT1_2, Math.SQRT1_2], [1, 0]], y: [[1], [4]] },
});

/** A*: √(6/5)(1,1), stationary for both flows; H_eq = 6, H_⊥ = −1/5, γ_loc = 1/5, global μ = 2. */
export const EXAMPLE_Q = { aStar: q, Heq: 6, Hperp: -1 / 5, gammaLoc: 1 / 5, mu: 2 } as const;

/** Seeded N(0, scale²) start, for the networks. */
const seeded = (scale: number) => (dim: number) => new RandomStream('start').gaussianVector(dim, scale);

function example(name: string, description: string, spec: Omit<CaseInput, 'name'>, start: string, startPoint: (dim: number) => Float64Array): Example {
  return { name, description, spec: parseCase({ ...spec, name }), start, startPoint };
}

/** The built-in cases of `eqflow flow --list` (docs/theory.md §6, §7), each with its Case and start point. */
export const examples: readonly Example[] = [
  { name: 'example-q', description: 'docs/theory.md §6 Example Q: one quadratic neuron, G = C2 (closed form)', spec: exampleQSpec, start: 'A* + 0.05·(1,−1)/√2 (near the saddle of augmented training)', startPoint: () => Float64Array.from([q + 0.05 * Math.SQRT1_2, q - 0.05 * Math.SQRT1_2]) },
  example('nominal-leaves-e', 'docs/theory.md §6: linear Φ_A(x) = Ax on R² with the swap, one datum x = (1,0), y = 1',
    { group: { kind: 'cyclic', n: 2 }, model: { kind: 'mlp', input: { kind: 'shift', dim: 2 }, hidden: [], output: { kind: 'trivial' } }, data: { kind: 'explicit', x: [[1, 0]], y: [[1]] } },
    'A = 0 ∈ E', (dim) => new Float64Array(dim)),
  example('skew-support', 'docs/theory.md §6: C4 on one 3×3 kernel, invariant linear model, skew support (incompatible), datum at the corner (0,2)',
    {
      group: { kind: 'cyclic', n: 4 }, model: { kind: 'mlp', input: { kind: 'rot90', k: 3 }, hidden: [], output: { kind: 'trivial' } },
      admissible: { kind: 'mask', mask: [1, 1, 0, 1, 0, 1, 0, 1, 0], name: 'skew' }, data: { kind: 'explicit', x: [[0, 0, 1, 0, 0, 0, 0, 0, 0]], y: [[1]] },
    },
    'W = 0 ∈ E', (dim) => new Float64Array(dim)),
  example('non-unitary', 'docs/theory.md §6: L = H = R² with the swap, A = Mθ, M = [[1,0],[1,1]] (K = MMᵀ does not commute with Π_G)',
    {
      group: { kind: 'cyclic', n: 2 }, model: { kind: 'mlp', input: { kind: 'shift', dim: 2 }, hidden: [], output: { kind: 'trivial' } },
      data: { kind: 'explicit', x: [[1, 0]], y: [[1]] }, parametrization: { kind: 'matrix', M: [[1, 0], [1, 1]] },
    },
    '(0.5, 0.5) ∈ E', () => Float64Array.from([0.5, 0.5])),
  example('toy-cnn', 'docs/theory.md §6 toy CNN: C4 on 4×4 images, conv 3×3 1→2, tanh, invariant linear map to R³; 64 seeded images labelled by a seeded equivariant teacher network plus noise 0.1',
    {
      group: { kind: 'cyclic', n: 4 }, model: { kind: 'cnn', imageSize: 4, inChannels: 1, outputs: 3, blocks: [{ outChannels: 2, pool: false, layerNorm: false, activation: 'tanh' }] },
      data: { kind: 'teacher', seed: 'toy-cnn', count: 64, equivariant: true },
    },
    'seeded N(0, 0.5²)', seeded(0.5)),
  example('small-mlp', 'C4 by shifts of 4 on R^16 → 32 → 32 (tanh) → R, 32 seeded samples (the benchmark case)',
    {
      group: { kind: 'cyclic', n: 4 },
      model: { kind: 'mlp', input: { kind: 'shift', dim: 16, step: 4 }, hidden: [{ kind: 'shift', dim: 32, step: 8 }, { kind: 'shift', dim: 32, step: 8 }], output: { kind: 'trivial' } },
      data: { kind: 'synthetic', seed: 'small-mlp', count: 32 },
    },
    'seeded N(0, 0.2²)', seeded(0.2)),
  example('deepsets-s4', 'S4 on R^4 → R^4 ⊕ R^4 (tanh) → R (permutation-invariant), 16 seeded samples',
    {
      group: { kind: 'symmetric', n: 4 },
      model: { kind: 'mlp', input: { kind: 'natural' }, hidden: [{ kind: 'sum', parts: [{ kind: 'natural' }, { kind: 'natural' }] }], output: { kind: 'trivial' }, bias: true },
      data: { kind: 'synthetic', seed: 'deepsets', count: 16 },
    },
    'seeded N(0, 0.5²)', seeded(0.5)),
  example('so2-vectors', 'SO(2) on R² vectors: a rotation-equivariant linear network ψ_1 → ψ_1 ⊕ ψ_1 → ψ_1 (identity σ), squared loss; Π_G and R^aug exact with the 3-angle Haar rule (degree 2), 16 seeded samples',
    {
      group: { kind: 'SO2', points: 3 },
      model: { kind: 'mlp', input: { kind: 'band-limited', frequencies: [1] }, hidden: [{ kind: 'band-limited', frequencies: [1, 1] }], output: { kind: 'band-limited', frequencies: [1] }, activation: 'identity' },
      data: { kind: 'synthetic', seed: 'so2-vectors', count: 16 },
    },
    'seeded N(0, 0.5²)', seeded(0.5)),
  example('o2-circle-signals', 'O(2) on band-limited signals on the circle (Fourier modes 0..2) → 4 invariant features (square σ) → R; R^aug of degree 8 exact with 9 angles and their reflections, 16 seeded samples',
    {
      group: { kind: 'O2', points: 9 },
      model: { kind: 'mlp', input: { kind: 'circle', K: 2 }, hidden: [{ kind: 'trivial', dim: 4 }], output: { kind: 'trivial' }, activation: 'square', bias: true },
      data: { kind: 'synthetic', seed: 'o2-circle', count: 16 },
    },
    'seeded N(0, 0.3²)', seeded(0.3)),
  example('sets-s30', 'S_30 by its two generators (never enumerated; |G| = 30! ≈ 2.7e32) on sets: R^30 → R^30 (tanh, bias) → R (permutation-invariant), 32 seeded samples; nominal, equivariant and regularized nominal dynamics (R^aug is not enumerable: its claims run on sampled steps)',
    {
      group: { kind: 'perm-generators', generators: symmetricGenerators(30) },
      model: { kind: 'mlp', input: { kind: 'natural' }, hidden: [{ kind: 'natural' }], output: { kind: 'trivial' }, bias: true },
      data: { kind: 'synthetic', seed: 'sets-s30', count: 32 },
    },
    'seeded N(0, 0.3²)', seeded(0.3)),
  example('sets-s20-linear', 'S_20 by its two generators (never enumerated) on sets: one linear layer R^20 → R^20 with bias (a DeepSets layer, dim H = 420), squared loss, 32 seeded samples; every dynamics, the augmented ones exact by twirled moments (docs/theory.md §8)',
    {
      group: { kind: 'perm-generators', generators: symmetricGenerators(20) },
      model: { kind: 'mlp', input: { kind: 'natural' }, hidden: [], output: { kind: 'natural' }, bias: true },
      data: { kind: 'synthetic', seed: 'sets-s20-linear', count: 32 },
    },
    'seeded N(0, 0.3²)', seeded(0.3)),
  example('paper-cnn', 'docs/theory.md §7 CNN on 28×28, C4, cross-entropy, 100 MNIST digits of the mnist package (10 per class, seeded)',
    {
      group: { kind: 'cyclic', n: 4 },
      model: {
        kind: 'cnn', imageSize: 28, inChannels: 1, outputs: 10,
        blocks: [{ outChannels: 16, pool: true, layerNorm: true, activation: 'tanh' }, { outChannels: 16, pool: true, layerNorm: true, activation: 'tanh' }],
      },
      data: { kind: 'mnist', count: 100 }, loss: 'cross-entropy',
    },
    'seeded N(0, 0.1²)', seeded(0.1)),
];

/** A built-in case by name, or an EqflowError listing the names. */
export function exampleByName(name: string): Example {
  const e = examples.find((x) => x.name === name);
  if (!e) throw new EqflowError('invalid-argument', 'case', `unknown case '${name}' (known: ${examples.map((x) => x.name).join(', ')}; or give a case file)`);
  return e;
}
