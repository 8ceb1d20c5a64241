import { EqflowError, requireFinite, requireLength } from '../core/errors.js';
import { trivialGroup } from '../groups/builtins.js';
import { CompactGroup, permutationGroup } from '../groups/compact.js';
import { Perm, PermGroup, checkPerm, symmetricGenerators } from '../groups/permGroup.js';
import { DynamicsKind, PerpProjector, VectorField, velocity } from '../flows/dynamics.js';
import { DEFAULT_INTEGRATOR, flowAtTimes } from '../flows/integrators.js';
import { DenseNetwork } from '../models/dense.js';
import { Loss } from '../models/model.js';
import { GroupAction, SignedPerm, layerAction, pointAction, sumAction, tensorAction, trivialAction } from '../reps/action.js';
import { trivial } from '../reps/builders.js';
import { Dataset } from '../risk/dataset.js';
import { losses } from '../risk/losses.js';
import { Objective } from '../risk/objective.js';
import { nominalRisk } from '../risk/risk.js';
import { FixedProjector, orbitProjector } from '../space/fixedSpace.js';
import { twirledMomentRisk } from './permAugmented.js';
import { activationOf, buildData } from './build.js';
import { CaseSpec, RepSpec } from './caseSpec.js';
import { CaseSession, GroupElement, ProjectorName, RiskMode, SampleElements } from './implementation.js';

/**
 * A Case whose group is given by generators only (`perm-generators`, e.g. S_n for n ≥ 20), made concrete without
 * enumerating G: the actions on features and parameters are applied one permutation at a time, Π_G is the orbit
 * mean (docs/theory.md §8), and every average over G that is not Π_G is a sampled one. Only what that allows is
 * built: dense networks on L = H with the unitary parametrization, so E = H_G and Π_E = Π_G.
 */
export interface PermCase {
  readonly spec: CaseSpec;
  readonly group: CompactGroup<Perm>;
  readonly input: GroupAction<Perm>;
  readonly output: GroupAction<Perm>;
  /** ρ̄ on H, in the layer layout of the network */
  readonly params: GroupAction<Perm>;
  readonly projector: FixedProjector;
  /** the network; its shapes are those of the case, its own group is trivial (the actions above carry G) */
  readonly model: DenseNetwork;
  readonly data: Dataset;
  readonly loss: Loss;
  readonly R: Objective;
}

/** Schreier–Sims once per generator set (about a second for S_50). */
const groups = new Map<string, CompactGroup<Perm>>();
function groupOf(generators: number[][]): CompactGroup<Perm> {
  const key = JSON.stringify(generators);
  let G = groups.get(key);
  if (!G) {
    const d = generators[0].length;
    // the standard generators of S_d get the group's name; any other set is named by its size
    const name = key === JSON.stringify(symmetricGenerators(d)) ? `S${d}` : undefined;
    const P = new PermGroup(generators.map((p, i) => checkPerm(p, d, `case.group.generators[${i}]`)), name);
    G = permutationGroup(P);
    if (groups.size > 16) groups.clear();
    groups.set(key, G);
  }
  return G;
}

/** A representation of a permutation group in a Case as an action: trivial, natural (points), adjacency (pairs), sums and tensors. */
function actionOf(G: CompactGroup<Perm>, spec: RepSpec, field: string): GroupAction<Perm> {
  switch (spec.kind) {
    case 'trivial': return trivialAction(G, spec.dim ?? 1);
    case 'natural': return pointAction(G);
    case 'adjacency': return tensorAction(pointAction(G), pointAction(G));
    case 'sum': return sumAction(...spec.parts.map((p, i) => actionOf(G, p, `${field}.parts[${i}]`)));
    case 'tensor': return tensorAction(actionOf(G, spec.a, `${field}.a`), actionOf(G, spec.b, `${field}.b`));
    default: throw new EqflowError('unsupported', field, `a group by generators acts by trivial, natural, adjacency, sum or tensor representations, got '${spec.kind}'`);
  }
}

type Structure = Pick<PermCase, 'group' | 'input' | 'output' | 'params' | 'projector' | 'model'>;
/** The group, actions, Π_G and network of a (group, model) pair: shared by Cases that differ in their data only. */
const structures = new Map<string, Structure>();
function structureOf(generators: number[][], m: CaseSpec['model'] & { kind: 'mlp' }): Structure {
  const key = JSON.stringify([generators, m]);
  const hit = structures.get(key);
  if (hit) return hit;
  const G = groupOf(generators);
  const acts = [actionOf(G, m.input, 'case.model.input'), ...m.hidden.map((h, i) => actionOf(G, h, `case.model.hidden[${i}]`)), actionOf(G, m.output, 'case.model.output')];
  const params = layerAction(acts, m.bias);
  // the network only needs the feature dimensions: its own group is trivial, G acts through `acts`
  const C1 = trivialGroup();
  const model = new DenseNetwork({
    reps: acts.map((a) => trivial(C1, a.dim)),
    activations: acts.slice(1).map((a, i) => activationOf(i + 2 < acts.length ? m.activation : m.outputActivation, a.dim)),
    bias: m.bias,
  });
  const projector = orbitProjector(params.dim, G.generators.map((s) => params.move(s) as SignedPerm));
  const out = { group: G, input: acts[0], output: acts[acts.length - 1], params, projector, model };
  if (structures.size > 16) structures.clear();
  structures.set(key, out);
  return out;
}

