import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { Socket } from 'node:net';
import { z } from 'zod';
import { ErrorCode, EqflowError, requireFinite, requireLength } from '../core/errors.js';
import { PRECISIONS, Precision } from '../core/precision.js';
import { DYNAMICS, DynamicsKind } from '../flows/dynamics.js';
import { killGroup, registerGroup, unregisterGroup } from '../core/shutdown.js';
import { Projectors } from '../space/projectors.js';
import { buildAdmissible, buildData, buildGroup, buildModel } from './build.js';
import { Dataset } from '../risk/dataset.js';
import { CaseSpec } from './caseSpec.js';
import { buildPermCase } from './permCase.js';
import { FaultKind, ImplementationFault, faultKind } from './fault.js';
import { CAPABILITIES, Capability, CaseSession, GroupElement, Implementation, ProjectorName, RiskMode, SampleElements, notOffered } from './implementation.js';

/**
 * ExternalImplementation: drives an implementation in another process over the JSON-lines protocol "eqflow/1"
 * (docs/protocol.md). Every answer is validated with zod; every failure of the other side (timeout, crash, hang,
 * malformed line, wrong length, NaN, unknown or repeated id) rejects the pending request with an
 * ImplementationFault (an EqflowError with its kind: crash, timeout, protocol, answer) whose field names the request
 * (`op#id`) and the offending field, e.g. `risk#12.gradient[3]`. Nothing waits forever: a request that times out
 * kills the process, and the process's exit rejects everything still pending. After `maxFailures` consecutive
 * processes died without answering, no new one is started.
 */

export const PROTOCOL_VERSION = 'eqflow/1';

export const OPS = ['hello', 'open', 'act', 'project', 'risk', 'step', 'sampledStep', 'flow', 'close'] as const;
export type ExternalOp = (typeof OPS)[number];

/** How an external implementation is driven: per-request timeouts, the grace period on close, restarts, cwd, env and stderr. */
export interface ExternalOptions {
  /** ms to wait for each answer, handshake included (default 10 000) */
  timeoutMs?: number;
  /** per-op overrides of timeoutMs, e.g. { flow: 120_000 } for long flows */
  opTimeoutMs?: Partial<Record<ExternalOp, number>>;
  /** ms to wait for a clean exit after stdin is closed before the process group is killed (default 1000) */
  exitGraceMs?: number;
  /** start a fresh process on the next open() when the previous one died or was killed (default true) */
  respawn?: boolean;
  /** consecutive process failures (crash or timeout, no answer in between) after which no new process is started (default 3) */
  maxFailures?: number;
  cwd?: string;
  env?: Record<string, string | undefined>;
  /** 'pipe' keeps the last 4 KiB of stderr for error messages (default); 'inherit' also forwards it to ours */
  stderr?: 'pipe' | 'inherit';
}

/** Request counters, for throughput measurements. */
export interface ExternalStats {
  /** requests answered successfully (handshakes excluded) */
  requests: number;
  /** requests rejected for any reason */
  failures: number;
  /** processes started */
  spawns: number;
}

const ERROR_CODES: readonly ErrorCode[] = [
  'invalid-argument', 'dimension-mismatch', 'not-finite', 'not-a-group', 'not-a-representation', 'not-orthogonal',
  'incompatible', 'not-converged', 'unsupported', 'io',
];
const isErrorCode = (c: string): c is ErrorCode => (ERROR_CODES as readonly string[]).includes(c);

// ---------------------------------------------------------------------------------------------------------------
// Answer schemas. A custom issue carries the EqflowError code in params.eqflow (plain zod issues map to
// 'invalid-argument'), so a wrong length says 'dimension-mismatch' and a NaN says 'not-finite'.

function describe(v: unknown): string {
  if (typeof v === 'string') return `the string ${JSON.stringify(v.length > 40 ? `${v.slice(0, 40)}…` : v)}`;
  if (v === null) return 'null';
  if (Array.isArray(v)) return `an array of length ${v.length}`;
  return typeof v === 'object' ? 'an object' : `${typeof v} ${String(v)}`;
}

/** A JSON number that is finite; NaN/±Infinity arrive as the strings "NaN", "Infinity", "-Infinity" (see parseLine). */
function finiteIssue(v: unknown): { message: string; code: ErrorCode } | null {
  if (typeof v === 'number' && Number.isFinite(v)) return null;
  if (v === 'NaN' || v === 'Infinity' || v === '-Infinity') return { message: `expected a finite number, got ${v} (a bare ${v} token is not JSON)`, code: 'not-finite' };
  return { message: `expected a finite number, got ${describe(v)}`, code: 'invalid-argument' };
}

