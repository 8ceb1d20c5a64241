/**
 * docs/theory.md §1, Group: every group eqflow builds satisfies the axioms (checked here by brute force on the
 * Cayley table, independently of the constructor's Light test), and user-given non-groups are refused with
 * EqflowError('not-a-group') naming the violated axiom.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { FiniteGroup, fromCayleyTable } from '../../src/groups/group.js';
import { fromGenerators } from '../../src/groups/builtins.js';
import {
  Axiom, LOOP5, badGeneratorsArb, bruteForceAssociative, bruteForceViolation, bruteForceViolationFlat, buildGroup, checkExpectingFailure, checkProperty,
  corrupt, corruptedTableArb, expectEqflowError, groupSpecArb, permutationArb, tableRows,
} from '../arbitraries/index.js';
import type { GroupSpec } from '../arbitraries/index.js';

const AXIOM = /(closure|identity|inverse|associativity) fails/;

/** The axiom an EqflowError message names. */
function namedAxiom(message: string): Axiom | null {
  const m = AXIOM.exec(message);
  return m ? (m[1] as Axiom) : null;
}

/** |G| as the family's definition says (or by an independent orbit closure for generated permutation groups). */
function expectedOrder(spec: GroupSpec): number {
  switch (spec.kind) {
    case 'trivial':
      return 1;
    case 'cyclic':
      return spec.n;
    case 'dihedral':
      return 2 * spec.n;
    case 'symmetric':
      return Array.from({ length: spec.n }, (_, i) => i + 1).reduce((a, b) => a * b, 1);
    case 'product':
      return expectedOrder(spec.a) * expectedOrder(spec.b);
    case 'perm': {
      // closure of the generators under composition, as strings (independent of fromGenerators' BFS)
      const seen = new Set<string>([spec.gens[0].map((_, i) => i).join(',')]);
      let frontier = [...seen];
      while (frontier.length) {
        const next: string[] = [];
        for (const k of frontier) {
          const p = k.split(',').map(Number);
          for (const s of spec.gens) {
            const q = s.map((v) => p[v]).join(',');
            if (!seen.has(q)) {
              seen.add(q);
              next.push(q);
            }
          }
        }
        frontier = next;
      }
      return seen.size;
    }
  }
}

const verdicts = new WeakMap<FiniteGroup, Axiom | null>();
function verdict(G: FiniteGroup): Axiom | null {
  if (!verdicts.has(G)) verdicts.set(G, bruteForceViolationFlat(G.table, G.order));
  return verdicts.get(G) as Axiom | null;
}

/** Relabels a table by the bijection σ: t'[σa][σb] = σ(t[a][b]). Preserves (non-)group-ness and every axiom. */
function relabel(rows: number[][], sigma: number[]): number[][] {
  const n = rows.length;
  const out = Array.from({ length: n }, () => new Array<number>(n).fill(0));
  for (let a = 0; a < n; a++) for (let b = 0; b < n; b++) out[sigma[a]][sigma[b]] = sigma[rows[a][b]];
  return out;
}

