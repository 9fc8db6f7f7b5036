// SPDX-License-Identifier: GPL-3.0-or-later
// The receiver's small HTTP contract: POST /alert (JSON only, size-limited, optional bearer
// token), GET /healthz, plus two helpers for the module's actions. No business logic here:
// accepted alerts go to the run tracker, which works asynchronously, so the answer is fast.
//
// Plain node:http, no framework: four fixed routes do not need a router, and express with its
// body parser cost more than half of the CPU time per webhook and ~10 MB of RSS (bench/run.ts,
// issue #10). The body rules are express.json's: JSON objects or arrays only, UTF-8, a size limit.
import http, { type IncomingMessage, type ServerResponse, type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import { parseAlertWebhook } from '../domain/alert.js';
import { SETTINGS, isEmail } from '../settings.js';
import type { Secret } from '../secret.js';
import type { Logger } from '../log.js';
import type { RunSink } from './types.js';
import { readLimited } from '../http-body.js';

export interface Health {
  ok: boolean;
  links: Record<string, { ok: boolean; error: string | null }>;
}

export interface TestMailResult {
  ok: boolean;
  status: number;
  body: Record<string, unknown>;
}

export interface WebhookDeps {
  sink: RunSink;
  log: Logger;
  token: Secret | null;
  bodyLimitBytes: number;
  health(): Promise<Health>;
  /** `digest`: a sample digest instead of the plain test message (issue #14). */
  sendTestMail(to: string[] | undefined, digest?: boolean): Promise<TestMailResult>;
  alertmanagerConfig(): { yaml: string; url: string };
}

/** At most as many test recipients as the settings allow for mail_to. */
const MAX_TEST_RECIPIENTS = SETTINGS.find((s) => s.name === 'mail_to')?.maxItems ?? 50;

class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

const sameSecret = (given: string, want: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
};

const send = (res: ServerResponse, status: number, body: unknown) => {
  const data = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(data),
  });
  res.end(data);
};

