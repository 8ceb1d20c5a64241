/**
 * `tsx bench/traceMnist.ts OUT.json [--gamma 10] [--declared-gamma γ] [--steps 3000] [--snapshots 41] [--images 1000]`:
 * records an SGD run of
 * the paper CNN (docs/theory.md §7: η = 1e-3, batch 10, loss CE/10 + γ/2‖Π_{E⊥}A‖², one random rot90 per image,
 * started 1e-3 per entry off E) on a class-balanced MNIST sample, as a trace that declares its optimizer, for timing
 * and checking `eqflow check-trace` on the run issue 22 describes (`--declared-gamma`: a planted defect, the trace
 * claims another γ than the run used). `--before` instead times one R^aug gradient on all
 * the data: the unit of the former μ estimate (12 of them per snapshot).
 */
import { writeFileSync } from 'node:fs';
import { RandomStream } from '../src/core/rng.js';
import { buildCase } from '../src/impl/build.js';
import { parseCase } from '../src/impl/caseSpec.js';
import { exampleByName } from '../src/impl/examples.js';

const args = process.argv.slice(2);
const flag = (name: string, d: number): number => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : d;
};
const gamma = flag('gamma', 10), declared = flag('declared-gamma', gamma), steps = flag('steps', 3000), count = flag('snapshots', 41), images = flag('images', 1000);
const eta = 1e-3, B = 10, s = 10;
const caseInput = { ...exampleByName('paper-cnn').spec, name: 'paper-cnn-1000', data: { kind: 'mnist' as const, count: images } };
const b = buildCase(parseCase(caseInput));
const { P, model, data } = b;
const dim = model.space.dim;

if (args.includes('--before')) {
  const g = new Float64Array(dim);
  const A = P.piE(new RandomStream('start').gaussianVector(dim, 0.1));
  b.Raug.gradient(A, g); // warm-up
  const t0 = performance.now();
  b.Raug.gradient(A, g);
  const sec = (performance.now() - t0) / 1000;
  console.log(`one R^aug gradient on ${images} images × 4: ${sec.toFixed(2)} s; the former μ estimate: 12 per snapshot × ${count} snapshots = ${(12 * count * sec / 60).toFixed(1)} min`);
} else {
  const rng = new RandomStream('trace-mnist');
  let A = P.piE(new RandomStream('start').gaussianVector(dim, 0.1));
  const delta = P.piEperp(rng.child('perturbation').gaussianVector(dim, 1e-3));
  A = A.map((a, i) => a + delta[i]);
  const every = steps / (count - 1);
  const snapshots: Array<{ step: number; A: number[] }> = [{ step: 0, A: Array.from(A) }];
  const g = new Float64Array(dim), bx = new Float64Array(B * 784), bxr = new Float64Array(B * 784), by = new Float64Array(B * 10);
  const batches = rng.child('batches'), turns = rng.child('turns');
  const t0 = performance.now();
  for (let k = 1; k <= steps; k++) {
    const idx = batches.permutation(data.count).slice(0, B);
    idx.forEach((i, r) => {
      bx.set(data.x.subarray(i * 784, (i + 1) * 784), r * 784);
      by.set(data.y.subarray(i * 10, (i + 1) * 10), r * 10);
      model.inputRep.apply(turns.int(4), bx, bxr, r * 784, r * 784);
    });
    g.fill(0);
    model.lossGradient(A, bxr, by, B, b.loss, 1 / (B * s), g); // CE mean / s
    const perp = P.piEperp(A);
    for (let i = 0; i < dim; i++) A[i] -= eta * (g[i] + gamma * perp[i]);
    if (k % every === 0) snapshots.push({ step: k, A: Array.from(A) });
  }
  writeFileSync(args[0], JSON.stringify({ case: caseInput, gamma: declared, optimizer: { kind: 'sgd', lr: eta, batch: B, augmentation: 'sampled', lossScale: s }, snapshots }));
  console.log(`${steps} steps in ${((performance.now() - t0) / 1000).toFixed(1)} s; ${snapshots.length} snapshots → ${args[0]}`);
}
