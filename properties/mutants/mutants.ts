import { DynamicsKind, VectorField, dynamics, velocity } from '../../src/flows/dynamics.js';
import { DEFAULT_INTEGRATOR } from '../../src/flows/integrators.js';
import { FiniteGroup } from '../../src/groups/group.js';
import { BuiltCase, buildGroup, buildModel } from '../../src/impl/build.js';
import { CaseSession } from '../../src/impl/implementation.js';
import { ReferenceImplementation, ReferenceSession, flowOf } from '../../src/impl/reference.js';
import { DenseNetwork } from '../../src/models/dense.js';
import { Model } from '../../src/models/model.js';
import { DenseRep, MonomialRep, Representation } from '../../src/reps/representation.js';
import { directSum, tensor, trivial } from '../../src/reps/builders.js';
import { orbitDataset } from '../../src/risk/dataset.js';
import { augmentedRisk, nominalRisk, SampledAugmentation } from '../../src/risk/risk.js';
import { Admissible, basisSpace, fullSpace, maskSpace } from '../../src/space/admissible.js';
import { ParamSpace } from '../../src/space/paramSpace.js';
import { Projectors } from '../../src/space/projectors.js';
import { RandomStream } from '../../src/core/rng.js';
import { CaseSpec } from '../../src/impl/caseSpec.js';
import { PermCase, PermSession, buildPermCase } from '../../src/impl/permCase.js';
import { twirledMomentRisk } from '../../src/impl/permAugmented.js';
import { Objective } from '../../src/risk/objective.js';
import { SignedPerm, layerAction, trivialAction } from '../../src/reps/action.js';
import { orbitProjector } from '../../src/space/fixedSpace.js';

/**
 * Implementations with one planted bug each. The theorem suite must reject every one: a claim that holds on the
 * reference is violated on the mutant. Each plants its bug where a real implementation would (the action, the
 * twirl, the augmentation, the regularizer, the optimizer step, the image rotation, the backpropagation), so
 * that every method built on it inherits it.
 */
export interface Mutant {
  readonly id: string;
  readonly bug: string;
  readonly impl: ReferenceImplementation;
}

class Mutated extends ReferenceImplementation {
  constructor(name: string, private readonly mutate: (b: BuiltCase) => BuiltCase, private readonly sessionOf?: (b: BuiltCase) => CaseSession) {
    super(name);
  }
  protected override buildCase(spec: Parameters<ReferenceImplementation['built']>[0]): BuiltCase {
    return this.mutate(super.buildCase(spec));
  }
  protected override session(b: BuiltCase): CaseSession {
    return this.sessionOf ? this.sessionOf(b) : super.session(b);
  }
}

/** g ↦ ρ(g^{-1}) = ρ(g)ᵀ: what an action gets when ρ(g) is used where ρ(g)^{-1} belongs. */
function transposed(rep: Representation): Representation {
  const G: FiniteGroup = rep.group;
  const inv = (g: number) => G.inv(g);
  if (rep.monomial) {
    const m = rep.monomial;
    return new MonomialRep(G, rep.dim, `${rep.name}ᵀ`, G.elements().map((g) => m.perm[inv(g)]), G.elements().map((g) => m.sign[inv(g)]));
  }
  return new DenseRep(G, rep.dim, `${rep.name}ᵀ`, G.elements().map((g) => rep.matrix(inv(g))));
}

/** The same admissible set over another layout of the same flat vector. */
function rebase(L: Admissible, space: ParamSpace): Admissible {
  switch (L.kind) {
    case 'full': return fullSpace(space);
    case 'mask': return maskSpace(space, L.mask, L.name);
    case 'basis': return basisSpace(space, L.basis, L.name);
  }
}

