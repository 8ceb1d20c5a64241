import { EqflowError } from '../core/errors.js';

/** How a group was built; representations that need a concrete element meaning (rot90, shifts) read it. */
export type GroupFamily =
  | { kind: 'cyclic'; n: number } // element k = r^k
  | { kind: 'dihedral'; n: number } // element k + n·f = r^k s^f
  | { kind: 'permutation'; degree: number; perms: Int32Array[] } // element g acts as i ↦ perms[g][i]
  | { kind: 'product'; factors: [FiniteGroup, FiniteGroup] } // element a·|H| + b = (a, b)
  | { kind: 'table' };

/**
 * A finite group G on the element indices {0, …, |G|−1}: multiplication table, inverses, identity and a
 * generating set. Uniform weights 1/|G| (docs/theory.md §1). Only `fromCayleyTable` constructs one, so every
 * FiniteGroup has passed the axiom checks.
 */
export class FiniteGroup {
  readonly name: string;
  readonly order: number;
  /** table[a·|G| + b] = a·b */
  readonly table: Int32Array;
  readonly inverse: Int32Array;
  readonly identity: number;
  readonly generators: number[];
  readonly labels: string[];
  readonly family: GroupFamily;

  /** @internal use fromCayleyTable */
  constructor(name: string, table: Int32Array, identity: number, inverse: Int32Array, generators: number[], labels: string[], family: GroupFamily) {
    this.name = name;
    this.order = inverse.length;
    this.table = table;
    this.identity = identity;
    this.inverse = inverse;
    this.generators = generators;
    this.labels = labels;
    this.family = family;
  }

  mul(a: number, b: number): number {
    return this.table[a * this.order + b];
  }

  inv(a: number): number {
    return this.inverse[a];
  }

  /** All element indices 0..|G|−1. */
  elements(): number[] {
    return Array.from({ length: this.order }, (_, i) => i);
  }
}

/** Options of fromCayleyTable: element names and how much of the axioms to check. */
export interface CayleyOptions {
  name?: string;
  labels?: string[];
  family?: GroupFamily;
}

/**
 * Largest group order eqflow builds: |S_7| = 5040. The Cayley table has |G|² entries (25 M here, ~0.1 GB and a few
 * seconds to check); S_8's 1.6·10⁹ would exhaust memory after minutes instead of failing.
 */
export const MAX_ORDER = 5040;

/** Refuses an order above MAX_ORDER before anything of size order² is allocated. */
export function requireOrder(order: number, field: string): void {
  if (!(order <= MAX_ORDER)) throw new EqflowError('invalid-argument', field, `a group of order ${order} is too large (at most ${MAX_ORDER}: its Cayley table has order² entries)`);
}

/**
 * Builds a group from its Cayley table (table[a][b] = a·b) after checking the axioms: closure, identity,
 * inverses, associativity. Associativity is checked by Light's test over a generating set (O(|G|²·|S|)):
 * the elements a with (x·a)·y = x·(a·y) for all x, y form a closed set containing e.
 * A violation throws EqflowError('not-a-group') naming the axiom and the elements.
 */
export function fromCayleyTable(rows: ArrayLike<ArrayLike<number>>, opts: CayleyOptions = {}): FiniteGroup {
  const n = rows.length;
  if (n < 1) throw new EqflowError('not-a-group', 'table', 'a group needs at least one element (the identity)');
  requireOrder(n, 'table');
  const table = new Int32Array(n * n);
  for (let a = 0; a < n; a++) {
    const row = rows[a];
    if (row.length !== n) throw new EqflowError('dimension-mismatch', `table[${a}]`, `expected ${n} entries (a square table), got ${row.length}`);
    for (let b = 0; b < n; b++) {
      const c = row[b];
      if (!Number.isInteger(c) || c < 0 || c >= n) {
        throw new EqflowError('not-a-group', `table[${a}][${b}]`, `closure fails: ${a}·${b} = ${c} is not an element index in 0..${n - 1}`);
      }
      table[a * n + b] = c;
    }
  }
  const labels = opts.labels ?? Array.from({ length: n }, (_, i) => String(i));
  const lab = (i: number) => labels[i];

  let identity = -1;
  for (let e = 0; e < n && identity < 0; e++) {
    let ok = true;
    for (let a = 0; a < n && ok; a++) ok = table[e * n + a] === a && table[a * n + e] === a;
    if (ok) identity = e;
  }
  if (identity < 0) throw new EqflowError('not-a-group', 'table', 'identity fails: no element e with e·a = a·e = a for every a');

  const inverse = new Int32Array(n).fill(-1);
  for (let a = 0; a < n; a++) {
    for (let b = 0; b < n; b++) {
      if (table[a * n + b] === identity && table[b * n + a] === identity) {
        inverse[a] = b;
        break;
      }
    }
    if (inverse[a] < 0) throw new EqflowError('not-a-group', 'table', `inverse fails: element ${lab(a)} has no two-sided inverse`);
  }

  // A generating set: add any element not yet reached by right products from e, until all are reached.
  const generators: number[] = [];
  const reached = new Uint8Array(n);
  reached[identity] = 1;
  let count = 1;
  for (let a = 0; a < n && count < n; a++) {
    if (reached[a]) continue;
    generators.push(a);
    const queue: number[] = [];
    for (let i = 0; i < n; i++) if (reached[i]) queue.push(i);
    while (queue.length) {
      const x = queue.pop() as number;
      for (const t of generators) {
        const y = table[x * n + t];
        if (!reached[y]) {
          reached[y] = 1;
          count++;
          queue.push(y);
        }
      }
    }
  }

  // Light's associativity test: (x·s)·y = x·(s·y) for all x, y and every generator s. The generators
  // reach every element by right products from e (checked above), so this proves associativity.
  for (const s of generators) {
    for (let x = 0; x < n; x++) {
      const xs = table[x * n + s];
      for (let y = 0; y < n; y++) {
        const left = table[xs * n + y];
        const right = table[x * n + table[s * n + y]];
        if (left !== right) {
          throw new EqflowError('not-a-group', 'table', `associativity fails: (${lab(x)}·${lab(s)})·${lab(y)} = ${lab(left)} but ${lab(x)}·(${lab(s)}·${lab(y)}) = ${lab(right)}`);
        }
      }
    }
  }
  return new FiniteGroup(opts.name ?? `G${n}`, table, identity, inverse, generators.length ? generators : [identity], labels, opts.family ?? { kind: 'table' });
}
