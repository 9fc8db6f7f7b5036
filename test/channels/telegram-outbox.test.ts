// SPDX-License-Identifier: GPL-3.0-or-later
// The Telegram channel on the real delivery seam (issue #22): record store and outbox sender on
// real Redis with NS8's ACLs, fake clocks, the Bot API simulator (test/sim/telegram.ts). Email and
// Telegram both deliver each run report once; Telegram refusing or hanging never delays email.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { firstDelivery, moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import { emailTransport } from '../../src/channels/email/transport.js';
import { firstDeliveriesOf } from '../../src/channels/index.js';
import { telegramChannel } from '../../src/channels/telegram/transport.js';
import type { Transport } from '../../src/channels/transport.js';
import { memoryLogger } from '../../src/log.js';
import type { Mailer, OutgoingMail } from '../../src/notify/mailer.js';
import { backoffMs, OutboxSender } from '../../src/notify/outbox-sender.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import { parseSmarthost } from '../../src/ns8/smarthost.js';
import type { Redis } from '../../src/ns8/redis.js';
import { Secret } from '../../src/secret.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useRedisPair } from '../helpers/redis-pair.js';
import { report as fixtureReport } from '../imageroot/fixtures.js';
import { startTelegramSim, type TelegramSim } from '../sim/telegram.js';

const K = moduleKeys(MODULE_ID);
const T0 = Date.UTC(2026, 7, 10, 3, 0, 0);
const CHAT = '-1001234567890';
let admin: Redis;
let writer: Redis;
let sim: TelegramSim;

useRedisPair((p) => {
  writer = p.writer;
  admin = p.admin;
});
before(async () => {
  sim = await startTelegramSim();
});
after(() => sim.stop());

/** One service process on the shared Redis, simulator and clocks: a restart keeps the time, not the memory. */
function processOf(c: { wallMs: number; monoMs: number }, sent: OutgoingMail[]) {
  const mailer: Mailer = {
    async send(mail) {
      sent.push(mail);
      return { messageId: mail.messageId ?? '' };
    },
  };
  const email = emailTransport({
    mailer,
    smarthost: async () => parseSmarthost({ enabled: '1', host: 'smtp.example.org', port: '587' }),
    sender: () => 'backup@example.org',
  });
  const telegram = telegramChannel(
    { botToken: new Secret(sim.token), chatId: CHAT, apiUrl: sim.url, level: 'problems', plans: null },
    { timeZone: 'Europe/Rome', moduleId: MODULE_ID, clusterAdminUrl: null, nowMs: () => c.wallMs },
  ) as Transport;
  // Telegram first: a lane that waited for it would hold email back.
  const transports = [telegram, email];
  const records = createRecordStore(writer, MODULE_ID, undefined, firstDeliveriesOf(transports));
  const log = memoryLogger();
  const sender = new OutboxSender({
    records,
    transports,
    clock: { now: () => c.wallMs },
    monotonicMs: () => c.monoMs,
    log,
  });
  return { records, sender, log };
}

function setup() {
  sim.script.length = 0;
  sim.sent.length = 0;
  const c = { wallMs: T0, monoMs: 1_000 };
  const sent: OutgoingMail[] = [];
  const pass = (ms: number) => {
    c.wallMs += ms;
    c.monoMs += ms;
  };
  return { c, sent, pass, p: processOf(c, sent) };
}

async function queue(records: ReturnType<typeof createRecordStore>, id: string) {
  const r: StoredReport = { ...fixtureReport(id), createdAt: T0, delivery: firstDelivery(['ops@example.org'], T0) };
  await records.store(r, { planId: 2, planName: 'Weekly SMB' } as PlanState, true);
}

const stored = async (id: string) => JSON.parse((await admin.get(K.report(id)))!) as StoredReport;
const telegramState = async (id: string) => (await stored(id)).deliveries!.telegram!;

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`never happened: ${what}`);
}

describe('Telegram on the delivery seam', () => {
  it('429 with retry_after: email at once, Telegram once when it said, never twice', async () => {
    const t = setup();
    sim.script.push({ status: 429, description: 'Too Many Requests: retry after 90', retryAfterS: 90 });
    await queue(t.p.records, 'r1');
    assert.deepEqual((await admin.hKeys(K.outbox)).sort(), ['r1', 'r1#telegram']);
    await t.p.sender.sendDue();
    assert.equal(t.sent.length, 1, 'email on the first pass');
    const waiting = await telegramState('r1');
    assert.deepEqual(
      [waiting.status, waiting.lastErrorCode, waiting.nextAttemptAt],
      ['pending', 'CHANNEL_BUSY', T0 + 90_000],
    );
    assert.deepEqual(waiting.recipients, [CHAT]);

    t.pass(90_000 - 1);
    await t.p.sender.sendDue();
    assert.equal(sim.sent.length, 0, 'not before the 90 s Telegram asked for');
    t.pass(1);
    await t.p.sender.sendDue();
    assert.equal(sim.sent.length, 1);
    assert.match(sim.sent[0]!.shown, /^⚠️ .*Weekly SMB/u);
    assert.equal((await telegramState('r1')).status, 'sent');
    t.pass(3_600_000);
    await t.p.sender.sendDue();
    assert.equal(sim.sent.length, 1, 'one message');
    assert.equal(t.sent.length, 1, 'one mail');
    assert.deepEqual(await admin.hKeys(K.outbox), []);
  });

  it('a hanging Telegram: email is sent meanwhile; after a restart Telegram gets it once', async () => {
    const t = setup();
    sim.script.push('hang');
    await queue(t.p.records, 'r1');
    const pass = t.p.sender.sendDue();
    await until(async () => (await stored('r1')).delivery.status === 'sent', 'email sent');
    assert.equal(sim.hanging, 1, 'while Telegram still hangs');
    await t.p.sender.stop();
    await pass;
    assert.equal((await telegramState('r1')).lastErrorCode, 'CHANNEL_ABORTED');

    const next = processOf(t.c, t.sent);
    t.pass(backoffMs(1));
    await next.sender.sendDue();
    assert.equal(sim.sent.length, 1);
    assert.equal(t.sent.length, 1, 'email not sent twice across the restart');
    assert.deepEqual(await admin.hKeys(K.outbox), []);
  });

  it('401: permanent, on the report with a clear message, no token in it or in the log', async () => {
    const t = setup();
    sim.script.push({ status: 401, description: `Unauthorized for bot${sim.token}` });
    await queue(t.p.records, 'r1');
    await t.p.sender.sendDue();
    assert.equal(t.sent.length, 1);
    const failed = await telegramState('r1');
    assert.deepEqual([failed.status, failed.lastErrorCode], ['failed', 'CHANNEL_CREDENTIALS']);
    assert.match(failed.lastError ?? '', /check the token: Unauthorized for bot<secret>/);
    assert.ok(
      t.p.log.lines.some((l) => l.includes('CHANNEL_CREDENTIALS') && l.includes('<secret>')),
      'logged, redacted',
    );
    const everything = JSON.stringify(t.p.log.lines) + JSON.stringify(await admin.get(K.report('r1')));
    assert.ok(!everything.includes(sim.token.split(':')[1]!), 'the token in the log or the stored report');
  });
});
