// SPDX-License-Identifier: GPL-3.0-or-later
// One real redis-server (NS8's ACL users) for a test file, the module's writer and an admin
// client, emptied before each test: the set-up every store test repeats.
import { after, before, beforeEach } from 'node:test';
import { createClient } from 'redis';
import type { Redis } from '../../src/ns8/redis.js';
import { startRedis, type RedisServer } from './redis-server.js';

export interface RedisPair {
  server: RedisServer;
  /** The module's credentials, as the service writes. */
  writer: Redis;
  /** Redis' admin, to look at and damage what the service wrote. */
  admin: Redis;
}

/** Registers the hooks; `ready` receives the clients once they are connected, `each` runs after each flush. */
export function useRedisPair(ready: (p: RedisPair) => void, each?: () => void): void {
  let pair: RedisPair | undefined;
  before(async () => {
    const server = await startRedis();
    const writer = createClient({ url: server.moduleUrl }) as Redis;
    const admin = createClient({ url: server.adminUrl }) as Redis;
    await Promise.all([writer.connect(), admin.connect()]);
    pair = { server, writer, admin };
    ready(pair);
  });
  after(async () => {
    if (!pair) return;
    await Promise.all([pair.writer.quit(), pair.admin.quit()]);
    await pair.server.stop();
  });
  beforeEach(async () => {
    await pair?.admin.flushAll();
    each?.();
  });
}
