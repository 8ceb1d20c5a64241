import { derivative, parse } from 'mathjs';
import { EqflowError, requireInteger, requireLength } from '../core/errors.js';
import { DenseNetwork } from '../models/dense.js';

/**
 * Symbolic gradient oracle that shares no code with backpropagation: mathjs differentiates the risk of a polynomial
 * dense network written out as an expression (finite differences are in risk/differences.ts).
 */

/** A number as a mathjs literal that parses back to the same float (shortest round-trip form); negatives in parentheses. */
function literal(v: number): string {
  if (!Number.isFinite(v)) throw new EqflowError('not-finite', 'data', `cannot write ${v} into an expression`);
  return v < 0 ? `(${String(v)})` : String(v);
}

/** The symbol of flat coordinate k. */
export function parameterSymbol(k: number): string {
  return `a${k}`;
}

export interface RiskExpressionOptions {
  /**
   * Build p̃ instead of p: every datum and weight by its absolute value and ŷ − y as ŷ + |y|. Evaluated at |A|,
   * ∂_j p̃ ≥ Σ_terms |∂_j term| bounds the magnitude of everything summed into ∂_j p: the round-off scale.
   */
  absolute?: boolean;
}

/**
 * weight · Σ_s ½‖Φ_A(x_s) − y_s‖² (squared loss) of a polynomial DenseNetwork (activations `square` or `identity`)
 * as a mathjs expression in a0..a{dim−1}, written from the definition x_{i+1} = σ_i(A_i [x_i; 1]) and the
 * layout of `net.space` alone (no forward code). The expression repeats sub-terms, so its size grows like
 * Π n_i: tiny networks only.
 */
export function denseRiskExpression(net: DenseNetwork, x: Float64Array, y: Float64Array, count: number, weight: number, opts: RiskExpressionOptions = {}): string {
  requireInteger(count, 'count');
  const abs = opts.absolute === true;
  const num = (v: number) => literal(abs ? Math.abs(v) : v);
  net.activations.forEach((f, i) => {
    if (f.name !== 'square' && f.name !== 'identity') throw new EqflowError('unsupported', `activations[${i}]`, `the symbolic oracle needs a polynomial network (square or identity), got ${f.name}`);
  });
  const w = net.widths;
  if (x.length < count * w[0]) throw new EqflowError('dimension-mismatch', 'x', `expected at least ${count}×${w[0]} entries, got ${x.length}`);
  if (y.length < count * w[net.layers]) throw new EqflowError('dimension-mismatch', 'y', `expected at least ${count}×${w[net.layers]} entries, got ${y.length}`);
  const samples: string[] = [];
  for (let s = 0; s < count; s++) {
    let h = Array.from({ length: w[0] }, (_, c) => num(x[s * w[0] + c]));
    for (let i = 0; i < net.layers; i++) {
      const seg = net.space.segments[i];
      const inputs = net.bias[i] ? [...h, '1'] : h;
      const k = inputs.length;
      h = Array.from({ length: w[i + 1] }, (_, r) => {
        const z = `(${inputs.map((t, c) => `${parameterSymbol(seg.offset + r * k + c)} * ${t}`).join(' + ')})`;
        return net.activations[i].name === 'square' ? `${z}^2` : z;
      });
    }
    const nL = w[net.layers];
    const residuals = h.map((t, r) => `(${t} ${abs ? '+' : '-'} ${num(y[s * nL + r])})^2`);
    samples.push(residuals.join(' + '));
  }
  return `${num(weight)} * 0.5 * (${samples.join(' + ')})`;
}

/** A compiled expression and its partial derivatives in `symbols`: f(A) and ∇f(A), to round-off. */
export type SymbolicGradient = (A: Float64Array) => { value: number; gradient: Float64Array };

/**
 * Differentiates `expression` with mathjs `derivative` (no simplification, so no reordering beyond the rules)
 * in every symbol and compiles the results: an exact oracle up to the round-off of evaluating them.
 */
export function symbolicGradient(expression: string, symbols: readonly string[]): SymbolicGradient {
  const node = parse(expression);
  const value = node.compile();
  const partials = symbols.map((s) => derivative(node, s, { simplify: false }).compile());
  const scope = new Map<string, number>();
  return (A) => {
    requireLength(A, symbols.length, 'A');
    symbols.forEach((s, k) => scope.set(s, A[k]));
    const gradient = Float64Array.from(partials, (p) => p.evaluate(scope) as number);
    return { value: value.evaluate(scope) as number, gradient };
  };
}

export interface SymbolicRiskResult {
  value: number;
  gradient: Float64Array;
  /** p̃(|A|): the magnitude of the terms summed into R(A) */
  valueScale: number;
  /** ∂_j p̃(|A|): the magnitude of the terms summed into ∂_j R, the scale of any evaluation's round-off */
  scale: Float64Array;
  /** rounding steps on the longest path of the evaluation (forward and derivative): error ≤ γ_ops·scale_j */
  ops: number;
}

/**
 * The symbolic oracle for a polynomial DenseNetwork's weighted squared-loss risk (Example Q, square-activation
 * networks): value, exact gradient and its round-off scale, independent of backpropagation.
 */
export function symbolicRiskOracle(net: DenseNetwork, x: Float64Array, y: Float64Array, count: number, weight: number): (A: Float64Array) => SymbolicRiskResult {
  const symbols = Array.from({ length: net.space.dim }, (_, k) => parameterSymbol(k));
  const exact = symbolicGradient(denseRiskExpression(net, x, y, count, weight), symbols);
  const magnitude = symbolicGradient(denseRiskExpression(net, x, y, count, weight, { absolute: true }), symbols);
  // Per layer: a dot product of n_i + b_i terms and σ; then residual, square, two weights, the sum over outputs.
  const forward = net.space.segments.reduce((s, seg) => s + seg.shape[1] + 1, 0) + 4 + count * net.widths[net.layers];
  const absA = new Float64Array(net.space.dim);
  return (A) => {
    const { value, gradient } = exact(A);
    for (let k = 0; k < A.length; k++) absA[k] = Math.abs(A[k]);
    const m = magnitude(absA);
    return { value, gradient, valueScale: m.value, scale: m.gradient, ops: 2 * forward };
  };
}
