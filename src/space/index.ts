export { ParamSpace, layerSpace } from './paramSpace.js';
export type { Segment, SegmentSpec } from './paramSpace.js';
export { fullSpace, maskSpace, basisSpace, withOffset, projectL, basisOf, segmentMask } from './admissible.js';
export type { Admissible } from './admissible.js';
export { Projectors, twirl, fixedDimension, fixedBasisBySvd } from './projectors.js';
export { nullspace, orthonormalize, matrixOf } from './linalg.js';
export { supports, supportByName, kernelSupportSpace } from './supports.js';
export type { KernelSupport } from './supports.js';