/** Builds a perm-generators Case; refuses what needs an enumerated group (orbit data, equivariant teachers) or a general L. */
export function buildPermCase(spec: CaseSpec): PermCase {
  if (spec.group.kind !== 'perm-generators') throw new EqflowError('invalid-argument', 'case.group.kind', `expected perm-generators, got ${spec.group.kind}`);
  if (spec.model.kind !== 'mlp') throw new EqflowError('unsupported', 'case.model.kind', 'groups by generators act on dense networks (mlp)');
  if (spec.admissible.kind !== 'full') throw new EqflowError('unsupported', 'case.admissible.kind', 'groups by generators are built with L = H only');
  if (spec.parametrization.kind !== 'unitary') throw new EqflowError('unsupported', 'case.parametrization.kind', 'groups by generators are built with the unitary parametrization only');
  const d = spec.data;
  if (d.kind === 'orbit' || d.kind === 'mnist' || (d.kind === 'teacher' && d.equivariant)) throw new EqflowError('unsupported', 'case.data.kind', `'${d.kind}' data need an enumerated group or images; use synthetic, teacher or explicit data`);
  const { group, input, output, params, projector, model } = structureOf(spec.group.generators, spec.model);
  const data = buildData(model, d);
  const loss = losses[spec.loss];
  return { spec, group, input, output, params, projector, model, data, loss, R: nominalRisk(model, data, loss) };
}

/** ρ_0(g) x_s and ρ_Y(g) y_s for every sample s (sampled augmentation), then the batch risk's gradient at A. */
export function transformedGradient(c: PermCase, A: Float64Array, elements: readonly Perm[], grad: Float64Array): number {
  const d = c.data;
  const bx = new Float64Array(d.x.length), by = new Float64Array(d.y.length);
  elements.forEach((g, s) => {
    c.input.apply(g, d.x, bx, s * d.inputDim, s * d.inputDim);
    c.output.apply(g, d.y, by, s * d.outputDim, s * d.outputDim);
  });
  grad.fill(0);
  return c.model.lossGradient(A, bx, by, d.count, c.loss, 1 / d.count, grad);
}

/** Π_G, Π_{E⊥} = I − Π_G (E = H_G here) and the distance ‖Π_{E⊥}A‖ of a perm-generators Case. */
export function permProjectors(c: PermCase): PerpProjector & { piG(x: Float64Array): Float64Array; projectionError(x: Float64Array): number } {
  const piG = (x: Float64Array) => c.projector.apply(x).out;
  const piEperp = (x: Float64Array, out = new Float64Array(x.length)) => {
    const g = piG(x);
    for (let i = 0; i < x.length; i++) out[i] = x[i] - g[i];
    return out;
  };
  return { piG, piEperp, projectionError: (x) => Math.sqrt(piEperp(x).reduce((s, v) => s + v * v, 0)) };
}

/** R^aug of a perm-generators Case, exact by twirled moments (src/impl/permAugmented.ts), or 'unsupported' when the network is not one linear layer with the squared loss. */
export function permAugmentedRisk(c: PermCase): Objective {
  const R = twirledMomentRisk(c);
  if (!R) throw new EqflowError('unsupported', 'mode', `R^aug over ${c.group.name} is not enumerable: it is exact only for one linear layer with the squared loss (twirled moments), and this network has only sampled averages`);
  return R;
}

/**
 * The field of the dynamics (docs/theory.md §4) on a perm-generators Case: −∇R, −Π_G∇R, −∇R − γΠ_{E⊥}A, and
 * −∇R^aug, −∇R^aug − γΠ_{E⊥}A where R^aug is exact by twirled moments (one linear layer, squared loss; else
 * 'unsupported': an average over G that is not enumerable). `augmentedRisk` gives R^aug (a session's own, built once).
 */
