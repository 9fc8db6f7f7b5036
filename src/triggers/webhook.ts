// SPDX-License-Identifier: GPL-3.0-or-later
// The receiver's small HTTP contract: POST /alert (JSON only, size-limited, optional bearer
// token), GET /healthz, plus two helpers for the module's actions. No business logic here:
// accepted alerts go to the run tracker, which works asynchronously, so the answer is fast.
import express, { type Request, type Response, type NextFunction } from 'express';
import { timingSafeEqual } from 'node:crypto';
import { parseAlertWebhook } from '../domain/alert.js';
import type { Secret } from '../secret.js';
import type { Logger } from '../log.js';
import type { RunSink } from './types.js';

export interface Health { ok: boolean; links: Record<string, { ok: boolean; error: string | null }> }

export interface TestMailResult { ok: boolean; status: number; body: Record<string, unknown> }

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

const sameSecret = (given: string, want: string) => {
  const a = Buffer.from(given); const b = Buffer.from(want);
  return a.length === b.length && timingSafeEqual(a, b);
};

export function createApp(deps: WebhookDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  const auth = (req: Request, res: Response, next: NextFunction) => {
    if (!deps.token) return next();
    const h = req.get('authorization') ?? '';
    if (h.startsWith('Bearer ') && sameSecret(h.slice(7), deps.token.reveal())) return next();
    res.status(401).json({ error: 'missing or wrong bearer token' });
  };
  const jsonOnly = (req: Request, res: Response, next: NextFunction) => {
    if (!req.is('application/json')) { res.status(415).json({ error: 'content type must be application/json' }); return; }
    next();
  };
  const json = express.json({ limit: deps.bodyLimitBytes, strict: true });

  app.get('/healthz', async (_req, res) => {
    const h = await deps.health();
    res.status(h.ok ? 200 : 503).json(h);
  });

  app.post('/alert', auth, jsonOnly, json, (req, res) => {
    const parsed = parseAlertWebhook(req.body, 'webhook');
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
  });

  app.post('/test-notification', auth, jsonOnly, json, async (req, res) => {
    const to = req.body?.to;
    if (to !== undefined && (!Array.isArray(to) || to.some((t: unknown) => typeof t !== 'string'))) {
      res.status(400).json({ ok: false, code: 'INVALID_INPUT', error: 'to: must be a list of email addresses' });
      return;
    }
    const kind = req.body?.kind ?? 'message';
    if (kind !== 'message' && kind !== 'digest') {
      res.status(400).json({ ok: false, code: 'INVALID_INPUT', error: 'kind: must be message or digest' });
      return;
    }
    const r = await deps.sendTestMail(to, kind === 'digest');
    res.status(r.status).json(r.body);
  });

  app.get('/alertmanager-config', (_req, res) => { res.json(deps.alertmanagerConfig()); });

  app.use((_req: Request, res: Response) => { res.status(404).json({ error: 'not found' }); });
  // Body-parser errors (bad JSON, too large) carry a status; anything else is ours: 500.
  app.use((err: Error & { status?: number; type?: string }, _req: Request, res: Response, _next: NextFunction) => {
    const status = err.status && err.status >= 400 && err.status < 500 ? err.status : 500;
    const error = err.type === 'entity.too.large' ? `body larger than ${deps.bodyLimitBytes} bytes`
      : err.type === 'entity.parse.failed' ? 'body is not valid JSON' : status === 500 ? 'internal error' : err.message;
    if (status === 500) deps.log.error('request failed', { error: err.message });
    res.status(status).json({ error });
  });
  return app;
}
