/**
 * fast-check arbitraries for writing your own properties over eqflow's objects: groups, representations,
 * parameter spaces, admissible sets and points, each a printable spec (what fast-check shows and shrinks) with a
 * builder that turns it into the object (docs/theory.md §1).
 */
export * from './groups.js';
export * from './reps.js';
export * from './spaces.js';
