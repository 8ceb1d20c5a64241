#!/usr/bin/env node
import { Command, CommanderError, Option } from 'commander';
import fc from 'fast-check';
import { SingleBar } from 'cli-progress';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EqflowError } from '../core/errors.js';
import { onInterrupt } from '../core/shutdown.js';
import { faultKind } from '../impl/fault.js';
import { PRECISIONS, Precision, parsePrecision } from '../core/precision.js';
import { DYNAMICS, DynamicsKind } from '../flows/dynamics.js';
import { DEFAULT_INTEGRATOR, FLOW_ATOL, FLOW_RTOL, INTEGRATORS, IntegratorKind } from '../flows/integrators.js';
import { loadImplementation } from '../impl/load.js';
import type { ClaimResult } from '../claims/engine.js';
import type { ResolutionTable as ResolutionTableOf } from '../claims/resolution.js';
import { integer, nonNegative, numberList, positive, vector } from './options.js';

// Each command imports what it needs when it runs: `eqflow --help` or a bad option should not load vega or
// the whole theorem suite.


interface Common {
  quiet?: boolean;
  json?: boolean;
}

/** Progress on stderr only for a person watching: a TTY, and neither --quiet nor --json. */
function progress(opts: Common, total: number, label: string): { tick: (done: number, what: string) => void; stop: () => void } {
  if (!process.stderr.isTTY || opts.quiet || opts.json) return { tick: () => {}, stop: () => {} };
  const bar = new SingleBar({ stream: process.stderr, format: `${label} [{bar}] {value}/{total} {what}`, hideCursor: true, clearOnComplete: true }, undefined);
  bar.start(total, 0, { what: '' });
  return { tick: (done, what) => bar.update(done, { what }), stop: () => bar.stop() };
}

/** The help text's example line of a command. */
const example = (line: string) => `\nExample:\n  $ ${line}\n`;

/** The package version, read from package.json beside src/ (sources) or dist/ (the installed package). */
function packageVersion(): string {
  return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
}

const program = new Command();
program
  .name('eqflow')
  .version(packageVersion(), '-V, --version')
  .addHelpText('after', example('eqflow verify --runs 20'))
  .description('Machine-checks the theory of learning group equivariance through data augmentation and regularization.')
  .showHelpAfterError(false)
  .exitOverride();

