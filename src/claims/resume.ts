import { readFileSync } from 'node:fs';
import { EqflowError } from '../core/errors.js';
import type { Precision } from '../core/precision.js';
import type { ClaimResult, Verdict } from './engine.js';
import type { RegisteredClaim } from './engine.js';
import { checkKind } from './engine.js';
import { type ClaimReport, type NegativeControlVerdict, type VerificationReport, VERIFICATION_VERSION, jobKey } from './verify.js';

/**
 * `eqflow verify --resume`: the finished runs of an earlier (interrupted) report, as the results map runVerify
 * continues from. A claim's result depends only on (claim id, seed, runs, implementation, precision judged at —
 * every tolerance derives from it) — the key checked here —
 * so reusing it gives the report an uninterrupted run would have given, timings aside. Any runner that splits the
 * claims (shards, workers, machines) can merge its reports the same way.
 */

/** What identifies a run of the suite: results are reusable only between runs with the same key. */
export interface RunKey {
  implementation: string;
  seed: number;
  runs: number | 'default';
  /** the precision the implementation is judged at (a report without one was judged at float64) */
  precision: Precision;
}

/** The verdict of a negative-control run, back from what the report states (the inverse of verify.ts's mapping). */
const controlRun: Partial<Record<NegativeControlVerdict, Verdict>> = {
  'fails as predicted': 'violated', 'did not fail': 'holds', 'not testable': 'not tested', 'not resolvable': 'not resolvable', error: 'error',
};

/** Reads a verification report written by `eqflow verify` (null when the file does not exist). */
export function readReport(file: string): VerificationReport | null {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new EqflowError('io', '--resume', `cannot read ${file}: ${(e as Error).message}`);
  }
  let r: unknown;
  try {
    r = JSON.parse(text);
  } catch (e) {
    throw new EqflowError('invalid-argument', '--resume', `${file} is not JSON: ${(e as Error).message}`);
  }
  const v = r as Partial<VerificationReport>;
  if (typeof v !== 'object' || v === null || v.version !== VERIFICATION_VERSION || !Array.isArray(v.claims) || typeof v.seed !== 'number' || typeof v.implementation !== 'string') {
    throw new EqflowError('invalid-argument', '--resume', `${file} is not a verification report of version ${VERIFICATION_VERSION}`);
  }
  return v as VerificationReport;
}

/**
 * The results of `previous` that this run would compute identically: same implementation, seed, runs and precision (else an
 * EqflowError naming the difference), claims finished there (not 'interrupted'), with their negative control run
 * or not exactly as `controls` asks now. The map is keyed by verify.ts's jobKey.
 */
export function resumeResults(previous: VerificationReport, key: RunKey, claims: readonly RegisteredClaim[], controls: boolean): Map<string, ClaimResult> {
  const recorded = { ...previous, precision: previous.precision ?? 'float64' };
  for (const k of ['implementation', 'seed', 'runs', 'precision'] as const) {
    if (recorded[k] !== key[k]) throw new EqflowError('invalid-argument', '--resume', `the report to resume was made with ${k} ${JSON.stringify(recorded[k])}, this run has ${JSON.stringify(key[k])}`);
  }
  const out = new Map<string, ClaimResult>();
  for (const c of claims) {
    const old = previous.claims.find((x) => x.id === c.id);
    if (!old || old.verdict === 'interrupted') continue;
    const wantsControl = controls && c.hasNegativeInputs;
    const ran = controlRun[old.negativeControl.verdict];
    // a 'not tested' claim's control ran but is not reported: its run need not be reused to rebuild the row
    if (wantsControl && !ran && old.verdict !== 'not tested') continue;
    if (!wantsControl && ran) continue;
    const { negativeControl, counterexampleFile: _file, ...result } = old as ClaimReport;
    // how the claim is checked is the claim's, not the old report's (reports before this field have none)
    out.set(jobKey(c.id, false), { ...result, ...checkKind(c.statistical, c.quadrature) });
    if (wantsControl) {
      out.set(jobKey(c.id, true), { id: c.id, title: c.title, source: c.source, ...checkKind(c.statistical, c.quadrature), verdict: ran ?? 'not tested', cases: 0, skipped: 0, worstRatio: negativeControl.worstRatio ?? 0, seed: old.seed });
    }
  }
  return out;
}
