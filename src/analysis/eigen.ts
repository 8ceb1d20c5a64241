import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import { EqflowError, requireFinite } from '../core/errors.js';

/** Eigen-decomposition of a symmetric matrix (ml-matrix EVD); eigenvalues ascending, vectors as rows. */
export function symmetricEigen(m: number[][]): { values: number[]; vectors: Float64Array[] } {
  const n = m.length;
  if (n === 0) return { values: [], vectors: [] };
  m.forEach((row, i) => {
    if (row.length !== n) throw new EqflowError('dimension-mismatch', `matrix[${i}]`, `expected ${n} entries, got ${row.length}`);
    requireFinite(row, `matrix[${i}]`); // ml-matrix's tql2 runs off its arrays on NaN instead of failing
  });
  const evd = new EigenvalueDecomposition(new Matrix(m), { assumeSymmetric: true });
  const vals = evd.realEigenvalues;
  const V = evd.eigenvectorMatrix;
  const order = vals.map((_, i) => i).sort((a, b) => vals[a] - vals[b]);
  return { values: order.map((i) => vals[i]), vectors: order.map((i) => Float64Array.from(V.getColumn(i))) };
}

/** λ_min of a symmetric matrix (+∞ for the empty matrix, so that "λ_min > 0" holds vacuously). */
export function minEigenvalue(m: number[][]): number {
  return m.length === 0 ? Infinity : symmetricEigen(m).values[0];
}
