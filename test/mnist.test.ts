import { describe, expect, it } from 'vitest';
import { EqflowError } from '../src/core/errors.js';
import { loadMnist, MNIST_COUNT, MNIST_PIXELS } from '../src/data/mnist.js';

/** Asserts `f` throws an EqflowError with the given code and field. */
function expectEqflowError(f: () => unknown, code: string, field: string): void {
  let caught: unknown;
  try {
    f();
  } catch (e) {
    caught = e;
  }
  expect(caught).toBeInstanceOf(EqflowError);
  const err = caught as EqflowError;
  expect(err.code).toBe(code);
  expect(err.field).toBe(field);
}

describe('loadMnist', () => {
  it('loads all 10 000 images with shapes, labels 0..9 and every class present', () => {
    const t0 = performance.now();
    const all = loadMnist({});
    const ms = performance.now() - t0;
    // Loading cost is reported rather than asserted tightly: it depends on the machine.
    console.log(`loadMnist first call: ${ms.toFixed(0)} ms`);
    expect(ms).toBeLessThan(10_000);
    expect(all.count).toBe(MNIST_COUNT);
    expect(all.height).toBe(28);
    expect(all.width).toBe(28);
    expect(all.images.length).toBe(MNIST_COUNT * MNIST_PIXELS);
    expect(all.labels.length).toBe(MNIST_COUNT);
    const perClass = new Array<number>(10).fill(0);
    let badLabels = 0;
    for (const y of all.labels) {
      if (y >= 0 && y <= 9) perClass[y]++;
      else badLabels++;
    }
    expect(badLabels).toBe(0);
    // Every class is present with a plausible share (MNIST classes are roughly balanced).
    for (const n of perClass) expect(n).toBeGreaterThan(500);
  });

  it('has finite pixels in [0,1] with MNIST-like mean (~0.13) and non-blank images', () => {
    const { images, count } = loadMnist();
    let sum = 0;
    let bad = 0;
    // Count violations instead of one expect per pixel: 7.8M expects would take a minute.
    for (const v of images) {
      if (!(Number.isFinite(v) && v >= 0 && v <= 1)) bad++;
      sum += v;
    }
    expect(bad).toBe(0);
    const mean = sum / images.length;
    expect(mean).toBeGreaterThan(0.11);
    expect(mean).toBeLessThan(0.15);
    // Each image has ink: a blank image would mean a misaligned 784-stride.
    let minInk = Infinity;
    for (let i = 0; i < count; i++) {
      let ink = 0;
      for (let p = 0; p < MNIST_PIXELS; p++) ink += images[i * MNIST_PIXELS + p];
      minInk = Math.min(minInk, ink);
    }
    expect(minInk).toBeGreaterThan(10);
  });

  it('is deterministic, class-sorted, windowed by offset/count, and returns copies', () => {
    const a = loadMnist({ offset: 123, count: 50 });
    const b = loadMnist({ offset: 123, count: 50 });
    expect(a.count).toBe(50);
    expect(Array.from(a.images)).toEqual(Array.from(b.images));
    const all = loadMnist();
    expect(Array.from(a.images)).toEqual(Array.from(all.images.subarray(123 * MNIST_PIXELS, 173 * MNIST_PIXELS)));
    expect(Array.from(a.labels)).toEqual(Array.from(all.labels.subarray(123, 173)));
    // The package's order is all 0s, then all 1s, …: labels never decrease.
    let descents = 0;
    for (let i = 1; i < all.count; i++) if (all.labels[i] < all.labels[i - 1]) descents++;
    expect(descents).toBe(0);
    expect(all.labels[0]).toBe(0);
    expect(all.labels[MNIST_COUNT - 1]).toBe(9);
    // Mutating a result must not leak into later calls.
    a.images.fill(7);
    a.labels.fill(-1);
    const c = loadMnist({ offset: 123, count: 50 });
    expect(Array.from(c.images)).toEqual(Array.from(b.images));
    expect(c.labels[0]).toBe(b.labels[0]);
    const last = loadMnist({ offset: MNIST_COUNT - 1, count: 1 });
    expect(last.count).toBe(1);
    expect(last.images.length).toBe(MNIST_PIXELS);
  });

  it('rejects bad options with typed errors', () => {
    expectEqflowError(() => loadMnist({ count: 0 }), 'invalid-argument', 'count');
    expectEqflowError(() => loadMnist({ count: -5 }), 'invalid-argument', 'count');
    expectEqflowError(() => loadMnist({ count: 1.5 }), 'invalid-argument', 'count');
    expectEqflowError(() => loadMnist({ count: Number.NaN }), 'invalid-argument', 'count');
    expectEqflowError(() => loadMnist({ count: 10001 }), 'invalid-argument', 'count');
    expectEqflowError(() => loadMnist({ offset: -1 }), 'invalid-argument', 'offset');
    expectEqflowError(() => loadMnist({ offset: 0.5 }), 'invalid-argument', 'offset');
    expectEqflowError(() => loadMnist({ offset: 10000 }), 'invalid-argument', 'offset');
    expectEqflowError(() => loadMnist({ offset: 9990, count: 11 }), 'invalid-argument', 'count');
  });
});
