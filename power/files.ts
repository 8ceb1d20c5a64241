/** Where the per-file power runs live and which files they cover (shared by power/run.ts and power/summary.ts). */
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { EqflowError } from '../src/core/errors.js';
import { POWER_FILES } from './stryker.config.mjs';

export const FILES_DIR = 'reports/power/files';
export const RUNS_FILE = 'reports/power/runs.json';

/** reports/power/files/<slug>.json for src/<dir>/<name>.ts */
export const reportOf = (file: string): string => join(FILES_DIR, `${file.replace(/^src\//, '').replace(/\.ts$/, '').replace(/\//g, '__')}.json`);

/** The files POWER_FILES selects: `src/<dir>/**\/*.ts` includes a folder, `!src/**\/<name>` excludes a basename, `!<path>` a file. */
export function powerFiles(root = '.'): string[] {
  const dirs = POWER_FILES.flatMap((p) => /^src\/(\w+)\/\*\*\/\*\.ts$/.exec(p)?.[1] ?? []);
  const names = new Set(POWER_FILES.flatMap((p) => /^!src\/\*\*\/([\w.]+)$/.exec(p)?.[1] ?? []));
  const paths = new Set(POWER_FILES.filter((p) => p.startsWith('!') && !p.includes('*')).map((p) => p.slice(1)));
  const walk = (dir: string): string[] => readdirSync(join(root, dir), { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? walk(`${dir}/${e.name}`) : [`${dir}/${e.name}`]));
  return dirs.flatMap((d) => walk(`src/${d}`)).filter((f) => f.endsWith('.ts') && !names.has(f.split('/').pop() as string) && !paths.has(f)).sort();
}

const runSchema = z.array(z.object({ file: z.string(), sha: z.string().optional(), seconds: z.number(), mutants: z.number().int(), finishedAt: z.string() }));
export type PowerRun = z.infer<typeof runSchema>[number];

export function loadRuns(file = RUNS_FILE): PowerRun[] {
  if (!existsSync(file)) return [];
  const r = runSchema.safeParse(JSON.parse(readFileSync(file, 'utf8')));
  if (!r.success) throw new EqflowError('invalid-argument', 'file', `${file} is malformed at [${r.error.issues[0].path.join('.')}]: ${r.error.issues[0].message}`);
  return r.data;
}

