import { EqflowError, MAX_TABLE_ENTRIES, requireInteger, requireSize } from '../core/errors.js';
import { EPS } from '../core/tolerance.js';
import { FiniteGroup } from '../groups/group.js';
import { DenseRep, MonomialRep, Representation, SumRep, TensorRep, requireSameGroup } from './representation.js';

/**
 * Checks A1 and the homomorphism law on every pair: ρ(e) = I, ρ(g)ρ(h) = ρ(gh), ρ(g)ᵀρ(g) = I.
 * Dense matrices are compared to within 64·dim·eps (entries of orthogonal matrices are ≤ 1, a product of two
 * sums dim terms each of round-off eps). A violation throws naming the element(s) and the law.
 */
export function validateRepresentation(rep: Representation, field = 'representation'): Representation {
  const G = rep.group;
  const d = rep.dim;
  const tol = 64 * Math.max(1, d) * EPS;
  const mats = G.elements().map((g) => rep.matrix(g));
  for (let g = 0; g < G.order; g++) {
    const m = mats[g];
    for (let i = 0; i < d * d; i++) {
      if (!Number.isFinite(m[i])) throw new EqflowError('not-finite', `${field}[${G.labels[g]}]`, `entry ${i} is ${m[i]}`);
    }
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += m[k * d + i] * m[k * d + j];
        if (Math.abs(s - (i === j ? 1 : 0)) > tol) {
          throw new EqflowError('not-orthogonal', `${field}[${G.labels[g]}]`, `ρ(g)ᵀρ(g) differs from I at (${i},${j}) by ${Math.abs(s - (i === j ? 1 : 0)).toExponential(3)}`);
        }
      }
    }
  }
  const e = mats[G.identity];
  for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
    if (Math.abs(e[i * d + j] - (i === j ? 1 : 0)) > tol) throw new EqflowError('not-a-representation', `${field}[e]`, `ρ(e) is not the identity at (${i},${j})`);
  }
  for (let g = 0; g < G.order; g++) {
    for (let h = 0; h < G.order; h++) {
      const a = mats[g], b = mats[h], c = mats[G.mul(g, h)];
      for (let i = 0; i < d; i++) for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < d; k++) s += a[i * d + k] * b[k * d + j];
        if (Math.abs(s - c[i * d + j]) > tol) {
          throw new EqflowError('not-a-representation', field, `homomorphism fails: ρ(${G.labels[g]})ρ(${G.labels[h]}) ≠ ρ(${G.labels[G.mul(g, h)]}) at (${i},${j}), off by ${Math.abs(s - c[i * d + j]).toExponential(3)}`);
        }
      }
    }
  }
  return rep;
}

function checkTables(G: FiniteGroup, perms: ArrayLike<ArrayLike<number>>, field: string): { dim: number; perm: Int32Array[] } {
  if (perms.length !== G.order) throw new EqflowError('dimension-mismatch', field, `expected one table per element of ${G.name} (${G.order}), got ${perms.length}`);
  const dim = perms[0].length;
  const perm = Array.from(perms, (p, g) => {
    if (p.length !== dim) throw new EqflowError('dimension-mismatch', `${field}[${g}]`, `expected length ${dim}, got ${p.length}`);
    const seen = new Uint8Array(dim);
    const out = new Int32Array(dim);
    for (let i = 0; i < dim; i++) {
      const v = p[i];
      if (!Number.isInteger(v) || v < 0 || v >= dim || seen[v]) throw new EqflowError('not-orthogonal', `${field}[${g}]`, `not a permutation of 0..${dim - 1} (entry ${i} = ${v})`);
      seen[v] = 1;
      out[i] = v;
    }
    return out;
  });
  return { dim, perm };
}

/** ρ(g) e_i = e_{perms[g][i]}; validated. */
export function permutationRep(G: FiniteGroup, perms: ArrayLike<ArrayLike<number>>, name = 'perm'): Representation {
  const { dim, perm } = checkTables(G, perms, 'perms');
  return validateRepresentation(new MonomialRep(G, dim, name, perm, perm.map(() => new Float64Array(dim).fill(1))), name);
}

/** ρ(g) e_i = signs[g][i] e_{perms[g][i]}, signs ±1; validated. */
export function signedPermutationRep(G: FiniteGroup, perms: ArrayLike<ArrayLike<number>>, signs: ArrayLike<ArrayLike<number>>, name = 'signed-perm'): Representation {
  const { dim, perm } = checkTables(G, perms, 'perms');
  if (signs.length !== G.order) throw new EqflowError('dimension-mismatch', 'signs', `expected ${G.order} sign tables, got ${signs.length}`);
  const sign = Array.from(signs, (s, g) => {
    if (s.length !== dim) throw new EqflowError('dimension-mismatch', `signs[${g}]`, `expected length ${dim}, got ${s.length}`);
    const out = Float64Array.from(s);
    for (let i = 0; i < dim; i++) if (out[i] !== 1 && out[i] !== -1) throw new EqflowError('not-orthogonal', `signs[${g}][${i}]`, `expected ±1, got ${out[i]}`);
    return out;
  });
  return validateRepresentation(new MonomialRep(G, dim, name, perm, sign), name);
}

