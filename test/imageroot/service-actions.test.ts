// SPDX-License-Identifier: GPL-3.0-or-later
// Actions that talk to the running service (send-test-notification, get-alertmanager-config):
// the real service (src/service.ts) in-process, a real SMTP sink as smarthost, real Redis.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startTestService } from '../helpers/service.js';
import { freePort } from '../helpers/ports.js';
import { adminClient, seedCluster } from '../sim/cluster.js';
import { installModule, runAction, type AgentOptions } from '../sim/agent-runner.js';

let redis: RedisServer;
let smtp: SmtpSink;
let root: string;
let o: AgentOptions;
let service: Awaited<ReturnType<typeof startTestService>>;

before(async () => {
  [redis, smtp] = await Promise.all([startRedis(), startSmtpSink()]);
  await seedCluster(redis, { smtpPort: smtp.port });
  root = mkdtempSync(path.join(tmpdir(), 'bm-svc-'));
  o = { stateDir: path.join(root, 'state'), redis };
  const tcpPort = await freePort();
  const created = await installModule({ ...o, tcpPort });
  assert.equal(created.status, 'completed', created.error);
  // The service gets the token the module made, as bin/write-service-env hands it over.
  const token = readFileSync(path.join(o.stateDir, 'receiver.token'), 'utf8').trim();
  service = await startTestService(redis, {
    RECEIVER_TOKEN: token,
    MAIL_TO: 'ops@example.org',
    TCP_PORT: String(tcpPort),
  });
});
after(async () => {
  await service?.service.stop();
  await Promise.all([redis?.stop(), smtp?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

describe('send-test-notification', () => {
  test('a real mail through the smarthost to the given address', async () => {
    const res = await runAction('send-test-notification', { to: ['someone@example.org'] }, o);
    assert.equal(res.status, 'completed', res.error);
    const out = res.output as { ok: boolean; recipients: string[]; message_id: string };
    assert.equal(out.ok, true);
    assert.deepEqual(out.recipients, ['someone@example.org']);
    const [mail] = await smtp.waitFor(1);
    assert.deepEqual(smtp.envelopes[0]!.to, ['someone@example.org']);
    assert.equal(`<${mail!.messageId!.replace(/^<|>$/g, '')}>`, `<${out.message_id.replace(/^<|>$/g, '')}>`);
  });

  test('without `to` it uses the configured recipients', async () => {
    const res = await runAction('send-test-notification', {}, o);
    assert.equal(res.status, 'completed', res.error);
    assert.deepEqual((res.output as { recipients: string[] }).recipients, ['ops@example.org']);
  });

  test('a bad address is rejected by the schema before the service is asked', async () => {
    const res = await runAction('send-test-notification', { to: ['nope'] }, o);
    assert.equal(res.status, 'validation-failed');
    assert.deepEqual(
      (res.output as { field: string; error: string }[]).map((e) => e.error),
      ['to_format'],
    );
  });

  test('a smarthost that refuses connections gives a stable code, plain words and exit 2', async () => {
    const admin = await adminClient(redis);
    await admin.hSet('cluster/smarthost', 'port', String(await freePort()));
    try {
      const res = await runAction('send-test-notification', {}, o);
      assert.equal(res.status, 'aborted');
      assert.equal(res.exitCode, 2);
      const out = res.output as { ok: boolean; code: string; error: string };
      assert.equal(out.ok, false);
      assert.equal(out.code, 'SMTP_CONNECTION');
      assert.match(res.error, /test notification failed \(SMTP_CONNECTION\)/);
    } finally {
      await admin.hSet('cluster/smarthost', 'port', String(smtp.port));
      await admin.quit();
    }
  });

  test('without the module token the service refuses the call', async () => {
    const res = await runAction('send-test-notification', {}, { ...o, env: { RECEIVER_TOKEN: 'wrong-token' } });
    assert.equal(res.exitCode, 2);
    assert.equal(res.status, 'aborted');
    assert.deepEqual(res.output, { ok: false, code: 'UNAUTHORIZED', error: 'missing or wrong bearer token' });
  });
});

describe('get-alertmanager-config', () => {
  test('returns the receiver YAML and the webhook URL', async () => {
    const res = await runAction('get-alertmanager-config', {}, o);
    assert.equal(res.status, 'completed', res.error);
    const out = res.output as { yaml: string; url: string };
    assert.equal(out.url, `http://127.0.0.1:${service.service.port}/alert`);
    assert.match(out.yaml, /webhook_configs/);
  });
});