describe('group axioms (brute force on the table)', () => {
  it('every generated group (C_n, D_n, S_n incl. S5/S6, products, generated permutation groups) is a group', () => {
    checkProperty(
      fc.property(groupSpecArb({ s5: true, s6: true }), (spec) => {
        const G = buildGroup(spec);
        const n = G.order;
        // closure, two-sided identity, two-sided inverses, associativity on all |G|³ triples (memoized per group
        // object: the same spec always builds the same table, and S6 costs ~1 s of brute force)
        expect(verdict(G)).toBeNull();
        expect(n).toBe(expectedOrder(spec));
        // the stored identity / inverse are the true ones
        for (let a = 0; a < n; a++) {
          expect(G.mul(G.identity, a)).toBe(a);
          expect(G.mul(a, G.identity)).toBe(a);
          expect(G.mul(a, G.inv(a))).toBe(G.identity);
          expect(G.mul(G.inv(a), a)).toBe(G.identity);
        }
        // the generators generate: closure of {e} under right products by them is all of G
        const reached = new Set<number>([G.identity]);
        const stack = [G.identity];
        while (stack.length) {
          const x = stack.pop() as number;
          for (const s of G.generators) {
            const y = G.mul(x, s);
            if (!reached.has(y)) {
              reached.add(y);
              stack.push(y);
            }
          }
        }
        expect(reached.size).toBe(n);
        expect(G.labels.length).toBe(n);
        expect(new Set(G.labels).size).toBe(n);
      }),
    );
  });

  it('the element meaning of each family matches its table (r^k, r^k s^f, composition of permutations, pairs)', () => {
    checkProperty(
      fc.property(groupSpecArb({ s5: true }), fc.nat(), fc.nat(), (spec, i, j) => {
        const G = buildGroup(spec);
        const a = i % G.order, b = j % G.order;
        const fam = G.family;
        switch (fam.kind) {
          case 'cyclic':
            expect(G.mul(a, b)).toBe((a + b) % fam.n);
            break;
          case 'dihedral': {
            // r^n = e, s² = e, s r s = r^{-1}; element k + n·f is r^k s^f
            const n = fam.n, r = n > 1 ? 1 : 0, s = n;
            let rn = G.identity;
            for (let k = 0; k < n; k++) rn = G.mul(rn, r);
            expect(rn).toBe(G.identity);
            expect(G.mul(s, s)).toBe(G.identity);
            expect(G.mul(G.mul(s, r), s)).toBe(G.inv(r));
            const rk = (k: number) => {
              let x = G.identity;
              for (let t = 0; t < k; t++) x = G.mul(x, r);
              return x;
            };
            expect(G.mul(rk(a % n), Math.floor(a / n) ? s : G.identity)).toBe(a);
            break;
          }
          case 'permutation': {
            const pa = fam.perms[a], pb = fam.perms[b], pab = fam.perms[G.mul(a, b)];
            for (let x = 0; x < fam.degree; x++) expect(pab[x]).toBe(pa[pb[x]]);
            break;
          }
          case 'product': {
            const [P, Q] = fam.factors;
            const m = Q.order;
            expect(G.mul(a, b)).toBe(P.mul(Math.floor(a / m), Math.floor(b / m)) * m + Q.mul(a % m, b % m));
            break;
          }
          case 'table':
            break;
        }
      }),
    );
  });

  it('fromCayleyTable accepts every relabelling of a valid table and finds the relabelled identity', () => {
    const arb = groupSpecArb({ s5: false }).chain((spec) => fc.tuple(fc.constant(spec), permutationArb(buildGroup(spec).order)));
    checkProperty(
      fc.property(arb, ([spec, sigma]) => {
        const G = buildGroup(spec);
        const H = fromCayleyTable(relabel(tableRows(G), sigma));
        expect(H.order).toBe(G.order);
        expect(H.identity).toBe(sigma[G.identity]);
        for (let a = 0; a < G.order; a++) expect(H.inv(sigma[a])).toBe(sigma[G.inv(a)]);
      }),
    );
  });
});

