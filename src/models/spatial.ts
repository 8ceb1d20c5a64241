import { avgPool2Backward, avgPool2Forward, layerNormBackward, layerNormForward, workBuffer } from '../core/backend.js';
import { EqflowError, require, requireInteger } from '../core/errors.js';
import { Activation } from './model.js';

/**
 * Structured equivariant maps σ_i on channel-major images (layout c·k² + i·k + j), batched over rows
 * (docs/theory.md §2, A2): 2×2 average pooling on even k, LayerNorm over the spatial axes without affine parameters,
 * and composition. Each commutes with rot90/flips acting on the pixels of every channel alike.
 */

/** Rejects a row length that is not channels·k². */
function requireImageRow(n: number, channels: number, k: number, who: string): void {
  if (n !== channels * k * k) throw new EqflowError('dimension-mismatch', 'n', `${who} expects rows of ${channels}×${k}×${k} = ${channels * k * k}, got ${n}`);
}

/**
 * 2×2 average pooling with stride 2 on `channels` k×k images (k even): out[c,p,q] = ¼ Σ_{u,v∈{0,1}} x[c,2p+u,2q+v].
 * Equivariant because i ↦ k−1−i maps the block {2p, 2p+1} onto the block {k−2−2p, k−1−2p} exactly when k is even.
 */
export function avgPool2(channels: number, k: number): Activation {
  requireInteger(channels, 'channels');
  requireInteger(k, 'k');
  require(k % 2 === 0, 'k', `2×2 average pooling needs an even image size (odd sizes break rot90 equivariance), got ${k}`);
  return {
    name: `avgpool2(${channels}×${k}×${k})`,
    outDim(n: number): number {
      requireImageRow(n, channels, k, 'avgpool2');
      return n / 4;
    },
    forward(z: Float64Array, a: Float64Array, n: number, count: number): void {
      requireImageRow(n, channels, k, 'avgpool2');
      avgPool2Forward(z, a, count * channels, k);
    },
    backward(_z: Float64Array, _a: Float64Array, ga: Float64Array, gz: Float64Array, n: number, count: number): void {
      requireImageRow(n, channels, k, 'avgpool2');
      avgPool2Backward(ga, gz, count * channels, k);
    },
  };
}

/**
 * LayerNorm over the k×k spatial axes of each channel, no affine parameters (torch.nn.LayerNorm((k,k),
 * elementwise_affine=False)): y = (x − μ)/√(v + eps) with μ, v the mean and biased variance of the k² pixels.
 * Equivariant under any pixel permutation, since μ and v are.
 */
export function layerNormSpatial(channels: number, k: number, eps = 1e-5): Activation {
  requireInteger(channels, 'channels');
  requireInteger(k, 'k');
  require(Number.isFinite(eps) && eps > 0, 'eps', `expected a finite eps > 0 (it bounds the gain 1/√(v+eps)), got ${eps}`);
  const m = k * k;
  return {
    name: `layernorm(${channels}×${k}×${k}, eps=${eps})`,
    outDim(n: number): number {
      requireImageRow(n, channels, k, 'layernorm');
      return n;
    },
    forward(z: Float64Array, a: Float64Array, n: number, count: number): void {
      requireImageRow(n, channels, k, 'layernorm');
      layerNormForward(z, a, count * channels, m, eps);
    },
    /** gz = (1/σ)(ga − mean(ga) − y·mean(ga ⊙ y)), with y = a the forward output. */
    backward(z: Float64Array, a: Float64Array, ga: Float64Array, gz: Float64Array, n: number, count: number): void {
      requireImageRow(n, channels, k, 'layernorm');
      layerNormBackward(z, a, ga, gz, count * channels, m, eps);
    },
  };
}

/**
 * σ = σ_m ∘ … ∘ σ_1 (σ_1 applied first), e.g. compose(pool, tanh, layerNorm). The backward pass recomputes the
 * intermediate values from z (the interface hands it only z and a), so forward and backward never share hidden
 * state; scratch buffers grow to the largest batch seen and are then reused.
 */
export function compose(...activations: Activation[]): Activation {
  require(activations.length > 0, 'activations', 'compose needs at least one activation');
  const stages = activations.slice();
  const last = stages.length - 1;
  /** inter[t] holds the output of stage t (t < last); gradBufs ping-pong the backward pass */
  const inter: Float64Array[] = stages.slice(0, last).map(() => new Float64Array(0));
  const gradBufs: Float64Array[] = [new Float64Array(0), new Float64Array(0)];
  let lastN = -1;
  let lastDims: number[] = [];
  /** row lengths entering each stage (and leaving the last), cached for the last n so steps allocate nothing */
  const dims = (n: number): number[] => {
    if (n !== lastN) {
      lastDims = [n];
      for (const s of stages) lastDims.push(s.outDim(lastDims[lastDims.length - 1]));
      lastN = n;
    }
    return lastDims;
  };
  const grow = (buf: Float64Array, size: number): Float64Array => (buf.length >= size ? buf : workBuffer(size));
  /** Runs stages 0..last−1 on z into `inter`, returning the row lengths. */
  const prefix = (z: Float64Array, n: number, count: number): number[] => {
    const d = dims(n);
    let src = z;
    for (let t = 0; t < last; t++) {
      inter[t] = grow(inter[t], d[t + 1] * count);
      stages[t].forward(src, inter[t], d[t], count);
      src = inter[t];
    }
    return d;
  };
  return {
    name: stages.map((s) => s.name).reverse().join('∘'),
    outDim(n: number): number {
      return dims(n)[stages.length];
    },
    forward(z: Float64Array, a: Float64Array, n: number, count: number): void {
      const d = prefix(z, n, count);
      stages[last].forward(last === 0 ? z : inter[last - 1], a, d[last], count);
    },
    backward(z: Float64Array, a: Float64Array, ga: Float64Array, gz: Float64Array, n: number, count: number): void {
      const d = prefix(z, n, count);
      let g = ga;
      for (let t = last; t >= 0; t--) {
        const zin = t === 0 ? z : inter[t - 1];
        const aout = t === last ? a : inter[t];
        let gin: Float64Array;
        if (t === 0) gin = gz;
        else {
          const b = (last - t) % 2;
          gradBufs[b] = grow(gradBufs[b], d[t] * count);
          gin = gradBufs[b];
        }
        stages[t].backward(zin, aout, g, gin, d[t], count);
        g = gin;
      }
    },
  };
}
