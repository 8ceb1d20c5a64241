/**
 * The kernel-parametrized CNN (docs/theory.md §1 Parametrization, §6 Toy CNN, §7) and its structured σ_i:
 * A2 for 2×2 average pooling and spatial LayerNorm, Lemma 0 for the whole network under C4 and D4 (with negative
 * controls), exact gradients against central finite differences, and agreement with the dense-matrix network
 * A = Mθ (values, and ∇_θ = Mᵀ∇_A R).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EPS } from '../src/core/tolerance.js';
import { RandomStream } from '../src/core/rng.js';
import { cyclic, dihedral } from '../src/groups/builtins.js';
import { rot90, trivial } from '../src/reps/builders.js';
import { ParamSpace } from '../src/space/paramSpace.js';
import { Representation } from '../src/reps/representation.js';
import { Projectors, basisSpace, fixedDimension } from '../src/space/index.js';
import { tanh } from '../src/models/activations.js';
import { ConvNet, ConvNetConfig, convSegments, convToDense, paperCnn, supportMask, toyCnn } from '../src/models/cnn.js';
import { KernelSupport, supports } from '../src/space/supports.js';
import { DenseNetwork } from '../src/models/dense.js';
import { Activation, Loss } from '../src/models/model.js';
import { avgPool2, compose, layerNormSpatial } from '../src/models/spatial.js';
import { crossEntropyLoss, squaredLoss } from '../src/risk/losses.js';
import { checkExpectingFailure, checkProperty, expectEqflowError, maxDiff, roundoff } from './arbitraries/index.js';

const C4 = cyclic(4);
const D4 = dihedral(4);
const LN_EPS = 1e-5;

/** A tiny architecture, shrinking over structure (sizes, channels, flags), never over raw doubles. */
const archArb = fc.record({
  dihedral: fc.boolean(),
  size: fc.constantFrom(4, 8),
  inChannels: fc.integer({ min: 1, max: 2 }),
  blocks: fc.array(fc.record({ outChannels: fc.integer({ min: 1, max: 2 }), pool: fc.boolean(), layerNorm: fc.boolean() }), { minLength: 1, maxLength: 2 }),
  outputs: fc.integer({ min: 1, max: 3 }),
});
type Arch = typeof archArb extends fc.Arbitrary<infer T> ? T : never;

function buildNet(a: Arch, activation: Activation = tanh): ConvNet {
  const config: ConvNetConfig = {
    group: a.dihedral ? D4 : C4, imageSize: a.size, inChannels: a.inChannels, outputs: a.outputs,
    blocks: a.blocks.map((b) => ({ ...b, activation })),
  };
  return new ConvNet(config);
}

/** Kernels and weights N(0, 1/fan_in) (fan_in = c_in·9 or C·k'²), so every pre-activation is O(1). */
function randomParams(net: ConvNet, rng: RandomStream): Float64Array {
  const A = net.space.zeros();
  for (const s of net.space.segments) {
    const sd = 1 / Math.sqrt(s.size / s.shape[0]);
    for (let i = 0; i < s.size; i++) A[s.offset + i] = sd * rng.gaussian();
  }
  return A;
}

/** ρ_0(g) applied to each of `count` rows. */
function actRows(rep: Representation, g: number, x: Float64Array, count: number): Float64Array {
  const out = new Float64Array(x.length);
  for (let s = 0; s < count; s++) rep.apply(g, x, out, s * rep.dim, s * rep.dim);
  return out;
}

/** max over rows of the ℓ∞ row sums of a segment [rows, …] */
function rowSum(A: Float64Array, offset: number, rows: number, cols: number): number {
  let m = 0;
  for (let r = 0; r < rows; r++) {
    let s = 0;
    for (let c = 0; c < cols; c++) s += Math.abs(A[offset + r * cols + c]);
    m = Math.max(m, s);
  }
  return m;
}

/**
 * First-order round-off bound on Φ_A(x) for inputs |x| ≤ xmax: every accumulation (fan-in c_in·9 per conv, C·k'²
 * for the linear layer) rounds at ≤ fan_in·eps relative to its term sum; the error is carried forward by the later
 * layers' ℓ∞ gains: conv ≤ kernel row sum, tanh and pooling ≤ 1, LayerNorm ≤ 1/√eps_LN (its gain 1/σ, σ ≥ √eps).
 */
