/**
 * The refusals and edge paths of the models, the risk oracles and the Haar risk that no property reaches: each bad
 * input is an EqflowError naming its field, and each edge path (empty network head, grown buffers, zero direction,
 * no Haar rule) gives the value its definition says.
 */
import { describe, expect, it } from 'vitest';
import { RandomStream } from '../../src/core/rng.js';
import { cyclic } from '../../src/groups/builtins.js';
import { permutationGroup, planarGroup } from '../../src/groups/compact.js';
import { symmetricByGenerators } from '../../src/groups/permGroup.js';
import { bandLimited, pointAction } from '../../src/reps/action.js';
import { cyclicShift, rotation2d, signedPermutationRep, trivial } from '../../src/reps/builders.js';
import { identity, sigmoid, square, tanh } from '../../src/models/activations.js';
import { ConvNet, toyCnn } from '../../src/models/cnn.js';
import { DenseNetwork, smallMlp } from '../../src/models/dense.js';
import { Activation } from '../../src/models/model.js';
import { dataset } from '../../src/risk/dataset.js';
import { denseHessian, finiteDifferenceGradient, hessianVectorProduct } from '../../src/risk/differences.js';
import {
  adaptiveHaarRisk, augmentedRiskDegree, boundedTolerance, exactAugmentedRisk, perSampleRisk, sampleMean, sampledTolerance,
} from '../../src/risk/haarRisk.js';
import { squaredLoss } from '../../src/risk/losses.js';
import { denseRiskExpression, symbolicGradient, symbolicRiskOracle } from '../../src/risk/oracles.js';
import { expectEqflowError } from '../arbitraries/index.js';

const C2 = cyclic(2);
const C4 = cyclic(4);
// 2 → 3 → 2 with a bias on layer 0: output width 2, so count·n_L is told apart from count/n_L
const wide = new DenseNetwork({ reps: [trivial(C2, 2), trivial(C2, 3), trivial(C2, 2)], activations: [square, identity], bias: [true, false] });

describe('DenseNetwork refuses', () => {
  const reps = [cyclicShift(C4, 4), cyclicShift(C4, 4), trivial(C4)];

  it('activations that are not an array, saying what it got', () => {
    expectEqflowError(() => new DenseNetwork({ reps, activations: undefined as unknown as Activation[] }), { code: 'dimension-mismatch', field: 'activations', message: /got undefined/ });
  });

  it('a pointwise σ on a representation it does not commute with (A2), and accepts the ones it does', () => {
    // C2 acting on R² by x ↦ −x: a signed permutation, so odd tanh commutes with it and sigmoid does not
    const flip = signedPermutationRep(C2, [[0, 1], [0, 1]], [[1, 1], [-1, -1]]);
    const withHidden = (hidden: typeof flip, f: Activation) => new DenseNetwork({ reps: [flip, hidden, trivial(C2)], activations: [f, identity] });
    expectEqflowError(() => withHidden(flip, sigmoid), { code: 'invalid-argument', field: 'activations[0]', message: /A2 fails/ });
    expect(withHidden(flip, tanh).layers).toBe(2);
    // a 2-D rotation is not monomial: only σ = identity commutes with it
    const rot = rotation2d(C4);
    const net = (f: Activation) => new DenseNetwork({ reps: [rot, rot, trivial(C4)], activations: [f, identity] });
    expectEqflowError(() => net(tanh), { code: 'invalid-argument', field: 'activations[0]' });
    expect(net(identity).layers).toBe(2);
  });

  it('an output buffer or targets too short, and a non-finite weight', () => {
    const net = new DenseNetwork({ reps, activations: [tanh, identity] });
    const A = net.randomParameters(new RandomStream(1)), x = new Float64Array(8);
    expectEqflowError(() => net.forward(A, x, 2, new Float64Array(1)), { code: 'dimension-mismatch', field: 'out' });
    expectEqflowError(() => net.lossGradient(A, x, new Float64Array(1), 2, squaredLoss, 1, null), { code: 'dimension-mismatch', field: 'y' });
    for (const w of [NaN, Infinity]) expectEqflowError(() => net.lossGradient(A, x, new Float64Array(2), 2, squaredLoss, w, null), { code: 'invalid-argument', field: 'weight' });
  });
});

