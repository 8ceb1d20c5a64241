import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

/**
 * The job files of examples/cluster: Slurm's by `bash -n` and by running its command lines here with the SLURM_*
 * variables set (stub npx and sbatch); the YAML files parsed by PyYAML (Debian python3-yaml: no YAML parser is among
 * our npm dependencies) and checked by hand against the fields Kubernetes and GitHub Actions require.
 */
const PY = '/usr/bin/python3';
const hasYaml = spawnSync(PY, ['-c', 'import yaml'], { encoding: 'utf8' }).status === 0;
const dir = mkdtempSync(join(tmpdir(), 'eqflow-cluster-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function yamlOf(file: string): Record<string, unknown> {
  const r = spawnSync(PY, ['-c', 'import json, sys, yaml; print(json.dumps(yaml.safe_load(open(sys.argv[1]))))', file], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(r.stdout) as Record<string, unknown>;
}

/** The value at a dotted path of parsed YAML (numbers index arrays); undefined where the path is absent. */
function at(v: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((o, k) => (typeof o === 'object' && o !== null ? (o as Record<string, unknown>)[k] : undefined), v);
}
const list = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const text = (v: unknown): string => (typeof v === 'string' ? v : '');

describe('examples/cluster', () => {
  it('the Slurm array script: bash -n, and its command lines run here as 2 array tasks then the merge', () => {
    const script = resolve('examples/cluster/slurm-mnist.sh');
    expect(spawnSync('bash', ['-n', script]).status).toBe(0);
    // npx eqflow → this checkout's CLI; sbatch → records the merge job's --wrap command
    const bin = join(dir, 'bin');
    mkdirSync(bin);
    writeFileSync(join(bin, 'npx'), `#!/bin/sh\n[ "$1" = eqflow ] || exit 9\nshift\nexec "${process.execPath}" "${resolve('bin/eqflow.mjs')}" "$@"\n`);
    writeFileSync(join(bin, 'sbatch'), `#!/bin/sh\nfor a; do last="$a"; done\nprintf '%s\\n' "$last" > "${join(dir, 'merge-cmd')}"\n`);
    chmodSync(join(bin, 'npx'), 0o755);
    chmodSync(join(bin, 'sbatch'), 0o755);
    const out = join(dir, 'reports');
    for (const id of ['0', '1']) {
      const env = { ...process.env, PATH: `${bin}:${process.env.PATH}`, EQFLOW_OUT: out, EQFLOW_MNIST_ARGS: '--gammas 100 --runs 2 --images 20', SLURM_ARRAY_JOB_ID: '42', SLURM_ARRAY_TASK_ID: id, SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_COUNT: '2', SLURM_CPUS_PER_TASK: '1' };
      const r = spawnSync('bash', [script], { env, encoding: 'utf8', cwd: dir });
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`shard ${Number(id) + 1}/2 (SLURM_ARRAY_TASK_ID)`);
    }
    const merge = readFileSync(join(dir, 'merge-cmd'), 'utf8').trim();
    expect(merge).toBe(`npx eqflow merge ${out}/shards/mnist.shard-*-of-2.json --out ${out}`);
    const r = spawnSync('sh', ['-c', merge], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/shard 1\/2: 1 jobs[\s\S]*shard 2\/2: 1 jobs/);
    expect(existsSync(join(out, 'experiments', 'mnist.json'))).toBe(true);
  }, 300_000);

  it.skipIf(!hasYaml)('the Kubernetes Indexed Job and its merge Job', () => {
    const job = yamlOf('examples/cluster/k8s-verify-job.yaml');
    expect(job).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job', spec: { completionMode: 'Indexed', template: { spec: { restartPolicy: 'Never' } } } });
    const command = list(at(job, 'spec.template.spec.containers.0.command')).map(text);
    expect(command.slice(0, 3)).toEqual(['npx', 'eqflow', 'verify']);
    // JOB_COMPLETION_INDEX gives no count: --shard-count must be the Job's completions
    expect(command.join(' ')).toContain(`--shard auto --shard-count ${String(at(job, 'spec.completions'))}`);
    const mounts = new Set(list(at(job, 'spec.template.spec.containers.0.volumeMounts')).map((m) => at(m, 'name')));
    for (const v of list(at(job, 'spec.template.spec.volumes'))) expect(mounts.has(at(v, 'name'))).toBe(true);
    const merge = yamlOf('examples/cluster/k8s-verify-merge.yaml');
    expect(merge).toMatchObject({ apiVersion: 'batch/v1', kind: 'Job' });
    expect(list(at(merge, 'spec.template.spec.containers.0.command')).join(' ')).toContain(`eqflow merge /shards/reports/shards/verify.shard-*-of-${String(at(job, 'spec.completions'))}.json`);
  });

  it.skipIf(!hasYaml)('the GitHub Actions matrix workflow', () => {
    const wf = yamlOf('examples/cluster/github/eqflow-sharded.yml');
    // PyYAML reads the key `on` as true (YAML 1.1); GitHub reads it as "on"
    expect(at(wf, 'on') ?? at(wf, 'true')).toBeDefined();
    for (const j of ['shard', 'merge']) {
      expect(typeof at(wf, `jobs.${j}.runs-on`)).toBe('string');
      for (const step of list(at(wf, `jobs.${j}.steps`))) expect(typeof (at(step, 'uses') ?? at(step, 'run'))).toBe('string');
    }
    const shards = list(at(wf, 'jobs.shard.strategy.matrix.shard'));
    const n = shards.length;
    expect(shards).toEqual([...Array(n).keys()].map((k) => k + 1));
    expect(at(wf, 'jobs.shard.env.EQFLOW_SHARD')).toBe(`\${{ matrix.shard }}/${n}`);
    expect(list(at(wf, 'jobs.shard.steps')).filter((step) => text(at(step, 'run')).includes('--shard auto'))).toHaveLength(2);
    expect(at(wf, 'jobs.merge.needs')).toBe('shard');
    expect(list(at(wf, 'jobs.merge.steps')).map((step) => text(at(step, 'run'))).filter((r) => r.includes('eqflow merge') && r.includes(`-of-${n}.json`))).toHaveLength(2);
  });
});