/** (1) (ρ̄(g)A)_i = ρ_{i+1}(g) A_i ρ_i(g) instead of ρ_{i+1}(g) A_i ρ_i(g)^{-1} (dense networks). */
const actionWithoutInverse = new Mutated('mutant:action-without-inverse', (b) => {
  if (!(b.model instanceof DenseNetwork)) return b;
  const net = b.model;
  const space = new ParamSpace(net.space.segments.map((seg, i) => {
    const input = net.bias[i] ? directSum(net.reps[i], trivial(net.reps[i].group, 1)) : net.reps[i];
    return { name: seg.name, shape: seg.shape.slice(), rep: tensor(net.reps[i + 1], transposed(input)) };
  }));
  return { ...b, P: new Projectors(rebase(b.L, space)) };
});

/** (2) The twirl averages over G minus its last element. */
class TwirlMissingOne extends Projectors {
  override piG(x: Float64Array, out: Float64Array = new Float64Array(x.length)): Float64Array {
    const G = this.rep.group;
    const src = out === x ? Float64Array.from(x) : x;
    const t = new Float64Array(x.length);
    out.fill(0);
    for (let g = 0; g < G.order - 1; g++) {
      this.rep.apply(g, src, t);
      for (let i = 0; i < t.length; i++) out[i] += t[i] / G.order;
    }
    return out;
  }
}
const twirlMissingElement = new Mutated('mutant:twirl-missing-element', (b) => ({ ...b, P: new TwirlMissingOne(b.L) }));

/** (3) Augmentation transforms x but leaves an equivariant y untransformed. */
const augmentXNotY = new Mutated('mutant:augment-x-not-y', (b) => {
  const d = orbitDataset(b.data, b.model.inputRep, b.model.outputRep);
  const n = b.data.count;
  const y = new Float64Array(d.y.length);
  for (let r = 0; r < d.count; r++) y.set(b.data.y.subarray((r % n) * d.outputDim, ((r % n) + 1) * d.outputDim), r * d.outputDim);
  return { ...b, Raug: nominalRisk(b.model, { ...d, y }, b.loss) };
});

/** (4) Π_E := Π_LΠ_G even when L is incompatible (the regularizer and the flows use it). */
class ProductAsProjector extends Projectors {
  override piE(x: Float64Array, out: Float64Array = new Float64Array(x.length)): Float64Array {
    this.piG(x, out);
    return this.piL(out, out);
  }
}
const regularizerIncompatible = new Mutated('mutant:regularizer-uses-PiL-PiG', (b) => ({ ...b, P: new ProductAsProjector(b.L) }));

/** (5) The regularizer's gradient has the wrong sign: −γΠ_{E⊥}A becomes +γΠ_{E⊥}A in every step and flow. */
class SignSession extends ReferenceSession {
  protected override field(kind: DynamicsKind, gamma: number): VectorField {
    const f = super.field(kind, gamma);
    return { ...f, gamma: -f.gamma, nonlinear: f.nonlinear };
  }
}
const regularizerSign = new Mutated('mutant:regularizer-sign', (b) => b, (b) => new SignSession(b));

/** (6) The "exact-average" step reuses one sampled g for the whole batch. */
class OneGSession extends ReferenceSession {
  private readonly rng = new RandomStream('one-g');
  override async step(kind: DynamicsKind, A: Float64Array, eta: number, gamma: number): Promise<Float64Array> {
    if (kind !== 'augmented' && kind !== 'reg-augmented') return super.step(kind, A, eta, gamma);
    const b = this.built;
    const g = this.rng.int(b.group.order);
    const sampler = new SampledAugmentation(b.model, b.data, b.loss, this.rng);
    const oneG = { dim: b.R.dim, value: (X: Float64Array) => b.Raug.value(X), gradient: (X: Float64Array, out: Float64Array) => sampler.gradientWith(X, new Int32Array(b.data.count).fill(g), out) };
    const v = velocity(dynamics({ kind, projectors: b.P, augmented: oneG, gamma }), A, new Float64Array(A.length));
    return A.map((a, i) => a + eta * v[i]);
  }
}
const sgdOneG = new Mutated('mutant:step-reuses-one-g', (b) => b, (b) => new OneGSession(b));

