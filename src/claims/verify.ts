import { join } from 'node:path';
import { EqflowError } from '../core/errors.js';
import { haltIfInterrupted, isInterrupted } from '../core/shutdown.js';
import { Precision } from '../core/precision.js';
import { Implementation, precisionOf, withPrecision } from '../impl/implementation.js';
import { writeJsonAtomic } from '../report/atomic.js';
import type { ClaimResult, RegisteredClaim } from './engine.js';
import { checkKind } from './engine.js';
import { allClaims, claimById } from './registry.js';
import type { ResolutionTable } from './resolution.js';
import { RESOLUTION } from './resolutionTable.js';

export const VERIFICATION_VERSION = 1;

/** A claim's result with its negative control (run on inputs outside its hypotheses, which must fail). */
export interface ClaimReport extends ClaimResult {
  /**
   * 'fails as predicted' when the check rejected the negative inputs, 'did not fail' when it accepted them, 'not
   * testable' when the implementation refused every negative case, 'error' when it did not answer them properly;
   * 'not resolvable' when every negative case was below the check's round-off bound at the precision judged;
   * 'by mutants' for conformance claims.
   */
  negativeControl: { description: string; verdict: NegativeControlVerdict; worstRatio?: number };
  /** where a failing case (a counterexample, or the input the implementation failed on) was saved (replay with `eqflow replay FILE`) */
  counterexampleFile?: string;
}

/** What became of a claim's negative control (see ClaimReport.negativeControl). */
export type NegativeControlVerdict = 'fails as predicted' | 'did not fail' | 'not testable' | 'not resolvable' | 'error' | 'by mutants' | 'not run';

/** What `eqflow verify` writes: deterministic for a seed except `generatedAt` and `durationMs`. */
export interface VerificationReport {
  version: number;
  implementation: string;
  /** the precision the implementation was judged at (announced, or --precision), which set every tolerance */
  precision: Precision;
  /**
   * what a 'holds' means at that precision: the committed table of the smallest planted defect each claim
   * detects (`npm run resolution`; absent when none was measured for the precision)
   */
  resolution?: ResolutionTable;
  seed: number;
  runs: number | 'default';
  claims: ClaimReport[];
  /** notResolvable: claims with no case resolved at the precision judged (counted apart from holds and violated) */
  summary: { holds: number; violated: number; errors: number; notTested: number; notResolvable: number; interrupted: number; controlsFailing: number };
  /** set in a partial report: the signal that stopped the run (`eqflow verify --resume` continues it) */
  interruptedBy?: string;
  generatedAt: string;
  durationMs: number;
}

/**
 * Exit codes of `eqflow verify` (README, Guarantees): 0 every claim holds, is not tested or is not resolvable; 1 a claim is violated or
 * a negative control did not fail (a counterexample outranks an implementation error); 3 no violation, but the
 * implementation did not answer properly on some claim. (2 is bad usage, 4 an internal error, 128 + n a signal.)
 */
export function verifyExitCode(r: VerificationReport): 0 | 1 | 3 {
  if (r.summary.violated > 0 || r.summary.controlsFailing > 0) return 1;
  return r.summary.errors > 0 ? 3 : 0;
}

/** The key of one run of a claim (or of its negative control) in a results map. */
export const jobKey = (claim: string, negative: boolean): string => `${claim}${negative ? ':negative' : ''}`;

export interface VerifyOptions {
  seed: number;
  /** cases per claim; undefined = each claim's default */
  runs?: number;
  claims: readonly RegisteredClaim[];
  controls: boolean;
  /** where counterexamples are saved (`DIR/counterexamples/CLAIM-SEED.json`); undefined: not saved */
  outDir?: string;
  onClaim?: (done: number, total: number, id: string) => void;
  /** > 1: claims run in that many worker threads, each loading `implSpec` itself (same results) */
  workers?: number;
  implSpec?: string;
  timeoutMs?: number;
  /** consecutive process failures before an external implementation is no longer restarted (workers only; default 3) */
  maxFailures?: number;
  /**
   * Results by jobKey, owned by the caller: entries already present are kept and not run again (`--resume`), and
   * each run is added as soon as it finishes, so an interrupt can save the finished ones (partialReport).
   */
  results?: Map<string, ClaimResult>;
  /** judge at this precision instead of the one the implementation announces (`--precision`) */
  precision?: Precision;
  /** run only these jobs (by jobKey; a shard of the run, `--shard`), the others are left out of the results */
  only?: ReadonlySet<string>;
  /** each run as soon as it finished (a shard saves it) */
  onResult?: (key: string, result: ClaimResult) => void;
}

