import { join } from 'node:path';
import type { ClaimReport, VerificationReport } from '../claims/verify.js';
import { formatTable } from './table.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';

export { formatTable };

const unrun = (c: ClaimReport) => c.verdict === 'not tested' || c.verdict === 'interrupted';
const fmtRatio = (c: ClaimReport) => (unrun(c) ? '—' : c.worstRatio.toExponential(2));

/** The one-line summary of a report: counts per verdict and of negative controls that did not fail. */
export function summaryLine(r: VerificationReport): string {
  const s = r.summary;
  return `${s.holds} hold, ${s.violated} violated, ${s.errors} implementation errors, ${s.notTested} not tested${s.interrupted ? `, ${s.interrupted} interrupted` : ''}; ` +
    `${s.controlsFailing} negative controls did not fail`;
}

/** What the Markdown report says of a claim's outcome, by verdict. */
function outcome(c: ClaimReport): string {
  if (c.verdict === 'not tested') return `Not tested: ${c.message}.`;
  if (c.verdict === 'interrupted') return 'Interrupted before it finished.';
  if (c.verdict === 'error') return `Implementation error (${c.fault ?? 'fault'}; the implementation did not answer properly, not a counterexample): ${c.message ?? ''}.`;
  return `Last measurement: ${c.message ?? ''}.`;
}

/** The claims table as rows: claim, source, cases, worst error/tolerance, verdict, negative control, seed. */
export function claimRows(r: VerificationReport): string[][] {
  return r.claims.map((c) => [
    c.id, c.source, unrun(c) ? '0' : `${c.cases}${c.skipped ? ` (+${c.skipped} skipped)` : ''}`, fmtRatio(c), c.verdict,
    c.negativeControl.verdict, String(c.seed),
  ]);
}

export const CLAIM_COLUMNS = ['claim', 'source', 'cases', 'worst error/tol', 'verdict', 'negative control', 'seed'];

/** The Markdown report: the table, then each claim's statement and last measurement, and replay lines. */
export function verificationMarkdown(r: VerificationReport): string {
  const esc = (s: string) => s.replace(/\|/g, '\\|');
  const lines = [
    `# eqflow verification — ${r.implementation}`,
    '',
    `seed ${r.seed}, cases per claim: ${r.runs}. ${summaryLine(r)}.` +
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
