// SPDX-License-Identifier: GPL-3.0-or-later
// The delivery seam (issue #22 section 1): email and a fake second channel (test/channels/
// fake-transport.ts) on the real outbox sender and record store, real Redis with NS8's ACLs, fake
// wall and monotonic clocks. Whatever the second channel does — 429 with Retry-After, 5xx for a
// while, a hang, a 401 — email goes out on the first pass, the second channel retries as it was
// told, and across a restart nothing is lost or sent twice.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firstDelivery, moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import { memoryLogger } from '../../src/log.js';
import type { Mailer, OutgoingMail } from '../../src/notify/mailer.js';
import { backoffMs, OutboxSender } from '../../src/notify/outbox-sender.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import { emailTransport } from '../../src/channels/email/transport.js';
import { firstDeliveriesOf } from '../../src/channels/index.js';
import { parseSmarthost } from '../../src/ns8/smarthost.js';
import type { Redis } from '../../src/ns8/redis.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useRedisPair } from '../helpers/redis-pair.js';
import { report as fixtureReport } from '../imageroot/fixtures.js';
import { fakeChannel, type FakeChannel } from './fake-transport.js';

const K = moduleKeys(MODULE_ID);
const T0 = Date.UTC(2026, 7, 10, 3, 0, 0);
let writer: Redis;
let admin: Redis;

useRedisPair((p) => {
  writer = p.writer;
  admin = p.admin;
});

/** Clocks shared by every "process" of one test: a restart keeps the time, not the memory. */
function fakeClocks() {
  const c = { wallMs: T0, monoMs: 1_000 };
  return {
    c,
    clock: { now: () => c.wallMs },
    pass(ms: number) {
      c.wallMs += ms;
      c.monoMs += ms;
    },
  };
}

function recordingMailer() {
  const sent: OutgoingMail[] = [];
  const mailer: Mailer = {
    async send(mail) {
      sent.push(mail);
      return { messageId: mail.messageId ?? '' };
    },
  };
  return { sent, mailer };
}

/** One service process: its own record store and sender, on the shared Redis and clocks. */
function processOf(t: ReturnType<typeof fakeClocks>, mailer: Mailer, fake: FakeChannel) {
  const email = emailTransport({
    mailer,
    smarthost: async () => parseSmarthost({ enabled: '1', host: 'smtp.example.org', port: '587' }),
    sender: () => 'backup@example.org',
  });
  // The second channel first: a lane that waits for it would hold email back.
  const transports = [fake.transport, email];
  const records = createRecordStore(writer, MODULE_ID, undefined, firstDeliveriesOf(transports));
  const log = memoryLogger();
  const sender = new OutboxSender({ records, transports, clock: t.clock, monotonicMs: () => t.c.monoMs, log });
  return { records, sender, log };
}

function setup() {
  const t = fakeClocks();
  const { sent, mailer } = recordingMailer();
  const fake = fakeChannel(() => t.c.wallMs);
  return { ...t, sent, mailer, fake, p: processOf(t, mailer, fake) };
}

async function queue(records: ReturnType<typeof createRecordStore>, id: string, nowMs: number) {
  const r: StoredReport = {
    ...fixtureReport(id),
    createdAt: nowMs,
    delivery: firstDelivery(['ops@example.org'], nowMs),
  };
  await records.store(r, { planId: 2, planName: 'Weekly SMB' } as PlanState, true);
}

const stored = async (id: string) => JSON.parse((await admin.get(K.report(id)))!) as StoredReport;
const fakeState = async (id: string) => (await stored(id)).deliveries!.fake!;

/** Waits until `check` holds, looking again after each turn of the event loop (no fixed sleep). */
async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`never happened: ${what}`);
}

