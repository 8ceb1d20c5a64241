import { EqflowError, requireInteger, requireLength } from '../core/errors.js';
import { ResidentMirror, gemm, gemmTN, workBuffer } from '../core/backend.js';
import { RandomStream } from '../core/rng.js';
import { cyclic } from '../groups/builtins.js';
import { cyclicShift, trivial } from '../reps/builders.js';
import { Representation } from '../reps/representation.js';
import { ParamSpace, layerSpace } from '../space/paramSpace.js';
import { identity, tanh } from './activations.js';
import { Activation, Loss, Model } from './model.js';

/** A dense network x_{i+1} = σ_i(A_i x_i): the representation on every feature space, the activations and biases (docs/theory.md §1). */
export interface DenseOptions {
  /** ρ_0..ρ_L: the representations on X_0..X_L (L + 1 of them) */
  reps: Representation[];
  /** σ_0..σ_{L−1}, one per layer (the last is usually identity) */
  activations: Activation[];
  /** append a constant coordinate with trivial action to the input of every layer (or of layer i) */
  bias?: boolean | boolean[];
  name?: string;
}

/**
 * The dense network Φ_A over H = ⊕_i Hom(X_i ⊕ R^{b_i}, X_{i+1}) (docs/theory.md §1): x_{i+1} = σ_i(A_i [x_i; 1 if b_i]),
 * each A_i an explicit n_{i+1}×(n_i + b_i) row-major block of the flat vector A laid out by `layerSpace`.
 * Batches are rows (batch × features), so every layer is one gemm: Z_i = X_i A_iᵀ forward, and backward
 * ∇A_i += δ_iᵀ X_i, δX_i = δ_i A_i. Work buffers grow to the largest batch and are then reused; A_iᵀ is refreshed
 * per call (n_{i+1}(n_i + b_i) copies against count times as many multiply-adds).
 * Lemma 0 (Φ_{ρ̄(g)A}(ρ_0(g)x) = ρ_L(g)Φ_A(x)) holds when every σ_i satisfies A2 on ρ_{i+1}; the constructor cannot
 * check that (a pointwise σ on a non-permutation ρ_{i+1} breaks it), properties/models.dense.test.ts does.
 */
export class DenseNetwork implements Model {
  readonly name: string;
  readonly space: ParamSpace;
  readonly inputRep: Representation;
  readonly outputRep: Representation;
  readonly reps: readonly Representation[];
  readonly activations: readonly Activation[];
  /** b_i ∈ {false, true} per layer */
  readonly bias: readonly boolean[];
  /** n_0..n_L */
  readonly widths: readonly number[];

  private capacity = 0;
  /** [X_i; 1] rows for layers with a bias (stride n_i + 1); empty for layers without */
  private xin: Float64Array[] = [];
  /** Z_i = pre-activations, B × n_{i+1} */
  private z: Float64Array[] = [];
  /** X_{i+1} = σ_i(Z_i), B × n_{i+1} */
  private act: Float64Array[] = [];
  /** ∂/∂X_{i+1} of the weighted loss, B × n_{i+1} */
  private gAct: Float64Array[] = [];
  /** ∂/∂Z_i, shared by all layers (consumed within one layer's step) */
  private gZ: Float64Array = new Float64Array(0);
  /** ∂/∂[X_i; 1] for bias layers before dropping the constant column */
  private gIn: Float64Array = new Float64Array(0);
  /** A_iᵀ, (n_i + b_i) × n_{i+1}: the forward runs as gemm X·A_iᵀ, whose kernel beats the dot-product one (gemmNT) */
  private readonly wt: Float64Array[];
  /** the batch x where the kernels read it in place (one copy per call with the WASM backend) */
  private readonly input = new ResidentMirror();

