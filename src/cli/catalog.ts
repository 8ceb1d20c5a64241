import { FiniteGroup } from '../groups/group.js';
import { cyclic, dihedral, symmetric, product, factorProjection } from '../groups/builtins.js';
import { adjacency, cyclicShift, directSum, natural, pullback, rot90, rotation2d, tensor, trivial } from '../reps/builders.js';
import { Admissible, basisSpace, fullSpace, maskSpace, segmentMask } from '../space/admissible.js';
import { ParamSpace, layerSpace } from '../space/paramSpace.js';
import { Projectors } from '../space/projectors.js';
import { kernelSupportSpace, supports } from '../space/supports.js';
import { formatTable } from '../report/table.js';
import { permutationGroup } from '../groups/compact.js';
import { symmetricByGenerators } from '../groups/permGroup.js';
import { GroupAction, layerAction, pointAction, tensorAction } from '../reps/action.js';
import { bandLimitedRep, circleRep } from '../reps/planarRule.js';
import { fixedSpaceProjector } from '../space/fixedSpace.js';

/** One row of the catalog: a built-in (group, representation, support) pair and its dimensions. */
export interface CatalogRow {
  group: string;
  representation: string;
  support: string;
  dimH: number;
  dimHG: number;
  dimL: number;
  dimE: number;
  defect: number;
  compatible: boolean;
}

function kernelSpace(G: FiniteGroup): ParamSpace {
  return new ParamSpace([{ name: 'K', shape: [3, 3], rep: rot90(G, 3) }]);
}

/** The Toeplitz basis (one matrix per diagonal i − j = d, |d| < n) of n×n matrices in the first segment. */
function toeplitz(space: ParamSpace, n: number): Admissible {
  const vs: Float64Array[] = [];
  for (let d = -(n - 1); d < n; d++) {
    const v = new Float64Array(space.dim);
    for (let i = 0; i < n; i++) if (i - d >= 0 && i - d < n) v[i * n + i - d] = 1;
    vs.push(v);
  }
  return basisSpace(space, vs, 'toeplitz');
}

/** The paper CNN's parameter space (docs/theory.md §7) in kernel parametrization. */
export function paperCnnSpace(G: FiniteGroup): ParamSpace {
  return new ParamSpace([
    { name: 'conv0', shape: [16, 1, 3, 3], rep: rot90(G, 3, 16) },
    { name: 'conv1', shape: [16, 16, 3, 3], rep: rot90(G, 3, 256) },
    { name: 'linear', shape: [10, 784], rep: tensor(trivial(G, 10), rot90(G, 7, 16)) },
  ]);
}

