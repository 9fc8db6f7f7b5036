// SPDX-License-Identifier: GPL-3.0-or-later
// Redis clients: the read-only replica as `default` (state + events, NS8.md §3 (a)(b)) and the
// leader with the module's credentials (own namespace, NS8.md §3 (c)).
import { createClient, type RedisClientType } from 'redis';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';
import { backoffDelay, retry, type Backoff } from '../retry.js';

const RECONNECT_BACKOFF: Backoff = { firstMs: 200, maxMs: 10_000 };
const CONNECT_BACKOFF: Backoff = { firstMs: 500, maxMs: 10_000 };

export type Redis = RedisClientType;

export interface RedisClients {
  /** Reads cluster state; `default` user. */
  reader: Redis;
  /** PSUBSCRIBE connection; `default` user. */
  subscriber: Redis;
  /** Writes `module/<id>/…`; module credentials. */
  writer: Redis;
  /** Graceful: waits for replies (after destroy(), at once). */
  close(): Promise<void>;
  /** Drops the connections now: commands waiting for a reconnect fail. */
  destroy(): void;
}

function client(
  url: string,
  socketPath: string | null,
  log: Logger,
  role: string,
  creds?: { username: string; password: string },
): Redis {
  const c = createClient({
    url: socketPath ? undefined : url,
    socket: {
      ...(socketPath ? { path: socketPath } : {}),
      connectTimeout: 5000,
      // Keep trying forever: an outage must never lose a report, only delay it.
      reconnectStrategy: (retries: number) => backoffDelay(retries + 1, RECONNECT_BACKOFF),
    },
    ...(creds ?? {}),
    disableOfflineQueue: false,
  }) as Redis;
  let down = false;
  c.on('error', (err: Error) => {
    if (!down) log.warning('redis connection lost', { role, error: err.message });
    down = true;
  });
  c.on('ready', () => {
    if (down) log.info('redis connection back', { role });
    down = false;
  });
  return c;
}

export async function connectRedis(cfg: Config['redis'], log: Logger, signal?: AbortSignal): Promise<RedisClients> {
  const creds = cfg.user && cfg.password ? { username: cfg.user, password: cfg.password.reveal() } : undefined;
  const reader = client(cfg.replicaUrl, cfg.socket, log, 'reader');
  const subscriber = client(cfg.replicaUrl, cfg.socket, log, 'subscriber');
  const writer = client(cfg.leaderUrl, cfg.leaderUrl === cfg.replicaUrl ? cfg.socket : null, log, 'writer', creds);
  // connect() rejects on the first failure; retry until Redis is there, as agents do.
  await Promise.all([reader, subscriber, writer].map((c) => connectWithRetry(c, signal)));
  return {
    reader,
    subscriber,
    writer,
    async close() {
      await Promise.allSettled([reader, subscriber, writer].map((c) => (c.isOpen ? c.close() : undefined)));
    },
    destroy() {
      for (const c of [reader, subscriber, writer]) if (c.isOpen) c.destroy();
    },
  };
}

function connectWithRetry(c: Redis, signal?: AbortSignal): Promise<void> {
  return retry(
    async () => {
      await c.connect();
    },
    { backoff: CONNECT_BACKOFF, signal },
  );
}
