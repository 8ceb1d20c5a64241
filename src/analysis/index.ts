export { symmetricEigen, minEigenvalue } from './eigen.js';
export { finiteDifferenceHvp, splitBases, compress, hessianBlocks } from './hessian.js';
export type { Hvp, HessianBlocks } from './hessian.js';
export { stationaryOnE } from './stationary.js';
export type { StationaryResult } from './stationary.js';
export { fitDecayRate, curvatureQuotient, curvatureBound } from './rates.js';
