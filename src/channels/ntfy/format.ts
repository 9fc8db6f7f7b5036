// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: the channel message (report/channel-message.ts) as one ntfy publish request
// (https://docs.ntfy.sh/publish/): the body as PLAIN TEXT (Markdown is rendered by the web app
// only, https://docs.ntfy.sh/publish/#markdown-formatting, and a phone would show `**` and `\_`
// literally), so nothing in a plan or application name is markup and nothing needs escaping but
// control characters. The title, priority, tags and click action are headers:
// - X-Title: always an RFC 2047 encoded-word (base64), which ntfy decodes in every header
//   (https://docs.ntfy.sh/publish/#list-of-all-parameters): the title has an emoji and names
//   that may be any script, and Node sends header values as Latin-1; encoding every title also
//   keeps a plan named `=?UTF-8?B?…?=` from being decoded into something else.
// - X-Priority by tone: failure `high` (4), warning `default` (3), success `low` (2)
//   (https://docs.ntfy.sh/publish/#message-priority). The `X-` names: Cloudflare adds its own
//   RFC 9218 `Priority` header, which ntfy has to guess around (server/util.go).
// - X-Tags: the emoji shortcode of the state (https://docs.ntfy.sh/emojis/). ntfy puts that
//   emoji before the title, so the title's own emoji is left out (the phone shows it once).
// - X-Click: the plan's link when the cluster-admin address is known
//   (https://docs.ntfy.sh/publish/#click-action).
// A message "can be up to 4,096 bytes long. Longer messages are treated as attachments"
// (https://docs.ntfy.sh/publish/#limitations): the body stays within that, the steps are cut to
// fit with "…", never the title.
import type { ChannelMessage } from '../../report/channel-message.js';

/** ntfy's default message-size-limit (server/config.go DefaultMessageSizeLimit), in UTF-8 bytes. */
export const NTFY_MESSAGE_MAX_BYTES = 4096;

const CUT = '…';

/** The state's emoji as ntfy's shortcode and as the title's first characters. */
interface StateMark {
  tag: string;
  emoji: string;
}

const MARKS = {
  cross: { tag: 'x', emoji: '❌' },
  warning: { tag: 'warning', emoji: '⚠️' },
  clock: { tag: 'alarm_clock', emoji: '⏰' },
  check: { tag: 'white_check_mark', emoji: '✅' },
} satisfies Record<string, StateMark>;

/** The same emoji as the mail subject's state (report/strings.ts subjectState). */
function markOf(m: ChannelMessage): StateMark {
  if (m.reason === 'recovered' || m.outcome === 'SUCCESS') return MARKS.check;
  if (m.outcome === 'MISSING') return MARKS.clock;
  if (m.outcome === 'REPO_FAILURE') return MARKS.cross;
  return MARKS.warning;
}

const PRIORITY: Record<ChannelMessage['tone'], string> = { failure: 'high', warning: 'default', success: 'low' };

export interface NtfyRequest {
  headers: Record<string, string>;
  body: Buffer;
}

/**
 * Plain text as ntfy shows it: no control characters but the line break, no bidi controls (names
 * are already isolated by report/format.ts; this keeps any other one from reordering a line).
 */
export const plainText = (text: string): string =>
  text.replace(/\r\n?/g, '\n').replace(/[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\u2028\u2029]/g, ' ');

/** One header line: no CR/LF or other control characters (no header injection). */
const oneLine = (text: string): string => plainText(text).replace(/\s+/g, ' ').trim();

/**
 * RFC 2047 §2 encoded-words (`=?UTF-8?B?…?=`), each at most 75 characters and of whole
 * characters (§5: a word never splits a multi-byte character), separated by a space, which a
 * decoder drops between adjacent encoded-words (§6.2). HTTP has no line folding: one line.
 */
export function encodedWords(text: string): string {
  const words: string[] = [];
  let chunk = '';
  for (const ch of text) {
    // 45 bytes are 60 base64 characters: with `=?UTF-8?B?` and `?=`, 72 ≤ 75.
    if (Buffer.byteLength(chunk + ch) > 45) {
      words.push(chunk);
      chunk = '';
    }
    chunk += ch;
  }
  if (chunk || !words.length) words.push(chunk);
  return words.map((w) => `=?UTF-8?B?${Buffer.from(w, 'utf8').toString('base64')}?=`).join(' ');
}

/** The title without the state's emoji at its head, which ntfy puts back from the tag. */
function titleWithout(mark: StateMark, title: string): string {
  const head = `${mark.emoji} `;
  return title.startsWith(head) ? title.slice(head.length) : title;
}

/** The longest head of `text`, in whole code points, whose UTF-8 form with "…" fits `bytes`. */
export function cutToBytes(text: string, bytes: number): string {
  if (Buffer.byteLength(text) <= bytes) return text;
  const room = bytes - Buffer.byteLength(CUT);
  let out = '';
  let used = 0;
  for (const ch of text) {
    const size = Buffer.byteLength(ch);
    if (used + size > room) break;
    out += ch;
    used += size;
  }
  return room > 0 ? `${out.trimEnd()}${CUT}` : '';
}

/** The steps block ("What to do:" and one line per step), or '' when there is none. */
function stepsBlock(m: ChannelMessage): string {
  if (!m.steps.length) return '';
  return [`${m.stepsTitle}:`, ...m.steps.map((s) => `• ${s}`)].join('\n');
}

/** The lines after the steps: counts, when, and the link or where to open the plan. */
function tailBlock(m: ChannelMessage): string {
  return [m.counts, m.when, `${m.openLabel}: ${m.link ?? m.open}`].join('\n');
}

/** The body within `maxBytes`: the steps are cut first (with "…"); the tail only if it alone is too long. */
export function ntfyBody(m: ChannelMessage, maxBytes = NTFY_MESSAGE_MAX_BYTES): string {
  const tail = plainText(tailBlock(m));
  const steps = plainText(stepsBlock(m));
  if (!steps) return cutToBytes(tail, maxBytes);
  const full = `${steps}\n\n${tail}`;
  if (Buffer.byteLength(full) <= maxBytes) return full;
  const room = maxBytes - Buffer.byteLength(`\n\n${tail}`);
  const cut = cutToBytes(steps, room);
  return cut ? `${cut}\n\n${tail}` : cutToBytes(tail, maxBytes);
}

/** The publish request for one message: headers (ASCII only) and the plain-text body. */
export function ntfyRequest(m: ChannelMessage, maxBytes = NTFY_MESSAGE_MAX_BYTES): NtfyRequest {
  const mark = markOf(m);
  const headers: Record<string, string> = {
    'content-type': 'text/plain; charset=utf-8',
    'x-title': encodedWords(oneLine(titleWithout(mark, m.title))),
    'x-priority': PRIORITY[m.tone],
    'x-tags': mark.tag,
  };
  // planLink() builds it with URL: ASCII, percent-encoded; checked again, as a header must be.
  if (m.link && /^https?:\/\/[\x21-\x7e]+$/.test(m.link)) headers['x-click'] = m.link;
  return { headers, body: Buffer.from(ntfyBody(m, maxBytes), 'utf8') };
}
