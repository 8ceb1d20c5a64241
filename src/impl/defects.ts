import { CaseSession, Implementation } from './implementation.js';

/**
 * Defect classes of a given relative size ε, planted in any implementation to measure what a claim can detect
 * (its resolution, docs/theory.md §10): an equivariance break in ρ̄, a bias in Π_E, a missing term in the augmented
 * gradient, a wrong flow time.
 */
export const DEFECTS = ['action', 'projector', 'gradient', 'flow-time'] as const;
/** One of {@link DEFECTS}. */
export type Defect = (typeof DEFECTS)[number];

/** What each defect does, one line (reports and docs/theory.md §10 quote it). */
export const DEFECT_DESCRIPTIONS: Record<Defect, string> = {
  action: 'equivariance break in ρ̄: ρ̄(g) ↦ (1−ε)ρ̄(g) + εI for g ≠ e',
  projector: 'bias in Π_E: Π_E A ↦ Π_E A + εΠ_{E⊥}A',
  gradient: 'missing term in the augmented gradient: ∇R^aug ↦ (1−ε)∇R^aug + ε∇R',
  'flow-time': 'wrong flow time: A(t) ↦ A((1+ε)t)',
};

const blend = (a: number, x: Float64Array, b: number, y: Float64Array) => x.map((v, i) => a * v + b * y[i]);

/** `impl` with the defect `kind` of relative size `size` planted in every session. */
export function plantDefect(impl: Implementation, kind: Defect, size: number): Implementation {
  const plant = (s: CaseSession): CaseSession => {
    const out: CaseSession = {
      dim: s.dim,
      act: (g, A) => s.act(g, A),
      project: (which, A) => s.project(which, A),
      risk: (mode, A) => s.risk(mode, A),
      step: (k, A, eta, gamma) => s.step(k, A, eta, gamma),
      sampledStep: (A, eta, gamma, el) => s.sampledStep(A, eta, gamma, el),
      flow: (k, A, gamma, times, step) => s.flow(k, A, gamma, times, step),
      close: () => s.close(),
    };
    switch (kind) {
      case 'action':
        out.act = async (g, A) => (g === 0 ? s.act(g, A) : blend(1 - size, await s.act(g, A), size, A));
        break;
      case 'projector':
        out.project = async (which, A) => {
          const p = await s.project(which, A);
          return which === 'E' ? blend(1 - size, p, size, A) : p;
        };
        break;
      case 'gradient':
        out.risk = async (mode, A) => {
          const r = await s.risk(mode, A);
          if (mode !== 'augmented') return r;
          const nominal = await s.risk('nominal', A);
          return { value: r.value, gradient: blend(1 - size, r.gradient, size, nominal.gradient) };
        };
        break;
      case 'flow-time':
        out.flow = (k, A, gamma, times, step) => s.flow(k, A, gamma, times.map((t) => (1 + size) * t), step);
        break;
    }
    return out;
  };
  return {
    name: `${impl.name} with a ${kind} defect of size ${size.toExponential(2)}`,
    capabilities: impl.capabilities,
    precision: impl.precision,
    close: () => impl.close(),
    open: async (spec) => plant(await impl.open(spec)),
  };
}
