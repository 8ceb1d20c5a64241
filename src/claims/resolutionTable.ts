/**
 * The committed resolution tables (docs/theory.md §10): what `npm run resolution` measured, per precision. Verify
 * reports quote the table of the precision they judged at. Generated: do not edit by hand.
 */
import type { ResolutionTable } from './resolution.js';

/** Resolution tables by precision, as last measured by `npm run resolution`. */
export const RESOLUTION: Readonly<Record<string, ResolutionTable>> = {};
