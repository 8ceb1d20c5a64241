import { EqflowError, MAX_TABLE_ENTRIES, requireInteger, requireSize } from '../core/errors.js';
import { CompactGroup, Planar, enumerated } from '../groups/compact.js';
import { Perm, permParity } from '../groups/permGroup.js';
import { Representation } from './representation.js';

/** A signed permutation matrix: ρ e_i = sign[i] · e_{perm[i]}; sign null means all +1. */
export interface SignedPerm {
  readonly perm: Int32Array;
  readonly sign: Int8Array | null;
}

/**
 * An orthogonal representation ρ: G → O(dim) of a compact group, applied to one element at a time: nothing of
 * size |G| is stored, so it serves groups too large to enumerate and continuous ones (docs/theory.md §1, §8).
 */
export interface GroupAction<E> {
  readonly group: CompactGroup<E>;
  readonly dim: number;
  readonly name: string;
  /** the highest frequency |k| in ρ for SO(2)/O(2): entries of ρ(r_θ) are trigonometric polynomials of this degree; 0 for finite groups */
  readonly degree: number;
  /** ρ(g) as a signed permutation (O(dim)), or null when the action is not monomial */
  move(g: E): SignedPerm | null;
  /** out[outOff..] ← ρ(g) x[xOff..]; `out` must not alias `x` */
  apply(g: E, x: Float64Array, out: Float64Array, xOff?: number, outOff?: number): void;
}

function applyMove(m: SignedPerm, x: Float64Array, out: Float64Array, xOff: number, outOff: number): void {
  const { perm, sign } = m;
  if (sign) for (let i = 0; i < perm.length; i++) out[outOff + perm[i]] = sign[i] * x[xOff + i];
  else for (let i = 0; i < perm.length; i++) out[outOff + perm[i]] = x[xOff + i];
}

/** A monomial action given by its moves. */
function monomialAction<E>(group: CompactGroup<E>, dim: number, name: string, move: (g: E) => SignedPerm): GroupAction<E> {
  return {
    group, dim, name, degree: 0, move,
    apply: (g, x, out, xOff = 0, outOff = 0) => applyMove(move(g), x, out, xOff, outOff),
  };
}

/** The trivial action on R^dim. */
export function trivialAction<E>(group: CompactGroup<E>, dim = 1): GroupAction<E> {
  requireInteger(dim, 'dim', 0);
  const id: SignedPerm = { perm: Int32Array.from({ length: dim }, (_, i) => i), sign: null };
  return { group, dim, name: `triv${dim}`, degree: 0, move: () => id, apply: (_g, x, out, xOff = 0, outOff = 0) => out.set(x.subarray(xOff, xOff + dim), outOff) };
}

/** A permutation group on its points: ρ(g)e_i = e_{g(i)} (a set of n elements, one feature each). */
export function pointAction(group: CompactGroup<Perm>): GroupAction<Perm> {
  const n = group.identity.length;
  return monomialAction(group, n, `nat(R^${n})`, (g) => ({ perm: g, sign: null }));
}

/**
 * Λ²R^n of a permutation group on n points: ρ(g)(e_i ∧ e_j) = e_{g(i)} ∧ e_{g(j)} on the basis e_i ∧ e_j, i < j
 * (index i·n − i(i+1)/2 + j − i − 1), a signed permutation with sign −1 where g reverses the pair's order. Its
 * orbits mix signs without cancelling (e_i ∧ e_j and e_j ∧ e_i = −e_i ∧ e_j), unlike those of ρ ⊗ sgn.
 */
export function exteriorSquare(group: CompactGroup<Perm>): GroupAction<Perm> {
  const n = group.identity.length;
  const dim = (n * (n - 1)) / 2;
  requireSize(dim, MAX_TABLE_ENTRIES, 'group', `Λ² of ${n} points`);
  const pair = (i: number, j: number): number => i * n - (i * (i + 1)) / 2 + j - i - 1;
  return monomialAction(group, dim, `Λ²(R^${n})`, (g) => {
    const perm = new Int32Array(dim), sign = new Int8Array(dim);
    for (let i = 0; i < n; i++) {
      for (let j = i + 1; j < n; j++) {
        const a = g[i], b = g[j], k = pair(i, j);
        perm[k] = a < b ? pair(a, b) : pair(b, a);
        sign[k] = a < b ? 1 : -1;
      }
    }
    return { perm, sign };
  });
}

/**
 * ρ ⊗ sgn of a permutation group: ρ(g) times the sign of the permutation g. A monomial ρ stays monomial, with
 * every move's signs multiplied by sgn(g): the signed actions whose orbits can cancel (docs/theory.md §8).
 */
