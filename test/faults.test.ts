/**
 * Fault injection: each fault class an implementation can commit, injected by test/fixtures/fault-proxy.mjs into a
 * correct implementation (eqflow's reference behind the protocol), through `eqflow verify --impl` as a user runs it.
 * For each: the verdict, the exit code, a message naming the request and the field, a bound on the wall time, and
 * no process left behind. Then each of SIGINT, SIGTERM and SIGHUP sent to a verify whose implementation never
 * answers: nothing of its process group survives, and the partial report exists and resumes to the full one.
 */
import { spawn } from 'node:child_process';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import type { VerificationReport } from '../src/claims/verify.js';
import { exampleByName } from '../src/impl/examples.js';
import { leftAfter } from './fixtures/processes.js';

const dir = mkdtempSync(join(tmpdir(), 'eqflow-faults-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  out: string;
  err: string;
  seconds: number;
  report: VerificationReport | null;
  /** process groups the proxy recorded (one per implementation process started) */
  groups: number[];
}

const proxy = (fault: string) => `"${process.execPath}" test/fixtures/fault-proxy.mjs ${fault}`;
const readPids = (file: string): string[] => (existsSync(file) ? readFileSync(file, 'utf8').trim().split('\n').filter(Boolean) : []);

/**
 * Runs `eqflow verify` against the proxy injecting `fault`; `interrupt` sends that signal once the proxy says it
 * hangs. Resolves when eqflow has exited.
 */
function verify(name: string, fault: string, args: string[], interrupt?: NodeJS.Signals, out = join(dir, name)): Promise<Run> {
  const pids = join(dir, `${name}.pids`);
  const t0 = performance.now();
  const child = spawn(process.execPath, ['bin/eqflow.mjs', 'verify', '--impl', proxy(fault), '--out', out, '--quiet', ...args], { env: { ...process.env, EQFLOW_FAULT_PIDS: pids } });
  let stdout = '', stderr = '';
  child.stdout.on('data', (d: Buffer) => { stdout += d.toString(); });
  child.stderr.on('data', (d: Buffer) => { stderr += d.toString(); });
  let poll: NodeJS.Timeout | undefined;
  if (interrupt) {
    poll = setInterval(() => {
      if (readPids(pids).includes('hanging')) {
        clearInterval(poll);
        child.kill(interrupt);
      }
    }, 50);
  }
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      const seconds = (performance.now() - t0) / 1000;
      const file = join(out, 'verification.json');
      const report = existsSync(file) ? (JSON.parse(readFileSync(file, 'utf8')) as VerificationReport) : null;
      const groups = readPids(pids).filter((l) => l !== 'hanging').map((l) => Number(l.split(' ')[1]));
      // stdout may still be draining after 'exit'
      setTimeout(() => resolve({ code, signal, out: stdout, err: stderr, seconds, report, groups }), 50);
    });
  });
}

/** At most `n` of the wrapped calls at a time: two eqflow runs overlap their waits without starving a 2-core machine. */
function limit(n: number): <T>(f: () => Promise<T>) => Promise<T> {
  let active = 0;
  const queue: Array<() => void> = [];
  return async (f) => {
    if (active >= n) await new Promise<void>((r) => queue.push(r));
    active++;
    try {
      return await f();
    } finally {
      active--;
      queue.shift()?.();
    }
  };
}
const slot = limit(2);

const verdictOf = (r: Run, id: string) => r.report?.claims.find((c) => c.id === id);
const TIMEOUT = 1000;
const ONLY = ['--only', 'action,projectors', '--runs', '3', '--timeout', String(TIMEOUT)];

interface Fault {
  fault: string;
  /**
   * the verdict of 'action', whose first act answer carries the fault; projectors (which acts too) holds when the
   * fault left the process running, as each process injects its fault once
   */
  verdict: 'error' | 'holds' | null;
  exit: number;
  /** the message naming the request and the field (in the report, or on stderr when there is none) */
  message?: RegExp;
  /** request timeouts the run may wait out, for the wall-time bound */
  timeouts: number;
  args?: string[];
}

