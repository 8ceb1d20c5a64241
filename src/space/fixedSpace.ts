import { EqflowError } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { roundoff } from '../core/tolerance.js';
import { HaarRule } from '../groups/compact.js';
import { GroupAction, SignedPerm } from '../reps/action.js';

/**
 * Π_G, the orthogonal projector onto H_G = {x : ρ(s)x = x for every generator s} (docs/theory.md §1, §8), with
 * how it was obtained: exactly by orbits, exactly by a Haar rule, or iteratively with a stated residual.
 */
export interface FixedProjector {
  readonly dim: number;
  readonly method: 'orbits' | 'haar-rule' | 'iterative';
  /** dim H_G when known exactly (orbits), else null */
  readonly rank: number | null;
  /** out ← Π_G x (`out` may alias `x`); returns the residual max_s ‖ρ(s)y − y‖ of the result y (0 when exact by construction) */
  apply(x: Float64Array, out?: Float64Array): { out: Float64Array; residual: number };
  /** An orthonormal basis of H_G as dense vectors, exact by orbits (absent for the other methods). */
  fixedBasis?(): Float64Array[];
  /**
   * An orthonormal basis of H_G^⊥ as dense vectors, exact by orbits (absent for the other methods): about dim H
   * vectors of dim H entries, for spaces of a few thousand parameters at most.
   */
  complementBasis?(): Float64Array[];
}

/**
 * An orthonormal basis of H_G or of H_G^⊥ from the signed orbits (root, sign, dead) of an orbit projector: on a consistent
 * orbit O = (o_0 … o_{m−1}) with signs σ, H_G gets σ_O/√m and H_G^⊥ the Helmert vectors
 * (Σ_{j<k} σ_j e_{o_j} − kσ_k e_{o_k})/√(k(k+1)), k = 1 … m−1 (orthonormal, orthogonal to σ_O); an orbit whose
 * signs cancel puts all its unit vectors in H_G^⊥. Every entry is one division: exact to round-off.
 */
function orbitBasis(root: Int32Array, sign: Int8Array, dead: Uint8Array, which: 'fixed' | 'complement'): Float64Array[] {
  const dim = root.length;
  const members = new Map<number, number[]>();
  for (let i = 0; i < dim; i++) {
    const o = members.get(root[i]);
    if (o) o.push(i);
    else members.set(root[i], [i]);
  }
  const fixed: Float64Array[] = [], complement: Float64Array[] = [];
  for (const [r, o] of members) {
    if (which === 'fixed') {
      if (dead[r]) continue;
      const f = new Float64Array(dim);
      for (const i of o) f[i] = sign[i] / Math.sqrt(o.length);
      fixed.push(f);
      continue;
    }
    if (dead[r]) {
      for (const i of o) {
        const e = new Float64Array(dim);
        e[i] = 1;
        complement.push(e);
      }
      continue;
    }
    for (let k = 1; k < o.length; k++) {
      const h = new Float64Array(dim), c = 1 / Math.sqrt(k * (k + 1));
      for (let j = 0; j < k; j++) h[o[j]] = sign[o[j]] * c;
      h[o[k]] = -k * sign[o[k]] * c;
      complement.push(h);
    }
  }
  return which === 'fixed' ? fixed : complement;
}

/**
 * Π_G of a signed-permutation action from the generators' moves alone, in O(dim) memory. Union–find with parity
 * joins i and π_s(i) for every generator s, recording the sign σ with x_{π_s(i)} = s_i x_i on fixed vectors. On a
 * component O with relative signs σ_i (σ_root = 1), a fixed vector is c·σ, so H_G has the orthonormal basis
 * σ_O/√|O| over the consistent components, and Π_G x = Σ_O σ_O ⟨σ_O, x⟩/|O|. A component where some cycle's sign
 * product is −1 forces c = −c: it contributes nothing. Memory: 4 arrays of dim entries (≈ 17 bytes per coordinate).
 */