const finiteNumber = z.unknown().transform((v, ctx): number => {
  const bad = finiteIssue(v);
  if (!bad) return v as number;
  ctx.addIssue({ code: 'custom', message: bad.message, params: { eqflow: bad.code } });
  return z.NEVER;
});

/** A float64 vector of exactly `n` finite entries, decoded into a Float64Array. */
function vector(n: number): z.ZodType<Float64Array, unknown> {
  return z.unknown().transform((v, ctx): Float64Array => {
    if (!Array.isArray(v)) {
      ctx.addIssue({ code: 'custom', message: `expected an array of ${n} numbers, got ${describe(v)}`, params: { eqflow: 'invalid-argument' } });
      return z.NEVER;
    }
    if (v.length !== n) {
      ctx.addIssue({ code: 'custom', message: `expected length ${n} (dim), got ${v.length}`, params: { eqflow: 'dimension-mismatch' } });
      return z.NEVER;
    }
    const out = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const bad = finiteIssue(v[i]);
      if (bad) {
        ctx.addIssue({ code: 'custom', message: bad.message, path: [i], params: { eqflow: bad.code } });
        return z.NEVER;
      }
      out[i] = v[i] as number;
    }
    return out;
  });
}

const requestId = z.number().int().min(1);
const SessionId = z.union([z.string().min(1), z.number().int().min(0)]);
type SessionId = z.infer<typeof SessionId>;

const HelloAnswer = z.object({
  protocol: z.string(),
  name: z.string().min(1),
  capabilities: z.array(z.string()),
  /** optional (eqflow/1 stays compatible): the arithmetic its answers are computed in, default float64 */
  precision: z.enum(PRECISIONS).optional(),
});

const OpenAnswer = z.object({ id: requestId, session: SessionId, dim: z.number().int().min(1) });
const CloseAnswer = z.object({ id: requestId });
const ErrorAnswer = z.object({
  id: requestId.optional(),
  error: z.object({ code: z.string(), message: z.string(), field: z.string().optional() }),
});

/** Schemas of the answers that carry vectors, built once per session (they depend on dim). */
interface SessionSchemas {
  point: z.ZodType<{ id: number; A: Float64Array }, unknown>;
  risk: z.ZodType<{ id: number; value: number; gradient: Float64Array }, unknown>;
}

function sessionSchemas(dim: number): SessionSchemas {
  return {
    point: z.object({ id: requestId, A: vector(dim) }),
    risk: z.object({ id: requestId, value: finiteNumber, gradient: vector(dim) }),
  };
}

function flowSchema(dim: number, count: number): z.ZodType<{ id: number; points: Float64Array[] }, unknown> {
  return z.object({
    id: requestId,
    points: z.array(vector(dim)).refine((p) => p.length === count, {
      message: `expected ${count} points (one per requested time)`,
      params: { eqflow: 'dimension-mismatch' },
    }),
  });
}

/** The first issue of a failed validation as (code, path, message); path in the `a.b[3]` style of zodError. */
function firstIssue(err: z.ZodError): { code: ErrorCode; path: string; message: string } {
  const issue = err.issues[0];
  const path = issue.path.reduce<string>((p, k) => (typeof k === 'number' ? `${p}[${k}]` : `${p}.${String(k)}`), '');
  const params = issue.code === 'custom' ? (issue.params as Record<string, unknown> | undefined) : undefined;
  const raw = params?.eqflow;
  const code: ErrorCode = typeof raw === 'string' && isErrorCode(raw) ? raw : 'invalid-argument';
  return { code, path, message: issue.message };
}

// ---------------------------------------------------------------------------------------------------------------
// Line parsing

/**
 * JSON.parse, and on failure a second try that turns the bare tokens NaN, Infinity, -Infinity (which Python's
 * json.dumps writes by default) into strings, so that validation can name the field holding them.
 */
function parseLine(line: string): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(line) };
  } catch (e) {
    const tolerant = line.replace(/([[,:]\s*)(-?Infinity|NaN)(?=\s*[,\]}])/g, '$1"$2"');
    if (tolerant !== line) {
      try {
        return { ok: true, value: JSON.parse(tolerant) };
      } catch {
        // fall through: the line is malformed beyond the bare tokens
      }
    }
    return { ok: false, error: e instanceof Error ? e.message : String(e) };
  }
}

const clip = (s: string, n = 200): string => (s.length > n ? `${s.slice(0, n)}… (${s.length} characters)` : s);

// ---------------------------------------------------------------------------------------------------------------
// One child process and its pending requests

interface Pending {
  readonly op: ExternalOp;
  readonly schema: z.ZodType<unknown, unknown>;
  readonly resolve: (v: unknown) => void;
  readonly reject: (e: EqflowError) => void;
  readonly timer: NodeJS.Timeout;
}