/** (7) rot90 with an off-by-one: (i, j) ↦ ((k − j) mod k, i), a rotation about the corner with wrap-around. */
function rot90OffByOne(rep: Representation, k: number, channels: number): Representation {
  const G = rep.group;
  const kk = k * k;
  const perm = G.elements().map((g) => Int32Array.from({ length: channels * kk }, (_, idx) => {
    const c = Math.floor(idx / kk);
    let i = Math.floor((idx % kk) / k), j = idx % k;
    const a = g % 4, f = Math.floor(g / 4);
    if (f) j = k - 1 - j;
    for (let t = 0; t < a; t++) [i, j] = [(k - j) % k, i];
    return c * kk + i * k + j;
  }));
  return new MonomialRep(G, rep.dim, `${rep.name}-off-by-one`, perm, perm.map(() => new Float64Array(rep.dim).fill(1)));
}
const rot90OffByOneMutant = new Mutated('mutant:rot90-off-by-one', (b) => {
  const rep = b.model.inputRep;
  const m = /rot90(?:\+flip)?\((\d+)×(\d+)×\d+\)/.exec(rep.name);
  if (!m) return b;
  const wrong = rot90OffByOne(rep, Number(m[2]), Number(m[1]));
  const model: Model = Object.assign(Object.create(Object.getPrototypeOf(b.model)) as Model, b.model, { inputRep: wrong });
  return { ...b, Raug: augmentedRisk(model, b.data, b.loss) };
});

/** (9) Continuous groups: the augmented risk's Haar rule is one angle short (N − 1 equispaced angles, not exact at degree N − 1). */
const quadratureOneShort = new Mutated('mutant:quadrature-one-short', (b) => {
  const g = b.spec.group;
  if ((g.kind !== 'SO2' && g.kind !== 'O2') || g.points < 2) return b;
  const model = buildModel(buildGroup({ kind: g.kind, points: g.points - 1 }), b.spec.model);
  return { ...b, Raug: augmentedRisk(model, b.data, b.loss) };
});

/** (8) A backpropagation slip: the first layer's gradient is off by a factor 1.25 (a lost chain-rule term). */
const backpropSlip = new Mutated('mutant:backprop-slip', (b) => {
  const seg = b.model.space.segments[0];
  const slip = (model: Model): Model => Object.assign(Object.create(Object.getPrototypeOf(model)) as Model, model, {
    lossGradient: (...args: Parameters<Model['lossGradient']>) => {
      const grad = args[6];
      const before = grad ? grad.slice(seg.offset, seg.offset + seg.size) : null;
      const v = model.lossGradient(...args);
      if (grad && before) for (let i = 0; i < seg.size; i++) grad[seg.offset + i] = before[i] + 1.25 * (grad[seg.offset + i] - before[i]);
      return v;
    },
  });
  const m = slip(b.model);
  return { ...b, model: m, R: nominalRisk(m, b.data, b.loss), Raug: augmentedRisk(m, b.data, b.loss) };
});

/** (9) The regularizer pulls towards H_G: −γΠ_{G⊥}A instead of −γΠ_{E⊥}A (steps, sampled steps and flows). */
class RegularizerOnG extends Projectors {
  override piEperp(x: Float64Array, out: Float64Array = new Float64Array(x.length)): Float64Array {
    const src = out === x ? Float64Array.from(x) : x;
    this.piG(src, out);
    for (let i = 0; i < src.length; i++) out[i] = src[i] - out[i];
    return out;
  }
}
const regularizerOnG = new Mutated('mutant:regularizer-on-PiG', (b) => ({ ...b, P: new RegularizerOnG(b.L) }));

