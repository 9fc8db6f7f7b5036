// SPDX-License-Identifier: GPL-3.0-or-later
// The decisions startService used to hold inline (issue #20: it only wires now), each pinned on its
// own: the writer-only gate, the cluster event handlers and the smarthost-change requeue window,
// the history index completion at start, the passwords masked in Loki lines, the optional parts
// and the mail observers. The whole service still runs them: test/integration/*.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/log.js';
import type { Redis } from '../../src/ns8/redis.js';
import { ns8Keys } from '../../src/ns8/keys.js';
import type { RepoChecker } from '../../src/repocheck/index.js';
import { secretsToMask } from '../../src/service/error-lines.js';
import { eventHandlers, REQUEUE_REFUSED_WITHIN_MS } from '../../src/service/events.js';
import { completeHistoryIndex } from '../../src/service/history-index.js';
import { deliveryObserver, queuedMailKicker } from '../../src/service/mail-observers.js';
import {
  alertmanagerPollerFor,
  metricsEndpointFor,
  repoCheckerFor,
  unownedRefresherFor,
} from '../../src/service/optional.js';
import { whileWriter } from '../../src/service/writer-only.js';
import { startTrimmer } from '../../src/service/memory-trim.js';
import type { BackupEvent } from '../../src/domain/backup.js';

const config = (env: Record<string, string> = {}) =>
  loadConfig({
    MODULE_ID: 'backup-monitor1',
    MAIL_TO: 'admin@example.org',
    MAIL_FROM: 'backup@example.org',
    REDIS_PASSWORD: 'redis-secret',
    ...env,
  });
/** Lets the promise callbacks a handler started run. */
const settle = () => new Promise((r) => setImmediate(r));

describe('whileWriter', () => {
  it('does the work only while this instance holds the lease', async () => {
    const done: number[] = [];
    let holds = true;
    const flush = whileWriter(
      async () => holds,
      async (n: number) => {
        done.push(n);
      },
    );
    await flush(1);
    holds = false;
    await flush(2);
    assert.deepEqual(done, [1]);
  });
  it('rejects when the lease cannot be read, so the caller retries', async () => {
    const flush = whileWriter(
      () => Promise.reject(new Error('READONLY')),
      async () => assert.fail('no work without the lease'),
    );
    await assert.rejects(flush(1), /READONLY/);
  });
});

describe('eventHandlers', () => {
  function handlers(smarthost: () => Promise<{ due: number; requeued: number }>) {
    const log = memoryLogger();
    const seen: { events: BackupEvent[]; since: number[]; reconciles: number } = {
      events: [],
      since: [],
      reconciles: 0,
    };
    const h = eventHandlers({
      tracker: { backupEvent: (e) => seen.events.push(e) },
      delivery: {
        smarthostChanged: (sinceMs) => {
          seen.since.push(sinceMs);
          return smarthost();
        },
      },
      reconcile: async () => {
        seen.reconciles++;
      },
      clock: { now: () => 1_800_000_000_000 },
      log,
    });
    return { h, log, seen };
  }
  it('a smarthost change requeues the reports refused in the last 24 hours and says how many', async () => {
    const { h, log, seen } = handlers(async () => ({ due: 2, requeued: 3 }));
    h.smarthostChanged();
    await settle();
    assert.equal(REQUEUE_REFUSED_WITHIN_MS, 24 * 3600_000);
    assert.deepEqual(seen.since, [1_800_000_000_000 - 24 * 3600_000]);
    assert.match(log.lines.join('\n'), /smarthost changed: queued reports are tried now queued=2 failed_requeued=3/);
  });
  it('an outbox out of reach on a smarthost change is one warning, never a throw', async () => {
    const { h, log } = handlers(() => Promise.reject(new Error('ECONNREFUSED')));
    h.smarthostChanged();
    await settle();
    assert.match(log.lines.join('\n'), /^<4>smarthost changed, but the outbox is not reachable error=ECONNREFUSED/m);
  });
  it('a resync reconciles; a backup event goes to the tracker; a removed module is logged', async () => {
    const { h, log, seen } = handlers(async () => ({ due: 0, requeued: 0 }));
    h.resynced();
    const e = { module: 'samba1' } as unknown as BackupEvent;
    h.backupEvent(e);
    h.moduleRemoved('webtop1');
    assert.equal(seen.reconciles, 1);
    assert.deepEqual(seen.events, [e]);
    assert.match(log.lines.join('\n'), /module removed: it leaves the reports of its plans module=webtop1/);
  });
});

describe('completeHistoryIndex', () => {
  it('says how many reports got their index entry, and nothing when none did', async () => {
    const log = memoryLogger();
    await completeHistoryIndex({ indexMissing: async () => 4 }, log);
    await completeHistoryIndex({ indexMissing: async () => 0 }, log);
    assert.deepEqual(log.lines, ['<6>history index completed reports=4']);
  });
  it('never rejects: a Redis error is one warning', async () => {
    const log = memoryLogger();
    await completeHistoryIndex({ indexMissing: () => Promise.reject(new Error('LOADING')) }, log);
    assert.deepEqual(log.lines, ['<4>history index not completed error=LOADING']);
  });
});

