import { Precision, roundArray, roundToStorage } from '../core/precision.js';
import { CaseSession, Implementation } from './implementation.js';

/**
 * `impl` seen through a narrower storage: every vector it is given is rounded to the storage of `p` on arrival
 * and every number it answers is rounded on the way out, and it announces precision `p` — the best any
 * implementation storing `p` can do, so it must hold every claim at `p` (docs/theory.md §10).
 */
export function roundedImplementation(impl: Implementation, p: Precision): Implementation {
  const r = (a: Float64Array) => roundArray(p, a);
  return {
    name: `${impl.name} (answers rounded to ${p})`,
    capabilities: impl.capabilities,
    precision: p,
    close: () => impl.close(),
    async open(spec) {
      const s = await impl.open(spec);
      const session: CaseSession = {
        dim: s.dim,
        act: async (g, A) => r(await s.act(g, r(A))),
        project: async (which, A) => r(await s.project(which, r(A))),
        risk: async (mode, A) => {
          const out = await s.risk(mode, r(A));
          return { value: roundToStorage(p, out.value), gradient: r(out.gradient) };
        },
        step: async (kind, A, eta, gamma) => r(await s.step(kind, r(A), eta, gamma)),
        sampledStep: async (A, eta, gamma, elements) => r(await s.sampledStep(r(A), eta, gamma, elements)),
        flow: async (kind, A, gamma, times, step) => (await s.flow(kind, r(A), gamma, times, step)).map(r),
        close: () => s.close(),
      };
      return session;
    },
  };
}