/** Largest accepted line (64 MiB): a process that never writes a newline must not exhaust memory. */
const MAX_LINE = 64 * 1024 * 1024;

class Connection {
  private readonly child: ChildProcessWithoutNullStreams;
  private readonly pending = new Map<number, Pending>();
  private nextId = 1;
  private stderrTail = '';
  private exitInfo: string | null = null;
  private finalized = false;
  private hello: Pending | null = null;
  private readonly closed: Promise<void>;
  private markClosed: () => void = () => {};
  /** why the process was killed, when we killed it (prefixes the rejection of the other pending requests) */
  private killReason: string | null = null;
  /** the kind of fault that made us kill it (a timeout, a protocol violation) */
  private killKind: FaultKind = 'crash';
  /** a protocol violation that no pending request could carry (e.g. a repeated answer while nothing was pending) */
  private unreported: ImplementationFault | null = null;
  /** the ops of the last requests sent, to name the request a repeated answer belongs to */
  private readonly sentOps = new Map<number, ExternalOp>();
  /** computations this process answered validly (open and close excluded: a process that only opens is not working) */
  answered = 0;
  /** chunks of a line not yet ended by a newline, and their total length */
  private partial: string[] = [];
  private partialLength = 0;
  /** set by shutdown(): no new requests once stdin is closed */
  private closing = false;

  constructor(readonly command: string, private readonly opts: Required<Pick<ExternalOptions, 'timeoutMs' | 'exitGraceMs'>> & ExternalOptions, private readonly stats: ExternalStats) {
    this.closed = new Promise((resolve) => { this.markClosed = resolve; });
    this.child = spawn(command, { shell: true, detached: true, cwd: opts.cwd, env: opts.env ?? process.env, stdio: ['pipe', 'pipe', 'pipe'] });
    stats.spawns++;
    if (this.child.pid !== undefined) registerGroup(this.child.pid);
    // the process and its pipes never keep node alive on their own (a pending request's timer does): a program
    // that forgets close() still exits, and the exit hook kills the group
    this.child.unref();
    for (const s of [this.child.stdin, this.child.stdout, this.child.stderr]) if (s instanceof Socket) s.unref();
    this.child.stdout.setEncoding('utf8');
    this.child.stdout.on('data', (chunk: string) => this.onData(chunk));
    this.child.stderr.setEncoding('utf8');
    this.child.stderr.on('data', (chunk: string) => {
      this.stderrTail = (this.stderrTail + chunk).slice(-4096);
      if (opts.stderr === 'inherit') process.stderr.write(chunk);
    });
    // a write to a dead process fails with EPIPE: the exit handler reports it, so only record it here
    this.child.stdin.on('error', () => {});
    this.child.on('error', (e) => this.finalize(`could not run "${command}": ${e.message}`));
    this.child.on('exit', (code, signal) => {
      this.exitInfo = signal ? `killed by ${signal}` : `exited with code ${code}`;
      // answers written just before exiting may still be in the pipe: let 'close' (stdout drained) finalize,
      // with a short fallback when a grandchild keeps the pipe open
      setTimeout(() => this.finalize(this.exitInfo ?? 'exited'), 200).unref();
    });
    this.child.on('close', () => this.finalize(this.exitInfo ?? 'exited'));
  }

  /** The protocol violation no request has carried yet (then forgotten): the next open reports it instead of restarting. */
  takeUnreported(): ImplementationFault | null {
    const e = this.unreported;
    this.unreported = null;
    return e;
  }

  /** Why the process is gone, as a fault of the kind that ended it (for requests that arrive afterwards). */
  get deathReason(): { kind: FaultKind; reason: string } | null {
    if (this.alive) return null;
    return { kind: this.killReason !== null ? this.killKind : 'crash', reason: this.killReason ?? this.exitInfo ?? (this.closing ? 'closed by eqflow' : 'stopped') };
  }

  get alive(): boolean {
    return !this.finalized && !this.closing && this.exitInfo === null && this.killReason === null;
  }

  private timeoutFor(op: ExternalOp): number {
    return this.opts.opTimeoutMs?.[op] ?? this.opts.timeoutMs;
  }

  private stderrNote(): string {
    const t = this.stderrTail.trim();
    return t ? `; its stderr ends with: ${clip(t.split('\n').slice(-5).join(' | '), 600)}` : '';
  }