export function signTwisted(rho: GroupAction<Perm>): GroupAction<Perm> {
  const move = (g: Perm): SignedPerm | null => {
    const m = rho.move(g);
    if (!m) return null;
    const s = permParity(g) ? -1 : 1;
    return { perm: m.perm, sign: Int8Array.from({ length: m.perm.length }, (_, i) => s * (m.sign ? m.sign[i] : 1)) };
  };
  return {
    group: rho.group, dim: rho.dim, name: `${rho.name}⊗sgn`, degree: rho.degree, move,
    apply: (g, x, out, xOff = 0, outOff = 0) => {
      rho.apply(g, x, out, xOff, outOff);
      if (permParity(g)) for (let i = 0; i < rho.dim; i++) out[outOff + i] = -out[outOff + i];
    },
  };
}

/** An existing (enumerated) Representation as an action of its group over element indices. */
export function fromRepresentation(rep: Representation): GroupAction<number> {
  const group = enumerated(rep.group);
  const mono = rep.monomial;
  return {
    group, dim: rep.dim, name: rep.name, degree: 0,
    move: mono ? (g) => ({ perm: mono.perm[g], sign: Int8Array.from(mono.sign[g]) }) : () => null,
    apply: (g, x, out, xOff = 0, outOff = 0) => rep.apply(g, x, out, xOff, outOff),
  };
}

function sameGroup<E>(parts: GroupAction<E>[], field: string): CompactGroup<E> {
  if (parts.length === 0) throw new EqflowError('invalid-argument', field, 'give at least one action');
  const G = parts[0].group;
  parts.forEach((p, i) => { if (p.group !== G) throw new EqflowError('invalid-argument', `${field}[${i}]`, `an action of ${p.group.name}, but ${field}[0] is of ${G.name}`); });
  return G;
}

/** ρ_1 ⊕ … ⊕ ρ_k, block by block. */
export function sumAction<E>(...parts: GroupAction<E>[]): GroupAction<E> {
  const group = sameGroup(parts, 'parts');
  const offsets: number[] = [];
  let dim = 0;
  for (const p of parts) {
    offsets.push(dim);
    dim += p.dim;
  }
  const name = parts.map((p) => p.name).join('⊕');
  const degree = Math.max(...parts.map((p) => p.degree));
  const apply = (g: E, x: Float64Array, out: Float64Array, xOff = 0, outOff = 0): void => {
    parts.forEach((p, k) => p.apply(g, x, out, xOff + offsets[k], outOff + offsets[k]));
  };
  if (parts.some((p) => p.move(group.identity) === null)) return { group, dim, name, degree, move: () => null, apply };
  const move = (g: E): SignedPerm => {
    const perm = new Int32Array(dim);
    const sign = new Int8Array(dim);
    parts.forEach((p, k) => {
      const m = p.move(g) as SignedPerm;
      for (let i = 0; i < p.dim; i++) {
        perm[offsets[k] + i] = offsets[k] + m.perm[i];
        sign[offsets[k] + i] = m.sign ? m.sign[i] : 1;
      }
    });
    return { perm, sign };
  };
  return { group, dim, name, degree, move, apply };
}

/**
 * ρ_a ⊗ ρ_b on row-major a×b matrices X: X ↦ ρ_a(g) X ρ_b(g)ᵀ. With ρ_a = ρ_{i+1}, ρ_b = ρ_i ⊕ 1 this is the
 * induced action on a layer A_i (docs/theory.md §1). Monomial factors give the monomial move
 * (i, j) ↦ (π_a(i), π_b(j)) with sign s_a(i)s_b(j), O(a·b); otherwise the product is applied as two matrix
 * products with ρ_a(g), ρ_b(g) assembled from unit vectors (O(a² + b²) memory). Degrees add: frequencies k ± l.
 */
