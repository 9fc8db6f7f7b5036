// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #22: each channel decides on its own. The real service (real redis-server with NS8 ACLs,
// SMTP sink, the Telegram Bot API simulator): a report is stored and queued when email OR a
// channel takes it, and email's delivery says when email was not meant to carry it ('skipped').
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { adminClient, replayRun, seedCluster, type Admin } from '../sim/cluster.js';
import { startTestService } from '../helpers/service.js';
import { startTelegramSim, type TelegramSim } from '../sim/telegram.js';
import type { StoredReport } from '../../src/domain/records.js';

const MODULE = 'backup-monitor1';
const CHAT = '-1001234567890';
let redis: RedisServer;
let smtp: SmtpSink;
let sim: TelegramSim;

before(async () => {
  redis = await startRedis();
  smtp = await startSmtpSink();
  sim = await startTelegramSim();
});
after(async () => {
  try {
    await sim?.stop();
    await smtp?.stop();
  } finally {
    await redis?.stop();
  }
});
beforeEach(async () => {
  await withAdmin((c) => c.flushAll());
  smtp.messages.length = 0;
  sim.sent.length = 0;
  await seedCluster(redis, { smtpPort: smtp.port });
});

const telegram = (level: 'every' | 'problems') => ({
  TELEGRAM_BOT_TOKEN: sim.token,
  TELEGRAM_API_URL: sim.url,
  TELEGRAM_CHAT_ID: CHAT,
  TELEGRAM_LEVEL: level,
});

async function storedReports(): Promise<StoredReport[]> {
  return withAdmin(async (c) => {
    const ids = await c.lRange(`module/${MODULE}/history`, 0, -1);
    return Promise.all(ids.map(async (id) => JSON.parse((await c.get(`module/${MODULE}/report/${id}`))!)));
  });
}

describe('channels decide on their own', () => {
  it('email policy problems, Telegram every: a success reaches Telegram and no mail', async () => {
    const { service, settled } = await startTestService(redis, { NOTIFY_POLICY: 'problems', ...telegram('every') });
    try {
      await replayRun(redis, 1, {});
      await waitUntil(() => sim.sent.length > 0);
      await settled();
      assert.equal(sim.sent.length, 1, 'one Telegram message');
      assert.match(sim.sent[0]!.shown, /Daily offsite/);
      assert.equal(smtp.messages.length, 0, 'no mail');
      const [r] = await storedReports();
      assert.equal(r!.run.outcome, 'SUCCESS');
      assert.deepEqual([r!.delivery.status, r!.delivery.recipients], ['skipped', []]);
      assert.equal(r!.deliveries!.telegram!.status, 'sent');
      assert.deepEqual(await withAdmin((c) => c.hKeys(`module/${MODULE}/outbox`)), []);
    } finally {
      await service.stop();
    }
  });

  it('email policy off, Telegram problems: a failure reaches Telegram only', async () => {
    const { service, settled } = await startTestService(redis, { NOTIFY_POLICY: 'off', ...telegram('problems') });
    try {
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      await waitUntil(() => sim.sent.length > 0);
      await settled();
      assert.equal(sim.sent.length, 1);
      assert.match(sim.sent[0]!.shown, /Weekly SMB/);
      assert.equal(smtp.messages.length, 0, 'no mail');
      const [r] = await storedReports();
      assert.equal(r!.delivery.status, 'skipped');
      assert.equal(r!.deliveries!.telegram!.status, 'sent');
    } finally {
      await service.stop();
    }
  });

  it('email policy problems, Telegram problems: a plain success is told nowhere and not stored', async () => {
    const { service, settled, log } = await startTestService(redis, {
      NOTIFY_POLICY: 'problems',
      ...telegram('problems'),
    });
    try {
      await replayRun(redis, 1, {});
      await waitUntil(() => log.lines.some((l) => l.includes('run correlated')));
      await settled();
      assert.equal(sim.sent.length, 0);
      assert.equal(smtp.messages.length, 0);
      assert.deepEqual(await storedReports(), []);
    } finally {
      await service.stop();
    }
  });
});

async function waitUntil(cond: () => boolean, timeoutMs = 30_000) {
  const until = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > until) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 50));
  }
}

async function withAdmin<T>(use: (c: Admin) => Promise<T>): Promise<T> {
  const c = await adminClient(redis);
  try {
    return await use(c);
  } finally {
    await c.quit();
  }
}
