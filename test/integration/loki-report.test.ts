// SPDX-License-Identifier: GPL-3.0-or-later
// A failed run's report carries the error lines from the cluster's Loki: real redis-server (NS8
// ACLs; Loki found through cluster/default_instance/loki and module/loki1/environment as the
// module's user reads them), the Loki stand-in, real SMTP sink. A slow Loki costs at most its
// budget, and the report says so in one line. The worst answers Loki's size cap allows (one
// entry of 128,000 lines, 8 MB of nested arrays) neither freeze nor kill the service (issue #25).
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { MODULE_ID, MODULE_PASSWORD, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { adminClient, replayRun, seedCluster } from '../sim/cluster.js';
import { startTestService } from '../helpers/service.js';
import { backupRunLines, startLoki, type LokiSim } from '../sim/loki.js';
import { LINES_PER_MODULE } from '../../src/loki/lines.js';
import { MAX_UNFINISHED_READS } from '../../src/ns8/loki.js';

/** The cluster smarthost's login: the sink refuses mail without it. */
const SMARTHOST = { username: 'relay@example.org', password: 'Sm4rth0st-pass' };

let redis: RedisServer;
let smtp: SmtpSink;
let loki: LokiSim;

before(async () => {
  redis = await startRedis();
  smtp = await startSmtpSink(SMARTHOST);
  loki = await startLoki();
});
// Whatever failed before: a server or client left open keeps the test process, and `npm test`,
// from ending (issue #25).
after(async () => {
  await Promise.allSettled([loki?.stop(), smtp?.stop(), redis?.stop()]);
});
beforeEach(async () => {
  const c = await adminClient(redis);
  try {
    await c.flushAll();
    await seedCluster(redis, { smtpPort: smtp.port });
    await c.hSet('cluster/smarthost', SMARTHOST);
    await c.set('cluster/default_instance/loki', 'loki1');
    await c.hSet('module/loki1/environment', {
      LOKI_ADDR: '127.0.0.1',
      LOKI_HTTP_PORT: String(loki.port),
      LOKI_API_AUTH_USERNAME: loki.user,
      LOKI_API_AUTH_PASSWORD: loki.password,
    });
  } finally {
    await c.quit();
  }
  smtp.messages.length = 0;
  smtp.envelopes.length = 0;
  loki.delayMs = 0;
  loki.rawBody = null;
  loki.entries = [];
  loki.queries.length = 0;
});

/** Journal lines of the run that replayRun is about to write, on node 1. */
function journal(
  at: number,
  lines = ['Fatal: unable to open repository at s3:https://AKIA1:topsecret@s3.example.com/b: 403 Forbidden'],
) {
  loki.entries = backupRunLines({
    node: 1,
    planId: 2,
    at,
    modules: [
      { id: 'nextcloud1', ok: false, lines },
      { id: 'samba1', ok: true },
    ],
  });
}

/** Asks /healthz every 100 ms until stopped; counts the answers and the asks not answered within 1 s. */
function watchHealth(url: string) {
  const seen = { answered: 0, unanswered: 0 };
  let on = true;
  const loop = (async () => {
    while (on) {
      try {
        await (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) })).arrayBuffer();
        seen.answered++;
      } catch {
        seen.unanswered++;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  })();
  return {
    seen,
    stop: async () => {
      on = false;
      await loop;
      return seen;
    },
  };
}

describe('error lines in the report', () => {
  it('a failed module shows the lines of its run, masked; in HTML and text', async () => {
    const { service } = await startTestService(redis, { LOKI_BUDGET_SECONDS: '5' });
    try {
      journal(Date.now() - 10_000); // the run's lines are in the past when the report is made
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 20_000);
      assert.match(mail!.subject!, /^⚠️ Partly failed: Weekly SMB /);
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
    await c.del('cluster/default_instance/loki').finally(() => c.quit());
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

  it('passwords of the cluster in a log line never reach the mail, in any letter case', async () => {
    const { service } = await startTestService(redis, { LOKI_BUDGET_SECONDS: '5' });
    try {
      journal(Date.now() - 10_000, [
        `error: relay login ${SMARTHOST.password} refused`,
        `error: redis NOAUTH ${MODULE_PASSWORD}`,
        `error: loki login ${loki.password} refused`,
        'error: database Password: Hunter2-db',
        'Fatal: {"password": "json pass"}',
      ]);
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 20_000);
      const all = `${mail!.text}${mail!.html}`;
      assert.match(mail!.text!, /> error: relay login <secret> refused/);
      assert.match(mail!.text!, /> error: database Password: <secret>/);
      for (const secret of [SMARTHOST.password, MODULE_PASSWORD, loki.password, 'Hunter2-db', 'json pass'])
        assert.ok(!all.includes(secret), secret);
    } finally {
      await service.stop();
    }
  });

  it('one journal entry of 128,000 lines: /healthz answers throughout, the mail has its last lines', async () => {
    const { service, url } = await startTestService(redis, { LOKI_BUDGET_SECONDS: '30' });
    const health = watchHealth(url);
    try {
      const flood = Array.from({ length: 128_000 }, (_, i) => `chunk ${i} failed`).join('\n');
      journal(Date.now() - 10_000, [`${flood}\nFatal: repository is full`]);
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 30_000);
      const seen = await health.stop();
      const shown = mail!
        .text!.split('\n')
        .map((l) => l.trim())
        .filter((l) => l.startsWith('> '));
      assert.ok(shown.length <= LINES_PER_MODULE, `${shown.length} lines in the mail`);
      assert.ok(shown.includes('> Fatal: repository is full'), mail!.text);
      assert.equal(seen.unanswered, 0, `/healthz not answered within 1 s ${seen.unanswered} times`);
      assert.ok(seen.answered > 0);
    } finally {
      await health.stop();
      await service.stop();
    }
  });

  it('8 MB of nested arrays from Loki: the service lives on and mails the report', async () => {
    const half = 4 * 1024 * 1024;
    loki.rawBody = '['.repeat(half) + ']'.repeat(half);
    const { service, log } = await startTestService(redis, { LOKI_BUDGET_SECONDS: '10' });
    try {
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 30_000);
      assert.match(
        mail!.text!,
        /Error lines could not be read: the cluster log server \(Loki\) gave an unexpected answer\./,
      );
      assert.ok(log.lines.some((l) => /cannot read error lines from Loki|error lines read from Loki/.test(l)));
      assert.equal(await Promise.race([service.exited, new Promise((r) => setTimeout(r, 500, 'running'))]), 'running');
    } finally {
      await service.stop();
    }
  });

  it('the service died in the last reads of this run: Loki is not asked again, the report goes out', async (ctx) => {
    const key = `module/${MODULE_ID}/loki-reads`;
    const c = await adminClient(redis);
    ctx.after(() => c.quit());
    // The run key is "<plan>:<start s>"; the run below starts within these seconds.
    const nowS = Math.floor(Date.now() / 1000);
    for (let t = nowS - 2; t < nowS + 30; t++) await c.hSet(key, `2:${t}`, String(MAX_UNFINISHED_READS));
    const { service } = await startTestService(redis, { LOKI_BUDGET_SECONDS: '5' });
    try {
      journal(Date.now() - 10_000);
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1, 20_000);
      assert.match(mail!.text!, /the cluster log server \(Loki\) gave an unexpected answer/);
      assert.equal(loki.queries.length, 0);
      assert.ok((await c.hLen(key)) < 32, 'the skipped run is forgotten');
    } finally {
      await service.stop();
    }
  });
});