  /** The handshake: {"hello": "eqflow/1"} → {"protocol", "name", "capabilities"}. */
  handshake(): Promise<z.infer<typeof HelloAnswer>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => this.onTimeout('hello', 0), this.timeoutFor('hello'));
      this.hello = { op: 'hello', schema: HelloAnswer, resolve: (v) => resolve(v as z.infer<typeof HelloAnswer>), reject, timer };
      this.write({ hello: PROTOCOL_VERSION });
    });
  }

  /** Sends one request; resolves with the validated answer or rejects with an EqflowError naming `op#id`. */
  request<T>(op: ExternalOp, body: Record<string, unknown>, schema: z.ZodType<T, unknown>): Promise<T> {
    const id = this.nextId++;
    this.sentOps.set(id, op);
    if (this.sentOps.size > 256) this.sentOps.delete(this.sentOps.keys().next().value as number);
    const unreported = this.takeUnreported();
    if (unreported) {
      this.stats.failures++;
      return Promise.reject(unreported);
    }
    const dead = this.deathReason;
    if (dead) {
      this.stats.failures++;
      return Promise.reject(new ImplementationFault(dead.kind, 'io', `${op}#${id}`, `the implementation "${this.command}" is not running (${dead.reason})`));
    }
    return new Promise<T>((resolve, reject) => {
      const timer = setTimeout(() => this.onTimeout(op, id), this.timeoutFor(op));
      this.pending.set(id, { op, schema, resolve: (v) => resolve(v as T), reject, timer });
      this.write({ id, op, ...body });
    });
  }

  private write(msg: Record<string, unknown>): void {
    // JSON.stringify writes the shortest decimal that round-trips each float64 (docs/protocol.md, Numbers)
    this.child.stdin.write(`${JSON.stringify(msg)}\n`);
  }

  private onTimeout(op: ExternalOp, id: number): void {
    const ms = this.timeoutFor(op);
    const field = op === 'hello' ? 'hello' : `${op}#${id}`;
    const err = new ImplementationFault('timeout', 'io', field, `no answer within ${ms} ms; the implementation "${this.command}" was killed (hung or too slow: raise the timeout)`);
    if (op === 'hello' && this.hello) {
      this.hello.reject(err);
      this.hello = null;
    } else {
      const p = this.pending.get(id);
      if (!p) return;
      this.pending.delete(id);
      this.stats.failures++;
      p.reject(err);
    }
    this.kill(`killed after ${field} timed out`, 'timeout');
  }

  private onData(chunk: string): void {
    // only the new chunk is searched for a newline: a long line costs its length, not its length squared
    let from = 0;
    let nl: number;
    while ((nl = chunk.indexOf('\n', from)) >= 0) {
      const line = (this.partial.join('') + chunk.slice(from, nl)).replace(/\r$/, '');
      this.partial = [];
      this.partialLength = 0;
      from = nl + 1;
      if (line.trim() !== '') this.onLine(line);
      if (this.finalized) return;
    }
    if (from < chunk.length) {
      this.partial.push(chunk.slice(from));
      this.partialLength += chunk.length - from;
    }
    if (this.partialLength > MAX_LINE) {
      this.partial = [];
      this.partialLength = 0;
      this.violation(null, `an answer line longer than ${MAX_LINE} characters (no newline)`);
      this.kill('killed after an over-long answer line', 'protocol');
    }
  }

  /** Rejects the request `id` (or every pending one when the line cannot be attributed) with an 'io' error. */
  private violation(id: number | null, what: string): void {
    if (this.hello) {
      const h = this.hello;
      this.hello = null;
      clearTimeout(h.timer);
      h.reject(new ImplementationFault('protocol', 'io', 'hello', `${what}; expected the handshake answer {"protocol": "${PROTOCOL_VERSION}", "name", "capabilities"}`));
      return;
    }
    const targets = id !== null && this.pending.has(id) ? [id] : [...this.pending.keys()];
    // a repeated answer names the request it repeats, whichever request has to carry the failure
    const repeated = id !== null && !this.pending.has(id) ? `${this.sentOps.get(id) ?? 'request'}#${id}` : null;
    if (targets.length === 0) {
      // nothing pending can carry it: the next request does, and the process is not trusted with another
      this.unreported ??= new ImplementationFault('protocol', 'io', repeated ?? 'answer', what);
      this.kill(`killed after a protocol violation: ${what}`, 'protocol');
      return;
    }
    for (const t of targets) {
      const p = this.pending.get(t) as Pending;
      this.pending.delete(t);
      clearTimeout(p.timer);
      this.stats.failures++;
      p.reject(new ImplementationFault('protocol', 'io', repeated ?? `${p.op}#${t}`, what));
    }
  }

  private onLine(line: string): void {
    const parsed = parseLine(line);
    if (!parsed.ok) {
      // attribute the line by its id when one can be read, else it concerns every pending request
      const m = /"id"\s*:\s*(\d+)/.exec(line);
      this.violation(m ? Number(m[1]) : null, `malformed JSON in the answer (${parsed.error}): ${clip(line)}`);
      return;
    }
    const msg = parsed.value;
    if (this.hello) {
      const h = this.hello;
      this.hello = null;
      clearTimeout(h.timer);
      const err = ErrorAnswer.safeParse(msg);
      if (err.success) {
        h.reject(new ImplementationFault('protocol', 'unsupported', 'hello', `the implementation refused the handshake: ${err.data.error.code}: ${err.data.error.message}`));
        return;
      }
      const r = HelloAnswer.safeParse(msg);
      if (!r.success) {
        const i = firstIssue(r.error);
        h.reject(new ImplementationFault('protocol', i.code, `hello${i.path}`, `${i.message} in the handshake answer ${clip(line)}`));
        return;
      }
      h.resolve(r.data);
      return;
    }
    if (typeof msg !== 'object' || msg === null || Array.isArray(msg)) {
      this.violation(null, `an answer that is not a JSON object: ${clip(line)}`);
      return;
    }
    const rawId: unknown = (msg as { id?: unknown }).id;
    if (typeof rawId !== 'number' || !Number.isInteger(rawId)) {
      const e = ErrorAnswer.safeParse(msg);
      const said = e.success ? ` (it says ${e.data.error.code}: ${e.data.error.message})` : '';
      this.violation(null, `an answer without an integer "id"${said}: ${clip(line)}`);
      return;
    }
    const p = this.pending.get(rawId);
    if (!p) {
      const open = [...this.pending.entries()].map(([k, v]) => `${v.op}#${k}`).join(', ') || 'none';
      // ids are handed out in order: one below nextId that is not pending was answered (or given up) already
      const repeated = rawId >= 1 && rawId < this.nextId;
      this.violation(repeated ? rawId : null, repeated
        ? `a second answer to request id ${rawId}, which was already answered (pending: ${open})`
        : `the implementation answered request id ${rawId}, which is not pending (pending: ${open})`);
      return;
    }
    this.pending.delete(rawId);
    clearTimeout(p.timer);
    const field = `${p.op}#${rawId}`;
    if ('error' in msg) {
      const e = ErrorAnswer.safeParse(msg);
      this.stats.failures++;
      if (!e.success) {
        const i = firstIssue(e.error);
        p.reject(new ImplementationFault('protocol', 'io', `${field}${i.path}`, `a malformed error answer: ${i.message}`));
        return;
      }
      const { code, message, field: f } = e.data.error;
      const where = f ? `${field}.${f}` : field;
      const text = `the implementation answered ${code}: ${message}`;
      // a refusal with one of eqflow's codes is an answer; any other code (e.g. "internal") is an exception it did not handle
      p.reject(isErrorCode(code) ? new EqflowError(code, where, text) : new ImplementationFault('crash', 'io', where, text));
      return;
    }
    const r = p.schema.safeParse(msg);
    if (!r.success) {
      const i = firstIssue(r.error);
      this.stats.failures++;
      p.reject(new ImplementationFault('answer', i.code, `${field}${i.path}`, i.message));
      return;
    }
    this.stats.requests++;
    if (p.op !== 'open' && p.op !== 'close') this.answered++;
    p.resolve(r.data);
  }

  /** Kills the whole process group; the exit handler then rejects what is still pending. */
  kill(reason: string, kind: FaultKind = 'crash'): void {
    if (this.killReason === null) {
      this.killReason = reason;
      this.killKind = kind;
    }
    if (this.child.pid !== undefined) killGroup(this.child.pid);
  }

  /** Rejects everything pending once the process is gone (exactly once). */
  private finalize(how: string): void {
    if (this.finalized) return;
    this.finalized = true;
    if (this.child.pid !== undefined) unregisterGroup(this.child.pid);
    const why = this.killReason ? `${this.killReason} (${how})` : `the implementation "${this.command}" ${how} while the request was pending`;
    const kind: FaultKind = this.killReason !== null ? this.killKind : 'crash';
    if (this.hello) {
      clearTimeout(this.hello.timer);
      this.hello.reject(new ImplementationFault(kind, 'io', 'hello', `${why}${this.stderrNote()}`));
      this.hello = null;
    }
    for (const [id, p] of this.pending) {
      clearTimeout(p.timer);
      this.stats.failures++;
      p.reject(new ImplementationFault(kind, 'io', `${p.op}#${id}`, `${why}${this.stderrNote()}`));
    }
    this.pending.clear();
    this.markClosed();
  }

  /** Closes stdin (the protocol's shutdown), waits up to exitGraceMs for the exit, then kills the group. */
  async shutdown(): Promise<void> {
    this.closing = true;
    if (this.finalized) return;
    this.child.stdin.end();
    // these timers are ref'd: they keep node alive until the process has exited or been killed
    let timer: NodeJS.Timeout | undefined;
    const grace = new Promise<'grace'>((resolve) => { timer = setTimeout(() => resolve('grace'), this.opts.exitGraceMs); });
    const how = await Promise.race([this.closed.then(() => 'closed' as const), grace]);
    clearTimeout(timer);
    if (how === 'grace') {
      this.kill('killed after close(): it did not exit when its stdin was closed', 'timeout');
      await Promise.race([this.closed, new Promise((resolve) => { timer = setTimeout(resolve, 1000); })]);
      clearTimeout(timer);
    }
  }
}

