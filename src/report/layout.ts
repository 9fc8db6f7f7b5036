// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the building blocks of every mail (run report, digest, test message), each as HTML and
// as plain text, so both parts say the same thing in the same order.
//
// The HTML is hand-written, table-based and inline-styled, which mail clients render alike:
// one column at most 600 px wide, `table-layout:fixed` and `overflow-wrap:anywhere` so no value
// can widen it (no horizontal scroll at 390 px), the font set on every block (clients do not
// inherit it into tables), and explicit text AND background colours everywhere, so a client in
// dark mode either keeps them or inverts them whole — never dark text on a dark background.
// Tested in Chromium at 390 and 1280 px (test/report/layout-browser.test.ts).
//
// Text passed to a block is plain text; blocks escape it. A value inside a sentence is passed
// as `Rich` (see rich()), made with fillHtml/fillText, so it is escaped and bidi-isolated once.
import { escapeHtml as esc, fillHtml, fillText, isolate } from './format.js';

/** A piece of a mail in both forms. */
export interface Block {
  html: string;
  text: string;
}

/** A sentence with values: `html` is ready (escaped, isolated), `text` is the plain form. */
export interface Rich {
  html: string;
  text: string;
}

/** Plain words, or a sentence with values made by rich(). */
export type Line = string | Rich;

/** Sentence `template` with `{name}` values, in both forms. */
export const rich = (template: string, vars: Record<string, string | number> = {}): Rich => ({
  html: fillHtml(template, vars),
  text: fillText(template, vars),
});

const lineHtml = (l: Line) => (typeof l === 'string' ? esc(l) : l.html);
const lineText = (l: Line) => (typeof l === 'string' ? l : l.text);

export type Tone = 'success' | 'warning' | 'failure' | 'neutral';

/** Carbon palette: `strong` carries white text (contrast ≥ 4.5:1), `tint` carries dark text. */
export const TONES: Record<Tone, { strong: string; tint: string; text: string }> = {
  success: { strong: '#198038', tint: '#defbe6', text: '#0e6027' },
  warning: { strong: '#8a3800', tint: '#fcf4d6', text: '#8a3800' },
  failure: { strong: '#da1e28', tint: '#fff1f1', text: '#a2191f' },
  neutral: { strong: '#525252', tint: '#f4f4f4', text: '#393939' },
};

export const FONT = "font-family:-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif;";
const INK = '#161616';
const MUTED = '#525252';
const PAPER = '#ffffff';
const WRAP = 'overflow-wrap:anywhere;word-break:break-word;';
const CELL = `${FONT}${WRAP}color:${INK};background-color:${PAPER};`;

/** One full-width row of the page's single column. */
const row = (inner: string, style = 'padding:0 20px 16px 20px;') =>
  `<tr><td style="${CELL}${style}">${inner}</td></tr>`;

/** The coloured head of a mail: outcome headline, then lines such as plan and time window. */
export function banner(o: { tone: Tone; title: string; lines?: Line[] }): Block {
  const t = TONES[o.tone];
  const lines = (o.lines ?? [])
    .map((l) => `<div style="font-size:15px;line-height:22px;margin-top:4px;">${lineHtml(l)}</div>`)
    .join('');
  const html =
    `<tr><td bgcolor="${t.strong}" style="${FONT}${WRAP}background-color:${t.strong};color:#ffffff;padding:20px;">` +
    `<div style="font-size:21px;line-height:28px;font-weight:bold;">${esc(o.title)}</div>${lines}</td></tr>\n` +
    row('', 'padding:0 0 16px 0;font-size:0;line-height:0;');
  const text = [
    o.title,
    ...(o.lines ?? []).map(lineText),
    '='.repeat(Math.min(60, Math.max(12, [...o.title].length))),
  ].join('\n');
  return { html, text };
}