describe('secretsToMask', () => {
  const reader = (h: Record<string, string> | Error) =>
    ({
      hGetAll: async (key: string) => {
        assert.equal(key, ns8Keys.smarthost);
        if (h instanceof Error) throw h;
        return h;
      },
    }) as unknown as Redis;
  it("masks the service's Redis password and the smarthost's, read at each use", async () => {
    const h: Record<string, string> = { host: 'smtp.example.org', port: '587', password: 'smtp-1' };
    const secrets = secretsToMask(config(), reader(h));
    assert.deepEqual(await secrets(), ['redis-secret', 'smtp-1']);
    h.password = 'smtp-2';
    assert.deepEqual(await secrets(), ['redis-secret', 'smtp-2']);
  });
  it('rejects when the smarthost cannot be read (then no line is shown)', async () => {
    await assert.rejects(secretsToMask(config(), reader(new Error('NOPERM')))(), /NOPERM/);
  });
});

describe('the optional parts', () => {
  const log = memoryLogger();
  const clock = { now: () => 0 };
  it('/metrics only when enabled and the node address is known', () => {
    const o = {} as Parameters<typeof metricsEndpointFor>[1];
    assert.equal(metricsEndpointFor({ metrics: { enabled: false, host: '10.5.4.1', port: 0 } }, o), null);
    assert.equal(metricsEndpointFor({ metrics: { enabled: true, host: null, port: 0 } }, o), null);
  });
  it("the destination check: a test's own, none when REPO_CHECK_ENABLED=0, reporting the api_server link", async () => {
    const links: string[] = [];
    const setLink = (name: string, ok: boolean, error: string | null) => links.push(`${name} ${ok} ${error}`);
    const off = config({ REPO_CHECK_ENABLED: '0' });
    assert.equal(repoCheckerFor(undefined, off, { log, clock, setLink }), null);
    assert.equal(repoCheckerFor(null, config(), { log, clock, setLink }), null);
    const given: RepoChecker = { check: async () => ({ checks: [{ code: 'API_FORBIDDEN' }] }) as never };
    await repoCheckerFor(given, off, { log, clock, setLink })!.check({} as never);
    assert.deepEqual(links, ['api_server false API_FORBIDDEN']);
  });
  it('the daily read of repositories nobody owns: at start, through the api_server wrapper, only on the writer', async () => {
    const calls: string[] = [];
    const given: RepoChecker = {
      check: async () => null,
      refreshUnowned: async () => {
        calls.push('refresh');
        return 'read';
      },
    };
    assert.equal(unownedRefresherFor({ check: async () => null }, { log, mayWrite: async () => true }), null);
    const checker = repoCheckerFor(given, config(), { log, clock, setLink: () => {} });
    for (const writer of [false, true]) {
      calls.length = 0;
      const mayWrite = async () => {
        calls.push('lease');
        return writer;
      };
      const loop = unownedRefresherFor(checker, { log, mayWrite })!;
      loop.start();
      while (calls.length < (writer ? 2 : 1)) await new Promise((r) => setTimeout(r, 5));
      await loop.stop();
      assert.deepEqual(calls, writer ? ['lease', 'refresh'] : ['lease']);
    }
  });
  it("metrics1's Alertmanager is polled unless ALERTMANAGER_POLL_SECONDS is 0", () => {
    const o = { sink: { alert: () => {} }, clock, log, setLink: () => {} };
    assert.equal(alertmanagerPollerFor(config({ ALERTMANAGER_POLL_SECONDS: '0' }), o), null);
    assert.ok(alertmanagerPollerFor(config({ ALERTMANAGER_POLL_SECONDS: '30' }), o));
  });
  it('no memory trimmer without a memory-reducing gc', () => {
    assert.equal(startTrimmer(null, log), null);
  });
});

describe('mail observers', () => {
  it('a queued mail is counted and the outbox tries it now; without /metrics it is only tried', () => {
    const calls: string[] = [];
    const metrics = { queued: () => calls.push('queued'), attempt: () => {} };
    queuedMailKicker(metrics, { kick: () => calls.push('kick') })();
    queuedMailKicker(null, { kick: () => calls.push('kick') })();
    assert.deepEqual(calls, ['queued', 'kick', 'kick']);
  });
  it('each attempt is counted and sets the smtp link, "CODE: message" when refused', () => {
    const calls: string[] = [];
    const observe = deliveryObserver({ queued: () => {}, attempt: (ok) => calls.push(`attempt ${ok}`) }, (n, ok, e) =>
      calls.push(`${n} ${ok} ${e}`),
    );
    observe(false, { code: 'SMTP_AUTH', message: 'authentication refused' });
    observe(true, null);
    assert.deepEqual(calls, [
      'attempt false',
      'smtp false SMTP_AUTH: authentication refused',
      'attempt true',
      'smtp true null',
    ]);
  });
});