/** The regularizer's gradient γΠ_{E⊥}(A − A°) of docs/theory.md §4 (A° = 0 for a linear L). */
function regularizerGradient(b: BuiltCase, A: Float64Array, gamma: number): Float64Array {
  const perp = b.P.piEperp(A), o = b.L.offset;
  return perp.map((p, i) => gamma * (p - (o ? o[i] : 0)));
}

/** Kg for a matrix parametrization, Π_L g for the unitary one. */
function projectedGradient(b: BuiltCase, g: Float64Array): Float64Array {
  if (!b.K) return b.P.piL(g);
  const v = new Float64Array(g.length);
  b.K(g, v);
  return v;
}

/** ∇R, or ∇R^aug for the augmented kinds, at A (the reference's risks). */
function gradientOf(b: BuiltCase, kind: DynamicsKind, A: Float64Array): Float64Array {
  const g = new Float64Array(A.length);
  (kind === 'augmented' || kind === 'reg-augmented' ? b.Raug : b.R).gradient(A, g);
  return g;
}

/** (10) The training step forgets Π_L on the risk gradient: A − η(∇R + γΠ_{E⊥}(A − A°)) (flows stay right). */
class StepWithoutPiL extends ReferenceSession {
  override async step(kind: DynamicsKind, A: Float64Array, eta: number, gamma: number): Promise<Float64Array> {
    if (kind === 'equivariant' || this.built.K) return super.step(kind, A, eta, gamma);
    const g = gradientOf(this.built, kind, A), r = regularizerGradient(this.built, A, gamma);
    return A.map((a, i) => a - eta * (g[i] + r[i]));
  }
}
const stepWithoutPiL = new Mutated('mutant:step-omits-PiL', (b) => b, (b) => new StepWithoutPiL(b));

/** (11) The sampled step transforms each x_s by its element but leaves y_s as it is. */
class SampledXNotY extends ReferenceSession {
  override async sampledStep(A: Float64Array, eta: number, gamma: number, elements: Int32Array): Promise<Float64Array> {
    const { model, data: d, loss } = this.built;
    const x = new Float64Array(d.x.length);
    for (let s = 0; s < d.count; s++) model.inputRep.apply(elements[s], d.x, x, s * d.inputDim, s * d.inputDim);
    const g = new Float64Array(A.length);
    model.lossGradient(A, x, d.y, d.count, loss, 1 / d.count, g);
    const v = projectedGradient(this.built, g), r = regularizerGradient(this.built, A, gamma);
    return A.map((a, i) => a - eta * (v[i] + r[i]));
  }
}
const sampledXNotY = new Mutated('mutant:sampled-step-x-not-y', (b) => b, (b) => new SampledXNotY(b));

/** (12) The flow integrates the regularized dynamics with γ/2 (steps stay right). */
class FlowHalfGamma extends ReferenceSession {
  override async flow(kind: DynamicsKind, A: Float64Array, gamma: number, times: number[], step: number): Promise<Float64Array[]> {
    return super.flow(kind, A, gamma / 2, times, step);
  }
}
const flowHalfGamma = new Mutated('mutant:flow-half-gamma', (b) => b, (b) => new FlowHalfGamma(b));

/**
 * (15) The flow by Lawson RK4 (RK4 on w = φ(−t)A, the integrating factor) in place of ETDRK4: as accurate at small
 * γ·step, and stable at any, but its fixed points are not the zeros of v once γ·step is not small (docs/theory.md §9).
 */
class FlowLawson extends ReferenceSession {
  override async flow(kind: DynamicsKind, A: Float64Array, gamma: number, times: number[], step: number): Promise<Float64Array[]> {
    return flowOf(this.field(kind, gamma), this.built.P.L.offset, A, times, { integrator: 'lawson-rk4', step });
  }
}
const flowLawson = new Mutated('mutant:flow-lawson', (b) => b, (b) => new FlowLawson(b));

