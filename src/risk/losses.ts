import { Loss } from '../models/model.js';

/** ℓ(ŷ, y) = ½‖ŷ − y‖²: invariant under any orthogonal ρ_Y (docs/theory.md §6 "squared loss"). */
export const squaredLoss: Loss = {
  name: 'squared',
  evaluate(yhat, y, n, grad, off, gOff) {
    let s = 0;
    for (let i = 0; i < n; i++) {
      const d = yhat[off + i] - y[off + i];
      s += d * d;
      if (grad) grad[gOff + i] = d;
    }
    return 0.5 * s;
  },
};

/**
 * Cross-entropy with soft or one-hot targets: ℓ(ŷ, y) = −Σ_k y_k log softmax(ŷ)_k, computed with the max shift so
 * large logits never overflow. Invariant under permutation representations on the classes (and trivial ones).
 */
export const crossEntropyLoss: Loss = {
  name: 'cross-entropy',
  evaluate(yhat, y, n, grad, off, gOff) {
    let m = -Infinity;
    for (let i = 0; i < n; i++) m = Math.max(m, yhat[off + i]);
    let z = 0;
    for (let i = 0; i < n; i++) z += Math.exp(yhat[off + i] - m);
    const logZ = m + Math.log(z);
    let s = 0;
    let ysum = 0;
    for (let i = 0; i < n; i++) {
      // 0·log p = 0: a class with no target weight adds nothing, even when its log-probability underflows to −∞
      if (y[off + i] !== 0) s -= y[off + i] * (yhat[off + i] - logZ);
      ysum += y[off + i];
    }
    if (grad) for (let i = 0; i < n; i++) grad[gOff + i] = ysum * Math.exp(yhat[off + i] - logZ) - y[off + i];
    return s;
  },
};

export const losses: Record<string, Loss> = { squared: squaredLoss, 'cross-entropy': crossEntropyLoss };
