import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

/** The Python with Debian's numpy and torch (the first python3 on PATH may lack them). */
export const PYTHON = '/usr/bin/python3';

/** Why `module` cannot be imported by PYTHON, or null when it can. */
export function pythonMissing(module: string): string | null {
  if (!existsSync(PYTHON)) return `${PYTHON} not found`;
  const r = spawnSync(PYTHON, ['-c', `import ${module}`], { encoding: 'utf8' });
  return r.status === 0 ? null : `${module} is not importable by ${PYTHON} (${(r.stderr || '').trim().split('\n').pop()})`;
}
