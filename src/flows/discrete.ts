/**
 * Remark R3 (docs/theory.md §5): gradient descent A ← A + η·v(A) contracts the E⊥ part only when K < γ < 2/η − K
 * (K the Lipschitz constant of the risk gradient); the regularizer step alone multiplies Π_{E⊥}A by 1 − ηγ. With
 * ηγ ≥ 2 that factor has modulus ≥ 1 whatever K is, so the E⊥ part cannot contract: the one-line warning naming η,
 * γ and the bound, or null when ηγ < 2.
 */
export function discreteStabilityWarning(eta: number, gamma: number): string | null {
  if (!(eta * gamma >= 2)) return null;
  return `warning: η·γ = ${+(eta * gamma).toPrecision(4)} ≥ 2 (η = ${eta}, γ = ${gamma}): by Remark R3 the E⊥ part contracts only for γ < 2/η − K ≤ ${+(2 / eta).toPrecision(4)}; with this η it oscillates or diverges (lower η below ${+(2 / gamma).toPrecision(4)})`;
}
