// SPDX-License-Identifier: GPL-3.0-or-later
// A Telegram Bot API stand-in for `sendMessage`, enforcing the documented contract the channel
// relies on (src/channels/telegram/):
// - https://core.telegram.org/bots/api#making-requests: `POST https://api.telegram.org/bot<token>/METHOD_NAME`
//   (method names are case-insensitive), parameters as application/json; every answer is a JSON
//   object with `ok`, and on failure `error_code`, `description` and optional `parameters`
//   (https://core.telegram.org/bots/api#responseparameters: `retry_after` seconds on 429 "Too Many
//   Requests: retry after N", `migrate_to_chat_id` when a group became a supergroup). A wrong
//   token is 401 "Unauthorized", an unknown method 404 "Not Found", an unknown chat 400 "Bad
//   Request: chat not found", a user who blocked the bot 403 "Forbidden: bot was blocked by the user".
// - https://core.telegram.org/bots/api#sendmessage: `chat_id` (Integer or String), `text` of
//   1-4096 characters after entities parsing ("Bad Request: message is too long" / "message text
//   is empty"), `parse_mode`, `link_preview_options` (https://core.telegram.org/bots/api#linkpreviewoptions).
// - https://core.telegram.org/bots/api#html-style: only the listed tags (b, strong, i, em, u, ins,
//   s, strike, del, span class="tg-spoiler", tg-spoiler, a href, tg-emoji emoji-id, code, pre,
//   blockquote [expandable]); every <, > and & that is not part of a tag or an entity must be
//   &lt; &gt; &amp;; numeric entities and only the named &lt; &gt; &amp; &quot; are supported.
//   Tags must be closed in order. Errors read "Bad Request: can't parse entities: …".
// - A request larger than the front proxy takes is 413 with an HTML page (nginx), not JSON.
// Faults are scripted per request: a status with a Telegram body, a bare 5xx page, or a hang.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** What Telegram counts: the text after entities parsing, in UTF-16 code units. */
export interface SentMessage {
  chatId: string;
  /** The text as sent, markup included. */
  html: string;
  /** The text the chat shows: tags removed, entities decoded. */
  shown: string;
  /** The tags used, in order (`b`, `a`…), and the links. */
  tags: string[];
  links: string[];
  linkPreviewDisabled: boolean;
}

export type ScriptedAnswer =
  | { status: number; description?: string; retryAfterS?: number; retryAfterHeader?: string; migrateTo?: number }
  /** A proxy's own page, not the Bot API's JSON (502 Bad Gateway, 413). */
  | { status: number; page: string }
  /** Echo the request path in the description: a server that repeats what it got (redaction tests). */
  | 'echo-path'
  | 'hang';

export interface TelegramSim {
  /** The apiUrl to give the channel. */
  url: string;
  token: string;
  /** Chats the bot may write to; anything else is "chat not found". */
  chats: Set<string>;
  /** Chats whose user blocked the bot (403). */
  blocked: Set<string>;
  /** The next answers, in order; when empty, the contract decides. */
  script: ScriptedAnswer[];
  /** Messages accepted. */
  sent: SentMessage[];
  /** Every request's answer status (also refusals), in order. */
  statuses: number[];
  /** Requests hanging now. */
  hanging: number;
  stop(): Promise<void>;
}

const TEXT_MAX = 4096;
const BODY_MAX_BYTES = 1024 * 1024;

/** Tags Telegram's HTML mode accepts, with the attribute each needs (if any). */
const TAGS: Record<string, { required?: string; allowed: string[] }> = {
  b: { allowed: [] },
  strong: { allowed: [] },
  i: { allowed: [] },
  em: { allowed: [] },
  u: { allowed: [] },
  ins: { allowed: [] },
  s: { allowed: [] },
  strike: { allowed: [] },
  del: { allowed: [] },
  'tg-spoiler': { allowed: [] },
  span: { required: 'class', allowed: ['class'] },
  a: { required: 'href', allowed: ['href'] },
  'tg-emoji': { required: 'emoji-id', allowed: ['emoji-id'] },
  code: { allowed: ['class'] },
  pre: { allowed: [] },
  blockquote: { allowed: ['expandable'] },
};

class ParseError extends Error {}

const byteOffset = (html: string, at: number) => Buffer.byteLength(html.slice(0, at));

