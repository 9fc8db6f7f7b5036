// SPDX-License-Identifier: GPL-3.0-or-later
// Two services on one module namespace (issue #25 item 12: a restored or cloned instance started
// beside the old one, a unit started twice): one writer decides runs and sends, the other stands
// by. Both run as the image runs them (startTestService), against a real Redis with NS8's ACLs
// and a real SMTP sink. "Exactly N mails" is checked once both services are quiet.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, MODULE_ID, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startTestService } from '../helpers/service.js';
import { adminClient, replayRun, seedCluster } from '../sim/cluster.js';
import { moduleKeys } from '../../src/domain/records.js';

const K = moduleKeys(MODULE_ID);
let redis: RedisServer;
let smtp: SmtpSink;

before(async () => {
  [redis, smtp] = await Promise.all([startRedis(), startSmtpSink()]);
  await seedCluster(redis, { smtpPort: smtp.port });
});
after(async () => {
  await Promise.all([smtp.stop(), redis.stop()]);
});

/** Until `runs` runs are logged and the outbox is empty. */
async function quiet(runs: number, timeoutMs = 30_000): Promise<void> {
  const c = await adminClient(redis);
  try {
    const until = Date.now() + timeoutMs;
    for (;;) {
      const [logged, queued] = await Promise.all([c.lLen(K.runLog), c.hLen(K.outbox)]);
      if (logged >= runs && queued === 0) return;
      if (Date.now() > until) throw new Error(`not quiet: ${logged}/${runs} runs logged, ${queued} queued`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await c.quit();
  }
}

describe('two instances on one namespace', () => {
  it('2 runs -> exactly 2 mails; the standby takes over when the writer stops', async () => {
    const a = await startTestService(redis, { NOTIFY_POLICY: 'always' });
    const b = await startTestService(redis, { NOTIFY_POLICY: 'always' });
    try {
      for (const failing of [true, false]) {
        await new Promise((r) => setTimeout(r, 1100)); // run keys are per second
        await replayRun(redis, 2, failing ? { nextcloud1: { errors: 1 } } : {});
      }
      await quiet(2);
      await Promise.all([a.settled(), b.settled()]);
      assert.equal(smtp.messages.length, 2, smtp.messages.map((m) => m.subject).join('\n'));
      assert.equal(
        [...a.log.lines, ...b.log.lines].filter((l) => l.includes('standing by')).length >= 1,
        true,
        'one of them says it stands by',
      );

      // The writer goes away: the other one takes the next run.
      const writer = a.log.lines.some((l) => l.includes('writes the module records')) ? a : b;
      const standby = writer === a ? b : a;
      await writer.service.stop();
      await new Promise((r) => setTimeout(r, 1100));
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      await quiet(3, 90_000);
      await standby.settled();
      assert.equal(smtp.messages.length, 3);
      assert.ok(standby.log.lines.some((l) => l.includes('writes the module records')));
    } finally {
      await Promise.allSettled([a.service.stop(), b.service.stop()]);
    }
  });
});