// ---------------------------------------------------------------------------------------------------------------
// Cases on the wire

/** A Case as sent: defaults filled in by parseCase and the data made explicit (docs/protocol.md, Data). */
interface WireCase {
  readonly json: Record<string, unknown>;
  /** dim H from eqflow's own build of the model, checked against the implementation's answer */
  readonly dim: number;
}

/**
 * The Case with its data replaced by {"kind": "explicit", x, y}: synthetic data come from eqflow's seeded
 * generator (seedrandom), orbit data from eqflow's group action, MNIST from its package — none of which another
 * language can reproduce bit for bit, so the implementation receives the numbers themselves.
 */
export function wireCase(spec: CaseSpec): WireCase {
  const { data: d, dim } = spec.group.kind === 'perm-generators' ? permWireData(spec) : enumeratedWireData(spec);
  const rows = (v: Float64Array, n: number): number[][] => Array.from({ length: d.count }, (_, s) => Array.from(v.subarray(s * n, (s + 1) * n)));
  const json: Record<string, unknown> = { ...spec, data: { kind: 'explicit', x: rows(d.x, d.inputDim), y: rows(d.y, d.outputDim) } };
  return { json, dim };
}

function enumeratedWireData(spec: CaseSpec): { data: Dataset; dim: number } {
  const group = buildGroup(spec.group);
  const model = buildModel(group, spec.model);
  // an equivariant teacher (e.g. the toy-cnn example's data) is projected onto E: the Case's projectors are needed
  return { data: buildData(model, spec.data, 'data', new Projectors(buildAdmissible(model, spec.admissible))), dim: model.space.dim };
}

