/**
 * `eqflow/vitest`: the theorem suite inside your own vitest run. `describeClaims(implementation, options)`
 * registers one test per claim (docs/theory.md lists them); a violated claim fails its test with the shrunk
 * counterexample, the seed and replay path, and the one command that replays it.
 */
import { describe, expect, test } from 'vitest';
import { relative } from 'node:path';
import { DEFAULT_SEED, judged, selectClaims } from './claims/verify.js';
import type { ClaimResult } from './claims/engine.js';
import type { Implementation } from './impl/implementation.js';
import type { Precision } from './core/precision.js';

/** Options of {@link describeClaims}. */
export interface DescribeClaimsOptions {
  /** generated cases per claim (default: each claim's own count) */
  runs?: number;
  /** fast-check seed (default: EQFLOW_SEED, else 2025) */
  seed?: number;
  /** claim ids to register (default: all) */
  only?: readonly string[];
  /** also register each claim's negative control, which must fail (default false) */
  controls?: boolean;
  /** per-test timeout in ms (default 120 000) */
  timeout?: number;
  /**
   * judge at this precision ('float64', 'float32', 'tf32', 'bfloat16', 'float16') instead of the one the
   * implementation announces (default: announced, else float64); tolerances follow its unit roundoff
   */
  precision?: Precision;
}

/** The seed: the option, else EQFLOW_SEED (how a printed replay command fixes it), else eqflow's default. */
function seedOf(options: DescribeClaimsOptions): number {
  const env = process.env.EQFLOW_SEED;
  if (env !== undefined && env.trim() !== '') {
    const s = Number(env);
    if (!Number.isSafeInteger(s)) throw new Error(`EQFLOW_SEED must be an integer, got ${JSON.stringify(env)}`);
    return s;
  }
  return options.seed ?? DEFAULT_SEED;
}

/**
 * The `-t` pattern that selects claim `id`'s test alone: `${id}: ` opens only its own test's name (a bare id also
 * matches other claims whose titles mention it, e.g. 'projectors' in dynamics-step's, and its negative control).
 */
export const claimTestPattern = (id: string): string => `${id}: `;

/**
 * The failure message: claim, measurement, counterexample (or, for the verdict 'error', the input the implementation
 * failed on), seed and path, and the command that replays it.
 */
export function failureMessage(r: ClaimResult, testFile: string | undefined): string {
  const file = testFile ? relative(process.cwd(), testFile) : '<this test file>';
  const path = r.path ? ` EQFLOW_PATH=${r.path}` : '';
  const error = r.verdict === 'error';
  return [
    `claim ${r.id} (${r.source}) ${r.verdict}${error ? ` — the implementation did not answer properly (${r.fault ?? 'fault'}), not a counterexample` : ''}: ${r.title}`,
    `  ${r.message ?? ''}`,
    `  ${error ? 'failing input (not shrunk)' : 'counterexample'}: ${JSON.stringify(r.counterexample)}`,
    `  seed ${r.seed}${r.path ? `, path ${r.path}` : ''}`,
    `  replay: EQFLOW_SEED=${r.seed}${path} npx vitest run ${file} -t '${claimTestPattern(r.id)}'`,
  ].join('\n');
}

/**
 * Registers one vitest test per claim against `implementation` (inside a `describe` block named after it). A
 * claim the implementation cannot be asked (a capability it lacks, or every case refused as unsupported), or that
 * cannot resolve anything at the precision judged, is registered as skipped with the reason, never as a pass.
 */
export function describeClaims(announced: Implementation, options: DescribeClaimsOptions = {}): void {
  const implementation = judged(announced, options.precision);
  const claims = selectClaims(options.only);
  const seed = seedOf(options);
  const timeout = options.timeout ?? 120_000;
  const replayPath = process.env.EQFLOW_PATH;
  describe(`eqflow claims on ${implementation.name} (seed ${seed})`, () => {
    for (const claim of claims) {
      test(`${claimTestPattern(claim.id)}${claim.title}`, async (ctx) => {
        const r = await claim.run(implementation, { seed, runs: options.runs, ...(replayPath && { path: replayPath }) });
        if (r.verdict === 'not tested' || r.verdict === 'not resolvable') {
          ctx.skip(`${r.verdict}: ${r.message ?? ''}`);
          return;
        }
        expect(r.verdict, failureMessage(r, expect.getState().testPath)).toBe('holds');
      }, timeout);
      if (options.controls && claim.hasNegativeInputs) {
        test(`${claim.id} negative control: ${claim.negativeDescription}`, async () => {
          const r = await claim.run(implementation, { seed, negative: true });
          expect(r.verdict, `the check of ${claim.id} did not fail outside its hypotheses (${claim.negativeDescription})`).toBe('violated');
        }, timeout);
      }
    }
  });
}