function roundoffBound(net: ConvNet, A: Float64Array, xmax: number): number {
  let mag = xmax; // bound on the entries entering the current layer
  let err = 0; // accumulated absolute error bound
  let ops = 0;
  for (const l of net.layers) {
    const seg = net.space.segment(l.segment);
    const gain = rowSum(A, seg.offset, l.outChannels, l.inChannels * 9);
    ops += l.inChannels * 9;
    err = gain * err + roundoff(gain * mag, l.inChannels * 9);
    mag = 1; // tanh bounds everything after it (pooling averages before it)
    if (l.layerNorm) {
      err /= Math.sqrt(LN_EPS);
      mag = l.outSize; // |y_i| ≤ √(m − 1) < k' for a LayerNorm output over m = k'² pixels
    }
  }
  const lin = net.space.segment('linear');
  const w = rowSum(A, lin.offset, net.outputs, net.features);
  ops += net.features;
  return w * err + roundoff(w * mag, ops);
}

/**
 * Central difference of f at coordinate j with step h = cbrt(eps)·max(1,|x_j|), and its error bound: truncation
 * h²|f'''|/6, estimated from the same difference at 2h (D(2h) − D(h) = ½h²f''' + O(h⁴), so the bound is
 * |D(2h) − D(h)|/3, doubled for the O(h⁴) rest), plus round-off ≤ 64·eps·(1 + |f|)/h of two evaluations of f
 * that each carry ≤ 32 eps of relative error per unit of |f| (losses of ≤ 10² terms, correlated rounding).
 */
function centralDifference(f: () => number, x: Float64Array, j: number): { value: number; tol: number } {
  const t = x[j], h = Math.cbrt(EPS) * Math.max(1, Math.abs(t));
  const at = (s: number): number => {
    x[j] = t + s;
    const v = f();
    x[j] = t;
    return v;
  };
  const d1 = (at(h) - at(-h)) / (2 * h), d2 = (at(2 * h) - at(-2 * h)) / (4 * h);
  return { value: d1, tol: (2 / 3) * Math.abs(d2 - d1) + (64 * EPS * (1 + Math.abs(f()))) / h };
}

