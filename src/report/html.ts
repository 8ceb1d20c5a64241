import { EqflowError } from '../core/errors.js';

/** A table of plain cells; `rowClass[i]` (e.g. 'pass' / 'fail') styles row i. */
export interface ReportTable {
  columns: string[];
  rows: (string | number)[][];
  rowClass?: (string | undefined)[];
}

/** One section of a report; every part is optional except the heading. */
export interface ReportSection {
  heading: string;
  /** Trusted raw HTML inserted as is (callers build it; it is NOT escaped). */
  html?: string;
  table?: ReportTable;
  /** An inline SVG document, e.g. from plot.ts. */
  svg?: string;
  caption?: string;
}

export interface Report {
  title: string;
  generatedAt: string;
  sections: ReportSection[];
}

/** Escapes text for use in HTML element content and double-quoted attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

/** A lowercase ASCII slug; ids must be stable across runs so browser tests and links can find sections. */
export function slugify(text: string): string {
  const slug = text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
  return slug.length > 0 ? slug : 'section';
}

/** Turns a cell into display text; numbers keep full precision but drop float noise like 0.30000000000000004. */
function cellText(v: string | number): string {
  if (typeof v === 'number') return Number.isInteger(v) || !Number.isFinite(v) ? String(v) : String(Number(v.toPrecision(12)));
  return v;
}

/** Only class-name characters survive, so a row class can never break out of its attribute. */
function safeClass(c: string | undefined): string | undefined {
  if (c === undefined) return undefined;
  const cleaned = c.split(/\s+/).filter((t) => /^[A-Za-z_-][A-Za-z0-9_-]*$/.test(t)).join(' ');
  return cleaned.length > 0 ? cleaned : undefined;
}

/** Strips an XML prolog/doctype (invalid inside HTML) and checks that what is left is one <svg> element. */
function inlineSvg(svg: string, field: string): string {
  const body = svg.replace(/^\s*<\?xml[^>]*\?>\s*/i, '').replace(/^\s*<!DOCTYPE[^>]*>\s*/i, '').trim();
  if (!/^<svg[\s>]/i.test(body) || !/<\/svg>$/i.test(body)) {
    throw new EqflowError('invalid-argument', field, 'expected an SVG document starting with <svg and ending with </svg>');
  }
  // Inline SVG would run scripts in the report's origin; our charts never contain any.
  if (/<script[\s>]/i.test(body) || /<[^>]*\son[a-z]+\s*=/i.test(body)) {
    throw new EqflowError('invalid-argument', field, 'SVG must not contain scripts or event handlers');
  }
  return body;
}

function renderTable(t: ReportTable, slug: string, field: string): string {
  if (!Array.isArray(t.columns) || !Array.isArray(t.rows)) throw new EqflowError('invalid-argument', field, 'expected columns and rows arrays');
  if (t.rowClass !== undefined && t.rowClass.length !== t.rows.length) {
    throw new EqflowError('dimension-mismatch', `${field}.rowClass`, `expected length ${t.rows.length}, got ${t.rowClass.length}`);
  }
  const head = t.columns.map((c) => `<th scope="col">${escapeHtml(c)}</th>`).join('');
  const body = t.rows
    .map((row, i) => {
      if (row.length !== t.columns.length) {
        throw new EqflowError('dimension-mismatch', `${field}.rows[${i}]`, `expected ${t.columns.length} cells, got ${row.length}`);
      }
      const cls = safeClass(t.rowClass?.[i]);
      const cells = row
        .map((v) => (typeof v === 'number' ? `<td class="num">${escapeHtml(cellText(v))}</td>` : `<td>${escapeHtml(v)}</td>`))
        .join('');
      return `<tr${cls === undefined ? '' : ` class="${cls}"`}>${cells}</tr>`;
    })
    .join('\n');
  return (
    `<div class="table-wrap" role="region" tabindex="0" aria-label="${escapeHtml(t.columns.join(', '))}">\n` +
    `<table id="table-${slug}" data-table="${slug}">\n<thead><tr>${head}</tr></thead>\n<tbody>\n${body}\n</tbody>\n</table>\n</div>`
  );
}

