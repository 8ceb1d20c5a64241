import { EqflowError } from '../core/errors.js';
import { FiniteGroup } from '../groups/group.js';

/** Signed permutation tables: ρ(g) e_i = sign[g][i] · e_{perm[g][i]}. */
export interface Monomial {
  perm: Int32Array[];
  sign: Float64Array[];
}

/**
 * An orthogonal representation ρ: G → O(dim) (docs/theory.md §1, assumption A1). Monomial representations
 * (signed permutations) carry their tables so that ρ(g)x costs O(dim); dense ones fall back to matrix products.
 */
export interface Representation {
  readonly group: FiniteGroup;
  readonly dim: number;
  readonly name: string;
  /** Signed permutation tables, or null when some ρ(g) is not monomial. */
  readonly monomial: Monomial | null;
  /** out[outOff..] ← ρ(g) x[xOff..]; `out` must not alias `x`. */
  apply(g: number, x: Float64Array, out: Float64Array, xOff?: number, outOff?: number): void;
  /** ρ(g) as a dense dim×dim row-major matrix. */
  matrix(g: number): Float64Array;
}

/** A representation given by signed permutation tables. */
export class MonomialRep implements Representation {
  readonly monomial: Monomial;
  constructor(readonly group: FiniteGroup, readonly dim: number, readonly name: string, perm: Int32Array[], sign: Float64Array[]) {
    this.monomial = { perm, sign };
  }

  apply(g: number, x: Float64Array, out: Float64Array, xOff = 0, outOff = 0): void {
    const p = this.monomial.perm[g];
    const s = this.monomial.sign[g];
    for (let i = 0; i < this.dim; i++) out[outOff + p[i]] = s[i] * x[xOff + i];
  }

  matrix(g: number): Float64Array {
    const m = new Float64Array(this.dim * this.dim);
    const p = this.monomial.perm[g];
    const s = this.monomial.sign[g];
    for (let i = 0; i < this.dim; i++) m[p[i] * this.dim + i] = s[i];
    return m;
  }
}

/** A representation given by dense matrices, one per element. */
export class DenseRep implements Representation {
  readonly monomial = null;
  constructor(readonly group: FiniteGroup, readonly dim: number, readonly name: string, readonly matrices: Float64Array[]) {}

  apply(g: number, x: Float64Array, out: Float64Array, xOff = 0, outOff = 0): void {
    const m = this.matrices[g];
    const d = this.dim;
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += m[i * d + j] * x[xOff + j];
      out[outOff + i] = s;
    }
  }

  matrix(g: number): Float64Array {
    return this.matrices[g].slice();
  }
}

/** ρ_1 ⊕ … ⊕ ρ_k acting block-wise; parts are applied at their offsets. */
export class SumRep implements Representation {
  readonly monomial = null;
  readonly offsets: number[];
  constructor(readonly group: FiniteGroup, readonly name: string, readonly parts: Representation[]) {
    this.offsets = [];
    let o = 0;
    for (const p of parts) {
      this.offsets.push(o);
      o += p.dim;
    }
    this.dim = o;
  }
  readonly dim: number;

  apply(g: number, x: Float64Array, out: Float64Array, xOff = 0, outOff = 0): void {
    for (let k = 0; k < this.parts.length; k++) this.parts[k].apply(g, x, out, xOff + this.offsets[k], outOff + this.offsets[k]);
  }

  matrix(g: number): Float64Array {
    const d = this.dim;
    const m = new Float64Array(d * d);
    for (let k = 0; k < this.parts.length; k++) {
      const b = this.parts[k].matrix(g);
      const n = this.parts[k].dim;
      const o = this.offsets[k];
      for (let i = 0; i < n; i++) for (let j = 0; j < n; j++) m[(o + i) * d + o + j] = b[i * n + j];
    }
    return m;
  }
}

/**
 * ρ_a ⊗ ρ_b on R^{a·b} (row-major a×b matrices X): X ↦ ρ_a(g) X ρ_b(g)ᵀ. With ρ_a = ρ_{i+1}, ρ_b = ρ_i this is
 * the induced action on a layer, (ρ̄(g)A)_i = ρ_{i+1}(g) A_i ρ_i(g)^{-1} (ρ_i orthogonal).
 */
export class TensorRep implements Representation {
  readonly monomial = null;
  readonly dim: number;
  private readonly ma: Float64Array[];
  private readonly mb: Float64Array[];
  private readonly tmp: Float64Array;
  constructor(readonly group: FiniteGroup, readonly name: string, readonly a: Representation, readonly b: Representation) {
    this.dim = a.dim * b.dim;
    this.ma = group.elements().map((g) => a.matrix(g));
    this.mb = group.elements().map((g) => b.matrix(g));
    this.tmp = new Float64Array(this.dim);
  }

  apply(g: number, x: Float64Array, out: Float64Array, xOff = 0, outOff = 0): void {
    const na = this.a.dim, nb = this.b.dim;
    const A = this.ma[g], B = this.mb[g], t = this.tmp;
    // t = X Bᵀ, then out = A t
    for (let i = 0; i < na; i++) {
      for (let j = 0; j < nb; j++) {
        let s = 0;
        for (let k = 0; k < nb; k++) s += x[xOff + i * nb + k] * B[j * nb + k];
        t[i * nb + j] = s;
      }
    }
    for (let i = 0; i < na; i++) {
      for (let j = 0; j < nb; j++) {
        let s = 0;
        for (let k = 0; k < na; k++) s += A[i * na + k] * t[k * nb + j];
        out[outOff + i * nb + j] = s;
      }
    }
  }

  matrix(g: number): Float64Array {
    const na = this.a.dim, nb = this.b.dim, d = this.dim;
    const A = this.ma[g], B = this.mb[g];
    const m = new Float64Array(d * d);
    for (let i = 0; i < na; i++) for (let k = 0; k < na; k++) {
      const aik = A[i * na + k];
      if (aik === 0) continue;
      for (let j = 0; j < nb; j++) for (let l = 0; l < nb; l++) m[(i * nb + j) * d + k * nb + l] = aik * B[j * nb + l];
    }
    return m;
  }
}

/** tr ρ(g): the character, used for dim H_G = (1/|G|) Σ_g χ(g). */
export function character(rep: Representation, g: number): number {
  if (rep.monomial) {
    const p = rep.monomial.perm[g], s = rep.monomial.sign[g];
    let t = 0;
    for (let i = 0; i < rep.dim; i++) if (p[i] === i) t += s[i];
    return t;
  }
  // χ_{ρ⊕σ} = χ_ρ + χ_σ and χ_{ρ⊗σ} = χ_ρ·χ_σ: no dim² matrix of a whole (non-monomial) parameter space
  if (rep instanceof SumRep) return rep.parts.reduce((t, p) => t + character(p, g), 0);
  if (rep instanceof TensorRep) return character(rep.a, g) * character(rep.b, g);
  const m = rep.matrix(g);
  let t = 0;
  for (let i = 0; i < rep.dim; i++) t += m[i * rep.dim + i];
  return t;
}

export function requireSameGroup(a: Representation, b: Representation, field: string): void {
  if (a.group !== b.group) throw new EqflowError('invalid-argument', field, `representations of different groups (${a.group.name} vs ${b.group.name})`);
}