describe('structured σ_i (A2): average pooling and spatial LayerNorm commute with rot90/flips', () => {
  const caseArb = fc.record({ dihedral: fc.boolean(), channels: fc.integer({ min: 1, max: 3 }), half: fc.integer({ min: 1, max: 4 }), seed: fc.integer(), count: fc.integer({ min: 1, max: 3 }) });

  it('σ(ρ(g)z) = ρ_out(g)σ(z) for avgpool2, layerNormSpatial and pool→tanh→LN, every g ∈ C4 / D4', () => {
    checkProperty(
      fc.property(caseArb, ({ dihedral: dh, channels, half, seed, count }) => {
        const G = dh ? D4 : C4, k = 2 * half;
        const rng = new RandomStream(seed);
        const z = rng.gaussianVector(count * channels * k * k);
        // [σ, output size, LayerNorm gain]: LayerNorm amplifies input round-off by 1/σ ≤ 1/√eps, pooling and tanh by ≤ 1
        const maps: Array<[Activation, number, number]> = [
          [avgPool2(channels, k), half, 1],
          [layerNormSpatial(channels, k), k, 1 / Math.sqrt(LN_EPS)],
          [compose(avgPool2(channels, k), tanh, layerNormSpatial(channels, half)), half, 1 / Math.sqrt(LN_EPS)],
        ];
        const zmax = maxDiff(z, new Float64Array(z.length));
        for (const [sigma, kOut, gain] of maps) {
          const inRep = rot90(G, k, channels), outRep = rot90(G, kOut, channels);
          const a = new Float64Array(count * outRep.dim), ag = new Float64Array(a.length);
          sigma.forward(z, a, inRep.dim, count);
          for (const g of G.elements()) {
            sigma.forward(actRows(inRep, g, z, count), ag, inRep.dim, count);
            // the two orders of summing ≤ k² terms of size ≤ |z| (pool, mean, variance) differ by round-off, times the gain
            expect(maxDiff(ag, actRows(outRep, g, a, count))).toBeLessThanOrEqual(roundoff(1 + zmax, 4 * k * k) * gain);
          }
        }
      }),
    );
  });

  it('NEGATIVE CONTROL: a non-centred pooling (odd k, last row/column dropped) FAILS equivariance', () => {
    const croppedPool = (channels: number, k: number): Activation => {
      const h = Math.floor(k / 2);
      return {
        name: 'cropped-pool',
        outDim: (n) => (n / (k * k)) * h * h,
        forward(z, a, n, count) {
          for (let c = 0; c < count * channels; c++) for (let p = 0; p < h; p++) for (let q = 0; q < h; q++) {
            const o = c * k * k + 2 * p * k + 2 * q;
            a[c * h * h + p * h + q] = 0.25 * (z[o] + z[o + 1] + z[o + k] + z[o + k + 1]);
          }
        },
        backward() {
          throw new Error('unused');
        },
      };
    };
    const details = checkExpectingFailure(
      fc.property(fc.record({ half: fc.integer({ min: 1, max: 3 }), seed: fc.integer(), g: fc.integer({ min: 1, max: 3 }) }), ({ half, seed, g }) => {
        const k = 2 * half + 1;
        const z = new RandomStream(seed).gaussianVector(k * k);
        const sigma = croppedPool(1, k);
        const inRep = rot90(C4, k), outRep = rot90(C4, half);
        const a = new Float64Array(half * half), ag = new Float64Array(half * half);
        sigma.forward(z, a, k * k, 1);
        sigma.forward(actRows(inRep, g, z, 1), ag, k * k, 1);
        expect(maxDiff(ag, actRows(outRep, g, a, 1))).toBeLessThanOrEqual(roundoff(1, 4 * k * k));
      }),
    );
    expect(details.failed).toBe(true);
  });

  it('LayerNorm matches torch.nn.LayerNorm((k,k), elementwise_affine=False) on a worked example', () => {
    const ln = layerNormSpatial(1, 2);
    const a = new Float64Array(4);
    ln.forward(Float64Array.from([1, 2, 3, 4]), a, 4, 1);
    // μ = 2.5, biased variance 1.25: y = (x − μ)/√(1.25 + 1e-5)
    const s = Math.sqrt(1.25 + 1e-5);
    const want = [-1.5 / s, -0.5 / s, 0.5 / s, 1.5 / s];
    expect(maxDiff(a, want)).toBeLessThanOrEqual(roundoff(2, 8));
  });

  it('compose(pool, tanh, LN) backward = Dσᵀ·ga against central differences of ⟨ga, σ(z)⟩', () => {
    checkProperty(
      fc.property(caseArb, ({ channels, half, seed, count }) => {
        const k = 2 * half, n = channels * k * k;
        const rng = new RandomStream(seed);
        const sigma = compose(avgPool2(channels, k), tanh, layerNormSpatial(channels, half));
        const z = rng.gaussianVector(count * n), ga = rng.gaussianVector(count * sigma.outDim(n));
        const a = new Float64Array(ga.length), gz = new Float64Array(z.length);
        sigma.forward(z, a, n, count);
        sigma.backward(z, a, ga, gz, n, count);
        const f = (zz: Float64Array): number => {
          sigma.forward(zz, a, n, count);
          let s = 0;
          for (let i = 0; i < ga.length; i++) s += ga[i] * a[i];
          return s;
        };
        for (let j = 0; j < z.length; j++) {
          const { value, tol } = centralDifference(() => f(z), z, j);
          expect(Math.abs(value - gz[j])).toBeLessThanOrEqual(tol);
        }
      }),
    );
  });

  it('refuses odd pooling sizes and wrong row lengths, naming the field', () => {
    expectEqflowError(() => avgPool2(2, 5), { code: 'invalid-argument', field: 'k' });
    expectEqflowError(() => layerNormSpatial(1, 3, 0), { code: 'invalid-argument', field: 'eps' });
    expectEqflowError(() => avgPool2(2, 4).outDim(31), { code: 'dimension-mismatch', field: 'n' });
    expectEqflowError(() => compose(), { code: 'invalid-argument', field: 'activations' });
  });
});

