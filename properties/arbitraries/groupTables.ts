/** Test support for the Cayley-table and generator validators: brute-force axioms and corrupted tables. */
import fc from 'fast-check';
import { FiniteGroup } from '../../src/groups/group.js';
import { buildGroup, GroupSpec, groupSpecArb, permutationArb } from '../../src/arbitraries/groups.js';

/** Plain 2-D table of a group (table[a][b] = a·b). */
export function tableRows(G: FiniteGroup): number[][] {
  const n = G.order;
  return Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => G.table[a * n + b]));
}

/**
 * The smallest non-associative loop (order 5): a Latin square with identity 0 in which every element is its own
 * inverse, but (1·1)·2 = 0·2 = 2 ≠ 1·(1·2) = 1·3 = 4.
 */
export const LOOP5: number[][] = [
  [0, 1, 2, 3, 4],
  [1, 0, 3, 4, 2],
  [2, 4, 0, 1, 3],
  [3, 2, 4, 0, 1],
  [4, 3, 1, 2, 0],
];

/** The axiom a brute-force check finds violated first, or null for a group. Independent of fromCayleyTable. */
export type Axiom = 'closure' | 'identity' | 'inverse' | 'associativity';

/**
 * Brute-force group axioms on a Cayley table: closure (entries are element indices), a two-sided identity, a
 * two-sided inverse for every element, and (x·y)·z = x·(y·z) for all |G|³ triples. Returns the first violated
 * axiom or null.
 */
export function bruteForceViolation(rows: readonly (readonly number[])[]): Axiom | null {
  const n = rows.length;
  if (n === 0) return 'identity';
  const t = new Int32Array(n * n);
  for (let a = 0; a < n; a++) {
    const r = rows[a];
    if (r.length !== n) return 'closure';
    for (let b = 0; b < n; b++) {
      const c = r[b];
      if (!Number.isInteger(c) || c < 0 || c >= n) return 'closure';
      t[a * n + b] = c;
    }
  }
  return bruteForceViolationFlat(t, n);
}

/** The same on a flat table t[a·n + b] = a·b. */
export function bruteForceViolationFlat(t: Int32Array, n: number): Axiom | null {
  for (let i = 0; i < n * n; i++) if (t[i] < 0 || t[i] >= n) return 'closure';
  let e = -1;
  for (let c = 0; c < n && e < 0; c++) {
    let ok = true;
    for (let a = 0; a < n && ok; a++) ok = t[c * n + a] === a && t[a * n + c] === a;
    if (ok) e = c;
  }
  if (e < 0) return 'identity';
  for (let a = 0; a < n; a++) {
    let found = false;
    for (let b = 0; b < n && !found; b++) found = t[a * n + b] === e && t[b * n + a] === e;
    if (!found) return 'inverse';
  }
  return bruteForceAssociative(t, n) ? null : 'associativity';
}

/** (x·y)·z = x·(y·z) for all triples, on a flat table. O(n³). */
export function bruteForceAssociative(t: Int32Array, n: number): boolean {
  for (let x = 0; x < n; x++) {
    for (let y = 0; y < n; y++) {
      const xy = t[x * n + y] * n;
      for (let z = 0; z < n; z++) if (t[xy + z] !== t[x * n + t[y * n + z]]) return false;
    }
  }
  return true;
}

/** How one entry of a valid table is corrupted: another element index, or a value outside the element set. */
export type Corruption =
  | { kind: 'element'; a: number; b: number; shift: number } // table[a][b] ← (table[a][b] + shift) mod n, shift ∈ 1..n−1
  | { kind: 'outside'; a: number; b: number; value: 'n' | '-1' | 'half' | 'NaN' };

export interface CorruptedTable {
  group: GroupSpec;
  corruption: Corruption;
}

/** Applies a corruption to a copy of the rows. */
export function corrupt(rows: number[][], c: Corruption): number[][] {
  const n = rows.length;
  const out = rows.map((r) => r.slice());
  if (c.kind === 'element') out[c.a][c.b] = (out[c.a][c.b] + c.shift) % n;
  else out[c.a][c.b] = c.value === 'n' ? n : c.value === '-1' ? -1 : c.value === 'half' ? out[c.a][c.b] + 0.5 : Number.NaN;
  return out;
}

/**
 * A valid group (order 2..24, so the brute force stays cheap) with one table entry changed. A group table is a
 * Latin square, so changing one entry never yields a group: every case is a non-group.
 */
export function corruptedTableArb(): fc.Arbitrary<CorruptedTable> {
  const base = groupSpecArb({ s5: false }).filter((g) => buildGroup(g).order >= 2);
  return base.chain((group) => {
    const n = buildGroup(group).order;
    const cell = fc.tuple(fc.nat({ max: n - 1 }), fc.nat({ max: n - 1 }));
    const element = fc.tuple(cell, fc.integer({ min: 1, max: n - 1 })).map(([[a, b], shift]): Corruption => ({ kind: 'element', a, b, shift }));
    const outside = fc.tuple(cell, fc.constantFrom<'n' | '-1' | 'half' | 'NaN'>('n', '-1', 'half', 'NaN')).map(([[a, b], value]): Corruption => ({ kind: 'outside', a, b, value }));
    return fc.oneof({ arbitrary: element, weight: 4 }, { arbitrary: outside, weight: 1 }).map((corruption) => ({ group, corruption }));
  });
}

/**
 * Generator lists of which at least one is not a permutation of 0..d−1: a repeated point (not injective, so no
 * inverse) or a point outside 0..d−1 (closure). The lists all have the right length d.
 */
export interface BadGenerators {
  gens: number[][];
  bad: number;
  fault: 'repeat' | 'outside';
}

export function badGeneratorsArb(): fc.Arbitrary<BadGenerators> {
  return fc.integer({ min: 2, max: 6 }).chain((d) =>
    fc
      .tuple(
        fc.array(permutationArb(d), { minLength: 0, maxLength: 2 }),
        permutationArb(d),
        fc.nat({ max: d - 1 }),
        fc.nat({ max: d - 2 }),
        fc.constantFrom<'repeat' | 'outside'>('repeat', 'outside'),
        fc.constantFrom(-1, d, d + 3, 0.5),
        fc.nat({ max: 2 }),
      )
      .map(([good, p, i, j, fault, outside, at]): BadGenerators => {
        const q = p.slice();
        if (fault === 'repeat') {
          const k = j >= i ? j + 1 : j; // k ≠ i
          q[k] = q[i];
        } else {
          q[i] = outside === 0.5 ? q[i] + 0.5 : outside;
        }
        const pos = Math.min(at, good.length);
        const gens = good.slice();
        gens.splice(pos, 0, q);
        return { gens, bad: pos, fault };
      }),
  );
}