/** `impl` at the precision `--precision` names, else at the one it announces. */
export function judged(impl: Implementation, precision: Precision | undefined): Implementation {
  return precision ? withPrecision(impl, precision) : impl;
}

/** The runs of a verify: each claim, and its negative control when controls are on and it has negative inputs. */
export function jobsOf(opts: Pick<VerifyOptions, 'claims' | 'controls'>): Array<{ claim: string; negative: boolean }> {
  return opts.claims.flatMap((c) => [
    { claim: c.id, negative: false },
    ...(opts.controls && c.hasNegativeInputs ? [{ claim: c.id, negative: true }] : []),
  ]);
}

/** Every claim run (and negative-control run) of a verify not already in opts.results, added to it as they finish. */
async function runAll(impl: Implementation, opts: VerifyOptions): Promise<Map<string, ClaimResult>> {
  const out = opts.results ?? new Map<string, ClaimResult>();
  const all = jobsOf(opts);
  const jobs = all.filter((j) => !out.has(jobKey(j.claim, j.negative)) && (!opts.only || opts.only.has(jobKey(j.claim, j.negative))));
  const key = (j: { claim: string; negative: boolean }) => jobKey(j.claim, j.negative);
  if ((opts.workers ?? 1) <= 1) {
    for (const j of jobs) {
      opts.onClaim?.(out.size, all.length, key(j));
      const claim = opts.claims.find((c) => c.id === j.claim) as RegisteredClaim;
      const r = await claim.run(judged(impl, opts.precision), { seed: opts.seed, runs: j.negative ? undefined : opts.runs, negative: j.negative });
      // a run that ended because a signal killed the implementation is no result: the partial report is being saved
      await haltIfInterrupted();
      out.set(key(j), r);
      opts.onResult?.(key(j), r);
    }
    return out;
  }
  const { runPool } = await import('../core/pool.js');
  let done = 0;
  await runPool<object, ClaimResult>({
    url: new URL(import.meta.url.endsWith('.ts') ? './verifyWorker.ts' : './verifyWorker.js', import.meta.url),
    jobs: jobs.map((j) => ({ ...j, seed: opts.seed, runs: opts.runs, impl: opts.implSpec, timeoutMs: opts.timeoutMs ?? 10_000, maxFailures: opts.maxFailures, precision: opts.precision })),
    workers: opts.workers ?? 1,
    decode: (v, i) => {
      const r = v as ClaimResult; // produced by claim.run in the worker: the same type, cloned
      if (!isInterrupted()) {
        out.set(key(jobs[i]), r);
        opts.onResult?.(key(jobs[i]), r);
      }
      opts.onClaim?.(++done, jobs.length, key(jobs[i]));
      return r;
    },
  });
  await haltIfInterrupted();
  return out;
}

/** A negative-control run's verdict as the report states it: the check must fail (be violated) outside its hypotheses. */
const controlVerdict: Record<ClaimResult['verdict'], NegativeControlVerdict> = {
  violated: 'fails as predicted', 'not tested': 'not testable', 'not resolvable': 'not resolvable', holds: 'did not fail', error: 'error', interrupted: 'not run',
};

/**
 * The report of `results` (by jobKey): a claim whose runs are not all there is 'interrupted' (a partial report,
 * `interruptedBy` the signal). Saves each counterexample for `eqflow replay`.
 */
export async function buildReport(impl: Implementation, opts: VerifyOptions, results: ReadonlyMap<string, ClaimResult>, t0: number, interruptedBy?: string): Promise<VerificationReport> {
  return reportOf({ implementation: impl.name, precision: precisionOf(judged(impl, opts.precision)) }, opts, results, t0, interruptedBy);
}

