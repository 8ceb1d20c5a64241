/**
 * Worker entry of the P1 MNIST experiment (THEORY.md §7): runs one (γ, run) job per message. Each worker loads
 * MNIST once (the module cache of src/data/mnist.ts) and derives everything else from the job's seed.
 */
import { decodeMnistJob, runMnistJob } from './mnist.js';
import { serveJobs } from './pool.js';

serveJobs(decodeMnistJob, (job, progress) => runMnistJob(job, progress));
