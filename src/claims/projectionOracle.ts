import { norm } from '../core/kernels.js';
import { EPS, roundoff } from '../core/tolerance.js';
import { AdmissibleSpec } from '../impl/caseSpec.js';
import { convSegments } from '../models/cnn.js';
import { ParamSpace } from '../space/paramSpace.js';
import { supports } from '../space/supports.js';

/**
 * The projectors' oracle: Π_G, Π_L and Π_E (docs/theory.md §1) built from the Case's own definition by a second
 * route that shares no code with the reference's src/space (no SVD, no kernelSupportSpace, no Projectors): L_0
 * from the spec's mask, support cells or vectors (Gram–Schmidt twice); H_G by the twirl over ρ̄'s matrices;
 * E_0 = L_0 ∩ H_G as the null eigenvectors (cyclic Jacobi) of M = Qᵀ(I − Π_G)Q for an orthonormal basis Q of L_0,
 * whose eigenvalues are sin² of the principal angles between L_0 and H_G (0 exactly on E_0).
 */
export interface ProjectionOracle {
  /** Π_G x, the twirl (1/|G|) Σ_g ρ̄(g) x */
  piG(x: Float64Array): Float64Array;
  /** Π_L x onto the Case's L_0, or null when its dimension is not decidable in float64 (see gramSchmidt) */
  piL(x: Float64Array): Float64Array | null;
  /** Π_E x onto E_0 = L_0 ∩ H_G, or null when L_0 is not decided or M has no clear spectral gap */
  piE(x: Float64Array): Float64Array | null;
  /** dim E_0 (null like piE) */
  readonly dimE: number | null;
  /** smallest nonzero eigenvalue of M: Π_E's round-off grows like 1/gap (Davis–Kahan); 1 when there is none */
  readonly gap: number;
}

/** out = Σ_q ⟨q, x⟩ q over orthonormal rows q. */
function projectRows(rows: readonly Float64Array[], x: Float64Array): Float64Array {
  const out = new Float64Array(x.length);
  for (const q of rows) {
    let d = 0;
    for (let i = 0; i < x.length; i++) d += q[i] * x[i];
    for (let i = 0; i < x.length; i++) out[i] += d * q[i];
  }
  return out;
}

/**
 * Orthonormal rows spanning the given vectors: modified Gram–Schmidt applied twice (reorthogonalized, so a kept
 * vector is orthogonal to O(k·dim·eps)); a vector whose residual is within that round-off of its norm is dependent.
 * `ambiguous` when a kept residual is within that round-off of 0 at unit scale too (a direction of length ~1e-15,
 * e.g. the twirl of a vector with H_G = {0}): whether it spans a line is not decidable in float64, and numerical-rank
 * rules relative to σ_max (keep it) or to max(σ_max, 1) (drop it) are both right.
 */
export function gramSchmidt(vectors: readonly ArrayLike<number>[]): { rows: Float64Array[]; ambiguous: boolean } {
  const rows: Float64Array[] = [];
  let ambiguous = false;
  for (const v of vectors) {
    const r = Float64Array.from(v);
    const size = norm(r);
    for (let pass = 0; pass < 2; pass++) {
      for (const q of rows) {
        let d = 0;
        for (let i = 0; i < r.length; i++) d += q[i] * r[i];
        for (let i = 0; i < r.length; i++) r[i] -= d * q[i];
      }
    }
    const rn = norm(r);
    // two MGS passes leave a dependent vector O(k·dim·eps)·‖v‖ off the span of the others
    if (size === 0 || rn <= roundoff(size, vectors.length * r.length)) continue;
    if (rn <= roundoff(1, vectors.length * r.length)) ambiguous = true;
    rows.push(r.map((x) => x / rn));
  }
  return { rows, ambiguous };
}

/** L_0 of an admissible spec as a coordinate mask (full, mask, kernel support) or null for a basis. */
export function admissibleMask(space: ParamSpace, spec: AdmissibleSpec): Uint8Array | null {
  const m = new Uint8Array(space.dim).fill(1);
  if (spec.kind === 'full') return m;
  if (spec.kind === 'mask') return Uint8Array.from(spec.mask);
  if (spec.kind === 'basis') return null;
  // the named supports' table is the Case vocabulary (data, like the spec), not the code under test
  const cells = typeof spec.support === 'string' ? supports[spec.support] : spec.support;
  const keep = (i: number, j: number) => cells.some(([a, b]) => a === i && b === j);
  for (const name of spec.segments ?? convSegments(space)) {
    const s = space.segment(name);
    // row-major [..., 3, 3]: entry k sits at kernel row ⌊k/3⌋ mod 3, column k mod 3
    for (let k = 0; k < s.size; k++) m[s.offset + k] = keep(Math.floor(k / 3) % 3, k % 3) ? 1 : 0;
  }
  return m;
}

