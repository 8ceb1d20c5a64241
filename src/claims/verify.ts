import { join } from 'node:path';
import { EqflowError } from '../core/errors.js';
import { Precision } from '../core/precision.js';
import { Implementation, precisionOf, withPrecision } from '../impl/implementation.js';
import { writeJsonAtomic } from '../report/atomic.js';
import type { ClaimResult, RegisteredClaim } from './engine.js';
import { allClaims, claimById } from './registry.js';
import type { ResolutionTable } from './resolution.js';
import { RESOLUTION } from './resolutionTable.js';

export const VERIFICATION_VERSION = 1;

/** A claim's result with its negative control (run on inputs outside its hypotheses, which must fail). */
export interface ClaimReport extends ClaimResult {
  /**
   * 'fails as predicted' when the check rejected the negative inputs, 'did not fail' when it accepted them, 'not
   * testable' when the implementation refused every negative case; 'by mutants' for conformance claims.
   */
  negativeControl: { description: string; verdict: 'fails as predicted' | 'did not fail' | 'not testable' | 'by mutants' | 'not run'; worstRatio?: number };
  /** where a failing case was saved (replay with `eqflow replay FILE`) */
  counterexampleFile?: string;
}

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
  summary: { holds: number; violated: number; notTested: number; controlsFailing: number };
  generatedAt: string;
  durationMs: number;
}

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
  /** judge at this precision instead of the one the implementation announces (`--precision`) */
  precision?: Precision;
}

/** `impl` at the precision `--precision` names, else at the one it announces. */
export function judged(impl: Implementation, precision: Precision | undefined): Implementation {
  return precision ? withPrecision(impl, precision) : impl;
}

/** Every claim run (and negative-control run) of a verify, in report order. */
async function runAll(impl: Implementation, opts: VerifyOptions): Promise<Map<string, ClaimResult>> {
  const jobs = opts.claims.flatMap((c) => [
    { claim: c.id, negative: false },
    ...(opts.controls && c.hasNegativeInputs ? [{ claim: c.id, negative: true }] : []),
  ]);
  const key = (j: { claim: string; negative: boolean }) => `${j.claim}${j.negative ? ':negative' : ''}`;
  const out = new Map<string, ClaimResult>();
  if ((opts.workers ?? 1) <= 1) {
    for (const [k, j] of jobs.entries()) {
      opts.onClaim?.(k, jobs.length, key(j));
      const claim = opts.claims.find((c) => c.id === j.claim) as RegisteredClaim;
      out.set(key(j), await claim.run(judged(impl, opts.precision), { seed: opts.seed, runs: j.negative ? undefined : opts.runs, negative: j.negative }));
    }
    return out;
  }
  const { runPool } = await import('../core/pool.js');
  let done = 0;
  const results = await runPool<object, ClaimResult>({
    url: new URL(import.meta.url.endsWith('.ts') ? './verifyWorker.ts' : './verifyWorker.js', import.meta.url),
    jobs: jobs.map((j) => ({ ...j, seed: opts.seed, runs: opts.runs, impl: opts.implSpec, timeoutMs: opts.timeoutMs ?? 10_000, precision: opts.precision })),
    workers: opts.workers ?? 1,
    decode: (v, i) => {
      opts.onClaim?.(++done, jobs.length, key(jobs[i]));
      return v as ClaimResult; // produced by claim.run in the worker: the same type, cloned
    },
  });
  results.forEach((r, i) => out.set(key(jobs[i]), r));
  return out;
}

/** Runs every claim (and its negative control) against `impl`; saves each counterexample for `eqflow replay`. */
export async function runVerify(impl: Implementation, opts: VerifyOptions): Promise<VerificationReport> {
  const t0 = Date.now();
  const claims: ClaimReport[] = [];
  const results = await runAll(impl, opts);
  for (const claim of opts.claims) {
    const r = results.get(claim.id) as ClaimResult;
    let negativeControl: ClaimReport['negativeControl'] = { description: claim.negativeDescription, verdict: claim.hasNegativeInputs ? 'not run' : 'by mutants' };
    const n = results.get(`${claim.id}:negative`);
    if (n && r.verdict !== 'not tested') {
      const verdict = n.verdict === 'violated' ? 'fails as predicted' : n.verdict === 'not tested' ? 'not testable' : 'did not fail';
      negativeControl = { description: claim.negativeDescription, verdict, worstRatio: n.worstRatio };
    }
    const report: ClaimReport = { ...r, negativeControl };
    if (r.verdict === 'violated' && opts.outDir !== undefined) {
      const file = join(opts.outDir, 'counterexamples', `${claim.id}-${opts.seed}.json`);
      await writeJsonAtomic(file, { claim: claim.id, implementation: impl.name, seed: r.seed, path: r.path, input: r.counterexample, message: r.message });
      report.counterexampleFile = file;
    }
    claims.push(report);
  }
  const count = (v: string) => claims.filter((c) => c.verdict === v).length;
  return {
    version: VERIFICATION_VERSION,
    implementation: impl.name,
    precision: precisionOf(judged(impl, opts.precision)),
    ...(RESOLUTION[precisionOf(judged(impl, opts.precision))] ? { resolution: RESOLUTION[precisionOf(judged(impl, opts.precision))] } : {}),
    seed: opts.seed,
    runs: opts.runs ?? 'default',
    claims,
    summary: { holds: count('holds'), violated: count('violated'), notTested: count('not tested'), controlsFailing: claims.filter((c) => c.negativeControl.verdict === 'did not fail').length },
    generatedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
  };
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
