/**
 * Worker entry of `eqflow verify --workers N`: runs one claim (or its negative control) per job against the
 * implementation named in the job, which each worker loads once. A claim's result depends only on (seed, runs),
 * so the report is the same whatever the worker count.
 */
import { EqflowError } from '../core/errors.js';
import { serveJobs } from '../core/pool.js';
import type { Precision } from '../core/precision.js';
import type { Implementation } from '../impl/implementation.js';
import { claimById } from './index.js';
import { judged } from './verify.js';
import type { ClaimResult } from './index.js';
import { loadImplementation } from '../impl/load.js';

export interface VerifyJob {
  claim: string;
  negative: boolean;
  seed: number;
  runs?: number;
  impl?: string;
  timeoutMs: number;
  maxFailures?: number;
  precision?: Precision;
}

function decodeJob(v: unknown): VerifyJob {
  const j = v as Partial<VerifyJob>;
  if (typeof j !== 'object' || j === null || typeof j.claim !== 'string' || typeof j.negative !== 'boolean' || typeof j.seed !== 'number' || typeof j.timeoutMs !== 'number') {
    throw new EqflowError('invalid-argument', 'job', 'expected { claim, negative, seed, timeoutMs }');
  }
  return j as VerifyJob;
}

let impl: Promise<Implementation> | null = null;

serveJobs(decodeJob, async (job): Promise<ClaimResult> => {
  impl ??= loadImplementation(job.impl, job.timeoutMs, job.maxFailures);
  const claim = claimById(job.claim);
  if (!claim) throw new EqflowError('invalid-argument', 'claim', `unknown claim ${job.claim}`);
  return claim.run(judged(await impl, job.precision), { seed: job.seed, runs: job.negative ? undefined : job.runs, negative: job.negative });
});
