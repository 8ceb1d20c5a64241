/**
 * `npm run bench:groups`: time and memory of Π_G under S_n given by two generators (docs/theory.md §8), against
 * dim H, for dense layers Hom(X_in, X_out) with X = sets (R^n) or adjacency matrices (R^{n×n}), up to 10⁶
 * parameters under S_50. Memory is the growth of (heap used + array buffers) over the build and one application,
 * measured after a forced GC (run with --expose-gc). Prints one JSON line per space and a table.
 */
import { RandomStream } from '../src/core/rng.js';
import { permutationGroup } from '../src/groups/compact.js';
import { symmetricByGenerators } from '../src/groups/permGroup.js';
import { GroupAction, layerAction, pointAction, sumAction, tensorAction } from '../src/reps/action.js';
import { fixedSpaceProjector } from '../src/space/fixedSpace.js';

const gc = (globalThis as { gc?: () => void }).gc;
const used = (): number => {
  gc?.();
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
};

const n = Number(process.argv[2] ?? 50);
const t0 = performance.now();
const G = permutationGroup(symmetricByGenerators(n));
const groupMs = performance.now() - t0;
const nat = pointAction(G);
const adj = tensorAction(nat, nat);
const channels = (c: number): GroupAction<Int32Array> => (c === 1 ? nat : sumAction(...Array.from({ length: c }, () => nat)));

const spaces: Array<[string, GroupAction<Int32Array>[]]> = [
  ['Hom(R^n, (R^n)^4)', [nat, channels(4)]],
  ['Hom(R^{n×n}, R^n)', [adj, nat]],
  ['Hom(R^{n×n}, (R^n)^2)', [adj, channels(2)]],
  ['Hom(R^{n×n}, (R^n)^4)', [adj, channels(4)]],
  ['Hom(R^{n×n}, (R^n)^8)', [adj, channels(8)]],
];

console.log(JSON.stringify({ group: `S${n}`, order: G.order()?.toString(), schreierSimsMs: +groupMs.toFixed(1), gc: gc !== undefined }));
const rows: string[] = [];
for (const [name, reps] of spaces) {
  const before = used();
  const s0 = performance.now();
  const act = layerAction(reps);
  const P = fixedSpaceProjector(act);
  const buildMs = performance.now() - s0;
  const x = new RandomStream(name).gaussianVector(act.dim);
  const a0 = performance.now();
  const { out } = P.apply(x);
  const applyMs = performance.now() - a0;
  const bytes = used() - before - 2 * 8 * act.dim; // without x and Π_G x themselves
  const line = { space: name, dim: act.dim, rank: P.rank, buildMs: +buildMs.toFixed(1), applyMs: +applyMs.toFixed(1), bytesPerDim: +(bytes / act.dim).toFixed(1), check: out.length };
  console.log(JSON.stringify(line));
  rows.push(`| ${name} | ${act.dim.toLocaleString('en')} | ${P.rank} | ${buildMs.toFixed(0)} | ${applyMs.toFixed(0)} | ${(bytes / 2 ** 20).toFixed(1)} |`);
}
console.log(`\nS_${n} (Schreier–Sims ${groupMs.toFixed(0)} ms, |G| = ${G.order()})\n| space | dim H | dim H_G | build ms | apply ms | extra MiB |\n|---|---|---|---|---|---|\n${rows.join('\n')}`);