export function orbitProjector(dim: number, moves: readonly SignedPerm[]): FixedProjector {
  const parent = Int32Array.from({ length: dim }, (_, i) => i);
  const parity = new Int8Array(dim); // sign of i relative to parent[i]: 0 ↔ +1, 1 ↔ −1
  const dead = new Uint8Array(dim);
  const find = (i: number): number => {
    let r = i, p = 0;
    while (parent[r] !== r) { p ^= parity[r]; r = parent[r]; }
    // path compression: re-point every node on the path at r with its parity to r
    let x = i, px = p;
    while (parent[x] !== x) {
      const next = parent[x], pn = px ^ parity[x];
      parent[x] = r;
      parity[x] = px;
      x = next;
      px = pn;
    }
    return r;
  };
  const parityTo = (i: number): number => { // after find(i), parent[i] is the root (or i is)
    return parent[i] === i ? 0 : parity[i];
  };
  moves.forEach((m, k) => {
    if (m.perm.length !== dim) throw new EqflowError('dimension-mismatch', `moves[${k}]`, `expected a move on ${dim} coordinates, got ${m.perm.length}`);
    for (let i = 0; i < dim; i++) {
      const j = m.perm[i];
      const rel = m.sign && m.sign[i] < 0 ? 1 : 0; // x_j = (−1)^rel x_i
      const ri = find(i), rj = find(j);
      const pi = parityTo(i), pj = parityTo(j);
      if (ri === rj) {
        if ((pi ^ pj) !== rel) dead[ri] = 1;
      } else {
        parent[rj] = ri; // x_rj = (−1)^{pj} x_j = (−1)^{pj ^ rel ^ pi} x_ri
        parity[rj] = pj ^ rel ^ pi;
        if (dead[rj]) dead[ri] = 1;
      }
    }
  });
  const root = new Int32Array(dim);
  const sign = new Int8Array(dim);
  const size = new Int32Array(dim);
  for (let i = 0; i < dim; i++) {
    root[i] = find(i);
    sign[i] = parityTo(i) ? -1 : 1;
    size[root[i]]++;
  }
  let rank = 0;
  for (let i = 0; i < dim; i++) if (root[i] === i && !dead[i]) rank++;
  const acc = new Float64Array(dim);
  return {
    dim, method: 'orbits', rank,
    fixedBasis: () => orbitBasis(root, sign, dead, 'fixed'),
    complementBasis: () => orbitBasis(root, sign, dead, 'complement'),
    apply: (x, out = new Float64Array(dim)) => {
      acc.fill(0);
      for (let i = 0; i < dim; i++) acc[root[i]] += sign[i] * x[i];
      for (let i = 0; i < dim; i++) {
        const r = root[i];
        out[i] = dead[r] ? 0 : (sign[i] * acc[r]) / size[r];
      }
      return { out, residual: 0 };
    },
  };
}

/** Π_G = Σ_j w_j ρ(g_j) from an exact Haar rule (a twirl over the rule's elements), O(|rule|·cost of ρ). */
export function ruleProjector<E>(action: GroupAction<E>, rule: HaarRule<E>): FixedProjector {
  const d = action.dim;
  const t = new Float64Array(d);
  return {
    dim: d, method: 'haar-rule', rank: null,
    apply: (x, out = new Float64Array(d)) => {
      const src = out === x ? Float64Array.from(x) : x;
      out.fill(0);
      rule.elements.forEach((g, j) => {
        action.apply(g, src, t);
        const w = rule.weights[j];
        for (let i = 0; i < d; i++) out[i] += w * t[i];
      });
      return { out, residual: 0 };
    },
  };
}

/** max_s ‖ρ(s)y − y‖ over the generators: how far y is from H_G. */
export function fixedResidual<E>(action: GroupAction<E>, y: Float64Array): number {
  const t = new Float64Array(action.dim);
  let r = 0;
  for (const s of action.group.generators) {
    action.apply(s, y, t);
    for (let i = 0; i < t.length; i++) t[i] -= y[i];
    r = Math.max(r, norm(t));
  }
  return r;
}

