import fc from 'fast-check';
import { minEigenvalue, symmetricEigen } from '../analysis/eigen.js';
import { CaseSession, RiskMode } from '../impl/implementation.js';
import { EXAMPLE_Q } from '../impl/examples.js';
import { exampleQCase, isExampleQ } from './cases.js';
import { register } from './engine.js';
import { equivariantStationaryPoint, theoremCase, theoremCaseWithLarge } from './theorem1.js';
import { roundoff } from '../core/tolerance.js';
import { largestFinite } from '../core/precision.js';
import { CaseSpec } from '../impl/caseSpec.js';
import { lin, measured, norm, numerics, withSession, worst } from './util.js';
import { caseStructure } from './caseStructure.js';
import { together } from './pipeline.js';

const seed = fc.integer({ min: 0, max: 2 ** 31 - 1 });

/** A Hessian block and the estimated error of its entries. */
export interface Block {
  H: number[][];
  /** Richardson estimate of the truncation error |D(2ε) − D(ε)|/3 plus the gradient's round-off bound / ε */
  err: number;
  /** set when no step reached the asymptotic regime: `err` is then no bound, and nothing compared with H is resolved */
  unresolved?: string;
}

/** Shrinks of ε by 4 before a block is declared unresolved (4⁶ ≈ 4096: from cbrt(u)·‖A‖ to below u^{1/2}·‖A‖ in float64). */
const MAX_SHRINKS = 6;

/** A comparison of Hessian blocks, or, when one of them is unresolved, that part marked unresolved with its reason. */
export function fromBlocks(blocks: Block[], m: { ratio: number; detail: string }): { ratio: number; detail: string; unresolved?: string } {
  const why = blocks.find((b) => b.unresolved !== undefined)?.unresolved;
  return why === undefined ? m : { ratio: 0, detail: m.detail, unresolved: why };
}

/**
 * Bᵀ∇²f(A)C from central differences of the implementation's exact gradients, D(ε), with its truncation error
 * estimated by Richardson from D(2ε): the error is O(ε²), so D(ε) − true ≈ (D(2ε) − D(ε))/3. That estimate holds
 * only in the asymptotic regime, which D(4ε) and D(8ε) check: there |D(8ε) − D(4ε)| ≈ 4|D(4ε) − D(2ε)| ≈ 16|D(2ε) − D(ε)|. The first ε is
 * cbrt(u)·max(1, ‖A‖) (O(ε²) truncation vs u/ε round-off); far from the origin (e.g. cross-entropy run off to
 * ‖A‖ ~ 10⁴) that step can be pre-asymptotic, where the estimate is several times too small, so ε shrinks by 4
 * until the check passes. A gradient that varies on a scale below every step tried (a softmax saturated at ‖A‖ ~ 2·10⁴
 * flips within 10⁻⁶) never gets there: the block is then unresolved at this precision, not judged. A gradient summed over |G|·n samples of
 * O(dim) flops carries Higham's round-off bound on the scale of its terms (|R| + ‖∇R‖ + 1; near a stationary point
 * ‖∇R‖ alone hides the terms' size), which the difference quotient divides by ε: differences below it are noise,
 * and the check is not needed. With γ > 0 the gradient is that of S_γ = R^aug + γ/2‖Π_{E⊥}A‖².
 */
