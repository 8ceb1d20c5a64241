export * from './config.js';
export * from './groups.js';
export * from './reps.js';
export * from './spaces.js';
export * from './numeric.js';
export * from './errors.js';
export * from './laws.js';
