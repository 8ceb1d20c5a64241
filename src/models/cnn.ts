import { EqflowError, require, requireInteger, requireLength } from '../core/errors.js';
import { ResidentMirror, col2im, gemm, gemmNT, gemmTN, im2col, workBuffer } from '../core/backend.js';
import { cyclic } from '../groups/builtins.js';
import { FiniteGroup } from '../groups/group.js';
import { Representation } from '../reps/representation.js';
import { rot90, tensor, trivial } from '../reps/builders.js';
import { Admissible } from '../space/admissible.js';
import { ParamSpace, SegmentSpec, layerSpace } from '../space/paramSpace.js';
import { KernelSupport, kernelSupportSpace, supports } from '../space/supports.js';
import { identity, tanh } from './activations.js';
import { Activation, Loss, Model } from './model.js';
import { avgPool2, compose, layerNormSpatial } from './spatial.js';

/** The conv segments of a kernel-parametrized space: those named conv{i}. */
export function convSegments(space: ParamSpace): string[] {
  return space.segments.filter((s) => /^conv\d+$/.test(s.name)).map((s) => s.name);
}

/**
 * L_0 for kernel support ω (docs/theory.md §1, Admissible layers): every conv segment [c_out, c_in, 3, 3] keeps only
 * the kernel positions in ω; the linear read-out is unconstrained.
 */
export function supportMask(space: ParamSpace, support: KernelSupport, name = 'support'): Admissible {
  return kernelSupportSpace(space, support, convSegments(space), name);
}

/** One convolution block: output channels, kernel support, and the pooling, activation and LayerNorm after it. */
export interface ConvBlockConfig {
  outChannels: number;
  /** 2×2 average pooling after the convolution (needs an even image size) */
  pool: boolean;
  /** a pointwise σ (outDim(n) = n), e.g. tanh */
  activation: Activation;
  /** LayerNorm over the spatial axes after the activation */
  layerNorm: boolean;
}

/** A CNN under rot90 (C4) or its dihedral extension: image size, input channels, convolution blocks and the linear head. */
export interface ConvNetConfig {
  /** C4 or D4, acting by rot90 (and flips) */
  group: FiniteGroup;
  /** k: inputs are inChannels×k×k images */
  imageSize: number;
  inChannels: number;
  blocks: ConvBlockConfig[];
  outputs: number;
  /** ω, the 3×3 kernel support of the admissible space (default full) */
  support?: KernelSupport;
  /** LayerNorm eps (default 1e-5, as torch) */
  layerNormEps?: number;
}

/** One conv block: conv3×3 from c_in×k×k to c_out×k×k images, then σ_i (k → outSize). */
export interface ConvLayer {
  readonly segment: string;
  readonly inChannels: number;
  readonly outChannels: number;
  /** image size k_i the convolution acts on */
  readonly size: number;
  /** image size after σ_i (k_i/2 with pooling) */
  readonly outSize: number;
  /** whether stages[0] is the 2×2 average pooling */
  readonly pool: boolean;
  /** whether the last stage is the spatial LayerNorm */
  readonly layerNorm: boolean;
  /** σ_i = [LayerNorm] ∘ activation ∘ [avgpool2], as the stages run */
  readonly stages: readonly Activation[];
  /** the same σ_i as one Activation, for a dense network */
  readonly sigma: Activation;
}

/** Work buffers of one block for a batch of B images. */
interface BlockWork {
  /** im2col, one [c_in·9 × k²] block per sample; reused for dcols in the backward pass (dead once dK is formed) */
  cols: Float64Array;
  /** ∇Kᵀ [c_in·9 × c_out], summed over the batch before it is added (transposed) to the gradient */
  dkt: Float64Array;
  /** vals[0] = conv output per sample [B × c_out·k²]; vals[t+1] = output of stage t */
  vals: Float64Array[];
  /** gradients with respect to vals */
  grads: Float64Array[];
}

function grow(buf: Float64Array, size: number): Float64Array {
  return buf.length >= size ? buf : workBuffer(size);
}

