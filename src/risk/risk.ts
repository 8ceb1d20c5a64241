import { EqflowError, requireFinite, requireLength } from '../core/errors.js';
import { RandomStream } from '../core/rng.js';
import { Loss, Model } from '../models/model.js';
import { Projectors } from '../space/projectors.js';
import { Dataset, orbitDataset } from './dataset.js';
import { Objective } from './objective.js';

function checkData(model: Model, data: Dataset): void {
  if (data.inputDim !== model.inputRep.dim) throw new EqflowError('dimension-mismatch', 'data.inputDim', `model ${model.name} takes inputs in R^${model.inputRep.dim}, data has ${data.inputDim}`);
  if (data.outputDim !== model.outputRep.dim) throw new EqflowError('dimension-mismatch', 'data.outputDim', `model ${model.name} outputs R^${model.outputRep.dim}, data has ${data.outputDim}`);
}

/** Nominal risk R(A) = E_D ℓ(Φ_A(x), y) (docs/theory.md §3), uniform weights over the samples. */
export function nominalRisk(model: Model, data: Dataset, loss: Loss): Objective {
  checkData(model, data);
  const w = 1 / data.count;
  return {
    dim: model.space.dim,
    value: (A) => model.lossGradient(A, data.x, data.y, data.count, loss, w, null),
    gradient: (A, grad) => {
      grad.fill(0);
      return model.lossGradient(A, data.x, data.y, data.count, loss, w, grad);
    },
  };
}

/**
 * Exact augmented risk R^aug(A) = E_g E_D ℓ(Φ_A(ρ_0(g)x), ρ_Y(g)y): the data are transformed by every group
 * element (the definition, not the parameter-side average of Lemma 1(a), which is a property to check).
 */
export function augmentedRisk(model: Model, data: Dataset, loss: Loss): Objective {
  checkData(model, data);
  return nominalRisk(model, orbitDataset(data, model.inputRep, model.outputRep), loss);
}

/**
 * Sampled augmentation: one uniform g per sample, drawn from `rng` at every call (SGD-style). Its expectation
 * over g is ∇R^aug (Lemma 2(e)); `transformWith` exposes the transform for a fixed choice of elements.
 */
export class SampledAugmentation {
  private readonly bx: Float64Array;
  private readonly by: Float64Array;
  readonly elements: Int32Array;
  constructor(readonly model: Model, readonly data: Dataset, readonly loss: Loss, private readonly rng: RandomStream) {
    checkData(model, data);
    this.bx = new Float64Array(data.x.length);
    this.by = new Float64Array(data.y.length);
    this.elements = new Int32Array(data.count);
  }

  /** Loss and gradient of the batch with sample s transformed by elements[s]. */
  gradientWith(A: Float64Array, elements: ArrayLike<number>, grad: Float64Array): number {
    const d = this.data;
    const { inputRep, outputRep } = this.model;
    for (let s = 0; s < d.count; s++) {
      inputRep.apply(elements[s], d.x, this.bx, s * d.inputDim, s * d.inputDim);
      outputRep.apply(elements[s], d.y, this.by, s * d.outputDim, s * d.outputDim);
    }
    grad.fill(0);
    return this.model.lossGradient(A, this.bx, this.by, d.count, this.loss, 1 / d.count, grad);
  }

  /** Draws one uniform g per sample, then as gradientWith. */
  gradient(A: Float64Array, grad: Float64Array): number {
    const order = this.model.inputRep.group.order;
    for (let s = 0; s < this.data.count; s++) this.elements[s] = this.rng.int(order);
    return this.gradientWith(A, this.elements, grad);
  }
}

/** The regularizer γ/2 ‖Π_{E⊥}A‖² and its gradient γ Π_{E⊥}A (Π_{E⊥} is an orthogonal projection). */
export function regularizer(P: Projectors, gamma: number): Objective {
  if (!(gamma >= 0) || !Number.isFinite(gamma)) throw new EqflowError('invalid-argument', 'gamma', `expected a finite γ ≥ 0, got ${gamma}`);
  const tmp = new Float64Array(P.space.dim);
  return {
    dim: P.space.dim,
    value: (A) => {
      P.piEperp(A, tmp);
      let s = 0;
      for (let i = 0; i < tmp.length; i++) s += tmp[i] * tmp[i];
      return 0.5 * gamma * s;
    },
    gradient: (A, grad) => {
      P.piEperp(A, grad);
      let s = 0;
      for (let i = 0; i < grad.length; i++) {
        s += grad[i] * grad[i];
        grad[i] *= gamma;
      }
      return 0.5 * gamma * s;
    },
  };
}

/** f + g as one objective (e.g. S_γ = R^aug + γ/2‖Π_{E⊥}A‖², S_γ^nom = R + γ/2‖Π_{E⊥}A‖²). */
export function sum(f: Objective, g: Objective): Objective {
  if (f.dim !== g.dim) throw new EqflowError('dimension-mismatch', 'g', `objectives on R^${f.dim} and R^${g.dim}`);
  const tmp = new Float64Array(f.dim);
  return {
    dim: f.dim,
    value: (A) => f.value(A) + g.value(A),
    gradient: (A, grad) => {
      const a = f.gradient(A, grad);
      const b = g.gradient(A, tmp);
      for (let i = 0; i < grad.length; i++) grad[i] += tmp[i];
      return a + b;
    },
  };
}

/** Checks a point before it enters a risk: right length, finite (never let NaN propagate silently). */
export function checkPoint(A: ArrayLike<number>, dim: number, field = 'A'): void {
  requireLength(A, dim, field);
  requireFinite(A, field);
}
