import { EqflowError } from '../core/errors.js';
import { RandomStream } from '../core/rng.js';
import { MAX_ORDER } from './group.js';

/** A permutation of {0..d−1} as i ↦ p[i]; products compose right to left, (gh)(i) = g(h(i)). */
export type Perm = Int32Array;

/** gh: first h, then g. */
export function composePerm(g: Perm, h: Perm): Perm {
  const out = new Int32Array(g.length);
  for (let i = 0; i < g.length; i++) out[i] = g[h[i]];
  return out;
}

/** g⁻¹ */
export function invertPerm(g: Perm): Perm {
  const out = new Int32Array(g.length);
  for (let i = 0; i < g.length; i++) out[g[i]] = i;
  return out;
}

/** The parity of g (0 even, 1 odd): sgn(g) = (−1)^(d − number of cycles). */
export function permParity(g: Perm): 0 | 1 {
  const seen = new Uint8Array(g.length);
  let cycles = 0;
  for (let i = 0; i < g.length; i++) {
    if (seen[i]) continue;
    cycles++;
    for (let j = i; !seen[j]; j = g[j]) seen[j] = 1;
  }
  return ((g.length - cycles) % 2) as 0 | 1;
}

function isIdentity(g: Perm): boolean {
  for (let i = 0; i < g.length; i++) if (g[i] !== i) return false;
  return true;
}

/** Validates that `p` is a permutation of {0..degree−1}; names the field and the fault. */
export function checkPerm(p: ArrayLike<number>, degree: number, field: string): Perm {
  if (p.length !== degree) throw new EqflowError('dimension-mismatch', field, `expected a permutation of ${degree} points, got length ${p.length}`);
  const seen = new Uint8Array(degree);
  const out = new Int32Array(degree);
  for (let i = 0; i < degree; i++) {
    const v = p[i];
    if (!Number.isInteger(v) || v < 0 || v >= degree) throw new EqflowError('not-a-group', `${field}[${i}]`, `closure fails: expected a point in 0..${degree - 1}, got ${v}`);
    if (seen[v]) throw new EqflowError('not-a-group', field, `inverse fails: not a permutation (${v} appears twice, so the map has no inverse)`);
    seen[v] = 1;
    out[i] = v;
  }
  return out;
}

/** One level of the stabilizer chain: base point β_i, the strong generators fixing β_0..β_{i−1}, and the transversal. */
interface Level {
  readonly point: number;
  gens: Perm[];
  /** transversal[γ] = u_γ with u_γ(β_i) = γ, for γ in the orbit Δ_i; null off the orbit */
  transversal: (Perm | null)[];
  orbit: number[];
  /** inverses of the transversal elements, u_γ⁻¹ */
  inverse: (Perm | null)[];
  /** keys sIndex·d + γ of the Schreier generators (γ, s) already sifted to the identity */
  checked: Set<number>;
}

/**
 * A permutation group G = ⟨S⟩ ≤ Sym(d) given by its generators only, never by listing its elements. The
 * deterministic Schreier–Sims algorithm builds a base β_0..β_k and strong generating set: G^(i) = Stab(β_0..β_{i−1}),
 * Δ_i = β_i^{G^(i)}, so |G| = Π_i |Δ_i| and every g is uniquely u_0 u_1 ⋯ u_k with u_i from the transversal of
 * level i (docs/theory.md §8). Memory O(d · Σ|Δ_i|): for S_50 on 50 points, 50·1275 integers.
 */
export class PermGroup {
  readonly degree: number;
  readonly generators: readonly Perm[];
  readonly name: string;
  private readonly levels: Level[] = [];

  constructor(generators: ArrayLike<ArrayLike<number>>, name?: string) {
    if (generators.length === 0) throw new EqflowError('invalid-argument', 'generators', 'give at least one permutation');
    this.degree = generators[0].length;
    this.generators = Array.from(generators, (p, i) => checkPerm(p, this.degree, `generators[${i}]`));
    this.name = name ?? `⟨${this.generators.length} perms of ${this.degree}⟩`;
    this.schreierSims();
  }

  /** |G| = Π_i |Δ_i| (exact, a bigint: |S_50| ≈ 3·10⁶⁴). */
  order(): bigint {
    return this.levels.reduce((o, l) => o * BigInt(l.orbit.length), 1n);
  }

  /** The base β_0..β_k and the orbit sizes |Δ_i|. */
  chain(): { base: number[]; orbitSizes: number[] } {
    return { base: this.levels.map((l) => l.point), orbitSizes: this.levels.map((l) => l.orbit.length) };
  }

  identity(): Perm {
    return Int32Array.from({ length: this.degree }, (_, i) => i);
  }

  /** Whether g ∈ G (sifts g through the chain). */
  contains(g: ArrayLike<number>): boolean {
    const p = checkPerm(g, this.degree, 'g');
    const [h, j] = this.strip(p, 0);
    return j === this.levels.length && isIdentity(h);
  }

  /** A Haar-uniform element: u_0 u_1 ⋯ u_k with each u_i uniform in its transversal (unique factorization). */
  random(rng: RandomStream): Perm {
    let g = this.identity();
    for (const l of this.levels) g = composePerm(g, l.transversal[l.orbit[rng.int(l.orbit.length)]] as Perm);
    return g;
  }

