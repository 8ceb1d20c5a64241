#!/usr/bin/env node
// `npm run build:wasm`: compiles wasm/kernels.ts (AssemblyScript) to wasm/kernels.wasm, which src/core/wasmKernels.ts
// loads (from src/core or dist/core alike: both resolve ../../wasm). With --if-stale it only rebuilds when the
// source, the compiler version or the flags changed since the last build (recorded in wasm/kernels.wasm.sha256),
// which is what the test setup runs so a fresh clone's `npm test` builds it once, offline.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import asc from 'assemblyscript/asc';

const here = dirname(fileURLToPath(import.meta.url));
const source = join(here, 'kernels.ts');
const output = join(here, 'kernels.wasm');
const stamp = join(here, 'kernels.wasm.sha256');
// the memory is imported (one shared memory per thread, owned by JavaScript); no runtime, no abort import, SIMD on
const flags = ['--runtime', 'stub', '--importMemory', '--sharedMemory', '--initialMemory', '1', '--maximumMemory', '65536', '--noAssert', '--enable', 'simd,threads', '-O3'];

const fingerprint = createHash('sha256').update(readFileSync(source)).update(asc.version).update(flags.join(' ')).digest('hex');
if (process.argv.includes('--if-stale') && existsSync(output) && existsSync(stamp) && readFileSync(stamp, 'utf8').trim() === fingerprint) process.exit(0);

const tmp = `${output}.${process.pid}.tmp`;
const { error, stderr } = await asc.main([source, '-o', tmp, ...flags]);
if (error) {
  process.stderr.write(stderr.toString());
  process.stderr.write(`build:wasm: ${error.message}\n`);
  process.exit(1);
}
renameSync(tmp, output); // atomic: a reader never sees a half-written module
writeFileSync(stamp, `${fingerprint}\n`);
process.stdout.write(`build:wasm: wrote ${output} (${readFileSync(output).length} bytes)\n`);
