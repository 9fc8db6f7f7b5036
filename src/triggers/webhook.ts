// SPDX-License-Identifier: GPL-3.0-or-later
// The receiver's small HTTP contract: POST /alert (JSON only, size-limited, optional bearer
// token), GET /healthz, plus two helpers for the module's actions. No business logic here:
// accepted alerts go to the run tracker, which works asynchronously, so the answer is fast.
//
// An express 5 app (the product card's stack) with its own JSON body reader (src/http-body.ts):
// express.json drains a body over the limit before it answers, so an endless one never got its 413.
import http, { type Server } from 'node:http';
import { timingSafeEqual } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import { parseAlertWebhook } from '../domain/alert.js';
import { SETTINGS, isEmail } from '../settings.js';
import type { Secret } from '../secret.js';
import type { Logger } from '../log.js';
import type { RunSink } from './types.js';
import { HttpError, readJsonBody } from '../http-body.js';

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
  /** Issue #22: a sample run report through one chat or push channel (`telegram`, `ntfy`…). */
  sendTestChannel?(channel: string): Promise<TestMailResult>;
  alertmanagerConfig(): { yaml: string; url: string };
}

/** At most as many test recipients as the settings allow for mail_to. */
const MAX_TEST_RECIPIENTS = SETTINGS.find((s) => s.name === 'mail_to')?.maxItems ?? 50;

const sameSecret = (given: string, want: string) => {
  const a = Buffer.from(given);
  const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
};

export interface Receiver {
  /** The routes, to mount on any server: createApp never listens (tests mount it on port 0). */
  app: Express;
  /** Listening, or a clear error (`cannot listen on host:port: address already in use`). */
  listen(port: number, host: string): Promise<Server>;
}

/** The listening server, or one line naming the address and why (the service exits with it). */
function listenOn(app: Express, port: number, host: string): Promise<Server> {
  return new Promise<Server>((resolve, reject) => {
    const server = http.createServer(app);
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
  });
}

export function createApp(deps: WebhookDeps): Receiver {
  const bearer = (req: Request, res: Response, next: NextFunction) => {
    const h = req.headers.authorization ?? '';
    if (!deps.token || (h.startsWith('Bearer ') && sameSecret(h.slice(7), deps.token.reveal()))) next();
    else res.status(401).json({ error: 'missing or wrong bearer token' });
  };

  const alert = async (req: Request, res: Response) => {
    const parsed = parseAlertWebhook(await readJsonBody(req, deps.bodyLimitBytes), 'webhook');
    if (!parsed.ok) {
      deps.log.warning('webhook rejected', { problems: parsed.problems.join('; ').slice(0, 500) });
      res.status(400).json({ error: 'invalid Alertmanager payload', problems: parsed.problems });
      return;
    }
    if (parsed.alerts.length === 0) {
      res.status(422).json({ error: 'no backup alert in the payload', ignored: parsed.ignored });
      return;
    }
    deps.log.info('webhook accepted', { alerts: parsed.alerts.length, ignored: parsed.ignored });
    for (const a of parsed.alerts) deps.sink.alert(a);
    res.status(202).json({ accepted: parsed.alerts.length, ignored: parsed.ignored });
  };

  const testNotification = async (req: Request, res: Response) => {
    const body = (await readJsonBody(req, deps.bodyLimitBytes)) as { to?: unknown; kind?: unknown } | null;
    const invalid = (error: string) => res.status(400).json({ ok: false, code: 'INVALID_INPUT', error });
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
    if (kind === 'channel' && deps.sendTestChannel) {
      const channel = (body as { channel?: unknown }).channel;
      if (typeof channel !== 'string' || !/^[a-z]{1,30}$/.test(channel)) {
        invalid('channel: must name a channel, such as telegram');
        return;
      }
      const r = await deps.sendTestChannel(channel);
      res.status(r.status).json(r.body);
      return;
    }
    if (kind !== 'message' && kind !== 'digest') {
      invalid('kind: must be message or digest');
      return;
    }
    const r = await deps.sendTestMail(to as string[] | undefined, kind === 'digest');
    res.status(r.status).json(r.body);
  };

  /** A refusal is its status and message; anything else is our bug: logged, answered 500. */
  const refuse = (err: Error, req: Request, res: Response, _next: NextFunction) => {
    const status = err instanceof HttpError ? err.status : 500;
    if (status === 500) deps.log.error('request failed', { error: err.message });
    // What is left of a refused body is not read: the connection closes after the answer.
    if (!req.readableEnded) res.setHeader('connection', 'close');
    if (!res.headersSent) res.status(status).json({ error: status === 500 ? 'internal error' : err.message });
    else res.destroy();
  };

  const app = express();
  app.disable('x-powered-by');
  app.disable('etag');
  app.enable('case sensitive routing'); // read when the first route is added: keep it first
  app.get('/healthz', async (_req, res) => {
    const h = await deps.health();
    res.status(h.ok ? 200 : 503).json(h);
  });
  app.get('/alertmanager-config', (_req, res) => {
    res.json(deps.alertmanagerConfig());
  });
  app.post('/alert', bearer, alert);
  app.post('/test-notification', bearer, testNotification);
  app.use((_req, res) => {
    res.status(404).json({ error: 'not found' });
  });
  app.use(refuse);
  return { app, listen: (port, host) => listenOn(app, port, host) };
}
