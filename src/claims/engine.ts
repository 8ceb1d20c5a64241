import fc from 'fast-check';
import { EqflowError } from '../core/errors.js';
import { FaultKind, faultKind } from '../impl/fault.js';
import { Capability, Implementation } from '../impl/implementation.js';

/** What one check measured: error / tolerance (≤ 1 passes) and a line saying what was compared. */
export interface Measurement {
  ratio: number;
  detail: string;
  /**
   * Set when part of the claim cannot be resolved on this case at the precision judged (docs/theory.md §10): the
   * quantity that part must resolve, as the theory predicts it, is below the part's own round-off bound. It says
   * which part and the two numbers; `ratio` then covers only the parts that were resolved.
   */
  unresolved?: string;
}

/**
 * A claim of docs/theory.md checked against an Implementation. `check` runs one generated input and returns its
 * error / tolerance ratio; the same check run on `negative` inputs (outside the claim's hypotheses, or a planted
 * bug) must fail, which is the claim's negative control.
 */
export interface Claim<T> {
  readonly id: string;
  /** the statement, one line */
  readonly title: string;
  /** where it comes from, e.g. "Theorem 1(i)" */
  readonly source: string;
  readonly needs: readonly Capability[];
  /** generated cases per default run (100; fewer only for flow-heavy claims, never below 25, with a reason) */
  readonly runs: number;
  /**
   * Set when the claim compares with a sampled average (a group too large to enumerate): its checks pass with
   * probability ≥ 1 − alpha on a correct implementation (alpha over all default cases, by the union bound); absent,
   * every check is exact up to round-off.
   */
  readonly statistical?: { readonly alpha: number };
  /** Set when the claim compares Haar integrals by quadrature whose a-posteriori estimate enters the tolerance. */
  readonly quadrature?: boolean;
  readonly arbitrary: fc.Arbitrary<T>;
  /**
   * Inputs that once exposed a real bug, checked first on every run of the claim's own inputs (fast-check
   * `examples`: they take the place of the last generated cases, so `runs` stays the number of cases run).
   */
  readonly regressions?: readonly T[];
  readonly check: (impl: Implementation, input: T) => Promise<Measurement>;
  /**
   * The negative control: inputs outside the hypotheses on which the check must fail, and what they are. Claims
   * with no such inputs (conformance of an implementation) name the mutant that must make them fail instead.
   */
  readonly negative: { readonly arbitrary?: fc.Arbitrary<T>; readonly description: string };
}


/**
 * holds (every case within tolerance), violated (the implementation answered and the theorem's relation failed: a
 * counterexample), error (the implementation did not answer properly: crash, timeout, protocol break, NaN, wrong
 * length — not shrunk), not tested (a capability missing or every case refused), not resolvable (every case ran
 * and nothing resolved was violated, but on every case part of the claim was below its round-off bound at the
 * precision judged: no evidence either way), interrupted (the run was stopped by a signal before this claim
 * finished; only in a partial report).
 */
export type Verdict = 'holds' | 'violated' | 'error' | 'not tested' | 'not resolvable' | 'interrupted';

/** The outcome of running one claim: verdict, cases, worst error/tolerance, seed and the replayable counterexample. */
export interface ClaimResult {
  id: string;
  title: string;
  source: string;
  /**
   * how the claim was checked: exactly (up to round-off), statistically against sampled averages at level `alpha`,
   * or by quadrature with an a-posteriori error estimate in the tolerance
   */
  check: 'exact' | 'statistical' | 'quadrature';
  /** for a statistical check: the probability that a correct implementation fails it over the default cases */
  alpha?: number;
  verdict: Verdict;
  /** generated cases run (0 when not tested) */
  cases: number;
  /** generated inputs skipped because they did not meet a precondition (e.g. no stationary point within reach) */
  skipped: number;
  /** the worst error / tolerance ratio over the cases */
  worstRatio: number;
  /** cases run on which part of the claim was not resolvable at the precision judged (Measurement.unresolved) */
  unresolved?: number;
  seed: number;
  /** fast-check's replay path of the (shrunk) counterexample */
  path?: string;
  /** the shrunk failing input, JSON */
  counterexample?: unknown;
  message?: string;
  /** a capability the implementation lacks (verdict 'not tested') */
  missing?: Capability[];
  /** cases run on a group given by generators (perm-generators, never enumerated), judged as the claim's `check` says */
  byGenerators?: number;
  /**
   * the generated cases the implementation refused ('unsupported', counted in `skipped`), by reason: one entry per
   * refused field (request numbers aside) with its count and first message
   */
  refused?: Array<{ count: number; reason: string }>;
  /** how the implementation failed (verdict 'error') */
  fault?: FaultKind;
}

