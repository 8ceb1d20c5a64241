import { Matrix } from 'ml-matrix';
import { EqflowError } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { roundoff } from '../core/tolerance.js';
import { Representation, character } from '../reps/representation.js';
import { Admissible, basisOf, projectL } from './admissible.js';
import { nullspace } from './linalg.js';
import { ParamSpace } from './paramSpace.js';

/**
 * Π_G x = (1/|G|) Σ_g ρ(g) x, the twirl: orthogonal projection onto the fixed space H_G (docs/theory.md §1).
 * O(|G|·dim) for monomial actions. `out` may alias `x` (a scratch copy is taken).
 */
export function twirl(rep: Representation, x: Float64Array, out: Float64Array, scratch?: Float64Array): Float64Array {
  const d = rep.dim;
  const G = rep.group;
  const src = out === x ? Float64Array.from(x) : x;
  out.fill(0, 0, d);
  if (rep.monomial) {
    const { perm, sign } = rep.monomial;
    for (let g = 0; g < G.order; g++) {
      const p = perm[g], s = sign[g];
      for (let i = 0; i < d; i++) out[p[i]] += s[i] * src[i];
    }
  } else {
    const t = scratch ?? new Float64Array(d);
    for (let g = 0; g < G.order; g++) {
      rep.apply(g, src, t);
      for (let i = 0; i < d; i++) out[i] += t[i];
    }
  }
  const w = 1 / G.order;
  for (let i = 0; i < d; i++) out[i] *= w;
  return out;
}

/** dim H_G = (1/|G|) Σ_g χ(g) (exact for monomial actions; rounded from a float sum otherwise). */
export function fixedDimension(rep: Representation): number {
  let s = 0;
  for (let g = 0; g < rep.group.order; g++) s += character(rep, g);
  return Math.round(s / rep.group.order) + 0; // + 0 turns −0 into 0
}

/**
 * Second, independent construction of H_G: the nullspace of the stacked constraints [ρ(s) − I] over the
 * generators s (SVD). Returns an orthonormal basis as rows; Π_G = N Nᵀ must agree with the twirl.
 */
export function fixedBasisBySvd(rep: Representation): Float64Array[] {
  const d = rep.dim;
  const gens = rep.group.generators;
  const m = new Matrix(gens.length * d, d);
  gens.forEach((s, k) => {
    const r = rep.matrix(s);
    for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) m.set(k * d + i, j, r[i * d + j] - (i === j ? 1 : 0));
  });
  return nullspace(m);
}

/**
 * The projectors of one (ρ̄, L) pair: Π_G, Π_L, Π_E (onto E_0 = L_0 ∩ H_G), Π_{E⊥} = I − Π_E, and the
 * compatibility defect ‖Π_LΠ_G − Π_GΠ_L‖_F computed exactly. When compatible, Π_E = Π_LΠ_G (docs/theory.md §1);
 * otherwise Π_E comes from an orthonormal basis of L_0 ∩ H_G (nullspace of (I − Π_G)B for a basis B of L_0).
 */
export class Projectors {
  readonly space: ParamSpace;
  readonly L: Admissible;
  readonly rep: Representation;
  readonly defect: number;
  /** the threshold the defect is compared with: round-off of dim columns of two projections */
  readonly defectTolerance: number;
  readonly compatible: boolean;
  readonly dimG: number;
  readonly dimE: number;
  /** orthonormal basis of E_0, only for incompatible pairs (else Π_E = Π_LΠ_G) */
  readonly eBasis: Float64Array[] | null;
  private readonly tmp: Float64Array;
  private readonly scratch: Float64Array;

  constructor(L: Admissible) {
    this.space = L.space;
    this.L = L;
    this.rep = L.space.action;
    const d = this.space.dim;
    this.tmp = new Float64Array(d);
    this.scratch = new Float64Array(d);
    this.dimG = fixedDimension(this.rep);
    this.defect = this.computeDefect();
    // each commutator column is assembled from O(dim) products of unit-size entries; Frobenius over dim columns
    this.defectTolerance = roundoff(1, d) * Math.sqrt(d);
    this.compatible = this.defect <= this.defectTolerance;
    if (this.compatible) {
      this.eBasis = null;
      this.dimE = this.traceLG();
    } else {
      const B = basisOf(L);
      const m = new Matrix(d, B.length);
      const col = new Float64Array(d);
      B.forEach((q, j) => {
        twirl(this.rep, q, col, this.scratch);
        for (let i = 0; i < d; i++) m.set(i, j, q[i] - col[i]);
      });
      // each entry of (I − Π_G)B carries the twirl's round-off, O(|G|·d) for a dense ρ̄; ‖ΔM‖₂ ≤ ‖ΔM‖_F
      // B is never empty here: Π_L = 0 commutes with Π_G, so an L of dimension 0 is compatible (its defect is exactly 0)
      const coeffs = nullspace(m, roundoff(1, this.rep.group.order * d) * Math.sqrt(d * B.length));
      this.eBasis = coeffs.map((c) => {
        const v = new Float64Array(d);
        B.forEach((q, j) => {
          if (c[j] !== 0) for (let i = 0; i < d; i++) v[i] += c[j] * q[i];
        });
        return v;
      });
      this.dimE = this.eBasis.length;
    }
  }

