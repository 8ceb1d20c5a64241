import fc from 'fast-check';
import { roundoff } from '../core/tolerance.js';
import { planarGroup } from '../groups/compact.js';
import { buildCase } from '../impl/build.js';
import { CaseSpec, RepSpec, parseCase } from '../impl/caseSpec.js';
import { CaseSession, Implementation } from '../impl/implementation.js';
import { bandLimited } from '../reps/action.js';
import { QuadratureResult, adaptiveHaarRisk } from '../risk/haarRisk.js';
import { register } from './engine.js';
import { diff, gaussian, measured, norm, numerics, withSession, worst } from './util.js';

/** The first rule's angles: small enough that its quadrature error of a tanh network is far above round-off. */
export const QUADRATURE_START = 4;
/** The largest rule tried: the doubling stops here even when the estimate is still above its target. */
export const QUADRATURE_CAP = 64;
/** The doubling's target, relative to |I| + 1: a tanh network's integrand converges like ρ^{−N} with ρ ≈ 3, N ≈ 20. */
const TARGET = 1e-9;

/**
 * A network whose augmented risk no finite rule gives exactly (docs/theory.md §8): SO(2) on R² (ψ_1) or O(2) on
 * circle signals (K = 1), a hidden layer of c TRIVIAL channels with tanh (pointwise σ commutes with the trivial
 * representation, A2), a trivial or band-limited output, the squared loss. θ ↦ R(ρ̄(r_θ)A) is then analytic and
 * periodic but not a trigonometric polynomial.
 */
export interface QuadratureInput {
  group: 'SO2' | 'O2';
  width: number;
  /** 0: a trivial output; 1: an output of frequency 1 */
  output: 0 | 1;
  bias: boolean;
  seed: number;
  count: number;
  /** h = r_{2πk/M} (s^f when reflect), M an odd prime: never in C_N or D_N for the rules' N = 4·2^j */
  h: { M: number; k: number; reflect: boolean };
  /** the negative control: the N = 4 rule alone, its estimate left out of the tolerance */
  noEstimate: boolean;
}

/** The Case of an input with an N-angle rule (the Cases of one input differ only in `points`). */
export function quadratureCase(c: Omit<QuadratureInput, 'h' | 'noEstimate'>, points: number): CaseSpec {
  const band: RepSpec = c.group === 'SO2' ? { kind: 'band-limited', frequencies: [1] } : { kind: 'circle', K: 1 };
  return parseCase({
    name: `${c.group}-tanh-trivial/${c.width}${c.output ? '/band' : ''}@${points}`, group: { kind: c.group, points },
    model: { kind: 'mlp', input: band, hidden: [{ kind: 'trivial', dim: c.width }], output: c.output ? band : { kind: 'trivial', dim: 1 }, activation: 'tanh', outputActivation: 'identity', bias: c.bias },
    data: { kind: 'synthetic', seed: c.seed, count: c.count },
  });
}

const quadratureInput = (noEstimate: boolean): fc.Arbitrary<QuadratureInput> => fc.record({
  group: fc.constantFrom<'SO2' | 'O2'>('SO2', 'O2'),
  width: fc.integer({ min: 1, max: 3 }),
  output: fc.constantFrom<0 | 1>(0, 1),
  bias: fc.boolean(),
  seed: fc.integer({ min: 0, max: 1_000_000 }),
  count: fc.integer({ min: 2, max: 4 }),
  h: fc.record({ M: fc.constantFrom(5, 7, 11, 13), k: fc.integer({ min: 1, max: 4 }), reflect: fc.boolean() }),
  noEstimate: fc.constant(noEstimate),
});

type Value = { value: number; gradient: Float64Array };

/**
 * eqflow's own R^aug of the input's network at A, by adaptiveHaarRisk (the same doubling on SO(2)/O(2)'s rules,
 * from 4 angles up to the cap) to the absolute target `tol`: the model, data and loss of the reference's Case.
 */
function referenceQuadrature(c: QuadratureInput, A: Float64Array, tol: number): QuadratureResult {
  const b = buildCase(quadratureCase(c, QUADRATURE_START));
  const G = planarGroup(c.group === 'O2');
  const band = bandLimited(G, c.group === 'SO2' ? [1] : [0, 1]);
  return adaptiveHaarRisk({ model: b.model, data: b.data, loss: b.loss, input: band, output: c.output ? band : bandLimited(G, [0]) }, A, { startDegree: QUADRATURE_START - 1, maxDegree: 2 * QUADRATURE_CAP - 1, tol });
}

/**
 * SO(2)/O(2) quadrature with an a-posteriori estimate (docs/theory.md §8, Lemma 1(b), Lemma 2(b) for G = SO(2),
 * O(2)). R^aug(A) = ∫ R(ρ̄(g)A) dg is ρ̄-invariant for EVERY h ∈ G, but an implementation computes the N-angle rule
 * I_N, which is invariant only under C_N (D_N). For an analytic periodic integrand the N-point rule converges
 * geometrically, |I − I_N| ≤ Cρ^{−N}, so E_N := |I_2N − I_N| bounds |I − I_N| up to a factor 1 + ρ^{−N} and bounds
 * |I − I_2N| ≤ Cρ^{−2N} with room to spare. Hence |I_2N(ρ̄(h)A) − I_2N(A)| ≤ E_N(A) + E_N(ρ̄(h)A) + round-off,
 * and likewise ‖∇I_2N(ρ̄(h)A) − ρ̄(h)∇I_2N(A)‖ with the gradients' estimates (ρ̄(h) is orthogonal). The rule
 * doubles N = 4, 8, … until both estimates are below 10⁻⁹(|I| + 1) or N = 64. Exactly (round-off only), the
 * N = 4 rule is C_4-invariant: I_4(ρ̄(r_{π/2})A) = I_4(A), which pins the rule to the N angles the Case says.
 * h = r_{2πk/M} is acted on through a third Case of M angles (the parameter layout does not depend on N).
 */