/** Parameter action with conv kernels rotated the wrong way: ρ̄'(g) = ρ̄(g) except conv{i} uses rot90(g⁻¹). */
function wrongKernelAction(net: ConvNet): (g: number, A: Float64Array, out: Float64Array) => void {
  const G = net.space.group;
  const reps = net.layers.map((l) => rot90(G, 3, l.outChannels * l.inChannels));
  return (g, A, out) => {
    net.space.action.apply(g, A, out);
    net.layers.forEach((l, i) => {
      const off = net.space.segment(l.segment).offset;
      reps[i].apply(G.inv(g), A, out, off, off);
    });
  };
}

/** Lemma 0 with trivial output: Φ_{ρ̄(g)A}(ρ_0(g)x) = Φ_A(x), checked on a batch of 2 within the round-off bound. */
function lemma0Property(act: (net: ConvNet) => (g: number, A: Float64Array, out: Float64Array) => void, archs: fc.Arbitrary<Arch>) {
  return fc.property(archs, fc.integer(), fc.nat(7), (arch, seed, gi) => {
    const net = buildNet(arch);
    const G = net.space.group, g = gi % G.order, count = 2;
    const rng = new RandomStream(seed);
    const A = randomParams(net, rng.child('A'));
    const x = rng.child('x').gaussianVector(count * net.inputRep.dim);
    const gA = new Float64Array(A.length);
    act(net)(g, A, gA);
    const y = new Float64Array(count * net.outputs), gy = new Float64Array(y.length);
    net.forward(A, x, count, y);
    net.forward(gA, actRows(net.inputRep, g, x, count), count, gy);
    const xmax = maxDiff(x, new Float64Array(x.length));
    expect(maxDiff(gy, y)).toBeLessThanOrEqual(roundoffBound(net, A, xmax));
  });
}

describe('Lemma 0 for the CNN under C4 and D4', () => {
  it('Φ_{ρ̄(g)A}(ρ_0(g)x) = Φ_A(x) for random kernels, inputs, 4×4 / 8×8, with and without pool / LayerNorm', () => {
    checkProperty(lemma0Property((net) => (g, A, out) => net.space.action.apply(g, A, out), archArb));
  });

  it('NEGATIVE CONTROL: kernels rotated the other way (g⁻¹ on conv segments) FAIL Lemma 0', () => {
    const details = checkExpectingFailure(lemma0Property(wrongKernelAction, archArb));
    expect(details.failed).toBe(true);
  });

  it('paperCnn and toyCnn have the shapes of docs/theory.md §7 and §6 and satisfy Lemma 0 (C4 and D4)', () => {
    const paper = paperCnn();
    expect(paper.space.segments.map((s) => [s.name, ...s.shape])).toEqual([['conv0', 16, 1, 3, 3], ['conv1', 16, 16, 3, 3], ['linear', 10, 784]]);
    expect(paper.inputRep.dim).toBe(784);
    const toy = toyCnn();
    expect(toy.space.segments.map((s) => [s.name, ...s.shape])).toEqual([['conv0', 2, 1, 3, 3], ['linear', 3, 32]]);
    for (const net of [paperCnn({ group: D4, imageSize: 8, channels: [2, 2] }), toyCnn({ group: D4 }), paper]) {
      const rng = new RandomStream(net.name);
      const A = randomParams(net, rng), x = rng.gaussianVector(net.inputRep.dim);
      const y = new Float64Array(net.outputs), gy = new Float64Array(net.outputs), gA = new Float64Array(A.length);
      for (const g of net.space.group.elements()) {
        net.space.action.apply(g, A, gA);
        net.forward(A, x, 1, y);
        net.forward(gA, actRows(net.inputRep, g, x, 1), 1, gy);
        expect(maxDiff(gy, y)).toBeLessThanOrEqual(roundoffBound(net, A, maxDiff(x, new Float64Array(x.length))));
      }
    }
  });
});

/** Targets for a loss: Gaussian for the squared loss, one-hot classes for cross-entropy. */
function targets(loss: Loss, outputs: number, count: number, rng: RandomStream): Float64Array {
  if (loss === squaredLoss) return rng.gaussianVector(outputs * count);
  const y = new Float64Array(outputs * count);
  for (let s = 0; s < count; s++) y[s * outputs + rng.int(outputs)] = 1;
  return y;
}

