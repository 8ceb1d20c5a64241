import { EqflowError } from '../core/errors.js';
import { distance } from '../core/kernels.js';
import { Objective } from '../risk/objective.js';
import { Projectors } from '../space/projectors.js';

/** One recorded time of a trajectory. */
export interface TrajectoryPoint {
  t: number;
  /** ‖Π_{E⊥}A(t)‖ */
  projectionError: number;
  /** ‖Π_{E⊥}A_i(t)‖ per layer segment */
  layerErrors: number[];
  /** the risk being recorded (NaN-free; omitted when no risk was given) */
  risk?: number;
  /** ‖A(t) − A_ref(t)‖ when a reference trajectory is given */
  distance?: number;
}

/** What a trajectory recorder records besides ‖Π_{E⊥}A‖: the risk, the distance to a reference trajectory, and at most how many points. */
export interface RecorderOptions {
  risk?: Objective;
  /** the reference trajectory's point at time t (e.g. the equivariant flow), or null when unknown */
  reference?: (t: number) => Float64Array | null;
  /** memory bound: when full, every other point is dropped and the stride doubles (default 4096) */
  maxPoints?: number;
}

/**
 * Records a trajectory with a bounded memory footprint: at most maxPoints points, kept evenly spread over the
 * observations by stride doubling; the first and the latest observation are always kept.
 */
export class Recorder {
  readonly points: TrajectoryPoint[] = [];
  private stride = 1;
  private seen = 0;
  private last: TrajectoryPoint | null = null;
  private readonly maxPoints: number;

  constructor(private readonly P: Projectors, private readonly opts: RecorderOptions = {}) {
    this.maxPoints = opts.maxPoints ?? 4096;
    if (!Number.isInteger(this.maxPoints) || this.maxPoints < 2) throw new EqflowError('invalid-argument', 'maxPoints', `expected an integer ≥ 2, got ${this.maxPoints}`);
  }

  /** Pass as FlowOptions.observe. */
  readonly observe = (t: number, A: Float64Array): void => {
    const take = this.seen % this.stride === 0;
    this.seen++;
    const p = this.measure(t, A);
    this.last = p;
    if (!take) return;
    this.points.push(p);
    if (this.points.length >= this.maxPoints) {
      const kept = this.points.filter((_, i) => i % 2 === 0);
      this.points.length = 0;
      this.points.push(...kept);
      this.stride *= 2;
    }
  };

  /** The recorded points plus the latest observation if thinning skipped it. */
  trajectory(): TrajectoryPoint[] {
    const out = this.points.slice();
    if (this.last && out[out.length - 1] !== this.last) out.push(this.last);
    return out;
  }

  private measure(t: number, A: Float64Array): TrajectoryPoint {
    const layerErrors = this.P.projectionErrors(A);
    const p: TrajectoryPoint = { t, projectionError: Math.hypot(...layerErrors), layerErrors };
    if (this.opts.risk) p.risk = this.opts.risk.value(A);
    const ref = this.opts.reference?.(t);
    if (ref) p.distance = distance(A, ref);
    return p;
  }
}