describe('ConvNet', () => {
  it('refuses an output buffer or targets too short', () => {
    const net = toyCnn();
    const A = new RandomStream(2).gaussianVector(net.space.dim), x = new Float64Array(32);
    expectEqflowError(() => net.forward(A, x, 2, new Float64Array(5)), { code: 'dimension-mismatch', field: 'out' });
    expectEqflowError(() => net.lossGradient(A, x, new Float64Array(5), 2, squaredLoss, 1, null), { code: 'dimension-mismatch', field: 'y' });
  });

  it('grows its work buffers for a larger batch: each row equals the one-sample result, before and after', () => {
    const net = toyCnn();
    const r = new RandomStream(3);
    const A = r.gaussianVector(net.space.dim), x = r.gaussianVector(3 * 16);
    const one = (s: number) => {
      const out = new Float64Array(3);
      net.forward(A, x.subarray(16 * s, 16 * s + 16), 1, out);
      return [...out];
    };
    const before = [0, 1, 2].map(one);
    const all = new Float64Array(9);
    net.forward(A, x, 3, all);
    for (let s = 0; s < 3; s++) expect([...all.subarray(3 * s, 3 * s + 3)]).toEqual(before[s]);
    expect([0, 1, 2].map(one)).toEqual(before);
  });

  it('with no convolution blocks is the linear head alone: its gradient matches central differences', () => {
    const net = new ConvNet({ group: C4, imageSize: 2, inChannels: 1, blocks: [], outputs: 2 });
    const r = new RandomStream(4);
    const A = r.gaussianVector(net.space.dim), x = r.gaussianVector(2 * 4), y = r.gaussianVector(2 * 2);
    const grad = new Float64Array(A.length);
    net.lossGradient(A, x, y, 2, squaredLoss, 0.5, grad);
    const fd = finiteDifferenceGradient((B) => net.lossGradient(B, x, y, 2, squaredLoss, 0.5, null), A);
    for (let j = 0; j < A.length; j++) expect(Math.abs(grad[j] - fd.gradient[j]), `coordinate ${j}`).toBeLessThanOrEqual(fd.bound[j]);
    // the head is linear in A: ŷ = A x, so ∇ is not zero for generic data
    expect(grad.some((g) => g !== 0)).toBe(true);
  });
});

describe('finite differences refuse and short-cut', () => {
  it('an f that is not finite near A, naming f', () => {
    expectEqflowError(() => finiteDifferenceGradient((A) => (A[0] > 0.5 ? NaN : A[0]), Float64Array.from([0.5])), { code: 'not-finite', field: 'f' });
  });

  it('a negative or NaN fError', () => {
    for (const fError of [-1, NaN]) expectEqflowError(() => finiteDifferenceGradient((A) => A[0], Float64Array.from([1]), { fError }), { code: 'invalid-argument', field: 'fError' });
  });

  it('a Hessian-vector product along v = 0 is 0, written into out, without calling the gradient', () => {
    const out = Float64Array.from([7, 7]);
    let calls = 0;
    const r = hessianVectorProduct(() => { calls++; }, Float64Array.from([1, 2]), new Float64Array(2), out);
    expect(r).toBe(out);
    expect([...out]).toEqual([0, 0]);
    expect(calls).toBe(0);
  });

  it('a dense Hessian above maxDim, and accepts one at maxDim', () => {
    const grad = (A: Float64Array, out: Float64Array) => out.set(A); // ∇(½‖A‖²) = A, so ∇² = I
    expectEqflowError(() => denseHessian(grad, new Float64Array(4), 3), { code: 'invalid-argument', field: 'A' });
    expect([...denseHessian(grad, new Float64Array(3), 3)]).toEqual([1, 0, 0, 0, 1, 0, 0, 0, 1]);
  });
});

describe('Haar risk refuses and reports', () => {
  const net = smallMlp();
  const rng = new RandomStream(5);
  const d = dataset(rng.gaussianVector(2 * 16), rng.gaussianVector(2), 16, 1);
  const A = net.randomParameters(rng);

  it('a sampled batch with one element per sample missing', () => {
    const S4 = permutationGroup(symmetricByGenerators(4));
    const risk = { model: net, data: d, loss: squaredLoss, input: pointAction(S4), output: pointAction(S4) };
    expectEqflowError(() => perSampleRisk(risk, A, [S4.identity], null), { code: 'dimension-mismatch', field: 'elements' });
  });

  it('an exact or adaptive average over a group too large for a Haar rule', () => {
    const S8 = permutationGroup(symmetricByGenerators(8)); // 8! = 40 320 elements
    expect(S8.haarRule(0)).toBeNull();
    const risk = { model: net, data: d, loss: squaredLoss, input: pointAction(S8), output: pointAction(S8) };
    expectEqflowError(() => exactAugmentedRisk(risk, 0, A, null), { code: 'unsupported', field: 'group' });
    expectEqflowError(() => adaptiveHaarRisk(risk, A, { tol: 1 }), { code: 'unsupported', field: 'group' });
  });

  it('the degree of a non-polynomial integrand as null: a loss other than squared, or σ not polynomial', () => {
    expect(augmentedRiskDegree(['square', 'identity'], 1, 1, 'squared')).toBe(4);
    expect(augmentedRiskDegree(['square', 'identity'], 1, 1, 'cross-entropy')).toBeNull();
    expect(augmentedRiskDegree(['tanh', 'identity'], 1, 1, 'squared')).toBeNull();
  });

  it('adaptive quadrature starts at 8 angles by default and refuses when maxDegree is reached first', () => {
    const SO2 = planarGroup(false);
    const rot = bandLimited(SO2, [1]); // R² rotated by θ
    const dense = new DenseNetwork({ reps: [trivial(C2, 2), trivial(C2, 2), trivial(C2, 1)], activations: [square, identity] });
    const r2 = new RandomStream(6);
    const data = dataset(r2.gaussianVector(4), r2.gaussianVector(2), 2, 1);
    const B = dense.randomParameters(r2);
    const risk = { model: dense, data, loss: squaredLoss, input: rot, output: bandLimited(SO2, [0]) };
    // degree 2·2·1 = 4 < 7: the 8- and 16-angle rules are both exact, so the first doubling converges with 16 points
    const q = adaptiveHaarRisk(risk, B, { tol: 1e-9 });
    expect(q.points).toBe(16);
    // any tolerance is met by the first doubling, so that is where it stops: 8 → 16 angles from the default start
    expect(adaptiveHaarRisk(risk, B, { tol: Number.MAX_VALUE }).points).toBe(16);
    expect(adaptiveHaarRisk(risk, B, { tol: Number.MAX_VALUE, startDegree: 3 }).points).toBe(8);
    expect(q.value).toBeCloseTo(exactAugmentedRisk(risk, 4, B, null), 12);
    expectEqflowError(() => adaptiveHaarRisk(risk, B, { tol: 1e-9, startDegree: 7, maxDegree: 14 }), { code: 'not-converged', field: 'quadrature' });
  });

  it('a level α outside (0, 1) and fewer than 2 samples for a variance', () => {
    for (const alpha of [0, 1, NaN]) {
      expectEqflowError(() => sampledTolerance(1, 10, alpha), { code: 'invalid-argument', field: 'alpha' });
      expectEqflowError(() => boundedTolerance(1, 1, 10, alpha), { code: 'invalid-argument', field: 'alpha' });
    }
    expectEqflowError(() => sampleMean([Float64Array.from([1])]), { code: 'invalid-argument', field: 'samples' });
  });
});

