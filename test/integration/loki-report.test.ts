// SPDX-License-Identifier: GPL-3.0-or-later
// A failed run's report carries the error lines from the cluster's Loki: real redis-server (NS8
// ACLs; Loki found through cluster/default_instance/loki and module/loki1/environment as the
// module's user reads them), the Loki stand-in, real SMTP sink. A slow Loki costs at most its
// budget, and the report says so in one line.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { adminClient, replayRun, seedCluster } from '../sim/cluster.js';
import { startTestService } from '../helpers/service.js';
import { backupRunLines, startLoki, type LokiSim } from '../sim/loki.js';

let redis: RedisServer;
let smtp: SmtpSink;
let loki: LokiSim;

before(async () => {
  redis = await startRedis();
  smtp = await startSmtpSink();
  loki = await startLoki();
});
after(async () => {
  await loki.stop();
  await smtp.stop();
  await redis.stop();
});
beforeEach(async () => {
  const c = await adminClient(redis);
  await c.flushAll();
  await seedCluster(redis, { smtpPort: smtp.port });
  await c.set('cluster/default_instance/loki', 'loki1');
  await c.hSet('module/loki1/environment', {
    LOKI_ADDR: '127.0.0.1',
    LOKI_HTTP_PORT: String(loki.port),
    LOKI_API_AUTH_USERNAME: loki.user,
    LOKI_API_AUTH_PASSWORD: loki.password,
  });
  await c.quit();
  smtp.messages.length = 0;
  smtp.envelopes.length = 0;
  loki.delayMs = 0;
  loki.entries = [];
  loki.queries.length = 0;
});

/** Journal lines of the run that replayRun is about to write, on node 1. */
function journal(at: number) {
  loki.entries = backupRunLines({
    node: 1,
    planId: 2,
    at,
    modules: [
      {
        id: 'nextcloud1',
        ok: false,
        lines: ['Fatal: unable to open repository at s3:https://AKIA1:topsecret@s3.example.com/b: 403 Forbidden'],
      },
      { id: 'samba1', ok: true },
    ],
  });
}

describe('error lines in the report', () => {
  it('a failed module shows the lines of its run, masked; in HTML and text', async () => {
    const { service } = await startTestService(redis, { LOKI_BUDGET_SECONDS: '5' });
    try {
      journal(Date.now() - 10_000); // the run's lines are in the past when the report is made
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 20_000);
      assert.match(mail!.subject!, /partially failed: Weekly SMB/);
      assert.match(
        mail!.text!,
        /> Fatal: unable to open repository at s3:https:\/\/<secret>@s3\.example\.com\/b: 403 Forbidden/,
      );
      assert.match(
        String(mail!.html),
        /Fatal: unable to open repository at s3:https:\/\/&lt;secret&gt;@s3\.example\.com/,
      );
      assert.ok(!`${mail!.text}${mail!.html}`.includes('topsecret'));
      assert.ok(!`${mail!.text}${mail!.html}`.includes(loki.password));
      assert.ok(loki.queries.some((q) => q.get('query')!.startsWith('{node_id="1"}')));
    } finally {
      await service.stop();
    }
  });

  it('Loki hangs: the report goes out within the budget, with one line about it', async () => {
    loki.delayMs = 60_000;
    const { service } = await startTestService(redis, { LOKI_BUDGET_SECONDS: '1' });
    try {
      journal(Date.now() - 10_000); // the run's lines are in the past when the report is made
      const t0 = Date.now();
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 20_000);
      const waited = Date.now() - t0;
      assert.match(
        mail!.text!,
        /Error lines could not be read: the cluster log server \(Loki\) did not answer within 1 s\./,
      );
      assert.equal(mail!.text!.match(/Loki/g)!.length, 1);
      // settle window (WAIT_SECONDS in the test env) + 1 s budget + delivery: far below Loki's 60 s
      assert.ok(waited < 15_000, `${waited} ms`);
    } finally {
      await service.stop();
    }
  });

  it('no Loki in the cluster: one line, the report as usual', async () => {
    const c = await adminClient(redis);
    await c.del('cluster/default_instance/loki');
    await c.quit();
    const { service } = await startTestService(redis, { LOKI_BUDGET_SECONDS: '5' });
    try {
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 20_000);
      assert.match(mail!.text!, /Error lines cannot be shown: the cluster has no log server \(Loki\)\./);
      assert.equal(loki.queries.length, 0);
    } finally {
      await service.stop();
    }
  });
});