/** buildReport for an implementation known by its name and judged precision only (merged shards). */
export async function reportOf(judgedAs: { implementation: string; precision: Precision }, opts: VerifyOptions, results: ReadonlyMap<string, ClaimResult>, t0: number, interruptedBy?: string): Promise<VerificationReport> {
  const { implementation, precision } = judgedAs;
  const claims: ClaimReport[] = [];
  const finished = new Set(opts.claims.filter((c) => jobsOf({ claims: [c], controls: opts.controls }).every((j) => results.has(jobKey(j.claim, j.negative)))).map((c) => c.id));
  for (const claim of opts.claims) {
    let negativeControl: ClaimReport['negativeControl'] = { description: claim.negativeDescription, verdict: claim.hasNegativeInputs ? 'not run' : 'by mutants' };
    const r = results.get(jobKey(claim.id, false));
    if (!r || !finished.has(claim.id)) {
      claims.push({ id: claim.id, title: claim.title, source: claim.source, ...checkKind(claim.statistical, claim.quadrature), verdict: 'interrupted', cases: 0, skipped: 0, worstRatio: 0, seed: opts.seed, message: 'not finished when the run was interrupted (eqflow verify --resume runs it)', negativeControl });
      continue;
    }
    const n = results.get(jobKey(claim.id, true));
    if (n && r.verdict !== 'not tested') negativeControl = { description: claim.negativeDescription, verdict: controlVerdict[n.verdict], worstRatio: n.worstRatio };
    const report: ClaimReport = { ...r, negativeControl };
    // an error's input is saved too: `eqflow replay` shows the implementation failing on it again
    if ((r.verdict === 'violated' || r.verdict === 'error') && opts.outDir !== undefined && r.counterexample !== undefined) {
      const file = join(opts.outDir, 'counterexamples', `${claim.id}-${opts.seed}.json`);
      // the precision judged at: it set every tolerance, so `eqflow replay` restores it
      await writeJsonAtomic(file, { claim: claim.id, implementation, precision, seed: r.seed, path: r.path, input: r.counterexample, message: r.message });
      report.counterexampleFile = file;
    }
    claims.push(report);
  }
  const count = (v: string) => claims.filter((c) => c.verdict === v).length;
  return {
    version: VERIFICATION_VERSION,
    implementation,
    precision,
    ...(RESOLUTION[precision] ? { resolution: RESOLUTION[precision] } : {}),
    seed: opts.seed,
    runs: opts.runs ?? 'default',
    claims,
    summary: {
      holds: count('holds'), violated: count('violated'), errors: count('error'), notTested: count('not tested'), notResolvable: count('not resolvable'), interrupted: count('interrupted'),
      controlsFailing: claims.filter((c) => c.negativeControl.verdict === 'did not fail').length,
    },
    ...(interruptedBy !== undefined && { interruptedBy }),
    generatedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
  };
}

/** Runs every claim (and its negative control) against `impl`; saves each counterexample for `eqflow replay`. */
export async function runVerify(impl: Implementation, opts: VerifyOptions): Promise<VerificationReport> {
  const t0 = Date.now();
  const results = await runAll(impl, opts);
  return buildReport(impl, opts, results, t0);
}

/** The default seed of `verify`, so that the same call writes the same report every time. */
export const DEFAULT_SEED = 2025;

/** Options of {@link verify}; every field may be omitted. */
export interface VerifyRequest {
  /** fast-check seed (default 2025) */
  seed?: number;
  /** generated cases per claim (default: each claim's own count) */
  runs?: number;
  /** claim ids to run (default: all, in the order of docs/theory.md) */
  only?: readonly string[];
  /** run the negative controls too (default true) */
  controls?: boolean;
  /** save counterexamples under this folder (default: not saved) */
  outDir?: string;
  onClaim?: (done: number, total: number, id: string) => void;
  /** judge at this precision instead of the one the implementation announces (default: announced, else float64) */
  precision?: Precision;
}

/** The claims named by `only` (all when undefined), or an EqflowError naming the unknown id. */
export function selectClaims(only: readonly string[] | undefined, field = 'only'): readonly RegisteredClaim[] {
  if (!only) return allClaims;
  return only.map((id) => {
    const c = claimById(id.trim());
    if (!c) throw new EqflowError('invalid-argument', field, `unknown claim '${id}' (known: ${allClaims.map((x) => x.id).join(', ')})`);
    return c;
  });
}

/**
 * Runs the theorem suite against `implementation` and returns the report `eqflow verify` prints: every claim (or
 * those of `only`) with its verdict, worst error/tolerance, cases, seed, and its negative control.
 */
export async function verify(implementation: Implementation, options: VerifyRequest = {}): Promise<VerificationReport> {
  return runVerify(implementation, {
    seed: options.seed ?? DEFAULT_SEED,
    runs: options.runs,
    claims: selectClaims(options.only),
    controls: options.controls ?? true,
    outDir: options.outDir,
    onClaim: options.onClaim,
    precision: options.precision,
  });
}