describe('exact gradients of the CNN', () => {
  it('lossGradient matches central differences (step cbrt(eps)·max(1,|θ_j|)) for squared and cross-entropy loss', () => {
    checkProperty(
      fc.property(archArb, fc.integer(), fc.boolean(), fc.double({ min: 0.25, max: 2, noNaN: true }), (arch, seed, ce, weight) => {
        const net = buildNet(arch);
        const loss = ce ? crossEntropyLoss : squaredLoss;
        const rng = new RandomStream(seed), count = 2;
        const A = randomParams(net, rng.child('A'));
        const x = rng.child('x').gaussianVector(count * net.inputRep.dim);
        const y = targets(loss, net.outputs, count, rng.child('y'));
        const grad = new Float64Array(A.length);
        net.lossGradient(A, x, y, count, loss, weight, grad);
        const f = (): number => net.lossGradient(A, x, y, count, loss, weight, null);
        for (let j = 0; j < A.length; j++) {
          const { value, tol } = centralDifference(f, A, j);
          expect(Math.abs(value - grad[j])).toBeLessThanOrEqual(tol);
        }
      }),
    );
  });

  it('NEGATIVE CONTROL: a σ whose backward drops the factor 1 − tanh² FAILS the finite-difference check', () => {
    const wrongTanh: Activation = { ...tanh, name: 'tanh-wrong-backward', backward: (_z, _a, ga, gz, n, count) => gz.set(ga.subarray(0, n * count)) };
    const details = checkExpectingFailure(
      fc.property(archArb, fc.integer(), (arch, seed) => {
        const net = buildNet(arch, wrongTanh);
        const rng = new RandomStream(seed);
        const A = randomParams(net, rng.child('A')), x = rng.child('x').gaussianVector(net.inputRep.dim), y = rng.child('y').gaussianVector(net.outputs);
        const grad = new Float64Array(A.length);
        net.lossGradient(A, x, y, 1, squaredLoss, 1, grad);
        const f = (): number => net.lossGradient(A, x, y, 1, squaredLoss, 1, null);
        for (let j = 0; j < A.length; j++) {
          const { value, tol } = centralDifference(f, A, j);
          expect(Math.abs(value - grad[j])).toBeLessThanOrEqual(tol);
        }
      }),
    );
    expect(details.failed).toBe(true);
  });

  it('gradients accumulate into grad with the weight, and growing / shrinking the batch reuses buffers correctly', () => {
    checkProperty(
      fc.property(archArb, fc.integer(), (arch, seed) => {
        const net = buildNet(arch);
        const rng = new RandomStream(seed);
        const A = randomParams(net, rng.child('A'));
        const x = rng.child('x').gaussianVector(3 * net.inputRep.dim), y = rng.child('y').gaussianVector(3 * net.outputs);
        const g3 = new Float64Array(A.length), g1 = new Float64Array(A.length), g3b = new Float64Array(A.length);
        const r3 = net.lossGradient(A, x, y, 3, squaredLoss, 1, g3);
        const r1 = net.lossGradient(A, x, y, 1, squaredLoss, 2, g1);
        const r3b = net.lossGradient(A, x, y, 3, squaredLoss, 1, g3b);
        expect(r3b).toBe(r3);
        expect(maxDiff(g3b, g3)).toBe(0);
        // g1 = 2∇ℓ_0 so far; adding weight −3 must leave −∇ℓ_0
        const gs = new Float64Array(A.length);
        const rs = net.lossGradient(A, x, y, 1, squaredLoss, 1, gs);
        expect(r1).toBe(2 * rs);
        net.lossGradient(A, x, y, 1, squaredLoss, -3, g1);
        const tol = roundoff(1 + maxDiff(gs, new Float64Array(gs.length)), 4); // 2g − 3g computed as a sum of two rounded products
        expect(maxDiff(g1, gs.map((v) => -v))).toBeLessThanOrEqual(tol);
      }),
    );
  });

  it('refuses bad configurations and inputs, naming the field', () => {
    const base: ConvNetConfig = { group: C4, imageSize: 6, inChannels: 1, outputs: 2, blocks: [{ outChannels: 2, pool: true, activation: tanh, layerNorm: false }] };
    expectEqflowError(() => new ConvNet({ ...base, imageSize: 5 }), { code: 'invalid-argument', field: 'blocks[0].pool' });
    expectEqflowError(() => new ConvNet({ ...base, blocks: [...base.blocks, ...base.blocks] }), { code: 'invalid-argument', field: 'blocks[1].pool' });
    expectEqflowError(() => new ConvNet({ ...base, support: [[1, 1], [3, 0]] }), { code: 'invalid-argument', field: 'support[1]' });
    expectEqflowError(() => new ConvNet({ ...base, group: cyclic(3) }), { code: 'invalid-argument', field: 'group' });
    expectEqflowError(() => new ConvNet({ ...base, blocks: [{ ...base.blocks[0], pool: false, activation: avgPool2(2, 6) }] }), { code: 'invalid-argument', field: 'blocks[0].activation' });
    const net = new ConvNet(base);
    expectEqflowError(() => net.forward(new Float64Array(3), new Float64Array(36), 1, new Float64Array(2)), { code: 'dimension-mismatch', field: 'A' });
    expectEqflowError(() => net.forward(net.space.zeros(), new Float64Array(35), 1, new Float64Array(2)), { code: 'dimension-mismatch', field: 'x' });
    expectEqflowError(() => net.lossGradient(net.space.zeros(), new Float64Array(36), new Float64Array(2), 1, squaredLoss, NaN, null), { code: 'invalid-argument', field: 'weight' });
    expect(net.lossGradient(net.space.zeros(), new Float64Array(0), new Float64Array(0), 0, squaredLoss, 1, net.space.zeros())).toBe(0);
  });
});