/**
 * The P1 CNN in kernel parametrization (docs/theory.md §1 Parametrization, §7): blocks conv3×3 (zero padding 1, no
 * bias) → [avgpool2] → σ → [LayerNorm], then flatten → linear (no bias). Segment conv{i} = K_i ∈ R^{c_out×c_in×3×3}
 * with ρ̄(g) = rot90 on each 3×3 kernel; segment linear = W ∈ R^{outputs × C·k'²} with ρ̄(g)W = W ρ(g)ᵀ. Lemma 0
 * holds with ρ_L trivial: Φ_{ρ̄(g)A}(ρ_0(g)x) = Φ_A(x). Kernel entries outside the support ω enter Φ like any
 * others; `admissible` is the mask L_0 that keeps A inside ω.
 */
export class ConvNet implements Model {
  readonly name: string;
  readonly space: ParamSpace;
  readonly inputRep: Representation;
  readonly outputRep: Representation;
  readonly support: KernelSupport;
  /** L_0 = kernels supported in ω (supportMask) */
  readonly admissible: Admissible;
  readonly layers: readonly ConvLayer[];
  readonly imageSize: number;
  readonly inChannels: number;
  readonly outputs: number;
  /** C·k'², the flattened input of the linear layer */
  readonly features: number;
  private readonly convOffsets: number[];
  /** stageDims[i][t] = row length entering stage t of block i (t = stages.length: the block output) */
  private readonly stageDims: number[][];
  private readonly linearOffset: number;
  private batch = 0;
  private work: BlockWork[] = [];
  private logits: Float64Array = new Float64Array(0);
  private dlogits: Float64Array = new Float64Array(0);
  /** A where the kernels read it in place (one copy per call with the WASM backend, none per sample) */
  private readonly params = new ResidentMirror();
  /** the batch x, likewise, so im2col of the first block reads it in place */
  private readonly input = new ResidentMirror();

  constructor(config: ConvNetConfig) {
    const { group: G, imageSize, inChannels, blocks, outputs } = config;
    requireInteger(imageSize, 'imageSize');
    requireInteger(inChannels, 'inChannels');
    requireInteger(outputs, 'outputs');
    this.support = config.support ?? supports.full;
    const eps = config.layerNormEps ?? 1e-5;
    require(Number.isFinite(eps) && eps > 0, 'layerNormEps', `expected a finite eps > 0, got ${eps}`);
    const layers: ConvLayer[] = [];
    const specs: SegmentSpec[] = [];
    let k = imageSize, c = inChannels;
    blocks.forEach((b, i) => {
      requireInteger(b.outChannels, `blocks[${i}].outChannels`);
      require(!b.pool || k % 2 === 0, `blocks[${i}].pool`, `2×2 average pooling needs an even image size, but block ${i} sees ${k}×${k}`);
      const kOut = b.pool ? k / 2 : k;
      const post = b.outChannels * kOut * kOut;
      if (b.activation.outDim(post) !== post) throw new EqflowError('invalid-argument', `blocks[${i}].activation`, `expected a pointwise activation (outDim(n) = n), ${b.activation.name} maps ${post} to ${b.activation.outDim(post)}`);
      const stages: Activation[] = [];
      if (b.pool) stages.push(avgPool2(b.outChannels, k));
      stages.push(b.activation);
      if (b.layerNorm) stages.push(layerNormSpatial(b.outChannels, kOut, eps));
      const seg = `conv${i}`;
      specs.push({ name: seg, shape: [b.outChannels, c, 3, 3], rep: rot90(G, 3, b.outChannels * c) });
      layers.push({ segment: seg, inChannels: c, outChannels: b.outChannels, size: k, outSize: kOut, pool: b.pool, layerNorm: b.layerNorm, stages, sigma: compose(...stages) });
      k = kOut;
      c = b.outChannels;
    });
    this.features = c * k * k;
    specs.push({ name: 'linear', shape: [outputs, this.features], rep: tensor(trivial(G, outputs), rot90(G, k, c)) });
    this.space = new ParamSpace(specs);
    this.layers = layers;
    this.imageSize = imageSize;
    this.inChannels = inChannels;
    this.outputs = outputs;
    this.inputRep = rot90(G, imageSize, inChannels);
    this.outputRep = trivial(G, outputs);
    this.admissible = supportMask(this.space, this.support);
    this.convOffsets = layers.map((l) => this.space.segment(l.segment).offset);
    this.stageDims = layers.map((l) => {
      const d = [l.outChannels * l.size * l.size];
      for (const st of l.stages) d.push(st.outDim(d[d.length - 1]));
      return d;
    });
    this.linearOffset = this.space.segment('linear').offset;
    const arch = layers.map((l) => `${l.inChannels}→${l.outChannels}@${l.size}`).join(',');
    this.name = `cnn[${G.name}; ${arch}; linear ${this.features}→${outputs}]`;
  }

