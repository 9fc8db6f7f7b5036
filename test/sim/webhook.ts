// SPDX-License-Identifier: GPL-3.0-or-later
// A webhook receiver that ENFORCES the signed webhook's contract (docs/WEBHOOK.md, schema
// docs/webhook/v1.schema.json) the way a careful consumer does, following the receivers' side of
// - Stripe, "Verify webhook signatures manually" (https://docs.stripe.com/webhooks#verify-manually):
//   HMAC-SHA256 of `<timestamp>.<raw body>`, constant-time comparison, a 5-minute tolerance;
// - GitHub, "Validating webhook deliveries" (https://docs.github.com/webhooks/using-webhooks/validating-webhook-deliveries):
//   verify the raw body before parsing it, a delivery id header per delivery;
// - Standard Webhooks 1.0 (https://github.com/standard-webhooks/standard-webhooks/blob/main/spec/standard-webhooks.md):
//   the id is the idempotency key and stays the same on retries; 2xx = delivered;
// - HTTP semantics (RFC 9110): 405 with Allow (§15.5.6), 413 Content Too Large (§15.5.14), 415
//   Unsupported Media Type (§15.5.16); 429 with Retry-After (RFC 6585 §4).
// So: POST only (405), one secret path (404 elsewhere), `Content-Type: application/json` (415),
// the body within `maxBodyBytes` (413, from Content-Length or while reading), the three headers
// present and well formed (400), a signature that matches within the tolerance (401), and a JSON
// object with `"version": 1` (400). A request that passes is recorded; then the scripted answer
// (a status with an optional Retry-After and body, or a hang) or 200.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type WebhookAnswer = { status: number; retryAfter?: string; body?: string } | 'hang';

export interface WebhookRequest {
  headers: IncomingMessage['headers'];
  /** The body exactly as received (what the signature covers). */
  raw: Buffer;
  doc: Record<string, unknown>;
}

export interface WebhookSim {
  /** The receiver's full address, with its secret path. */
  url: string;
  secret: string;
  maxBodyBytes: number;
  /** Next answers, in order, to requests that pass the contract; when empty, 200. */
  answers: WebhookAnswer[];
  /** Every request that passed the contract (whatever was answered). */
  received: WebhookRequest[];
  /** Delivery ids answered with a 2xx, in order (a retry of a delivered id appears twice). */
  delivered: string[];
  /** Refusals of the contract itself: status and why. */
  refused: { status: number; why: string }[];
  stop(): Promise<void>;
}

export interface WebhookSimOptions {
  secret?: string;
  path?: string;
  maxBodyBytes?: number;
  /** The receiver's clock (unix ms), for the timestamp tolerance; tests with a fake clock pass it. */
  nowMs?: () => number;
  toleranceS?: number;
}

const SIGNATURE = /^v1=[0-9a-f]{64}$/;

function verified(secret: string, timestamp: string, raw: Buffer, header: string): boolean {
  const expected = createHmac('sha256', secret).update(`${timestamp}.`).update(raw).digest();
  // Several `v1=` may come during a secret's rotation: any one that matches will do.
  return header.split(',').some((part) => {
    const given = Buffer.from(part.trim().slice(3), 'hex');
    return given.length === expected.length && timingSafeEqual(given, expected);
  });
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? v[0] : v);

/** The contract's checks on the headers: the refusal, or null when they pass. */
function headerProblem(req: IncomingMessage, path: string, max: number): [number, string] | null {
  if (new URL(req.url ?? '/', 'http://x').pathname !== path) return [404, 'unknown path'];
  if (req.method !== 'POST') return [405, 'POST only'];
  const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') return [415, `content type ${type || 'missing'}`];
  if (Number(req.headers['content-length'] ?? 0) > max) return [413, 'content-length over the limit'];
  const ts = one(req.headers['x-backup-monitor-timestamp']);
  const sig = one(req.headers['x-backup-monitor-signature']);
  const id = one(req.headers['x-backup-monitor-delivery']);
  if (!ts || !/^\d{1,12}$/.test(ts)) return [400, 'timestamp header missing or not unix seconds'];
  if (!sig || !sig.split(',').every((p) => SIGNATURE.test(p.trim())))
    return [400, 'signature header missing or malformed'];
  if (!id) return [400, 'delivery header missing'];
  return null;
}

/** The body, or null (and a 413 sent) when it grows past the limit. */
function readBody(req: IncomingMessage, max: number): Promise<Buffer | null> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > max) {
        req.removeAllListeners('data');
        req.resume();
        resolve(null);
      } else chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

export async function startWebhookSim(opts: WebhookSimOptions = {}): Promise<WebhookSim> {
  const path = opts.path ?? '/hooks/8c1f0a2b9d7e4c35b6a1f0e2d3c4b5a6';
  const now = opts.nowMs ?? Date.now;
  const toleranceS = opts.toleranceS ?? 300;
  const sockets = new Set<Socket>();
  const sim: WebhookSim = {
    url: '',
    secret: opts.secret ?? 'whsec-5d8e2f7a1c9b4e6d8f0a2c4e6b8d0f1a',
    maxBodyBytes: opts.maxBodyBytes ?? 64 * 1024,
    answers: [],
    received: [],
    delivered: [],
    refused: [],
    stop: async () => {},
  };
  const refuse = (res: ServerResponse, status: number, why: string) => {
    sim.refused.push({ status, why });
    res.writeHead(status, { 'content-type': 'application/json', ...(status === 405 && { allow: 'POST' }) });
    res.end(JSON.stringify({ error: why }));
  };
  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const problem = headerProblem(req, path, sim.maxBodyBytes);
    if (problem) {
      req.resume();
      return refuse(res, ...problem);
    }
    const raw = await readBody(req, sim.maxBodyBytes);
    if (raw === null) return refuse(res, 413, 'body over the limit');
    const ts = one(req.headers['x-backup-monitor-timestamp'])!;
    if (Math.abs(now() / 1000 - Number(ts)) > toleranceS) return refuse(res, 401, 'timestamp outside the tolerance');
    if (!verified(sim.secret, ts, raw, one(req.headers['x-backup-monitor-signature'])!))
      return refuse(res, 401, 'signature does not match');
    let doc: unknown;
    try {
      doc = JSON.parse(raw.toString('utf8'));
    } catch {
      return refuse(res, 400, 'body is not JSON');
    }
    if (!doc || typeof doc !== 'object' || (doc as { version?: unknown }).version !== 1)
      return refuse(res, 400, 'not a version 1 document');
    sim.received.push({ headers: req.headers, raw, doc: doc as Record<string, unknown> });
    const answer = sim.answers.shift() ?? { status: 200 };
    if (answer === 'hang') return; // never answers; stop() ends the socket
    if (answer.status < 300) sim.delivered.push(one(req.headers['x-backup-monitor-delivery'])!);
    res.writeHead(answer.status, {
      'content-type': 'application/json',
      ...(answer.retryAfter !== undefined && { 'retry-after': answer.retryAfter }),
    });
    res.end(answer.body ?? JSON.stringify({ ok: answer.status < 300 }));
  };
  const server: Server = createServer((req, res) => {
    handle(req, res).catch(() => res.destroy());
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const port = (server.address() as AddressInfo).port;
  sim.url = `http://127.0.0.1:${port}${path}`;
  sim.stop = () =>
    new Promise<void>((r) => {
      for (const s of sockets) s.destroy();
      server.close(() => r());
    });
  return sim;
}
