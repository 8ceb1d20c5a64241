import { InvalidArgumentError } from 'commander';

/** Option parsers that reject malformed or out-of-range values with a message naming the expected form. */
export function integer(min: number, max = Number.MAX_SAFE_INTEGER): (v: string) => number {
  return (v) => {
    const n = Number(v);
    if (!/^[+-]?\d+$/.test(v.trim()) || !Number.isSafeInteger(n) || n < min || n > max) throw new InvalidArgumentError(`expected an integer in ${min}..${max === Number.MAX_SAFE_INTEGER ? '∞' : max}, got '${v}'`);
    return n;
  };
}

export function nonNegative(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`expected a finite number ≥ 0, got '${v}'`);
  return n;
}

export function positive(v: string): number {
  const n = Number(v);
  if (v.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError(`expected a finite number > 0, got '${v}'`);
  return n;
}

/** A comma-separated list of finite numbers ≥ 0. */
export function numberList(v: string): number[] {
  const parts = v.split(',').map((s) => s.trim());
  if (parts.some((s) => s === '')) throw new InvalidArgumentError(`expected a comma-separated list of numbers, got '${v}'`);
  return parts.map(nonNegative);
}

/** A JSON array of finite numbers (a flat parameter vector). */
export function vector(v: string): number[] {
  let x: unknown;
  try {
    x = JSON.parse(v);
  } catch {
    throw new InvalidArgumentError(`expected a JSON array of numbers, got '${v.slice(0, 40)}'`);
  }
  if (!Array.isArray(x) || !x.every((e) => typeof e === 'number' && Number.isFinite(e))) throw new InvalidArgumentError('expected a JSON array of finite numbers');
  return x as number[];
}