/** A group by generators is never enumerated: eqflow's own build of the Case gives its data and dim H. */
function permWireData(spec: CaseSpec): { data: Dataset; dim: number } {
  const c = buildPermCase(spec);
  return { data: c.data, dim: c.model.space.dim };
}

function checkVector(A: Float64Array, dim: number, field: string): number[] {
  requireLength(A, dim, field);
  requireFinite(A, field); // JSON has no NaN: JSON.stringify would send null
  return Array.from(A);
}

function checkScalar(v: number, field: string): number {
  if (!Number.isFinite(v)) throw new EqflowError('not-finite', field, `expected a finite number, got ${v}`);
  return v;
}

class ExternalSession implements CaseSession {
  private readonly schemas: SessionSchemas;
  private closed = false;

  constructor(private readonly impl: ExternalImplementation, private readonly conn: Connection, private readonly session: SessionId, readonly dim: number) {
    this.schemas = sessionSchemas(dim);
  }

  private need(c: Capability): void {
    if (!this.impl.capabilities.has(c)) throw notOffered(this.impl.name, c);
  }

  async act(g: GroupElement, A: Float64Array): Promise<Float64Array> {
    this.need('action');
    // a permutation (group by generators) travels as the array p, i ↦ p[i] (docs/protocol.md §7)
    if (typeof g !== 'number') return (await this.conn.request('act', { session: this.session, g: Array.from(g), A: checkVector(A, this.dim, 'A') }, this.schemas.point)).A;
    if (!Number.isInteger(g) || g < 0) throw new EqflowError('invalid-argument', 'g', `expected an element index ≥ 0, got ${g}`);
    return (await this.conn.request('act', { session: this.session, g, A: checkVector(A, this.dim, 'A') }, this.schemas.point)).A;
  }

  async project(which: ProjectorName, A: Float64Array): Promise<Float64Array> {
    this.need('projectors');
    return (await this.conn.request('project', { session: this.session, which, A: checkVector(A, this.dim, 'A') }, this.schemas.point)).A;
  }

  async risk(mode: RiskMode, A: Float64Array): Promise<{ value: number; gradient: Float64Array }> {
    this.need('risk');
    const r = await this.conn.request('risk', { session: this.session, mode, A: checkVector(A, this.dim, 'A') }, this.schemas.risk);
    return { value: r.value, gradient: r.gradient };
  }