export function tensorAction<E>(a: GroupAction<E>, b: GroupAction<E>): GroupAction<E> {
  const group = sameGroup([a, b], 'factors');
  const na = a.dim, nb = b.dim, dim = na * nb;
  const name = `${a.name}⊗${b.name}`;
  const degree = a.degree + b.degree;
  if (a.move(group.identity) !== null && b.move(group.identity) !== null) {
    const mono = monomialAction(group, dim, name, (g) => {
      const ma = a.move(g) as SignedPerm, mb = b.move(g) as SignedPerm;
      const perm = new Int32Array(dim);
      const sign = ma.sign || mb.sign ? new Int8Array(dim) : null;
      for (let i = 0; i < na; i++) {
        const pi = ma.perm[i] * nb, si = ma.sign ? ma.sign[i] : 1;
        for (let j = 0; j < nb; j++) {
          perm[i * nb + j] = pi + mb.perm[j];
          if (sign) sign[i * nb + j] = si * (mb.sign ? mb.sign[j] : 1);
        }
      }
      return { perm, sign };
    });
    return { ...mono, degree };
  }
  requireSize(na * na + nb * nb, MAX_TABLE_ENTRIES, 'dim', `the matrices of ${name}`);
  const t = new Float64Array(dim);
  const apply = (g: E, x: Float64Array, out: Float64Array, xOff = 0, outOff = 0): void => {
    const A = matrixOf(a, g), B = matrixOf(b, g);
    for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) { // t = X Bᵀ
      let s = 0;
      for (let k = 0; k < nb; k++) s += x[xOff + i * nb + k] * B[j * nb + k];
      t[i * nb + j] = s;
    }
    for (let i = 0; i < na; i++) for (let j = 0; j < nb; j++) { // out = A t
      let s = 0;
      for (let k = 0; k < na; k++) s += A[i * na + k] * t[k * nb + j];
      out[outOff + i * nb + j] = s;
    }
  };
  return { group, dim, name, degree, move: () => null, apply };
}

/** ρ(g) as a dense row-major dim×dim matrix, column by column from unit vectors. */
export function matrixOf<E>(rep: GroupAction<E>, g: E): Float64Array {
  const d = rep.dim;
  const m = new Float64Array(d * d);
  const e = new Float64Array(d), col = new Float64Array(d);
  for (let j = 0; j < d; j++) {
    e.fill(0);
    e[j] = 1;
    rep.apply(g, e, col);
    for (let i = 0; i < d; i++) m[i * d + j] = col[i];
  }
  return m;
}

/**
 * SO(2) or O(2) on R^{Σ dim of the parts} by the band-limited representation ⊕_k ψ_k over `frequencies`: ψ_0 is
 * the trivial R¹, ψ_k (k ≥ 1) is R² with r_θ ↦ [[cos kθ, −sin kθ], [sin kθ, cos kθ]] and, for O(2), the reflection
 * s ↦ diag(1, −1) (so s ψ_k(r_θ) s = ψ_k(r_{−θ}), a homomorphism). Degree = max k.
 */
export function bandLimited(group: CompactGroup<Planar>, frequencies: readonly number[]): GroupAction<Planar> {
  if (frequencies.length === 0) throw new EqflowError('invalid-argument', 'frequencies', 'give at least one frequency');
  frequencies.forEach((k, i) => requireInteger(k, `frequencies[${i}]`, 0));
  const dim = frequencies.reduce((d, k) => d + (k === 0 ? 1 : 2), 0);
  const apply = (g: Planar, x: Float64Array, out: Float64Array, xOff = 0, outOff = 0): void => {
    let o = 0;
    for (const k of frequencies) {
      if (k === 0) {
        out[outOff + o] = x[xOff + o];
        o += 1;
        continue;
      }
      const c = Math.cos(k * g.theta), s = Math.sin(k * g.theta);
      const u = x[xOff + o], v = g.reflect ? -x[xOff + o + 1] : x[xOff + o + 1]; // r_θ s: reflect first
      out[outOff + o] = c * u - s * v;
      out[outOff + o + 1] = s * u + c * v;
      o += 2;
    }
  };
  return { group, dim, name: `ψ{${frequencies.join(',')}}`, degree: Math.max(...frequencies), move: () => null, apply };
}

/** The regular representation of SO(2)/O(2) on L²(S¹) truncated at frequency K: signals on the circle with Fourier modes 0..K. */
export function regularTruncated(group: CompactGroup<Planar>, K: number): GroupAction<Planar> {
  requireInteger(K, 'K', 0);
  return { ...bandLimited(group, Array.from({ length: K + 1 }, (_, k) => k)), name: `reg≤${K}` };
}

/**
 * ρ̄ on H = ⊕_i Hom(X_i ⊕ R^{b_i}, X_{i+1}): ⊕_i ρ_{i+1} ⊗ (ρ_i ⊕ 1), the same layout as layerSpace
 * (docs/theory.md §1), built from actions so that it is monomial, O(dim) per element, whenever the ρ_i are.
 */
export function layerAction<E>(reps: readonly GroupAction<E>[], bias: boolean | readonly boolean[] = false): GroupAction<E> {
  if (reps.length < 2) throw new EqflowError('invalid-argument', 'reps', 'a network needs at least an input and an output representation');
  const layers: GroupAction<E>[] = [];
  for (let i = 0; i + 1 < reps.length; i++) {
    const b = typeof bias === 'boolean' ? bias : bias[i] ?? false;
    const input = b ? sumAction(reps[i], trivialAction(reps[i].group, 1)) : reps[i];
    layers.push(tensorAction(reps[i + 1], input));
  }
  return layers.length === 1 ? layers[0] : sumAction(...layers);
}
