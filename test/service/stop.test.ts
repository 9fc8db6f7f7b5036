// SPDX-License-Identifier: GPL-3.0-or-later
// stop() ends within a bounded time during a Redis outage: waits between retries are cancelled,
// commands waiting for a reconnect are given up (issue #11). The run is not lost: nothing was
// stored, so the next start's reconcile reports it.
import { afterEach, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startInProcessService, startTestService } from '../helpers/service.js';
import { seedCluster } from '../sim/cluster.js';
import { retry, sleep } from '../../src/retry.js';

/** stop() must return in this time however long Redis stays away. */
const STOP_BOUND_MS = 8000;

describe('stop during a Redis outage', () => {
  let redis: RedisServer;
  // Each test stops its Redis for good: a fresh one each time.
  beforeEach(async () => {
    redis = await startRedis();
    await seedCluster(redis);
  });
  afterEach(async () => {
    await redis.stop();
  });

  it('returns within the bound while work waits for Redis', async () => {
    const { service, log } = await startInProcessService(redis);
    await redis.stop(); // down for good: no restart
    // Work that needs Redis: a reminder flush reads the plan and the plan state.
    service.tracker.reminderDue(1);
    service.tracker.missing(2, 1_700_000_000, ['mail1']);
    await sleep(1500); // the first attempts fail and start waiting
    const t0 = Date.now();
    await service.stop();
    const took = Date.now() - t0;
    assert.ok(took < STOP_BOUND_MS, `stop() took ${took} ms`);
    assert.ok(!log.lines.some((l) => /unhandled/i.test(l)), log.lines.join('\n'));
  });

  it('the shipped entrypoint exits 0 on SIGTERM within the bound while an alert waits for Redis', async () => {
    const { service, url } = await startTestService(redis);
    await redis.stop();
    const firing = readFileSync(
      path.join(path.dirname(fileURLToPath(import.meta.url)), '../fixtures/alertmanager/firing-two-in-one-group.json'),
      'utf8',
    );
    const res = await fetch(`${url}/alert`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: firing,
    });
    assert.equal(res.status, 202);
    await sleep(2500); // WAIT_SECONDS=1: both plans are being read from a Redis that is gone
    const t0 = Date.now();
    await service.stop(); // rejects on a non-zero exit or an unhandled rejection
    const took = Date.now() - t0;
    assert.ok(took < STOP_BOUND_MS, `SIGTERM to exit took ${took} ms`);
  });
});

describe('retry', () => {
  it('waits with backoff, gives up after its attempts, and stops at once when aborted', async () => {
    let calls = 0;
    await assert.rejects(
      retry(
        async () => {
          calls++;
          throw new Error('no');
        },
        { backoff: { firstMs: 1, maxMs: 2 }, attempts: 3 },
      ),
      /no/,
    );
    assert.equal(calls, 3);
    assert.equal(
      await retry(
        async (n) => {
          if (n < 3) throw new Error('not yet');
          return n;
        },
        { backoff: { firstMs: 1, maxMs: 1 } },
      ),
      3,
    );
    const ctl = new AbortController();
    const t0 = Date.now();
    const p = retry(
      async () => {
        throw new Error('down');
      },
      { backoff: { firstMs: 60_000, maxMs: 60_000 }, signal: ctl.signal },
    );
    setTimeout(() => ctl.abort(new Error('stopping')), 50);
    await assert.rejects(p, /stopping/);
    assert.ok(Date.now() - t0 < 1000);
  });
});
