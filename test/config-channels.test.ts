// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #22: the channels besides email in Config — off (null) until their needed fields are set,
// secrets read from the environment or *_FILE as Secrets that never print, plans as ids.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { inspect } from 'node:util';
import { ConfigError, loadConfig } from '../src/config.js';

const TOKEN = '123456:AAE-real-token-value';
const HOOK = 'https://prod.example.org/workflows/abc/invoke?sig=real-sig-value';

describe('config: channels', () => {
  it('every channel is off by default, and the cluster-admin address unknown', () => {
    const c = loadConfig({});
    assert.deepEqual(c.channels, { telegram: null, teams: null, ntfy: null, webhook: null });
    assert.equal(c.clusterAdminUrl, null);
  });

  it('a channel is on only with every needed field', () => {
    assert.equal(loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN }).channels.telegram, null);
    assert.equal(loadConfig({ TELEGRAM_CHAT_ID: '42' }).channels.telegram, null);
    assert.equal(loadConfig({ WEBHOOK_URL: HOOK }).channels.webhook, null);
    const c = loadConfig({ TELEGRAM_BOT_TOKEN: TOKEN, TELEGRAM_CHAT_ID: '-100123', TELEGRAM_PLANS: '2,5,2' });
    const t = c.channels.telegram!;
    assert.equal(t.botToken.reveal(), TOKEN);
    assert.equal(t.chatId, '-100123');
    assert.equal(t.apiUrl, 'https://api.telegram.org');
    assert.equal(t.level, 'problems');
    assert.deepEqual(t.plans, [2, 5]);
    const n = loadConfig({ NTFY_TOPIC_URL: 'https://ntfy.example.org/backups', NTFY_LEVEL: 'every' }).channels.ntfy!;
    assert.equal(n.token, null);
    assert.equal(n.level, 'every');
    assert.equal(n.plans, null);
  });

  it('reads channel secrets from *_FILE and never prints them', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cfg-ch-'));
    writeFileSync(path.join(dir, 'teams'), HOOK + '\n');
    const c = loadConfig({ TEAMS_WEBHOOK_URL_FILE: path.join(dir, 'teams'), TEAMS_LEVEL: 'every' });
    assert.equal(c.channels.teams!.webhookUrl.reveal(), HOOK);
    const printed = JSON.stringify(c) + inspect(c, { depth: 10 }) + String(c.channels.teams!.webhookUrl);
    assert.ok(!printed.includes('real-sig-value'), printed);
  });

  it('refuses bad values by name, never echoing a secret', () => {
    try {
      loadConfig({
        TEAMS_WEBHOOK_URL: 'ftp://x.example.org/real-sig-value',
        TELEGRAM_CHAT_ID: 'me',
        NTFY_PLANS: '2;3',
        TELEGRAM_LEVEL: 'all',
        CLUSTER_ADMIN_URL: 'leader.example.org',
      });
      assert.fail('expected a ConfigError');
    } catch (e) {
      assert.ok(e instanceof ConfigError);
      const vars = e.problems.map((p) => p.split(':')[0]).sort();
      assert.deepEqual(vars, [
        'CLUSTER_ADMIN_URL',
        'NTFY_PLANS',
        'TEAMS_WEBHOOK_URL',
        'TELEGRAM_CHAT_ID',
        'TELEGRAM_LEVEL',
      ]);
      assert.ok(!e.message.includes('real-sig-value'), e.message);
    }
  });
});
