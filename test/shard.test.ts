import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { selectClaims, runVerify } from '../src/claims/verify.js';
import { EqflowError } from '../src/core/errors.js';
import { assembleAttractor, attractorPlan, runAttractorJob } from '../src/experiments/attractor.js';
import { type MnistExperimentOptions, runMnistExperiment } from '../src/experiments/mnist.js';
import { loadImplementation } from '../src/impl/load.js';
import { writeVerification } from '../src/report/verification.js';
import { mergeAttractorShards, runAttractorShard } from '../src/shard/attractor.js';
import { type ShardFile, mergeShardFiles, shardFileName } from '../src/shard/file.js';
import { mergeMnistShards, runMnistShard } from '../src/shard/mnist.js';
import { autoShard, parseShard, shardJobs } from '../src/shard/spec.js';
import { mergeVerifyShards, runVerifyShard } from '../src/shard/verify.js';
import { thrown } from '../properties/arbitraries/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'eqflow-shard-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The shard files of a run in N shards, each run by `runOne`. */
async function shards(name: string, n: number, runOne: (k: number, file: string) => Promise<unknown>): Promise<string[]> {
  const files: string[] = [];
  for (let k = 1; k <= n; k++) {
    const file = join(dir, name, `shard-${k}.json`);
    await runOne(k, file);
    files.push(file);
  }
  return files;
}

/** A result without its wall-clock facts. */
function untimed(v: object): string {
  return JSON.stringify(v, (k, x: unknown) => (k === 'timing' || k === 'generatedAt' || k === 'durationMs' ? undefined : x));
}

function expectRefusal(f: () => unknown, file: string, pattern: RegExp): void {
  const e = thrown(f);
  expect(e).toBeInstanceOf(EqflowError);
  expect((e as EqflowError).field).toBe(file);
  expect((e as Error).message).toMatch(pattern);
  expect((e as Error).message).not.toContain('\n');
}

