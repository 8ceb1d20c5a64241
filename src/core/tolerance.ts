/**
 * Tolerances in one place, each relative to the scale of the quantities and to machine epsilon, so every
 * check reports error / tolerance and the ratio means the same thing everywhere.
 */
export const EPS = Number.EPSILON; // 2.22e-16, float64 unit round-off ×2

/**
 * Round-off bound for a result assembled from `ops` operations whose terms have magnitude `scale`, in an
 * arithmetic of machine epsilon `eps` = 2u (float64 by default; see core/precision.ts): error grows at most like
 * ops·eps·scale (Higham's γ_n bound); we take a safety factor of 16.
 */
export function roundoff(scale: number, ops: number, eps: number = EPS): number {
  return Math.max(16 * Math.max(1, ops) * eps * scale, Number.MIN_VALUE); // clamp after the product: it underflows for tiny scales
}

/** error / tolerance, the figure every check reports (≤ 1 passes). */
export function ratio(error: number, tolerance: number): number {
  if (error === 0) return 0;
  return error / tolerance;
}