  constructor(opts: DenseOptions) {
    const { reps, activations } = opts;
    if (!Array.isArray(reps) || reps.length < 2) throw new EqflowError('invalid-argument', 'reps', 'give at least an input and an output representation');
    const L = reps.length - 1;
    reps.forEach((r, i) => {
      if (r.group !== reps[0].group) throw new EqflowError('invalid-argument', `reps[${i}]`, `representation of ${r.group.name}, but reps[0] is of ${reps[0].group.name}`);
    });
    if (!Array.isArray(activations) || activations.length !== L) {
      throw new EqflowError('dimension-mismatch', 'activations', `expected one activation per layer (${L}), got ${Array.isArray(activations) ? activations.length : typeof activations}`);
    }
    activations.forEach((f, i) => {
      const n = reps[i + 1].dim;
      const m = f.outDim(n);
      // x_{i+1} = σ_i(A_i x_i) must live in X_{i+1}, the next layer's input: a dense layer cannot pool.
      if (m !== n) throw new EqflowError('dimension-mismatch', `activations[${i}]`, `${f.name} maps R^${n} to R^${m}; a dense layer needs σ_${i}: X_${i + 1} → X_${i + 1} (R^${n})`);
      // A2: a pointwise σ commutes with permutations (signed ones when σ is odd), not with every orthogonal ρ
      const rep = reps[i + 1], c = f.commutesWith;
      const ok = c === undefined || c === 'orthogonal' || (rep.monomial !== null && (c === 'signed-permutation' || rep.monomial.sign.every((sg) => sg.every((v) => v === 1))));
      if (!ok) throw new EqflowError('invalid-argument', `activations[${i}]`, `σ_${i} = ${f.name} commutes only with ${c} representations, but X_${i + 1} carries ${rep.name}: assumption A2 fails`);
    });
    const bias = opts.bias ?? false;
    if (Array.isArray(bias) && bias.length !== L) throw new EqflowError('dimension-mismatch', 'bias', `expected one flag per layer (${L}), got ${bias.length}`);
    this.bias = Array.from({ length: L }, (_, i) => (Array.isArray(bias) ? bias[i] : bias) === true);
    this.reps = reps.slice();
    this.activations = activations.slice();
    this.widths = reps.map((r) => r.dim);
    this.space = layerSpace(this.reps.slice(), this.bias.slice());
    this.wt = this.space.segments.map((seg) => workBuffer(seg.size));
    this.inputRep = reps[0];
    this.outputRep = reps[L];
    this.name = opts.name ?? `dense(${this.widths.join('→')}; ${activations.map((f) => f.name).join(',')}${this.bias.some((b) => b) ? '; bias' : ''})`;
  }

  get layers(): number {
    return this.activations.length;
  }

  /** Entries N(0, scale²/fan_in) per layer (fan_in = n_i + b_i), so activations stay O(1) with depth. */
  randomParameters(rng: RandomStream, scale = 1): Float64Array {
    const A = this.space.zeros();
    this.space.segments.forEach((s) => {
      const r = rng.child(s.name);
      const sd = scale / Math.sqrt(s.shape[1]);
      for (let k = 0; k < s.size; k++) A[s.offset + k] = sd * r.gaussian();
    });
    return A;
  }

  forward(A: Float64Array, x: Float64Array, count: number, out: Float64Array): void {
    this.check(A, x, count);
    const nL = this.widths[this.layers];
    if (out.length < count * nL) throw new EqflowError('dimension-mismatch', 'out', `expected at least ${count}×${nL} entries, got ${out.length}`);
    this.run(A, this.input.of(x, count * this.widths[0]), count);
    const yhat = this.act[this.layers - 1];
    for (let k = 0, m = count * nL; k < m; k++) out[k] = yhat[k];
  }

  lossGradient(A: Float64Array, x: Float64Array, y: Float64Array, count: number, loss: Loss, weight: number, grad: Float64Array | null): number {
    this.check(A, x, count);
    const L = this.layers;
    const nL = this.widths[L];
    if (y.length < count * nL) throw new EqflowError('dimension-mismatch', 'y', `expected at least ${count}×${nL} entries, got ${y.length}`);
    if (!Number.isFinite(weight)) throw new EqflowError('invalid-argument', 'weight', `expected a finite weight, got ${weight}`);
    if (grad) requireLength(grad, this.space.dim, 'grad');
    const X = this.input.of(x, count * this.widths[0]);
    this.run(A, X, count);
    const yhat = this.act[L - 1];
    const g = grad ? this.gAct[L - 1] : null;
    let total = 0;
    for (let s = 0, o = 0; s < count; s++, o += nL) total += loss.evaluate(yhat, y, nL, g, o, o);
    if (!grad || !g) return weight * total;
    for (let k = 0, m = count * nL; k < m; k++) g[k] *= weight;
    this.backward(A, X, count, grad);
    return weight * total;
  }

  private check(A: Float64Array, x: Float64Array, count: number): void {
    requireLength(A, this.space.dim, 'A');
    requireInteger(count, 'count', 0);
    const n0 = this.widths[0];
    if (x.length < count * n0) throw new EqflowError('dimension-mismatch', 'x', `expected at least ${count}×${n0} entries, got ${x.length}`);
    this.reserve(Math.max(1, count));
  }

  /** Grows every work buffer to `count` rows (only when a larger batch arrives). */
  private reserve(count: number): void {
    if (count <= this.capacity) return;
    const L = this.layers;
    const w = this.widths;
    this.xin = this.bias.map((b, i) => {
      if (!b) return new Float64Array(0);
      const k = w[i] + 1;
      const buf = workBuffer(count * k);
      for (let s = 0; s < count; s++) buf[s * k + w[i]] = 1; // the constant coordinate; copies never touch it
      return buf;
    });
    this.z = Array.from({ length: L }, (_, i) => workBuffer(count * w[i + 1]));
    this.act = Array.from({ length: L }, (_, i) => workBuffer(count * w[i + 1]));
    this.gAct = Array.from({ length: L }, (_, i) => workBuffer(count * w[i + 1]));
    this.gZ = workBuffer(count * Math.max(...w.slice(1)));
    this.gIn = workBuffer(count * (Math.max(...w.slice(0, L)) + 1));
    this.capacity = count;
  }