/** Every built-in pair, each as (group, representation label, admissible space). */
export function builtinPairs(): Array<{ group: string; representation: string; L: Admissible }> {
  const out: Array<{ group: string; representation: string; L: Admissible }> = [];
  const add = (G: FiniteGroup, representation: string, L: Admissible) => out.push({ group: G.name, representation, L });
  for (const G of [cyclic(4), dihedral(4)]) {
    const sp = kernelSpace(G);
    for (const [name, s] of Object.entries(supports)) add(G, `${sp.action.name} on a 3×3 kernel`, kernelSupportSpace(sp, s, ['K'], name));
  }
  for (const n of [4, 5]) {
    const G = cyclic(n);
    const sh = cyclicShift(G, n);
    const sp = layerSpace([sh, sh]);
    add(G, `conjugation by ${sh.name} on ${n}×${n}`, fullSpace(sp));
    add(G, `conjugation by ${sh.name} on ${n}×${n}`, toeplitz(sp, n));
    add(G, `conjugation by ${sh.name} on ${n}×${n}`, maskSpace(sp, segmentMask(sp, { A0: ([i, j]) => j >= i }), 'upper-triangular'));
  }
  {
    const C4 = cyclic(4);
    const sh16 = cyclicShift(C4, 16, 4);
    add(C4, 'small MLP R^16→32→32→1 (shifts)', fullSpace(layerSpace([sh16, cyclicShift(C4, 32, 8), cyclicShift(C4, 32, 8), trivial(C4)])));
    add(C4, 'toy CNN 4×4, 1→2 channels → R^3', fullSpace(new ParamSpace([
      { name: 'conv0', shape: [2, 1, 3, 3], rep: rot90(C4, 3, 2) },
      { name: 'linear', shape: [3, 32], rep: tensor(trivial(C4, 3), rot90(C4, 4, 2)) },
    ])));
    add(C4, 'paper CNN 28×28 (kernel parametrization)', fullSpace(paperCnnSpace(C4)));
  }
  for (const n of [3, 4]) {
    const S = symmetric(n);
    add(S, `natural on R^${n} → R^${n} (DeepSets layer)`, fullSpace(layerSpace([natural(S), natural(S)])));
    add(S, `adjacency ${n}×${n} → R (graph invariant)`, fullSpace(layerSpace([adjacency(S), trivial(S)])));
  }
  {
    const C6 = cyclic(6);
    const r2 = rotation2d(C6);
    const sp = layerSpace([r2, r2]);
    add(C6, 'rotation by 2π/6 on R² → R²', fullSpace(sp));
    add(C6, 'rotation by 2π/6 on R² → R²', maskSpace(sp, segmentMask(sp, { A0: ([i, j]) => i === j }), 'diagonal'));
  }
  for (const [G, what] of [[cyclic(9, 'SO2@9'), 'SO(2)'], [dihedral(9, 'O2@9'), 'O(2)']] as const) {
    // exact for SO(2)/O(2): every layer action here has degree ≤ 2·4 < 9 (docs/theory.md §8)
    add(G, `${what}: R² vectors ψ_1 → ψ_1 ⊕ ψ_2`, fullSpace(layerSpace([bandLimitedRep(G, [1]), bandLimitedRep(G, [1, 2])], true)));
    add(G, `${what}: circle signals, modes ≤ 4 → modes ≤ 4`, fullSpace(layerSpace([circleRep(G, 4), circleRep(G, 4)])));
  }
  {
    const C2 = cyclic(2);
    const K = product(C2, C2);
    const swap = cyclicShift(C2, 2);
    const rep = directSum(pullback(swap, K, factorProjection(K, 0)), pullback(swap, K, factorProjection(K, 1)));
    add(K, 'swap ⊕ swap on R⁴ → R', fullSpace(layerSpace([rep, trivial(K)], true)));
  }
  return out;
}

/**
 * S_n given by two generators, too large for a table (docs/theory.md §8): sets and graphs at n = 20 and 50, with
 * dim H_G counted by the orbits of index pairs (L = H, so E = H_G and the pair is compatible).
 */
export function generatorRows(): CatalogRow[] {
  const rows: CatalogRow[] = [];
  for (const n of [20, 50]) {
    const G = permutationGroup(symmetricByGenerators(n));
    const nat = pointAction(G), adj = tensorAction(nat, nat);
    const spaces: Array<[string, GroupAction<Int32Array>]> = [
      [`natural on R^${n} → R^${n} (DeepSets layer)`, layerAction([nat, nat], true)],
      [`adjacency ${n}×${n} → R^${n} (graph layer)`, layerAction([adj, nat])],
    ];
    for (const [representation, act] of spaces) {
      const rank = fixedSpaceProjector(act).rank as number; // monomial: counted exactly by orbits
      rows.push({ group: `${G.name} (|G| = ${n}!, by generators)`, representation, support: 'full', dimH: act.dim, dimHG: rank, dimL: act.dim, dimE: rank, defect: 0, compatible: true });
    }
  }
  return rows;
}

export function catalog(): CatalogRow[] {
  return [...builtinPairs().map(({ group, representation, L }) => {
    const P = new Projectors(L);
    return { group, representation, support: L.name, dimH: L.space.dim, dimHG: P.dimG, dimL: L.dim, dimE: P.dimE, defect: P.defect, compatible: P.compatible };
  }), ...generatorRows()];
}

export function formatCatalog(rows: CatalogRow[]): string {
  const head = ['group', 'representation', 'support L', 'dim H', 'dim H_G', 'dim L', 'dim E', '‖Π_LΠ_G − Π_GΠ_L‖_F', 'compatible'];
  const body = rows.map((r) => [r.group, r.representation, r.support, String(r.dimH), String(r.dimHG), String(r.dimL), String(r.dimE), r.defect.toFixed(6), r.compatible ? 'yes' : 'no']);
  return formatTable(head, body);
}