/** A paragraph of plain or rich text. */
export function paragraph(l: Line, o: { muted?: boolean; small?: boolean } = {}): Block {
  const style = `margin:0;font-size:${o.small ? 12 : 15}px;line-height:${o.small ? 18 : 22}px;color:${o.muted ? MUTED : INK};`;
  return { html: row(`<p style="${style}">${lineHtml(l)}</p>`), text: lineText(l) };
}

export interface Count {
  label: string;
  value: string;
  tone?: Tone;
}

/**
 * Summary counts as tiles that flow three to a row (two on a very narrow screen), e.g. saved /
 * failed / not run / total size / duration.
 */
export function summary(items: Count[]): Block {
  const tile = (c: Count) => {
    const color = c.tone ? TONES[c.tone].text : INK;
    return (
      `<div style="display:inline-block;vertical-align:top;box-sizing:border-box;width:31%;min-width:96px;margin:0 2% 8px 0;` +
      `padding:8px 10px;border:1px solid #e0e0e0;background-color:${PAPER};${FONT}${WRAP}">` +
      `<div style="font-size:18px;line-height:24px;font-weight:bold;color:${color};">${esc(c.value)}</div>` +
      `<div style="font-size:12px;line-height:16px;color:${MUTED};">${esc(c.label)}</div></div>`
    );
  };
  return {
    html: row(items.map(tile).join(''), 'padding:0 20px 8px 20px;font-size:0;'),
    text: items.map((c) => `${c.value} ${c.label}`).join(' · '),
  };
}

/** A tinted box with a title and a list, e.g. "What to do" before anything else. */
export function notice(o: { tone: Tone; title: string; items: Line[] }): Block {
  const t = TONES[o.tone];
  const items = o.items.map((i) => `<li style="margin:0 0 6px 0;">${lineHtml(i)}</li>`).join('');
  const html = row(
    `<div style="background-color:${t.tint};color:${INK};border-left:4px solid ${t.strong};padding:12px 14px;">` +
      `<div style="font-size:16px;line-height:22px;font-weight:bold;color:${t.text};margin-bottom:6px;">${esc(o.title)}</div>` +
      `<ul style="margin:0;padding:0 0 0 18px;font-size:15px;line-height:22px;color:${INK};">${items}</ul></div>`,
  );
  const text = [o.title.toUpperCase(), ...o.items.map((i) => `- ${lineText(i)}`)].join('\n');
  return { html, text };
}

/** A heading that starts a part of the mail (Applications, Destination…). */
export function heading(title: Line): Block {
  const text = lineText(title);
  return {
    html: row(
      `<div style="font-size:17px;line-height:24px;font-weight:bold;color:${INK};border-bottom:1px solid #e0e0e0;padding-bottom:4px;">${lineHtml(title)}</div>`,
      'padding:8px 20px 8px 20px;',
    ),
    text: `${text}\n${'-'.repeat(Math.min(60, Math.max(3, [...text].length)))}`,
  };
}

export interface AppRow {
  /** The name people know (ui_name), or the module id. */
  name: string;
  /** The result word shown beside the name (saved, FAILED…). */
  status: string;
  tone: Tone;
  /** Small grey line under the name, e.g. "nextcloud1 · ns1 (node 1)". */
  meta?: Line;
  /** Stacked detail lines. */
  details?: Line[];
  /**
   * Quoted lines (log or restic output), shown monospaced and wrapped, with their title, right
   * under the name: the cause before the facts (issue #21).
   */
  quote?: string[];
  quoteTitle?: string;
  /** A machine-readable marker for tests and the admin page (`data-module`, `data-result`). */
  data?: Record<string, string>;
}

const MARK: Record<Tone, string> = { success: '✓', warning: '!', failure: '✗', neutral: '·' };

