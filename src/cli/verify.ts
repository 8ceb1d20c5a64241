import { join } from 'node:path';
import { Implementation } from '../impl/implementation.js';
import { writeFileAtomic, writeJsonAtomic } from '../report/atomic.js';
import type { ClaimResult, RegisteredClaim } from '../../properties/claims/index.js';
export { formatTable } from './table.js';

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
  /** where counterexamples are saved */
  outDir: string;
  onClaim?: (done: number, total: number, id: string) => void;
  /** > 1: claims run in that many worker threads, each loading `implSpec` itself (same results) */
  workers?: number;
  implSpec?: string;
  timeoutMs?: number;
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
      out.set(key(j), await claim.run(impl, { seed: opts.seed, runs: j.negative ? undefined : opts.runs, negative: j.negative }));
    }
    return out;
  }
  const { runPool } = await import('../experiments/pool.js');
  let done = 0;
  const results = await runPool<object, ClaimResult>({
    url: new URL(import.meta.url.endsWith('.ts') ? './verifyWorker.ts' : './verifyWorker.js', import.meta.url),
    jobs: jobs.map((j) => ({ ...j, seed: opts.seed, runs: opts.runs, impl: opts.implSpec, timeoutMs: opts.timeoutMs ?? 10_000 })),
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
    if (r.verdict === 'violated') {
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
    seed: opts.seed,
    runs: opts.runs ?? 'default',
    claims,
    summary: { holds: count('holds'), violated: count('violated'), notTested: count('not tested'), controlsFailing: claims.filter((c) => c.negativeControl.verdict === 'did not fail').length },
    generatedAt: new Date(t0).toISOString(),
    durationMs: Date.now() - t0,
  };
}

const fmtRatio = (c: ClaimReport) => (c.verdict === 'not tested' ? '—' : c.worstRatio.toExponential(2));

/** The claims table as rows: claim, source, cases, worst error/tolerance, verdict, negative control, seed. */
export function claimRows(r: VerificationReport): string[][] {
  return r.claims.map((c) => [
    c.id, c.source, c.verdict === 'not tested' ? '0' : `${c.cases}${c.skipped ? ` (+${c.skipped} skipped)` : ''}`, fmtRatio(c), c.verdict,
    c.negativeControl.verdict, String(c.seed),
  ]);
}

export const CLAIM_COLUMNS = ['claim', 'source', 'cases', 'worst error/tol', 'verdict', 'negative control', 'seed'];

/** The Markdown report: the table, then each claim's statement and last measurement, and replay lines. */
export function verificationMarkdown(r: VerificationReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `# eqflow verification — ${r.implementation}`,
    '',
    `seed ${r.seed}, cases per claim: ${r.runs}. ${r.summary.holds} hold, ${r.summary.violated} violated, ${r.summary.notTested} not tested; ` +
      `${r.summary.controlsFailing} negative controls did not fail.`,
    '',
    `| ${CLAIM_COLUMNS.join(' | ')} |`,
    `|${CLAIM_COLUMNS.map(() => '---').join('|')}|`,
    ...claimRows(r).map((row) => `| ${row.map(esc).join(' | ')} |`),
    '',
    '## Claims',
    '',
    ...r.claims.flatMap((c) => [
      `- **${c.id}** (${esc(c.source)}): ${esc(c.title)}.`,
      `  ${c.verdict === 'not tested' ? `Not tested: ${c.message}.` : `Last measurement: ${esc(c.message ?? '')}.`}`,
      `  Negative control (${esc(c.negativeControl.description)}): ${c.negativeControl.verdict}.`,
      ...(c.counterexampleFile ? [`  Counterexample: \`${c.counterexampleFile}\`; replay with \`eqflow replay ${c.counterexampleFile}\`.`] : []),
    ]),
    '',
  ];
  return lines.join('\n');
}

/** Writes reports/verification.{json,md} atomically. */
export async function writeVerification(dir: string, r: VerificationReport): Promise<void> {
  await writeJsonAtomic(join(dir, 'verification.json'), r);
  await writeFileAtomic(join(dir, 'verification.md'), verificationMarkdown(r));
}
