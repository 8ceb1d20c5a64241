import { Precision } from '../core/precision.js';
import { DEFECTS, Defect, plantDefect } from '../impl/defects.js';
import { Capability, Implementation } from '../impl/implementation.js';
import { ReferenceImplementation } from '../impl/reference.js';
import { roundedImplementation } from '../impl/rounded.js';
import type { RegisteredClaim } from './engine.js';

/** The capability a defect class lives in: a claim not asking it cannot see the defect. */
const TOUCHES: Record<Defect, Capability> = { action: 'action', projector: 'projectors', gradient: 'risk', 'flow-time': 'flow' };

/** One claim's resolution at one precision: per defect class, the smallest relative size it detects. */
export interface ClaimResolution {
  claim: string;
  /** the verdict on the defect-free reference rounded to the precision (a resolution means something only if 'holds') */
  clean: string;
  /** smallest detected size per defect class; null: not detected up to size 0.1, or the claim does not see that class */
  smallest: Partial<Record<Defect, number | null>>;
}

/** The resolution table of one precision (docs/theory.md §10), as `eqflow resolution` writes it. */
export interface ResolutionTable {
  precision: Precision;
  seed: number;
  runs: number;
  /** bisection steps on log10(size) between 1e-12 and 0.1 */
  steps: number;
  claims: ClaimResolution[];
}

/** Options of {@link measureResolution}. */
export interface ResolutionOptions {
  claims: readonly RegisteredClaim[];
  seed: number;
  /** cases per claim run (small: the bisection runs each claim ~8 times per defect class) */
  runs: number;
  /** bisection steps on log10(size) (each halves the interval of decades) */
  steps: number;
  onProgress?: (what: string) => void;
}

const LOG_MIN = -12; // sizes below 1e-12 are under float64's own round-off for every claim
const LOG_MAX = -1; // a defect of relative size 0.1 is gross; at 1 some classes degenerate (ρ̄ ↦ I is a representation)

/**
 * For each claim and defect class, the smallest relative size ε of the defect (planted in the reference, whose
 * answers are then rounded to `precision`) at which the claim is violated: bisection on log10 ε in [−12, −1],
 * assuming detection is monotone in ε.
 */
export async function measureResolution(precision: Precision, opts: ResolutionOptions): Promise<ResolutionTable> {
  const reference = new ReferenceImplementation();
  const at = (impl: Implementation) => roundedImplementation(impl, precision);
  const detects = async (claim: RegisteredClaim, impl: Implementation) => (await claim.run(impl, { seed: opts.seed, runs: opts.runs })).verdict === 'violated';
  const out: ClaimResolution[] = [];
  for (const claim of opts.claims) {
    opts.onProgress?.(claim.id);
    const clean = (await claim.run(at(reference), { seed: opts.seed, runs: opts.runs })).verdict;
    const smallest: ClaimResolution['smallest'] = {};
    for (const kind of DEFECTS) {
      if (!claim.needs.includes(TOUCHES[kind]) || clean !== 'holds') {
        smallest[kind] = null;
        continue;
      }
      const withDefect = (log: number) => at(plantDefect(reference, kind, 10 ** log));
      if (!(await detects(claim, withDefect(LOG_MAX)))) {
        smallest[kind] = null;
        continue;
      }
      let lo = LOG_MIN, hi = LOG_MAX;
      for (let k = 0; k < opts.steps; k++) {
        const mid = (lo + hi) / 2;
        if (await detects(claim, withDefect(mid))) hi = mid;
        else lo = mid;
      }
      smallest[kind] = Number((10 ** hi).toPrecision(2));
    }
    out.push({ claim: claim.id, clean, smallest });
  }
  return { precision, seed: opts.seed, runs: opts.runs, steps: opts.steps, claims: out };
}

/**
 * `tables` with `t` in place of its precision's table: all of it, or — when `t` measured only some claims with the
 * same seed, runs and steps — just those rows, in the order of `order` (the registry's).
 */
export function mergeResolution(tables: Readonly<Record<string, ResolutionTable>>, t: ResolutionTable, order: readonly string[]): Record<string, ResolutionTable> {
  const old = tables[t.precision];
  const same = old && old.seed === t.seed && old.runs === t.runs && old.steps === t.steps;
  const rows = same ? [...old.claims.filter((c) => !t.claims.some((n) => n.claim === c.claim) && order.includes(c.claim)), ...t.claims] : t.claims;
  rows.sort((a, b) => order.indexOf(a.claim) - order.indexOf(b.claim));
  return { ...tables, [t.precision]: { ...t, claims: rows } };
}
