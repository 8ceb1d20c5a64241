import { z } from 'zod';
import { EqflowError } from '../core/errors.js';

/**
 * A Case is plain JSON: group, representations, architecture, admissible space, data, loss and parametrization.
 * Points, γ and steps travel beside it. Cases cross process boundaries (the external protocol) and are saved
 * with failing counterexamples, so every field is validated here with a typed error naming the path.
 */
const finite = z.number().refine(Number.isFinite, { message: 'expected a finite number' });
const posInt = z.number().int().min(1);

/** A group in a Case: a built-in family, a product, generators as permutations, or a Cayley table. */
export type GroupSpec =
  | { kind: 'cyclic'; n: number }
  | { kind: 'dihedral'; n: number }
  | { kind: 'symmetric'; n: number }
  | { kind: 'product'; factors: [GroupSpec, GroupSpec] }
  | { kind: 'generators'; perms: number[][] }
  | { kind: 'table'; table: number[][] }
  /** SO(2) / O(2) through their exact Haar rule of N = points angles 2πj/N (element j; for O(2) element N + j is r_{2πj/N}·s) */
  | { kind: 'SO2'; points: number }
  | { kind: 'O2'; points: number }
  /**
   * a permutation group of the points {0..d−1} by its generators only, never enumerated (S_n with n ≥ 20 …):
   * elements travel as permutations, Π_G is the orbit mean, exact averages are replaced by sampled ones
   */
  | { kind: 'perm-generators'; generators: number[][] };

export const GroupSpec: z.ZodType<GroupSpec> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('cyclic'), n: posInt }).strict(),
    z.object({ kind: z.literal('dihedral'), n: posInt }).strict(),
    z.object({ kind: z.literal('symmetric'), n: posInt.max(6) }).strict(),
    z.object({ kind: z.literal('product'), factors: z.tuple([GroupSpec, GroupSpec]) }).strict(),
    z.object({ kind: z.literal('generators'), perms: z.array(z.array(z.number().int().min(0))).min(1) }).strict(),
    z.object({ kind: z.literal('table'), table: z.array(z.array(z.number().int())).min(1) }).strict(),
    z.object({ kind: z.literal('SO2'), points: posInt }).strict(),
    z.object({ kind: z.literal('O2'), points: posInt }).strict(),
    z.object({ kind: z.literal('perm-generators'), generators: z.array(z.array(z.number().int().min(0)).min(1)).min(1) }).strict(),
  ]),
);

/** A representation in a Case: a built-in (shift, rot90, natural, adjacency, rotation …), a direct sum, or explicit matrices. */
export type RepSpec =
  | { kind: 'trivial'; dim?: number }
  | { kind: 'shift'; dim: number; step?: number }
  | { kind: 'rot90'; k: number; channels?: number }
  | { kind: 'natural' }
  | { kind: 'adjacency' }
  | { kind: 'rotation2d' }
  | { kind: 'permutation'; perms: number[][] }
  | { kind: 'signed'; perms: number[][]; signs: number[][] }
  | { kind: 'dense'; dim: number; matrices: number[][] }
  | { kind: 'sum'; parts: RepSpec[] }
  | { kind: 'tensor'; a: RepSpec; b: RepSpec }
  | { kind: 'factor'; which: 0 | 1; rep: RepSpec }
  /** SO(2)/O(2): ⊕_k ψ_k over the frequencies (ψ_0 = R¹ trivial, ψ_k = R² rotating by kθ) */
  | { kind: 'band-limited'; frequencies: number[] }
  /** SO(2)/O(2): signals on the circle with Fourier modes 0..K (the regular representation truncated at K) */
  | { kind: 'circle'; K: number };

