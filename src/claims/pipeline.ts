/**
 * Independent requests sent together. An external implementation (docs/protocol.md §1, Order) may receive several
 * requests before answering; eqflow_torch evaluates consecutive `risk` requests of one session as one batch. The
 * claims that need many independent values (the columns of a finite-difference Hessian, curvature probes) issue
 * them through `together`, which keeps at most `width` outstanding so that the last answer of a chunk still arrives
 * within the per-request timeout on a slow implementation. For the in-process reference it is a plain loop.
 */

/** Requests in flight at once: enough to amortize a round trip and a batched evaluation, few enough for timeouts. */
export const PIPELINE_WIDTH = 16;

/** The results of `tasks` in order, started in consecutive chunks of `width` (each chunk awaited before the next). */
export async function together<T>(tasks: readonly (() => Promise<T>)[], width = PIPELINE_WIDTH): Promise<T[]> {
  const out: T[] = [];
  for (let i = 0; i < tasks.length; i += width) out.push(...(await Promise.all(tasks.slice(i, i + width).map((t) => t()))));
  return out;
}
