import { EqflowError } from '../core/errors.js';
import { augmentedRiskDegree } from '../risk/haarRisk.js';
import { CaseSpec, RepSpec } from './caseSpec.js';

/** The highest frequency of a representation of SO(2)/O(2) in a Case; refuses representations that are not band-limited. */
export function repDegree(spec: RepSpec, field: string): number {
  switch (spec.kind) {
    case 'trivial': return 0;
    case 'band-limited': return Math.max(...spec.frequencies);
    case 'circle': return spec.K;
    case 'sum': return Math.max(...spec.parts.map((p, i) => repDegree(p, `${field}.parts[${i}]`)));
    case 'tensor': return repDegree(spec.a, `${field}.a`) + repDegree(spec.b, `${field}.b`);
    default: throw new EqflowError('unsupported', field, `SO2/O2 act by band-limited representations (trivial, band-limited, circle, sum, tensor), got '${spec.kind}'`);
  }
}

/**
 * For an SO(2)/O(2) Case, the degree its N-point rule must exceed and why. Π_G averages ρ̄(g) on a layer
 * Hom(X_i, X_{i+1}), of degree K_i + K_{i+1}; R^aug of an identity/square network with the squared loss has the
 * degree of augmentedRiskDegree. Other activations make R^aug a quadrature of the N-point rule (not SO(2)'s exact
 * average), which is what the Case then specifies (the claim `haar-quadrature` compares rules of N and 2N angles
 * against SO(2)'s invariance); null for groups that are not SO2/O2.
 */
export function requiredRuleDegree(spec: CaseSpec): { degree: number; exactRisk: boolean } | null {
  if (spec.group.kind !== 'SO2' && spec.group.kind !== 'O2') return null;
  if (spec.model.kind !== 'mlp') throw new EqflowError('unsupported', 'case.model', 'SO2/O2 cases use dense networks (mlp)');
  const m = spec.model;
  const reps = [m.input, ...m.hidden, m.output];
  const degs = reps.map((r, i) => repDegree(r, i === 0 ? 'case.model.input' : i === reps.length - 1 ? 'case.model.output' : `case.model.hidden[${i - 1}]`));
  let degree = 0;
  for (let i = 0; i + 1 < degs.length; i++) degree = Math.max(degree, degs[i] + degs[i + 1]);
  const acts = [...m.hidden.map(() => m.activation), m.outputActivation];
  const risk = augmentedRiskDegree(acts, degs[0], degs[degs.length - 1], spec.loss);
  return { degree: Math.max(degree, risk ?? 0), exactRisk: risk !== null };
}

/** Refuses an SO(2)/O(2) Case whose rule has too few angles to make Π_G (and R^aug, for polynomial networks) exact. */
export function checkPlanarRule(spec: CaseSpec): void {
  const g = spec.group;
  const req = requiredRuleDegree(spec);
  if (req === null || (g.kind !== 'SO2' && g.kind !== 'O2')) return;
  const N = g.points;
  if (N <= req.degree) {
    throw new EqflowError('invalid-argument', 'case.group.points', `${N} angles average exactly only up to degree ${N - 1}, but this case needs degree ${req.degree}${req.exactRisk ? ' (Π_G and R^aug)' : ' (Π_G)'}: use points ≥ ${req.degree + 1}`);
  }
}