/**
 * Eigen-decomposition of a symmetric n×n matrix (row-major) by cyclic Jacobi rotations: eigenvalues and the
 * eigenvectors as rows. Sweeps until the off-diagonal mass is below eps² of the total (quadratic convergence).
 */
export function jacobiEigen(a: Float64Array, n: number): { values: Float64Array; vectors: Float64Array[] } {
  const m = Float64Array.from(a);
  const v = new Float64Array(n * n);
  for (let i = 0; i < n; i++) v[i * n + i] = 1;
  const total = m.reduce((s, x) => s + x * x, 0);
  for (let sweep = 0; sweep < 100; sweep++) {
    let off = 0;
    for (let p = 0; p < n; p++) for (let q = p + 1; q < n; q++) off += 2 * m[p * n + q] ** 2;
    if (off <= EPS * EPS * total) break;
    for (let p = 0; p < n; p++) {
      for (let q = p + 1; q < n; q++) {
        const apq = m[p * n + q];
        if (apq === 0) continue;
        const theta = (m[q * n + q] - m[p * n + p]) / (2 * apq);
        const t = Math.sign(theta || 1) / (Math.abs(theta) + Math.sqrt(theta * theta + 1));
        const c = 1 / Math.sqrt(t * t + 1), s = t * c;
        for (let k = 0; k < n; k++) { // columns p, q
          const x = m[k * n + p], y = m[k * n + q];
          m[k * n + p] = c * x - s * y;
          m[k * n + q] = s * x + c * y;
        }
        for (let k = 0; k < n; k++) { // rows p, q
          const x = m[p * n + k], y = m[q * n + k];
          m[p * n + k] = c * x - s * y;
          m[q * n + k] = s * x + c * y;
        }
        for (let k = 0; k < n; k++) {
          const x = v[k * n + p], y = v[k * n + q];
          v[k * n + p] = c * x - s * y;
          v[k * n + q] = s * x + c * y;
        }
      }
    }
  }
  const values = Float64Array.from({ length: n }, (_, i) => m[i * n + i]);
  const vectors = Array.from({ length: n }, (_, j) => Float64Array.from({ length: n }, (_, k) => v[k * n + j]));
  return { values, vectors };
}

/** The oracle of a Case's projectors, from its parameter space (ρ̄) and its admissible spec. */
export function projectionOracle(space: ParamSpace, spec: AdmissibleSpec): ProjectionOracle {
  const rep = space.action, d = space.dim, order = rep.group.order;
  const piG = (x: Float64Array): Float64Array => {
    const out = new Float64Array(d), t = new Float64Array(d);
    for (let g = 0; g < order; g++) {
      rep.apply(g, x, t);
      for (let i = 0; i < d; i++) out[i] += t[i];
    }
    return out.map((y) => y / order);
  };
  const mask = admissibleMask(space, spec);
  const span = mask ? null : gramSchmidt((spec as AdmissibleSpec & { kind: 'basis' }).vectors);
  const Q = span?.rows ?? Array.from(mask?.keys() ?? []).filter((j) => mask?.[j]).map((j) => Float64Array.from({ length: d }, (_, i) => (i === j ? 1 : 0)));
  const piL = (x: Float64Array): Float64Array | null => (span?.ambiguous ? null : mask ? x.map((y, i) => (mask[i] ? y : 0)) : projectRows(Q, x));
  // W_j = (I − Π_G) q_j; M = WᵀW = Qᵀ(I − Π_G)Q since I − Π_G is an orthogonal projection
  const k = Q.length;
  const W = Q.map((q) => {
    const g = piG(q);
    return q.map((y, i) => y - g[i]);
  });
  const M = new Float64Array(k * k);
  for (let i = 0; i < k; i++) for (let j = i; j < k; j++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += W[i][t] * W[j][t];
    M[i * k + j] = M[j * k + i] = s;
  }
  const { values, vectors } = jacobiEigen(M, k);
  // an eigenvalue of M is sin² ∈ [0, 1]; its round-off: the O(|G|·dim) twirl, k·dim products, Jacobi's O(k) rotations
  const zero = roundoff(1, order * d + k * d);
  const nullIdx = Array.from(values.keys()).filter((i) => values[i] <= zero);
  const gap = Math.min(1, ...Array.from(values).filter((x) => x > zero));
  // no clear gap (a nonzero eigenvalue within √zero of 0): E_0's dimension is not decided here
  const decided = gap >= Math.sqrt(zero) && !span?.ambiguous;
  const E = nullIdx.map((i) => {
    const e = new Float64Array(d);
    vectors[i].forEach((c, j) => { for (let t = 0; t < d; t++) e[t] += c * Q[j][t]; });
    return e;
  });
  return { piG, piL, piE: (x) => (decided ? projectRows(E, x) : null), dimE: decided ? E.length : null, gap };
}
