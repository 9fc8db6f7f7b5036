// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #22 §4: the channels' secrets go through configure-module into a private state file, never
// into the module environment (mirrored in Redis for every cluster user), task output or logs;
// get-configuration says only "set" / "not set"; bin/write-service-env hands them to the service.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { IMAGEROOT, agentEnvironment, readEnvFile, runAction } from '../sim/agent-runner.js';
import { CHANNEL_SECRETS, FULL_SETTINGS, freshModule, redisEnvironment } from './harness.js';

const h = freshModule('bm-secrets-');
const secretsFile = () => path.join(h.o.stateDir, 'channel-secrets.json');
const status = async () =>
  ((await runAction('get-configuration', {}, h.o)).output as { secrets: Record<string, string> }).secrets;
const everyField = (value: string) => Object.fromEntries(Object.keys(CHANNEL_SECRETS).map((k) => [k, value]));

/** Fails when any real secret value is in `text`. */
function assertNoSecret(text: string, where: string) {
  for (const v of Object.values(CHANNEL_SECRETS)) assert.ok(!text.includes(v), `${where} holds ${v}`);
}

function serviceEnv(): Record<string, string> {
  const file = path.join(h.root, 'backup-monitor.env');
  const r = spawnSync(path.join(IMAGEROOT, 'bin', 'write-service-env'), [file], {
    cwd: h.o.stateDir,
    env: agentEnvironment(h.o),
    encoding: 'utf8',
  });
  assert.equal(r.status, 0, r.stderr);
  assertNoSecret(r.stdout + r.stderr, 'write-service-env output');
  return readEnvFile(file);
}

describe('channel secrets', () => {
  test('stored 600 in the state dir, "set" in get-configuration, nowhere in the environment or task output', async () => {
    assert.deepEqual(await status(), everyField('not set'));
    const res = await runAction('configure-module', { ...FULL_SETTINGS, ...CHANNEL_SECRETS }, h.o);
    assert.equal(res.status, 'completed', res.error);
    assertNoSecret(JSON.stringify(res), 'configure-module output');
    assert.equal(statSync(secretsFile()).mode & 0o777, 0o600);
    assert.deepEqual(JSON.parse(readFileSync(secretsFile(), 'utf8')), CHANNEL_SECRETS);
    assertNoSecret(readFileSync(path.join(h.o.stateDir, 'environment'), 'utf8'), 'state/environment');
    assertNoSecret(JSON.stringify(await redisEnvironment(h.redis)), 'module/<id>/environment');
    const got = await runAction('get-configuration', {}, h.o);
    assertNoSecret(JSON.stringify(got), 'get-configuration');
    assert.deepEqual((got.output as { secrets: unknown }).secrets, everyField('set'));
  });

  test('the service gets them through its private env file and turns every channel on', async () => {
    await runAction('configure-module', { ...FULL_SETTINGS, ...CHANNEL_SECRETS }, h.o);
    const env = serviceEnv();
    assert.equal(env.TELEGRAM_BOT_TOKEN, CHANNEL_SECRETS.telegram_bot_token);
    assert.equal(env.WEBHOOK_SECRET, CHANNEL_SECRETS.webhook_secret);
    const cfg = loadConfig({ ...readEnvFile(path.join(h.o.stateDir, 'environment')), ...env });
    assert.equal(cfg.channels.telegram?.chatId, FULL_SETTINGS.telegram_chat_id);
    assert.deepEqual(cfg.channels.teams?.plans, [1, 2]);
    assert.equal(cfg.channels.ntfy?.token?.reveal(), CHANNEL_SECRETS.ntfy_token);
    assert.equal(cfg.channels.webhook?.url.reveal(), CHANNEL_SECRETS.webhook_url);
    assert.equal(cfg.clusterAdminUrl, FULL_SETTINGS.cluster_admin_url);
  });

  test('null or omitted keeps a secret, "" clears it, text replaces it', async () => {
    await runAction('configure-module', { ...FULL_SETTINGS, ...CHANNEL_SECRETS }, h.o);
    await runAction('configure-module', { ...FULL_SETTINGS, telegram_bot_token: null }, h.o);
    assert.deepEqual(await status(), everyField('set'), 'the page saving other settings keeps them');
    const res = await runAction(
      'configure-module',
      { ...FULL_SETTINGS, ntfy_token: '', webhook_secret: 'another-long-secret' },
      h.o,
    );
    assert.equal(res.status, 'completed', res.error);
    assert.deepEqual(await status(), { ...everyField('set'), ntfy_token: 'not set' });
    const stored = JSON.parse(readFileSync(secretsFile(), 'utf8'));
    assert.equal(stored.webhook_secret, 'another-long-secret');
    assert.equal(stored.ntfy_token, undefined);
    assert.equal(serviceEnv().NTFY_TOKEN, undefined);
  });

  test('a bad value is refused field by field without repeating it, and nothing is stored', async () => {
    const bad = {
      teams_webhook_url: 'not-a-url-real-teams-sig-value',
      telegram_bot_token: 'real-telegram-token-value\nEVIL=1',
      webhook_secret: 'x'.repeat(201),
    };
    const res = await runAction('configure-module', { ...FULL_SETTINGS, ...bad }, h.o);
    assert.equal(res.status, 'validation-failed');
    const errors = res.output as { field: string; error: string; value: unknown }[];
    assert.deepEqual(errors.map((e) => [e.field, e.error]).sort(), [
      ['teams_webhook_url', 'pattern'],
      ['telegram_bot_token', 'string_lte'],
      ['webhook_secret', 'string_lte'],
    ]);
    const text = JSON.stringify(res);
    assert.ok(
      !text.includes('real-teams-sig-value') && !text.includes('EVIL') && !text.includes('x'.repeat(201)),
      text,
    );
    assert.deepEqual(await status(), everyField('not set'));
  });
});