function decodeEntity(name: string): string | null {
  const named: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"' };
  if (name in named) return named[name]!;
  const num = /^#(\d+)$/.exec(name)?.[1] ?? null;
  const hex = /^#x([0-9a-f]+)$/i.exec(name)?.[1] ?? null;
  const code = num !== null ? Number(num) : hex !== null ? Number.parseInt(hex, 16) : Number.NaN;
  return Number.isInteger(code) && code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : null;
}

function decodeText(raw: string, html: string, base: number): string {
  let out = '';
  for (let i = 0; i < raw.length; i++) {
    const c = raw[i]!;
    if (c === '>') throw new ParseError(`Unexpected end tag at byte offset ${byteOffset(html, base + i)}`);
    if (c !== '&') {
      out += c;
      continue;
    }
    const m = /^&([a-z]+|#\d+|#x[0-9a-f]+);/i.exec(raw.slice(i));
    const decoded = m ? decodeEntity(m[1]!) : null;
    if (decoded === null)
      throw new ParseError(`Can't find end of the entity starting at byte offset ${byteOffset(html, base + i)}`);
    out += decoded;
    i += m![0].length - 1;
  }
  return out;
}

/** Telegram's HTML parse mode, strictly: the shown text, the tags and the links, or a ParseError. */
export function parseTelegramHtml(html: string): { shown: string; tags: string[]; links: string[] } {
  const open: string[] = [];
  const tags: string[] = [];
  const links: string[] = [];
  let shown = '';
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    const textEnd = lt < 0 ? html.length : lt;
    shown += decodeText(html.slice(i, textEnd), html, i);
    if (lt < 0) break;
    const gt = html.indexOf('>', lt);
    if (gt < 0) throw new ParseError(`Can't find end of the tag starting at byte offset ${byteOffset(html, lt)}`);
    const inner = html.slice(lt + 1, gt);
    const closing = inner.startsWith('/');
    const name = /^\/?([a-z][a-z0-9-]*)/i.exec(inner)?.[1]?.toLowerCase();
    if (!name || !(name in TAGS))
      throw new ParseError(`Unsupported start tag "${name ?? inner}" at byte offset ${byteOffset(html, lt)}`);
    if (closing) {
      if (open.pop() !== name)
        throw new ParseError(
          `Can't find end tag corresponding to start tag "${name}" at byte offset ${byteOffset(html, lt)}`,
        );
    } else {
      const attrs = attributesOf(inner.slice(name.length), html, lt);
      const rule = TAGS[name]!;
      for (const a of Object.keys(attrs))
        if (!rule.allowed.includes(a)) throw new ParseError(`Unsupported attribute "${a}" of tag "${name}"`);
      if (rule.required && !attrs[rule.required])
        throw new ParseError(`Tag "${name}" must have attribute ${rule.required}`);
      if (name === 'a') links.push(attrs.href!);
      open.push(name);
      tags.push(name);
    }
    i = gt + 1;
  }
  if (open.length) throw new ParseError(`Can't find end tag corresponding to start tag "${open.at(-1)}"`);
  return { shown, tags, links };
}

function attributesOf(text: string, html: string, at: number): Record<string, string> {
  const out: Record<string, string> = {};
  const re = /\s+([a-z][a-z-]*)(?:="([^"]*)"|='([^']*)')?/giy;
  let m: RegExpExecArray | null;
  let end = 0;
  while ((m = re.exec(text))) {
    out[m[1]!.toLowerCase()] = decodeText(m[2] ?? m[3] ?? '', html, at);
    end = re.lastIndex;
  }
  if (text.slice(end).trim()) throw new ParseError(`Can't parse attributes at byte offset ${byteOffset(html, at)}`);
  return out;
}

function answer(
  res: ServerResponse,
  status: number,
  description?: string,
  parameters?: Record<string, number>,
  headers = {},
) {
  const body =
    status < 300
      ? { ok: true, result: description }
      : { ok: false, error_code: status, description, ...(parameters && { parameters }) };
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(JSON.stringify(body));
}

