// SPDX-License-Identifier: GPL-3.0-or-later
// From a replayed NS8 run to one parsed email: real redis-server (NS8 ACLs), real SMTP sink.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { adminClient, replayRun, seedCluster } from '../sim/cluster.js';
import { startTestService } from '../helpers/service.js';

let redis: RedisServer;
let smtp: SmtpSink;

before(async () => { redis = await startRedis(); smtp = await startSmtpSink(); });
after(async () => { await smtp.stop(); await redis.stop(); });
beforeEach(async () => {
  const c = await adminClient(redis); await c.flushAll(); await c.quit();
  smtp.messages.length = 0; smtp.envelopes.length = 0; smtp.refuse = false;
  await seedCluster(redis, { smtpPort: smtp.port });
});

const rows = (html: string) => [...html.matchAll(/<tr data-module="([^"]+)">(.*?)<\/tr>/g)].map((m) => ({ module: m[1], cells: [...m[2]!.matchAll(/<td[^>]*>(.*?)<\/td>/g)].map((c) => c[1]) }));

describe('one run, one email', () => {
  it('reports a partial failure of a plan spread over two nodes', async () => {
    const { service } = await startTestService(redis);
    try {
      await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
      const [mail] = await smtp.waitFor(1);
      assert.match(mail!.subject!, /^\[NS8 Backup\] ⚠️ Backup partially failed: Weekly SMB \(1 of 4 applications not saved\)$/);
      assert.deepEqual(smtp.envelopes[0]!.to, ['admin@example.org']);
      const r = rows(String(mail!.html));
      assert.deepEqual(r.map((x) => x.module), ['nextcloud1', 'samba1', 'traefik2', 'webtop1']);
      assert.equal(r[0]!.cells[3], 'FAILED');
      assert.equal(r[0]!.cells[0], 'Cloud');
      assert.equal(r[2]!.cells[0], 'traefik2', 'a module without ui name is shown by its id');
      assert.equal(r[3]!.cells[0], 'Webtop &lt;Sales &amp; Co&gt;', 'ui names are escaped');
      assert.match(mail!.text!, /journalctl -u backup2/);
      await new Promise((res) => setTimeout(res, 1500));
      assert.equal(smtp.messages.length, 1, 'exactly one email per run');
    } finally { await service.stop(); }
  });
});
