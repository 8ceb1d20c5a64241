import { describe, expect, it } from 'vitest';
import { HIT_FACTOR, HIT_FLOOR, hitsOfFile, strykerTestId, testHitLimit } from '../mutation/hitLimit.js';

describe('the per-test hit limit of the mutation and power runs (mutation/hitLimit.ts)', () => {
  it('allows each test HIT_FACTOR × its dry-run hits (at least HIT_FLOOR) beyond the count so far, never above Stryker\'s limit', () => {
    // a hot loop: 10⁸ hits in this test's dry run, where Stryker's limit is 100 × the whole suite's hits
    expect(testHitLimit(1e12, 5e6, 1e8)).toBe(5e6 + HIT_FACTOR * 1e8);
    expect(testHitLimit(undefined, 0, 1e8)).toBe(HIT_FACTOR * 1e8);
    // a rarely hit mutant still gets the floor
    expect(testHitLimit(1e12, 7, 3)).toBe(7 + HIT_FLOOR);
    // Stryker's own limit stays the ceiling
    expect(testHitLimit(2e6, 0, 1e8)).toBe(2e6);
    // negative control: a test the dry run saw miss the mutant has nothing to scale, so Stryker's limit (or none) applies
    expect(testHitLimit(1e12, 5, undefined)).toBe(1e12);
    expect(testHitLimit(undefined, 5, undefined)).toBeUndefined();
  });

  it('names tests as Stryker\'s coverage does and keeps one test file\'s entries', () => {
    const file = { filepath: '/s/properties/a.test.ts' };
    const fileTask = { name: 'properties/a.test.ts', file };
    const suite = { name: 'outer', suite: fileTask, file };
    expect(strykerTestId({ name: 'case 1', suite, file })).toBe('/s/properties/a.test.ts#properties/a.test.ts outer case 1');
    const perTest = { '/s/properties/a.test.ts#x': { 1: 4 }, '/s/properties/a.test.tsx#y': { 1: 5 }, '/s/properties/b.test.ts#x': { 2: 6 } };
    // negative control: another file, even one whose path starts with this one's, is left out
    expect(hitsOfFile(perTest, file.filepath)).toEqual({ '/s/properties/a.test.ts#x': { 1: 4 } });
  });
});
