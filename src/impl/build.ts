import { EqflowError, MAX_DATA_ENTRIES, requireSize } from '../core/errors.js';
import { RandomStream } from '../core/rng.js';
import { loadMnist, sampleMnist } from '../data/mnist.js';
import { FiniteGroup, fromCayleyTable } from '../groups/group.js';
import { cyclic, dihedral, factorProjection, fromGenerators, product, symmetric } from '../groups/builtins.js';
import { LinearMap } from '../flows/dynamics.js';
import { biasedTanh, pointwise } from '../models/activations.js';
import { Activation } from '../models/model.js';
import { ConvNet, convSegments } from '../models/cnn.js';
import { DenseNetwork } from '../models/dense.js';
import { Loss, Model } from '../models/model.js';
import { Representation } from '../reps/representation.js';
import {
  adjacency, cyclicShift, denseRep, directSum, natural, permutationRep, pullback, rot90, rotation2d, signedPermutationRep, tensor, trivial,
} from '../reps/builders.js';
import { Dataset, dataset, orbitDataset, syntheticDataset } from '../risk/dataset.js';
import { losses } from '../risk/losses.js';
import { Objective } from '../risk/objective.js';
import { augmentedRisk, nominalRisk } from '../risk/risk.js';
import { Admissible, basisSpace, fullSpace, maskSpace, withOffset } from '../space/admissible.js';
import { Projectors } from '../space/projectors.js';
import { KernelSupport, kernelSupportSpace, supportByName } from '../space/supports.js';
import { bandLimitedRep, circleRep } from '../reps/planarRule.js';
import { checkPlanarRule } from './planarCase.js';
import { AdmissibleSpec, CaseSpec, DataSpec, GroupSpec, ModelSpec, RepSpec } from './caseSpec.js';

/** A Case made concrete: the objects every claim and flow works with. */
export interface BuiltCase {
  readonly spec: CaseSpec;
  readonly group: FiniteGroup;
  readonly model: Model;
  readonly L: Admissible;
  readonly P: Projectors;
  readonly data: Dataset;
  readonly loss: Loss;
  /** R, the nominal risk */
  readonly R: Objective;
  /** R^aug, the exact augmented risk (data transformed by every g) */
  readonly Raug: Objective;
  /** K = MMᵀ for a matrix parametrization, null for the unitary one (K = Π_L) */
  readonly K: LinearMap | null;
}

export function buildGroup(spec: GroupSpec, field = 'group'): FiniteGroup {
  switch (spec.kind) {
    case 'cyclic': return cyclic(spec.n);
    case 'dihedral': return dihedral(spec.n);
    case 'symmetric': return symmetric(spec.n);
    case 'product': return product(buildGroup(spec.factors[0], `${field}.factors[0]`), buildGroup(spec.factors[1], `${field}.factors[1]`));
    case 'generators': return fromGenerators(spec.perms);
    case 'table': return fromCayleyTable(spec.table);
    case 'SO2': return cyclic(spec.points, `SO2@${spec.points}`);
    case 'O2': return dihedral(spec.points, `O2@${spec.points}`);
    case 'perm-generators': throw new EqflowError('unsupported', field, 'a group by generators is never enumerated: its cases are built by buildPermCase (src/impl/permCase.ts)');
  }
}

export function buildRep(G: FiniteGroup, spec: RepSpec, field = 'rep'): Representation {
  switch (spec.kind) {
    case 'trivial': return trivial(G, spec.dim ?? 1);
    case 'shift': return cyclicShift(G, spec.dim, spec.step);
    case 'rot90': return rot90(G, spec.k, spec.channels ?? 1);
    case 'natural': return natural(G);
    case 'adjacency': return adjacency(G);
    case 'rotation2d': return rotation2d(G);
    case 'permutation': return permutationRep(G, spec.perms);
    case 'signed': return signedPermutationRep(G, spec.perms, spec.signs);
    case 'dense': return denseRep(G, spec.matrices, spec.dim);
    case 'sum': return directSum(...spec.parts.map((p, i) => buildRep(G, p, `${field}.parts[${i}]`)));
    case 'tensor': return tensor(buildRep(G, spec.a, `${field}.a`), buildRep(G, spec.b, `${field}.b`));
    case 'factor': {
      if (G.family.kind !== 'product') throw new EqflowError('invalid-argument', field, `a factor representation needs a product group, got ${G.name}`);
      return pullback(buildRep(G.family.factors[spec.which], spec.rep, `${field}.rep`), G, factorProjection(G, spec.which));
    }
    case 'band-limited': return bandLimitedRep(G, spec.frequencies);
    case 'circle': return circleRep(G, spec.K);
  }
}

