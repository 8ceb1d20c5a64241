/**
 * SO2/O2 Cases (docs/theory.md §8): a Case runs SO(2)/O(2) through its exact N-point Haar rule, so its Π_G and
 * R^aug must be the continuous group's (checked against conjugate gradients on the topological generators and
 * against a 4× finer rule), and a Case whose N does not exceed the degree is refused (negative control).
 */
import { describe, expect, it } from 'vitest';
import { EqflowError } from '../src/core/errors.js';
import { norm } from '../src/core/kernels.js';
import { EPS } from '../src/core/tolerance.js';
import { cyclic, dihedral, symmetric } from '../src/groups/builtins.js';
import { planarGroup } from '../src/groups/compact.js';
import { buildCase } from '../src/impl/build.js';
import { parseCase } from '../src/impl/caseSpec.js';
import { exampleByName } from '../src/impl/examples.js';
import { requiredRuleDegree } from '../src/impl/planarCase.js';
import { bandLimited, layerAction } from '../src/reps/action.js';
import { validateRepresentation } from '../src/reps/builders.js';
import { bandLimitedRep, circleRep } from '../src/reps/planarRule.js';
import { expectEqflowError } from '../properties/arbitraries/errors.js';
import { exactAugmentedRisk } from '../src/risk/haarRisk.js';
import { iterativeProjector } from '../src/space/fixedSpace.js';
import { RandomStream } from '../src/core/rng.js';

const dist = (a: Float64Array, b: Float64Array): number => Math.sqrt(a.reduce((s, v, i) => s + (v - b[i]) ** 2, 0));

describe('SO2/O2 Cases', () => {
  it('so2-vectors: the rule\'s Π_G is SO(2)\'s (conjugate gradients on the 1-radian rotation) and R^aug equals a 4× finer rule', () => {
    const b = buildCase(exampleByName('so2-vectors').spec);
    const G = planarGroup(false);
    const act = layerAction([bandLimited(G, [1]), bandLimited(G, [1, 1]), bandLimited(G, [1])]);
    expect(act.dim).toBe(b.model.space.dim);
    const A = new RandomStream('A').gaussianVector(act.dim);
    const cg = iterativeProjector(act).apply(A).out;
    // CG stops at a residual of 16·dim·eps relative; λ_min(M) = 2 − 2cos 2 ≈ 2.8 for frequency 2 under θ = 1
    expect(dist(b.P.piG(A), cg)).toBeLessThanOrEqual(1e-10 * norm(A));
    const risk = { model: b.model, data: b.data, loss: b.loss, input: bandLimited(G, [1]), output: bandLimited(G, [1]) };
    const fine = exactAugmentedRisk(risk, 4 * 2 + 3, A, null);
    // two exact rules differ by round-off of (points · samples · dim) unit-scale operations
    expect(Math.abs(b.Raug.value(A) - fine)).toBeLessThanOrEqual(16 * 12 * b.data.count * act.dim * EPS * Math.max(1, fine));
  });

  it('o2-circle-signals needs degree 8 (square σ doubles modes ≤ 2, the loss doubles again): 9 angles', () => {
    expect(requiredRuleDegree(exampleByName('o2-circle-signals').spec)).toEqual({ degree: 8, exactRisk: true });
  });

  it('negative control: a rule one angle short of the degree is refused, naming the field', () => {
    const spec = exampleByName('o2-circle-signals').spec;
    const short = parseCase({ ...spec, group: { kind: 'O2', points: 8 } });
    let err: unknown;
    try { buildCase(short); } catch (e) { err = e; }
    expect(err).toBeInstanceOf(EqflowError);
    expect((err as EqflowError).field).toBe('case.group.points');
    // non-band-limited representations of SO2 are refused as unsupported, not mis-averaged
    expect(() => buildCase(parseCase({ ...spec, model: { kind: 'mlp', input: { kind: 'shift', dim: 9 }, hidden: [], output: { kind: 'trivial' } } }))).toThrow(/band-limited/);
  });
});

describe('bandLimitedRep: SO(2)/O(2) on the elements of an N-point rule', () => {
  it('is an orthogonal representation of C_N and D_N (reflections act by det −1 on frequency 1)', () => {
    for (const G of [cyclic(6), dihedral(6)]) {
      const rep = bandLimitedRep(G, [0, 1, 2]);
      expect(rep.dim).toBe(5);
      expect(() => validateRepresentation(rep)).not.toThrow();
    }
    // s acts on frequency 1 (coordinates 1, 2) as a reflection: det −1; SO(2)'s action would give a rotation
    const D = dihedral(6), m = bandLimitedRep(D, [1]).matrix(6);
    expect(m[0] * m[3] - m[1] * m[2]).toBeCloseTo(-1, 12);
  });

  it('keeps a given name, else the action\'s; circleRep names the truncation', () => {
    expect(bandLimitedRep(cyclic(4), [0, 1], 'mine').name).toBe('mine');
    expect(bandLimitedRep(cyclic(4), [0, 1]).name).toBe('ψ{0,1}');
    expect(circleRep(cyclic(5), 2).name).toBe('reg≤2');
    expect(circleRep(cyclic(5), 2).dim).toBe(5);
  });

  it('negative control: a group that is no rule of SO(2)/O(2) is refused, naming the field', () => {
    expectEqflowError(() => bandLimitedRep(symmetric(3), [1]), { code: 'invalid-argument', field: 'group', message: /band-limited representation needs SO2\/O2 \(or C_N\/D_N\), got S3/ });
  });
});