export const RepSpec: z.ZodType<RepSpec> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('trivial'), dim: posInt.optional() }).strict(),
    z.object({ kind: z.literal('shift'), dim: posInt, step: z.number().int().min(0).optional() }).strict(),
    z.object({ kind: z.literal('rot90'), k: posInt, channels: posInt.optional() }).strict(),
    z.object({ kind: z.literal('natural') }).strict(),
    z.object({ kind: z.literal('adjacency') }).strict(),
    z.object({ kind: z.literal('rotation2d') }).strict(),
    z.object({ kind: z.literal('permutation'), perms: z.array(z.array(z.number().int())).min(1) }).strict(),
    z.object({ kind: z.literal('signed'), perms: z.array(z.array(z.number().int())).min(1), signs: z.array(z.array(finite)).min(1) }).strict(),
    z.object({ kind: z.literal('dense'), dim: posInt, matrices: z.array(z.array(finite)).min(1) }).strict(),
    z.object({ kind: z.literal('sum'), parts: z.array(RepSpec).min(1) }).strict(),
    z.object({ kind: z.literal('tensor'), a: RepSpec, b: RepSpec }).strict(),
    z.object({ kind: z.literal('factor'), which: z.union([z.literal(0), z.literal(1)]), rep: RepSpec }).strict(),
    z.object({ kind: z.literal('band-limited'), frequencies: z.array(z.number().int().min(0)).min(1) }).strict(),
    z.object({ kind: z.literal('circle'), K: z.number().int().min(0) }).strict(),
  ]),
);

/** 'biased-tanh' (tanh(z_k + c_k), c not constant on orbits) violates A2: it exists for negative controls. */
export const ACTIVATIONS = ['tanh', 'softplus', 'sigmoid', 'leaky-relu(0.1)', 'square', 'identity', 'biased-tanh'] as const;
const Activation = z.enum(ACTIVATIONS);

const ConvBlock = z.object({ outChannels: posInt, pool: z.boolean(), activation: Activation, layerNorm: z.boolean() }).strict();

/** A model in a Case: a dense network (mlp) or a kernel-parametrized CNN under rot90 (cnn). */
export const ModelSpec = z.discriminatedUnion('kind', [
  z.object({
    kind: z.literal('mlp'), input: RepSpec, hidden: z.array(RepSpec), output: RepSpec,
    activation: Activation.default('tanh'), outputActivation: Activation.default('identity'), bias: z.boolean().default(false),
  }).strict(),
  z.object({ kind: z.literal('cnn'), imageSize: posInt, inChannels: posInt, blocks: z.array(ConvBlock), outputs: posInt }).strict(),
]);
export type ModelSpec = z.infer<typeof ModelSpec>;

const Cell = z.tuple([z.number().int().min(0).max(2), z.number().int().min(0).max(2)]);
/** A° of an affine L = A° + L_0 (dim numbers; its component along L_0 is dropped, so A° ⊥ L_0). */
const offset = z.array(finite).optional();
/** An admissible set L in a Case: full, a 3×3 kernel support, a coordinate mask or a basis, optionally affine (`offset`). */
export const AdmissibleSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('full') }).strict(),
  /** a 3×3 kernel support on every conv segment (a name of docs/theory.md §1 or explicit cells) */
  z.object({ kind: z.literal('support'), support: z.union([z.string(), z.array(Cell).min(1)]), segments: z.array(z.string()).optional(), offset }).strict(),
  z.object({ kind: z.literal('mask'), mask: z.array(z.union([z.literal(0), z.literal(1)])), name: z.string().optional(), offset }).strict(),
  z.object({ kind: z.literal('basis'), vectors: z.array(z.array(finite)).min(1), name: z.string().optional(), offset }).strict(),
]);
export type AdmissibleSpec = z.infer<typeof AdmissibleSpec>;

/** Data in a Case: synthetic, a teacher network, explicit samples, the orbit closure of other data, or MNIST digits. */
export type DataSpec =
  | { kind: 'synthetic'; seed: string | number; count: number; targets?: 'regression' | 'one-hot' }
  | { kind: 'teacher'; seed: string | number; count: number; scale?: number; noise?: number; equivariant?: boolean }
  | { kind: 'explicit'; x: number[][]; y: number[][] }
  | { kind: 'orbit'; of: DataSpec }
  | { kind: 'mnist'; count: number; sample?: 'balanced' | 'window'; seed?: string | number; offset?: number };