  forward(A: Float64Array, x: Float64Array, count: number, out: Float64Array): void {
    this.check(A, x, count);
    if (out.length < count * this.outputs) throw new EqflowError('dimension-mismatch', 'out', `expected at least ${count * this.outputs} entries, got ${out.length}`);
    this.run(this.params.of(A), this.input.of(x, count * this.inputRep.dim), count, out);
  }

  lossGradient(A: Float64Array, x: Float64Array, y: Float64Array, count: number, loss: Loss, weight: number, grad: Float64Array | null): number {
    this.check(A, x, count);
    const o = this.outputs;
    if (y.length < count * o) throw new EqflowError('dimension-mismatch', 'y', `expected at least ${count * o} entries, got ${y.length}`);
    if (!Number.isFinite(weight)) throw new EqflowError('invalid-argument', 'weight', `expected a finite weight, got ${weight}`);
    if (grad) requireLength(grad, this.space.dim, 'grad');
    const P = this.params.of(A), X = this.input.of(x, count * this.inputRep.dim);
    this.run(P, X, count, this.logits);
    let total = 0;
    for (let s = 0; s < count; s++) total += loss.evaluate(this.logits, y, o, grad ? this.dlogits : null, s * o, s * o);
    if (grad) {
      // backpropagation is linear in ∂ℓ/∂ŷ: scaling it once scales every accumulated gradient by `weight`
      for (let i = 0; i < count * o; i++) this.dlogits[i] *= weight;
      this.backward(P, X, count, grad);
    }
    return weight * total;
  }

  private check(A: Float64Array, x: Float64Array, count: number): void {
    requireLength(A, this.space.dim, 'A');
    requireInteger(count, 'count', 0);
    const d = this.inputRep.dim;
    // messages are built only on failure: the hot path allocates nothing
    if (x.length < count * d) throw new EqflowError('dimension-mismatch', 'x', `expected at least ${count}×${d} entries, got ${x.length}`);
    this.ensure(Math.max(1, count));
  }

  /** Grows the work buffers to a batch of `count` (never shrinks, so steady-state steps allocate nothing). */
  private ensure(count: number): void {
    if (count <= this.batch) return;
    this.work = this.layers.map((l, i) => {
      const N = count * l.size * l.size;
      return {
        cols: workBuffer(l.inChannels * 9 * N),
        dkt: workBuffer(l.inChannels * 9 * l.outChannels),
        vals: this.stageDims[i].map((n) => workBuffer(n * count)),
        grads: this.stageDims[i].map((n) => workBuffer(n * count)),
      };
    });
    this.logits = grow(this.logits, count * this.outputs);
    this.dlogits = grow(this.dlogits, count * this.outputs);
    this.batch = count;
  }

  /** Input of block i: x for the first block, else the previous block's last stage output. */
  private blockInput(i: number, x: Float64Array): Float64Array {
    if (i === 0) return x;
    const v = this.work[i - 1].vals;
    return v[v.length - 1];
  }

  private run(A: Float64Array, x: Float64Array, count: number, out: Float64Array): void {
    for (let i = 0; i < this.layers.length; i++) {
      const l = this.layers[i], w = this.work[i];
      const kk = l.size * l.size, rows = l.inChannels * 9, out = l.outChannels * kk;
      im2col(this.blockInput(i, x), l.inChannels, l.size, count, w.cols);
      for (let s = 0; s < count; s++) gemm(l.outChannels, kk, rows, A, this.convOffsets[i], w.cols, s * rows * kk, w.vals[0], s * out);
      const dims = this.stageDims[i];
      for (let t = 0; t < l.stages.length; t++) l.stages[t].forward(w.vals[t], w.vals[t + 1], dims[t], count);
    }
    const feat = this.blockInput(this.layers.length, x);
    gemmNT(count, this.outputs, this.features, feat, 0, A, this.linearOffset, out, 0);
  }

