/**
 * A small worker_threads pool for independent, deterministic jobs (the P1 runs of docs/theory.md §7). Jobs are handed
 * out one at a time to the next idle worker; results come back in job order, so the output never depends on the
 * number of workers or on scheduling. Worker entry modules call `serveJobs` with their handler.
 *
 * Workers run TypeScript: a `.ts` entry (under `tsx` or vitest) is loaded in the worker by tsx's `tsImport`, resolved
 * to an absolute URL so the current directory does not matter (see startWorker); a compiled `.js` entry needs no
 * loader.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { availableParallelism } from 'node:os';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { Worker, isMainThread, parentPort } from 'node:worker_threads';
import { EqflowError, ErrorCode, requireInteger } from '../core/errors.js';

/** Main → worker: run one job. */
interface JobMessage<J> {
  kind: 'job';
  index: number;
  job: J;
}

/** A thrown error flattened for postMessage (structured clone drops the EqflowError class). */
interface SerializedError {
  name: string;
  message: string;
  code: ErrorCode | null;
  field: string | null;
  stack: string | null;
}

/** Worker → main. */
type WorkerMessage =
  | { kind: 'progress'; index: number; done: number }
  | { kind: 'result'; index: number; value: unknown }
  | { kind: 'error'; index: number; error: SerializedError };

export interface PoolOptions<J, R> {
  /** the worker entry module (calls serveJobs) */
  url: URL;
  jobs: readonly J[];
  /** pool size; capped at the number of jobs */
  workers: number;
  /** checks and types a result that crossed the thread boundary (it arrives as `unknown`) */
  decode: (value: unknown, index: number) => R;
  /** units of work finished so far in job `index` (as reported by the worker's handler) */
  onProgress?: (index: number, done: number) => void;
}

/** One worker per core by default (os.availableParallelism, never below 1). */
export function defaultWorkers(): number {
  return Math.max(1, availableParallelism());
}

/**
 * Starts a worker on `url`. A compiled `.js` entry starts directly. A `.ts` entry starts through a one-line eval
 * bootstrap that loads it with tsx's `tsImport`: on Node 20 the loader hooks of `--import tsx` (in execArgv or
 * inherited) do not reach a worker's own entry, which then fails with ERR_UNKNOWN_FILE_EXTENSION.
 */