/** ρ(g) = matrices[g] (row-major dim×dim, orthogonal); validated. */
export function denseRep(G: FiniteGroup, matrices: ArrayLike<ArrayLike<number>>, dim: number, name = 'dense'): Representation {
  requireInteger(dim, 'dim');
  if (matrices.length !== G.order) throw new EqflowError('dimension-mismatch', 'matrices', `expected one matrix per element of ${G.name} (${G.order}), got ${matrices.length}`);
  const mats = Array.from(matrices, (m, g) => {
    if (m.length !== dim * dim) throw new EqflowError('dimension-mismatch', `matrices[${g}]`, `expected ${dim}×${dim} = ${dim * dim} entries, got ${m.length}`);
    return Float64Array.from(m);
  });
  return validateRepresentation(new DenseRep(G, dim, name, mats), name);
}

/** Monomial construction without re-validation, for built-ins whose laws follow from their definition. */
function monomialFrom(G: FiniteGroup, dim: number, name: string, map: (g: number, i: number) => number, signOf?: (g: number, i: number) => number): MonomialRep {
  requireSize(G.order * dim, MAX_TABLE_ENTRIES, 'dim', `the tables of ${name} (|G| = ${G.order} × dim ${dim})`);
  const perm = G.elements().map((g) => Int32Array.from({ length: dim }, (_, i) => map(g, i)));
  const sign = G.elements().map((g) => Float64Array.from({ length: dim }, (_, i) => (signOf ? signOf(g, i) : 1)));
  return new MonomialRep(G, dim, name, perm, sign);
}

/** The trivial representation on R^dim. */
export function trivial(G: FiniteGroup, dim = 1): Representation {
  requireInteger(dim, 'dim', 0);
  return monomialFrom(G, dim, `triv${dim}`, (_g, i) => i);
}

/**
 * C_n acting on R^dim by cyclic shifts: r^k e_i = e_{(i + k·step) mod dim}. A homomorphism iff n·step ≡ 0 mod dim
 * (r^n = e); step defaults to dim/n (e.g. C4 on R^16 by shifts of 4).
 */
export function cyclicShift(G: FiniteGroup, dim: number, step?: number): Representation {
  if (G.family.kind !== 'cyclic') throw new EqflowError('invalid-argument', 'group', `cyclic shifts need a cyclic group, got ${G.name}`);
  const n = G.family.n;
  requireInteger(dim, 'dim');
  const s = step ?? dim / n;
  if (!Number.isInteger(s) || (n * s) % dim !== 0) throw new EqflowError('not-a-representation', 'step', `shift step ${s} on R^${dim} does not satisfy r^${n} = e`);
  return monomialFrom(G, dim, `shift${s}(R^${dim})`, (g, i) => (((i + g * s) % dim) + dim) % dim);
}

/**
 * rot90 (C4) and rot90/flip (D4) on `channels` k×k images, layout c·k² + i·k + j. rot90 (counter-clockwise)
 * sends pixel (i, j) to (k−1−j, i); the flip s sends (i, j) to (i, k−1−j); r^a s^f acts as rot^a ∘ flip^f.
 */
export function rot90(G: FiniteGroup, k: number, channels = 1): Representation {
  const fam = G.family;
  if (!((fam.kind === 'cyclic' || fam.kind === 'dihedral') && fam.n === 4)) throw new EqflowError('invalid-argument', 'group', `rot90 needs C4 or D4, got ${G.name}`);
  requireInteger(k, 'k');
  requireInteger(channels, 'channels');
  const kk = k * k;
  const map = (g: number, idx: number) => {
    const c = Math.floor(idx / kk);
    let i = Math.floor((idx % kk) / k), j = idx % k;
    const a = g % 4, f = Math.floor(g / 4);
    if (f) j = k - 1 - j;
    for (let t = 0; t < a; t++) [i, j] = [k - 1 - j, i];
    return c * kk + i * k + j;
  };
  return monomialFrom(G, channels * kk, `${fam.kind === 'cyclic' ? 'rot90' : 'rot90+flip'}(${channels}×${k}×${k})`, map);
}

