import { norm } from '../core/kernels.js';
import { RandomStream } from '../core/rng.js';
import { GroupAction } from '../reps/action.js';
import { FixedProjector } from '../space/fixedSpace.js';

/**
 * The exact laws of Π_G as the orthogonal projector onto H_G (docs/theory.md §1, §8), given px = Π_G x and
 * py = Π_G y: ρ̄(g)px = px for three Haar-random g, Π_G px = px, and ⟨px, y⟩ = ⟨x, py⟩. Returns the worst
 * error over round-off `ro` (the symmetry's error over ro·(‖x‖ + ‖y‖), as it is a product of two vectors).
 */
export function projectorLawRatio<E>(act: GroupAction<E>, P: FixedProjector, x: Float64Array, y: Float64Array, px: Float64Array, py: Float64Array, rng: RandomStream, ro: number): number {
  let exact = 0;
  const t = new Float64Array(act.dim);
  for (let k = 0; k < 3; k++) {
    act.apply(act.group.sample(rng), px, t);
    for (let i = 0; i < t.length; i++) t[i] -= px[i];
    exact = Math.max(exact, norm(t) / ro);
  }
  const ppx = P.apply(px).out;
  for (let i = 0; i < t.length; i++) t[i] = ppx[i] - px[i];
  exact = Math.max(exact, norm(t) / ro);
  let a = 0, b = 0;
  for (let i = 0; i < act.dim; i++) { a += px[i] * y[i]; b += x[i] * py[i]; }
  return Math.max(exact, Math.abs(a - b) / (ro * (norm(x) + norm(y))));
}
