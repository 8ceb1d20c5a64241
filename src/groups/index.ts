export { FiniteGroup, fromCayleyTable } from './group.js';
export type { GroupFamily, CayleyOptions } from './group.js';
export { cyclic, dihedral, symmetric, product, fromGenerators, trivialGroup, factorProjection } from './builtins.js';