describe('supports ω and the admissible mask', () => {
  it('full, cross, centre+corners are compatible with C4 and D4; skew and L-shape are not (docs/theory.md §1)', () => {
    const net = toyCnn({ channels: 2 });
    const cases: Array<[KernelSupport, boolean]> = [[supports.full, true], [supports.cross, true], [supports['centre-corners'], true], [supports.skew, false], [supports['l-shape'], false]];
    for (const [w, compatible] of cases) expect(new Projectors(supportMask(net.space, w)).compatible).toBe(compatible);
    // full support: dim E_0 = 3 kernel coefficients (centre, sides, corners) per channel pair + the invariant linear maps
    const lin = net.space.segment('linear');
    const linRep = rot90(C4, 4, 2);
    expect(new Projectors(net.admissible).dimE).toBe(2 * 1 * 3 + net.outputs * fixedDimension(linRep));
    expect(lin.size).toBe(net.outputs * linRep.dim);
  });

  it('the conv segments are exactly those named conv{i} (any number of digits, nothing before or after); supportMask is named', () => {
    const C4 = cyclic(4);
    const names = ['conv0', 'conv12', 'conv', 'xconv1', 'conv1_bias', 'linear'];
    const space = new ParamSpace(names.map((name) => ({ name, shape: [1], rep: trivial(C4, 1) })));
    expect(convSegments(space)).toEqual(['conv0', 'conv12']);
    const net = paperCnn({ imageSize: 8, channels: [2, 3] });
    expect(supportMask(net.space, supports.full).name).toBe('support');
  });

  it('supportMask zeroes exactly the kernel positions outside ω in every conv segment, and nothing else', () => {
    const lShape = supports['l-shape'];
    const net = paperCnn({ imageSize: 8, channels: [2, 3], support: lShape });
    const kept = (i: number): boolean => lShape.some(([a, b]) => 3 * a + b === i % 9); // row-major 3×3 position
    const L = net.admissible;
    if (L.kind !== 'mask') throw new Error('expected a mask');
    for (const s of net.space.segments) {
      for (let i = 0; i < s.size; i++) expect(L.mask[s.offset + i]).toBe(s.name === 'linear' || kept(i) ? 1 : 0);
    }
  });
});

/** Dense network of A = Mθ: conv layers as full (pooled) convolution matrices, σ_i = [LN] ∘ tanh. */
function denseOf(net: ConvNet) {
  const map = convToDense(net);
  return { map, dense: new DenseNetwork({ reps: map.reps.slice(), activations: map.sigmas.slice() }) };
}

