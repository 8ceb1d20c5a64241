import { CaseSpec } from '../impl/caseSpec.js';
import { SampleElements } from '../impl/implementation.js';
import { caseStructure } from './caseStructure.js';
import { norm } from './util.js';

/**
 * Deciding that part of a claim cannot be resolved at a precision (docs/theory.md §10): the theory predicts the size
 * of the quantity the part must resolve (from the reference's model and data, structure like the group table, never
 * from the numbers under test), and the part's own round-off bound at the precision judged says how much of it the
 * implementation may lose. A measured value is within `noise` of the true one, so a claim that it exceeds `noise`
 * can be made only of a quantity predicted above 2·noise.
 */
export function resolves(predicted: number, noise: number): boolean {
  return predicted > 2 * noise;
}

/** The message of an unresolved part: what it must resolve, predicted, against its round-off bound. */
export function unresolvedPart(what: string, predicted: number, noise: number): string {
  return `${what} ≈ ${predicted.toExponential(2)} predicted, not above 2× its round-off bound ${noise.toExponential(2)} at this precision`;
}

/**
 * ‖Π_{E⊥}v‖ for the velocity v = Π_L∇R(A) (K∇R for a matrix parametrization) of the reference's structure: of the
 * nominal risk, or of the sampled augmented risk with sample s transformed by `elements[s]` — the speed at which
 * the nominal flow (Remark R1) or a sampled step (Remark R4) leaves E.
 */
export function predictedPerpSpeed(spec: CaseSpec, A: Float64Array, risk: 'nominal' | SampleElements): number {
  const b = caseStructure(spec);
  const g = new Float64Array(A.length);
  if (risk === 'nominal') b.R.gradient(A, g);
  else b.sampledGradient(A, risk, g);
  const v = new Float64Array(A.length);
  if (b.K) b.K(g, v);
  else b.P.piL(g, v);
  return norm(b.P.piEperp(v));
}
