/**
 * eqflow — machine checks of the theory of learning group equivariance through data augmentation and
 * regularization (docs/theory.md). The public API: groups → representations → parameter spaces and projectors →
 * models → risks → flows → analysis → implementations → claims. `eqflow/vitest` registers the claims in a vitest
 * suite; `eqflow/arbitraries` holds fast-check arbitraries for writing your own properties.
 */
import { ReferenceImplementation } from './impl/reference.js';

// groups and representations (docs/theory.md §1)
export { FiniteGroup, fromCayleyTable, cyclic, dihedral, symmetric, product, fromGenerators, trivialGroup, factorProjection } from './groups/index.js';
export type { GroupFamily, CayleyOptions } from './groups/index.js';
export {
  MonomialRep, DenseRep, SumRep, TensorRep, character, validateRepresentation, permutationRep, signedPermutationRep, denseRep,
  trivial, cyclicShift, rot90, natural, adjacency, rotation2d, directSum, channels, tensor, pullback,
} from './reps/index.js';
export type { Representation, Monomial } from './reps/index.js';

// groups beyond a table: generator-given permutation groups, SO(2)/O(2), actions and Π_G from generators (§8)
export { PermGroup, symmetricByGenerators, composePerm, invertPerm } from './groups/permGroup.js';
export type { Perm } from './groups/permGroup.js';
export { enumerated, permutationGroup, planarGroup, equispacedAngles } from './groups/compact.js';
export type { CompactGroup, HaarRule, Planar, ElementJSON } from './groups/compact.js';
export {
  trivialAction, pointAction, fromRepresentation, sumAction, tensorAction, layerAction, bandLimited, regularTruncated, matrixOf,
} from './reps/action.js';
export type { GroupAction, SignedPerm } from './reps/action.js';
export { fixedSpaceProjector, orbitProjector, ruleProjector, iterativeProjector, fixedResidual } from './space/fixedSpace.js';
export type { FixedProjector, IterativeOptions } from './space/fixedSpace.js';
export {
  transformedRisk, perSampleRisk, augmentedRiskDegree, exactAugmentedRisk, adaptiveHaarRisk, sampledTolerance, boundedTolerance, sampleMean,
} from './risk/haarRisk.js';
export type { GroupRisk, QuadratureResult, AdaptiveOptions } from './risk/haarRisk.js';

// parameter spaces, admissible sets and projectors (§1)
export {
  ParamSpace, layerSpace, fullSpace, maskSpace, basisSpace, withOffset, projectL, basisOf, segmentMask, Projectors, twirl,
  fixedDimension, fixedBasisBySvd, supports, supportByName, kernelSupportSpace,
} from './space/index.js';
export type { Segment, SegmentSpec, Admissible, KernelSupport } from './space/index.js';

// models (§1, §6, §7)
export type { Loss, Activation, Model } from './models/model.js';
export { tanh, sigmoid, softplus, square, identity, leakyRelu, pointwise } from './models/activations.js';
export { mlp, smallMlp, wideMlp, DenseNetwork } from './models/dense.js';
export type { DenseOptions, MlpOptions, ShiftMlpOptions } from './models/dense.js';
export { ConvNet, paperCnn, toyCnn, convToDense } from './models/cnn.js';
export type { ConvBlockConfig, ConvNetConfig, CnnOptions } from './models/cnn.js';
export { avgPool2, layerNormSpatial } from './models/spatial.js';
export { exampleQ, exampleQData, qAStar, qRisk, qRiskGradient, qAugmentedRisk, qAugmentedGradient, Q_H_EQ, Q_H_PERP } from './models/exampleQ.js';

// risks (§3)
export { squaredLoss, crossEntropyLoss } from './risk/losses.js';
export { dataset, subset, orbitDataset, syntheticDataset } from './risk/dataset.js';
export type { Dataset } from './risk/dataset.js';
export { nominalRisk, augmentedRisk, SampledAugmentation, regularizer } from './risk/risk.js';
export type { Objective } from './risk/objective.js';
export { finiteDifferenceGradient, hessianVectorProduct, denseHessian } from './risk/differences.js';

// flows (§4, §9)
export { DYNAMICS, dynamics, velocity, INTEGRATORS, integrate, Recorder } from './flows/index.js';
export type { DynamicsKind, DynamicsOptions, LinearMap, VectorField, IntegratorKind, FlowOptions, TrajectoryPoint, RecorderOptions } from './flows/index.js';

// analysis (§5)
export { symmetricEigen, minEigenvalue, hessianBlocks, stationaryOnE, fitDecayRate, curvatureBound } from './analysis/index.js';
export type { HessianBlocks, StationaryResult } from './analysis/index.js';

// implementations and the Case schema
export { CAPABILITIES } from './impl/implementation.js';
export type { Capability, ProjectorName, RiskMode, CaseSession, Implementation } from './impl/implementation.js';
export { parseCase } from './impl/caseSpec.js';
export type { CaseSpec, CaseInput, GroupSpec, RepSpec, ModelSpec, AdmissibleSpec, DataSpec, ParametrizationSpec } from './impl/caseSpec.js';
export { buildCase } from './impl/build.js';
export type { BuiltCase } from './impl/build.js';
export { examples, exampleByName } from './impl/examples.js';
export type { Example } from './impl/examples.js';
export { ReferenceImplementation, ReferenceSession } from './impl/reference.js';
export { ExternalImplementation, PROTOCOL_VERSION } from './impl/external.js';
export type { ExternalOptions } from './impl/external.js';
export { loadImplementation } from './impl/load.js';

// precision (§10): the arithmetic an implementation computes in, and what each claim can detect at it
export { PRECISIONS, unitRoundoff, machineEpsilon, parsePrecision, roundToStorage } from './core/precision.js';
export type { Precision } from './core/precision.js';
export { precisionOf, withPrecision } from './impl/implementation.js';
export { roundedImplementation } from './impl/rounded.js';
export { DEFECTS, DEFECT_DESCRIPTIONS, plantDefect } from './impl/defects.js';
export type { Defect } from './impl/defects.js';
export { measureResolution } from './claims/resolution.js';
export type { ResolutionTable, ClaimResolution, ResolutionOptions } from './claims/resolution.js';

// the theorem suite
export { allClaims, claimById, verify, DEFAULT_SEED } from './claims/index.js';
export type { RegisteredClaim, ClaimResult, Measurement, Verdict, VerificationReport, ClaimReport, VerifyRequest } from './claims/index.js';
export { verificationMarkdown, writeVerification } from './report/verification.js';

// trace checking
export { checkTrace, parseTrace, readTraceFile, formatTraceReport } from './trace/checkTrace.js';
export type { Trace, TraceSnapshot, TraceOptions, TraceReport, TraceRow, TraceVerdict } from './trace/checkTrace.js';

// errors and randomness
export { EqflowError } from './core/errors.js';
export type { ErrorCode } from './core/errors.js';
export { RandomStream } from './core/rng.js';

/** eqflow's own implementation of every capability: the default that `verify` and the CLI test. */
export const reference = new ReferenceImplementation();
