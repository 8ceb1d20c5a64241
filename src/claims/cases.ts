import fc from 'fast-check';
import { RandomStream } from '../core/rng.js';
import { buildCase, buildGroup, buildModel, buildRep } from '../impl/build.js';
import { ACTIVATIONS, AdmissibleSpec, CaseInput, CaseSpec, ModelSpec, RepSpec, parseCase } from '../impl/caseSpec.js';
import { supports } from '../space/supports.js';
import { exampleQSpec } from '../impl/examples.js';

/**
 * Generated Cases (plain JSON) for the theorem claims. Families inside the hypotheses (compatible L, unitary
 * parametrization, equivariant σ, invariant loss) and, for negative controls, families outside them.
 */

/** σ satisfying A2 and A4 (C²): the theorems' hypotheses. leaky-relu (not C²) enters only the lemma cases. */
const smoothActivation = fc.constantFrom('tanh', 'softplus', 'sigmoid', 'square', 'identity' as const);
const anyActivation = fc.constantFrom('tanh', 'softplus', 'sigmoid', 'leaky-relu(0.1)', 'square', 'identity' as const);
const dataSeed = fc.integer({ min: 0, max: 1_000_000 });

/** Regular permutation action of D_n on the n-gon's vertices: r^k s^f maps i ↦ k + (−1)^f i mod n. */
function dihedralVertexPerms(n: number): number[][] {
  const perms: number[][] = [];
  for (let f = 0; f < 2; f++) for (let k = 0; k < n; k++) perms.push(Array.from({ length: n }, (_, i) => (((k + (f ? -i : i)) % n) + n) % n));
  return perms;
}

/** D3 × C2 on the triangle's vertices (pulled back from D3) and on the prism's two faces (from C2). */
const triangle: RepSpec = { kind: 'factor', which: 0, rep: { kind: 'permutation', perms: dihedralVertexPerms(3) } };
const faces: RepSpec = { kind: 'factor', which: 1, rep: { kind: 'shift', dim: 2 } };
/** The prism's vertices R³ ⊗ R² of D3 × C2: D3 permutes the triangle's vertices, C2 swaps the two faces. */
const prism = (): RepSpec => ({ kind: 'tensor', a: triangle, b: faces });

interface Family {
  group: CaseSpec['group'];
  input: RepSpec;
  hidden: (c: number) => RepSpec;
  outputs: RepSpec[];
  /** pointwise σ commute with this family's hidden representation (A2); false for dense rotations */
  pointwise: boolean;
}

const families: Family[] = [
  ...[2, 3, 4].map((n): Family => ({
    group: { kind: 'cyclic', n }, input: { kind: 'shift', dim: 2 * n, step: 2 }, hidden: (c) => ({ kind: 'shift', dim: n * c, step: c }),
    outputs: [{ kind: 'trivial', dim: 1 }, { kind: 'trivial', dim: 2 }, { kind: 'shift', dim: n, step: 1 }], pointwise: true,
  })),
  ...[3, 4].map((n): Family => ({
    group: { kind: 'dihedral', n }, input: { kind: 'permutation', perms: dihedralVertexPerms(n) },
    hidden: (c) => ({ kind: 'sum', parts: Array.from({ length: c }, () => ({ kind: 'permutation', perms: dihedralVertexPerms(n) }) as RepSpec) }),
    outputs: [{ kind: 'trivial', dim: 1 }, { kind: 'permutation', perms: dihedralVertexPerms(n) }], pointwise: true,
  })),
  {
    group: { kind: 'symmetric', n: 3 }, input: { kind: 'natural' }, hidden: (c) => ({ kind: 'sum', parts: Array.from({ length: c }, () => ({ kind: 'natural' }) as RepSpec) }),
    outputs: [{ kind: 'trivial', dim: 1 }, { kind: 'natural' }], pointwise: true,
  },
  {
    group: { kind: 'cyclic', n: 4 }, input: { kind: 'rot90', k: 2, channels: 1 }, hidden: (c) => ({ kind: 'rot90', k: 2, channels: c }),
    outputs: [{ kind: 'trivial', dim: 1 }, { kind: 'rot90', k: 2, channels: 1 }], pointwise: true,
  },
  {
    group: { kind: 'cyclic', n: 3 }, input: { kind: 'rotation2d' }, hidden: (c) => ({ kind: 'sum', parts: Array.from({ length: c }, () => ({ kind: 'rotation2d' }) as RepSpec) }),
    outputs: [{ kind: 'trivial', dim: 1 }, { kind: 'rotation2d' }], pointwise: false,
  },
  // SO(2) on R² vectors and O(2) on band-limited circle signals (docs/theory.md §8): linear networks (dense ψ_k),
  // every quantity of degree ≤ 2, so the 3-angle Haar rule is exact and one angle fewer is not
  {
    group: { kind: 'SO2', points: 3 }, input: { kind: 'band-limited', frequencies: [1] }, hidden: (c) => ({ kind: 'band-limited', frequencies: Array.from({ length: c }, () => 1) }),
    outputs: [{ kind: 'trivial', dim: 1 }, { kind: 'band-limited', frequencies: [1] }], pointwise: false,
  },
  {
    group: { kind: 'O2', points: 3 }, input: { kind: 'circle', K: 1 }, hidden: (c) => ({ kind: 'band-limited', frequencies: Array.from({ length: c }, (_, i) => i % 2) }),
    outputs: [{ kind: 'trivial', dim: 1 }, { kind: 'circle', K: 1 }], pointwise: false,
  },
  // a direct product: D3 × C2, the triangular prism's symmetry, on its 6 vertices (triangle vertex ⊗ face), so that
  // the product's law and both factor projections (representations pulled back from D3 and from C2) build a Case
  {
    group: { kind: 'product', factors: [{ kind: 'dihedral', n: 3 }, { kind: 'cyclic', n: 2 }] }, input: prism(),
    hidden: (c) => ({ kind: 'sum', parts: Array.from({ length: c }, prism) }),
    outputs: [{ kind: 'trivial', dim: 1 }, triangle, faces],
    pointwise: true,
  },
];