/** The natural representation of a permutation group (S_n on R^n): ρ(g) e_i = e_{g(i)}. */
export function natural(G: FiniteGroup): Representation {
  if (G.family.kind !== 'permutation') throw new EqflowError('invalid-argument', 'group', `the natural representation needs a permutation group, got ${G.name}`);
  const perms = G.family.perms;
  return monomialFrom(G, G.family.degree, `nat(R^${G.family.degree})`, (g, i) => perms[g][i]);
}

/** S_n on n×n matrices (adjacency): X ↦ P X Pᵀ. */
export function adjacency(G: FiniteGroup): Representation {
  const nat = natural(G);
  const r = tensor(nat, nat);
  return r;
}

/** C_n on R² by rotation through 2πk/n: a dense, non-monomial orthogonal representation (n ≥ 3). */
export function rotation2d(G: FiniteGroup): Representation {
  if (G.family.kind !== 'cyclic') throw new EqflowError('invalid-argument', 'group', `rotation2d needs a cyclic group, got ${G.name}`);
  const n = G.family.n;
  const mats = G.elements().map((k) => {
    const t = (2 * Math.PI * k) / n;
    return Float64Array.from([Math.cos(t), -Math.sin(t), Math.sin(t), Math.cos(t)]);
  });
  return new DenseRep(G, 2, `rot2d(2π/${n})`, mats);
}

/** ρ_1 ⊕ … ⊕ ρ_k; stays monomial (one flat table) when every part is. */
export function directSum(...parts: Representation[]): Representation {
  if (parts.length === 0) throw new EqflowError('invalid-argument', 'parts', 'a direct sum needs at least one representation');
  parts.forEach((p, i) => requireSameGroup(parts[0], p, `parts[${i}]`));
  const G = parts[0].group;
  const name = parts.map((p) => p.name).join('⊕');
  if (parts.every((p) => p.monomial)) {
    const dim = parts.reduce((s, p) => s + p.dim, 0);
    const perm = G.elements().map(() => new Int32Array(dim));
    const sign = G.elements().map(() => new Float64Array(dim));
    let o = 0;
    for (const p of parts) {
      const m = p.monomial as NonNullable<Representation['monomial']>;
      for (let g = 0; g < G.order; g++) for (let i = 0; i < p.dim; i++) {
        perm[g][o + i] = o + m.perm[g][i];
        sign[g][o + i] = m.sign[g][i];
      }
      o += p.dim;
    }
    return new MonomialRep(G, dim, name, perm, sign);
  }
  return new SumRep(G, name, parts);
}

/** `c` copies of ρ (channels). */
export function channels(rep: Representation, c: number): Representation {
  requireInteger(c, 'channels');
  return directSum(...Array.from({ length: c }, () => rep));
}

/** ρ_a ⊗ ρ_b (X ↦ ρ_a X ρ_bᵀ on a×b matrices); monomial when both are. */
export function tensor(a: Representation, b: Representation): Representation {
  requireSameGroup(a, b, 'b');
  const G = a.group;
  const name = `${a.name}⊗${b.name}`;
  if (a.monomial && b.monomial) {
    const ma = a.monomial, mb = b.monomial, nb = b.dim;
    return monomialFrom(G, a.dim * nb, name,
      (g, idx) => ma.perm[g][Math.floor(idx / nb)] * nb + mb.perm[g][idx % nb],
      (g, idx) => ma.sign[g][Math.floor(idx / nb)] * mb.sign[g][idx % nb]);
  }
  // TensorRep keeps ρ_a(g) and ρ_b(g) as dense matrices for every g
  requireSize(G.order * (a.dim * a.dim + b.dim * b.dim), MAX_TABLE_ENTRIES, 'dim', `the matrices of ${name}`);
  return new TensorRep(G, name, a, b);
}

/** ρ ∘ φ for a homomorphism φ: H → G given as an element map (validated as a representation of H). */
export function pullback(rep: Representation, H: FiniteGroup, hom: ArrayLike<number>, name?: string): Representation {
  if (hom.length !== H.order) throw new EqflowError('dimension-mismatch', 'hom', `expected ${H.order} images, got ${hom.length}`);
  const G = rep.group;
  const phi = Int32Array.from(hom);
  phi.forEach((g, h) => {
    if (g < 0 || g >= G.order) throw new EqflowError('invalid-argument', `hom[${h}]`, `not an element of ${G.name}`);
  });
  const nm = name ?? `${rep.name}∘φ`;
  const out: Representation = rep.monomial
    ? new MonomialRep(H, rep.dim, nm, Array.from(phi, (g) => rep.monomial!.perm[g]), Array.from(phi, (g) => rep.monomial!.sign[g]))
    : new DenseRep(H, rep.dim, nm, Array.from(phi, (g) => rep.matrix(g)));
  return validateRepresentation(out, 'hom');
}