  /** out ← Π_G x */
  piG(x: Float64Array, out: Float64Array = new Float64Array(x.length)): Float64Array {
    return twirl(this.rep, x, out, this.scratch);
  }

  /** out ← Π_L x */
  piL(x: Float64Array, out: Float64Array = new Float64Array(x.length)): Float64Array {
    if (this.L.kind === 'basis' && out === x) {
      projectL(this.L, x, this.tmp);
      out.set(this.tmp);
      return out;
    }
    return projectL(this.L, x, out);
  }

  /** out ← Π_E x, the orthogonal projection onto E_0 = L_0 ∩ H_G. */
  piE(x: Float64Array, out: Float64Array = new Float64Array(x.length)): Float64Array {
    if (this.eBasis === null) {
      this.piG(x, out);
      return this.piL(out, out);
    }
    const src = out === x ? Float64Array.from(x) : x;
    out.fill(0);
    for (const q of this.eBasis) {
      let dd = 0;
      for (let i = 0; i < src.length; i++) dd += q[i] * src[i];
      for (let i = 0; i < src.length; i++) out[i] += dd * q[i];
    }
    return out;
  }

  /** out ← Π_{E⊥} x = x − Π_E x */
  piEperp(x: Float64Array, out: Float64Array = new Float64Array(x.length)): Float64Array {
    const src = out === x ? Float64Array.from(x) : x;
    this.piE(src, out);
    for (let i = 0; i < src.length; i++) out[i] = src[i] - out[i];
    return out;
  }

  /** ‖Π_{E⊥} A‖, the projection error (distance from A to E_0). */
  projectionError(x: Float64Array): number {
    return norm(this.piEperp(x, new Float64Array(x.length)));
  }

  /** ‖Π_{E⊥} A_i‖ per segment (layer). */
  projectionErrors(x: Float64Array): number[] {
    return this.space.segmentNorms(this.piEperp(x, new Float64Array(x.length)));
  }

  /** ‖Π_LΠ_G − Π_GΠ_L‖_F: closed form for a mask under a monomial action, otherwise column by column. */
  private computeDefect(): number {
    const L = this.L;
    const d = this.space.dim;
    if (L.kind === 'full') return 0;
    const mono = this.rep.monomial;
    if (L.kind === 'mask' && mono) {
      // column j of Π_G has entries s/|G| at perm_g[j]; the commutator column is (mask_i − mask_j)(Π_G)_{ij}
      const G = this.rep.group.order;
      const col = new Float64Array(d);
      let s = 0;
      for (let j = 0; j < d; j++) {
        const touched: number[] = [];
        for (let g = 0; g < G; g++) {
          const i = mono.perm[g][j];
          if (col[i] === 0) touched.push(i);
          col[i] += mono.sign[g][j] / G;
        }
        for (const i of touched) {
          const diff = (L.mask[i] - L.mask[j]) * col[i];
          s += diff * diff;
          col[i] = 0;
        }
      }
      return Math.sqrt(s);
    }
    const e = new Float64Array(d);
    const a = new Float64Array(d);
    const b = new Float64Array(d);
    let s = 0;
    for (let j = 0; j < d; j++) {
      e.fill(0);
      e[j] = 1;
      this.piG(e, a);
      this.piL(a, a);
      projectL(L, e, b);
      this.piG(b, b);
      for (let i = 0; i < d; i++) {
        const t = a[i] - b[i];
        s += t * t;
      }
    }
    return Math.sqrt(s);
  }

  /** tr(Π_LΠ_G) = Σ_q ⟨q, Π_G q⟩ over an orthonormal basis of L_0: dim E when compatible. */
  private traceLG(): number {
    const L = this.L;
    if (L.kind === 'full') return this.dimG;
    let t = 0;
    const mono = this.rep.monomial;
    if (L.kind === 'mask' && mono) {
      const G = this.rep.group.order;
      for (let j = 0; j < this.space.dim; j++) {
        if (!L.mask[j]) continue;
        for (let g = 0; g < G; g++) if (mono.perm[g][j] === j) t += mono.sign[g][j] / G;
      }
    } else {
      const col = new Float64Array(this.space.dim);
      for (const q of basisOf(L)) {
        this.piG(q, col);
        for (let i = 0; i < col.length; i++) t += q[i] * col[i];
      }
    }
    const r = Math.round(t);
    if (Math.abs(t - r) > 1e-6) throw new EqflowError('incompatible', 'L', `tr(Π_LΠ_G) = ${t} is not an integer: Π_LΠ_G is not a projection`);
    return r + 0; // + 0 turns −0 into 0
  }
}
