import { mkdir } from 'node:fs/promises';
import { dirname, resolve } from 'node:path';
import writeFileAtomicLib from 'write-file-atomic';
import { EqflowError } from '../core/errors.js';

/** Why a write failed, in a form that names the file without leaking a stack of library frames. */
function ioError(path: string, action: string, cause: unknown): EqflowError {
  const reason = cause instanceof Error ? cause.message : String(cause);
  const err = new EqflowError('io', 'path', `could not ${action} ${path}: ${reason}`);
  // Keep the original for debugging; the code/field are what callers match on.
  err.cause = cause;
  return err;
}

/**
 * Writes `data` to `path` so that a reader sees either the old file or the whole new one, never a
 * torn write (temp file + fsync + rename); missing parent directories are created first.
 */
export async function writeFileAtomic(path: string, data: string | Uint8Array): Promise<void> {
  if (typeof path !== 'string' || path.length === 0) {
    throw new EqflowError('invalid-argument', 'path', 'expected a non-empty file path');
  }
  const target = resolve(path);
  try {
    await mkdir(dirname(target), { recursive: true });
  } catch (cause) {
    throw ioError(dirname(target), 'create directory', cause);
  }
  // The library's types accept Buffer only; wrap the same memory instead of copying it.
  const payload: string | Buffer =
    typeof data === 'string' ? data : Buffer.from(data.buffer, data.byteOffset, data.byteLength);
  try {
    await writeFileAtomicLib(target, payload, typeof data === 'string' ? { encoding: 'utf8' } : {});
  } catch (cause) {
    throw ioError(target, 'write', cause);
  }
}

/** Serializes plain data as pretty JSON, refusing NaN/Inf (JSON.stringify would turn them into null silently). */
export function toJsonText(value: unknown): string {
  // Remember each container's path so a bad leaf can be named precisely.
  const paths = new WeakMap<object, string>();
  const replacer = function (this: unknown, key: string, v: unknown): unknown {
    const holder = this;
    const base = typeof holder === 'object' && holder !== null ? paths.get(holder) : undefined;
    const here =
      base === undefined ? 'value' : Array.isArray(holder) ? `${base}[${key}]` : `${base}.${key}`;
    if (typeof v === 'number' && !Number.isFinite(v)) {
      throw new EqflowError('not-finite', here, `expected a finite number, got ${v}`);
    }
    if (typeof v === 'bigint') {
      throw new EqflowError('invalid-argument', here, 'BigInt cannot be written as JSON');
    }
    if (typeof v === 'object' && v !== null) paths.set(v, here);
    return v;
  };
  let text: string | undefined;
  try {
    text = JSON.stringify(value, replacer, 2);
  } catch (cause) {
    if (cause instanceof EqflowError) throw cause;
    // Cycles and throwing toJSON land here.
    throw new EqflowError('invalid-argument', 'value', `not serializable as JSON: ${cause instanceof Error ? cause.message : String(cause)}`);
  }
  if (text === undefined) {
    throw new EqflowError('invalid-argument', 'value', `not serializable as JSON: ${typeof value}`);
  }
  return `${text}\n`;
}

/** Writes `value` as pretty-printed JSON (trailing newline) atomically; see writeFileAtomic. */
export async function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  await writeFileAtomic(path, toJsonText(value));
}