/** The body as JSON, by express.json's rules (strict, UTF-8 only, no compression, size-limited). */
async function readJson(req: IncomingMessage, limit: number): Promise<unknown> {
  const [type, ...params] = (req.headers['content-type'] ?? '').split(';').map((p) => p.trim().toLowerCase());
  if (type !== 'application/json') throw new HttpError(415, 'content type must be application/json');
  const charset = params
    .find((p) => p.startsWith('charset='))
    ?.slice(8)
    .replace(/^"|"$/g, '');
  if (charset !== undefined && charset !== 'utf-8' && charset !== 'utf8')
    throw new HttpError(415, `unsupported charset "${charset.slice(0, 40).toUpperCase()}"`);
  const encoding = (req.headers['content-encoding'] ?? 'identity').toLowerCase();
  if (encoding !== 'identity') throw new HttpError(415, `unsupported content encoding "${encoding.slice(0, 40)}"`);
  const tooLarge = () => new HttpError(413, `body larger than ${limit} bytes`);
  if (Number(req.headers['content-length'] ?? 0) > limit) throw tooLarge();
  // Past the limit the rest is left to node's http server, which discards it once the 413 is sent.
  const text = (await readLimited(req, limit, tooLarge)).toString('utf8');
  if (text.trim() === '') return {};
  if (!/^\s*[{[]/.test(text)) throw new HttpError(400, 'body is not valid JSON');
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new HttpError(400, 'body is not valid JSON');
  }
}

export interface Receiver {
  handle(req: IncomingMessage, res: ServerResponse): void;
  /** Listening, or a clear error (`cannot listen on host:port: address already in use`). */
  listen(port: number, host: string): Promise<Server>;
}

export function createApp(deps: WebhookDeps): Receiver {
  const authorized = (req: IncomingMessage): boolean => {
    if (!deps.token) return true;
    const h = req.headers.authorization ?? '';
    return h.startsWith('Bearer ') && sameSecret(h.slice(7), deps.token.reveal());
  };

  const alert = async (req: IncomingMessage, res: ServerResponse) => {
    const parsed = parseAlertWebhook(await readJson(req, deps.bodyLimitBytes), 'webhook');
    if (!parsed.ok) {
      deps.log.warning('webhook rejected', { problems: parsed.problems.join('; ').slice(0, 500) });
      send(res, 400, { error: 'invalid Alertmanager payload', problems: parsed.problems });
      return;
    }
    if (parsed.alerts.length === 0) {
      send(res, 422, { error: 'no backup alert in the payload', ignored: parsed.ignored });
      return;
    }
    deps.log.info('webhook accepted', { alerts: parsed.alerts.length, ignored: parsed.ignored });
    for (const a of parsed.alerts) deps.sink.alert(a);
    send(res, 202, { accepted: parsed.alerts.length, ignored: parsed.ignored });
  };

  const testNotification = async (req: IncomingMessage, res: ServerResponse) => {
    const body = (await readJson(req, deps.bodyLimitBytes)) as { to?: unknown; kind?: unknown } | null;
    const invalid = (error: string) => send(res, 400, { ok: false, code: 'INVALID_INPUT', error });
    const to = body?.to;
    if (to !== undefined) {
      if (!Array.isArray(to) || to.some((t: unknown) => typeof t !== 'string')) {
        invalid('to: must be a list of email addresses');
        return;
      }
      if (to.length === 0 || to.length > MAX_TEST_RECIPIENTS) {
        invalid(`to: must list 1 to ${MAX_TEST_RECIPIENTS} addresses`);
        return;
      }
      const bad = (to as string[]).findIndex((t) => !isEmail(t));
      if (bad >= 0) {
        invalid(`to[${bad}]: not a valid email address`);
        return;
      }
    }
    const kind = body?.kind ?? 'message';
    if (kind !== 'message' && kind !== 'digest') {
      invalid('kind: must be message or digest');
      return;
    }
    const r = await deps.sendTestMail(to as string[] | undefined, kind === 'digest');
    send(res, r.status, r.body);
  };

  const route = async (req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?', 1)[0]!.replace(/(.)\/$/, '$1');
    const get = req.method === 'GET' || req.method === 'HEAD';
    if (path === '/healthz' && get) {
      const h = await deps.health();
      send(res, h.ok ? 200 : 503, h);
      return;
    }
    if (path === '/alertmanager-config' && get) {
      send(res, 200, deps.alertmanagerConfig());
      return;
    }
    const post =
      req.method === 'POST' && (path === '/alert' ? alert : path === '/test-notification' ? testNotification : null);
    if (!post) {
      send(res, 404, { error: 'not found' });
      return;
    }
    if (!authorized(req)) {
      send(res, 401, { error: 'missing or wrong bearer token' });
      return;
    }
    await post(req, res);
  };

  const handle = (req: IncomingMessage, res: ServerResponse) => {
    route(req, res).catch((err: Error) => {
      const status = err instanceof HttpError ? err.status : 500;
      if (status === 500) deps.log.error('request failed', { error: err.message });
      // What is left of a refused body is not read: the connection closes after the answer.
      if (!req.readableEnded) res.setHeader('connection', 'close');
      if (!res.headersSent) send(res, status, { error: status === 500 ? 'internal error' : err.message });
      else res.destroy();
    });
  };

  return {
    handle,
    listen: (port, host) =>
      new Promise<Server>((resolve, reject) => {
        const server = http.createServer(handle);
        server.once('error', (err: NodeJS.ErrnoException) => {
          const why =
            err.code === 'EADDRINUSE'
              ? 'address already in use'
              : err.code === 'EACCES'
                ? 'permission denied'
                : err.message;
          reject(new Error(`cannot listen on ${host}:${port}: ${why}`, { cause: err }));
        });
        server.listen(port, host, () => resolve(server));
      }),
  };
}