describe('the kernel-parametrized CNN equals the dense network A = Mθ', () => {
  it('Φ agree and ∇_θ R = Mᵀ ∇_A R (chain rule) for squared and cross-entropy loss, C4 and D4', () => {
    checkProperty(
      fc.property(archArb, fc.integer(), fc.boolean(), (arch, seed, ce) => {
        const net = buildNet(arch);
        const { map, dense } = denseOf(net);
        expect(dense.space.dim).toBe(map.dense.dim);
        const loss = ce ? crossEntropyLoss : squaredLoss;
        const rng = new RandomStream(seed), count = 3;
        const theta = randomParams(net, rng.child('A'));
        const x = rng.child('x').gaussianVector(count * net.inputRep.dim);
        const y = targets(loss, net.outputs, count, rng.child('y'));
        const A = new Float64Array(map.dense.dim);
        map.apply(theta, A);
        const yc = new Float64Array(count * net.outputs), yd = new Float64Array(yc.length);
        net.forward(theta, x, count, yc);
        dense.forward(A, x, count, yd);
        const xmax = maxDiff(x, new Float64Array(x.length));
        const bound = roundoffBound(net, theta, xmax);
        // both evaluations carry the same first-order round-off bound
        expect(maxDiff(yc, yd)).toBeLessThanOrEqual(2 * bound);
        const gTheta = new Float64Array(theta.length), gA = new Float64Array(A.length), gM = new Float64Array(theta.length);
        const Rc = net.lossGradient(theta, x, y, count, loss, 1, gTheta);
        const Rd = dense.lossGradient(A, x, y, count, loss, 1, gA);
        map.transpose(gA, gM);
        // per output, ℓ changes by ≤ (|ŷ − y| + δ)·δ (squared) or ≤ 2δ summed (cross-entropy) when ŷ moves by δ ≤ 2·bound
        expect(Math.abs(Rc - Rd)).toBeLessThanOrEqual(count * net.outputs * 2 * bound * (2 + maxDiff(yc, y)));
        let gmax = 0;
        for (const v of gTheta) gmax = Math.max(gmax, Math.abs(v));
        // backward round-off mirrors the forward one relative to the gradient's scale; Mᵀ sums ≤ k² positions per kernel entry
        const gtol = (2 * bound / (1 + maxDiff(yc, new Float64Array(yc.length)))) * (1 + gmax) * net.imageSize ** 2;
        expect(maxDiff(gTheta, gM)).toBeLessThanOrEqual(Math.max(gtol, roundoff(1 + gmax, net.imageSize ** 2)));
      }),
    );
  });

  it('M intertwines the actions, M ρ̄_θ(g) = ρ̄_A(g) M, so [MMᵀ, Π_G] = 0 (docs/theory.md §1 Parametrization)', () => {
    checkProperty(
      fc.property(archArb, fc.integer(), fc.nat(7), (arch, seed, gi) => {
        const net = buildNet(arch);
        const map = convToDense(net);
        const G = net.space.group, g = gi % G.order;
        const theta = new RandomStream(seed).gaussianVector(net.space.dim);
        const gt = new Float64Array(theta.length), A = new Float64Array(map.dense.dim), B = new Float64Array(A.length), gA = new Float64Array(A.length);
        net.space.action.apply(g, theta, gt);
        map.apply(gt, A);
        map.apply(theta, B);
        map.dense.action.apply(g, B, gA);
        // each dense entry sums ≤ 4·9 kernel entries with weights ≤ 1 (pooling folds four conv outputs)
        expect(maxDiff(A, gA)).toBeLessThanOrEqual(roundoff(maxDiff(theta, new Float64Array(theta.length)), 36));
      }),
    );
  });

  it('L_0 = span of the convolution matrices of support ω is compatible in the dense space exactly when ω is', () => {
    // exhaustive over the five supports × {C4, D4}: a finite family, so no sampling
    for (const group of [C4, D4]) {
      const net = toyCnn({ group, imageSize: 4, channels: 1, outputs: 1 });
      const map = convToDense(net);
      for (const w of Object.values(supports)) {
        const kernelL = supportMask(net.space, w);
        if (kernelL.kind !== 'mask') throw new Error('expected a mask');
        const cols: Float64Array[] = [];
        for (let j = 0; j < net.space.dim; j++) {
          if (!kernelL.mask[j]) continue;
          const e = new Float64Array(net.space.dim), col = new Float64Array(map.dense.dim);
          e[j] = 1;
          map.apply(e, col);
          cols.push(col);
        }
        const denseP = new Projectors(basisSpace(map.dense, cols));
        const kernelP = new Projectors(kernelL);
        expect(denseP.compatible).toBe(kernelP.compatible);
        expect(denseP.dimE).toBe(kernelP.dimE);
      }
    }
  });
});