export function permField(c: PermCase, kind: DynamicsKind, gamma: number, augmentedRisk: () => Objective = () => permAugmentedRisk(c)): VectorField<PerpProjector> {
  const augmented = kind === 'augmented' || kind === 'reg-augmented';
  const R = augmented ? augmentedRisk() : c.R;
  if (!(Number.isFinite(gamma) && gamma >= 0)) throw new EqflowError('invalid-argument', 'gamma', `expected a finite γ ≥ 0, got ${gamma}`);
  if (kind !== 'reg-nominal' && kind !== 'reg-augmented' && gamma !== 0) throw new EqflowError('invalid-argument', 'gamma', `the ${kind} dynamics has no regularizer; γ must be 0`);
  const P = permProjectors(c);
  const grad = new Float64Array(c.params.dim);
  return {
    dim: c.params.dim, kind, gamma, projectors: P,
    nonlinear(A, out) {
      R.gradient(A, grad);
      out.set(kind === 'equivariant' ? P.piG(grad) : grad);
      for (let i = 0; i < out.length; i++) out[i] = -out[i];
    },
  };
}

/**
 * The reference session of a perm-generators Case. Exact: the action, Π_G = Π_E (orbits), Π_L = I, R and its
 * gradient, steps of the nominal, equivariant and regularized nominal dynamics, sampled-augmentation steps,
 * and flows of those dynamics (etdrk4, as the reference); R^aug and the augmented dynamics for one linear layer
 * with the squared loss (twirled moments). Refused otherwise ('unsupported', so the claims skip the case): R^aug
 * and the augmented dynamics of deeper or nonlinear networks, whose average over G has no exact finite form here
 * (the claims use sampled averages).
 */
export class PermSession implements CaseSession {
  readonly dim: number;
  /** R^aug by twirled moments, built on first use */
  private raug: Objective | undefined;
  constructor(readonly c: PermCase) {
    this.dim = c.params.dim;
  }

  private check(A: Float64Array): void {
    requireLength(A, this.dim, 'A');
    requireFinite(A, 'A');
  }

  private perm(g: GroupElement, field: string): Perm {
    if (typeof g === 'number') throw new EqflowError('invalid-argument', field, `${this.c.group.name} is given by generators: expected a permutation of ${this.c.group.identity.length} points, got the index ${g}`);
    return checkPerm(g, this.c.group.identity.length, field);
  }

  private piG(A: Float64Array): Float64Array {
    return this.c.projector.apply(A).out;
  }

  /** R^aug by twirled moments, built on first use; a planted-bug session overrides it */
  protected augmentedRisk(): Objective {
    return (this.raug ??= permAugmentedRisk(this.c));
  }

  async act(g: GroupElement, A: Float64Array): Promise<Float64Array> {
    this.check(A);
    const out = new Float64Array(this.dim);
    this.c.params.apply(this.perm(g, 'g'), A, out);
    return out;
  }

  async project(which: ProjectorName, A: Float64Array): Promise<Float64Array> {
    this.check(A);
    return which === 'L' ? Float64Array.from(A) : this.piG(A);
  }

  async risk(mode: RiskMode, A: Float64Array): Promise<{ value: number; gradient: Float64Array }> {
    this.check(A);
    const R = mode === 'augmented' ? this.augmentedRisk() : this.c.R;
    const gradient = new Float64Array(this.dim);
    return { value: R.gradient(A, gradient), gradient };
  }

  async step(kind: DynamicsKind, A: Float64Array, eta: number, gamma: number): Promise<Float64Array> {
    this.check(A);
    const v = velocity(permField(this.c, kind, gamma, () => this.augmentedRisk()), A, new Float64Array(this.dim));
    return A.map((a, i) => a + eta * v[i]);
  }

  async sampledStep(A: Float64Array, eta: number, gamma: number, elements: SampleElements): Promise<Float64Array> {
    this.check(A);
    if (elements instanceof Int32Array) throw new EqflowError('invalid-argument', 'elements', `${this.c.group.name} is given by generators: expected one permutation per sample, got indices`);
    if (elements.length !== this.c.data.count) throw new EqflowError('dimension-mismatch', 'elements', `expected one permutation per sample (${this.c.data.count}), got ${elements.length}`);
    const perms = elements.map((g, s) => this.perm(g, `elements[${s}]`));
    const g = new Float64Array(this.dim);
    transformedGradient(this.c, A, perms, g);
    const pg = this.piG(A);
    return A.map((a, i) => a - eta * (g[i] + gamma * (a - pg[i])));
  }

  async flow(kind: DynamicsKind, A: Float64Array, gamma: number, times: number[], step: number): Promise<Float64Array[]> {
    this.check(A);
    return flowAtTimes(permField(this.c, kind, gamma, () => this.augmentedRisk()), Float64Array.from(A), times, { integrator: DEFAULT_INTEGRATOR, step });
  }

  async close(): Promise<void> {}
}