  /** grad += ∇_A of Σ_s ⟨dlogits_s, Φ_A(x_s)⟩, using the values of the last run. */
  private backward(A: Float64Array, x: Float64Array, count: number, grad: Float64Array): void {
    const L = this.layers.length, o = this.outputs, F = this.features;
    const feat = this.blockInput(L, x);
    gemmTN(o, F, count, this.dlogits, 0, feat, 0, grad, this.linearOffset, 1);
    if (L === 0) return;
    const last = this.work[L - 1];
    const dOut = last.grads[last.grads.length - 1];
    gemm(count, F, o, this.dlogits, 0, A, this.linearOffset, dOut, 0);
    for (let i = L - 1; i >= 0; i--) {
      const l = this.layers[i], w = this.work[i];
      const kk = l.size * l.size, rows = l.inChannels * 9, out = l.outChannels * kk;
      const dims = this.stageDims[i];
      for (let t = l.stages.length - 1; t >= 0; t--) l.stages[t].backward(w.vals[t], w.vals[t + 1], w.grads[t + 1], w.grads[t], dims[t], count);
      // per sample: ∇Kᵀ += cols_s δ_sᵀ (this orientation lets gemmNT use its rank-update path once c_in·9 ≥ 32: 157 vs
      // 193 µs per sample on 16×144×196), then (not for the first block: no gradient w.r.t. data) dcols_s = Kᵀ δ_s
      const delta = w.grads[0], co = l.outChannels, off = this.convOffsets[i], dkt = w.dkt;
      dkt.fill(0);
      for (let s = 0; s < count; s++) {
        gemmNT(rows, co, kk, w.cols, s * rows * kk, delta, s * out, dkt, 0, 1);
        if (i > 0) gemmTN(rows, kk, co, A, off, delta, s * out, w.cols, s * rows * kk);
      }
      for (let r = 0; r < rows; r++) for (let c = 0; c < co; c++) grad[off + c * rows + r] += dkt[r * co + c];
      if (i === 0) break;
      const prev = this.work[i - 1].grads;
      col2im(w.cols, l.inChannels, l.size, count, prev[prev.length - 1]);
    }
  }
}

/** Options shared by the factories; every size is a parameter so tests can build tiny variants. */
export interface CnnOptions {
  /** the pointwise σ of every block (default tanh, as docs/theory.md) */
  activation?: Activation;
  /** C4 (default) or D4 */
  group?: FiniteGroup;
  imageSize?: number;
  inChannels?: number;
  outputs?: number;
  support?: KernelSupport;
}

/**
 * docs/theory.md §7: C4 on 28×28, conv 1→16 → pool → tanh → LN(14×14) → conv 16→16 → pool → tanh → LN(7×7) →
 * linear 784→10. `channels` sets the widths of the two blocks.
 */
export function paperCnn(opts: CnnOptions & { channels?: [number, number] } = {}): ConvNet {
  const [c1, c2] = opts.channels ?? [16, 16];
  const block = (outChannels: number): ConvBlockConfig => ({ outChannels, pool: true, activation: opts.activation ?? tanh, layerNorm: true });
  return new ConvNet({
    group: opts.group ?? cyclic(4), imageSize: opts.imageSize ?? 28, inChannels: opts.inChannels ?? 1,
    blocks: [block(c1), block(c2)], outputs: opts.outputs ?? 10, support: opts.support,
  });
}

/** docs/theory.md §6 Toy CNN: C4 on 4×4 images, conv 1→2, tanh (no pooling, no LayerNorm), invariant linear map to R³. */
export function toyCnn(opts: CnnOptions & { channels?: number } = {}): ConvNet {
  return new ConvNet({
    group: opts.group ?? cyclic(4), imageSize: opts.imageSize ?? 4, inChannels: opts.inChannels ?? 1,
    blocks: [{ outChannels: opts.channels ?? 2, pool: false, activation: opts.activation ?? tanh, layerNorm: false }],
    outputs: opts.outputs ?? 3, support: opts.support,
  });
}

/**
 * The parametrization map M of docs/theory.md §1 from kernel parameters θ to the dense network A = Mθ of
 * DenseNetwork (layerSpace(reps), x_{i+1} = σ_i(A_i x_i)). Without pooling, A_i is the full convolution matrix
 * C_i(K_i) ∈ R^{c_out·k_i² × c_in·k_i²} (each kernel entry copied to every valid position). A dense layer cannot
 * change dimension inside σ_i, so with pooling the (linear) pooling P is folded into the layer: A_i = P·C_i(K_i)
 * ∈ Hom(X_i, X_{i+1}) and σ_i = [LayerNorm] ∘ activation. The linear layer maps to itself. M is stored as sparse
 * triplets; ∇_θ R = Mᵀ ∇_A R by the chain rule.
 */
