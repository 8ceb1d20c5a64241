export { symmetricEigen, minEigenvalue } from './eigen.js';
export { finiteDifferenceHvp, splitBases, compress, hessianBlocks } from './hessian.js';
export type { Hvp, HessianBlocks, SplitProjectors } from './hessian.js';
export { stationaryOnE, zeroOfVelocity } from './stationary.js';
export type { StationaryResult, ZeroResult } from './stationary.js';
export { fitDecayRate, curvatureQuotient, curvatureBound } from './rates.js';
