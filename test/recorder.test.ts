import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { norm } from '../src/core/kernels.js';
import { RandomStream } from '../src/core/rng.js';
import { roundoff } from '../src/core/tolerance.js';
import { dynamics } from '../src/flows/dynamics.js';
import { integrate } from '../src/flows/integrators.js';
import { Recorder } from '../src/flows/recorder.js';
import { buildCase } from '../src/impl/build.js';
import { exampleByName } from '../src/impl/examples.js';
import { checkProperty } from '../properties/arbitraries/config.js';
import { expectEqflowError } from '../properties/arbitraries/errors.js';

const c = buildCase(exampleByName('deepsets-s4').spec);
const dim = c.model.space.dim;
const point = (seed: number) => new RandomStream(seed).gaussianVector(dim);

/** The observation indices (t = 0, 1, …) a recorder keeps. */
function kept(n: number, maxPoints: number): { points: number[]; trajectory: number[] } {
  const rec = new Recorder(c.P, { maxPoints });
  const A = point(1);
  for (let i = 0; i < n; i++) rec.observe(i, A);
  // the trajectory first: it must not add the latest observation to the recorded points
  const trajectory = rec.trajectory().map((p) => p.t);
  expect(rec.trajectory().map((p) => p.t)).toEqual(trajectory);
  return { points: rec.points.map((p) => p.t), trajectory };
}

describe('Recorder: a trajectory in bounded memory', () => {
  it('thins by stride doubling, keeping the first and the latest observation', () => {
    // maxPoints 4: after t = 3 the points 0, 2 stay (stride 2), after t = 6 the points 0, 4 (stride 4)
    expect(kept(10, 4)).toEqual({ points: [0, 4, 8], trajectory: [0, 4, 8, 9] });
    // the latest observation is kept once when thinning took it
    expect(kept(9, 4)).toEqual({ points: [0, 4, 8], trajectory: [0, 4, 8] });
    expect(kept(3, 4)).toEqual({ points: [0, 1, 2], trajectory: [0, 1, 2] });
    expect(kept(0, 4)).toEqual({ points: [], trajectory: [] });
    // the default bound: 4096 points
    expect(kept(4095, 4096).points).toHaveLength(4095);
    expect(kept(4096, 4096).points).toHaveLength(2048);
  });

  it('keeps exactly the observations 0, s, 2s, … for the least power of two s that leaves fewer than maxPoints', () => {
    checkProperty(fc.property(fc.integer({ min: 1, max: 300 }), fc.integer({ min: 2, max: 40 }), (n, maxPoints) => {
      let s = 1;
      while (Math.ceil(n / s) >= maxPoints) s *= 2;
      const want = Array.from({ length: Math.ceil(n / s) }, (_, k) => k * s);
      const { points, trajectory } = kept(n, maxPoints);
      expect(points).toEqual(want);
      expect(trajectory).toEqual(want[want.length - 1] === n - 1 ? want : [...want, n - 1]);
    }));
  });

  it('records ‖Π_{E⊥}A‖, its layers, the risk and the distance to a reference, each only when asked', () => {
    const A = point(2), ref = point(3);
    const full = new Recorder(c.P, { risk: c.Raug, reference: () => ref });
    full.observe(0.5, A);
    const [p] = full.trajectory();
    const layers = c.P.projectionErrors(A);
    expect(p.t).toBe(0.5);
    expect(p.layerErrors).toEqual(layers);
    expect(layers.length).toBeGreaterThan(1);
    // ‖Π_{E⊥}A‖² is the sum of the layers' squares: equal up to the round-off of two sums over dim entries
    expect(Math.abs(p.projectionError - c.P.projectionError(A))).toBeLessThanOrEqual(roundoff(c.P.projectionError(A), dim));
    expect(p.risk).toBe(c.Raug.value(A));
    const d = new Float64Array(dim).map((_, i) => A[i] - ref[i]);
    expect(p.distance).toBe(norm(d));
    // neither a risk nor a known reference point: neither field
    const bare = new Recorder(c.P, { reference: () => null });
    bare.observe(0, A);
    expect(Object.keys(bare.trajectory()[0]).sort()).toEqual(['layerErrors', 'projectionError', 't']);
  });

  it('observes a flow from t = 0 to its end through FlowOptions.observe', () => {
    const rec = new Recorder(c.P, { risk: c.Raug, maxPoints: 8 });
    const A = point(4);
    const f = dynamics({ kind: 'reg-augmented', projectors: c.P, nominal: c.R, augmented: c.Raug, gamma: 1 });
    const stats = integrate(f, A, 1, { integrator: 'etdrk4', step: 0.05, observe: rec.observe });
    const tr = rec.trajectory();
    expect(stats.steps).toBe(20);
    expect(tr[0].t).toBe(0);
    expect(tr[tr.length - 1].t).toBe(1);
    expect(tr.length).toBeLessThan(8 + 1);
    expect(tr[tr.length - 1].projectionError).toBe(Math.hypot(...c.P.projectionErrors(A)));
    expect(tr[tr.length - 1].risk).toBe(c.Raug.value(A));
  });

  it('rejects a bound that cannot keep the first and the latest point, naming maxPoints', () => {
    for (const maxPoints of [1, 0, 2.5, Number.NaN, -4]) {
      expect(expectEqflowError(() => new Recorder(c.P, { maxPoints }), { code: 'invalid-argument', field: 'maxPoints' }).message).toContain(`expected an integer ≥ 2, got ${maxPoints}`);
    }
    expect(new Recorder(c.P, { maxPoints: 2 }).points).toEqual([]);
  });
});
