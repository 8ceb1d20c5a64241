/** Why an input or a computation was refused; stable strings so callers and tests can match on them. */
export type ErrorCode =
  | 'invalid-argument'
  | 'dimension-mismatch'
  | 'not-finite'
  | 'not-a-group'
  | 'not-a-representation'
  | 'not-orthogonal'
  | 'incompatible'
  | 'not-converged'
  | 'unsupported'
  | 'io';

/** The one error type eqflow throws on bad input: a code, the offending field, and a readable message. */
export class EqflowError extends Error {
  readonly code: ErrorCode;
  readonly field: string;

  constructor(code: ErrorCode, field: string, message: string) {
    super(`${field}: ${message}`);
    this.name = 'EqflowError';
    this.code = code;
    this.field = field;
  }
}

/** Throws an EqflowError with code 'invalid-argument' unless `ok` holds. */
export function require(ok: boolean, field: string, message: string, code: ErrorCode = 'invalid-argument'): asserts ok {
  if (!ok) throw new EqflowError(code, field, message);
}

/** Rejects NaN/Inf so that they never propagate silently; names the first bad index. */
export function requireFinite(x: ArrayLike<number>, field: string): void {
  for (let i = 0; i < x.length; i++) {
    if (!Number.isFinite(x[i])) throw new EqflowError('not-finite', `${field}[${i}]`, `expected a finite number, got ${x[i]}`);
  }
}

/** Rejects a vector whose length is not `n`. */
export function requireLength(x: ArrayLike<number>, n: number, field: string): void {
  if (x.length !== n) throw new EqflowError('dimension-mismatch', field, `expected length ${n}, got ${x.length}`);
}

/** Rejects anything but a positive (or non-negative when `allowZero`) safe integer. */
export function requireInteger(n: number, field: string, min = 1): void {
  if (!Number.isSafeInteger(n) || n < min) throw new EqflowError('invalid-argument', field, `expected an integer ≥ ${min}, got ${n}`);
}
