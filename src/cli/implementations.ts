import { EqflowError } from '../core/errors.js';
import type { Implementation } from '../impl/implementation.js';

/**
 * An implementation from --impl: a TS/JS module exporting `implementation` (or default), a command speaking
 * docs/protocol.md (per-request timeout `timeoutMs`; flows get 12× as long), or the reference.
 */
export async function loadImplementation(spec: string | undefined, timeoutMs = 10_000): Promise<Implementation> {
  if (!spec) return new (await import('../impl/reference.js')).ReferenceImplementation();
  if (/\.(m?[jt]s)$/.test(spec)) {
    let mod: Record<string, unknown>;
    try {
      mod = (await import(new URL(spec, `file://${process.cwd()}/`).href)) as Record<string, unknown>;
    } catch (e) {
      throw new EqflowError('io', '--impl', `cannot load module ${spec}: ${(e as Error).message}`);
    }
    const impl = (mod.implementation ?? mod.default) as Implementation | undefined;
    if (!impl || typeof impl.open !== 'function' || !(impl.capabilities instanceof Set)) throw new EqflowError('invalid-argument', '--impl', `${spec} exports no Implementation (export const implementation = …)`);
    return impl;
  }
  const { ExternalImplementation } = await import('../impl/external.js');
  return ExternalImplementation.start(spec, { timeoutMs, opTimeoutMs: { flow: 12 * timeoutMs } });
}