export async function hessianBlock(s: CaseSession, mode: RiskMode, A: Float64Array, B: Float64Array[], C: Float64Array[], gamma: number, spec: CaseSpec, machineEps: number): Promise<Block> {
  const grad = async (X: Float64Array) => {
    const g = (await s.risk(mode, X)).gradient;
    if (gamma === 0) return g;
    const pe = await s.project('E', X);
    return g.map((v, i) => v + gamma * (X[i] - pe[i]));
  };
  const r0 = await s.risk(mode, A);
  const termScale = Math.abs(r0.value) + norm(r0.gradient) + 1;
  const ops = caseStructure(spec).averagedTerms * caseStructure(spec).count * s.dim;
  const dot = (b: Float64Array, t: Float64Array) => b.reduce((acc, v, i) => acc + v * t[i], 0);
  /** Bᵀ D(h) C with D(h) the central difference of the gradient at step h along each column of C */
  const block = async (h: number) => {
    // the 2|C| gradients are independent: sent together (pipelined; batched by implementations that batch)
    const g = await together(C.flatMap((c) => [() => grad(lin(1, A, h, c)), () => grad(lin(1, A, -h, c))]));
    const T = C.map((_, k) => g[2 * k].map((v, i) => (v - g[2 * k + 1][i]) / (2 * h)));
    return B.map((b) => T.map((t) => dot(b, t)));
  };
  const maxDelta = (a: number[][], b: number[][]) => a.reduce((m, r, i) => r.reduce((mm, v, j) => Math.max(mm, Math.abs(v - b[i][j])), m), 0);
  // ε/4 is exact in binary, so a shrink's 4ε and 8ε are the previous attempt's ε and 2ε: reused, not recomputed
  const blocks = new Map<number, number[][]>();
  const at = async (h: number) => blocks.get(h) ?? blocks.set(h, await block(h)).get(h)!;
  // asymptotic: successive differences shrink by 4 = 2² (order p ∈ [1.5, 2.5] leaves the O(ε⁴) term and round-off
  // their share). The error of D(ε) is d1/(2^p − 1), so d1/3 is then off by at most 1.64×, inside fdTol's 4×; the
  // window [2, 8] admitted p = 1.1 (a float32 step of 0.87 at ‖A‖ = 178), where d1/3 missed the error 5×.
  const inWindow = (coarse: number, fine: number, top: number) => coarse >= 2 ** 1.5 * fine && coarse <= top * fine;
  const eps0 = Math.cbrt(machineEps) * Math.max(1, norm(A));
  for (let eps = eps0, attempt = 0; ; attempt++, eps /= 4) {
    const [H1, H2, H4, H8] = [await at(eps), await at(2 * eps), await at(4 * eps), await at(8 * eps)];
    const d1 = maxDelta(H2, H1), d2 = maxDelta(H4, H2), d3 = maxDelta(H8, H4);
    const noise = roundoff(termScale, ops, machineEps) / eps;
    // one ratio inside the window can be chance where the gradient varies on a scale far below ‖A‖ (CI seed
    // 1299912009: a CNN's softmax saturated at ‖A‖ = 3.2e4, ratio 4.6 at ε = 0.048 while D(8ε) was off by 4, and d1/3
    // missed D(ε)'s error 4×), so the next coarser ratio must show the Taylor series ordered at 8ε too: up to 2⁴, where
    // its O(ε⁴) term leads (which only makes d1/3 larger when the finer ratio is in the window), not beyond
    const asymptotic = d1 <= noise || (inWindow(d2, d1, 2 ** 2.5) && inWindow(d3, d2, 2 ** 4));
    if (asymptotic) return { H: H1, err: d1 / 3 + noise };
    if (attempt === MAX_SHRINKS) {
      return { H: H1, err: d1 / 3 + noise, unresolved: `Hessian by central differences at ‖A‖ = ${norm(A).toExponential(2)}: no step from ε = ${eps0.toExponential(2)} down to ${eps.toExponential(2)} reached the asymptotic regime (|D(8ε) − D(4ε)|, |D(4ε) − D(2ε)|, |D(2ε) − D(ε)| = ${d3.toExponential(2)}, ${d2.toExponential(2)}, ${d1.toExponential(2)}: not shrinking by ≈ 4 each)` };
    }
  }
}

const sym = (m: number[][]) => m.map((r, i) => r.map((v, j) => 0.5 * (v + m[j][i])));
const maxAbs = (m: number[][]) => m.reduce((a, r) => r.reduce((b, v) => Math.max(b, Math.abs(v)), a), 0);
const maxDiff = (a: number[][], b: number[][]) => a.reduce((m, r, i) => r.reduce((mm, v, j) => Math.max(mm, Math.abs(v - b[i][j])), m), 0);

/** Tolerance for comparing blocks: 4× the summed error estimates (estimates of O(ε²) terms are good to a factor ~2). */
const fdTol = (...blocks: Block[]) => 4 * blocks.reduce((a, b) => a + b.err, 0);