const FAULTS: Fault[] = [
  { fault: 'nan', verdict: 'error', exit: 3, message: /^act#\d+\.A\[1\]: expected a finite number, got NaN/, timeouts: 0 },
  { fault: 'wrong-length', verdict: 'error', exit: 3, message: /^act#\d+\.A: expected length (\d+) \(dim\), got \d+/, timeouts: 0 },
  { fault: 'wrong-dim', verdict: 'error', exit: 3, message: /^open#\d+\.dim: the implementation's parameter space has dim \d+, eqflow's layout/, timeouts: 0 },
  { fault: 'non-json', verdict: 'error', exit: 3, message: /^act#\d+: malformed JSON in the answer .*: loading weights\.\.\. done/, timeouts: 0 },
  { fault: 'crash', verdict: 'error', exit: 3, message: /^act#\d+: the implementation .* exited with code 1 while the request was pending; its stderr ends with: .*ZeroDivisionError: division by zero/, timeouts: 0 },
  { fault: 'hang', verdict: 'error', exit: 3, message: /^act#\d+: no answer within 1000 ms; the implementation .* was killed/, timeouts: 1 },
  { fault: 'half-line', verdict: 'error', exit: 3, message: /^act#\d+: no answer within 1000 ms/, timeouts: 1 },
  { fault: 'wrong-id', verdict: 'error', exit: 3, message: /^act#(\d+): the implementation answered request id \d+, which is not pending \(pending: act#\d+\)/, timeouts: 0 },
  { fault: 'duplicate-id', verdict: 'error', exit: 3, message: /^\w+#(\d+): a second answer to request id (\d+), which was already answered/, timeouts: 0 },
  // 69 MiB through a pipe: a longer timeout, so that the limit, not the clock, ends it on a loaded machine
  { fault: 'long-line', verdict: 'error', exit: 3, message: /^act#\d+: an answer line longer than 67108864 characters/, timeouts: 0, args: ['--only', 'action,projectors', '--runs', '3', '--timeout', '30000'] },
  { fault: 'stderr-flood', verdict: 'holds', exit: 0, timeouts: 0 },
  { fault: 'ignore-eof', verdict: 'holds', exit: 0, timeouts: 1 },
  { fault: 'slow', verdict: 'holds', exit: 0, timeouts: 0 },
  { fault: 'bad-version', verdict: null, exit: 2, message: /^eqflow: hello\.protocol: the implementation speaks "eqflow\/2", eqflow speaks "eqflow\/1"$/, timeouts: 0 },
  // hangs on open: after 2 processes in a row died without answering, the rest is error at once
  { fault: 'hang-open', verdict: 'error', exit: 3, message: /^open#\d+: no answer within 1000 ms/, timeouts: 2, args: ['--only', 'action,projectors,gradient,lemma-1a-2a', '--runs', '3', '--timeout', String(TIMEOUT), '--max-failures', '2'] },
];

describe('fault injection: each fault class through eqflow verify --impl (test/fixtures/fault-proxy.mjs)', () => {
  const table: string[] = [];
  let baseline = 0;
  afterAll(() => console.log(`fault → verdict of 'action', exit code, seconds (baseline, no fault: ${baseline.toFixed(1)} s)\n${table.join('\n')}`));

  test('no fault: every claim holds, exit 0 (the baseline time)', async () => {
    const r = await verify('none', 'none', ONLY);
    expect(r.code, r.err).toBe(0);
    expect(r.report?.claims.map((c) => c.verdict)).toEqual(['holds', 'holds']);
    expect(await leftAfter(r.groups, 2000)).toEqual([]);
    baseline = r.seconds;
  });

  describe.concurrent('faults', () => {
    for (const f of FAULTS) {
      test(f.fault, async () => {
        const r = await slot(() => verify(f.fault, f.fault, f.args ?? ONLY));
        table.push(`${f.fault.padEnd(13)} ${String(verdictOf(r, 'action')?.verdict ?? '(no report)').padEnd(12)} ${r.code}  ${r.seconds.toFixed(1)}`);
        expect(r.code, `${r.err}\n${r.out}`).toBe(f.exit);
        if (f.verdict === null) {
          expect(r.report).toBeNull();
          expect(r.err.trim().split('\n')).toHaveLength(1);
          expect(r.err.trim()).toMatch(f.message as RegExp);
        } else {
          const action = verdictOf(r, 'action');
          expect(action?.verdict, action?.message).toBe(f.verdict);
          if (f.message) expect(action?.message).toMatch(f.message);
          if (f.verdict === 'error') {
            // not shrunk: the input the implementation failed on is saved, and the replay line stays
            expect(action?.counterexampleFile).toBeDefined();
            expect(r.out).toMatch(/replay action: eqflow replay \S+action-2025\.json --impl/);
          }
          if (['nan', 'wrong-length', 'non-json', 'wrong-id'].includes(f.fault)) expect(verdictOf(r, 'projectors')?.verdict).toBe('holds');
        }
        if (f.fault === 'duplicate-id') {
          const m = f.message?.exec(verdictOf(r, 'action')?.message ?? '');
          expect(m?.[1]).toBe(m?.[2]); // the request named is the one answered twice
        }
        if (f.fault === 'hang-open') {
          const msgs = r.report?.claims.map((c) => c.message ?? '') ?? [];
          expect(msgs.slice(2).every((m) => /stopped restarting .* after 2 consecutive failures/.test(m)), msgs.join('\n')).toBe(true);
        }
        // a run that waited out at most `timeouts` timeouts (never one per shrink step), on top of a correct run's time
        expect(r.seconds).toBeLessThan(3 * Math.max(baseline, 2) + (f.timeouts * TIMEOUT) / 1000 + 10);
        expect(await leftAfter(r.groups, 2000)).toEqual([]);
      }, 600_000); // most of it waiting for a slot: the runs' own times are r.seconds
    }
  });
});

describe('signals: a verify whose implementation never answers', () => {
  const NUMBERS = { SIGHUP: 1, SIGINT: 2, SIGTERM: 15 } as const;
  for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) {
    test(`${signal}: exit ${128 + NUMBERS[signal]}, one line, no process of its group 2 s later, a partial report`, async () => {
      // action finishes; projectors hangs on its first project request (60 s timeout): the signal comes then
      const r = await verify(`signal-${signal}`, 'hang-project', ['--only', 'action,projectors', '--runs', '3', '--timeout', '60000'], signal);
      expect(r.code, r.err).toBe(128 + NUMBERS[signal]);
      const lines = r.err.trim().split('\n');
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatch(new RegExp(`^eqflow: interrupted by ${signal}; stopped 1 implementation process; 1 of 2 claims finished, saved to \\S+verification\\.json; \`eqflow verify --resume\` with the same options runs the rest$`));
      expect(r.groups.length).toBeGreaterThan(0);
      expect(await leftAfter(r.groups, 2000)).toEqual([]);
      expect(r.report?.interruptedBy).toBe(signal);
      expect(r.report?.claims.map((c) => c.verdict)).toEqual(['holds', 'interrupted']);
      expect(readFileSync(join(dir, `signal-${signal}`, 'verification.md'), 'utf8')).toMatch(/Interrupted by/);
    });
  }

  test('--resume continues an interrupted verify: the report equals an uninterrupted run\'s, timings aside', async () => {
    const args = ['--only', 'action,projectors,gradient', '--runs', '3', '--timeout', '60000'];
    const out = join(dir, 'resumed');
    const cut = await verify('resume-cut', 'hang-project', args, 'SIGINT', out);
    expect(cut.code).toBe(130);
    expect(cut.report?.claims.map((c) => c.verdict)).toEqual(['holds', 'interrupted', 'interrupted']);
    const [resumed, whole] = await Promise.all([verify('resume-rest', 'none', [...args, '--resume'], undefined, out), verify('resume-whole', 'none', args)]);
    expect(resumed.code, resumed.err).toBe(0);
    expect(whole.code, whole.err).toBe(0);
    const strip = (r: VerificationReport | null) => ({ ...r, generatedAt: 0, durationMs: 0 });
    expect(strip(resumed.report)).toEqual(strip(whole.report));
    // a report of another seed is not resumed: the results would differ
    const other = await verify('resume-other', 'none', [...args, '--resume', '--seed', '7'], undefined, out);
    expect(other.code).toBe(2);
    expect(other.err).toMatch(/^eqflow: --resume: the report to resume was made with seed 2025, this run has 7/);
  });
});

describe('check-trace on a recorded run that diverged', () => {
  test('a NaN parameter (the bare token Python writes) is the verdict error, exit 3, naming the snapshot and entry', () => {
    const file = join(dir, 'diverged.json');
    const trace = { case: exampleByName('example-q').spec, gamma: 1, dynamics: 'reg-augmented', snapshots: [{ t: 0, A: [0.5, 0.25] }, { t: 1, A: [0.4, 1234.5] }] };
    writeFileSync(file, JSON.stringify(trace).replace('1234.5', 'NaN'));
    const r = spawnSync(process.execPath, ['bin/eqflow.mjs', 'check-trace', file], { encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(3);
    expect(r.stdout).toMatch(/^verdict error .*trace\.snapshots\[1\]\.A\[1\]: expected a finite number, got "NaN"/);
  });
});
