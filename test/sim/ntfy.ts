// SPDX-License-Identifier: GPL-3.0-or-later
// An ntfy server stand-in that enforces the publish contract the ntfy channel relies on, as
// documented at https://docs.ntfy.sh/publish/ and implemented in binwiederhier/ntfy
// (server/server.go, server/util.go, server/errors.go):
// - `POST` or `PUT` to `/<topic>`, topic `^[-_A-Za-z0-9]{1,64}$` (server.go topicPathRegex);
//   anything else is 404 `{"code":40401,"http":404,"error":"page not found"}`.
// - Parameters in headers, names case-insensitive with ntfy's aliases ("List of all
//   parameters"): X-Title/Title/ti/t, X-Priority/Priority/prio/p (1-5 or min, low, default, high,
//   max, urgent; else 400 40007), X-Tags/Tags/Tag/ta (comma-separated), X-Click/Click,
//   X-Markdown/Markdown/md or `Content-Type: text/markdown`. Values may be RFC 2047 encoded-words
//   ("you may also encode any header … as RFC 2047"), decoded here by its own decoder. Stricter
//   than ntfy, on purpose: a header value must be visible ASCII (the docs warn that "not every
//   library or programming language" carries UTF-8 in headers), else 400.
// - Body: the message, UTF-8, at most 4,096 bytes ("Limitations": longer messages become
//   attachments); this server has no attachment cache, so it answers as ntfy then does:
//   400 `{"code":40014,…,"error":"invalid request: attachments not allowed"}`.
// - Access tokens (https://docs.ntfy.sh/publish/#access-tokens): `Authorization: Bearer tk_…`;
//   an unknown token is 401 40101, a token or anonymous user without write access 403 40301.
// - Scripted faults: 429 42901 (with or without Retry-After, which ntfy itself does not send
//   but a proxy may), 5xx, any status, or a hang that never answers.
// - A publish is answered 200 with the message as JSON (`{"id":…,"event":"message",…}`).
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export const NTFY_SIM_MESSAGE_MAX_BYTES = 4096;

/** One published message as ntfy would store it, plus what came on the wire. */
export interface NtfyMessage {
  id: string;
  topic: string;
  title: string | null;
  priority: number;
  tags: string[];
  click: string | null;
  markdown: boolean;
  message: string;
  /** The body's size on the wire, in bytes. */
  bytes: number;
  headers: Record<string, string>;
}

export type NtfyFault = { status: number; code?: number; error?: string; retryAfter?: string; text?: string } | 'hang';

export interface NtfySim {
  /** `http://127.0.0.1:<port>`; a topic URL is `${url}/<topic>`. */
  url: string;
  /** Accepted messages, in order. */
  messages: NtfyMessage[];
  /** Every request that came in, answered or not (method, path, status or 'hang'). */
  requests: { method: string; path: string; answer: number | 'hang' }[];
  /** The next answers, in order, before any check; when empty, the contract decides. */
  faults: NtfyFault[];
  /** Access tokens and the topics each may write; a topic listed in `protectedTopics` needs one. */
  tokens: Map<string, string[]>;
  protectedTopics: Set<string>;
  stop(): Promise<void>;
}

const TOPIC_PATH = /^\/([-_A-Za-z0-9]{1,64})$/;

const ALIASES = {
  title: ['x-title', 'title', 'ti', 't'],
  priority: ['x-priority', 'priority', 'prio', 'p'],
  tags: ['x-tags', 'tags', 'tag', 'ta'],
  click: ['x-click', 'click'],
  markdown: ['x-markdown', 'markdown', 'md'],
} as const;

const PRIORITIES: Record<string, number> = {
  '1': 1,
  min: 1,
  '2': 2,
  low: 2,
  '3': 3,
  default: 3,
  '4': 4,
  high: 4,
  '5': 5,
  max: 5,
  urgent: 5,
};

class Refusal extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** RFC 2047 §4: B (base64) and Q encoded-words in UTF-8; whitespace between two of them is dropped (§6.2). */
export function decodeRfc2047(value: string): string {
  const word = /=\?([^?\s]+)\?([BbQq])\?([^?\s]*)\?=/g;
  const decoded = value.replace(word, (_all, charset: string, enc: string, text: string) => {
    if (!/^utf-8$/i.test(charset)) throw new Refusal(400, 40000, `invalid request: charset ${charset}`);
    const bytes =
      enc.toUpperCase() === 'B'
        ? Buffer.from(text, 'base64')
        : Buffer.from(
            text
              .replace(/_/g, ' ')
              .replace(/=([0-9A-Fa-f]{2})/g, (_m, h: string) => String.fromCharCode(Number.parseInt(h, 16))),
            'latin1',
          );
    const out = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return `\u0000${out}\u0000`;
  });
  // Marks around each decoded word let the space between two adjacent words go.
  return decoded.replace(/\u0000\s+\u0000/g, '').replace(/\u0000/g, '');
}

