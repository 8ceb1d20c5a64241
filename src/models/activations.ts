import { tanhBackward, tanhForward } from '../core/backend.js';
import { tanh1 } from '../core/kernels.js';
import { EqflowError } from '../core/errors.js';
import { Activation } from './model.js';

/**
 * Pointwise activations σ(z)_k = s(z_k). A pointwise map commutes with every permutation representation, so
 * it satisfies A2 on permutation-type feature spaces (docs/theory.md §2); odd s (tanh, identity) also commute with
 * signed permutations. Each is written as its own loop so V8 inlines s without a megamorphic call.
 */

const same = (n: number): number => n;

/**
 * σ = tanh (core/kernels.ts tanh1: within TANH_ULPS of Math.tanh, the same bits on every engine and backend);
 * Dσ(z) = 1 − tanh²(z), read from the forward output.
 */
export const tanh: Activation = {
  name: 'tanh',
  commutesWith: 'signed-permutation',
  outDim: same,
  forward(z, a, n, count) {
    tanhForward(z, a, n * count);
  },
  backward(_z, a, ga, gz, n, count) {
    tanhBackward(a, ga, gz, n * count);
  },
};

/** σ(z) = 1/(1 + e^{−z}); Dσ = σ(1 − σ). Evaluated without overflow for either sign of z. */
export const sigmoid: Activation = {
  name: 'sigmoid',
  commutesWith: 'permutation',
  outDim: same,
  forward(z, a, n, count) {
    for (let i = 0, m = n * count; i < m; i++) {
      const t = z[i];
      if (t >= 0) a[i] = 1 / (1 + Math.exp(-t));
      else {
        const e = Math.exp(t);
        a[i] = e / (1 + e);
      }
    }
  },
  backward(_z, a, ga, gz, n, count) {
    for (let i = 0, m = n * count; i < m; i++) gz[i] = ga[i] * a[i] * (1 - a[i]);
  },
};

/** σ(z) = log(1 + e^z) = max(z, 0) + log1p(e^{−|z|}) (no overflow); Dσ = sigmoid(z). */
export const softplus: Activation = {
  name: 'softplus',
  commutesWith: 'permutation',
  outDim: same,
  forward(z, a, n, count) {
    for (let i = 0, m = n * count; i < m; i++) {
      const t = z[i];
      a[i] = Math.max(t, 0) + Math.log1p(Math.exp(-Math.abs(t)));
    }
  },
  backward(z, _a, ga, gz, n, count) {
    for (let i = 0, m = n * count; i < m; i++) {
      const t = z[i];
      const s = t >= 0 ? 1 / (1 + Math.exp(-t)) : Math.exp(t) / (1 + Math.exp(t));
      gz[i] = ga[i] * s;
    }
  },
};

/** σ(z) = z²: makes the network polynomial in A, so the symbolic oracle applies (Example Q, docs/theory.md §6). */
export const square: Activation = {
  name: 'square',
  commutesWith: 'permutation',
  outDim: same,
  forward(z, a, n, count) {
    for (let i = 0, m = n * count; i < m; i++) a[i] = z[i] * z[i];
  },
  backward(z, _a, ga, gz, n, count) {
    for (let i = 0, m = n * count; i < m; i++) gz[i] = 2 * z[i] * ga[i];
  },
};

/** σ(z) = z: the usual last layer, and equivariant under every (also dense) representation. */
export const identity: Activation = {
  name: 'identity',
  commutesWith: 'orthogonal',
  outDim: same,
  forward(z, a, n, count) {
    for (let i = 0, m = n * count; i < m; i++) a[i] = z[i];
  },
  backward(_z, _a, ga, gz, n, count) {
    for (let i = 0, m = n * count; i < m; i++) gz[i] = ga[i];
  },
};

/**
 * σ(z) = z for z > 0, slope·z otherwise. Equivariant under permutations, but not C¹ at 0 (A4 fails there): its
 * backward uses the one-sided derivative of the branch z > 0 ↦ 1, z ≤ 0 ↦ slope.
 */
export function leakyRelu(slope: number): Activation {
  if (!Number.isFinite(slope)) throw new EqflowError('invalid-argument', 'slope', `expected a finite slope, got ${slope}`);
  return {
    name: `leaky-relu(${slope})`,
    commutesWith: 'permutation',
    outDim: same,
    forward(z, a, n, count) {
      for (let i = 0, m = n * count; i < m; i++) a[i] = z[i] > 0 ? z[i] : slope * z[i];
    },
    backward(z, _a, ga, gz, n, count) {
      for (let i = 0, m = n * count; i < m; i++) gz[i] = z[i] > 0 ? ga[i] : slope * ga[i];
    },
  };
}

/**
 * NEGATIVE CONTROL: σ(z)_k = tanh(z_k + c_k) with a per-coordinate offset. It violates A2 whenever c is not
 * constant on the G-orbits of coordinates, so Lemma 0 must fail for it; the suite checks that it does.
 */
export function biasedTanh(offsets: Float64Array): Activation {
  const c = Float64Array.from(offsets);
  const requireWidth = (n: number) => {
    if (n !== c.length) throw new EqflowError('dimension-mismatch', 'offsets', `biasedTanh has ${c.length} offsets but acts on R^${n}`);
  };
  return {
    name: 'biased-tanh',
    commutesWith: 'permutation',
    outDim(n) {
      requireWidth(n);
      return n;
    },
    forward(z, a, n, count) {
      requireWidth(n);
      for (let s = 0, o = 0; s < count; s++, o += n) for (let k = 0; k < n; k++) a[o + k] = tanh1(z[o + k] + c[k]);
    },
    backward(_z, a, ga, gz, n, count) {
      for (let i = 0, m = n * count; i < m; i++) gz[i] = ga[i] * (1 - a[i] * a[i]);
    },
  };
}

/** The names `pointwise` understands; `leaky-relu(s)` takes any finite slope s. */
export const pointwiseNames = ['tanh', 'softplus', 'sigmoid', 'leaky-relu(0.1)', 'square', 'identity'] as const;

const fixed = new Map<string, Activation>([tanh, softplus, sigmoid, square, identity].map((f) => [f.name, f]));

/** Looks up a pointwise activation by its `name` (so a JSON case can name it); `leaky-relu(s)` builds one. */
export function pointwise(name: string): Activation {
  const f = fixed.get(name);
  if (f) return f;
  const m = /^leaky-relu\((.+)\)$/.exec(name);
  if (m && m[1].trim() !== '' && Number.isFinite(Number(m[1]))) return leakyRelu(Number(m[1]));
  throw new EqflowError('invalid-argument', 'activation', `unknown pointwise activation "${name}" (known: tanh, softplus, sigmoid, leaky-relu(s), square, identity)`);
}