/** Options of iterativeProjector: the relative residual to reach and the iteration cap. */
export interface IterativeOptions {
  /** stop when ‖M(x − z)‖ ≤ tol·‖Mx‖ (default: round-off of dim terms) */
  tol?: number;
  maxIterations?: number;
}

/**
 * Π_G for a dense orthogonal action from its generators only: with M = Σ_s (I − ρ(s))ᵀ(I − ρ(s)) (symmetric
 * PSD, ker M = H_G), Π_G x = x − M⁺Mx, and conjugate gradients on Mz = Mx started at z = 0 stay in range(M), so
 * they converge to M⁺Mx. ρ(s)ᵀ = ρ(s⁻¹) (A1), so no matrix is formed. The result's residual
 * max_s ‖ρ(s)y − y‖ is measured and returned; exceeding the iteration cap throws rather than returning an
 * unconverged projection.
 */
export function iterativeProjector<E>(action: GroupAction<E>, opts: IterativeOptions = {}): FixedProjector {
  const d = action.dim;
  const G = action.group;
  const gens = G.generators;
  const invs = gens.map((s) => G.inv(s));
  const t = new Float64Array(d), u = new Float64Array(d);
  const M = (v: Float64Array, out: Float64Array): Float64Array => {
    out.fill(0);
    gens.forEach((s, k) => {
      action.apply(s, v, t);
      for (let i = 0; i < d; i++) t[i] = v[i] - t[i]; // (I − ρ(s))v
      action.apply(invs[k], t, u);
      for (let i = 0; i < d; i++) out[i] += t[i] - u[i]; // (I − ρ(s))ᵀ t = t − ρ(s⁻¹)t
    });
    return out;
  };
  const maxIt = opts.maxIterations ?? 10 * d + 10;
  return {
    dim: d, method: 'iterative', rank: null,
    apply: (x, out = new Float64Array(d)) => {
      const b = M(x, new Float64Array(d));
      const bn = norm(b);
      // each M-product sums 4·|S| rotated unit-scale vectors: round-off relative to ‖x‖ grows like d
      const tol = (opts.tol ?? roundoff(1, d * gens.length)) * Math.max(bn, norm(x));
      const z = new Float64Array(d), r = Float64Array.from(b), p = Float64Array.from(b), q = new Float64Array(d);
      let rr = bn * bn;
      let it = 0;
      while (Math.sqrt(rr) > tol) {
        if (++it > maxIt) throw new EqflowError('not-converged', 'Π_G', `conjugate gradients did not reach the residual ${tol.toExponential(2)} in ${maxIt} iterations (now ${Math.sqrt(rr).toExponential(2)})`);
        M(p, q);
        let pq = 0;
        for (let i = 0; i < d; i++) pq += p[i] * q[i];
        if (pq <= 0) break; // p ∈ ker M: the rest of x is already fixed
        const alpha = rr / pq;
        let rr2 = 0;
        for (let i = 0; i < d; i++) {
          z[i] += alpha * p[i];
          r[i] -= alpha * q[i];
          rr2 += r[i] * r[i];
        }
        const beta = rr2 / rr;
        rr = rr2;
        for (let i = 0; i < d; i++) p[i] = r[i] + beta * p[i];
      }
      for (let i = 0; i < d; i++) out[i] = x[i] - z[i];
      return { out, residual: fixedResidual(action, out) };
    },
  };
}

/**
 * The cleanest exact Π_G available for `action`: orbits when it is monomial, a Haar rule of the action's degree
 * when the group has one (enumerable finite groups; SO(2)/O(2), where N = degree + 1 angles are exact), else
 * conjugate gradients with their residual.
 */
export function fixedSpaceProjector<E>(action: GroupAction<E>): FixedProjector {
  const G = action.group;
  const moves = G.generators.map((s) => action.move(s));
  if (moves.every((m): m is SignedPerm => m !== null)) return orbitProjector(action.dim, moves);
  const rule = G.haarRule(action.degree);
  if (rule) return ruleProjector(action, rule);
  return iterativeProjector(action);
}