  /** Every element, as the products u_0 ⋯ u_k; refused above MAX_ORDER (then only sampling is possible). */
  elements(): Perm[] {
    const n = this.order();
    if (n > BigInt(MAX_ORDER)) throw new EqflowError('invalid-argument', 'group', `${this.name} has ${n} elements (more than ${MAX_ORDER}): not enumerable`);
    let out: Perm[] = [this.identity()];
    for (const l of this.levels) out = out.flatMap((g) => l.orbit.map((γ) => composePerm(g, l.transversal[γ] as Perm)));
    return out;
  }

  /** Sifts g from level i down: returns the residue and the level where it left the chain (levels.length if it sifted through). */
  private strip(g: Perm, from: number): [Perm, number] {
    const h = Int32Array.from(g);
    for (let i = from; i < this.levels.length; i++) {
      const l = this.levels[i];
      const v = l.inverse[h[l.point]];
      if (!v) return [h, i];
      for (let x = 0; x < h.length; x++) h[x] = v[h[x]]; // h ← u_γ⁻¹ h, in place
    }
    return [h, this.levels.length];
  }

  /**
   * Extends the orbit of β_i and its transversal by breadth-first search over the level's generators, keeping the
   * transversal elements already chosen: the Schreier generators checked so far stay the same ones.
   */
  private extendOrbit(level: Level): void {
    const t = level.transversal;
    const orbit = level.orbit;
    if (orbit.length === 0) {
      t.length = this.degree;
      t.fill(null);
      t[level.point] = this.identity();
      level.inverse = t.slice();
      orbit.push(level.point);
    }
    for (let q = 0; q < orbit.length; q++) {
      const γ = orbit[q];
      for (const s of level.gens) {
        const δ = s[γ];
        if (t[δ] === null) {
          t[δ] = composePerm(s, t[γ] as Perm);
          level.inverse[δ] = invertPerm(t[δ] as Perm);
          orbit.push(δ);
        }
      }
    }
  }

  private newLevel(movedBy: Perm): Level {
    let p = 0;
    while (movedBy[p] === p) p++;
    return { point: p, gens: [], transversal: [], orbit: [], inverse: [], checked: new Set() };
  }

  /**
   * Deterministic Schreier–Sims: every Schreier generator u_{s(γ)}⁻¹ s u_γ of every level must sift to the
   * identity through the levels below; one that does not is a new strong generator (and maybe a new base point).
   * Transversals only grow and the groups below only grow, so a Schreier generator is checked once.
   */
  private schreierSims(): void {
    const gens = this.generators.filter((g) => !isIdentity(g));
    if (gens.length === 0) return;
    this.levels.push(this.newLevel(gens[0]));
    for (const g of gens) this.addGenerator(g, 0);
    let i = this.levels.length - 1;
    while (i >= 0) {
      const raised = this.checkLevel(i);
      i = raised >= 0 ? raised : i - 1;
    }
  }

  /** Adds g as a strong generator on levels from..j (it fixes their earlier base points); extends the base if needed. */
  private addGenerator(g: Perm, from: number): void {
    let j = from;
    for (;;) {
      if (j === this.levels.length) this.levels.push(this.newLevel(g));
      this.levels[j].gens.push(g);
      this.extendOrbit(this.levels[j]);
      if (g[this.levels[j].point] !== this.levels[j].point) return;
      j++;
    }
  }

  /** Checks the Schreier generators of level i; on a non-sifting one adds it and returns the deepest level touched, else −1. */
  private checkLevel(i: number): number {
    const l = this.levels[i];
    for (let q = 0; q < l.orbit.length; q++) {
      const γ = l.orbit[q];
      const uγ = l.transversal[γ] as Perm;
      const y = new Int32Array(this.degree);
      for (let k = 0; k < l.gens.length; k++) {
        const key = k * this.degree + γ;
        if (l.checked.has(key)) continue;
        const s = l.gens[k];
        const v = l.inverse[s[γ]] as Perm;
        for (let x = 0; x < y.length; x++) y[x] = v[s[uγ[x]]]; // y = u_{s(γ)}⁻¹ s u_γ
        const [h, j] = this.strip(y, i + 1);
        if (j < this.levels.length || !isIdentity(h)) {
          const depth = j;
          this.addGenerator(h, i + 1);
          return Math.min(depth, this.levels.length - 1);
        }
        l.checked.add(key); // it stays a member: the levels below only grow
      }
    }
    return -1;
  }
}

/** The generators (0 1) and (0 1 … n−1) of S_n as arrays (one transposition alone for n = 2, the identity for n = 1). */
export function symmetricGenerators(n: number): number[][] {
  if (!Number.isInteger(n) || n < 1) throw new EqflowError('invalid-argument', 'n', `expected an integer n ≥ 1, got ${n}`);
  const id = Array.from({ length: n }, (_, i) => i);
  const swap = id.slice();
  if (n >= 2) [swap[0], swap[1]] = [1, 0];
  return [swap, id.map((i) => (i + 1) % n)];
}

/** S_n by its two generators (0 1) and (0 1 … n−1); never enumerated. */
export function symmetricByGenerators(n: number): PermGroup {
  return new PermGroup(symmetricGenerators(n), `S${n}`);
}