describe('a failing second channel never delays email (issue #22)', () => {
  it('429 with Retry-After: email at once; the channel waits as told, not the shorter backoff', async () => {
    const t = setup();
    t.fake.answers.push({ status: 429, retryAfter: '120' });
    await queue(t.p.records, 'r1', T0);
    assert.deepEqual((await admin.hKeys(K.outbox)).sort(), ['r1', 'r1#fake'], 'one entry per channel');
    await t.p.sender.sendDue();
    assert.equal(t.sent.length, 1, 'email sent on the first pass');
    assert.equal((await stored('r1')).delivery.status, 'sent');
    const after429 = await fakeState('r1');
    assert.equal(after429.status, 'pending');
    assert.equal(after429.lastErrorCode, 'CHANNEL_BUSY');
    assert.equal(after429.nextAttemptAt, T0 + 120_000, 'the next attempt is when the channel said');

    t.pass(backoffMs(1)); // the backoff alone would try now
    await t.p.sender.sendDue();
    t.pass(120_000 - backoffMs(1) - 1);
    await t.p.sender.sendDue();
    assert.equal(t.fake.attempts.length, 1, 'not before the 120 s it asked for');
    t.pass(1);
    await t.p.sender.sendDue();
    assert.deepEqual(t.fake.accepted, ['r1']);
    assert.equal((await fakeState('r1')).status, 'sent');
    assert.equal(t.sent.length, 1, 'email not sent again');
    assert.deepEqual(await admin.hKeys(K.outbox), []);
  });

  it('5xx for ten minutes: email at once; the channel backs off and is sent once it answers', async () => {
    const t = setup();
    await queue(t.p.records, 'r1', T0);
    const until10min = T0 + 10 * 60_000;
    // Every attempt within the ten minutes gets a 503.
    t.fake.transport = { ...t.fake.transport };
    const send = t.fake.transport.send;
    const script = t.fake.answers;
    t.fake.transport.send = (r, target, signal) => {
      if (t.c.wallMs < until10min) script.unshift({ status: 503 });
      return send(r, target, signal);
    };
    const p = processOf(t, t.mailer, t.fake);
    await p.sender.sendDue();
    assert.equal(t.sent.length, 1, 'email sent on the first pass');
    let attempts = 1;
    while (t.c.wallMs < until10min + 30 * 60_000 && t.fake.accepted.length === 0) {
      t.pass(backoffMs(attempts));
      await p.sender.sendDue();
      attempts = t.fake.attempts.length;
    }
    assert.deepEqual(t.fake.accepted, ['r1'], 'sent once the channel is back');
    assert.ok(
      t.fake.attempts.length >= 5 && t.fake.attempts.length <= 8,
      `${t.fake.attempts.length} attempts: backed off`,
    );
    assert.equal((await fakeState('r1')).status, 'sent');
    assert.equal(t.sent.length, 1);
  });

  it('a hang: email is sent while the channel hangs; a stop ends the attempt, the next process sends it once', async () => {
    const t = setup();
    t.fake.answers.push('hang');
    await queue(t.p.records, 'r1', T0);
    const pass = t.p.sender.sendDue();
    await until(async () => (await stored('r1')).delivery.status === 'sent', 'email sent');
    assert.equal(t.fake.attempts[0]?.ended, 'hanging', 'while the second channel still hangs');
    await t.p.sender.stop();
    await pass;
    assert.equal(t.fake.attempts[0]?.ended, 'aborted');
    const left = await fakeState('r1');
    assert.equal(left.status, 'pending');
    assert.equal(left.lastErrorCode, 'CHANNEL_ABORTED');
    assert.deepEqual(await admin.hKeys(K.outbox), ['r1#fake'], 'still queued for the channel only');

    const next = processOf(t, t.mailer, t.fake); // the restart
    await next.sender.sendDue();
    assert.equal(t.fake.attempts.length, 1, 'not before its backoff');
    t.pass(backoffMs(1));
    await next.sender.sendDue();
    assert.deepEqual(t.fake.accepted, ['r1']);
    assert.equal(t.sent.length, 1, 'email not sent twice across the restart');
    assert.deepEqual(await admin.hKeys(K.outbox), []);
  });

  it('a hang longer than the channel allows is cut and retried, email unaffected', async () => {
    const t = setup();
    t.fake = fakeChannel(() => t.c.wallMs, 20);
    t.fake.answers.push('hang');
    const p = processOf(t, t.mailer, t.fake);
    await queue(p.records, 'r1', T0);
    await p.sender.sendDue();
    assert.equal(t.sent.length, 1);
    const cut = await fakeState('r1');
    assert.equal(cut.lastErrorCode, 'CHANNEL_TIMEOUT');
    assert.equal(cut.status, 'pending');
    t.pass(backoffMs(1));
    await p.sender.sendDue();
    assert.deepEqual(t.fake.accepted, ['r1']);
  });

  it('401 is permanent: recorded with a clear message, never retried; email is sent', async () => {
    const t = setup();
    t.fake.answers.push({ status: 401 });
    await queue(t.p.records, 'r1', T0);
    await t.p.sender.sendDue();
    assert.equal(t.sent.length, 1);
    const failed = await fakeState('r1');
    assert.equal(failed.status, 'failed');
    assert.equal(failed.lastErrorCode, 'CHANNEL_CREDENTIALS');
    assert.match(
      failed.lastError ?? '',
      /refused the credentials \(401 Unauthorized\): check the token: from the fake/,
    );
    assert.deepEqual(await admin.hKeys(K.outbox), []);
    t.pass(3_600_000);
    await t.p.sender.sendDue();
    assert.equal(t.fake.attempts.length, 1, 'not tried again');
    const entry = JSON.parse((await admin.hGet(K.index, 'r1'))!) as { delivery: { status: string } };
    assert.equal(entry.delivery.status, 'sent', "the history's delivery is still email's");
  });
});

describe('reports of an older version (issue #22 migration)', () => {
  it('get their deliveries once, keep their delivery, and are sent by email only', async () => {
    const t = setup();
    const old = { ...fixtureReport('old-1'), delivery: firstDelivery(['ops@example.org'], T0) };
    const sentOld = fixtureReport('old-2');
    await admin.set(K.report('old-1'), JSON.stringify(old), { EX: 1000 });
    await admin.set(K.report('old-2'), JSON.stringify(sentOld));
    await admin.lPush(K.history, ['old-2', 'old-1']);
    // old-2 was sent, but a restored outbox still lists it: it must not go out twice.
    await admin.hSet(K.outbox, { 'old-1': String(T0), 'old-2': String(T0) });

    assert.equal(await t.p.records.addDeliveries(), 2);
    assert.equal(await t.p.records.addDeliveries(), 0, 'idempotent');
    const migrated = await stored('old-1');
    assert.deepEqual(migrated.deliveries, { email: old.delivery });
    assert.deepEqual(migrated.delivery, old.delivery, 'delivery kept for older readers');
    assert.ok((await admin.ttl(K.report('old-1'))) <= 1000, 'its expiry kept');
    assert.deepEqual((await stored('old-2')).deliveries, { email: sentOld.delivery });

    await t.p.sender.sendDue();
    assert.deepEqual(
      t.sent.map((m) => m.messageId),
      ['<old-1@example.org>'],
    );
    assert.equal(t.fake.attempts.length, 0, 'a new channel does not resend old reports');
    assert.equal((await stored('old-1')).delivery.status, 'sent');
    assert.deepEqual(await admin.hKeys(K.outbox), []);
  });
});