const CSS = `
:root { color-scheme: light; --fg: #1b1f24; --muted: #57606a; --line: #d0d7de; --pass: #e6f4ea; --fail: #fde7e9; --warn: #fff4d6; }
* { box-sizing: border-box; }
body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; color: var(--fg); background: #fff; }
main { max-width: 60rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: 0 0 .25rem; line-height: 1.25; }
h2 { font-size: 1.25rem; margin: 2rem 0 .5rem; border-bottom: 1px solid var(--line); padding-bottom: .25rem; }
.generated { color: var(--muted); margin: 0 0 1rem; font-size: .9rem; }
nav ul { padding-left: 1.2rem; margin: .5rem 0; }
.table-wrap { overflow-x: auto; -webkit-overflow-scrolling: touch; max-width: 100%; margin: .5rem 0; }
table { border-collapse: collapse; font-size: .9rem; min-width: 100%; }
th, td { border: 1px solid var(--line); padding: .3rem .55rem; text-align: left; vertical-align: top; }
th { background: #f6f8fa; white-space: nowrap; }
td.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tr.pass td { background: var(--pass); }
tr.fail td { background: var(--fail); }
tr.warn td { background: var(--warn); }
figure { margin: 1rem 0; }
figure svg { display: block; width: 100%; height: auto; max-width: 100%; }
figcaption { color: var(--muted); font-size: .9rem; margin-top: .35rem; }
@media (max-width: 40rem) { main { padding: .6rem; } body { font-size: 15px; } th, td { padding: .25rem .4rem; } }
`;

/** Renders a complete, self-contained HTML page (inline CSS and SVG, no external resources, readable on a phone). */
export function renderReportHtml(r: Report): string {
  if (typeof r.title !== 'string') throw new EqflowError('invalid-argument', 'title', 'expected a string');
  if (!Array.isArray(r.sections)) throw new EqflowError('invalid-argument', 'sections', 'expected an array');
  const used = new Set<string>();
  const slugs = r.sections.map((s) => {
    // Duplicate headings get -2, -3… so ids stay unique and deterministic.
    const base = slugify(s.heading);
    let slug = base;
    for (let n = 2; used.has(slug); n++) slug = `${base}-${n}`;
    used.add(slug);
    return slug;
  });

  const sections = r.sections.map((s, i) => {
    const slug = slugs[i];
    const field = `sections[${i}]`;
    const parts: string[] = [`<h2>${escapeHtml(s.heading)}</h2>`];
    if (s.html !== undefined) parts.push(`<div class="content">${s.html}</div>`);
    if (s.table !== undefined) parts.push(renderTable(s.table, slug, `${field}.table`));
    if (s.svg !== undefined) {
      const caption = s.caption === undefined ? '' : `\n<figcaption>${escapeHtml(s.caption)}</figcaption>`;
      parts.push(`<figure id="figure-${slug}" data-figure="${slug}">\n${inlineSvg(s.svg, `${field}.svg`)}${caption}\n</figure>`);
    } else if (s.caption !== undefined) {
      parts.push(`<p class="caption">${escapeHtml(s.caption)}</p>`);
    }
    return `<section id="${slug}" data-section="${slug}">\n${parts.join('\n')}\n</section>`;
  });

  const toc =
    r.sections.length > 1
      ? `<nav aria-label="Contents"><ul>\n${r.sections.map((s, i) => `<li><a href="#${slugs[i]}">${escapeHtml(s.heading)}</a></li>`).join('\n')}\n</ul></nav>\n`
      : '';

  // The CSP makes "no external resources" enforced by the browser, not just a convention.
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(r.title)}</title>
<style>${CSS}</style>
</head>
<body>
<main>
<header>
<h1>${escapeHtml(r.title)}</h1>
<p class="generated">Generated <time datetime="${escapeHtml(r.generatedAt)}">${escapeHtml(r.generatedAt)}</time></p>
</header>
${toc}${sections.join('\n')}
</main>
</body>
</html>
`;
}
