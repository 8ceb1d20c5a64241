/** Helpers to assert on EqflowError (code, field, message) inside properties. */
import { EqflowError, ErrorCode } from '../../src/core/errors.js';

/** The error thrown by f, or undefined. */
export function thrown(f: () => unknown): unknown {
  try {
    f();
  } catch (e) {
    return e;
  }
  return undefined;
}

export interface ExpectedError {
  code: ErrorCode;
  /** exact field, or a pattern it must match */
  field?: string | RegExp;
  /** a pattern the message must match */
  message?: RegExp;
}

/**
 * Throws a descriptive Error unless f throws an EqflowError with the expected code, field and message; returns it.
 */
export function expectEqflowError(f: () => unknown, want: ExpectedError): EqflowError {
  const e = thrown(f);
  if (!(e instanceof EqflowError)) {
    throw new Error(`expected EqflowError(${want.code}), got ${e === undefined ? 'no error' : String(e)}`);
  }
  if (e.code !== want.code) throw new Error(`expected code ${want.code}, got ${e.code}: ${e.message}`);
  if (want.field !== undefined) {
    const ok = typeof want.field === 'string' ? e.field === want.field : want.field.test(e.field);
    if (!ok) throw new Error(`expected field ${String(want.field)}, got ${e.field}: ${e.message}`);
  }
  if (want.message && !want.message.test(e.message)) throw new Error(`expected message ${String(want.message)}, got: ${e.message}`);
  return e;
}
