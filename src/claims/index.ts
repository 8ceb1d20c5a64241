/** The theorem suite: every claim, its engine, the verify runner and the Case generators the claims draw from. */
export * from './registry.js';
export * from './verify.js';
