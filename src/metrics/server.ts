// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the scrape listener. It answers `GET /metrics` (and HEAD) and nothing else: no webhook,
// no health, no test mail, whatever the path or method. It is a separate server from the webhook
// receiver because it listens on the node's VPN address, where metrics1's Prometheus (on the
// leader) reaches it; the receiver stays on 127.0.0.1.
import http from 'node:http';
import type net from 'node:net';
import type { AddressInfo } from 'node:net';
import type { Logger } from '../log.js';

/** A rendered exposition, encoded once and served as is to every scrape until the next refresh. */
export interface Scrape {
  contentType: string;
  body: Buffer;
}

const plain = (res: http.ServerResponse, status: number, text: string, extra: Record<string, string> = {}) => {
  res.writeHead(status, {
    'Content-Type': 'text/plain; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    ...extra,
  });
  res.end(text);
};

/** At most this many open connections; Prometheus needs one (issue #25 item 5). */
export const MAX_CONNECTIONS = 32;

/**
 * Keeps the connection cap from locking out the scraper. Node's own `maxConnections` refuses the
 * newest connection, so 32 slow clients that trickle header bytes (or reconnect when dropped) kept
 * /metrics unreachable: 0 of 18 scrapes in 90 s. Here, at the cap, the connection that has waited
 * longest without a request in progress (a slow request head, or an idle keep-alive) makes room
 * for the newcomer; only when every connection is mid-request is the newcomer refused.
 */
function guardConnections(server: http.Server): void {
  // Insertion order is the order in which connections became idle: the first idle one is the oldest.
  const open = new Map<net.Socket, { busy: boolean }>();
  server.on('connection', (socket: net.Socket) => {
    if (open.size >= MAX_CONNECTIONS) {
      const oldestIdle = [...open].find(([, c]) => !c.busy)?.[0];
      if (!oldestIdle) {
        socket.destroy();
        return;
      }
      open.delete(oldestIdle);
      oldestIdle.destroy();
    }
    open.set(socket, { busy: false });
    socket.once('close', () => open.delete(socket));
  });
  server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
    const socket = req.socket;
    if (!open.has(socket)) return;
    open.set(socket, { busy: true });
    res.once('close', () => {
      if (!open.has(socket)) return;
      open.delete(socket); // re-inserted last: now the newest idle connection
      open.set(socket, { busy: false });
    });
  });
}

export function createMetricsServer(scrape: () => Promise<Scrape>, log: Logger): http.Server {
  // Node enforces headersTimeout and requestTimeout only when it checks its connections: every
  // second here, not every 30 s (the default), so a slow request head is dropped after ~5 s.
  const server = http.createServer({ connectionsCheckingInterval: 1_000 }, (req, res) => {
    // Prometheus may add query parameters; the path alone decides. Bodies are never read.
    const path = (req.url ?? '').split('?', 1)[0];
    if (path !== '/metrics') {
      plain(res, 404, 'not found: this port serves only /metrics\n');
      return;
    }
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      plain(res, 405, 'method not allowed\n', { Allow: 'GET, HEAD' });
      return;
    }
    scrape().then(
      (s) => {
        res.writeHead(200, {
          'Content-Type': s.contentType,
          'Content-Length': s.body.length,
          'Cache-Control': 'no-store',
        });
        res.end(req.method === 'HEAD' ? undefined : s.body);
      },
      (err: Error) => {
        log.warning('metrics scrape failed', { error: err.message });
        plain(res, 500, 'metrics are not available right now\n');
      },
    );
  });
  // Bounded: a slow or idle client cannot hold the listener (Prometheus scrapes once a minute).
  server.headersTimeout = 5_000;
  server.requestTimeout = 15_000;
  server.keepAliveTimeout = 75_000;
  server.maxHeadersCount = 50;
  guardConnections(server);
  return server;
}

/**
 * Listens on host:port; when the address is not there yet (e.g. the VPN interface comes up after
 * the service at boot), retries every `retryMs` instead of failing the service, whose main job is mail.
 */
export function listenWithRetry(
  server: http.Server,
  host: string,
  port: number,
  log: Logger,
  retryMs = 30_000,
): { ready: Promise<number>; cancel(): void } {
  let timer: NodeJS.Timeout | null = null;
  let cancelled = false;
  let warned = false;
  const ready = new Promise<number>((resolve) => {
    const attempt = () => {
      if (cancelled) return;
      const onError = (err: NodeJS.ErrnoException) => {
        server.off('listening', onListening);
        if (!warned)
          log.error('metrics listener cannot open, retrying', {
            listen: `${host}:${port}`,
            code: err.code,
            error: err.message,
          });
        warned = true;
        timer = setTimeout(attempt, retryMs);
        timer.unref?.();
      };
      const onListening = () => {
        server.off('error', onError);
        const bound = (server.address() as AddressInfo).port;
        log.info('metrics listener ready', { listen: `${host}:${bound}` });
        resolve(bound);
      };
      server.once('error', onError);
      server.once('listening', onListening);
      server.listen(port, host);
    };
    attempt();
  });
  return {
    ready,
    cancel() {
      cancelled = true;
      if (timer) clearTimeout(timer);
    },
  };
}