/**
 * (16) The flow evaluates the risk gradient once, at its start, and integrates Ȧ = F(A_0) − γΠ_{E⊥}A (a gradient
 * hoisted out of the loop): one step from A is right, so (A(τ) − A)/τ → v(A) holds, and only the trajectory is wrong.
 */
class FlowFrozenGradient extends ReferenceSession {
  override async flow(kind: DynamicsKind, A: Float64Array, gamma: number, times: number[], step: number): Promise<Float64Array[]> {
    const f = this.field(kind, gamma);
    const frozen = new Float64Array(this.dim);
    f.nonlinear(A, frozen);
    return flowOf({ ...f, nonlinear: (_a, out) => out.set(frozen) }, this.built.P.L.offset, A, times, { integrator: DEFAULT_INTEGRATOR, step });
  }
}
const flowFrozenGradient = new Mutated('mutant:flow-frozen-gradient', (b) => b, (b) => new FlowFrozenGradient(b));

/**
 * (13) Projected gradient descent with the linear projector: A⁺ = Π_L(A − η(K∇R + γΠ_{E⊥}(A − A°))), Π_L applied to
 * the point after adding the regularizer. Right on a linear L (A ∈ L_0); on an affine L it drops A°.
 */
class StepProjectsPoint extends ReferenceSession {
  override async step(kind: DynamicsKind, A: Float64Array, eta: number, gamma: number): Promise<Float64Array> {
    if (kind !== 'reg-augmented' && kind !== 'reg-nominal') return super.step(kind, A, eta, gamma);
    const b = this.built;
    const v = projectedGradient(b, gradientOf(b, kind, A)), r = regularizerGradient(b, A, gamma);
    return b.P.piL(A.map((a, i) => a - eta * (v[i] + r[i])));
  }
}
const stepProjectsPoint = new Mutated('mutant:step-projects-point', (b) => b, (b) => new StepProjectsPoint(b));

/** (14) The regularizer ignores the offset of an affine L: −γΠ_{E⊥}A instead of −γΠ_{E⊥}(A − A°). */
const regularizerIgnoresOffset = new Mutated('mutant:regularizer-ignores-offset', (b) => ({ ...b, P: new Projectors({ ...b.L, offset: null }) }));

export const mutants: readonly Mutant[] = [
  { id: 'action-without-inverse', bug: 'the induced action uses ρ_i(g) where ρ_i(g)^{-1} belongs', impl: actionWithoutInverse },
  { id: 'twirl-missing-element', bug: 'Π_G averages over all but one group element', impl: twirlMissingElement },
  { id: 'augment-x-not-y', bug: 'augmentation transforms x but not an equivariant y', impl: augmentXNotY },
  { id: 'regularizer-uses-PiL-PiG', bug: 'Π_E = Π_LΠ_G used on an incompatible L (regularizer and flows)', impl: regularizerIncompatible },
  { id: 'regularizer-sign', bug: 'the regularizer gradient has the wrong sign', impl: regularizerSign },
  { id: 'step-reuses-one-g', bug: 'the exact-average step reuses one g for the whole batch', impl: sgdOneG },
  { id: 'rot90-off-by-one', bug: 'rot90 on the data rotates about the corner (off by one)', impl: rot90OffByOneMutant },
  { id: 'quadrature-one-short', bug: 'R^aug of an SO(2)/O(2) case averages over N − 1 angles instead of the N its degree needs', impl: quadratureOneShort },
  { id: 'backprop-slip', bug: "the first layer's gradient is off by a factor 1.25", impl: backpropSlip },
];

/**
 * Slips in the training code paths (step, sampled step, flow) that leave act, project and risk right: the dynamics
 * conformance claims (src/claims/dynamics.ts) must reject each; properties/dynamics.test.ts runs `verify` on them.
 */
