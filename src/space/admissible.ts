import { EqflowError, requireFinite, requireLength } from '../core/errors.js';
import { orthonormalize } from './linalg.js';
import { ParamSpace } from './paramSpace.js';

/**
 * An admissible set L = A° + L_0 (docs/theory.md §1): what the architecture allows. L_0 is the whole space, the
 * coordinates of a mask (sparsity, kernel support ω), or the span of an orthonormal basis (weight sharing,
 * Toeplitz, any subspace). Π_L is the orthogonal projection onto L_0.
 */
export type Admissible =
  | { readonly kind: 'full'; readonly name: string; readonly space: ParamSpace; readonly dim: number; readonly offset: Float64Array | null }
  | { readonly kind: 'mask'; readonly name: string; readonly space: ParamSpace; readonly dim: number; readonly offset: Float64Array | null; readonly mask: Uint8Array }
  | { readonly kind: 'basis'; readonly name: string; readonly space: ParamSpace; readonly dim: number; readonly offset: Float64Array | null; readonly basis: Float64Array[] };

/** L = H: every layer admissible (Π_L = I). */
export function fullSpace(space: ParamSpace): Admissible {
  return { kind: 'full', name: 'full', space, dim: space.dim, offset: null };
}

/** L_0 = {A : A_j = 0 where mask_j = 0}. */
export function maskSpace(space: ParamSpace, mask: ArrayLike<number | boolean>, name = 'mask'): Admissible {
  if (mask.length !== space.dim) throw new EqflowError('dimension-mismatch', 'mask', `expected length ${space.dim}, got ${mask.length}`);
  const m = Uint8Array.from(mask, (v) => (v ? 1 : 0));
  const dim = m.reduce((a, b) => a + b, 0);
  return { kind: 'mask', name, space, dim, offset: null, mask: m };
}

/** L_0 = span(vectors); orthonormalized, dependent vectors dropped. */
export function basisSpace(space: ParamSpace, vectors: ArrayLike<number>[], name = 'span'): Admissible {
  const vs = vectors.map((v, i) => {
    requireLength(v, space.dim, `basis[${i}]`);
    requireFinite(v, `basis[${i}]`);
    return Float64Array.from(v);
  });
  const basis = orthonormalize(vs);
  return { kind: 'basis', name, space, dim: basis.length, offset: null, basis };
}

/** L = A° + L_0, the affine version of `L` (A° is reduced to its component orthogonal to L_0). */
export function withOffset(L: Admissible, offset: ArrayLike<number>): Admissible {
  requireLength(offset, L.space.dim, 'offset');
  requireFinite(offset, 'offset');
  const a = Float64Array.from(offset);
  const p = new Float64Array(a.length);
  projectL(L, a, p);
  for (let i = 0; i < a.length; i++) a[i] -= p[i];
  return { ...L, offset: a };
}

/** out ← Π_L x, the orthogonal projection onto L_0. `out` may alias `x` except for the basis kind. */
export function projectL(L: Admissible, x: Float64Array, out: Float64Array): Float64Array {
  switch (L.kind) {
    case 'full':
      if (out !== x) out.set(x);
      return out;
    case 'mask':
      for (let i = 0; i < x.length; i++) out[i] = L.mask[i] ? x[i] : 0;
      return out;
    case 'basis': {
      if (out === x) throw new EqflowError('invalid-argument', 'out', 'Π_L onto a basis cannot work in place');
      out.fill(0);
      for (const q of L.basis) {
        let d = 0;
        for (let i = 0; i < x.length; i++) d += q[i] * x[i];
        for (let i = 0; i < x.length; i++) out[i] += d * q[i];
      }
      return out;
    }
  }
}

/** Orthonormal basis vectors of L_0 (unit vectors for a mask); for exact intersections on small cases. */
export function basisOf(L: Admissible): Float64Array[] {
  const n = L.space.dim;
  switch (L.kind) {
    case 'basis':
      return L.basis;
    case 'full':
    case 'mask': {
      const out: Float64Array[] = [];
      for (let j = 0; j < n; j++) {
        if (L.kind === 'mask' && !L.mask[j]) continue;
        const e = new Float64Array(n);
        e[j] = 1;
        out.push(e);
      }
      return out;
    }
  }
}

/** Mask of a segment: keep entries whose within-segment index satisfies `keep`; entries of other segments kept. */
export function segmentMask(space: ParamSpace, keep: Record<string, (index: number[]) => boolean>): Uint8Array {
  const m = new Uint8Array(space.dim).fill(1);
  for (const [name, pred] of Object.entries(keep)) {
    const s = space.segment(name);
    const idx = new Array<number>(s.shape.length).fill(0);
    for (let k = 0; k < s.size; k++) {
      let r = k;
      for (let d = s.shape.length - 1; d >= 0; d--) {
        idx[d] = r % s.shape[d];
        r = Math.floor(r / s.shape[d]);
      }
      m[s.offset + k] = pred(idx) ? 1 : 0;
    }
  }
  return m;
}
