import { compactGroupClaims } from './compactGroups.js';
import { conformanceClaims } from './conformance.js';
import { dynamicsClaims } from './dynamics.js';
import { RegisteredClaim } from './engine.js';
import { largeCaseClaims } from './largeCases.js';
import { largeGroupClaims } from './largeGroups.js';
import { lemmaClaims } from './lemmas.js';
import { quadratureClaims } from './haarQuadrature.js';
import { remarkClaims } from './remarks.js';
import { theorem1Claims } from './theorem1.js';
import { theorem2Claims } from './theorem2.js';
import { theorem3Claims } from './theorem3.js';

/** Every claim eqflow verifies, in the order of docs/theory.md. */
export const allClaims: readonly RegisteredClaim[] = [
  ...conformanceClaims, ...dynamicsClaims, ...lemmaClaims, ...theorem1Claims, ...theorem2Claims, ...theorem3Claims, ...remarkClaims,
  ...largeGroupClaims, ...compactGroupClaims, ...largeCaseClaims, ...quadratureClaims,
];

/** The claim with this id, or undefined. */
export function claimById(id: string): RegisteredClaim | undefined {
  return allClaims.find((c) => c.id === id);
}

export type { RegisteredClaim };
export { runClaim, register } from './engine.js';
export type { ClaimResult, Measurement, RunOptions, Verdict } from './engine.js';