export const dynamicsMutants: readonly Mutant[] = [
  { id: 'regularizer-on-PiG', bug: 'the regularizer pulls towards H_G (−γΠ_{G⊥}A) instead of E (−γΠ_{E⊥}A)', impl: regularizerOnG },
  { id: 'step-omits-PiL', bug: 'the training step omits Π_L on the risk gradient', impl: stepWithoutPiL },
  { id: 'sampled-step-x-not-y', bug: 'the sampled step transforms x but not y', impl: sampledXNotY },
  { id: 'flow-half-gamma', bug: 'the flow integrates with γ/2', impl: flowHalfGamma },
  { id: 'flow-frozen-gradient', bug: 'the flow evaluates the risk gradient once, at its start (right for one step, wrong along the trajectory)', impl: flowFrozenGradient },
  { id: 'flow-lawson', bug: 'the flow integrates by Lawson RK4 (integrating factor), whose fixed points are off the zeros of v at stiff steps', impl: flowLawson },
  { id: 'step-projects-point', bug: 'the regularized step applies Π_L to the point after adding the regularizer (drops A° of an affine L)', impl: stepProjectsPoint },
  { id: 'regularizer-ignores-offset', bug: 'the regularizer is −γΠ_{E⊥}A on an affine L, not −γΠ_{E⊥}(A − A°)', impl: regularizerIgnoresOffset },
];

/** A reference whose sessions of groups given by generators (perm-generators Cases) carry one planted bug. */
class PermMutated extends ReferenceImplementation {
  constructor(name: string, private readonly mutate: (c: PermCase) => PermCase, private readonly sessionOf: (c: PermCase) => CaseSession = (c) => new PermSession(c)) {
    super(name);
  }
  protected override permSession(spec: CaseSpec): CaseSession {
    return this.sessionOf(this.mutate(buildPermCase(spec)));
  }
}

/**
 * (P1) Π_G by orbits of single indices: a weight W_ij is joined with W_{g·i, j} and with W_{i, g·j} separately (rows
 * and columns moved independently, S_n × S_n), not with W_{g·i, g·j} (index pairs). Its fixed space, span(11ᵀ) and
 * the constant bias, misses the identity part of H_G; Π_E, the regularizer, the equivariant flow and R^aug's Π_G C_yx
 * inherit it. One-layer networks (the large family of the theorem claims); others are left as they are.
 */
const permOrbitsOfSingleIndices = new PermMutated('mutant:perm-orbits-of-single-indices', (c) => {
  const m = c.spec.model;
  if (m.kind !== 'mlp' || m.hidden.length > 0) return c;
  const G = c.group;
  const rows = layerAction([trivialAction(G, c.input.dim), c.output], m.bias), cols = layerAction([c.input, trivialAction(G, c.output.dim)], m.bias);
  const moves = G.generators.flatMap((s) => [rows.move(s) as SignedPerm, cols.move(s) as SignedPerm]);
  return { ...c, projector: orbitProjector(c.params.dim, moves) };
});

/** (P2) R^aug by twirled moments twirls C_xx only: the data's cross moment C_yx is left unaveraged over G. */
class TwirlXxOnly extends PermSession {
  protected override augmentedRisk(): Objective {
    return twirledMomentRisk(this.c, 'xx') ?? super.augmentedRisk();
  }
}
const permTwirlXxOnly = new PermMutated('mutant:perm-twirl-xx-only', (c) => c, (c) => new TwirlXxOnly(c));

/**
 * Planted bugs specific to groups given by generators: the theorem claims must reject each on their exact
 * large-S_n family (properties/foundation/largeTheorems.test.ts replays it).
 */
export const permMutants: readonly Mutant[] = [
  { id: 'perm-orbits-of-single-indices', bug: 'Π_G by orbits of single indices (rows and columns moved independently), not of index pairs', impl: permOrbitsOfSingleIndices },
  { id: 'perm-twirl-xx-only', bug: 'R^aug by twirled moments averages C_xx over G but not C_yx', impl: permTwirlXxOnly },
];