export const DataSpec: z.ZodType<DataSpec> = z.lazy(() =>
  z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('synthetic'), seed: z.union([z.string(), z.number()]), count: posInt.max(100_000), targets: z.enum(['regression', 'one-hot']).optional() }).strict(),
    /**
     * y = Φ_{A_t}(x) + noise·N(0,1) for a seeded teacher A_t ~ N(0, scale²), projected onto E when `equivariant`:
     * the student's minimum on E then lies near A_t at finite weights (tanh students chasing unreachable targets
     * saturate and have no finite minimum); the inputs stay asymmetric, so R ≠ R^aug.
     */
    z.object({ kind: z.literal('teacher'), seed: z.union([z.string(), z.number()]), count: posInt.max(100_000), scale: finite.optional(), noise: finite.optional(), equivariant: z.boolean().optional() }).strict(),
    z.object({ kind: z.literal('explicit'), x: z.array(z.array(finite)).min(1), y: z.array(z.array(finite)).min(1) }).strict(),
    z.object({ kind: z.literal('orbit'), of: DataSpec }).strict(),
    /**
     * `count` digits of the mnist package: by default a seeded class-balanced sample (`seed`, default 'mnist');
     * `sample: 'window'` takes images [offset, offset + count) of the package's class-sorted order instead.
     */
    z.object({
      kind: z.literal('mnist'), count: posInt.max(10_000), sample: z.enum(['balanced', 'window']).optional(),
      seed: z.union([z.string(), z.number()]).optional(), offset: z.number().int().min(0).optional(),
    }).strict(),
  ]),
);

/** How parameters enter: unitary (K = Π_L) or A = A° + Mθ with an explicit matrix M (K = MMᵀ). */
export const ParametrizationSpec = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('unitary') }).strict(),
  /** A = A° + Mθ with M given as dim×p rows; the flow moves A by −K∇R, K = MMᵀ */
  z.object({ kind: z.literal('matrix'), M: z.array(z.array(finite)).min(1) }).strict(),
]);
export type ParametrizationSpec = z.infer<typeof ParametrizationSpec>;

/** A Case as plain JSON: group, representations, model, admissible set, data, loss and parametrization (validated by the zod schema of the same name). */
export const CaseSpec = z.object({
  name: z.string().min(1),
  group: GroupSpec,
  model: ModelSpec,
  admissible: AdmissibleSpec.default({ kind: 'full' }),
  data: DataSpec,
  loss: z.enum(['squared', 'cross-entropy']).default('squared'),
  parametrization: ParametrizationSpec.default({ kind: 'unitary' }),
}).strict();
export type CaseSpec = z.infer<typeof CaseSpec>;
/** What parseCase accepts before defaults are filled in. */
export type CaseInput = z.input<typeof CaseSpec>;

/** Converts the first zod issue into an EqflowError naming the path (e.g. `case.model.hidden[1].dim`). */
export function zodError(err: z.ZodError, root: string): EqflowError {
  const issue = err.issues[0];
  const path = issue.path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : `${p}.${String(k)}`), root);
  return new EqflowError('invalid-argument', path, issue.message);
}

/**
 * Deepest JSON nesting a Case may have. Real Cases nest a few levels per `sum`/`tensor`/`factor`/`orbit`/`product`
 * (≈ 20 in the built-ins); the recursive schema overflows the call stack near 2000 levels (RangeError), so deeper
 * input is refused up front.
 */
export const MAX_CASE_DEPTH = 100;

/** The path of the first value nested deeper than `max` levels in `input`, or null; iterative, so it cannot overflow. */
function tooDeep(input: unknown, root: string, max: number): string | null {
  const stack: Array<[unknown, string, number]> = [[input, root, 0]];
  while (stack.length > 0) {
    const [v, path, depth] = stack.pop() as [unknown, string, number];
    if (v === null || typeof v !== 'object') continue;
    if (depth >= max) return path;
    if (Array.isArray(v)) v.forEach((x, i) => { if (x !== null && typeof x === 'object') stack.push([x, `${path}[${i}]`, depth + 1]); });
    else for (const [k, x] of Object.entries(v)) if (x !== null && typeof x === 'object') stack.push([x, `${path}.${k}`, depth + 1]);
  }
  return null;
}

/** Parses and validates a Case; throws EqflowError naming the first bad field. */
export function parseCase(input: unknown, root = 'case'): CaseSpec {
  const deep = tooDeep(input, root, MAX_CASE_DEPTH);
  if (deep !== null) throw new EqflowError('invalid-argument', deep, `nested more than ${MAX_CASE_DEPTH} levels deep`);
  const r = CaseSpec.safeParse(input);
  if (!r.success) throw zodError(r.error, root);
  return r.data;
}
