/**
 * Worker entry of the P1 MNIST experiment (docs/theory.md §7): runs one (γ, run) job per message. Each worker loads
 * MNIST once (the module cache of src/data/mnist.ts) and derives everything else from the job's seed.
 */
import { decodeMnistJob, runMnistJob } from './mnist.js';
import { serveJobs } from '../core/pool.js';

serveJobs(decodeMnistJob, (job, progress) => runMnistJob(job, progress));
