export * from '../../src/arbitraries/index.js';
export * from './config.js';
export * from './groupTables.js';
export * from './numeric.js';
export * from './errors.js';
export * from './laws.js';
