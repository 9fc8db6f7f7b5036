// SPDX-License-Identifier: GPL-3.0-or-later
// A failed start ends the process with a non-zero code and one clear line, so systemd restarts
// it (Restart=always): the service as the image runs it (test/helpers/service.ts).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startTestService } from '../helpers/service.js';
import { adminClient } from '../sim/cluster.js';

let redis: RedisServer;
before(async () => {
  redis = await startRedis();
});
after(async () => {
  await redis.stop();
});

describe('start-up failures', () => {
  // Issue #10 item 5: it logged "Cannot read properties of null (reading 'port')" and kept running
  // without its receiver and /healthz, so systemd never restarted it.
  it('the receiver port already in use: exit 1 with the address named', async () => {
    const squatter = net.createServer();
    await new Promise<void>((r) => squatter.listen(0, '127.0.0.1', r));
    const port = (squatter.address() as AddressInfo).port;
    try {
      await assert.rejects(startTestService(redis, { TCP_PORT: String(port) }), (err: Error) => {
        assert.match(err.message, /exited with 1 before it was ready/);
        assert.match(err.message, new RegExp(`<3>cannot listen on 127\\.0\\.0\\.1:${port}: address already in use`));
        assert.doesNotMatch(err.message, /unhandled rejection|Cannot read properties/);
        return true;
      });
    } finally {
      squatter.close();
    }
  });
});

describe('health', () => {
  // Issue #10 item 11: every GET /healthz wrote module/<id>/health.
  it('/healthz reads; an unchanged link is not written to Redis on every call', async (t) => {
    const { service, url } = await startTestService(redis);
    try {
      const c = await adminClient(redis);
      t.after(() => c.quit());
      await fetch(`${url}/healthz`);
      const first = await c.hGet('module/backup-monitor1/health', 'redis');
      assert.ok(first, 'the redis link is mirrored once');
      for (let i = 0; i < 30; i++) {
        const h = (await (await fetch(`${url}/healthz`)).json()) as { links: { redis: { ok: boolean } } };
        assert.equal(h.links.redis.ok, true);
      }
      assert.equal(await c.hGet('module/backup-monitor1/health', 'redis'), first);
    } finally {
      await service.stop();
    }
  });
});