/**
 * Lemma 3 / Theorem 2: at a stationary A* ∈ E the augmented Hessian on L_0 is block diagonal in E_0 ⊕ F_0 and its
 * E_0 block is the equivariant Hessian (of R restricted to E); hence stable for augmented ⇒ stable for
 * equivariant (λ_min(H_eq) ≥ λ_min of the whole L_0 Hessian).
 */
export const theorem2BlocksClaim = register({
  id: 'theorem-2-blocks',
  title: 'at stationary A* ∈ E, ∇²R^aug = H_eq ⊕ H_⊥ on E_0 ⊕ F_0, H_eq = equivariant Hessian; aug-stable ⇒ eq-stable',
  source: 'Lemma 3, Theorem 2',
  needs: ['risk', 'projectors'],
  // a Newton solve and dim L_0 Hessian-vector products per case: 50 cases keep the suite in budget
  runs: 50,
  arbitrary: fc.record({ spec: theoremCaseWithLarge, seed, offset: fc.constant<number>(0) }),
  check: async (impl, { spec, seed, offset }) => {
    const b = caseStructure(spec);
    const { A: Astar } = equivariantStationaryPoint(spec, seed);
    // negative control: move off E along F_0, where Lemma 3's hypothesis A ∈ E fails
    const { E, F } = b.hessianBases(seed);
    const A = offset === 0 || F.length === 0 ? Astar : lin(1, Astar, offset, F[seed % F.length]);
    const { eps } = numerics(impl);
    return withSession(impl, spec, async (s) => {
      const heq = await hessianBlock(s, 'augmented', A, E, E, 0, spec, eps);
      const off = await hessianBlock(s, 'augmented', A, E, F, 0, spec, eps);
      const nominal = await hessianBlock(s, 'nominal', A, E, E, 0, spec, eps);
      const full = await hessianBlock(s, 'augmented', A, [...E, ...F], [...E, ...F], 0, spec, eps);
      // eigenvalues move by at most the perturbation's norm, ≤ dim·(max entry error) (Weyl)
      const eigTol = (E.length + F.length) * fdTol(full, heq);
      return worst(
        fromBlocks([off], measured(maxAbs(off.H), fdTol(off), 'off-diagonal block Π_{E_0}TΠ_{F_0}')),
        fromBlocks([heq, nominal], measured(maxDiff(sym(heq.H), sym(nominal.H)), fdTol(heq, nominal), 'E_0 block of ∇²R^aug vs equivariant Hessian ∇²R|_{E_0}')),
        fromBlocks([full, heq], measured(Math.max(0, minEigenvalue(sym(full.H)) - minEigenvalue(sym(heq.H))), eigTol, 'λ_min(L_0 Hessian) ≤ λ_min(H_eq)')),
      );
    });
  },
  negative: { arbitrary: fc.record({ spec: theoremCase, seed, offset: fc.constant<number>(0.5) }), description: 'A ∉ E (moved off E along F_0)' },
});

export { EXAMPLE_Q };

/**
 * Theorem 2, regularized corollary: the S_γ Hessian at A* is H_eq ⊕ (H_⊥ + γI), so a point with H_eq ≻ 0 is stable
 * for the regularized augmented flow iff γ > γ_loc = max(0, −λ_min(H_⊥)). On Example Q the numbers are the closed
 * form (H_eq = 6, H_⊥ = −1/5): stable for equivariant training, a saddle of augmented training.
 */