  async step(kind: DynamicsKind, A: Float64Array, eta: number, gamma: number): Promise<Float64Array> {
    this.need('step');
    if (!(DYNAMICS as readonly string[]).includes(kind)) throw new EqflowError('invalid-argument', 'kind', `unknown dynamics ${kind}`);
    const body = { session: this.session, kind, A: checkVector(A, this.dim, 'A'), eta: checkScalar(eta, 'eta'), gamma: checkScalar(gamma, 'gamma') };
    return (await this.conn.request('step', body, this.schemas.point)).A;
  }

  async sampledStep(A: Float64Array, eta: number, gamma: number, elements: SampleElements): Promise<Float64Array> {
    this.need('sampled-step');
    // indices, or one permutation per sample for a group by generators
    const wire = elements instanceof Int32Array ? Array.from(elements) : elements.map((p) => Array.from(p));
    const body = { session: this.session, A: checkVector(A, this.dim, 'A'), eta: checkScalar(eta, 'eta'), gamma: checkScalar(gamma, 'gamma'), elements: wire };
    return (await this.conn.request('sampledStep', body, this.schemas.point)).A;
  }

  async flow(kind: DynamicsKind, A: Float64Array, gamma: number, times: number[], step: number): Promise<Float64Array[]> {
    this.need('flow');
    if (!(DYNAMICS as readonly string[]).includes(kind)) throw new EqflowError('invalid-argument', 'kind', `unknown dynamics ${kind}`);
    times.forEach((t, i) => checkScalar(t, `times[${i}]`));
    const body = { session: this.session, kind, A: checkVector(A, this.dim, 'A'), gamma: checkScalar(gamma, 'gamma'), times, step: checkScalar(step, 'step') };
    return (await this.conn.request('flow', body, flowSchema(this.dim, times.length))).points;
  }

  /** Never throws once the process is gone, so that withSession's finally cannot mask the error that killed it. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (!this.conn.alive) return;
    await this.conn.request('close', { session: this.session }, CloseAnswer);
  }
}

/** An Implementation in another process, speaking "eqflow/1" on its stdin/stdout. Create with `start`. */
export class ExternalImplementation implements Implementation {
  private readonly wire = new Map<string, WireCase>();
  private conn: Connection;
  private starting: Promise<void> | null = null;
  private closed = false;
  /** processes in a row that died (crash, timeout, kill) without a valid answer in between */
  private consecutiveFailures = 0;
  /** set once maxFailures is reached: why no process is started any more */
  private gaveUp: ImplementationFault | null = null;

  private constructor(
    readonly command: string,
    readonly name: string,
    readonly capabilities: ReadonlySet<Capability>,
    /** the precision announced in the handshake (float64 when none) */
    readonly precision: Precision,
    /** capability names the implementation offered that this eqflow does not know (ignored) */
    readonly unknownCapabilities: readonly string[],
    private readonly opts: Required<Pick<ExternalOptions, 'timeoutMs' | 'exitGraceMs'>> & ExternalOptions,
    conn: Connection,
    /** counters shared with every process this implementation starts */
    readonly stats: ExternalStats,
  ) {
    this.conn = conn;
  }

  /** Spawns `command` (a shell command line) and performs the handshake. */
  static async start(command: string, options: ExternalOptions = {}): Promise<ExternalImplementation> {
    const opts = { ...options, timeoutMs: options.timeoutMs ?? 10_000, exitGraceMs: options.exitGraceMs ?? 1000 };
    for (const [k, v] of Object.entries({ timeoutMs: opts.timeoutMs, exitGraceMs: opts.exitGraceMs, ...opts.opTimeoutMs })) {
      if (!(typeof v === 'number' && v > 0 && Number.isFinite(v))) throw new EqflowError('invalid-argument', k, `expected a positive number of ms, got ${v}`);
    }
    if (opts.maxFailures !== undefined && !(Number.isSafeInteger(opts.maxFailures) && opts.maxFailures >= 1)) throw new EqflowError('invalid-argument', 'maxFailures', `expected an integer ≥ 1, got ${opts.maxFailures}`);
    const stats: ExternalStats = { requests: 0, failures: 0, spawns: 0 };
    const { conn, name, capabilities, unknown, precision } = await ExternalImplementation.connect(command, opts, stats);
    return new ExternalImplementation(command, name, capabilities, precision, unknown, opts, conn, stats);
  }

