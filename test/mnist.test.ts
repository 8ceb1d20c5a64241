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

describe('sampleMnist and the mnist data kind', () => {
  it('draws a seeded class-balanced sample in mixed order; the window stays available and is one digit', async () => {
    const { sampleMnist } = await import('../src/data/mnist.js');
    const { RandomStream } = await import('../src/core/rng.js');
    const a = sampleMnist(105, new RandomStream('s'));
    const counts = new Array<number>(10).fill(0);
    for (const l of a.labels) counts[l]++;
    expect(Math.min(...counts)).toBe(10);
    expect(Math.max(...counts)).toBe(11);
    expect(new Set(Array.from(a.labels.subarray(0, 10))).size).toBeGreaterThan(3); // a prefix mixes the digits
    const b = sampleMnist(105, new RandomStream('s'));
    expect(Array.from(b.images)).toEqual(Array.from(a.images));
    expect(Array.from(sampleMnist(105, new RandomStream('t')).labels)).not.toEqual(Array.from(a.labels));
    // all 10 000: every class runs out at its own size and passes its share on, nothing repeats
    const perClass = (l: Int32Array) => Array.from({ length: 10 }, (_, c) => l.filter((x) => x === c).length);
    const whole = sampleMnist(MNIST_COUNT, new RandomStream('s'));
    expect(perClass(whole.labels)).toEqual(perClass(loadMnist().labels));
    let sum = 0;
    for (const v of whole.images) sum += v;
    let sumAll = 0;
    for (const v of loadMnist().images) sumAll += v;
    expect(sum).toBeCloseTo(sumAll, 6); // the same images, permuted

    const { parseCase } = await import('../src/impl/caseSpec.js');
    const { buildData } = await import('../src/impl/build.js');
    const { exampleByName } = await import('../src/impl/examples.js');
    const spec = exampleByName('paper-cnn').spec;
    const { buildCase } = await import('../src/impl/build.js');
    const built = buildCase(spec);
    const labels = new Set<number>();
    for (let s = 0; s < built.data.count; s++) labels.add(built.data.y.subarray(s * 10, s * 10 + 10).indexOf(1));
    expect(labels.size).toBe(10); // paper-cnn trains on ten classes
    const window = buildData(built.model, parseCase({ ...spec, data: { kind: 'mnist', count: 20, sample: 'window' } }).data);
    for (let s = 0; s < 20; s++) expect(window.y[s * 10]).toBe(1); // the class-sorted window: all zeros
    expectEqflowError(() => buildData(built.model, parseCase({ ...spec, data: { kind: 'mnist', count: 20, offset: 5 } }).data), 'invalid-argument', 'data.offset');
  });
});