export const theorem2RegularizedClaim = register({
  id: 'theorem-2-regularized',
  title: 'S_γ Hessian at A* is H_eq ⊕ (H_⊥ + γI): stable iff γ > γ_loc; Example Q: H_eq = 6, H_⊥ = −1/5',
  source: 'Theorem 2 (corollary), docs/theory.md §6 Example Q',
  needs: ['risk', 'projectors'],
  // a Newton solve per case: 50 cases keep the suite within budget
  runs: 50,
  arbitrary: fc.record({ spec: fc.oneof(fc.constant(exampleQCase), theoremCaseWithLarge), seed, gamma: fc.double({ min: 0, max: 2, noNaN: true }), predictor: fc.constant<'theorem' | 'converse'>('theorem') }),
  check: async (impl, { spec, seed, gamma, predictor }) => {
    const b = caseStructure(spec);
    const isQ = isExampleQ(spec);
    const Astar = isQ ? Float64Array.from([EXAMPLE_Q.aStar, EXAMPLE_Q.aStar]) : equivariantStationaryPoint(spec, seed).A;
    const { E, F } = b.hessianBases(seed);
    const { eps, precision } = numerics(impl);
    // A* beyond the precision's range (cross-entropy runs off to ‖A‖ ~ 10⁴, past float16's 65504) cannot be stored
    const top = Astar.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
    if (2 * top > largestFinite(precision)) return { ratio: 0, detail: `max|A*| = ${top.toExponential(2)}`, unresolved: `A* (max entry ${top.toExponential(2)}) overflows ${precision} (largest ${largestFinite(precision)})` };
    return withSession(impl, spec, async (s) => {
      const heq = await hessianBlock(s, 'augmented', Astar, E, E, 0, spec, eps);
      const hperp = await hessianBlock(s, 'augmented', Astar, F, F, 0, spec, eps);
      const sperp = await hessianBlock(s, 'augmented', Astar, F, F, gamma, spec, eps);
      const unresolvedBlock = fromBlocks([heq, hperp, sperp], { ratio: 0, detail: `γ = ${gamma.toFixed(3)}` });
      if (unresolvedBlock.unresolved !== undefined) return unresolvedBlock;
      const Heq = sym(heq.H), Hperp = sym(hperp.H);
      const lamEq = minEigenvalue(Heq), lamPerp = minEigenvalue(Hperp), lamS = minEigenvalue(sym(sperp.H));
      fc.pre(F.length > 0 && lamEq > 0);
      // Weyl: an eigenvalue of an n×n block moves by at most n·(max entry error); H_⊥ and S_γ's block are |F|×|F|,
      // H_eq |E|×|E| (the sum |E| + |F| counted both and, at float32, skipped nearly every case)
      const tol = F.length * fdTol(hperp, sperp);
      const gammaLoc = Math.max(0, -lamPerp);
      // the theorem predicts stability iff γ > γ_loc; the converse of "aug-stable ⇒ eq-stable" predicts it always
      const predictedStable = predictor === 'theorem' ? gamma > gammaLoc : true;
      const ms = [measured(Math.abs(lamS - (lamPerp + gamma)), tol, 'λ_min(F_0 block of ∇²S_γ) vs λ_min(H_⊥) + γ')];
      if (isQ) {
        const eig = (m: number[][]) => symmetricEigen(m).values[0];
        ms.push(measured(Math.abs(eig(Heq) - EXAMPLE_Q.Heq), E.length * fdTol(heq), 'Example Q: H_eq vs 6'), measured(Math.abs(eig(Hperp) - EXAMPLE_Q.Hperp), F.length * fdTol(hperp), 'Example Q: H_⊥ vs −1/5'));
      }
      // too close to the threshold to call the stability (10× the eigenvalues' error bound): that part alone is not
      // resolved on this case, the relation λ_min(S_γ) = λ_min(H_⊥) + γ and Example Q's numbers still are
      if (!(Math.abs(gamma - gammaLoc) > 10 * tol)) return { ...worst(...ms), unresolved: `stability: |γ − γ_loc| = ${Math.abs(gamma - gammaLoc).toExponential(2)} within 10× the eigenvalues' error bound ${tol.toExponential(2)}` };
      return worst(...ms, measured((lamS > 0) === predictedStable ? 0 : Math.abs(lamS), tol, `stability at γ = ${gamma.toFixed(3)} (γ_loc = ${gammaLoc.toFixed(4)})`));
    });
  },
  negative: {
    arbitrary: fc.record({ spec: fc.constant(exampleQCase), seed, gamma: fc.double({ min: 0, max: 0.15, noNaN: true }), predictor: fc.constant<'theorem' | 'converse'>('converse') }),
    description: 'the converse "eq-stable ⇒ aug-stable" on Example Q for γ < γ_loc = 1/5',
  },
});

export const theorem2Claims = [theorem2BlocksClaim, theorem2RegularizedClaim];
