/**
 * How many of eqflow's planted mutants the theorem suite still catches when the implementation computes in a
 * narrower precision: each mutant's answers are rounded to the precision (roundedImplementation) and it is
 * judged at that precision. Writes reports/mutants-by-precision.json. Run: `npm run mutants:precision`.
 */
import { join } from 'node:path';
import { allClaims } from '../../src/claims/registry.js';
import { PRECISIONS, parsePrecision } from '../../src/core/precision.js';
import { roundedImplementation } from '../../src/impl/rounded.js';
import { writeJsonAtomic } from '../../src/report/atomic.js';
import { dynamicsMutants, mutants } from './mutants.js';

const seed = 2025;
const runs = Number(process.env.EQFLOW_RUNS ?? '20'); // cases per claim: each mutant runs until a claim catches it
const precisions = (process.env.EQFLOW_PRECISIONS?.split(',') ?? [...PRECISIONS]).map((p) => parsePrecision(p.trim(), 'EQFLOW_PRECISIONS'));

const planted = [...mutants, ...dynamicsMutants];
const out: Record<string, { caught: number; total: number; mutants: Record<string, string | null> }> = {};
for (const p of precisions) {
  const byMutant: Record<string, string | null> = {};
  for (const m of planted) {
    const impl = roundedImplementation(m.impl, p);
    let caughtBy: string | null = null;
    for (const claim of allClaims) {
      if ((await claim.run(impl, { seed, runs })).verdict === 'violated') {
        caughtBy = claim.id;
        break;
      }
    }
    byMutant[m.id] = caughtBy;
    process.stdout.write(`${p} ${m.id}: ${caughtBy ?? 'NOT CAUGHT'}\n`);
  }
  out[p] = { caught: Object.values(byMutant).filter((c) => c !== null).length, total: planted.length, mutants: byMutant };
  process.stdout.write(`${p}: ${out[p].caught}/${planted.length} mutants caught\n`);
}
await writeJsonAtomic(join('reports', 'mutants-by-precision.json'), { seed, runs, precisions: out });