program
  .command('verify', { isDefault: true })
  .addHelpText('after', example('eqflow verify --only action,projectors --runs 20 --impl "python3 examples/python/eqflow_mlp.py"'))
  .description('run the theorem suite against the reference (or --impl) and write reports/verification.{json,md}; exit 0 all hold, 1 a claim violated, 3 an implementation error')
  .option('--runs <n>', 'generated cases per claim (default: each claim\'s own count)', integer(1, 1_000_000))
  .option('--seed <s>', 'the fast-check seed', integer(0, 2 ** 31 - 1), 2025) // DEFAULT_SEED of claims/verify.ts, not imported so that --help loads no claim
  .option('--only <claims>', 'comma-separated claim ids')
  .option('--impl <path|command>', 'a TS/JS module exporting `implementation`, or a command speaking docs/protocol.md')
  .option('--timeout <ms>', 'per-request timeout for an external implementation (flows get 12×)', integer(100, 3_600_000), 10_000)
  .option('--max-failures <n>', 'stop restarting an external implementation after this many consecutive crashes or timeouts', integer(1, 1000), 3)
  .option('--resume', 'continue an interrupted verify from the report in --out (finished claims kept, the rest run with the same seed)')
  .option('--workers <n>', 'worker threads running claims in parallel (results do not depend on it)', integer(1, 256), 1)
  .addOption(new Option('--precision <p>', 'judge at this precision instead of the one the implementation announces (default: announced, else float64)').choices([...PRECISIONS]))
  .option('--no-controls', 'skip the negative controls')
  .option('--shard <K/N|auto>', 'run only shard K of N of the claim and control runs into shards/verify.shard-K-of-N.json (resumable; join them with eqflow merge); auto: from the scheduler\'s variables (README)')
  .option('--shard-count <N>', 'the shard count where --shard auto cannot read it (a Kubernetes Indexed Job\'s completions)', integer(1, 100_000))
  .option('--out <dir>', 'where reports go', 'reports')
  .option('--json', 'print the report as JSON only')
  .option('--quiet', 'no progress, only the table')
  .action(async (opts: Common & { runs?: number; seed: number; only?: string; impl?: string; timeout: number; maxFailures: number; resume?: boolean; workers: number; controls: boolean; out: string; precision?: Precision; shard?: string; shardCount?: number }) => {
    const { buildReport, judged, runVerify, selectClaims } = await import('../claims/verify.js');
    const { precisionOf } = await import('../impl/implementation.js');
    const { readReport, resumeResults } = await import('../claims/resume.js');
    const { writeVerification } = await import('../report/verification.js');
    const claims = selectClaims(opts.only?.split(','), '--only');
    const impl = await loadImplementation(opts.impl, opts.timeout, opts.maxFailures);
    if (opts.shard !== undefined) {
      if (opts.resume) throw new EqflowError('invalid-argument', '--resume', 'a shard resumes from its own file: drop --resume');
      const shardOptions = { seed: opts.seed, runs: opts.runs, claims, controls: opts.controls, workers: opts.workers, implSpec: opts.impl, timeoutMs: opts.timeout, maxFailures: opts.maxFailures, precision: opts.precision };
      try {
        await runShardCommand(opts, 'verify', opts.shard, async (shard, file) => (await import('../shard/verify.js')).runVerifyShard(impl, shardOptions, shard, file));
      } finally {
        await impl.close();
      }
      return;
    }
    const reportFile = join(opts.out, 'verification.json');
    const results = new Map<string, ClaimResult>();
    if (opts.resume) {
      const previous = readReport(reportFile);
      if (previous) for (const [k, r] of resumeResults(previous, { implementation: impl.name, seed: opts.seed, runs: opts.runs ?? 'default', precision: precisionOf(judged(impl, opts.precision)) }, claims, opts.controls)) results.set(k, r);
      else process.stderr.write(`eqflow: no ${reportFile} to resume; running every claim\n`);
    }
    const t0 = Date.now();
    const verifyOptions = { seed: opts.seed, runs: opts.runs, claims, controls: opts.controls, outDir: opts.out, workers: opts.workers, implSpec: opts.impl, timeoutMs: opts.timeout, maxFailures: opts.maxFailures, results, precision: opts.precision };
    // interrupted: the claims finished so far (a copy taken before any process is killed), the rest 'interrupted'
    const release = onInterrupt('eqflow', async (signal) => {
      const finished = new Map(results);
      const partial = await buildReport(impl, verifyOptions, finished, t0, signal);
      await writeVerification(opts.out, partial);
      return `${claims.length - partial.summary.interrupted} of ${claims.length} claims finished, saved to ${reportFile}; \`eqflow verify --resume\` with the same options runs the rest`;
    });
    const bar = progress(opts, claims.length, 'verify');
    let report;
    try {
      report = await runVerify(impl, { ...verifyOptions, onClaim: (d, _t, id) => bar.tick(d, id) });
    } finally {
      bar.stop();
      await impl.close();
    }
    release();
    await writeVerify(opts, report);
  });

/** Writes reports/verification.{json,md}, prints the table (or the JSON; nothing when silent) and sets verify's exit code. */
async function writeVerify(opts: { out: string; json?: boolean; silent?: boolean; impl?: string }, report: import('../claims/verify.js').VerificationReport): Promise<void> {
  const { verifyExitCode } = await import('../claims/verify.js');
  const { CLAIM_COLUMNS, claimRows, formatTable, summaryLine, writeVerification } = await import('../report/verification.js');
  await writeVerification(opts.out, report);
  process.exitCode = verifyExitCode(report);
  if (opts.silent) return;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
    return;
  }
  process.stdout.write(`${formatTable(CLAIM_COLUMNS, claimRows(report))}\n\n`);
  process.stdout.write(`${report.implementation}: ${summaryLine(report)} (judged at ${report.precision}, seed ${report.seed}, ${(report.durationMs / 1000).toFixed(1)} s).\n`);
  process.stdout.write(`reports: ${join(opts.out, 'verification.json')}, ${join(opts.out, 'verification.md')}\n`);
  for (const c of report.claims.filter((x) => x.counterexampleFile)) process.stdout.write(`replay ${c.id}: eqflow replay ${c.counterexampleFile}${opts.impl ? ` --impl '${opts.impl}'` : ''}\n`);
}