/** One application: name and result, then its details stacked under it (phone-friendly). */
export function appRow(a: AppRow): Block {
  const t = TONES[a.tone];
  const data = Object.entries(a.data ?? {})
    .map(([k, v]) => ` data-${k.replace(/[^a-z0-9-]/g, '')}="${esc(v)}"`)
    .join('');
  const details = (a.details ?? [])
    .map((d) => `<div style="font-size:14px;line-height:20px;color:${INK};margin-top:2px;">${lineHtml(d)}</div>`)
    .join('');
  const quoteTitle =
    a.quote?.length && a.quoteTitle
      ? `<div style="font-size:14px;line-height:20px;color:${INK};margin-top:2px;">${esc(a.quoteTitle)}</div>`
      : '';
  const quote = a.quote?.length
    ? `${quoteTitle}<div style="margin-top:6px;padding:6px 8px;background-color:#f4f4f4;color:${INK};border-left:3px solid #c6c6c6;` +
      `font-family:Menlo,Consolas,'Courier New',monospace;font-size:12px;line-height:17px;white-space:pre-wrap;${WRAP}">` +
      `${a.quote.map((q) => `<span dir="auto">${esc(q)}</span>`).join('\n')}</div>`
    : '';
  const html = row(
    `<div${data} style="border:1px solid #e0e0e0;border-left:4px solid ${t.strong};padding:10px 12px;background-color:${PAPER};">` +
      `<div style="font-size:16px;line-height:22px;font-weight:bold;color:${INK};"><span dir="auto">${esc(a.name)}</span>` +
      ` <span style="font-size:13px;font-weight:bold;color:${t.text};white-space:nowrap;">${esc(a.status)}</span></div>` +
      (a.meta ? `<div style="font-size:13px;line-height:18px;color:${MUTED};">${lineHtml(a.meta)}</div>` : '') +
      quote +
      details +
      '</div>',
    'padding:0 20px 8px 20px;',
  );
  const text = [
    `${MARK[a.tone]} ${isolate(a.name)} — ${a.status}`,
    ...(a.meta ? [`  ${lineText(a.meta)}`] : []),
    ...(a.quote?.length && a.quoteTitle ? [`  ${a.quoteTitle}`] : []),
    ...(a.quote ?? []).map((q) => `  > ${q}`),
    ...(a.details ?? []).map((d) => `  ${lineText(d)}`),
  ].join('\n');
  return { html, text };
}

/** Preformatted HTML made elsewhere in report/ (already escaped) with its text. */
export const raw = (html: string, text: string): Block => ({ html: row(html), text });

/** The small print at the end. */
export function footer(lines: Line[]): Block {
  return {
    html: row(
      lines.map((l) => `<div style="font-size:12px;line-height:18px;color:${MUTED};">${lineHtml(l)}</div>`).join(''),
      'padding:8px 20px 20px 20px;border-top:1px solid #e0e0e0;',
    ),
    text: ['--', ...lines.map(lineText)].join('\n'),
  };
}

export interface Page {
  lang: string;
  /** The <title>, usually the subject without its prefix. */
  title: string;
  /** The line clients show in the inbox list after the subject (hidden in the body). */
  preheader?: string;
  blocks: Block[];
}

/** The whole mail: HTML document and text part. */
export function page(p: Page): { html: string; text: string } {
  const pre = p.preheader
    ? `<div style="display:none;max-height:0;max-width:0;overflow:hidden;opacity:0;mso-hide:all;">${esc(p.preheader)}</div>\n`
    : '';
  const html = `<!DOCTYPE html>
<html lang="${esc(p.lang)}"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light"><meta name="supported-color-schemes" content="light">
<title>${esc(p.title)}</title></head>
<body style="margin:0;padding:0;background-color:#f4f4f4;color:${INK};${FONT}-webkit-text-size-adjust:100%;">
${pre}<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="#f4f4f4" style="background-color:#f4f4f4;border-collapse:collapse;">
<tr><td align="center" style="padding:12px 8px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" bgcolor="${PAPER}" style="width:100%;max-width:600px;table-layout:fixed;border-collapse:collapse;background-color:${PAPER};">
${p.blocks.map((b) => b.html).join('\n')}
</table>
</td></tr></table>
</body></html>
`;
  const text =
    p.blocks
      .map((b) => b.text)
      .filter((t) => t !== '')
      .join('\n\n') + '\n';
  return { html, text };
}
