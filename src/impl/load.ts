import { EqflowError } from '../core/errors.js';
import type { Implementation } from './implementation.js';

/** Whether this module itself runs as TypeScript (under tsx or vitest), so a plain import of a .ts module works. */
const RUNNING_TS = import.meta.url.endsWith('.ts');

/** The least time a program gets to start and answer the handshake: an interpreter importing torch takes seconds. */
const HANDSHAKE_MS = 30_000;

/**
 * An implementation from --impl: a TS/JS module exporting `implementation` (or default), a command speaking
 * docs/protocol.md (per-request timeout `timeoutMs`, flows get 12× as long,
 * the handshake at least HANDSHAKE_MS; no restart after `maxFailures`
 * consecutive process failures), or the reference.
 */
export async function loadImplementation(spec: string | undefined, timeoutMs = 10_000, maxFailures = 3): Promise<Implementation> {
  if (!spec) return new (await import('./reference.js')).ReferenceImplementation();
  if (/\.(m?[jt]s)$/.test(spec)) {
    let mod: Record<string, unknown>;
    try {
      const url = new URL(spec, `file://${process.cwd()}/`).href;
      // a TypeScript module is loaded through tsx's scoped loader: the compiled CLI itself runs without one
      mod = (/\.m?ts$/.test(spec) && !RUNNING_TS ? await (await import('tsx/esm/api')).tsImport(url, import.meta.url) : await import(url)) as Record<string, unknown>;
    } catch (e) {
      throw new EqflowError('io', '--impl', `cannot load module ${spec}: ${(e as Error).message}`);
    }
    const impl = (mod.implementation ?? mod.default) as Implementation | undefined;
    if (!impl || typeof impl.open !== 'function' || !(impl.capabilities instanceof Set)) throw new EqflowError('invalid-argument', '--impl', `${spec} exports no Implementation (export const implementation = …)`);
    return impl;
  }
  const { ExternalImplementation } = await import('./external.js');
  return ExternalImplementation.start(spec, { timeoutMs, opTimeoutMs: { flow: 12 * timeoutMs, hello: Math.max(timeoutMs, HANDSHAKE_MS) }, maxFailures });
}

