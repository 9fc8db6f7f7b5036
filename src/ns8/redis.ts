// SPDX-License-Identifier: GPL-3.0-or-later
// Redis clients: the read-only replica as `default` (state + events, contract §3 (a)(b)) and the
// leader with the module's credentials (own namespace, contract §3 (c)).
import { createClient, type RedisClientType } from 'redis';
import type { Config } from '../config.js';
import type { Logger } from '../log.js';

export type Redis = RedisClientType;

export interface RedisClients {
  /** Reads cluster state; `default` user. */
  reader: Redis;
  /** PSUBSCRIBE connection; `default` user. */
  subscriber: Redis;
  /** Writes `module/<id>/…`; module credentials. */
  writer: Redis;
  close(): Promise<void>;
}

function client(url: string, socketPath: string | null, log: Logger, role: string, creds?: { username: string; password: string }): Redis {
  const c = createClient({
    url: socketPath ? undefined : url,
    socket: {
      ...(socketPath ? { path: socketPath } : {}),
      connectTimeout: 5000,
      // Keep trying forever: an outage must never lose a report, only delay it.
      reconnectStrategy: (retries: number) => Math.min(200 * 2 ** Math.min(retries, 6), 10_000),
    },
    ...(creds ?? {}),
    disableOfflineQueue: false,
  }) as Redis;
  let down = false;
  c.on('error', (err: Error) => {
    if (!down) log.warning('redis connection lost', { role, error: err.message });
    down = true;
  });
  c.on('ready', () => { if (down) log.info('redis connection back', { role }); down = false; });
  return c;
}

export async function connectRedis(cfg: Config['redis'], log: Logger): Promise<RedisClients> {
  const creds = cfg.user && cfg.password ? { username: cfg.user, password: cfg.password.reveal() } : undefined;
  const reader = client(cfg.replicaUrl, cfg.socket, log, 'reader');
  const subscriber = client(cfg.replicaUrl, cfg.socket, log, 'subscriber');
  const writer = client(cfg.leaderUrl, cfg.leaderUrl === cfg.replicaUrl ? cfg.socket : null, log, 'writer', creds);
  // connect() rejects on the first failure; retry until Redis is there, as agents do.
  await Promise.all([reader, subscriber, writer].map((c) => connectWithRetry(c)));
  return {
    reader, subscriber, writer,
    async close() { await Promise.allSettled([reader, subscriber, writer].map((c) => c.close())); },
  };
}

async function connectWithRetry(c: Redis): Promise<void> {
  for (let i = 0; ; i++) {
    try { await c.connect(); return; } catch {
      await new Promise((r) => setTimeout(r, Math.min(500 * 2 ** i, 10_000)));
    }
  }
}
