/**
 * The benchmark tasks, each measuring one thing. Definitions (name, sizes, clock, flop count) are static so the
 * configuration fingerprint is known before anything runs; `setup` builds the data, untimed, and returns the op.
 *
 *  a  regularized augmented step on the MLPs: one eulerStep of the reg-augmented dynamics (docs/theory.md §4),
 *     A ← A − η(Π_L∇R^aug(A) + γΠ_{E⊥}A), R^aug the exact average over C4 (32 samples → 128 transformed rows)
 *  b  paperCnn step: sampled augmentation (10 images, one rot90 each) or the exact C4 average (10 × 4),
 *     cross-entropy, then the same regularized update
 *  c  Π_G and Π_E on paperCnn's parameters; the rot90 action on a batch of 10 images
 *  d  one whole `eqflow verify --quiet` process
 *
 * The peer tasks (`peerTasks`) repeat what bench/peers/torch_steps.py times: build the augmented batch, then loss
 * and gradient, no projection and no update.
 */
import { spawn } from 'node:child_process';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { kernelBackend } from '../src/core/backend.js';
import { RandomStream } from '../src/core/rng.js';
import { dynamics } from '../src/flows/dynamics.js';
import { Work, eulerStep } from '../src/flows/integrators.js';
import { ConvNet, paperCnn } from '../src/models/cnn.js';
import { DenseNetwork, smallMlp, wideMlp } from '../src/models/dense.js';
import { Loss, Model } from '../src/models/model.js';
import { Dataset, dataset, syntheticDataset } from '../src/risk/dataset.js';
import { crossEntropyLoss, squaredLoss } from '../src/risk/losses.js';
import { Objective } from '../src/risk/objective.js';
import { SampledAugmentation, augmentedRisk } from '../src/risk/risk.js';
import { fullSpace } from '../src/space/admissible.js';
import { Projectors } from '../src/space/projectors.js';
import { cnnGemmCalls, denseGemmCalls, gemmFlops } from './flops.js';
import { Clock, ConfigTask } from './report.js';

/** One timed operation; async only for whole processes. */
export type Op = () => void | Promise<void>;

export interface TaskDef {
  name: string;
  /** a, b, c, d (the issue's groups) or peer */
  group: string;
  description: string;
  /** what defines the measurement (enters the configuration fingerprint) */
  size: Record<string, number | string>;
  clock: Clock;
  /** flops per op (Σ 2mnk over the gemms, bench/flops.ts), null when not counted */
  flops: number | null;
  /** a whole process: few samples, no repetition inside a sample */
  process?: boolean;
  setup(): Op;
}

/** The step size and γ of the regularized steps (values do not change the cost; ηγ < 2 keeps the step stable). */
const ETA = 1e-3;
const GAMMA = 1;
const MLP_BATCH = 32;
const CNN_BATCH = 10;

/** Seeded uniform images in [0, 1) and random one-hot labels, as the torch peer draws them. */
function imageBatch(rng: RandomStream, net: ConvNet, count: number): Dataset {
  const d = net.inputRep.dim, o = net.outputs;
  const x = new Float64Array(count * d);
  const r = rng.child('x');
  for (let i = 0; i < x.length; i++) x[i] = r.uniform();
  const y = new Float64Array(count * o);
  const l = rng.child('labels');
  for (let s = 0; s < count; s++) y[s * o + l.int(o)] = 1;
  return dataset(x, y, d, o);
}

/** Gaussian weights N(0, 1/fan_in) on every segment (fan_in = the segment's row length). */
function cnnParameters(net: ConvNet, rng: RandomStream): Float64Array {
  const A = net.space.zeros();
  for (const s of net.space.segments) {
    const r = rng.child(s.name);
    const fan = s.size / s.shape[0];
    for (let k = 0; k < s.size; k++) A[s.offset + k] = r.gaussian() / Math.sqrt(fan);
  }
  return A;
}

/** The Euler step of Ȧ = −Π_L∇R(A) − γΠ_{E⊥}A for a given risk objective (flows/dynamics + flows/integrators). */
function regularizedStep(P: Projectors, risk: Objective, A: Float64Array): Op {
  const field = dynamics({ kind: 'reg-augmented', projectors: P, augmented: risk, gamma: GAMMA });
  const work = new Work(field.dim, 1);
  return () => eulerStep(field, A, ETA, work);
}

