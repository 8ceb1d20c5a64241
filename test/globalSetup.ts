import { spawnSync } from 'node:child_process';

/** Builds wasm/kernels.wasm when it is missing or older than its source, so `npm test` on a fresh clone runs both backends. */
export default function setup(): void {
  const r = spawnSync(process.execPath, ['wasm/build.mjs', '--if-stale'], { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`npm run build:wasm failed: ${(r.stderr || r.stdout).trim()}`);
}
