/**
 * src/core/shutdown.ts in a child process: a second signal while the first one's save is still running exits at
 * once (a hung save never keeps eqflow alive), and a process group registered there does not outlive a signal.
 */
import { spawn } from 'node:child_process';
import { describe, expect, test } from 'vitest';
import { leftAfter } from './fixtures/processes.js';

/** Runs `code` (TypeScript, through tsx) in a fresh node; resolves with its exit code, stderr and wall time. */
function run(code: string, signals: Array<{ afterMs: number; signal: NodeJS.Signals }>): Promise<{ code: number | null; err: string; out: string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code]);
  let err = '', out = '';
  child.stderr.on('data', (d: Buffer) => { err += d.toString(); });
  child.stdout.on('data', (d: Buffer) => {
    out += d.toString();
    // the child prints "ready" once its handler is installed; the signals are timed from then
    if (out.includes('ready') && signals.length) for (const s of signals.splice(0)) setTimeout(() => child.kill(s.signal), s.afterMs);
  });
  return new Promise((resolve) => child.on('exit', (c) => resolve({ code: c, err, out })));
}

describe('signals (src/core/shutdown.ts)', () => {
  test('a second SIGINT during a save that never ends exits at once with 130', async () => {
    const r = await run(`
      import { onInterrupt } from '${process.cwd()}/src/core/shutdown.ts';
      onInterrupt('t', () => new Promise(() => {}));
      setInterval(() => {}, 1000);
      console.log('ready');
    `, [{ afterMs: 100, signal: 'SIGINT' }, { afterMs: 600, signal: 'SIGINT' }]);
    expect(r.code).toBe(130);
    expect(r.err).toMatch(/SIGINT again; exiting without waiting/);
  });

  test('SIGTERM kills a registered process group, then saves and exits 143', async () => {
    const r = await run(`
      import { spawn } from 'node:child_process';
      import { onInterrupt, registerGroup } from '${process.cwd()}/src/core/shutdown.ts';
      const c = spawn('sleep 60', { shell: true, detached: true, stdio: 'ignore' });
      registerGroup(c.pid);
      onInterrupt('t', async () => 'saved');
      setInterval(() => {}, 1000);
      console.log('ready ' + c.pid);
    `, [{ afterMs: 100, signal: 'SIGTERM' }]);
    expect(r.code).toBe(143);
    expect(r.err.trim()).toBe('t: interrupted by SIGTERM; stopped 1 implementation process; saved');
    const pid = Number(/ready (\d+)/.exec(r.out)?.[1]);
    expect(await leftAfter([pid], 2000)).toEqual([]);
  });
});