function mlpStepTask(name: string, build: () => DenseNetwork, width: number): TaskDef {
  const rows = MLP_BATCH * 4;
  const net = build();
  return {
    name,
    group: 'a',
    description: `${net.name}: regularized augmented Euler step, exact C4 average (${MLP_BATCH} samples → ${rows} rows), squared loss, γ=${GAMMA}, η=${ETA}`,
    size: { input: width, hidden: 2 * width, batch: MLP_BATCH, rows, gamma: GAMMA, kernels: kernelBackend.name },
    clock: 'cpu',
    flops: gemmFlops(denseGemmCalls(net, rows)),
    setup() {
      const rng = new RandomStream(`bench/${name}`);
      const A = net.randomParameters(rng.child('A'));
      const data = syntheticDataset(rng.child('data'), net.inputRep.dim, net.outputRep.dim, MLP_BATCH);
      return regularizedStep(new Projectors(fullSpace(net.space)), augmentedRisk(net, data, squaredLoss), A);
    },
  };
}

function cnnStepTask(name: string, exact: boolean): TaskDef {
  const net = paperCnn();
  const rows = exact ? CNN_BATCH * 4 : CNN_BATCH;
  return {
    name,
    group: 'b',
    description: `paperCnn (docs/theory.md §7): regularized Euler step with ${exact ? `the exact C4 average (${CNN_BATCH} × 4 images)` : `sampled augmentation (${CNN_BATCH} images, one rot90 each)`}, cross-entropy, γ=${GAMMA}, η=${ETA}`,
    size: { image: 28, channels: '16,16', batch: CNN_BATCH, rows, augmentation: exact ? 'exact-C4' : 'sampled', gamma: GAMMA, kernels: kernelBackend.name },
    clock: 'cpu',
    flops: gemmFlops(cnnGemmCalls(net, rows)),
    setup() {
      const rng = new RandomStream(`bench/${name}`);
      const A = cnnParameters(net, rng.child('A'));
      const data = imageBatch(rng.child('data'), net, CNN_BATCH);
      let risk: Objective;
      if (exact) risk = augmentedRisk(net, data, crossEntropyLoss);
      else {
        const sampler = new SampledAugmentation(net, data, crossEntropyLoss, rng.child('g'));
        const g = new Float64Array(net.space.dim);
        risk = { dim: net.space.dim, value: (B) => sampler.gradient(B, g), gradient: (B, grad) => sampler.gradient(B, grad) };
      }
      return regularizedStep(new Projectors(net.admissible), risk, A);
    },
  };
}

function projectorTask(name: string, which: 'piG' | 'piE'): TaskDef {
  return {
    name,
    group: 'c',
    description: `${which === 'piG' ? 'Π_G (twirl over C4)' : 'Π_E = Π_LΠ_G'} of paperCnn's 10 288 parameters (Projectors over the CNN's space, full 3×3 support)`,
    size: { dim: 10288, group: 'C4', support: 'full' },
    clock: 'cpu',
    flops: null,
    setup() {
      const net = paperCnn();
      const P = new Projectors(net.admissible);
      const A = cnnParameters(net, new RandomStream(`bench/${name}`));
      const out = new Float64Array(A.length);
      return which === 'piG' ? () => void P.piG(A, out) : () => void P.piE(A, out);
    },
  };
}

function actionTask(): TaskDef {
  return {
    name: 'rot90-action-batch',
    group: 'c',
    description: `the group action ρ_0(g) (rot90 on 28×28) applied to a batch of ${CNN_BATCH} images, g cycling over C4 \\ {e}`,
    size: { image: 28, batch: CNN_BATCH },
    clock: 'cpu',
    flops: null,
    setup() {
      const net = paperCnn();
      const rep = net.inputRep, d = rep.dim;
      const x = imageBatch(new RandomStream('bench/rot90'), net, CNN_BATCH).x;
      const out = new Float64Array(x.length);
      let g = 0;
      return () => {
        g = g === 3 ? 1 : g + 1;
        for (let s = 0; s < CNN_BATCH; s++) rep.apply(g, x, out, s * d, s * d);
      };
    },
  };
}

/** The repository root (paths below do not depend on the working directory). */
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** The CLI command the process task runs: the default verify, writing its reports to a temp dir (not reports/). */
export function cliCommand(): string[] {
  return ['verify', '--quiet', '--out', join(tmpdir(), 'eqflow-bench-verify')];
}

