import { RandomStream } from '../core/rng.js';
import { Representation } from '../reps/representation.js';
import { Objective } from './objective.js';

/**
 * A random smooth f on H: f(A) = ½⟨A, QA⟩ + ⟨b, A⟩ + ¼ Σ_k c_k ⟨u_k, A⟩⁴ with Q symmetric (possibly indefinite),
 * c_k ≥ 0 so f is coercive. Not invariant in general; `averaged` makes it so.
 */
export function randomSmoothFunction(rng: RandomStream, dim: number, quartics = 3): Objective {
  const q = rng.child('Q').gaussianVector(dim * dim, 1 / Math.sqrt(dim));
  const Q = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) for (let j = 0; j < dim; j++) Q[i * dim + j] = 0.5 * (q[i * dim + j] + q[j * dim + i]);
  const b = rng.child('b').gaussianVector(dim);
  const us = Array.from({ length: quartics }, (_, k) => rng.child(`u${k}`).gaussianVector(dim, 1 / Math.sqrt(dim)));
  const cs = Array.from({ length: quartics }, (_, k) => 0.5 + rng.child(`c${k}`).uniform());
  const evalGrad = (A: Float64Array, grad: Float64Array | null): number => {
    let f = 0;
    for (let i = 0; i < dim; i++) {
      let qa = 0;
      for (let j = 0; j < dim; j++) qa += Q[i * dim + j] * A[j];
      f += 0.5 * A[i] * qa + b[i] * A[i];
      if (grad) grad[i] = qa + b[i];
    }
    us.forEach((u, k) => {
      let t = 0;
      for (let i = 0; i < dim; i++) t += u[i] * A[i];
      f += 0.25 * cs[k] * t ** 4;
      if (grad) for (let i = 0; i < dim; i++) grad[i] += cs[k] * t ** 3 * u[i];
    });
    return f;
  };
  return { dim, value: (A) => evalGrad(A, null), gradient: (A, grad) => evalGrad(A, grad) };
}

/**
 * f^G(A) = (1/|G|) Σ_g f(ρ̄(g)A), an abstract invariant risk, with ∇f^G(A) = (1/|G|) Σ_g ρ̄(g)^{-1} ∇f(ρ̄(g)A)
 * (the form of Lemma 2(a)).
 */
export function averaged(f: Objective, rep: Representation): Objective {
  const G = rep.group;
  const d = f.dim;
  const ga = new Float64Array(d), gg = new Float64Array(d), back = new Float64Array(d);
  return {
    dim: d,
    value: (A) => {
      let s = 0;
      for (let g = 0; g < G.order; g++) {
        rep.apply(g, A, ga);
        s += f.value(ga);
      }
      return s / G.order;
    },
    gradient: (A, grad) => {
      grad.fill(0);
      let s = 0;
      for (let g = 0; g < G.order; g++) {
        rep.apply(g, A, ga);
        s += f.gradient(ga, gg);
        rep.apply(G.inv(g), gg, back);
        for (let i = 0; i < d; i++) grad[i] += back[i];
      }
      for (let i = 0; i < d; i++) grad[i] /= G.order;
      return s / G.order;
    },
  };
}