/** σ by name on R^n; 'biased-tanh' gets the fixed generic offsets c_k = ½ sin(1.7k + 0.3). */
export function activationOf(name: string, n: number): Activation {
  return name === 'biased-tanh' ? biasedTanh(Float64Array.from({ length: n }, (_, k) => 0.5 * Math.sin(1.7 * k + 0.3))) : pointwise(name);
}

export function buildModel(G: FiniteGroup, spec: ModelSpec): Model {
  switch (spec.kind) {
    case 'mlp': {
      const reps = [buildRep(G, spec.input, 'model.input'), ...spec.hidden.map((h, i) => buildRep(G, h, `model.hidden[${i}]`)), buildRep(G, spec.output, 'model.output')];
      return new DenseNetwork({
        reps,
        activations: reps.slice(1).map((r, i) => activationOf(i + 2 < reps.length ? spec.activation : spec.outputActivation, r.dim)),
        bias: spec.bias,
      });
    }
    case 'cnn':
      return new ConvNet({
        group: G, imageSize: spec.imageSize, inChannels: spec.inChannels, outputs: spec.outputs,
        blocks: spec.blocks.map((b, i) => {
          if (b.activation === 'biased-tanh') throw new EqflowError('unsupported', `model.blocks[${i}].activation`, 'biased-tanh is for dense networks only');
          return { outChannels: b.outChannels, pool: b.pool, layerNorm: b.layerNorm, activation: pointwise(b.activation) };
        }),
      });
  }
}

export function buildAdmissible(model: Model, spec: AdmissibleSpec): Admissible {
  const L = buildLinearAdmissible(model, spec);
  if (spec.kind === 'full' || !spec.offset) return L;
  if (spec.offset.length !== model.space.dim) throw new EqflowError('dimension-mismatch', 'admissible.offset', `expected ${model.space.dim} entries (dim H), got ${spec.offset.length}`);
  return withOffset(L, spec.offset);
}

/** L_0 of an admissible spec (its offset aside). */
function buildLinearAdmissible(model: Model, spec: AdmissibleSpec): Admissible {
  const space = model.space;
  switch (spec.kind) {
    case 'full': return fullSpace(space);
    case 'support': {
      const support: KernelSupport = typeof spec.support === 'string' ? supportByName(spec.support) : spec.support.map(([a, b]) => [a, b] as const);
      const segments = spec.segments ?? convSegments(space);
      if (segments.length === 0) throw new EqflowError('invalid-argument', 'admissible.segments', `model ${model.name} has no conv segments for a kernel support`);
      return kernelSupportSpace(space, support, segments, typeof spec.support === 'string' ? spec.support : 'support');
    }
    case 'mask': return maskSpace(space, spec.mask, spec.name ?? 'mask');
    case 'basis': return basisSpace(space, spec.vectors, spec.name ?? 'span');
  }
}

