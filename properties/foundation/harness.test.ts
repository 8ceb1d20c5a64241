/**
 * The shared property harness (properties/arbitraries/config.ts): run counts scale with EQFLOW_RUNS and never drop
 * below the floor of 25; a failing property reports fast-check's seed, path and counterexample plus the command
 * line that replays it through EQFLOW_SEED / EQFLOW_PATH.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { checkProperty, replayHint, runs } from '../arbitraries/index.js';

describe('property harness', () => {
  it('runs() scales the base count by EQFLOW_RUNS / 100 and refuses bases under 25', () => {
    const scale = process.env.EQFLOW_RUNS ? Math.max(1, Number(process.env.EQFLOW_RUNS)) / 100 : 1;
    expect(runs()).toBe(Math.max(100, Math.round(100 * scale)));
    expect(runs(25)).toBe(Math.max(25, Math.round(25 * scale)));
    expect(() => runs(24)).toThrow(/25/);
  });

  it('a failure message carries the seed, the path, the counterexample, the error, and the replay command', () => {
    let message = '';
    try {
      checkProperty(fc.property(fc.integer({ min: 0, max: 1000 }), (n) => {
        if (n >= 10) throw new Error(`too big: ${n}`);
      }));
    } catch (e) {
      message = (e as Error).message;
    }
    expect(message).toMatch(/seed: -?\d+, path: "[\d:]+"/);
    expect(message).toMatch(/Counterexample: \[10\]/); // shrunk to the boundary
    expect(message).toMatch(/Got error: too big: 10/);
    const m = /Replay: EQFLOW_SEED=(-?\d+) EQFLOW_PATH=([\d:]+) npx vitest run properties\/foundation\/harness\.test\.ts -t '(.*)'$/m.exec(message);
    expect(m).not.toBeNull();
    // the -t pattern is an escaped regular expression that matches this test's own name literally
    const name = 'a failure message carries the seed, the path, the counterexample, the error, and the replay command';
    expect(new RegExp((m as RegExpExecArray)[3]).test(name)).toBe(true);
    // replaying that seed and path reproduces the same shrunk counterexample directly
    const details = fc.check(fc.property(fc.integer({ min: 0, max: 1000 }), (n) => n < 10), { seed: Number((m as RegExpExecArray)[1]), path: (m as RegExpExecArray)[2] });
    expect(details.failed).toBe(true);
    expect(details.counterexample).toEqual([10]);
  });

  it('replayHint without a path or name still names the seed', () => {
    expect(replayHint(42, null)).toBe('Replay: EQFLOW_SEED=42 npx vitest run properties/foundation test/core.test.ts');
  });
});