async function checkQuadrature(impl: Implementation, input: QuadratureInput): Promise<{ ratio: number; detail: string }> {
  const { eps } = numerics(impl);
  const h = input.h.k + (input.h.reflect && input.group === 'O2' ? input.h.M : 0);
  return withSession(impl, quadratureCase(input, input.h.M), async (rot) => {
    const A = gaussian(`haar-quadrature/${input.seed}`, rot.dim, 1);
    const hA = await rot.act(h, A);
    const at = (N: number, f: (s: CaseSession) => Promise<Value[]>) => withSession(impl, quadratureCase(input, N), f);
    // a rule of N angles sums N·count losses of O(dim) flops each, on values of size `scale`
    const ro = (scale: number, N: number) => roundoff(scale + 1, N * input.count * rot.dim, eps);
    // exact: the first rule is C_N-invariant (g = 1 rotates by 2π/N), value and gradient
    let N = QUADRATURE_START;
    const [e0, e1, e0H, moved] = await at(N, async (s) => {
      const r0 = await s.risk('augmented', A);
      return [r0, await s.risk('augmented', await s.act(1, A)), await s.risk('augmented', hA), { value: r0.value, gradient: await s.act(1, r0.gradient) }];
    });
    const exactCheck = worst(
      measured(Math.abs(e1.value - e0.value), ro(Math.abs(e0.value), N), `I_${N}(ρ̄(r_{2π/${N}})A) vs I_${N}(A)`),
      measured(diff(e1.gradient, moved.gradient), ro(norm(e0.gradient), N), `∇I_${N}(ρ̄(r_{2π/${N}})A) vs ρ̄∇I_${N}(A)`),
    );
    let [lo, loH] = [e0, e0H];
    if (input.noEstimate) {
      const back = await rot.act(h, lo.gradient);
      return worst(
        exactCheck,
        measured(Math.abs(loH.value - lo.value), ro(Math.abs(lo.value), N), `without the estimate: I_${N}(ρ̄(h)A) vs I_${N}(A)`),
        measured(diff(loH.gradient, back), ro(norm(lo.gradient), N), `without the estimate: ∇I_${N}(ρ̄(h)A) vs ρ̄(h)∇I_${N}(A)`),
      );
    }
    for (;;) {
      const [hi, hiH] = await at(2 * N, async (s) => [await s.risk('augmented', A), await s.risk('augmented', hA)]);
      const est = Math.abs(hi.value - lo.value), estH = Math.abs(hiH.value - loH.value);
      const gest = diff(hi.gradient, lo.gradient), gestH = diff(hiH.gradient, loH.gradient);
      N *= 2;
      if ((est <= TARGET * (Math.abs(hi.value) + 1) && estH <= TARGET * (Math.abs(hiH.value) + 1)) || N >= QUADRATURE_CAP) {
        const back = await rot.act(h, hi.gradient);
        const what = `N = ${N}, estimates ${est.toExponential(1)}, ${estH.toExponential(1)}`;
        const ref = referenceQuadrature(input, A, Math.max(est, TARGET * (Math.abs(hi.value) + 1)));
        return worst(
          exactCheck,
          measured(Math.abs(hiH.value - hi.value), est + estH + ro(Math.abs(hi.value), N), `I_${N}(ρ̄(h)A) vs I_${N}(A) (${what})`),
          measured(diff(hiH.gradient, back), gest + gestH + ro(norm(hi.gradient), N), `∇I_${N}(ρ̄(h)A) vs ρ̄(h)∇I_${N}(A) (${what})`),
          measured(Math.abs(hi.value - ref.value), est + ref.valueError + ro(Math.abs(hi.value), N), `I_${N}(A) vs eqflow's adaptiveHaarRisk (${ref.points} angles)`),
          measured(diff(hi.gradient, ref.gradient), gest + ref.gradientError + ro(norm(hi.gradient), N), `∇I_${N}(A) vs eqflow's adaptiveHaarRisk (${ref.points} angles)`),
        );
      }
      [lo, loH] = [hi, hiH];
    }
  });
}

/** R^aug on SO(2)/O(2) by quadrature: invariant under every angle within the doubling estimate; the first rule exactly C_N-invariant. */
export const haarQuadratureClaim = register<QuadratureInput>({
  id: 'haar-quadrature',
  title: 'SO(2)/O(2), tanh on trivial channels: R^aug(ρ̄(h)A) = R^aug(A), ∇R^aug(ρ̄(h)A) = ρ̄(h)∇R^aug(A) for h ∉ C_N within the estimates |I_2N − I_N| [quadrature]; I_N exactly C_N-invariant',
  source: 'Lemma 1(b), Lemma 2(b) on docs/theory.md §8 groups (quadrature)',
  needs: ['risk', 'action'],
  // ≤ 6 rules of ≤ 64 angles on networks of ≤ 25 parameters: about 10 ms a case
  runs: 100,
  quadrature: true,
  arbitrary: quadratureInput(false),
  check: checkQuadrature,
  negative: { arbitrary: quadratureInput(true), description: 'the N = 4 rule without its estimate in the tolerance: its quadrature error is real' },
});

/** The claims checked by quadrature. */
export const quadratureClaims = [haarQuadratureClaim];
