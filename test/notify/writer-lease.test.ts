// SPDX-License-Identifier: GPL-3.0-or-later
// The single-writer lease (issue #25 item 12) on a real Redis, each instance with the module's own
// ACL user (no scripting allowed): one holder at a time, renewal, hand-over on release and on
// expiry, and a late renewal that lets the lease lapse instead of taking a successor's.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { moduleKeys } from '../../src/domain/records.js';
import { memoryLogger } from '../../src/log.js';
import { createWriterLease } from '../../src/notify/writer-lease.js';
import type { Redis } from '../../src/ns8/redis.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';

const KEY = moduleKeys(MODULE_ID).writer;
const TTL_MS = 60_000;
let redis: RedisServer;
let a: Redis;
let b: Redis;
let admin: Redis;

before(async () => {
  redis = await startRedis();
  const client = (url: string) => createClient({ url }) as Redis;
  [a, b, admin] = [client(redis.moduleUrl), client(redis.moduleUrl), client(redis.adminUrl)];
  await Promise.all([a.connect(), b.connect(), admin.connect()]);
});
after(async () => {
  await Promise.all([a.quit(), b.quit(), admin.quit()]);
  await redis.stop();
});
beforeEach(async () => {
  await admin.del(KEY);
});

function instance(client: Redis, token: string, onTakeover?: () => void) {
  const clock = { ms: 0 };
  const log = memoryLogger();
  const lease = createWriterLease({
    redis: client,
    key: KEY,
    log,
    ttlMs: TTL_MS,
    token,
    monotonicMs: () => clock.ms,
    onTakeover,
  });
  return { lease, clock, log };
}

describe('writer lease', () => {
  it('one holder at a time; the other stands by and says so once', async () => {
    const x = instance(a, 'x');
    const y = instance(b, 'y');
    assert.equal(await x.lease.holds(), true);
    assert.equal(await y.lease.holds(), false);
    assert.equal(await y.lease.holds(), false);
    assert.equal(await admin.get(KEY), 'x');
    assert.equal(y.log.lines.filter((l) => l.includes('standing by')).length, 1);
    const pttl = await admin.pTTL(KEY);
    assert.ok(pttl > 0 && pttl <= TTL_MS, `expires (${pttl} ms)`);
  });

  it('the holder renews it; a standby takes it once released, and reconciles', async () => {
    let takeovers = 0;
    const x = instance(a, 'x');
    const y = instance(b, 'y', () => takeovers++);
    await x.lease.holds();
    await y.lease.holds();
    await admin.pExpire(KEY, TTL_MS / 2); // time passed on the server
    x.clock.ms += TTL_MS / 3;
    assert.equal(await x.lease.holds(), true);
    assert.ok((await admin.pTTL(KEY)) > TTL_MS / 2, 'renewed');
    await x.lease.release();
    assert.equal(await admin.exists(KEY), 0);
    assert.equal(await y.lease.holds(), true);
    assert.equal(takeovers, 1);
  });

  it('expired: the standby takes it and the old holder steps back', async () => {
    const x = instance(a, 'x');
    const y = instance(b, 'y');
    await x.lease.holds();
    await admin.del(KEY); // the lease expired (the holder was frozen, or cut off from Redis)
    assert.equal(await y.lease.holds(), true);
    x.clock.ms += TTL_MS / 3;
    assert.equal(await x.lease.holds(), false);
    assert.equal(await admin.get(KEY), 'y');
  });

  it('a renewal too late lets the lease lapse rather than extend it', async () => {
    const x = instance(a, 'x');
    await x.lease.holds();
    await admin.pExpire(KEY, TTL_MS / 4);
    x.clock.ms += TTL_MS;
    assert.equal(await x.lease.holds(), false);
    assert.ok((await admin.pTTL(KEY)) <= TTL_MS / 4, 'not extended');
  });

  it('while fresh, holds() asks Redis nothing', async () => {
    const x = instance(a, 'x');
    await x.lease.holds();
    await admin.set(KEY, 'someone-else');
    x.clock.ms += TTL_MS / 3 - 1;
    assert.equal(await x.lease.holds(), true);
    x.clock.ms += 1;
    assert.equal(await x.lease.holds(), false);
  });

  it('Redis not answering: holds() fails, so a run is retried rather than left to nobody', async () => {
    const gone = createClient({ url: redis.moduleUrl }) as Redis;
    await gone.connect();
    const x = instance(gone, 'x');
    await gone.quit();
    await assert.rejects(x.lease.holds());
    assert.equal(x.log.lines.filter((l) => l.includes('standing by')).length, 0);
  });
});