program
  .command('resolution')
  .addHelpText('after', example('eqflow resolution --precision float32 --out reports'))
  .description('measure, per claim and precision, the smallest planted defect each claim detects (slow: minutes per precision); each precision measured replaces its table in --out/resolution.json, the others are kept')
  .option('--precision <list>', 'comma-separated precisions', 'float64,float32')
  .option('--only <claims>', 'comma-separated claim ids (their rows replace those measured before; the other rows are kept)')
  .option('--runs <n>', 'cases per claim run', integer(1, 10_000), 10)
  .option('--steps <n>', 'bisection steps on log10 of the size', integer(1, 30), 6)
  .option('--seed <s>', 'the fast-check seed', integer(0, 2 ** 31 - 1), 2025)
  .option('--out <dir>', 'where resolution.json goes', 'reports')
  .option('--write-table', 'also regenerate src/claims/resolutionTable.ts, the table verify reports quote')
  .option('--quiet', 'no progress')
  .action(async (opts: { precision: string; only?: string; runs: number; steps: number; seed: number; out: string; writeTable?: boolean; quiet?: boolean }) => {
    const { measureResolution, mergeResolution } = await import('../claims/resolution.js');
    const { RESOLUTION } = await import('../claims/resolutionTable.js');
    const { allClaims } = await import('../claims/registry.js');
    const { selectClaims } = await import('../claims/verify.js');
    const { formatResolution } = await import('../report/verification.js');
    const { writeFileAtomic, writeJsonAtomic } = await import('../report/atomic.js');
    const precisions = opts.precision.split(',').map((p) => parsePrecision(p.trim(), '--precision'));
    const claims = selectClaims(opts.only?.split(','), '--only');
    const jsonFile = join(opts.out, 'resolution.json');
    for (const p of precisions) {
      const t0 = Date.now();
      const t = await measureResolution(p, { claims, seed: opts.seed, runs: opts.runs, steps: opts.steps, onProgress: (id) => { if (!opts.quiet) process.stderr.write(`${p} ${id}\n`); } });
      process.stdout.write(`${formatResolution(t)}\n${p}: ${((Date.now() - t0) / 1000).toFixed(0)} s\n\n`);
      // incremental: read what is there now (another run may have written a precision meanwhile), replace this one
      let tables: Record<string, ResolutionTableOf> = { ...RESOLUTION };
      try {
        tables = JSON.parse(readFileSync(jsonFile, 'utf8')) as Record<string, ResolutionTableOf>;
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw new EqflowError('io', '--out', `cannot read ${jsonFile}: ${(e as Error).message}`);
      }
      tables = mergeResolution(tables, t, allClaims.map((c) => c.id));
      await writeJsonAtomic(jsonFile, tables);
      process.stdout.write(`wrote ${p} to ${jsonFile}\n`);
      if (opts.writeTable) {
        const file = new URL('../claims/resolutionTable.ts', import.meta.url);
        const head = ['/**', ' * The committed resolution tables (docs/theory.md §10): what `npm run resolution` measured, per precision. Verify', ' * reports quote the table of the precision they judged at. Generated: do not edit by hand.', ' */', "import type { ResolutionTable } from './resolution.js';", '', '/** Resolution tables by precision, as last measured by `npm run resolution`. */'];
        await writeFileAtomic(file.pathname.replace(/\/dist\//, '/src/'), `${head.join('\n')}\nexport const RESOLUTION: Readonly<Record<string, ResolutionTable>> = ${JSON.stringify(tables, null, 1)};\n`);
      }
    }
  });

program
  .command('replay <file>')
  .addHelpText('after', example('eqflow replay reports/counterexamples/lemma-1a-2a-2025.json --impl ./my-impl.ts'))
  .description('re-check one saved counterexample (written by a failing verify)')
  .option('--impl <path|command>', 'the implementation to replay against (default: the reference)')
  .addOption(new Option('--precision <p>', 'judge at this precision (default: the one the counterexample was found at)').choices([...PRECISIONS]))
  .action(async (file: string, opts: { impl?: string; precision?: Precision }) => {
    const { claimById } = await import('../claims/registry.js');
    const { judged } = await import('../claims/verify.js');
    const { precisionOf } = await import('../impl/implementation.js');
    let saved: { claim?: unknown; input?: unknown; precision?: unknown };
    try {
      saved = JSON.parse(readFileSync(file, 'utf8')) as typeof saved;
    } catch (e) {
      throw new EqflowError('io', 'FILE', `cannot read counterexample ${file}: ${(e as Error).message}`);
    }
    const claim = typeof saved.claim === 'string' ? claimById(saved.claim) : undefined;
    if (!claim) throw new EqflowError('invalid-argument', `${file}: claim`, `no known claim '${String(saved.claim)}'`);
    if (saved.input === undefined) throw new EqflowError('invalid-argument', `${file}: input`, 'the counterexample has no input');
    // the tolerances derive from the precision judged at: the one recorded (files before precisions: announced)
    const precision = opts.precision ?? (saved.precision === undefined ? undefined : parsePrecision(saved.precision, `${file}: precision`));
    const impl = await loadImplementation(opts.impl);
    try {
      const m = await claim.replay(judged(impl, precision), saved.input).catch((e: unknown) => {
        // a case outside the claim's preconditions (fc.pre: e.g. no stationary point within reach) is skipped, not judged
        if (fc.PreconditionFailure.isFailure(e)) return null;
        throw e;
      });
      if (m === null) {
        process.stdout.write(`${claim.id}: skipped on this input: it does not meet the claim's preconditions (the claim skips such cases)\n`);
        return;
      }
      process.stdout.write(`${claim.id} at ${precisionOf(judged(impl, precision))}: error/tolerance = ${m.ratio.toExponential(3)} — ${m.detail}\n${m.ratio <= 1 ? 'holds on this input' : 'VIOLATED on this input'}\n`);
      if (!(m.ratio <= 1)) process.exitCode = 1;
    } finally {
      await impl.close();
    }
  });

program
  .command('serve')
  .description('serve an implementation (default: the reference) over eqflow/1 on stdin/stdout (docs/protocol.md)')
  .addHelpText('after', example('eqflow verify --impl "eqflow serve --impl ./my-impl.ts"'))
  .option('--impl <path|command>', 'the implementation to serve: a TS/JS module, a protocol command, or the reference')
  .action(async (opts: { impl?: string }) => {
    const { serveImplementation } = await import('../impl/serve.js');
    await serveImplementation(await loadImplementation(opts.impl), process.stdin, process.stdout);
  });

program
  .command('catalog')
  .addHelpText('after', example('eqflow catalog --json'))
  .description('dim H_G, dim L, dim E and the compatibility defect of every built-in (group, representation, support) pair')
  .option('--json', 'print JSON instead of a table')
  .action(async (opts: { json?: boolean }) => {
    const { catalog, formatCatalog } = await import('./catalog.js');
    const rows = catalog();
    process.stdout.write(opts.json ? `${JSON.stringify(rows, null, 2)}\n` : `${formatCatalog(rows)}\n`);
  });

program
  .command('flow')
  .addHelpText('after', example('eqflow flow --case example-q --dynamics reg-augmented --gamma 1 --t 4 --points 5'))
  .description('integrate one flow from a start point and print its trajectory')
  .option('--case <name|file>', 'a built-in case (see --list) or a case file')
  .addOption(new Option('--dynamics <kind>', 'the dynamics').choices([...DYNAMICS]).default('reg-augmented'))
  .option('--gamma <γ>', 'the regularization strength (regularized dynamics only)', nonNegative, 0)
  .option('--t <T>', 'the final time', positive, 5)
  .option('--from <json>', 'the start point: the flat parameter vector as a JSON array', vector)
  .option('--points <n>', 'how many times to report', integer(2, 100_000), 21)
  .addOption(new Option('--integrator <name>', 'etdrk4: exponential RK4 (Krogstad), fixed points exactly the zeros of v for any step and γ; lawson-rk4: integrating-factor RK4, stable for any γ but its fixed points are off once γ·step is not small (≈ 70% at γ·step = 10); rk4, euler: explicit, need γ·step ≲ 2; dopri5: adaptive Dormand–Prince, explicit').choices([...INTEGRATORS]).default(DEFAULT_INTEGRATOR))
  .option('--step <h>', 'a fixed step (default: the step is chosen by the local error control of --rtol/--atol)', positive)
  .option('--rtol <r>', 'relative local error tolerance per step', positive, FLOW_RTOL)
  .option('--atol <a>', 'absolute local error tolerance per step', positive, FLOW_ATOL)
  .option('--list', 'list the built-in cases with their parameter layout')
  .option('--json', 'print JSON only')
  .action(async (opts: { case?: string; dynamics: DynamicsKind; gamma: number; t: number; from?: number[]; points: number; integrator: IntegratorKind; step?: number; rtol: number; atol: number; list?: boolean; json?: boolean }) => {
    const { formatStats, listCases, runFlow } = await import('./flowCommand.js');
    const { formatTable } = await import('../report/table.js');
    if (opts.list) {
      process.stdout.write(`${listCases()}\n`);
      return;
    }
    if (!opts.case) throw new EqflowError('invalid-argument', '--case', 'give a built-in case name (eqflow flow --list) or a case file');
    const out = runFlow({ caseRef: opts.case, dynamics: opts.dynamics, gamma: opts.gamma, t: opts.t, from: opts.from, points: opts.points, integrator: opts.integrator, step: opts.step, rtol: opts.rtol, atol: opts.atol });
    if (opts.json) {
      process.stdout.write(`${JSON.stringify(out)}\n`);
      return;
    }
    process.stdout.write(`${out.case}: ${out.dynamics} flow, γ = ${out.gamma}\n`);
    process.stdout.write(`${formatTable(['t', '‖Π_{E⊥}A‖', 'risk'], out.trajectory.map((p) => [p.t.toFixed(4), p.projectionError.toExponential(4), p.risk.toExponential(6)]))}\n`);
    process.stdout.write(`${formatStats(out.stats)}\n`);
    process.stdout.write(`final: ${JSON.stringify(out.final.length > 12 ? [...out.final.slice(0, 12).map((v) => +v.toPrecision(6)), `… ${out.final.length - 12} more (use --json)`] : out.final)}\n`);
  });

const experiment = program.command('experiment').description('regenerate the papers\' figures').addHelpText('after', example('eqflow experiment attractor'));
experiment
  .command('attractor')
  .addHelpText('after', example('eqflow experiment attractor --out reports'))
  .description('Figure 1: ‖Π_{E⊥}A(t)‖ for a sweep of γ around the thresholds (Example Q, toy CNN)')
  .option('--shard <K/N|auto>', 'integrate only shard K of N of the (panel, γ) series into shards/attractor.shard-K-of-N.json (join them with eqflow merge)')
  .option('--shard-count <N>', 'the shard count where --shard auto cannot read it', integer(1, 100_000))
  .option('--out <dir>', 'where results go', 'reports')
  .option('--json', 'print the result as JSON only')
  .action(async (opts: { out: string; json?: boolean; shard?: string; shardCount?: number }) => {
    if (opts.shard !== undefined) {
      await runShardCommand(opts, 'attractor', opts.shard, async (shard, file, tick) => (await import('../shard/attractor.js')).runAttractorShard(shard, file, tick));
      return;
    }
    const { runAttractor } = await import('../experiments/attractor.js');
    await writeAttractor(opts, runAttractor());
  });

/** Writes Figure 1's result and figure under `out` and prints its table (or the JSON; nothing when silent). */
async function writeAttractor(opts: { out: string; json?: boolean; silent?: boolean }, r: import('../experiments/attractor.js').AttractorResult): Promise<void> {
  const { renderAttractorFigure } = await import('../experiments/attractor.js');
  const { writeFileAtomic, writeJsonAtomic } = await import('../report/atomic.js');
  const { formatTable } = await import('../report/table.js');
  await writeJsonAtomic(join(opts.out, 'experiments', 'attractor.json'), r);
  await writeFileAtomic(join(opts.out, 'figures', 'attractor.svg'), await renderAttractorFigure(r));
  if (opts.silent) return;
  if (opts.json) {
    process.stdout.write(`${JSON.stringify(r)}\n`);
    return;
  }
  const rows = r.panels.flatMap((p) => p.series.map((s) => [p.name, s.gamma.toFixed(3), s.predictedRate.toFixed(4), s.fittedRate === null ? '—' : s.fittedRate.toFixed(4), s.projectionError[s.projectionError.length - 1].toExponential(2), `${s.integration.steps} (${s.integration.rejected})`, s.integration.maxLocalError.toExponential(1)]));
  process.stdout.write(`${formatTable(['panel', 'γ', 'predicted rate', 'fitted rate', 'final ‖Π_{E⊥}A‖', 'steps (rejected)', 'max local err'], rows)}\n`);
  process.stdout.write(`wrote ${join(opts.out, 'experiments', 'attractor.json')} and ${join(opts.out, 'figures', 'attractor.svg')}\n`);
}

program
  .command('check-trace <file>')
  .addHelpText('after', example('eqflow check-trace run.npz --case case.json --gamma 10 --dynamics reg-augmented'))
  .description('check a recorded training run (JSON, .npz or .npy snapshots; gradient flow or SGD with a declared optimizer) against Theorem 1, Theorem 3, Remark R1 and the SGD noise floor')
  .option('--case <file>', 'the Case JSON (required for .npy traces; overrides the trace\'s own)')
  .option('--gamma <γ>', 'the run\'s γ (overrides the trace)', nonNegative)
  .addOption(new Option('--dynamics <kind>', 'the run\'s dynamics (overrides the trace)').choices([...DYNAMICS]))
  .option('--mu <μ>', 'Theorem 3\'s μ, when known (else estimated from the case\'s R^aug on a subsample)', nonNegative)
  .option('--mu-items <n>', 'data items the estimates (μ, SGD noise) use (default 32)', integer(1, 1_000_000))
  .option('--mu-snapshots <n>', 'snapshots μ is estimated at (default 8)', integer(2, 1_000_000))
  .option('--html <file>', 'also write an HTML report with the plot of ‖Π_{E⊥}A‖, the envelope and the floor band')
  .option('--quiet', 'no progress bar')
  .option('--tolerance <tol>', '"in E" threshold relative to max ‖A‖ (default 1e-9 for float64 runs, 2.3e-5 for float32: 1e-9·√(u/u64))', positive)
  .addOption(new Option('--precision <p>', 'the run\'s precision (default: the trace\'s — float32 arrays, a JSON precision field — else float64)').choices([...PRECISIONS]))
  .option('--json', 'print the report as JSON only')
  .action(async (file: string, opts: Common & { case?: string; gamma?: number; dynamics?: DynamicsKind; mu?: number; tolerance?: number; precision?: Precision; muItems?: number; muSnapshots?: number; html?: string }) => {
    const { checkTrace, formatTraceReport, readTraceFile } = await import('../trace/checkTrace.js');
    let caseJson: unknown;
    if (opts.case) {
      try {
        caseJson = JSON.parse(readFileSync(opts.case, 'utf8')) as unknown;
      } catch (e) {
        throw new EqflowError('io', '--case', `cannot read ${opts.case}: ${(e as Error).message}`);
      }
    }
    const bar = progress(opts, 100, 'check-trace');
    const o = {
      case: caseJson, gamma: opts.gamma, dynamics: opts.dynamics, mu: opts.mu, tolerance: opts.tolerance, precision: opts.precision, muItems: opts.muItems, muSamples: opts.muSnapshots,
      onProgress: (done: number, total: number, what: string) => bar.tick(Math.round((100 * done) / total), `${what} ${done}/${total}`),
    };
    let report;
    try {
      report = checkTrace(readTraceFile(file, o), o);
    } catch (e) {
      bar.stop();
      if (!faultKind(e)) throw e;
      // the run produced no valid snapshots (e.g. NaN parameters): verdict 'error' for every check, exit 3
      const message = (e as Error).message;
      process.stdout.write(opts.json ? `${JSON.stringify({ verdict: 'error', message })}\n` : `verdict error (the recorded run is not a valid trajectory, no statement checked): ${message}\n`);
      process.exitCode = 3;
      return;
    }
    bar.stop();
    if (opts.html) {
      const { traceReportHtml } = await import('../report/traceReport.js');
      const { writeFileAtomic } = await import('../report/atomic.js');
      await writeFileAtomic(opts.html, await traceReportHtml(report));
    }
    process.stdout.write(opts.json ? `${JSON.stringify(report)}\n` : `${formatTraceReport(report)}${opts.html ? `\nwrote ${opts.html}` : ''}\n`);
    if (report.rows.some((r) => r.verdict === 'violated')) process.exitCode = 1;
  });

program
  .command('report')
  .addHelpText('after', example('eqflow report --dir reports'))
  .description('regenerate reports/index.html from the saved results (claims, figures, benchmarks)')
  .option('--dir <dir>', 'the reports folder', 'reports')
  .action(async (opts: { dir: string }) => {
    const { writeReport } = await import('../report/site.js');
    process.stdout.write(`wrote ${await writeReport(opts.dir)}\n`);
  });

experiment
  .command('mnist')
  .addHelpText('after', example('eqflow experiment mnist --gammas 10,100 --runs 2 --images 2000'))
  .description('Figure 2: the P1 protocol on real MNIST digits — Eq, Nom and Aug trained side by side')
  .option('--gammas <list>', 'comma-separated γ values (default 10,100,1000; full 1,10,100,1000)', numberList)
  .option('--runs <n>', 'runs per γ', integer(1, 1000))
  .option('--images <n>', 'training images (of the 10 000 shipped)', integer(1, 10_000))
  .option('--epochs <n>', 'passes over the images', integer(1, 1000))
  .option('--workers <n>', 'worker threads (default: one per core; results do not depend on it)', integer(1, 256))
  .option('--seed <s>', 'the experiment seed (default p1-mnist)')
  .option('--full', 'the paper\'s scale: γ = 1…1000, 30 runs, 60 000 steps (≈ 30 h on 2 cores)')
  .option('--log-every <k>', 'log every k-th step after the first 500 (default: at most 1000 such rows per run)', integer(1, 10_000_000))
  .option('--shard <K/N|auto>', 'run only shard K of N of the (γ, run) jobs into shards/mnist.shard-K-of-N.json (resumable; join them with eqflow merge); auto: from the scheduler\'s variables (README)')
  .option('--shard-count <N>', 'the shard count where --shard auto cannot read it (a Kubernetes Indexed Job\'s completions)', integer(1, 100_000))
  .option('--out <dir>', 'where results go', 'reports')
  .option('--json', 'print the summary as JSON only')
  .option('--quiet', 'no progress bar')
  .action(async (opts: Common & { gammas?: number[]; runs?: number; images?: number; epochs?: number; workers?: number; seed?: string; full?: boolean; logEvery?: number; shard?: string; shardCount?: number; out: string }) => {
    const m = await import('../experiments/mnist.js');
    const { writeJsonAtomic } = await import('../report/atomic.js');
    const preset = m.mnistPreset(opts.full === true, opts.workers);
    const o = { ...preset, ...(opts.gammas && { gammas: opts.gammas }), ...(opts.runs && { runs: opts.runs }), ...(opts.images && { images: opts.images }), ...(opts.epochs && { epochs: opts.epochs }), ...(opts.seed && { seed: opts.seed }), ...(opts.logEvery && { logEvery: opts.logEvery }) };
    if (opts.shard !== undefined) {
      await runShardCommand(opts, 'mnist', opts.shard, async (shard, file, tick) => (await import('../shard/mnist.js')).runMnistShard({ ...o, onProgress: (d, t) => tick(d / t) }, shard, file));
      return;
    }
    const { discreteStabilityWarning } = await import('../flows/discrete.js');
    const resolved = m.resolveMnistOptions(o);
    for (const g of resolved.gammas) {
      const w = discreteStabilityWarning(resolved.lr, g);
      if (w) process.stderr.write(`${w}\n`);
    }
    const done: Array<{ gamma: number; run: number; result: unknown }> = [];
    const partial = join(opts.out, 'experiments', 'mnist.partial.json');
    // an interrupt keeps the previous mnist.json (written atomically, only at the end) and saves the runs finished so far
    const release = onInterrupt('eqflow', async (signal) => {
      await writeJsonAtomic(partial, { interrupted: signal, config: o, finishedRuns: done });
      return `${done.length} finished runs saved to ${partial}; ${join(opts.out, 'experiments', 'mnist.json')} was left as it was`;
    });
    let steps = 0;
    const bar = progress(opts, 1, 'mnist');
    const r = await m.runMnistExperiment({ ...o, onProgress: (d, t) => { steps = t; bar.tick(d / t, `${d}/${t} steps`); }, onRun: (job, result) => done.push({ gamma: job.gamma, run: job.run, result }) });
    bar.stop();
    release();
    await writeMnist(opts, r, ` (${steps} steps)`);
  });

/** Writes Figure 2's result and figure under `out` and prints its summary table (or the summaries as JSON; nothing when silent). */
async function writeMnist(opts: { out: string; json?: boolean; silent?: boolean }, r: import('../experiments/mnist.js').MnistResult, note = ''): Promise<void> {
  const m = await import('../experiments/mnist.js');
  const { writeFileAtomic } = await import('../report/atomic.js');
  await m.writeMnistResult(join(opts.out, 'experiments', 'mnist.json'), r);
  await writeFileAtomic(join(opts.out, 'figures', 'mnist.svg'), await m.renderMnistFigure(r));
  if (opts.silent) return;
  if (opts.json) process.stdout.write(`${JSON.stringify(r.gammas.map((g) => ({ gamma: g.gamma, summary: g.summary })))}\n`);
  else process.stdout.write(`${m.formatMnistSummary(r)}\nwrote ${join(opts.out, 'experiments', 'mnist.json')} and ${join(opts.out, 'figures', 'mnist.svg')}${note}\n`);
}

/**
 * A sharded run (`--shard K/N|auto`): resumes or starts the shard's file under <out>/shards, says which shard it
 * is and how far it got. Merging is `eqflow merge`.
 */
async function runShardCommand(
  opts: Common & { out: string; shardCount?: number },
  command: 'mnist' | 'attractor' | 'verify',
  text: string,
  run: (shard: { index: number; count: number }, file: string, tick: (fraction: number) => void) => Promise<{ jobs: number; resumed: number; finished: number }>,
): Promise<void> {
  const { resolveShard } = await import('../shard/spec.js');
  const { shardFileName } = await import('../shard/file.js');
  const shard = resolveShard(text, process.env, opts.shardCount);
  const file = join(opts.out, 'shards', shardFileName(command, shard));
  // every finished job is already on disk: an interrupt loses only the jobs in flight
  const release = onInterrupt('eqflow', async () => `shard ${shard.index}/${shard.count} saved in ${file}; the same command resumes it`);
  const bar = progress(opts, 100, `${command} ${shard.index}/${shard.count}`);
  let r;
  try {
    r = await run(shard, file, (f) => bar.tick(Math.floor(100 * f), ''));
  } finally {
    bar.stop();
  }
  release();
  const line = `shard ${shard.index}/${shard.count} (${shard.source}): ${r.finished} of ${r.jobs} jobs finished${r.resumed ? ` (${r.resumed} resumed from the file)` : ''}, in ${file}`;
  process.stdout.write(opts.json ? `${JSON.stringify({ shard, file, ...r })}\n` : `${line}\nmerge all ${shard.count} shards: eqflow merge ${join(opts.out, 'shards', `${command}.shard-*-of-${shard.count}.json`)} --out ${opts.out}\n`);
}

program
  .command('merge <files...>')
  .addHelpText('after', example('eqflow merge reports/shards/mnist.shard-*-of-3.json --out reports'))
  .description('join the shard files of one sharded run (--shard) into the result of one machine: the same files, bit for bit but timings')
  .option('--out <dir>', 'where the merged results go', 'reports')
  .option('--json', 'print the contributions as JSON only')
  .action(async (files: string[], opts: { out: string; json?: boolean }) => {
    const { mergeShardFiles } = await import('../shard/file.js');
    const merged = mergeShardFiles(files);
    // the command's own writer prints its table (not with --json); merge adds who contributed what
    const w = { out: opts.out, silent: opts.json };
    if (merged.command === 'mnist') await writeMnist(w, (await import('../shard/mnist.js')).mergeMnistShards(merged));
    else if (merged.command === 'attractor') await writeAttractor(w, (await import('../shard/attractor.js')).mergeAttractorShards(merged));
    else await writeVerify(w, await (await import('../shard/verify.js')).mergeVerifyShards(merged, opts.out));
    if (opts.json) {
      process.stdout.write(`${JSON.stringify({ command: merged.command, commit: merged.commit, contributions: merged.contributions })}\n`);
      return;
    }
    for (const c of merged.contributions) process.stdout.write(`shard ${c.shard.index}/${c.shard.count}: ${c.jobs} jobs from ${c.file}\n`);
    process.stdout.write(`merged ${merged.values.length} jobs of commit ${merged.commit}\n`);
  });

/**
 * Maps every failure to one line — never a stack trace — and an exit code: 2 bad input, 3 the implementation did
 * not answer properly (it crashed, hung or broke the protocol where no report could say so), 4 an internal error.
 * Verify's own codes are verifyExitCode's; a signal exits with 128 + its number (src/core/shutdown.ts).
 */
async function main(): Promise<void> {
  // every command: a signal stops the implementation processes it started and says so (verify and mnist save more)
  onInterrupt('eqflow', async () => 'nothing was written');
  try {
    await program.parseAsync(process.argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.version' || e.code === 'commander.help') {
        process.exitCode = 0;
        return;
      }
      process.exitCode = 2;
      return; // commander already printed its one-line message
    }
    if (faultKind(e)) {
      process.stderr.write(`eqflow: implementation error: ${(e as Error).message}\n`);
      process.exitCode = 3;
      return;
    }
    if (e instanceof EqflowError) {
      process.stderr.write(`eqflow: ${e.message}\n`);
      process.exitCode = 2;
      return;
    }
    process.stderr.write(`eqflow: internal error: ${(e as Error).message ?? String(e)}\n`);
    process.exitCode = 4;
  }
}

await main();
