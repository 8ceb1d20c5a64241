import { ErrorCode, EqflowError } from '../core/errors.js';

/**
 * How an implementation failed to answer properly — as opposed to answering and the theorem's relation failing:
 * it crashed, timed out, broke the protocol (a line that is not JSON, an unknown or repeated id, a line over the
 * limit), answered something that is not a valid answer (NaN, a wrong length, a wrong dim), or eqflow stopped
 * restarting it after too many consecutive failures ('gave-up').
 */
export type FaultKind = 'crash' | 'timeout' | 'protocol' | 'answer' | 'gave-up';

/**
 * An EqflowError raised at the implementation boundary. A claim whose check meets one is reported `error`, not
 * `violated`, and is not shrunk (docs/protocol.md, Errors). Its name stays 'EqflowError': callers match codes.
 */
export class ImplementationFault extends EqflowError {
  constructor(readonly fault: FaultKind, code: ErrorCode, field: string, message: string) {
    super(code, field, message);
  }
}

/** The fault kind of `e` when it is an ImplementationFault (structurally, so one cloned across threads counts), else null. */
export function faultKind(e: unknown): FaultKind | null {
  if (!(e instanceof EqflowError)) return null;
  const k = (e as { fault?: unknown }).fault;
  return k === 'crash' || k === 'timeout' || k === 'protocol' || k === 'answer' || k === 'gave-up' ? k : null;
}