describe('shard specs', () => {
  it('parses K/N and partitions the jobs round-robin, every job exactly once', () => {
    expect(parseShard('2/3')).toEqual({ index: 2, count: 3 });
    for (const bad of ['0/3', '4/3', '1/0', 'x', '1/2/3', '-1/2']) expect((thrown(() => parseShard(bad)) as EqflowError).field).toBe('--shard');
    const all = [1, 2, 3].flatMap((index) => shardJobs(10, { index, count: 3 }));
    expect(all.sort((a, b) => a - b)).toEqual([...Array(10).keys()]);
    expect(shardJobs(10, { index: 2, count: 3 })).toEqual([1, 4, 7]);
  });

  it('--shard auto reads Slurm, Kubernetes, CI matrix and CI parallel variables', () => {
    expect(autoShard({ SLURM_ARRAY_TASK_ID: '2', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0' })).toMatchObject({ index: 3, count: 3 });
    expect(autoShard({ SLURM_ARRAY_TASK_ID: '1', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '1' })).toMatchObject({ index: 1, count: 3 });
    expect(autoShard({ SLURM_ARRAY_TASK_ID: '4', SLURM_ARRAY_TASK_COUNT: '3', SLURM_ARRAY_TASK_MIN: '0', SLURM_ARRAY_TASK_STEP: '2' })).toMatchObject({ index: 3, count: 3 });
    expect(autoShard({ JOB_COMPLETION_INDEX: '0' }, 4)).toMatchObject({ index: 1, count: 4 });
    expect(autoShard({ JOB_COMPLETION_INDEX: '3', EQFLOW_SHARD_COUNT: '4' })).toMatchObject({ index: 4, count: 4 });
    expect(autoShard({ EQFLOW_SHARD: '2/5' })).toMatchObject({ index: 2, count: 5, source: 'EQFLOW_SHARD' });
    expect(autoShard({ CI_NODE_INDEX: '1', CI_NODE_TOTAL: '2' })).toMatchObject({ index: 1, count: 2 });
    expect(autoShard({ CIRCLE_NODE_INDEX: '1', CIRCLE_NODE_TOTAL: '2' })).toMatchObject({ index: 2, count: 2 });
    expect(autoShard({ BUILDKITE_PARALLEL_JOB: '0', BUILDKITE_PARALLEL_JOB_COUNT: '2' })).toMatchObject({ index: 1, count: 2 });
    // refused: nothing set, an index without a count, a count that disagrees, an index past the count
    expect((thrown(() => autoShard({})) as Error).message).toMatch(/SLURM_ARRAY_TASK_ID.*JOB_COMPLETION_INDEX/);
    expect((thrown(() => autoShard({ JOB_COMPLETION_INDEX: '0' })) as EqflowError).field).toBe('--shard-count');
    expect((thrown(() => autoShard({ SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '3' }, 4)) as Error).message).toMatch(/states 3 shards.*4/);
    expect((thrown(() => autoShard({ JOB_COMPLETION_INDEX: '4' }, 4)) as Error).message).toMatch(/1\.\.4, got 5/);
  });
});

describe('a run in 3 shards merges to the run of one machine, bit for bit (docs/theory.md §7)', () => {
  /** 2 γ × 2 runs of 2 SGD steps: 4 jobs over 3 shards, so one shard has two jobs and the partition is uneven. */
  const tiny: MnistExperimentOptions = { gammas: [10, 100], runs: 2, images: 20, epochs: 1, workers: 1, seed: 'shard-test' };
  let mnistFiles: string[] = [];

  it('experiment mnist', async () => {
    const one = await runMnistExperiment(tiny);
    mnistFiles = await shards('mnist', 3, (k, file) => runMnistShard(tiny, { index: k, count: 3 }, file));
    const merged = mergeShardFiles(mnistFiles);
    expect(merged.contributions.map((c) => c.jobs)).toEqual([2, 1, 1]);
    expect(untimed(mergeMnistShards(merged))).toBe(untimed(one));
  });

  it('experiment attractor', async () => {
    // one plan for all (building it is most of the cost; every shard builds the same one, as runAttractor does)
    const plan = attractorPlan();
    const files = await shards('attractor', 3, (k, file) => runAttractorShard({ index: k, count: 3 }, file, undefined, plan));
    expect(JSON.stringify(mergeAttractorShards(mergeShardFiles(files), plan))).toBe(JSON.stringify(assembleAttractor(plan, plan.jobs.map((_, j) => runAttractorJob(plan, j)))));
  });

  it('verify: verification.json and .md file for file', async () => {
    const reference = await loadImplementation(undefined);
    const opts = { seed: 7, runs: 3, claims: selectClaims(['action', 'projectors', 'lemma-1a-2a']), controls: true };
    const one = await runVerify(reference, { ...opts, outDir: join(dir, 'v1') });
    await writeVerification(join(dir, 'v1'), one);
    const files = await shards('verify', 3, (k, file) => runVerifyShard(reference, opts, { index: k, count: 3 }, file));
    const merged = await mergeVerifyShards(mergeShardFiles(files), join(dir, 'v3'));
    await writeVerification(join(dir, 'v3'), merged);
    expect(untimed(merged)).toBe(untimed(one));
    const strip = (f: string): string => readFileSync(f, 'utf8').replace(/"(generatedAt|durationMs)": [^,\n]+/g, '').replace(/\d+(\.\d+)? s\b/g, 'T s');
    for (const f of ['verification.json', 'verification.md']) expect(strip(join(dir, 'v3', f)), f).toBe(strip(join(dir, 'v1', f)));
    expect(readdirSync(join(dir, 'v3')).sort()).toEqual(readdirSync(join(dir, 'v1')).sort());
  });

  it('merge refuses other commits, configurations, seeds, commands, duplicates, gaps and unfinished shards, naming the file', () => {
    const [a, b, c] = mnistFiles;
    const edited = (name: string, edit: (f: ShardFile) => void): string => {
      const f = JSON.parse(readFileSync(b, 'utf8')) as ShardFile;
      edit(f);
      const file = join(dir, name);
      writeFileSync(file, JSON.stringify(f));
      return file;
    };
    const commit = edited('commit.json', (f) => { f.commit = 'deadbeef'; });
    expectRefusal(() => mergeShardFiles([a, commit, c]), commit, /commit deadbeef/);
    const seed = edited('seed.json', (f) => { (f.config as { seed: string }).seed = 'other'; });
    expectRefusal(() => mergeShardFiles([a, seed, c]), seed, /config\.seed: "other" vs "shard-test"|config\.seed: "shard-test" vs "other"/);
    const images = edited('images.json', (f) => { (f.config as { images: number }).images = 30; });
    expectRefusal(() => mergeShardFiles([a, images, c]), images, /config\.images/);
    const command = edited('command.json', (f) => { f.command = 'attractor'; });
    expectRefusal(() => mergeShardFiles([a, command, c]), command, /attractor shard/);
    expectRefusal(() => mergeShardFiles([a, b, b]), b, /shard 2\/3 again/);
    expectRefusal(() => mergeShardFiles([a, c]), shardFileName('mnist', { index: 2, count: 3 }), /shard 2\/3 is missing/);
    const unfinished = edited('unfinished.json', (f) => { f.results = []; });
    expectRefusal(() => mergeShardFiles([a, unfinished, c]), unfinished, /finished 0 of its 1 jobs/);
    const garbage = join(dir, 'garbage.json');
    writeFileSync(garbage, '{"format": "something else"}');
    expectRefusal(() => mergeShardFiles([a, garbage, c]), garbage, /not an eqflow shard file/);
  });
});

describe('eqflow experiment mnist --shard (CLI)', () => {
  it('a shard killed after its first finished run resumes from it, and merge reports each shard\'s runs', async () => {
    const out = join(dir, 'cli');
    // 3 runs of 20 SGD steps in one shard (auto: a 1-task Slurm array), killed, resumed, merged, compared
    const args = ['bin/eqflow.mjs', 'experiment', 'mnist', '--gammas', '100', '--runs', '3', '--images', '200', '--workers', '1', '--seed', 'kill-test', '--quiet'];
    const file = join(out, 'shards', 'mnist.shard-1-of-1.json');
    const child = spawn(process.execPath, [...args, '--shard', 'auto', '--out', out], { env: { ...process.env, SLURM_ARRAY_TASK_ID: '0', SLURM_ARRAY_TASK_COUNT: '1' }, stdio: 'ignore' });
    const finished = (): number => {
      try {
        return (JSON.parse(readFileSync(file, 'utf8')) as ShardFile).results.length;
      } catch {
        return 0; // not written yet
      }
    };
    await new Promise<void>((resolve, reject) => {
      const poll = setInterval(() => {
        if (finished() >= 1) {
          clearInterval(poll);
          child.kill('SIGKILL');
          resolve();
        }
      }, 10);
      child.on('exit', () => { clearInterval(poll); reject(new Error('the shard finished before it could be killed')); });
    });
    await new Promise((r) => child.once('exit', r));
    const before = finished();
    expect(before).toBeGreaterThanOrEqual(1);
    expect(before).toBeLessThan(3);
    const again = spawnSync(process.execPath, [...args, '--shard', '1/1', '--out', out], { encoding: 'utf8' });
    expect(again.status, again.stderr).toBe(0);
    expect(again.stdout).toContain(`3 of 3 jobs finished (${before} resumed from the file)`);
    const merge = spawnSync(process.execPath, ['bin/eqflow.mjs', 'merge', file, '--out', join(out, 'merged')], { encoding: 'utf8' });
    expect(merge.status, merge.stderr).toBe(0);
    expect(merge.stdout).toContain(`shard 1/1: 3 jobs from ${file}`);
    const whole = await runMnistExperiment({ gammas: [100], runs: 3, images: 200, epochs: 1, workers: 1, seed: 'kill-test' });
    expect(untimed(JSON.parse(readFileSync(join(out, 'merged', 'experiments', 'mnist.json'), 'utf8')) as object)).toBe(untimed(whole));
    // a bad merge is one line naming the file, exit 2
    const bad = spawnSync(process.execPath, ['bin/eqflow.mjs', 'merge', file, file], { encoding: 'utf8' });
    expect(bad.status).toBe(2);
    expect(bad.stderr.trim().split('\n')).toHaveLength(1);
    expect(bad.stderr).toContain(file);
  }, 300_000);
});