function param(req: IncomingMessage, names: readonly string[]): string | null {
  for (const name of names) {
    const raw = req.headers[name];
    const value = Array.isArray(raw) ? raw[0] : raw;
    if (value === undefined) continue;
    if (!/^[\x20-\x7e]*$/.test(value)) throw new Refusal(400, 40000, `invalid request: header ${name} is not ASCII`);
    const text = decodeRfc2047(value).trim();
    if (text) return text;
  }
  return null;
}

function authorize(sim: NtfySim, req: IncomingMessage, topic: string): void {
  const auth = req.headers.authorization;
  if (auth !== undefined) {
    const m = /^Bearer (\S+)$/i.exec(auth);
    const topics = m ? sim.tokens.get(m[1]!) : undefined;
    if (!topics) throw new Refusal(401, 40101, 'unauthorized');
    if (!topics.includes(topic)) throw new Refusal(403, 40301, 'forbidden');
    return;
  }
  if (sim.protectedTopics.has(topic)) throw new Refusal(403, 40301, 'forbidden');
}

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function publish(sim: NtfySim, req: IncomingMessage, topic: string, body: Buffer): NtfyMessage {
  authorize(sim, req, topic);
  const prio = param(req, ALIASES.priority);
  const priority = prio === null ? 3 : PRIORITIES[prio.toLowerCase()];
  if (priority === undefined) throw new Refusal(400, 40007, 'invalid priority parameter');
  if (body.length > NTFY_SIM_MESSAGE_MAX_BYTES)
    throw new Refusal(400, 40014, 'invalid request: attachments not allowed');
  let message: string;
  try {
    message = new TextDecoder('utf-8', { fatal: true }).decode(body);
  } catch {
    throw new Refusal(400, 40014, 'invalid request: attachments not allowed');
  }
  const md = param(req, ALIASES.markdown);
  const markdown =
    ['true', '1', 'yes'].includes((md ?? '').toLowerCase()) ||
    /^text\/markdown/i.test(req.headers['content-type'] ?? '');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (typeof v === 'string') headers[k] = v;
  return {
    id: `m${String(sim.messages.length + 1).padStart(11, '0')}`,
    topic,
    title: param(req, ALIASES.title),
    priority,
    tags: (param(req, ALIASES.tags) ?? '')
      .split(',')
      .map((t) => t.trim())
      .filter(Boolean),
    click: param(req, ALIASES.click),
    markdown,
    message: message.trim(),
    bytes: body.length,
    headers,
  };
}

function answerJson(res: ServerResponse, status: number, value: unknown, extra: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...extra });
  res.end(`${JSON.stringify(value)}\n`);
}

function refuse(res: ServerResponse, r: Refusal): void {
  answerJson(res, r.status, { code: r.code, http: r.status, error: r.message, link: 'https://ntfy.sh/docs/publish/' });
}

async function handle(sim: NtfySim, req: IncomingMessage, res: ServerResponse): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://sim').pathname;
  const body = await readBody(req);
  const log = { method: req.method ?? '', path, answer: 0 as number | 'hang' };
  sim.requests.push(log);
  const fault = sim.faults.shift();
  if (fault === 'hang') {
    log.answer = 'hang';
    return; // never answered: the client's signal has to end it
  }
  if (fault) {
    log.answer = fault.status;
    const extra = fault.retryAfter ? { 'retry-after': fault.retryAfter } : undefined;
    if (fault.text !== undefined) {
      res.writeHead(fault.status, { 'content-type': 'text/html', ...extra });
      return void res.end(fault.text);
    }
    const error = fault.error ?? (fault.status === 429 ? 'limit reached: too many requests' : 'internal server error');
    return answerJson(
      res,
      fault.status,
      { code: fault.code ?? fault.status * 100 + 1, http: fault.status, error },
      extra,
    );
  }
  const topic = TOPIC_PATH.exec(path)?.[1];
  try {
    if (!topic || (req.method !== 'POST' && req.method !== 'PUT')) throw new Refusal(404, 40401, 'page not found');
    const m = publish(sim, req, topic, body);
    sim.messages.push(m);
    log.answer = 200;
    answerJson(res, 200, {
      id: m.id,
      time: Math.floor(Date.now() / 1000),
      event: 'message',
      topic,
      title: m.title ?? undefined,
      message: m.message,
      priority: m.priority,
      tags: m.tags.length ? m.tags : undefined,
      click: m.click ?? undefined,
    });
  } catch (err) {
    const r = err instanceof Refusal ? err : new Refusal(400, 40000, 'invalid request');
    log.answer = r.status;
    refuse(res, r);
  }
}

export async function startNtfy(): Promise<NtfySim> {
  const sim: NtfySim = {
    url: '',
    messages: [],
    requests: [],
    faults: [],
    tokens: new Map(),
    protectedTopics: new Set(),
    stop: async () => {},
  };
  const server: Server = createServer((req, res) => {
    handle(sim, req, res).catch(() => {
      if (!res.headersSent) refuse(res, new Refusal(500, 50001, 'internal server error'));
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  sim.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  sim.stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    });
  return sim;
}
