import { EqflowError } from '../core/errors.js';
import { Precision } from '../core/precision.js';
import { DynamicsKind } from '../flows/dynamics.js';
import { Perm } from '../groups/permGroup.js';
import { CaseSpec } from './caseSpec.js';

/**
 * A group element as a session takes it: an index into the group's elements for an enumerated group (and into the
 * N-point Haar rule for SO2/O2), a permutation of the points for a group given by generators (perm-generators).
 */
export type GroupElement = number | Perm;
/** One element per sample: indices (Int32Array) for enumerated groups, permutations for perm-generators groups. */
export type SampleElements = Int32Array | readonly Perm[];

/**
 * What an implementation can be asked; a claim needing a capability that is not offered is "not tested".
 * `perm-generators` is no operation: it says the implementation accepts Cases of groups by generators, whose
 * elements travel as permutations (docs/protocol.md §7); eqflow sends no such Case to one that does not offer it.
 */
export const CAPABILITIES = ['action', 'projectors', 'risk', 'step', 'sampled-step', 'flow', 'perm-generators'] as const;
/** One thing an implementation can be asked: the action, the projectors, the risks, a step, a sampled step, a flow, perm-generators Cases. */
export type Capability = (typeof CAPABILITIES)[number];

/** Which projector: Π_G, Π_L or Π_E. */
export type ProjectorName = 'G' | 'L' | 'E';
/** The nominal risk R or the augmented risk R^aug. */
export type RiskMode = 'nominal' | 'augmented';

/** One Case opened in an implementation. Every array is float64, of length dim unless said otherwise. */
export interface CaseSession {
  readonly dim: number;
  /** ρ̄(g)A, the induced action on parameters (capability 'action') */
  act(g: GroupElement, A: Float64Array): Promise<Float64Array>;
  /** Π_G A, Π_L A or Π_E A (capability 'projectors') */
  project(which: ProjectorName, A: Float64Array): Promise<Float64Array>;
  /** R(A) or R^aug(A) and its gradient (capability 'risk') */
  risk(mode: RiskMode, A: Float64Array): Promise<{ value: number; gradient: Float64Array }>;
  /** one gradient-descent step A + η·v(A) of the dynamics `kind` with the exact average over G (capability 'step') */
  step(kind: DynamicsKind, A: Float64Array, eta: number, gamma: number): Promise<Float64Array>;
  /**
   * one SGD step on the case's data with sample s transformed by elements[s] (sampled augmentation):
   * A − η(Π_L∇R_batch(A) + γΠ_{E⊥}A) (capability 'sampled-step')
   */
  sampledStep(A: Float64Array, eta: number, gamma: number, elements: SampleElements): Promise<Float64Array>;
  /** A(t) of the flow `kind` from A at each of the increasing times (capability 'flow') */
  flow(kind: DynamicsKind, A: Float64Array, gamma: number, times: number[], step: number): Promise<Float64Array[]>;
  close(): Promise<void>;
}

/** The object the theorem suite tests: ours (reference), a planted-bug mutant, or another process. */
export interface Implementation {
  readonly name: string;
  readonly capabilities: ReadonlySet<Capability>;
  /**
   * The arithmetic its answers are computed in (default float64): every tolerance, finite-difference step and
   * noise floor of the claims is derived from its unit roundoff (docs/theory.md §10).
   */
  readonly precision?: Precision;
  open(spec: CaseSpec): Promise<CaseSession>;
  close(): Promise<void>;
}

export function notOffered(impl: string, capability: Capability): EqflowError {
  return new EqflowError('unsupported', capability, `implementation ${impl} does not offer '${capability}'`);
}

/** The precision an implementation computes in: the one it announces, float64 when it announces none. */
export function precisionOf(impl: Implementation): Precision {
  return impl.precision ?? 'float64';
}

/** `impl` judged at precision `p` instead of the one it announces (`eqflow verify --precision P`). */
export function withPrecision(impl: Implementation, p: Precision): Implementation {
  return { name: impl.name, capabilities: impl.capabilities, precision: p, open: (spec) => impl.open(spec), close: () => impl.close() };
}
