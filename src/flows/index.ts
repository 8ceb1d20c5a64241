export { DYNAMICS, dynamics, velocity } from './dynamics.js';
export type { DynamicsKind, DynamicsOptions, LinearMap, VectorField } from './dynamics.js';
export { DEFAULT_INTEGRATOR, INTEGRATORS, ORDER, integrate, eulerStep, rk4Step, lawsonRk4Step, etdrk4Step, phi, Work } from './integrators.js';
export type { IntegratorKind, FlowOptions, IntegrationStats } from './integrators.js';
export { discreteStabilityWarning } from './discrete.js';
export { Recorder } from './recorder.js';
export type { TrajectoryPoint, RecorderOptions } from './recorder.js';