/**
 * A dense network on one of the families, random widths/σ/bias, synthetic asymmetric data (A5). `square` gets at
 * most one hidden layer: deeper, it is a polynomial of degree 2^L whose flows blow up in finite time.
 */
const mlpOf = (activation: fc.Arbitrary<(typeof ACTIVATIONS)[number]>): fc.Arbitrary<CaseSpec> => fc
  .record({
    family: fc.integer({ min: 0, max: families.length - 1 }),
    layers: fc.integer({ min: 0, max: 2 }),
    width: fc.integer({ min: 1, max: 2 }),
    out: fc.nat(),
    act: activation,
    bias: fc.boolean(),
    seed: dataSeed,
    count: fc.integer({ min: 2, max: 5 }),
    crossEntropy: fc.boolean(),
  })
  .map(({ family, layers, width, out, act, bias, seed, count, crossEntropy }) => {
    const f = families[family];
    const depth = act === 'square' ? Math.min(layers, 1) : layers;
    const output = f.outputs[out % f.outputs.length];
    const model: ModelSpec = {
      kind: 'mlp', input: f.input, hidden: Array.from({ length: depth }, () => f.hidden(width)), output,
      activation: f.pointwise ? act : 'identity', outputActivation: 'identity', bias,
    };
    // cross-entropy is invariant (A3) under permutations of the logits, not under a dense rotation; one logit is degenerate
    const ce = crossEntropy && f.pointwise && buildRep(buildGroup(f.group), output).dim >= 2;
    return parseCase({ name: `mlp/${family}${ce ? '/ce' : ''}`, group: f.group, model, data: { kind: 'synthetic', seed, count, ...(ce && { targets: 'one-hot' as const }) }, ...(ce && { loss: 'cross-entropy' as const }) });
  });

/** Dense networks satisfying A1–A5 (smooth σ). */
export const mlpCase = mlpOf(smoothActivation);
/** Dense networks with any equivariant σ, C² or not (Lemmas 0–2 need only A1–A3). */
export const mlpAnyCase = mlpOf(anyActivation);

/**
 * The toy CNN of docs/theory.md §6 and small variants: C4/D4 on 4×4 images, a compatible support, one block or two
 * (the paper's CNN has two: backpropagation through a second convolution, Kᵀδ and col2im, runs only there).
 */
export const cnnCase: fc.Arbitrary<CaseSpec> = fc
  .record({
    group: fc.constantFrom<CaseSpec['group']>({ kind: 'cyclic', n: 4 }, { kind: 'dihedral', n: 4 }),
    channels: fc.integer({ min: 1, max: 2 }),
    outputs: fc.integer({ min: 1, max: 3 }),
    structured: fc.boolean(),
    act: fc.constantFrom('tanh', 'softplus' as const),
    support: fc.constantFrom('full', 'cross', 'centre-corners'),
    seed: dataSeed,
    count: fc.integer({ min: 2, max: 3 }),
    crossEntropy: fc.boolean(),
    depth: fc.integer({ min: 1, max: 2 }),
  })
  .map(({ group, channels, outputs, structured, act, support, seed, count, crossEntropy, depth }) => {
    // the paper's loss: cross-entropy on invariant logits (A3), meaningful from two classes on
    const ce = crossEntropy && outputs >= 2;
    return parseCase({
      name: `cnn/${support}${depth === 2 ? '/2' : ''}${ce ? '/ce' : ''}`, group,
      // a second block sees 2×2 images after pooling, and pools no further (a LayerNorm over 1×1 images is constant)
      model: { kind: 'cnn', imageSize: 4, inChannels: 1, outputs, blocks: [{ outChannels: channels, pool: structured, layerNorm: structured, activation: act }, ...(depth === 2 ? [{ outChannels: channels, pool: false, layerNorm: structured, activation: act }] : [])] },
      admissible: { kind: 'support', support }, data: { kind: 'synthetic', seed, count, ...(ce && { targets: 'one-hot' as const }) }, ...(ce && { loss: 'cross-entropy' as const }),
    });
  });

