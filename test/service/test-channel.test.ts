// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #22 §4: Send test per channel — a sample report through the configured channel's real
// transport (here against the Telegram simulator and the ntfy simulator), answered ok or with the
// channel's own words, never a secret; a channel that is off says so.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { transportsFor } from '../../src/channels/index.js';
import { loadConfig } from '../../src/config.js';
import type { Mailer } from '../../src/notify/mailer.js';
import { testChannelSender } from '../../src/service/test-channel.js';
import { startTelegramSim, type TelegramSim } from '../sim/telegram.js';

const noMail = { send: async () => assert.fail('no mail in a channel test') } as unknown as Mailer;

function senderFor(env: Record<string, string>) {
  const config = loadConfig(env);
  const transports = transportsFor({
    config,
    mailer: noMail,
    smarthost: async () => assert.fail('no smarthost'),
    sender: () => 'x@example.org',
  });
  return testChannelSender({ config, transports, nowMs: () => 1_786_238_400_000 });
}

describe('the channel registry (src/channels/index.ts)', () => {
  const transportsOf = (env: Record<string, string>) =>
    transportsFor({
      config: loadConfig(env),
      mailer: noMail,
      smarthost: async () => assert.fail('no smarthost'),
      sender: () => 'x@example.org',
    }).map((t) => t.channel);

  test('builds each configured channel from config.channels, email first; the others stay off', () => {
    assert.deepEqual(transportsOf({}), ['email']);
    assert.deepEqual(
      transportsOf({
        TELEGRAM_BOT_TOKEN: '123456:AAE-token',
        TELEGRAM_CHAT_ID: '42',
        TEAMS_WEBHOOK_URL: 'https://teams.example.org/workflows/x',
        NTFY_TOPIC_URL: 'https://ntfy.example.org/backups',
        WEBHOOK_URL: 'https://hooks.example.org/h',
        WEBHOOK_SECRET: 'a-long-shared-secret',
      }),
      ['email', 'telegram', 'teams', 'ntfy', 'webhook'],
    );
  });
});

describe('send a test through a channel', () => {
  let sim: TelegramSim;
  before(async () => {
    sim = await startTelegramSim();
    sim.chats.add('-100123');
  });
  after(() => sim.stop());
  const env = () => ({
    TELEGRAM_BOT_TOKEN: sim.token,
    TELEGRAM_API_URL: sim.url,
    TELEGRAM_CHAT_ID: '-100123',
    TELEGRAM_PLANS: '7',
    MAIL_LANGUAGE: 'it',
  });

  test('a configured channel gets one sample message, in the module language', async () => {
    const r = await senderFor(env())('telegram');
    assert.deepEqual(r, { ok: true, status: 200, body: { ok: true, channel: 'telegram', code: 'OK' } });
    assert.equal(sim.sent.length, 1);
    assert.equal(sim.sent[0]!.chatId, '-100123');
    assert.match(sim.sent[0]!.shown, /Messaggio di prova/);
  });

  test("the channel's own error text comes back, without the token", async () => {
    sim.script.push('echo-path');
    const r = await senderFor(env())('telegram');
    assert.equal(r.ok, false);
    assert.equal(r.status, 502);
    const text = JSON.stringify(r.body);
    assert.ok(!text.includes(sim.token) && !text.includes(sim.token.split(':')[1]!), text);
    const r2 = await senderFor({ ...env(), TELEGRAM_CHAT_ID: '-100999' })('telegram');
    assert.equal(r2.status, 502);
    assert.match(String(r2.body.error), /chat not found/);
  });

  test('a channel that is off, or email, is refused with a plain reason', async () => {
    const send = senderFor({});
    for (const ch of ['telegram', 'email', 'pager']) {
      const r = await send(ch);
      assert.equal(r.status, 400);
      assert.equal(r.body.code, 'CHANNEL_OFF');
    }
  });
});