  /** The rows fed to layer i: [X_i; 1] when b_i (filled here), else X_i itself. */
  private layerInput(i: number, x: Float64Array, count: number): Float64Array {
    const src = i === 0 ? x : this.act[i - 1];
    if (!this.bias[i]) return src;
    const n = this.widths[i];
    const buf = this.xin[i];
    for (let s = 0; s < count; s++) for (let c = 0, o = s * (n + 1), q = s * n; c < n; c++) buf[o + c] = src[q + c];
    return buf;
  }

  /** Forward pass into the work buffers: Z_i = [X_i; 1] A_iᵀ, X_{i+1} = σ_i(Z_i). */
  private run(A: Float64Array, x: Float64Array, count: number): void {
    for (let i = 0; i < this.layers; i++) {
      const seg = this.space.segments[i];
      const nOut = this.widths[i + 1];
      const k = seg.shape[1];
      const wt = this.wt[i];
      for (let r = 0; r < nOut; r++) for (let c = 0, o = seg.offset + r * k; c < k; c++) wt[c * nOut + r] = A[o + c];
      gemm(count, nOut, k, this.layerInput(i, x, count), 0, wt, 0, this.z[i], 0);
      this.activations[i].forward(this.z[i], this.act[i], nOut, count);
    }
  }

  /** Backpropagation from gAct[L−1] = weight·∂ℓ/∂ŷ; adds ∇_A into grad. Re-reads the layer inputs of `run`. */
  private backward(A: Float64Array, x: Float64Array, count: number, grad: Float64Array): void {
    const gZ = this.gZ;
    for (let i = this.layers - 1; i >= 0; i--) {
      const seg = this.space.segments[i];
      const nOut = this.widths[i + 1];
      const k = seg.shape[1];
      this.activations[i].backward(this.z[i], this.act[i], this.gAct[i], gZ, nOut, count);
      // ∇A_i += δ_iᵀ [X_i; 1]: the xin buffers still hold the forward's rows.
      gemmTN(nOut, k, count, gZ, 0, this.bias[i] ? this.xin[i] : i === 0 ? x : this.act[i - 1], 0, grad, seg.offset, 1);
      if (i === 0) break;
      const n = this.widths[i];
      if (!this.bias[i]) {
        gemm(count, n, nOut, gZ, 0, A, seg.offset, this.gAct[i - 1], 0);
        continue;
      }
      // Row stride of A_i is n + 1, so compute δ[X_i; 1] and drop the constant column.
      gemm(count, k, nOut, gZ, 0, A, seg.offset, this.gIn, 0);
      const ga = this.gAct[i - 1];
      for (let s = 0; s < count; s++) for (let c = 0, o = s * n, q = s * k; c < n; c++) ga[o + c] = this.gIn[q + c];
    }
  }
}

/** Options of mlp(): input, hidden and output representations, one activation for every hidden layer. */
export interface MlpOptions {
  /** ρ_0 */
  input: Representation;
  /** ρ_1..ρ_{L−1} */
  hidden: Representation[];
  /** ρ_L */
  output: Representation;
  /** σ on the hidden layers (default tanh) */
  activation?: Activation;
  /** σ on the last layer (default identity) */
  outputActivation?: Activation;
  bias?: boolean | boolean[];
  name?: string;
}

/** input → hidden… → output with one activation on every hidden layer and `outputActivation` last. */
export function mlp(opts: MlpOptions): DenseNetwork {
  const act = opts.activation ?? tanh;
  return new DenseNetwork({
    reps: [opts.input, ...opts.hidden, opts.output],
    activations: [...opts.hidden.map(() => act), opts.outputActivation ?? identity],
    bias: opts.bias,
    name: opts.name,
  });
}

/** Options of smallMlp()/wideMlp(): C_n shift representations of the given widths. */
export interface ShiftMlpOptions {
  activation?: Activation;
  bias?: boolean;
}

/** C4 shift MLP R^d → 2d → 2d → R: input shifted by d/4, hidden layers by 2d/4 (regular-type), scalar output. */
function shiftMlp(d: number, name: string, opts: ShiftMlpOptions): DenseNetwork {
  const C4 = cyclic(4);
  const h = cyclicShift(C4, 2 * d, d / 2);
  return mlp({ input: cyclicShift(C4, d, d / 4), hidden: [h, h], output: trivial(C4, 1), activation: opts.activation, bias: opts.bias ?? false, name });
}

/** R^16 (C4 shift by 4) → 32 → 32 (tanh, shift by 8) → R (trivial), no bias: bench task mlp-aug-grad. */
export function smallMlp(opts: ShiftMlpOptions = {}): DenseNetwork {
  return shiftMlp(16, 'small-mlp', opts);
}

/** R^64 (C4 shift by 16) → 128 → 128 (tanh, shift by 32) → R (trivial), no bias: bench task mlp-wide-aug-grad. */
export function wideMlp(opts: ShiftMlpOptions = {}): DenseNetwork {
  return shiftMlp(64, 'wide-mlp', opts);
}
