import { Objective } from '../risk/objective.js';
import { sumAction, tensorAction, trivialAction } from '../reps/action.js';
import { SignedPerm } from '../reps/action.js';
import { orbitProjector } from '../space/fixedSpace.js';
import type { PermCase } from './permCase.js';

/**
 * Exact R^aug of a perm-generators Case whose risk is a quadratic polynomial of ρ̄(g)A (docs/theory.md §8):
 * one linear layer W̃ = [W b] (identity output activation, with or without bias) and the squared loss. With
 * x̃ = [x; 1] (bias) or x, ρ̃_0 = ρ_0 ⊕ 1 or ρ_0, and the data's moments C_xx = E_D x̃x̃ᵀ, C_yx = E_D y x̃ᵀ,
 * c = E_D ½‖y‖²,
 *   R(W̃) = E_D ½‖W̃x̃ − y‖² = ½ tr(W̃ C_xx W̃ᵀ) − ⟨W̃, C_yx⟩ + c.
 * Since ρ̄(g)W̃ = ρ_Y(g) W̃ ρ̃_0(g)ᵀ with orthogonal ρ's, tr(ρ̄(g)W̃ C_xx (ρ̄(g)W̃)ᵀ) = tr(W̃ ρ̃_0(g)ᵀC_xxρ̃_0(g) W̃ᵀ)
 * and ⟨ρ̄(g)W̃, C_yx⟩ = ⟨W̃, ρ̄(g⁻¹)C_yx⟩; averaging over Haar g (invariant under g ↦ g⁻¹):
 *   R^aug(W̃) = E_g R(ρ̄(g)W̃) = ½ tr(W̃ T(C_xx) W̃ᵀ) − ⟨W̃, Π_G C_yx⟩ + c,   ∇R^aug = W̃ T(C_xx) − Π_G C_yx,
 * with T = Π_G of Hom(X̃_0, X̃_0) under ρ̃_0 ⊗ ρ̃_0 and Π_G on H itself (H = Hom(X̃_0, Y) under ρ_Y ⊗ ρ̃_0). Both are
 * twirls of permutation representations, so the orbit projectors give them exactly, never enumerating G. Memory:
 * dim(X̃_0)² for T — n² for sets, n⁴ for adjacency inputs (160 801 entries at n = 20). Returns null for any other
 * network or loss: R^aug then is not a finite polynomial of the moments and stays refused. `twirl` names the
 * moments averaged over G: 'both' is R^aug; 'xx' or 'yx' alone are the planted bugs its property must reject.
 */
export function twirledMomentRisk(c: PermCase, twirl: 'both' | 'xx' | 'yx' = 'both'): Objective | null {
  const m = c.spec.model;
  if (m.kind !== 'mlp' || m.hidden.length !== 0 || m.outputActivation !== 'identity' || c.spec.loss !== 'squared') return null;
  const bias = m.bias;
  const n = c.input.dim, k = n + (bias ? 1 : 0), q = c.output.dim;
  const { x, y, count } = c.data;
  const Cxx = new Float64Array(k * k), Cyx = new Float64Array(q * k);
  let c0 = 0;
  const xt = new Float64Array(k);
  for (let s = 0; s < count; s++) {
    xt.set(x.subarray(s * n, s * n + n));
    if (bias) xt[n] = 1;
    for (let i = 0; i < k; i++) for (let j = 0; j < k; j++) Cxx[i * k + j] += xt[i] * xt[j] / count;
    for (let r = 0; r < q; r++) {
      const yr = y[s * q + r];
      c0 += 0.5 * yr * yr / count;
      for (let j = 0; j < k; j++) Cyx[r * k + j] += yr * xt[j] / count;
    }
  }
  const inTilde = bias ? sumAction(c.input, trivialAction(c.group, 1)) : c.input;
  const hom = tensorAction(inTilde, inTilde);
  const T = twirl === 'yx' ? Cxx : orbitProjector(hom.dim, c.group.generators.map((g) => hom.move(g) as SignedPerm)).apply(Cxx).out;
  const P = twirl === 'xx' ? Cyx : c.projector.apply(Cyx).out;
  const gradient = (A: Float64Array, grad: Float64Array): number => {
    let v = c0;
    for (let r = 0; r < q; r++) {
      for (let j = 0; j < k; j++) {
        let s = 0;
        for (let l = 0; l < k; l++) s += A[r * k + l] * T[l * k + j];
        grad[r * k + j] = s - P[r * k + j];
        v += A[r * k + j] * (0.5 * s - P[r * k + j]);
      }
    }
    return v;
  };
  return { dim: q * k, value: (A) => gradient(A, new Float64Array(q * k)), gradient };
}
