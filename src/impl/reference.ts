import { EqflowError, requireFinite, requireLength } from '../core/errors.js';
import { RandomStream } from '../core/rng.js';
import { DynamicsKind, VectorField, aroundOffset, dynamics, velocity } from '../flows/dynamics.js';
import { DEFAULT_INTEGRATOR, FlowRun, flowAtTimes } from '../flows/integrators.js';
import { SampledAugmentation } from '../risk/risk.js';
import { BuiltCase, buildCase } from './build.js';
import { CaseSpec } from './caseSpec.js';
import { CAPABILITIES, CaseSession, GroupElement, Implementation, ProjectorName, RiskMode, SampleElements } from './implementation.js';
import { PermSession, buildPermCase } from './permCase.js';

/** The vector field of `kind` on a built case (K replaces Π_L for a matrix parametrization). */
export function fieldOf(c: BuiltCase, kind: DynamicsKind, gamma: number): VectorField {
  return dynamics({ kind, projectors: c.P, nominal: c.R, augmented: c.Raug, gamma, K: c.K ?? undefined });
}

/**
 * A(t) at each of `times` for the field f from A ∈ L = A° + L_0, integrated by `run`: an affine L is integrated in
 * a = A − A°, where every integrator keeps L_0 (dynamics.ts, aroundOffset).
 */
export function flowOf(f: VectorField, offset: Float64Array | null | undefined, A: Float64Array, times: readonly number[], run: FlowRun): Float64Array[] {
  const g = offset ? aroundOffset(f, offset) : f;
  const x = offset ? A.map((a, i) => a - offset[i]) : Float64Array.from(A);
  const out = flowAtTimes(g, x, times, run);
  return offset ? out.map((y) => y.map((a, i) => a + offset[i])) : out;
}

/** eqflow's own implementation of every capability, on the objects of src/. */
export class ReferenceSession implements CaseSession {
  readonly dim: number;
  private readonly sampler: SampledAugmentation;
  constructor(readonly built: BuiltCase) {
    this.dim = built.model.space.dim;
    this.sampler = new SampledAugmentation(built.model, built.data, built.loss, new RandomStream('unused'));
  }

  private check(A: Float64Array, field = 'A'): void {
    requireLength(A, this.dim, field);
    requireFinite(A, field);
  }

  async act(g: GroupElement, A: Float64Array): Promise<Float64Array> {
    this.check(A);
    if (typeof g !== 'number' || !Number.isInteger(g) || g < 0 || g >= this.built.group.order) throw new EqflowError('invalid-argument', 'g', `expected an element index in 0..${this.built.group.order - 1}, got ${g}`);
    const out = new Float64Array(this.dim);
    this.built.P.space.action.apply(g, A, out);
    return out;
  }

  async project(which: ProjectorName, A: Float64Array): Promise<Float64Array> {
    this.check(A);
    const P = this.built.P;
    return which === 'G' ? P.piG(A) : which === 'L' ? P.piL(A) : P.piE(A);
  }

  async risk(mode: RiskMode, A: Float64Array): Promise<{ value: number; gradient: Float64Array }> {
    this.check(A);
    const gradient = new Float64Array(this.dim);
    const value = (mode === 'nominal' ? this.built.R : this.built.Raug).gradient(A, gradient);
    return { value, gradient };
  }

  /** The vector field of `kind` (steps and flows both use it; a mutant overrides it). */
  protected field(kind: DynamicsKind, gamma: number): VectorField {
    return fieldOf(this.built, kind, gamma);
  }

  async step(kind: DynamicsKind, A: Float64Array, eta: number, gamma: number): Promise<Float64Array> {
    this.check(A);
    const v = velocity(this.field(kind, gamma), A, new Float64Array(this.dim));
    return A.map((a, i) => a + eta * v[i]);
  }

  async sampledStep(A: Float64Array, eta: number, gamma: number, elements: SampleElements): Promise<Float64Array> {
    this.check(A);
    if (!(elements instanceof Int32Array)) throw new EqflowError('invalid-argument', 'elements', `${this.built.group.name} is enumerated: expected element indices, got permutations`);
    requireLength(elements, this.built.data.count, 'elements');
    const g = new Float64Array(this.dim);
    this.sampler.gradientWith(A, elements, g);
    const P = this.built.P;
    const v = this.built.K ? new Float64Array(this.dim) : P.piL(g);
    if (this.built.K) this.built.K(g, v);
    // affine L: Π_{E⊥}(A − A°) = Π_{E⊥}A − A°, the regularizer of docs/theory.md §4
    const perp = P.piEperp(A), offset = P.L.offset;
    return A.map((a, i) => a - eta * (v[i] + gamma * (perp[i] - (offset ? offset[i] : 0))));
  }

  /**
   * The protocol's `flow`: fixed step `step`, with etdrk4 — fourth order like RK4, stable for any γ·step, and its
   * long-time limits are the zeros of v for any step (Lawson RK4's are not once γ·step is not small).
   */
  async flow(kind: DynamicsKind, A: Float64Array, gamma: number, times: number[], step: number): Promise<Float64Array[]> {
    this.check(A);
    return flowOf(this.field(kind, gamma), this.built.P.L.offset, A, times, { integrator: DEFAULT_INTEGRATOR, step });
  }

  async close(): Promise<void> {}
}

/** Builds sessions on demand, one per distinct Case (cached by its JSON). */
export class ReferenceImplementation implements Implementation {
  readonly name: string;

  constructor(name = 'reference') {
    this.name = name;
  }
  readonly capabilities = new Set(CAPABILITIES);
  private readonly cache = new Map<string, BuiltCase>();

  /** The built objects of a case (cached). */
  built(spec: CaseSpec): BuiltCase {
    const key = JSON.stringify(spec);
    let b = this.cache.get(key);
    if (!b) {
      b = this.buildCase(spec);
      if (this.cache.size > 64) this.cache.clear(); // bound memory over long property runs
      this.cache.set(key, b);
    }
    return b;
  }

  async open(spec: CaseSpec): Promise<CaseSession> {
    // a group by generators is never enumerated: its cases have their own objects (Π_G by orbits, sampled elements)
    if (spec.group.kind === 'perm-generators') return this.permSession(spec);
    return this.session(this.built(spec));
  }

  /** The session of a Case of a group by generators; a mutant overrides this to plant a bug in it. */
  protected permSession(spec: CaseSpec): CaseSession {
    return new PermSession(buildPermCase(spec));
  }

  /** Builds a case's objects; a mutant overrides this to plant a bug in them. */
  protected buildCase(spec: CaseSpec): BuiltCase {
    return buildCase(spec);
  }

  /** A session over built objects; a mutant overrides this to plant a bug in a method. */
  protected session(b: BuiltCase): CaseSession {
    return new ReferenceSession(b);
  }

  async close(): Promise<void> {
    this.cache.clear();
  }
}
