/**
 * The representation laws of docs/theory.md §1 (A1) as reusable checks: ρ(e) = I, ρ(gh) = ρ(g)ρ(h), ρ(g)ᵀρ(g) = I.
 * Matrix-level checks for feature representations (dim ≲ 40), vector-level (randomized) checks for the induced
 * action ρ̄ on parameter spaces (dim ≲ 200, where |G|²·dim³ matrix products would be too slow).
 */
import { Representation } from '../../src/reps/representation.js';
import { homomorphismPairs } from '../../src/arbitraries/reps.js';
import { dotRef, matMul, maxDiff, roundoff, transpose, identity, diffNorm, vecTol } from './numeric.js';
import { norm } from '../../src/core/kernels.js';

/**
 * Matrix-level laws. Entries of orthogonal matrices are ≤ 1 in size and each product entry sums `dim` terms, so
 * roundoff(1, dim) bounds every entry's error.
 */
export function checkRepLawsDense(rep: Representation): void {
  const G = rep.group, d = rep.dim;
  const tol = roundoff(1, d);
  const M = G.elements().map((g) => rep.matrix(g));
  const I = identity(d);
  const e = maxDiff(M[G.identity], I);
  if (e > tol) throw new Error(`${rep.name}: ρ(e) ≠ I (max error ${e}, tol ${tol})`);
  for (let g = 0; g < G.order; g++) {
    const o = maxDiff(matMul(transpose(M[g], d), M[g], d), I);
    if (o > tol) throw new Error(`${rep.name}: ρ(${G.labels[g]})ᵀρ(${G.labels[g]}) ≠ I (max error ${o}, tol ${tol})`);
  }
  for (const [g, h] of homomorphismPairs(G)) {
    const err = maxDiff(matMul(M[g], M[h], d), M[G.mul(g, h)]);
    if (err > tol) throw new Error(`${rep.name}: ρ(${G.labels[g]})ρ(${G.labels[h]}) ≠ ρ(${G.labels[G.mul(g, h)]}) (max error ${err}, tol ${tol})`);
  }
}

/**
 * Vector-level laws on generic vectors x, y (a linear identity that holds on a generic vector holds with
 * probability 1): ρ(e)x = x, ρ(g)ρ(h)x = ρ(gh)x, ⟨ρ(g)x, ρ(g)y⟩ = ⟨x, y⟩ (orthogonality by polarization).
 * `ops` = work per entry of one application (|G|-independent); errors are relative to ‖x‖, ‖y‖.
 */
export function checkRepLawsOnVectors(rep: Representation, x: Float64Array, y: Float64Array, ops = rep.dim): void {
  const G = rep.group, d = rep.dim;
  const nx = norm(x), ny = norm(y);
  const a = new Float64Array(d), b = new Float64Array(d), c = new Float64Array(d), gy = new Float64Array(d);
  // one application: each entry a sum of ≤ ops products of unit-size matrix entries with entries of x
  const tol1 = vecTol(nx, ops, d);
  rep.apply(G.identity, x, a);
  const ee = diffNorm(a, x);
  if (ee > tol1) throw new Error(`${rep.name}: ρ(e)x ≠ x (error ${ee}, tol ${tol1})`);
  for (let g = 0; g < G.order; g++) {
    rep.apply(g, x, a);
    rep.apply(g, y, gy);
    // ⟨ρx, ρy⟩ vs ⟨x, y⟩: a dim-term dot product of vectors with relative error tol1/‖x‖
    const ip = Math.abs(dotRef(a, gy) - dotRef(x, y));
    const tolIp = 3 * roundoff(nx * ny, ops + d);
    if (ip > tolIp) throw new Error(`${rep.name}: ⟨ρ(${G.labels[g]})x, ρ(${G.labels[g]})y⟩ ≠ ⟨x, y⟩ (error ${ip}, tol ${tolIp})`);
    const nn = Math.abs(norm(a) - nx);
    if (nn > tol1) throw new Error(`${rep.name}: ‖ρ(${G.labels[g]})x‖ ≠ ‖x‖ (error ${nn}, tol ${tol1})`);
  }
  // two applications on one side, one on the other
  const tol2 = 2 * tol1;
  for (const [g, h] of homomorphismPairs(G)) {
    rep.apply(h, x, a);
    rep.apply(g, a, b);
    rep.apply(G.mul(g, h), x, c);
    const err = diffNorm(b, c);
    if (err > tol2) throw new Error(`${rep.name}: ρ(${G.labels[g]})ρ(${G.labels[h]})x ≠ ρ(${G.labels[G.mul(g, h)]})x (error ${err}, tol ${tol2})`);
  }
}