describe('non-groups are refused with not-a-group naming the axiom', () => {
  it('one corrupted entry of a valid table: rejected, naming the first axiom the brute force finds violated', () => {
    checkProperty(
      fc.property(corruptedTableArb(), ({ group, corruption }) => {
        const rows = corrupt(tableRows(buildGroup(group)), corruption);
        const violated = bruteForceViolation(rows);
        // a group table is a Latin square: changing one entry never leaves a group
        expect(violated).not.toBeNull();
        const e = expectEqflowError(() => fromCayleyTable(rows), { code: 'not-a-group', message: AXIOM });
        // both check closure → identity → inverse → associativity in that order
        expect(namedAxiom(e.message)).toBe(violated);
        if (violated === 'closure') expect(e.field).toBe(`table[${corruption.a}][${corruption.b}]`);
        else expect(e.field).toBe('table');
      }),
    );
  });

  it('the order-5 loop (identity, inverses, not associative) and all its relabellings: associativity fails', () => {
    expect(bruteForceViolation(LOOP5)).toBe('associativity');
    checkProperty(
      fc.property(permutationArb(5), (sigma) => {
        const rows = relabel(LOOP5, sigma);
        expect(bruteForceViolation(rows)).toBe('associativity');
        expectEqflowError(() => fromCayleyTable(rows), { code: 'not-a-group', field: 'table', message: /associativity fails/ });
      }),
    );
  });

  it('a quasigroup without identity (a − b mod n) and a monoid without inverses (max(a, b)) are refused', () => {
    checkProperty(
      fc.property(fc.integer({ min: 3, max: 9 }).chain((n) => fc.tuple(fc.constant(n), permutationArb(n))), ([n, sigma]) => {
        const quasi = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => (((a - b) % n) + n) % n));
        const monoid = Array.from({ length: n }, (_, a) => Array.from({ length: n }, (_, b) => Math.max(a, b)));
        expect(bruteForceViolation(relabel(quasi, sigma))).toBe('identity');
        expect(bruteForceViolation(relabel(monoid, sigma))).toBe('inverse');
        expectEqflowError(() => fromCayleyTable(relabel(quasi, sigma)), { code: 'not-a-group', field: 'table', message: /identity fails/ });
        expectEqflowError(() => fromCayleyTable(relabel(monoid, sigma)), { code: 'not-a-group', field: 'table', message: /inverse fails/ });
      }),
    );
  });

  it('malformed tables: empty → not-a-group, ragged → dimension-mismatch naming the row', () => {
    expectEqflowError(() => fromCayleyTable([]), { code: 'not-a-group', field: 'table' });
    expectEqflowError(() => fromCayleyTable([[0, 1], [1]]), { code: 'dimension-mismatch', field: 'table[1]' });
  });

  it('fromGenerators refuses non-permutation generators: a repeated point (inverse) or a point outside 0..d−1 (closure)', () => {
    checkProperty(
      fc.property(badGeneratorsArb(), ({ gens, bad, fault }) => {
        const e = expectEqflowError(() => fromGenerators(gens), { code: 'not-a-group', field: new RegExp(`^generators\\[${bad}\\]`) });
        expect(namedAxiom(e.message)).toBe(fault === 'repeat' ? 'inverse' : 'closure');
      }),
    );
    expectEqflowError(() => fromGenerators([]), { code: 'invalid-argument', field: 'generators' });
    expectEqflowError(() => fromGenerators([[0, 1, 2], [1, 0]]), { code: 'dimension-mismatch', field: 'generators[1]' });
  });
});

describe('negative controls: the brute-force checks do detect broken tables', () => {
  it('brute-force associativity FAILS on corrupted tables (fc.check reports failure)', () => {
    const onlyEntryChanges = corruptedTableArb().filter((c) => c.corruption.kind === 'element');
    const details = checkExpectingFailure(
      fc.property(onlyEntryChanges, ({ group, corruption }) => {
        const rows = corrupt(tableRows(buildGroup(group)), corruption);
        return bruteForceAssociative(Int32Array.from(rows.flat()), rows.length);
      }),
    );
    expect(details.failed).toBe(true);
    // the uncorrupted table of the counterexample is associative: the corruption is what the check caught
    const [{ group }] = details.counterexample as [{ group: GroupSpec; corruption: unknown }];
    const G = buildGroup(group);
    expect(bruteForceAssociative(G.table, G.order)).toBe(true);
  });

  it('brute-force associativity FAILS on the order-5 loop, which passes closure, identity and inverses', () => {
    const details = checkExpectingFailure(
      fc.property(permutationArb(5), (sigma) => {
        const rows = relabel(LOOP5, sigma);
        return bruteForceAssociative(Int32Array.from(rows.flat()), 5);
      }),
    );
    expect(details.failed).toBe(true);
    // and it fails at the very first generated case: the loop is never associative
    expect(details.numRuns).toBe(1);
  });
});
