// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the channel message (report/channel-message.ts) as a Telegram Bot API text in HTML parse
// mode (https://core.telegram.org/bots/api#html-style): only <b> and <a href> of the tags Telegram
// accepts, and every value escaped as Telegram documents (&lt; &gt; &amp; in text, &quot; too in
// the link). A text may hold 4096 characters after entities parsing
// (https://core.telegram.org/bots/api#sendmessage); we count the text as sent, tags and entities
// included, in UTF-16 units, which is never less: the steps are cut to fit, never the title.
import type { ChannelMessage } from '../../report/channel-message.js';

export const TELEGRAM_TEXT_MAX = 4096;

/** What stands for the text that did not fit. */
const CUT = '…';
/** A step cut shorter than this says nothing: it is left out (and "…" says so). */
const STEP_MIN_CHARS = 24;

/** Text between tags: the three characters Telegram's HTML mode reserves. */
export const escapeHtml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** A quoted attribute value (the link): also its quote. */
const escapeAttribute = (text: string): string => escapeHtml(text).replace(/"/g, '&quot;');

const bold = (text: string) => `<b>${escapeHtml(text)}</b>`;

/** The longest head of `text` (whole code points, "…" after it) whose escaped form fits `room`. */
function cutToFit(text: string, room: number): string | null {
  const points = Array.from(text);
  let lo = 0;
  let hi = points.length;
  const fits = (n: number) => escapeHtml(points.slice(0, n).join('') + CUT).length <= room;
  if (!fits(0)) return null;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(mid)) lo = mid;
    else hi = mid - 1;
  }
  return escapeHtml(points.slice(0, lo).join('').trimEnd() + CUT);
}

/** "What to do" and as many steps as `room` holds: whole ones, then one cut, then "…". */
function stepsBlock(m: ChannelMessage, room: number): string {
  if (m.steps.length === 0) return '';
  let out = bold(m.stepsTitle);
  if (out.length > room) return '';
  for (const step of m.steps) {
    const whole = `\n• ${escapeHtml(step)}`;
    if (out.length + whole.length <= room) {
      out += whole;
      continue;
    }
    const left = room - out.length - '\n• '.length;
    const cut = left >= STEP_MIN_CHARS ? cutToFit(step, left) : null;
    if (cut) out += `\n• ${cut}`;
    else if (out.length + 1 + CUT.length <= room) out += `\n${CUT}`;
    break;
  }
  return out;
}

function openLine(m: ChannelMessage): string {
  return m.link
    ? `<a href="${escapeAttribute(m.link)}">${escapeHtml(m.openLabel)}</a>`
    : `${escapeHtml(m.openLabel)}: ${escapeHtml(m.open)}`;
}

/** The message's text for sendMessage with parse_mode HTML, at most TELEGRAM_TEXT_MAX long. */
export function telegramText(m: ChannelMessage, max = TELEGRAM_TEXT_MAX): string {
  const head = [bold(m.title), escapeHtml(m.when), escapeHtml(m.counts)].join('\n');
  const foot = openLine(m);
  const gap = '\n\n';
  const steps = stepsBlock(m, max - head.length - foot.length - 2 * gap.length);
  const text = [head, steps, foot].filter(Boolean).join(gap);
  // Only a title of thousands of characters gets here (names are capped long before): plain, cut.
  return text.length <= max ? text : (cutToFit(m.title, max) ?? '');
}