export function startWorker(url: URL): Worker {
  if (!fileURLToPath(url).endsWith('.ts')) return new Worker(url);
  let api: string;
  try {
    // the ESM api of tsx as an absolute URL, so neither the cwd nor the caller's loader matters
    api = pathToFileURL(join(dirname(createRequire(import.meta.url).resolve('tsx/package.json')), 'dist', 'esm', 'api', 'index.mjs')).href;
  } catch (cause) {
    throw new EqflowError('io', 'tsx', `a TypeScript worker entry needs the tsx loader (npm install tsx): ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  const boot = `import(${JSON.stringify(api)}).then((tsx) => tsx.tsImport(${JSON.stringify(url.href)}, ${JSON.stringify(url.href)}));`;
  // execArgv []: the parent's loader flags (tsx, vitest) are useless in the worker and only slow its start
  return new Worker(boot, { eval: true, execArgv: [] });
}

function serializeError(e: unknown): SerializedError {
  if (e instanceof EqflowError) return { name: e.name, message: e.message, code: e.code, field: e.field, stack: e.stack ?? null };
  if (e instanceof Error) return { name: e.name, message: e.message, code: null, field: null, stack: e.stack ?? null };
  return { name: 'Error', message: String(e), code: null, field: null, stack: null };
}

/** Rebuilds the worker's error on the main thread, keeping EqflowError's code and field. */
function reviveError(s: SerializedError, index: number): Error {
  if (s.code !== null && s.field !== null) {
    // EqflowError prefixes the field itself; strip it from the message to avoid "field: field: …"
    const prefix = `${s.field}: `;
    const err = new EqflowError(s.code, s.field, s.message.startsWith(prefix) ? s.message.slice(prefix.length) : s.message);
    if (s.stack !== null) err.stack = s.stack;
    return err;
  }
  const err = new Error(`job ${index} failed in a worker: ${s.message}`);
  if (s.stack !== null) err.stack = s.stack;
  return err;
}

function isWorkerMessage(m: unknown): m is WorkerMessage {
  if (typeof m !== 'object' || m === null) return false;
  const r = m as { kind?: unknown; index?: unknown };
  return (r.kind === 'progress' || r.kind === 'result' || r.kind === 'error') && typeof r.index === 'number';
}

/**
 * Runs `jobs` on `workers` worker threads and resolves with their results in job order. The first failing job
 * rejects the whole pool (with the worker's EqflowError when it threw one) and every worker is terminated.
 */
export function runPool<J, R>(opts: PoolOptions<J, R>): Promise<R[]> {
  requireInteger(opts.workers, 'workers');
  const { jobs, decode, onProgress } = opts;
  const results = new Array<R>(jobs.length);
  if (jobs.length === 0) return Promise.resolve(results);
  const size = Math.min(opts.workers, jobs.length);

  return new Promise<R[]>((resolve, reject) => {
    const pool: Worker[] = [];
    let next = 0;
    let finished = 0;
    let settled = false;

    const stopAll = (): void => {
      for (const w of pool) void w.terminate();
    };
    const fail = (e: Error): void => {
      if (settled) return;
      settled = true;
      stopAll();
      reject(e);
    };
    const feed = (w: Worker): void => {
      if (next >= jobs.length) return;
      const msg: JobMessage<J> = { kind: 'job', index: next, job: jobs[next] };
      next++;
      w.postMessage(msg);
    };

    for (let k = 0; k < size; k++) {
      let w: Worker;
      try {
        w = startWorker(opts.url);
      } catch (cause) {
        fail(new EqflowError('io', 'workers', `could not start worker ${fileURLToPath(opts.url)}: ${cause instanceof Error ? cause.message : String(cause)}`));
        return;
      }
      pool.push(w);
      w.on('message', (m: unknown) => {
        if (settled) return;
        if (!isWorkerMessage(m)) {
          fail(new EqflowError('invalid-argument', 'worker message', `unexpected message from a worker: ${JSON.stringify(m)}`));
          return;
        }
        if (m.kind === 'progress') {
          onProgress?.(m.index, m.done);
          return;
        }
        if (m.kind === 'error') {
          fail(reviveError(m.error, m.index));
          return;
        }
        try {
          results[m.index] = decode(m.value, m.index);
        } catch (e) {
          fail(e instanceof Error ? e : new Error(String(e)));
          return;
        }
        finished++;
        if (finished === jobs.length) {
          settled = true;
          stopAll();
          resolve(results);
        } else feed(w);
      });
      w.on('error', (e: Error) => fail(e));
      w.on('exit', (code) => {
        if (!settled) fail(new EqflowError('io', 'workers', `a worker exited (code ${code}) before all ${jobs.length} jobs finished`));
      });
      feed(w);
    }
  });
}

/**
 * Worker side: answers every job message with `handler(job, progress)`'s result (or its error). `progress(done)`
 * reports units of work finished in the current job. A no-op on the main thread, so importing it is harmless.
 */
export function serveJobs<J, R>(decodeJob: (value: unknown) => J, handler: (job: J, progress: (done: number) => void) => R | Promise<R>): void {
  if (isMainThread || parentPort === null) return;
  const port = parentPort;
  // the main thread sends a worker its next job only after this one's result, so async handlers never overlap
  port.on('message', async (m: unknown) => {
    const index = typeof m === 'object' && m !== null && typeof (m as { index?: unknown }).index === 'number' ? (m as { index: number }).index : -1;
    try {
      if (typeof m !== 'object' || m === null || (m as { kind?: unknown }).kind !== 'job') throw new EqflowError('invalid-argument', 'job message', 'expected { kind: "job", index, job }');
      const job = decodeJob((m as { job?: unknown }).job);
      const value = await handler(job, (done) => port.postMessage({ kind: 'progress', index, done } satisfies WorkerMessage));
      port.postMessage({ kind: 'result', index, value } satisfies WorkerMessage);
    } catch (e) {
      port.postMessage({ kind: 'error', index, error: serializeError(e) } satisfies WorkerMessage);
    }
  });
}
