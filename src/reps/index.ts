export type { Representation, Monomial } from './representation.js';
export { MonomialRep, DenseRep, SumRep, TensorRep, character } from './representation.js';
export {
  validateRepresentation, permutationRep, signedPermutationRep, denseRep, trivial, cyclicShift, rot90, natural,
  adjacency, rotation2d, directSum, channels, tensor, pullback,
} from './builders.js';
