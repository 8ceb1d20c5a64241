export { DYNAMICS, dynamics, velocity } from './dynamics.js';
export type { DynamicsKind, DynamicsOptions, LinearMap, VectorField } from './dynamics.js';
export { INTEGRATORS, integrate, eulerStep, rk4Step, lawsonRk4Step, Work } from './integrators.js';
export type { IntegratorKind, FlowOptions } from './integrators.js';
export { Recorder } from './recorder.js';
export type { TrajectoryPoint, RecorderOptions } from './recorder.js';