describe('the symbolic oracle refuses', () => {
  const poly = new DenseNetwork({ reps: [cyclicShift(C4, 4), cyclicShift(C4, 4), trivial(C4)], activations: [square, identity] });


  it('a network that is not polynomial, naming the layer', () => {
    const net = new DenseNetwork({ reps: [cyclicShift(C4, 4), cyclicShift(C4, 4), trivial(C4)], activations: [square, tanh] });
    expectEqflowError(() => denseRiskExpression(net, new Float64Array(4), new Float64Array(1), 1, 1), { code: 'unsupported', field: 'activations[1]', message: /needs a polynomial network \(square or identity\), got tanh/ });
  });

  it('a count that is not a positive integer, and data too short for the count', () => {
    expectEqflowError(() => denseRiskExpression(poly, new Float64Array(8), new Float64Array(2), 1.5, 1), { code: 'invalid-argument', field: 'count' });
    expectEqflowError(() => denseRiskExpression(poly, new Float64Array(7), new Float64Array(2), 2, 1), { code: 'dimension-mismatch', field: 'x', message: /expected at least 2×4 entries, got 7/ });
    expectEqflowError(() => denseRiskExpression(wide, new Float64Array(6), new Float64Array(5), 3, 1), { code: 'dimension-mismatch', field: 'y', message: /expected at least 3×2 entries, got 5/ });
  });

  it('a datum that cannot be written as a literal', () => {
    expectEqflowError(() => denseRiskExpression(poly, Float64Array.from([1, NaN, 0, 0]), new Float64Array(1), 1, 1), { code: 'not-finite', field: 'data', message: /cannot write NaN/ });
  });

  it('a parameter vector of the wrong length, naming A', () => {
    expectEqflowError(() => symbolicGradient('a0 * a1', ['a0', 'a1'])(new Float64Array(3)), { code: 'dimension-mismatch', field: 'A' });
  });
});

describe('the symbolic oracle', () => {
  it('writes the risk from the definition, negatives in parentheses', () => {
    const net = new DenseNetwork({ reps: [trivial(C2, 1), trivial(C2, 1)], activations: [square] });
    expect(denseRiskExpression(net, Float64Array.from([-1.5]), Float64Array.from([0]), 1, 0.25)).toBe('0.25 * 0.5 * (((a0 * (-1.5))^2 - 0)^2)');
    expect(denseRiskExpression(net, Float64Array.from([2]), Float64Array.from([-3]), 1, 1)).toBe('1 * 0.5 * (((a0 * 2)^2 - (-3))^2)');
  });

  it('counts the rounding steps of the documented evaluation path: 2·(Σ_i (n_i + b_i + 1) + 4 + count·n_L)', () => {
    const r = new RandomStream(7);
    const oracle = symbolicRiskOracle(wide, r.gaussianVector(6), r.gaussianVector(6), 3, 1);
    // layer 0: n_0 + b_0 = 3, layer 1: n_1 = 3, so 2·((3 + 1) + (3 + 1) + 4 + 3·2) = 36
    expect(oracle(wide.randomParameters(r)).ops).toBe(36);
  });
});