export interface ConvDenseMap {
  /** ρ_0..ρ_L of the dense network: rot90 on every block's output images, trivial on the outputs */
  readonly reps: readonly Representation[];
  /** σ_0..σ_L of the dense network (identity after the linear layer) */
  readonly sigmas: readonly Activation[];
  /** the dense parameter space, layerSpace(reps) */
  readonly dense: ParamSpace;
  /** A ← Mθ */
  apply(theta: Float64Array, A: Float64Array): void;
  /** gθ ← Mᵀ gA */
  transpose(gA: Float64Array, gTheta: Float64Array): void;
}

/** Emits the triplets (dense index, θ index, coefficient) of P·C_i(K_i) (P = I without pooling) through `add`. */
function convTriplets(l: ConvLayer, dOff: number, tOff: number, add: (d: number, t: number, c: number) => void): void {
  const k = l.size, kk = k * k, cin = l.inChannels, cols = cin * kk;
  const ko = l.outSize, f = l.pool ? 2 : 1, w = 1 / (f * f);
  for (let co = 0; co < l.outChannels; co++) for (let p = 0; p < ko; p++) for (let q = 0; q < ko; q++) {
    const row = dOff + (co * ko * ko + p * ko + q) * cols;
    // the conv outputs averaged into pooled pixel (p, q); one output (p, q) itself without pooling
    for (let du = 0; du < f; du++) for (let dv = 0; dv < f; dv++) {
      const i = f * p + du, j = f * q + dv;
      for (let ci = 0; ci < cin; ci++) for (let a = 0; a < 3; a++) for (let b = 0; b < 3; b++) {
        const u = i + a - 1, v = j + b - 1;
        if (u < 0 || u >= k || v < 0 || v >= k) continue;
        add(row + ci * kk + u * k + v, tOff + ((co * cin + ci) * 3 + a) * 3 + b, w);
      }
    }
  }
}

/** The dense-matrix form of a kernel-parametrized CNN (every convolution as an explicit matrix), for cross-checks on small images. */
export function convToDense(net: ConvNet): ConvDenseMap {
  const G = net.space.group;
  const reps: Representation[] = [net.inputRep];
  const sigmas: Activation[] = [];
  for (const l of net.layers) {
    reps.push(rot90(G, l.outSize, l.outChannels));
    sigmas.push(compose(...(l.pool ? l.stages.slice(1) : l.stages)));
  }
  reps.push(net.outputRep);
  sigmas.push(identity);
  const dense = layerSpace(reps);
  const merged = new Map<number, number>();
  const P = net.space.dim;
  // duplicates (one kernel entry reaching a pooled entry through several conv outputs) are summed
  const add = (d: number, t: number, c: number): void => {
    merged.set(d * P + t, (merged.get(d * P + t) ?? 0) + c);
  };
  net.layers.forEach((l, i) => convTriplets(l, dense.segments[i].offset, net.space.segment(l.segment).offset, add));
  const lin = net.space.segment('linear');
  const dLin = dense.segments[net.layers.length].offset;
  for (let j = 0; j < lin.size; j++) add(dLin + j, lin.offset + j, 1);
  const di = new Int32Array(merged.size), ti = new Int32Array(merged.size), cv = new Float64Array(merged.size);
  let n = 0;
  for (const [key, c] of merged) {
    di[n] = Math.floor(key / P);
    ti[n] = key - di[n] * P;
    cv[n++] = c;
  }
  return {
    reps,
    sigmas,
    dense,
    apply(theta: Float64Array, A: Float64Array): void {
      requireLength(theta, P, 'theta');
      requireLength(A, dense.dim, 'A');
      A.fill(0);
      for (let e = 0; e < n; e++) A[di[e]] += cv[e] * theta[ti[e]];
    },
    transpose(gA: Float64Array, gTheta: Float64Array): void {
      requireLength(gA, dense.dim, 'gA');
      requireLength(gTheta, P, 'gTheta');
      gTheta.fill(0);
      for (let e = 0; e < n; e++) gTheta[ti[e]] += cv[e] * gA[di[e]];
    },
  };
}
