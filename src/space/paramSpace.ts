import { EqflowError, requireInteger } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { FiniteGroup } from '../groups/group.js';
import { Representation } from '../reps/representation.js';
import { directSum, tensor, trivial } from '../reps/builders.js';

/** One layer's block of the flat parameter vector. */
export interface Segment {
  readonly name: string;
  readonly offset: number;
  readonly size: number;
  /** e.g. [n_{i+1}, n_i] for a dense layer, [c_out, c_in, 3, 3] for a conv kernel */
  readonly shape: readonly number[];
}

/** One layer A_i ∈ Hom(X_i, X_{i+1}) of a parameter space: its name and the representations on its input and output. */
export interface SegmentSpec {
  name: string;
  shape: number[];
  /** the action of G on this block, of dimension Π shape */
  rep: Representation;
}

/**
 * The parameter space H = ⊕_i Hom(X_i, X_{i+1}) as one flat Float64Array with a layer layout, and the induced
 * action ρ̄ on it: (ρ̄(g)A)_i = ρ_{i+1}(g) A_i ρ_i(g)^{-1} (docs/theory.md §1), a direct sum over segments.
 */
export class ParamSpace {
  readonly group: FiniteGroup;
  readonly segments: readonly Segment[];
  /** ρ̄: the representation of G on H */
  readonly action: Representation;
  readonly dim: number;

  constructor(specs: SegmentSpec[]) {
    if (specs.length === 0) throw new EqflowError('invalid-argument', 'segments', 'a parameter space needs at least one segment');
    const segs: Segment[] = [];
    let o = 0;
    specs.forEach((s, i) => {
      s.shape.forEach((d, k) => requireInteger(d, `segments[${i}].shape[${k}]`));
      const size = s.shape.reduce((a, b) => a * b, 1);
      if (size !== s.rep.dim) throw new EqflowError('dimension-mismatch', `segments[${i}].rep`, `the shape ${s.shape.join('×')} has ${size} entries but the representation acts on R^${s.rep.dim}`);
      if (s.rep.group !== specs[0].rep.group) throw new EqflowError('invalid-argument', `segments[${i}].rep`, 'all segments must carry representations of one group');
      segs.push({ name: s.name, offset: o, size, shape: s.shape.slice() });
      o += size;
    });
    this.group = specs[0].rep.group;
    this.segments = segs;
    this.dim = o;
    this.action = directSum(...specs.map((s) => s.rep));
  }

  /** ‖A_i‖ per segment (the per-layer norms the trajectory recorder logs). */
  segmentNorms(x: Float64Array): number[] {
    return this.segments.map((s) => norm(x, s.size, s.offset));
  }

  segment(name: string): Segment {
    const s = this.segments.find((t) => t.name === name);
    if (!s) throw new EqflowError('invalid-argument', 'segment', `no segment named ${name} (have ${this.segments.map((t) => t.name).join(', ')})`);
    return s;
  }

  zeros(): Float64Array {
    return new Float64Array(this.dim);
  }
}

/**
 * The dense network's space: layers A_i ∈ Hom(X_i ⊕ R^{b_i}, X_{i+1}) for feature representations ρ_0..ρ_L, where
 * bias[i] appends a constant coordinate with trivial action (docs/theory.md §1, Biases). Segment i has shape
 * [n_{i+1}, n_i + b_i] and action ρ_{i+1} ⊗ (ρ_i ⊕ 1).
 */
export function layerSpace(reps: Representation[], bias: boolean | boolean[] = false): ParamSpace {
  if (reps.length < 2) throw new EqflowError('invalid-argument', 'reps', 'a network needs at least an input and an output representation');
  const specs: SegmentSpec[] = [];
  for (let i = 0; i + 1 < reps.length; i++) {
    const b = Array.isArray(bias) ? bias[i] ?? false : bias;
    const inRep = b ? directSum(reps[i], trivial(reps[i].group, 1)) : reps[i];
    specs.push({ name: `A${i}`, shape: [reps[i + 1].dim, inRep.dim], rep: tensor(reps[i + 1], inRep) });
  }
  return new ParamSpace(specs);
}