export interface RunOptions {
  runs?: number;
  seed?: number;
  path?: string;
  /** use the negative inputs (negative control) instead of the claim's own */
  negative?: boolean;
}

/**
 * Runs a claim with fast-check (async property). Exceptions inside a check count as failures with their message;
 * the worst ratio and a replayable (seed, path, counterexample) are reported. The run stops at the first failure:
 * an ImplementationFault (the implementation did not answer properly) gives the verdict 'error' with that input,
 * unshrunk — each shrink step would wait for another timeout; any other failure is then shrunk by a second run
 * replaying its path, in which shrink steps the implementation cannot answer are skipped.
 */
export async function runClaim<T>(claim: Claim<T>, impl: Implementation, opts: RunOptions = {}): Promise<ClaimResult> {
  const base = { id: claim.id, title: claim.title, source: claim.source, ...checkKind(claim.statistical, claim.quadrature) };
  const missing = claim.needs.filter((c) => !impl.capabilities.has(c));
  const seed = opts.seed ?? Math.floor(Math.random() * 0x7fffffff);
  if (missing.length) return { ...base, verdict: 'not tested', cases: 0, skipped: 0, worstRatio: 0, seed, missing, message: `needs ${missing.join(', ')}` };
  let worst = 0;
  let lastDetail = '';
  let unresolved = 0;
  let lastUnresolved = '';
  let byGenerators = 0;
  const refused = new Map<string, { count: number; reason: string }>();
  const arb = opts.negative ? claim.negative.arbitrary : claim.arbitrary;
  if (!arb) throw new EqflowError('invalid-argument', 'negative', `claim ${claim.id} has no negative inputs (${claim.negative.description})`);
  let fault: { error: Error; kind: FaultKind; input: T } | null = null;
  let shrinking = false;
  const prop = fc.asyncProperty(arb, async (input) => {
    let m: Measurement;
    try {
      m = await claim.check(impl, input);
    } catch (e) {
      const kind = faultKind(e);
      // a case the implementation declares it cannot handle (e.g. a CNN for an MLP-only implementation) is not
      // evidence either way: skip it, and report the claim "not tested" if every case was refused
      if (e instanceof EqflowError && e.code === 'unsupported' && !kind) {
        const key = e.field.replace(/#\d+/g, ''); // the same refusal on another request
        const r = refused.get(key) ?? refused.set(key, { count: 0, reason: e.message }).get(key)!;
        r.count++;
        fc.pre(false);
      }
      if (kind) {
        if (shrinking) fc.pre(false); // a shrink step the implementation could not answer is no counterexample
        fault ??= { error: e as Error, kind, input };
      }
      throw e;
    }
    if (Number.isNaN(m.ratio)) throw new EqflowError('not-finite', 'ratio', `the check produced NaN (${m.detail})`);
    worst = Math.max(worst, m.ratio);
    lastDetail = m.detail;
    if (onGenerators(input)) byGenerators++;
    if (m.unresolved !== undefined && m.ratio <= 1) {
      unresolved++;
      lastUnresolved = m.unresolved;
    }
    if (!(m.ratio <= 1)) throw new Error(`error/tolerance = ${m.ratio.toExponential(3)}: ${m.detail}`);
  });
  const numRuns = opts.runs ?? claim.runs;
  // the same examples in the first run and the shrinking replay: a path indexes examples and generated cases alike
  const examples = !opts.negative && claim.regressions ? claim.regressions.map((r): [T] => [r]) : [];
  const params: fc.Parameters<[T]> = { numRuns, seed, endOnFailure: true, examples };
  if (opts.path) params.path = opts.path;
  const details = await fc.check(prop, params);
  if (details.numRuns === 0 && details.numSkips > 0) {
    return { ...base, verdict: 'not tested', cases: 0, skipped: details.numSkips, worstRatio: 0, seed, message: 'every generated case was skipped (unsupported by the implementation, or outside a precondition)' };
  }
  if (!details.failed) {
    const counts = { cases: details.numRuns, skipped: details.numSkips, worstRatio: worst, seed, ...(unresolved > 0 && { unresolved }), ...(byGenerators > 0 && { byGenerators }), ...(refused.size > 0 && { refused: [...refused.values()] }) };
    // every case had a part below its round-off bound: the claim as a whole was not established either way
    if (unresolved === details.numRuns) return { ...base, verdict: 'not resolvable', ...counts, message: lastUnresolved };
    return { ...base, verdict: 'holds', ...counts, message: lastDetail };
  }
  const counts = { cases: details.numRuns, skipped: details.numSkips, seed };
  const found = fault as { error: Error; kind: FaultKind; input: T } | null; // set inside the property
  if (found) {
    return { ...base, verdict: 'error', ...counts, worstRatio: worst, path: details.counterexamplePath ?? undefined, counterexample: found.input, message: found.error.message, fault: found.kind };
  }
  shrinking = true;
  const shrunk = await fc.check(prop, { numRuns, seed, examples, path: details.counterexamplePath ?? undefined, endOnFailure: false });
  const best = shrunk.failed ? shrunk : details; // the replay fails again unless the check is not deterministic
  const err = best.errorInstance;
  return {
    ...base,
    verdict: 'violated',
    ...counts,
    worstRatio: worst,
    path: best.counterexamplePath ?? undefined,
    counterexample: best.counterexample?.[0],
    message: err instanceof Error ? err.message : String(err),
  };
}

/** Whether a claim's generated input runs on a Case of a group given by generators (its `spec`, by convention). */
function onGenerators(input: unknown): boolean {
  const spec = typeof input === 'object' && input !== null && 'spec' in input ? (input as { spec: { group?: { kind?: string } } }).spec : undefined;
  return spec?.group?.kind === 'perm-generators';
}

/** The `check` and `alpha` fields of a claim's results. */
export function checkKind(statistical: { readonly alpha: number } | undefined, quadrature?: boolean): { check: 'exact' | 'statistical' | 'quadrature'; alpha?: number } {
  return statistical ? { check: 'statistical', alpha: statistical.alpha } : { check: quadrature ? 'quadrature' : 'exact' };
}

/** A claim with its input type erased, so claims of different inputs share one registry. */
export interface RegisteredClaim {
  readonly id: string;
  readonly title: string;
  readonly source: string;
  readonly needs: readonly Capability[];
  readonly runs: number;
  /** set for claims checked against sampled averages (see Claim.statistical) */
  readonly statistical?: { readonly alpha: number };
  /** set for claims checked by quadrature (see Claim.quadrature) */
  readonly quadrature?: boolean;
  readonly negativeDescription: string;
  /** whether the negative control is a set of inputs (else a mutant) */
  readonly hasNegativeInputs: boolean;
  run(impl: Implementation, opts?: RunOptions): Promise<ClaimResult>;
  /** re-checks one saved counterexample of this claim (the input as written by a failing run) */
  replay(impl: Implementation, input: unknown): Promise<Measurement>;
}

export function register<T>(claim: Claim<T>): RegisteredClaim {
  return {
    id: claim.id, title: claim.title, source: claim.source, needs: claim.needs, runs: claim.runs, statistical: claim.statistical, quadrature: claim.quadrature,
    negativeDescription: claim.negative.description,
    hasNegativeInputs: claim.negative.arbitrary !== undefined,
    run: (impl, opts) => runClaim(claim, impl, opts),
    // a saved counterexample is the JSON of this claim's own generated input
    replay: (impl, input) => claim.check(impl, input as T),
  };
}
