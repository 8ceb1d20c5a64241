import { join } from 'node:path';
import type { ClaimReport, VerificationReport } from '../claims/verify.js';
import type { ResolutionTable } from '../claims/resolution.js';
import { DEFECTS, DEFECT_DESCRIPTIONS } from '../impl/defects.js';
import { formatTable } from './table.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';

export { formatTable };

const unrun = (c: ClaimReport) => c.verdict === 'not tested' || c.verdict === 'interrupted';
const fmtRatio = (c: ClaimReport) => (unrun(c) ? '—' : c.worstRatio.toExponential(2));

/** The one-line summary of a report: counts per verdict and of negative controls that did not fail. */
export function summaryLine(r: VerificationReport): string {
  const s = r.summary;
  return `${s.holds} hold, ${s.violated} violated, ${s.errors} implementation errors, ${s.notTested} not tested${s.notResolvable ? `, ${s.notResolvable} not resolvable at ${r.precision}` : ''}${s.interrupted ? `, ${s.interrupted} interrupted` : ''}; ` +
    `${s.controlsFailing} negative controls did not fail`;
}

/** What the Markdown report says of a claim's outcome, by verdict. */
function outcome(c: ClaimReport): string {
  if (c.verdict === 'not tested') return `Not tested: ${c.message}.`;
  if (c.verdict === 'not resolvable') return `Not resolvable at this precision (no case resolved every part of the claim; neither holds nor violated): ${c.message}.`;
  if (c.verdict === 'interrupted') return 'Interrupted before it finished.';
  if (c.verdict === 'error') return `Implementation error (${c.fault ?? 'fault'}; the implementation did not answer properly, not a counterexample): ${c.message ?? ''}.`;
  const refused = c.refused ? ` Generated cases refused by the implementation and skipped: ${c.refused.map((r) => `${r.count}× ${r.reason}`).join('; ')}.` : '';
  return `Last measurement: ${c.message ?? ''}.${refused}`;
}

/** Short names of the defect classes in tables. */
const DEFECT_SHORT: Record<(typeof DEFECTS)[number], string> = { action: 'ρ̄', projector: 'Π_E', gradient: '∇R^aug', 'flow-time': 't' };

/** One claim's resolution in a cell: the smallest detected size per defect class it sees, e.g. "ρ̄ 3.2e-7, Π_E 1e-6". */
export function resolutionCell(t: ResolutionTable | undefined, claim: string): string {
  const row = t?.claims.find((c) => c.claim === claim);
  if (!row) return '—';
  if (row.clean !== 'holds') return `(${row.clean} when clean)`;
  const parts = DEFECTS.filter((d) => typeof row.smallest[d] === 'number').map((d) => `${DEFECT_SHORT[d]} ${(row.smallest[d] as number).toExponential(1)}`);
  return parts.length ? parts.join(', ') : 'none ≤ 0.1';
}

/**
 * How a claim was checked, in a cell: 'exact' (up to round-off), 'statistical (α = …)' against sampled averages,
 * α the chance a correct implementation fails it, or 'quadrature' (a Haar integral by N-angle rules, the estimate
 * |I_2N − I_N| in the tolerance); reports written before the field existed read as exact.
 */
export function checkCell(c: { check?: string; alpha?: number }): string {
  if (c.check === 'quadrature') return 'quadrature (estimate |I_2N − I_N| in the tolerance)';
  return c.check === 'statistical' ? `statistical (α = ${typeof c.alpha === 'number' ? c.alpha.toExponential(1) : '?'})` : 'exact';
}

/** The claims table as rows: claim, source, cases, worst error/tolerance, verdict, check, negative control, seed, resolution. */
export function claimRows(r: VerificationReport): string[][] {
  return r.claims.map((c) => [
    c.id, c.source, unrun(c) ? '0' : `${c.cases}${c.byGenerators ? ` (${c.byGenerators} by generators)` : ''}${c.skipped ? ` (+${c.skipped} skipped)` : ''}${c.unresolved ? ` (${c.unresolved} partly unresolved)` : ''}`, fmtRatio(c), c.verdict, checkCell(c),
    c.negativeControl.verdict, String(c.seed), resolutionCell(r.resolution, c.id),
  ]);
}

export const CLAIM_COLUMNS = ['claim', 'source', 'cases', 'worst error/tol', 'verdict', 'check', 'negative control', 'seed', 'resolution (smallest defect detected)'];

/** The resolution table of one precision as text: per claim, the smallest relative size detected per defect class. */
export function formatResolution(t: ResolutionTable): string {
  const head = `resolution at ${t.precision} (seed ${t.seed}, ${t.runs} cases per run, ${t.steps} bisection steps); defects: ` +
    DEFECTS.map((d) => `${DEFECT_SHORT[d]} = ${DEFECT_DESCRIPTIONS[d]}`).join('; ');
  const rows = t.claims.map((c) => [c.claim, c.clean, ...DEFECTS.map((d) => (typeof c.smallest[d] === 'number' ? (c.smallest[d] as number).toExponential(1) : '—'))]);
  return `${head}\n${formatTable(['claim', 'clean', ...DEFECTS.map((d) => DEFECT_SHORT[d])], rows)}`;
}

/** The Markdown report: the table, then each claim's statement and last measurement, and replay lines. */
export function verificationMarkdown(r: VerificationReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `# eqflow verification — ${r.implementation}`,
    '',
    `precision ${r.precision}, seed ${r.seed}, cases per claim: ${r.runs}. ${summaryLine(r)}.` +
      (r.interruptedBy ? ` **Interrupted by ${r.interruptedBy}**: \`eqflow verify --resume\` runs the rest.` : ''),
    '',
    `| ${CLAIM_COLUMNS.join(' | ')} |`,
    `|${CLAIM_COLUMNS.map(() => '---').join('|')}|`,
    ...claimRows(r).map((row) => `| ${row.map(esc).join(' | ')} |`),
    '',
    '## Claims',
    '',
    ...r.claims.flatMap((c) => [
      `- **${c.id}** (${esc(c.source)}): ${esc(c.title)}.`,
      `  ${esc(outcome(c))}`,
      `  Negative control (${esc(c.negativeControl.description)}): ${c.negativeControl.verdict}.`,
      ...(c.counterexampleFile ? [`  ${c.verdict === 'error' ? 'Failing input' : 'Counterexample'}: \`${c.counterexampleFile}\`; replay with \`eqflow replay ${c.counterexampleFile}\`.`] : []),
    ]),
    '',
  ];
  return lines.join('\n');
}

/** Writes reports/verification.{json,md} atomically. */
export async function writeVerification(dir: string, r: VerificationReport): Promise<void> {
  await writeJsonAtomic(join(dir, 'verification.json'), r);
  await writeFileAtomic(join(dir, 'verification.md'), verificationMarkdown(r));
}