  private static async connect(command: string, opts: Required<Pick<ExternalOptions, 'timeoutMs' | 'exitGraceMs'>> & ExternalOptions, stats: ExternalStats): Promise<{ conn: Connection; name: string; capabilities: Set<Capability>; unknown: string[]; precision: Precision }> {
    const conn = new Connection(command, opts, stats);
    let hello: z.infer<typeof HelloAnswer>;
    try {
      hello = await conn.handshake();
    } catch (e) {
      conn.kill('killed after a failed handshake');
      throw e;
    }
    if (hello.protocol !== PROTOCOL_VERSION) {
      conn.kill('killed after a protocol mismatch');
      throw new EqflowError('unsupported', 'hello.protocol', `the implementation speaks "${hello.protocol}", eqflow speaks "${PROTOCOL_VERSION}"`);
    }
    const known = hello.capabilities.filter((c): c is Capability => (CAPABILITIES as readonly string[]).includes(c));
    return { conn, name: hello.name, capabilities: new Set(known), unknown: hello.capabilities.filter((c) => !(CAPABILITIES as readonly string[]).includes(c)), precision: hello.precision ?? 'float64' };
  }

  /**
   * A fresh process when the previous one died (a crash or a timeout), so one bad case does not end a run — until
   * maxFailures processes in a row died without a valid answer: then every open fails at once with the reason.
   */
  private async ensureRunning(): Promise<void> {
    if (this.gaveUp) throw this.gaveUp;
    const unreported = this.conn.takeUnreported();
    if (unreported) throw unreported;
    if (this.conn.alive) return;
    if (this.opts.respawn === false) return; // request() then reports the dead process
    if (!this.starting) {
      this.starting = (async () => {
        const dead = this.conn.deathReason;
        this.countFailure(this.conn.answered > 0, dead?.reason ?? 'stopped');
        let started: Awaited<ReturnType<typeof ExternalImplementation.connect>>;
        try {
          started = await ExternalImplementation.connect(this.command, this.opts, this.stats);
        } catch (e) {
          // a restart that fails its handshake is one more failure in the row; the next open counts it
          this.countFailure(false, e instanceof Error ? e.message : String(e));
          throw faultKind(e) ? e : new ImplementationFault('crash', 'io', 'hello', `the restarted implementation failed its handshake: ${(e as Error).message}`);
        }
        const { conn, name, capabilities, precision } = started;
        const same = name === this.name && precision === this.precision && capabilities.size === this.capabilities.size && [...capabilities].every((c) => this.capabilities.has(c));
        if (!same) {
          conn.kill('killed: a restarted implementation must announce the same name, capabilities and precision');
          throw new EqflowError('io', 'hello', `the restarted implementation announced "${name}" with [${[...capabilities].join(', ')}], not "${this.name}" with [${[...this.capabilities].join(', ')}]`);
        }
        this.conn = conn;
      })().finally(() => { this.starting = null; });
    }
    await this.starting;
  }

  /** Counts one dead process (the row restarts after one that answered); at maxFailures, gives up with `reason`. */
  private countFailure(answeredBefore: boolean, reason: string): void {
    this.consecutiveFailures = answeredBefore ? 1 : this.consecutiveFailures + 1;
    const max = this.opts.maxFailures ?? 3;
    if (this.consecutiveFailures >= max && !this.gaveUp) {
      this.gaveUp = new ImplementationFault('gave-up', 'io', 'open', `eqflow stopped restarting "${this.command}" after ${max} consecutive failures (the last: ${reason}); --max-failures raises the limit`);
      throw this.gaveUp;
    }
  }

  private wireOf(spec: CaseSpec): WireCase {
    const key = JSON.stringify(spec);
    let w = this.wire.get(key);
    if (!w) {
      if (this.wire.size > 64) this.wire.clear(); // bounded over long property runs
      w = wireCase(spec);
      this.wire.set(key, w);
    }
    return w;
  }

  async open(spec: CaseSpec): Promise<CaseSession> {
    if (this.closed) throw new EqflowError('io', 'open', `the implementation "${this.command}" was closed`);
    // eqflow/1 compatibility: a group by generators goes only to an implementation that announced it
    if (spec.group.kind === 'perm-generators' && !this.capabilities.has('perm-generators')) throw notOffered(this.name, 'perm-generators');
    const w = this.wireOf(spec);
    await this.ensureRunning();
    const conn = this.conn;
    const r = await conn.request('open', { case: w.json }, OpenAnswer);
    if (r.dim !== w.dim) {
      if (conn.alive) await conn.request('close', { session: r.session }, CloseAnswer).catch(() => undefined);
      throw new ImplementationFault('answer', 'dimension-mismatch', `open#${r.id}.dim`, `the implementation's parameter space has dim ${r.dim}, eqflow's layout of case "${spec.name}" has ${w.dim}`);
    }
    return new ExternalSession(this, conn, r.session, r.dim);
  }

  /** Closes stdin, waits for the exit (killing the process group after exitGraceMs); idempotent. */
  async close(): Promise<void> {
    this.closed = true;
    await this.starting?.catch(() => undefined);
    await this.conn.shutdown();
  }
}