function processTask(): TaskDef {
  const args = cliCommand();
  return {
    name: `cli-${args[0]}-process`,
    group: 'd',
    description: `one whole \`tsx src/cli/main.ts ${args.join(' ')}\` process (startup, TS transform, the run, exit), wall time`,
    size: { command: args.slice(0, 2).join(' ') }, // the temp --out path is not part of the configuration
    clock: 'wall',
    flops: null,
    process: true,
    setup() {
      return () =>
        new Promise<void>((resolve, reject) => {
          // node_modules/.bin/tsx is what `npx tsx` resolves to; calling it directly leaves out npx's own startup
          const child = spawn(join(ROOT, 'node_modules/.bin/tsx'), ['src/cli/main.ts', ...args], { cwd: ROOT, stdio: ['ignore', 'ignore', 'pipe'] });
          let err = '';
          child.stderr.on('data', (b: Buffer) => {
            err = (err + b.toString('utf8')).slice(-2000);
          });
          child.on('error', reject);
          child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`${args.join(' ')} exited with ${code}: ${err.trim().split('\n').slice(-3).join(' | ')}`))));
        });
    },
  };
}

/** The suite of `npm run bench`, in run order. */
export function suiteTasks(): TaskDef[] {
  return [
    mlpStepTask('mlp-small-reg-aug-step', () => smallMlp(), 16),
    mlpStepTask('mlp-wide-reg-aug-step', () => wideMlp(), 64),
    cnnStepTask('cnn-sampled-reg-step', false),
    cnnStepTask('cnn-exact-reg-step', true),
    projectorTask('cnn-pi-G', 'piG'),
    projectorTask('cnn-pi-E', 'piE'),
    actionTask(),
    processTask(),
  ];
}

export function configTasks(tasks: readonly TaskDef[]): ConfigTask[] {
  return tasks.map((t) => ({ name: t.name, size: t.size, clock: t.clock }));
}

// ---------------------------------------------------------------------------------------------------------------
// Peer tasks: the same computation as bench/peers/torch_steps.py

/** Loss and gradient of `count` rows, each sample transformed by every g (exact) or by its own g (sampled). */
function peerGradOp(model: Model, data: Dataset, loss: Loss, exact: boolean, rng: RandomStream): Op {
  const G = model.inputRep.group.order;
  const rows = exact ? G * data.count : data.count;
  const di = data.inputDim, dy = data.outputDim;
  const bx = new Float64Array(rows * di), by = new Float64Array(rows * dy);
  const grad = new Float64Array(model.space.dim);
  const A = model instanceof DenseNetwork ? model.randomParameters(rng.child('A')) : cnnParameters(model as ConvNet, rng.child('A'));
  const ks = Int32Array.from({ length: data.count }, () => rng.int(G));
  return () => {
    for (let r = 0; r < rows; r++) {
      const s = exact ? r % data.count : r;
      const g = exact ? Math.floor(r / data.count) : ks[s];
      model.inputRep.apply(g, data.x, bx, s * di, r * di);
      model.outputRep.apply(g, data.y, by, s * dy, r * dy);
    }
    grad.fill(0);
    model.lossGradient(A, bx, by, rows, loss, 1 / rows, grad);
  };
}

export interface PeerTask extends TaskDef {
  /** the task name in torch_steps.py */
  peer: string;
}

export function peerTasks(): PeerTask[] {
  const mlp = (peer: string, build: () => DenseNetwork, width: number): PeerTask => {
    const net = build();
    return {
      name: peer, peer, group: 'peer', clock: 'wall', size: { input: width, batch: MLP_BATCH, rows: 4 * MLP_BATCH },
      description: `${net.name}: shift the batch by all of C4, squared loss, gradient`,
      flops: gemmFlops(denseGemmCalls(net, 4 * MLP_BATCH)),
      setup() {
        const rng = new RandomStream(`peer/${peer}`);
        const data = syntheticDataset(rng.child('data'), net.inputRep.dim, net.outputRep.dim, MLP_BATCH);
        return peerGradOp(net, data, squaredLoss, true, rng);
      },
    };
  };
  const cnn = (peer: string, exact: boolean): PeerTask => {
    const net = paperCnn();
    const rows = exact ? 4 * CNN_BATCH : CNN_BATCH;
    return {
      name: peer, peer, group: 'peer', clock: 'wall', size: { batch: CNN_BATCH, rows },
      description: `paperCnn: ${exact ? 'all four rotations of 10 images' : '10 images, one rot90 each'}, cross-entropy (batch mean), gradient`,
      flops: gemmFlops(cnnGemmCalls(net, rows)),
      setup() {
        const rng = new RandomStream(`peer/${peer}`);
        return peerGradOp(net, imageBatch(rng.child('data'), net, CNN_BATCH), crossEntropyLoss, exact, rng);
      },
    };
  };
  return [
    mlp('mlp-aug-grad', () => smallMlp(), 16),
    mlp('mlp-wide-aug-grad', () => wideMlp(), 64),
    cnn('cnn-sampled-grad', false),
    cnn('cnn-exact-grad', true),
  ];
}
