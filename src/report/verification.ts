import { join } from 'node:path';
import type { ClaimReport, VerificationReport } from '../claims/verify.js';
import { formatTable } from './table.js';
import { writeFileAtomic, writeJsonAtomic } from './atomic.js';

export { formatTable };

const fmtRatio = (c: ClaimReport) => (c.verdict === 'not tested' ? '—' : c.worstRatio.toExponential(2));

/** The claims table as rows: claim, source, cases, worst error/tolerance, verdict, negative control, seed. */
export function claimRows(r: VerificationReport): string[][] {
  return r.claims.map((c) => [
    c.id, c.source, c.verdict === 'not tested' ? '0' : `${c.cases}${c.skipped ? ` (+${c.skipped} skipped)` : ''}`, fmtRatio(c), c.verdict,
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
    `seed ${r.seed}, cases per claim: ${r.runs}. ${r.summary.holds} hold, ${r.summary.violated} violated, ${r.summary.notTested} not tested; ` +
      `${r.summary.controlsFailing} negative controls did not fail.`,
    '',
    `| ${CLAIM_COLUMNS.join(' | ')} |`,
    `|${CLAIM_COLUMNS.map(() => '---').join('|')}|`,
    ...claimRows(r).map((row) => `| ${row.map(esc).join(' | ')} |`),
    '',
    '## Claims',
    '',
    ...r.claims.flatMap((c) => [
      `- **${c.id}** (${esc(c.source)}): ${esc(c.title)}.`,
      `  ${c.verdict === 'not tested' ? `Not tested: ${c.message}.` : `Last measurement: ${esc(c.message ?? '')}.`}`,
      `  Negative control (${esc(c.negativeControl.description)}): ${c.negativeControl.verdict}.`,
      ...(c.counterexampleFile ? [`  Counterexample: \`${c.counterexampleFile}\`; replay with \`eqflow replay ${c.counterexampleFile}\`.`] : []),
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
