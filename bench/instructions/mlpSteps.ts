/**
 * N regularized augmented MLP steps (bench task mlp-small-reg-aug-step), for counting instructions under callgrind:
 * `node mlpSteps.mjs N`. Bundled by bench/instructions.ts so no TypeScript loader runs inside valgrind.
 */
import { suiteTasks } from '../tasks.js';

const n = Number(process.argv[2] ?? '0');
if (!Number.isInteger(n) || n < 0) throw new Error(`expected a step count, got ${process.argv[2]}`);
const def = suiteTasks().find((t) => t.name === 'mlp-small-reg-aug-step');
if (!def) throw new Error('task mlp-small-reg-aug-step is missing');
const step = def.setup() as () => void;
for (let i = 0; i < n; i++) step();
