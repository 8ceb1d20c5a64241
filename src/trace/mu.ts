import { dot, norm } from '../core/kernels.js';
import { EPS } from '../core/tolerance.js';
import { Projectors } from '../space/projectors.js';
import { DataProbe, meanSe } from './probe.js';

/** Theorem 3's μ estimated on a data and a snapshot subsample, with its standard error and what it cost. */
export interface MuEstimate {
  /** max(0, the largest negative mean curvature ⟨d, ∇²R^aug d⟩/‖d‖² seen), d = Π_{E⊥}A_k */
  value: number;
  /** standard error of `value` from the spread over the item groups (0 when every item is used) */
  se: number;
  items: { used: number; of: number };
  snapshots: { used: number; of: number };
  /** R^aug gradient evaluations on the subsample (each one pass over m items × |G|) */
  gradients: number;
}

/** Options of estimateMu: the subsample sizes, the points per segment, a progress callback. */
export interface MuOptions {
  /** data items (default 32; all of them when the Case has fewer) */
  items?: number;
  /** groups the items are split into for the standard error (default 8) */
  groups?: number;
  /** points per segment [Π_E A_k, A_k] (default 5: 4 secants) */
  points?: number;
  onProgress?: (done: number, total: number) => void;
}

/**
 * μ over the region swept by the segments [Π_E A_k, A_k] (docs/theory.md §5, Theorem 3): along each segment, the
 * secant curvatures ⟨d, ∇R^aug(B_{p+1}) − ∇R^aug(B_p)⟩/(‖d‖²Δs) between `points` equally spaced B_p; each gradient
 * serves the two secants beside it, and their mean is the quotient q(A_k) of the proof. Gradients are those of the
 * probe's subsample R^aug, group by group: μ̂ is the largest negative group-mean curvature, its standard error the
 * spread of that curvature over the groups. Where ‖d‖ is below the difference step, one central difference at Π_E A.
 */
export function estimateMu(probe: DataProbe, P: Projectors, snapshots: Float64Array[], total: number, opts: MuOptions = {}): MuEstimate {
  const S = Math.max(2, opts.points ?? 5);
  let best = 0, bestSe = 0, gradients = 0;
  snapshots.forEach((A, k) => {
    for (const c of segmentCurvatures(probe, P, A, S, true)) {
      const { mean, se } = meanSe(c, probe.fpc);
      if (-mean > best) { best = -mean; bestSe = se; }
    }
    gradients += S;
    opts.onProgress?.(k + 1, snapshots.length);
  });
  return { value: best, se: bestSe, items: { used: probe.m, of: probe.n }, snapshots: { used: snapshots.length, of: total }, gradients };
}

/**
 * The secant curvatures ⟨d, ∇R(B_{p+1}) − ∇R(B_p)⟩/(‖d‖²Δs), d = Π_{E⊥}A, between `points` equally spaced points B_p
 * of [Π_E A, A], one array per secant holding one value per probe group (R: the subsample's R^aug when `augmented`,
 * else its R). Each gradient serves the two secants beside it; with points = 2 it is the quotient q(A) of Theorem 3's
 * proof. Below the step h = ∛u·max(1, ‖A‖) a secant drowns in round-off (error ∝ u/h): one central difference of
 * step h at Π_E A instead. Empty when A ∈ E exactly.
 */
export function segmentCurvatures(probe: DataProbe, P: Projectors, A: Float64Array, points: number, augmented: boolean): number[][] {
  const dim = P.space.dim;
  const J = probe.groupItems.length;
  const d = P.piEperp(A);
  const dn = norm(d);
  if (dn === 0) return [];
  const base = P.piE(A);
  const h = Math.cbrt(EPS) * Math.max(1, norm(A));
  const steps = dn / (points - 1) >= h ? Array.from({ length: points }, (_, p) => p / (points - 1)) : [-h / dn, h / dn];
  const B = new Float64Array(dim), g = new Float64Array(dim);
  let prev: number[] = [];
  const out: number[][] = [];
  for (let p = 0; p < steps.length; p++) {
    for (let i = 0; i < dim; i++) B[i] = base[i] + steps[p] * d[i];
    const cur = Array.from({ length: J }, (_, j) => dot(d, probe.groupGradient(B, j, augmented, g)));
    if (p > 0) {
      const ds = (steps[p] - steps[p - 1]) * dn * dn;
      out.push(cur.map((c, j) => (c - prev[j]) / ds));
    }
    prev = cur;
  }
  return out;
}