/** Example Q of docs/theory.md §6 (closed form), from the built-in examples. */
export const exampleQCase: CaseSpec = exampleQSpec;

export const isExampleQ = (spec: CaseSpec): boolean => spec.name === 'example-q';

/** Cases for the lemmas (A1–A3): any equivariant σ. */
export const lemmaCase: fc.Arbitrary<CaseSpec> = fc.oneof({ weight: 3, arbitrary: mlpAnyCase }, { weight: 1, arbitrary: cnnCase });

/** The cases inside the theorems' hypotheses (A1–A5, compatible L, unitary parametrization). */
export const compatibleCase: fc.Arbitrary<CaseSpec> = fc.oneof({ weight: 3, arbitrary: mlpCase }, { weight: 1, arbitrary: cnnCase });

/** A 3×3 kernel mask on segment A0 of shape [1, 9] from a list of cells. */
function kernelMask(cells: ReadonlyArray<readonly [number, number]>): (0 | 1)[] {
  return Array.from({ length: 9 }, (_, k) => (cells.some(([a, b]) => 3 * a + b === k) ? 1 : 0));
}

/**
 * docs/theory.md §6 "Incompatible support": C4 on one 3×3 kernel, the invariant linear model f_W(x) = ⟨W, x⟩, an
 * incompatible support (skew or L-shape), data that put weight outside ω.
 */
export const incompatibleCase: fc.Arbitrary<CaseSpec> = fc
  .record({ support: fc.constantFrom('skew', 'l-shape'), seed: dataSeed, count: fc.integer({ min: 1, max: 3 }) })
  .map(({ support, seed, count }) =>
    parseCase({
      name: `incompatible/${support}`, group: { kind: 'cyclic', n: 4 },
      model: { kind: 'mlp', input: { kind: 'rot90', k: 3 }, hidden: [], output: { kind: 'trivial' }, activation: 'identity' },
      admissible: { kind: 'mask', mask: kernelMask(supports[support]), name: support },
      data: { kind: 'synthetic', seed, count },
    }));

/** docs/theory.md §6 "Non-unitary parametrization" and random non-orthogonal M: K = MMᵀ does not commute with Π_G. */
export const nonUnitaryCase: fc.Arbitrary<CaseSpec> = fc
  .record({ shear: fc.integer({ min: 1, max: 3 }), seed: dataSeed, count: fc.integer({ min: 1, max: 3 }) })
  .map(({ shear, seed, count }) => {
    const input: CaseInput = {
      name: `non-unitary/${shear}`, group: { kind: 'cyclic', n: 2 },
      model: { kind: 'mlp', input: { kind: 'shift', dim: 2 }, hidden: [], output: { kind: 'trivial' }, activation: 'identity' },
      data: { kind: 'synthetic', seed, count }, parametrization: { kind: 'matrix', M: [[1, 0], [shear, 1]] },
    };
    return parseCase(input);
  });

/** Incompatible supports on the toy CNN (a second family outside the hypotheses). */
export const incompatibleCnnCase: fc.Arbitrary<CaseSpec> = cnnCase.chain((c) =>
  fc.constantFrom('skew', 'l-shape').map((support) => parseCase({ ...c, name: `cnn/${support}`, admissible: { kind: 'support', support } })));

/** Cases outside Theorem 1/3's hypotheses: incompatible L or a non-unitary parametrization. */
export const outsideHypotheses: fc.Arbitrary<CaseSpec> = fc.oneof(incompatibleCase, nonUnitaryCase, incompatibleCnnCase);

/** Assumption A2 violated: a dense network with a non-equivariant σ (tanh with per-coordinate offsets). */
export const nonEquivariantCase: fc.Arbitrary<CaseSpec> = mlpAnyCase
  .filter((c) => c.model.kind === 'mlp' && c.model.hidden.length > 0 && c.model.activation !== 'identity')
  .map((c) => parseCase({ ...c, name: `${c.name}/biased`, model: { ...c.model, activation: 'biased-tanh' } as ModelSpec }));

/** The same networks on orbit-closed data D = G·D (Lemma 1(c)). */
export const orbitClosedCase: fc.Arbitrary<CaseSpec> = compatibleCase.map((c) => parseCase({ ...c, name: `${c.name}/orbit`, data: { kind: 'orbit', of: c.data } }));

