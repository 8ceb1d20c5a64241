import { ConvNet } from '../src/models/cnn.js';
import { DenseNetwork } from '../src/models/dense.js';

/**
 * The gemm calls one lossGradient makes, read off the model's layout (mirrors src/models/{dense,cnn}.ts), and their
 * flop counts. Convention: one gemm of an m×k by a k×n matrix costs 2mnk flops (a multiply and an add per term),
 * whatever the transposes; β·C, activations, pooling, LayerNorm, im2col and the loss are not counted, so GFLOP/s
 * figures are lower bounds on the arithmetic actually done.
 */

export type GemmKind = 'NN' | 'TN' | 'NT';

export interface GemmCall {
  /** where the call comes from, e.g. "conv1 forward" */
  site: string;
  kind: GemmKind;
  m: number;
  n: number;
  k: number;
  /** how many times one lossGradient makes this call (per-sample loops) */
  repeat: number;
}

/** 2mnk per call, times its repeat count. */
export function gemmFlops(calls: readonly GemmCall[]): number {
  let f = 0;
  for (const c of calls) f += 2 * c.m * c.n * c.k * c.repeat;
  return f;
}

/**
 * DenseNetwork.lossGradient on `count` rows: forward Z_i = [X_i; 1] A_iᵀ (NN against a transposed copy of A_i that
 * dense.ts refreshes each forward; the copy is not counted), backward ∇A_i += δ_iᵀ[X_i; 1] (TN) and
 * δX_i = δ_i A_i (NN, not for the first layer).
 */
export function denseGemmCalls(net: DenseNetwork, count: number, withGradient = true): GemmCall[] {
  const calls: GemmCall[] = [];
  const w = net.widths;
  const L = net.layers;
  const fanIn = (i: number): number => w[i] + (net.bias[i] ? 1 : 0);
  for (let i = 0; i < L; i++) calls.push({ site: `layer${i} forward`, kind: 'NN', m: count, n: w[i + 1], k: fanIn(i), repeat: 1 });
  if (!withGradient) return calls;
  for (let i = L - 1; i >= 0; i--) {
    calls.push({ site: `layer${i} ∇A`, kind: 'TN', m: w[i + 1], n: fanIn(i), k: count, repeat: 1 });
    if (i > 0) calls.push({ site: `layer${i} δX`, kind: 'NN', m: count, n: net.bias[i] ? fanIn(i) : w[i], k: w[i + 1], repeat: 1 });
  }
  return calls;
}

/**
 * ConvNet.lossGradient on `count` images: per block and sample one NN gemm K·cols_s forward, one NT gemm
 * ∇Kᵀ += cols_s δ_sᵀ and (not for the first block) one TN gemm dcols_s = Kᵀ δ_s backward; the linear layer is one NT
 * forward, one TN (∇W) and one NN (δ features) backward.
 */
export function cnnGemmCalls(net: ConvNet, count: number, withGradient = true): GemmCall[] {
  const calls: GemmCall[] = [];
  net.layers.forEach((l, i) => {
    calls.push({ site: `conv${i} forward`, kind: 'NN', m: l.outChannels, n: l.size * l.size, k: l.inChannels * 9, repeat: count });
  });
  calls.push({ site: 'linear forward', kind: 'NT', m: count, n: net.outputs, k: net.features, repeat: 1 });
  if (!withGradient) return calls;
  calls.push({ site: 'linear ∇W', kind: 'TN', m: net.outputs, n: net.features, k: count, repeat: 1 });
  if (net.layers.length > 0) calls.push({ site: 'linear δ', kind: 'NN', m: count, n: net.features, k: net.outputs, repeat: 1 });
  for (let i = net.layers.length - 1; i >= 0; i--) {
    const l = net.layers[i];
    const kk = l.size * l.size, rows = l.inChannels * 9;
    calls.push({ site: `conv${i} ∇Kᵀ`, kind: 'NT', m: rows, n: l.outChannels, k: kk, repeat: count });
    if (i > 0) calls.push({ site: `conv${i} δcols`, kind: 'TN', m: rows, n: kk, k: l.outChannels, repeat: count });
  }
  return calls;
}