export function buildData(model: Model, spec: DataSpec, field = 'data', P?: Projectors): Dataset {
  const nIn = model.inputRep.dim, nOut = model.outputRep.dim;
  switch (spec.kind) {
    case 'synthetic': return syntheticDataset(new RandomStream(spec.seed), nIn, nOut, spec.count, spec.targets ?? 'regression');
    case 'teacher': {
      requireSize(spec.count * (nIn + nOut), MAX_DATA_ENTRIES, `${field}.count`, `${spec.count} samples in R^${nIn} × R^${nOut}`);
      const rng = new RandomStream(spec.seed);
      const x = rng.child('x').gaussianVector(spec.count * nIn);
      let teacher = rng.child('teacher').gaussianVector(model.space.dim, spec.scale ?? 0.5);
      if (spec.equivariant) {
        if (!P) throw new EqflowError('invalid-argument', `${field}.equivariant`, 'an equivariant teacher needs the case\'s projectors');
        teacher = P.piE(teacher);
      }
      const y = new Float64Array(spec.count * nOut);
      model.forward(teacher, x, spec.count, y);
      const noise = rng.child('noise');
      for (let i = 0; i < y.length; i++) y[i] += (spec.noise ?? 0.1) * noise.gaussian();
      return dataset(x, y, nIn, nOut);
    }
    case 'explicit': {
      spec.x.forEach((r, i) => { if (r.length !== nIn) throw new EqflowError('dimension-mismatch', `${field}.x[${i}]`, `expected ${nIn} entries, got ${r.length}`); });
      spec.y.forEach((r, i) => { if (r.length !== nOut) throw new EqflowError('dimension-mismatch', `${field}.y[${i}]`, `expected ${nOut} entries, got ${r.length}`); });
      if (spec.x.length !== spec.y.length) throw new EqflowError('dimension-mismatch', `${field}.y`, `${spec.x.length} inputs but ${spec.y.length} targets`);
      return dataset(spec.x.flat(), spec.y.flat(), nIn, nOut);
    }
    case 'orbit': return orbitDataset(buildData(model, spec.of, `${field}.of`, P), model.inputRep, model.outputRep);
    case 'mnist': {
      if (nIn !== 784 || nOut !== 10) throw new EqflowError('dimension-mismatch', field, `MNIST needs a model R^784 → R^10, got R^${nIn} → R^${nOut}`);
      const window = spec.sample === 'window';
      if (!window && spec.offset !== undefined) throw new EqflowError('invalid-argument', `${field}.offset`, 'an offset selects a window of the class-sorted order: add sample: "window"');
      if (window && spec.seed !== undefined) throw new EqflowError('invalid-argument', `${field}.seed`, 'a window is not random: drop the seed or the sample: "window"');
      const m = window ? loadMnist({ count: spec.count, offset: spec.offset ?? 0 }) : sampleMnist(spec.count, new RandomStream(spec.seed ?? 'mnist'));
      const y = new Float64Array(m.count * 10);
      m.labels.forEach((l, s) => { y[s * 10 + l] = 1; });
      return dataset(m.images, y, 784, 10);
    }
  }
}

/** K θ-space map: K x = M(Mᵀx) for M given as dim×p rows. */
function buildK(M: number[][], dim: number): LinearMap {
  if (M.length !== dim) throw new EqflowError('dimension-mismatch', 'parametrization.M', `expected ${dim} rows (dim H), got ${M.length}`);
  const p = M[0].length;
  M.forEach((r, i) => { if (r.length !== p) throw new EqflowError('dimension-mismatch', `parametrization.M[${i}]`, `expected ${p} columns, got ${r.length}`); });
  const t = new Float64Array(p);
  return (x, out) => {
    t.fill(0);
    for (let i = 0; i < dim; i++) for (let j = 0; j < p; j++) t[j] += M[i][j] * x[i];
    for (let i = 0; i < dim; i++) {
      let s = 0;
      for (let j = 0; j < p; j++) s += M[i][j] * t[j];
      out[i] = s;
    }
  };
}

/** Builds every object of a validated Case. */
export function buildCase(spec: CaseSpec): BuiltCase {
  checkPlanarRule(spec);
  const group = buildGroup(spec.group);
  const model = buildModel(group, spec.model);
  const L = buildAdmissible(model, spec.admissible);
  const P = new Projectors(L);
  const data = buildData(model, spec.data, 'data', P);
  const loss = losses[spec.loss];
  const K = spec.parametrization.kind === 'matrix' ? buildK(spec.parametrization.M, model.space.dim) : null;
  return { spec, group, model, L, P, data, loss, R: nominalRisk(model, data, loss), Raug: augmentedRisk(model, data, loss), K };
}