function readBody(req: IncomingMessage): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size <= BODY_MAX_BYTES) chunks.push(c);
    });
    req.on('end', () => resolve(size > BODY_MAX_BYTES ? null : Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

/** The sendMessage contract once the path and token are right. */
function sendMessage(sim: TelegramSim, body: Record<string, unknown>, res: ServerResponse) {
  const chat = body.chat_id;
  if (typeof chat !== 'string' && !Number.isInteger(chat)) return answer(res, 400, 'Bad Request: chat_id is empty');
  const chatId = String(chat);
  if (typeof body.text !== 'string' || !body.text.trim()) return answer(res, 400, 'Bad Request: message text is empty');
  if (body.parse_mode !== 'HTML') return answer(res, 400, 'Bad Request: this simulator checks parse_mode HTML only');
  const lpo = body.link_preview_options as { is_disabled?: unknown } | undefined;
  if (
    lpo !== undefined &&
    (typeof lpo !== 'object' || (lpo.is_disabled !== undefined && typeof lpo.is_disabled !== 'boolean'))
  )
    return answer(res, 400, "Bad Request: can't parse link preview options");
  let parsed: ReturnType<typeof parseTelegramHtml>;
  try {
    parsed = parseTelegramHtml(body.text);
  } catch (err) {
    if (!(err instanceof ParseError)) throw err;
    return answer(res, 400, `Bad Request: can't parse entities: ${err.message}`);
  }
  if (parsed.shown.length > TEXT_MAX) return answer(res, 400, 'Bad Request: message is too long');
  if (!sim.chats.has(chatId)) return answer(res, 400, 'Bad Request: chat not found');
  if (sim.blocked.has(chatId)) return answer(res, 403, 'Forbidden: bot was blocked by the user');
  sim.sent.push({ chatId, html: body.text, ...parsed, linkPreviewDisabled: lpo?.is_disabled === true });
  answer(res, 200, undefined);
}

function scripted(s: Exclude<ScriptedAnswer, 'hang'>, req: IncomingMessage, res: ServerResponse) {
  if (s === 'echo-path') return answer(res, 400, `Bad Request: no such thing at ${req.url}`);
  if ('page' in s) return void res.writeHead(s.status, { 'content-type': 'text/html' }).end(s.page);
  const params = {
    ...(s.retryAfterS !== undefined && { retry_after: s.retryAfterS }),
    ...(s.migrateTo !== undefined && { migrate_to_chat_id: s.migrateTo }),
  };
  const headers = s.retryAfterHeader ? { 'retry-after': s.retryAfterHeader } : {};
  answer(res, s.status, s.description ?? 'Scripted', Object.keys(params).length ? params : undefined, headers);
}

async function handle(sim: TelegramSim, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const body = await readBody(req);
  const next = sim.script.shift();
  if (next === 'hang') {
    sim.hanging++;
    res.on('close', () => sim.hanging--);
    return;
  }
  if (body === null)
    return void res
      .writeHead(413, { 'content-type': 'text/html' })
      .end('<html><body>413 Request Entity Too Large</body></html>');
  if (next) return scripted(next, req, res);
  const m = /^\/bot([^/]*)\/([A-Za-z]+)$/.exec(new URL(req.url ?? '/', 'http://x').pathname);
  if (!m) return answer(res, 404, 'Not Found');
  if (m[1] !== sim.token) return answer(res, 401, 'Unauthorized');
  if (m[2]!.toLowerCase() !== 'sendmessage') return answer(res, 404, 'Not Found: method not found');
  if (req.method !== 'POST') return answer(res, 400, 'Bad Request: this simulator takes POST only');
  if (!/^application\/json\b/.test(req.headers['content-type'] ?? ''))
    return answer(res, 400, 'Bad Request: message text is empty'); // what Telegram says when it reads no parameters
  let parsed: unknown;
  try {
    parsed = JSON.parse(body.toString('utf8'));
  } catch {
    return answer(res, 400, 'Bad Request: message text is empty');
  }
  if (!parsed || typeof parsed !== 'object') return answer(res, 400, 'Bad Request: message text is empty');
  sendMessage(sim, parsed as Record<string, unknown>, res);
}

export async function startTelegramSim(token = '123456789:AAFakeTokenForTheSimulator_x-Y'): Promise<TelegramSim> {
  let server: Server;
  const sim: TelegramSim = {
    url: '',
    token,
    chats: new Set(['-1001234567890']),
    blocked: new Set(),
    script: [],
    sent: [],
    statuses: [],
    hanging: 0,
    stop: async () => {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  server = createServer((req, res) => {
    res.on('finish', () => sim.statuses.push(res.statusCode));
    handle(sim, req, res).catch(() => res.writeHead(500).end());
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return sim;
}
