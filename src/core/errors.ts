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

  /** Structural, so an error thrown by another copy of eqflow (a user's module loaded beside the CLI) still matches. */
  static override [Symbol.hasInstance](v: unknown): boolean {
    return v instanceof Error && v.name === 'EqflowError' && typeof (v as { code?: unknown }).code === 'string';
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

/**
 * Size limits for what eqflow allocates from input sizes (a Case's dimensions and counts), so that an absurd size is
 * refused at once instead of exhausting memory or running for minutes: 2^25 entries for the per-element tables of a
 * representation (≈ 800× the largest built-in case, paper-cnn's 4 × 10 288) and 2^27 float64 (1 GiB) for a dataset
 * (≈ 4× the C4 orbit of all 10 000 MNIST digits).
 */
export const MAX_TABLE_ENTRIES = 2 ** 25;
export const MAX_DATA_ENTRIES = 2 ** 27;

/** Rejects an allocation of `entries` entries above `limit` (NaN too), naming the field and what it was for. */
export function requireSize(entries: number, limit: number, field: string, what: string): void {
  if (!(entries <= limit)) throw new EqflowError('invalid-argument', field, `${what} would need ${entries} entries, more than the limit of ${limit}`);
}