/**
 * The admissible set of a generated case replaced by a seeded one (docs/theory.md §1, L = A° + L_0): a random
 * coordinate mask (incompatible in general), a union of ρ̄-orbits of coordinates (compatible; a random mask when ρ̄
 * is not monomial), or the span of random vectors, each either in H_G or in H_G^⊥ (compatible) or generic
 * (incompatible); with `affine`, an offset A° = Π_G x (compatible L: then A° ∈ H_G and E = A° + E_0) or x.
 */
function withAdmissible(spec: CaseSpec, kind: 'mask' | 'orbits' | 'basis' | 'split-basis', affine: boolean, seed: number): CaseSpec {
  const b = buildCase(spec);
  const dim = b.model.space.dim;
  const rng = new RandomStream(`admissible/${seed}`);
  const mono = b.model.space.action.monomial;
  let admissible: AdmissibleSpec;
  if (kind === 'basis' || kind === 'split-basis') {
    const k = 1 + rng.int(Math.max(1, dim - 1));
    const vectors = Array.from({ length: k }, (_, i) => {
      const x = rng.gaussianVector(dim);
      if (kind === 'basis') return Array.from(x);
      const g = b.P.piG(x);
      return Array.from(i % 2 === 0 ? g : x.map((v, j) => v - g[j]));
    });
    admissible = { kind: 'basis', vectors, name: kind };
  } else {
    const mask = new Array<0 | 1>(dim).fill(0);
    if (kind === 'orbits' && mono) {
      for (let j = 0; j < dim; j++) {
        if (mask[j] || rng.uniform() < 0.4) continue;
        for (const p of mono.perm) mask[p[j]] = 1;
      }
    } else for (let j = 0; j < dim; j++) mask[j] = rng.uniform() < 0.7 ? 1 : 0;
    if (!mask.includes(1)) mask[rng.int(dim)] = 1;
    admissible = { kind: 'mask', mask, name: kind };
  }
  if (affine) {
    // unions of orbits and split bases are compatible by construction (random masks and bases generically are not)
    const x = rng.gaussianVector(dim, 0.5);
    admissible = { ...admissible, offset: Array.from((kind === 'orbits' && mono) || kind === 'split-basis' ? b.P.piG(x) : x) };
  }
  return parseCase({ ...spec, name: `${spec.name}/${affine ? 'affine-' : ''}${kind}`, admissible });
}

/**
 * Dense networks on masks, unions of orbits and bases, compatible or not, linear or affine (the dynamics claims). At
 * most 40 parameters: Π_E of an incompatible L comes from an SVD of dim × dim L_0 (≈ 0.2 s at dim 76).
 */
export const admissibleVariantCase: fc.Arbitrary<CaseSpec> = fc
  .record({ spec: mlpCase.filter((c) => buildModel(buildGroup(c.group), c.model).space.dim <= 40), kind: fc.constantFrom('mask', 'orbits', 'basis', 'split-basis' as const), affine: fc.boolean(), seed: dataSeed })
  .map(({ spec, kind, affine, seed }) => withAdmissible(spec, kind, affine, seed));

/** The toy CNN on a compatible or incompatible kernel support with an affine offset A°. */
export const affineCnnCase: fc.Arbitrary<CaseSpec> = fc
  .record({ spec: fc.oneof(cnnCase, incompatibleCnnCase), seed: dataSeed })
  .map(({ spec, seed }) => {
    const b = buildCase(spec);
    const x = new RandomStream(`offset/${seed}`).gaussianVector(b.model.space.dim, 0.5);
    const offset = Array.from(b.P.compatible ? b.P.piG(x) : x);
    return parseCase({ ...spec, name: `${spec.name}/affine`, admissible: { ...(spec.admissible as AdmissibleSpec & { kind: 'support' }), offset } });
  });

/** The dense cases of {@link dynamicsCase}: compatible, incompatible, masks, bases, affine, non-unitary. */
export const dynamicsMlpCase: fc.Arbitrary<CaseSpec> = fc.oneof(
  { weight: 2, arbitrary: mlpCase },
  { weight: 1, arbitrary: incompatibleCase },
  { weight: 1, arbitrary: nonUnitaryCase },
  { weight: 4, arbitrary: admissibleVariantCase },
);

/**
 * Every kind of admissible set the dynamics conformance claims run on: compatible full L and supports, incompatible
 * supports, masks, bases (compatible or not), affine sets, and non-unitary parametrizations.
 */
export const dynamicsCase: fc.Arbitrary<CaseSpec> = fc.oneof(
  { weight: 8, arbitrary: dynamicsMlpCase },
  { weight: 1, arbitrary: cnnCase },
  { weight: 1, arbitrary: incompatibleCnnCase },
  { weight: 1, arbitrary: affineCnnCase },
);
