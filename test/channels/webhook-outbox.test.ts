// SPDX-License-Identifier: GPL-3.0-or-later
// The signed webhook through the real outbox (issue #22 §1, §5): email, the webhook (against the
// contract-enforcing receiver, test/sim/webhook.ts) and a failing channel (test/channels/
// fake-transport.ts) on the real outbox sender and record store, real Redis with NS8's ACLs, fake
// wall and monotonic clocks (as test/channels/seam.test.ts). Email and the webhook are delivered
// on the first pass whatever the failing channel does; a hung webhook never holds email back, and
// across a restart the receiver gets each delivery id once.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firstDelivery, moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import { memoryLogger } from '../../src/log.js';
import type { Mailer, OutgoingMail } from '../../src/notify/mailer.js';
import { backoffMs, OutboxSender } from '../../src/notify/outbox-sender.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import { emailTransport } from '../../src/channels/email/transport.js';
import { firstDeliveriesOf } from '../../src/channels/index.js';
import { deliveryIdOf } from '../../src/channels/webhook/format.js';
import { webhookChannel } from '../../src/channels/webhook/transport.js';
import { parseSmarthost } from '../../src/ns8/smarthost.js';
import type { Redis } from '../../src/ns8/redis.js';
import { Secret } from '../../src/secret.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useRedisPair } from '../helpers/redis-pair.js';
import { report as fixtureReport } from '../imageroot/fixtures.js';
import { startWebhookSim, type WebhookSim } from '../sim/webhook.js';
import { fakeChannel, type FakeChannel } from './fake-transport.js';

const K = moduleKeys(MODULE_ID);
const T0 = Date.UTC(2026, 7, 10, 3, 0, 0);
let admin: Redis;
let writer: Redis;
let sim: WebhookSim;

useRedisPair((p) => {
  writer = p.writer;
  admin = p.admin;
});

const clocks = { wallMs: T0, monoMs: 1_000 };
before(async () => {
  sim = await startWebhookSim({ nowMs: () => clocks.wallMs });
});
after(() => sim.stop());

function pass(ms: number) {
  clocks.wallMs += ms;
  clocks.monoMs += ms;
}

function setup() {
  clocks.wallMs = T0;
  clocks.monoMs = 1_000;
  sim.answers.length = 0;
  sim.received.length = 0;
  sim.delivered.length = 0;
  sim.refused.length = 0;
  const sent: OutgoingMail[] = [];
  const mailer: Mailer = {
    async send(mail) {
      sent.push(mail);
      return { messageId: mail.messageId ?? '' };
    },
  };
  return { sent, mailer, fake: fakeChannel(() => clocks.wallMs) };
}

/** One service process: its own transports, record store and sender, on the shared Redis and clocks. */
function processOf(mailer: Mailer, fake: FakeChannel) {
  const email = emailTransport({
    mailer,
    smarthost: async () => parseSmarthost({ enabled: '1', host: 'smtp.example.org', port: '587' }),
    sender: () => 'backup@example.org',
  });
  const webhook = webhookChannel(
    { url: new Secret(sim.url), secret: new Secret(sim.secret), level: 'problems', plans: null },
    { timeZone: 'Europe/Rome', moduleId: MODULE_ID, clusterAdminUrl: null, nowMs: () => clocks.wallMs },
  )!;
  // The failing channel and the webhook first: a lane that waited for them would hold email back.
  const transports = [fake.transport, webhook, email];
  const records = createRecordStore(writer, MODULE_ID, undefined, firstDeliveriesOf(transports));
  const sender = new OutboxSender({
    records,
    transports,
    clock: { now: () => clocks.wallMs },
    monotonicMs: () => clocks.monoMs,
    log: memoryLogger(),
  });
  return { records, sender };
}

async function queue(records: ReturnType<typeof createRecordStore>, id: string) {
  const r: StoredReport = {
    ...fixtureReport(id),
    createdAt: clocks.wallMs,
    delivery: firstDelivery(['ops@example.org'], T0),
  };
  await records.store(r, { planId: 2, planName: 'Weekly SMB' } as PlanState, true);
}

const stored = async (id: string) => JSON.parse((await admin.get(K.report(id)))!) as StoredReport;

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`never happened: ${what}`);
}

describe('the webhook on the real outbox (issue #22)', () => {
  it('email and the webhook are delivered on the first pass while a failing channel retries; a restart sends nothing twice', async () => {
    const t = setup();
    t.fake.answers.push({ status: 503 }, { status: 503 });
    const p = processOf(t.mailer, t.fake);
    await queue(p.records, 'r1');
    assert.deepEqual((await admin.hKeys(K.outbox)).sort(), ['r1', 'r1#fake', 'r1#webhook']);
    await p.sender.sendDue();
    assert.equal(t.sent.length, 1, 'email on the first pass');
    assert.deepEqual(sim.delivered, [deliveryIdOf('r1')], 'the webhook on the first pass');
    const after1 = await stored('r1');
    assert.equal(after1.deliveries!.webhook!.status, 'sent');
    assert.deepEqual(after1.deliveries!.webhook!.recipients, [new URL(sim.url).host], 'the host, not the key');
    assert.equal(after1.deliveries!.fake!.status, 'pending');
    assert.ok(
      !JSON.stringify(after1).includes(sim.secret) && !JSON.stringify(after1).includes(new URL(sim.url).pathname),
    );

    const next = processOf(t.mailer, t.fake); // the restart
    for (let i = 1; i <= 3; i++) {
      pass(backoffMs(i));
      await next.sender.sendDue();
    }
    assert.deepEqual(t.fake.accepted, ['r1'], 'the failing channel got through in the end');
    assert.equal(t.sent.length, 1, 'email not sent twice');
    assert.equal(sim.received.length, 1, 'the webhook not sent twice');
    assert.deepEqual(await admin.hKeys(K.outbox), []);
  });

  it('a hung webhook never holds email back; after a stop and a restart the receiver gets the same delivery id', async () => {
    const t = setup();
    sim.answers.push('hang');
    const p = processOf(t.mailer, t.fake);
    await queue(p.records, 'r2');
    const running = p.sender.sendDue();
    await until(async () => (await stored('r2')).delivery.status === 'sent', 'email sent');
    assert.equal(sim.received.length, 1, 'while the webhook receiver holds the request');
    assert.deepEqual(sim.delivered, []);
    await p.sender.stop();
    await running;
    const left = (await stored('r2')).deliveries!.webhook!;
    assert.deepEqual([left.status, left.lastErrorCode], ['pending', 'CHANNEL_ABORTED']);

    const next = processOf(t.mailer, t.fake);
    pass(backoffMs(1));
    await next.sender.sendDue();
    assert.deepEqual(sim.delivered, [deliveryIdOf('r2')]);
    assert.equal(sim.received[0]!.doc.id, sim.received[1]!.doc.id, 'one delivery id for both attempts');
    assert.equal((await stored('r2')).deliveries!.webhook!.status, 'sent');
    assert.equal(t.sent.length, 1);
    assert.deepEqual(await admin.hKeys(K.outbox), []);
  });
});
