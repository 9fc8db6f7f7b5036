// SPDX-License-Identifier: GPL-3.0-or-later
// The outbox sender on a fake clock pair (wall + monotonic), one pass at a time, against the real
// record store on a real Redis with NS8's ACLs (the module's own user writes). The smarthost is a
// scripted mailer: it accepts, or refuses with a temporary 451, as each test says.
// Issue #25 items 4 (one unreadable queued report stops all mail) and 10 (clock jumps), and the
// mutation survivors "retrying without backoff" and "give-up age in the wrong unit".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { firstDelivery, moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import { memoryLogger } from '../../src/log.js';
import type { Mailer, OutgoingMail } from '../../src/notify/mailer.js';
import { backoffMs, GIVE_UP_AFTER_MS, GIVE_UP_ATTEMPTS, OutboxSender } from '../../src/notify/outbox-sender.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import { parseSmarthost } from '../../src/ns8/smarthost.js';
import type { Redis } from '../../src/ns8/redis.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useRedisPair } from '../helpers/redis-pair.js';
import { report as fixtureReport } from '../imageroot/fixtures.js';

const K = moduleKeys(MODULE_ID);
const DAY_MS = 24 * 3600_000;
const T0 = Date.UTC(2026, 7, 10, 3, 0, 0);
let writer: Redis;
let admin: Redis;

useRedisPair((p) => {
  writer = p.writer;
  admin = p.admin;
});

/** A wall clock and a monotonic clock the test moves; the wall one can jump either way. */
function fakeClocks() {
  const c = { wallMs: T0, monoMs: 1_000 };
  return {
    c,
    clock: { now: () => c.wallMs },
    monotonicMs: () => c.monoMs,
    /** Time passes: both clocks move. */
    pass(ms: number) {
      c.wallMs += ms;
      c.monoMs += ms;
    },
  };
}

/** A smarthost that refuses (451) while `refusing`, and records every attempt. */
function scriptedMailer() {
  const m = { refusing: false, attempts: [] as OutgoingMail[], sent: [] as OutgoingMail[] };
  const mailer: Mailer = {
    async send(mail) {
      m.attempts.push(mail);
      if (m.refusing) throw Object.assign(new Error('451 4.7.0 try again later'), { responseCode: 451 });
      m.sent.push(mail);
      return { messageId: mail.messageId ?? '' };
    },
  };
  return { m, mailer };
}

function setup() {
  const clocks = fakeClocks();
  const { m, mailer } = scriptedMailer();
  const log = memoryLogger();
  const records = createRecordStore(writer, MODULE_ID);
  const sender = new OutboxSender({
    records,
    mailer,
    smarthost: async () => parseSmarthost({ enabled: '1', host: 'smtp.example.org', port: '587' }),
    sender: () => 'backup@example.org',
    clock: clocks.clock,
    monotonicMs: clocks.monotonicMs,
    log,
  });
  return { ...clocks, m, log, records, sender };
}

/** A report made now, queued for its first attempt, stored the way the pipeline stores it. */
async function queue(records: ReturnType<typeof createRecordStore>, id: string, nowMs: number, over = {}) {
  const r: StoredReport = {
    ...fixtureReport(id),
    createdAt: nowMs,
    delivery: { ...firstDelivery(['ops@example.org'], nowMs), ...over },
  };
  await records.store(r, { planId: 2, planName: 'Weekly SMB' } as PlanState, true);
  return r;
}

const stored = async (id: string) => JSON.parse((await admin.get(K.report(id)))!) as StoredReport;

describe('one unreadable queued report (issue #25 item 4)', () => {
  it('a truncated report and one without delivery are set aside; the good ones are sent', async () => {
    const t = setup();
    await queue(t.records, 'good-1', T0);
    await queue(t.records, 'good-2', T0);
    // Older than the good ones: the sender meets them first.
    const truncated = JSON.stringify(fixtureReport('bad-json')).slice(0, 120);
    const { delivery: _d, ...noDelivery } = fixtureReport('no-delivery');
    await admin.set(K.report('bad-json'), truncated);
    await admin.set(K.report('no-delivery'), JSON.stringify(noDelivery));
    await admin.lPush(K.history, ['bad-json', 'no-delivery']);
    await admin.hSet(K.outbox, { 'bad-json': String(T0 - 60_000), 'no-delivery': String(T0 - 30_000) });

    await t.sender.sendDue();
    assert.deepEqual(t.m.sent.map((x) => x.messageId).sort(), ['<good-1@example.org>', '<good-2@example.org>']);
    assert.deepEqual(await admin.hKeys(K.outbox), [], 'the unreadable ones left the outbox');
    const index = await admin.hmGet(K.index, ['bad-json', 'no-delivery']);
    for (const raw of index) {
      const entry = JSON.parse(raw!) as { delivery: { status: string; lastError: string } };
      assert.equal(entry.delivery.status, 'failed', 'the history says it was not mailed');
      assert.match(entry.delivery.lastError, /cannot be read/);
    }
    assert.equal(t.log.lines.filter((l) => l.includes('cannot be read')).length, 2, 'logged once each');

    await t.sender.sendDue();
    assert.equal(t.m.attempts.length, 2, 'nothing is tried again');
    assert.equal(t.log.lines.filter((l) => l.includes('cannot be read')).length, 2, 'and not logged again');
  });

  it('a queued id whose report is gone leaves the outbox, with one warning', async () => {
    const t = setup();
    await admin.hSet(K.outbox, 'expired-1', String(T0 - 1000));
    await queue(t.records, 'good-1', T0);
    await t.sender.sendDue();
    await t.sender.sendDue();
    assert.equal(t.m.sent.length, 1);
    assert.deepEqual(await admin.hKeys(K.outbox), []);
    assert.equal(t.log.lines.filter((l) => l.includes('queued report is gone')).length, 1);
  });
});

describe('backoff on a monotonic clock (issue #25 item 10, mutation survivors)', () => {
  it('a refusing smarthost is tried again only after the backoff, growing', async () => {
    const t = setup();
    t.m.refusing = true;
    await queue(t.records, 'r1', T0);
    await t.sender.sendDue();
    assert.equal(t.m.attempts.length, 1);
    for (let attempt = 1; attempt <= 4; attempt++) {
      const wait = backoffMs(attempt);
      t.pass(wait - 1);
      await t.sender.sendDue();
      assert.equal(t.m.attempts.length, attempt, `no attempt ${attempt + 1} before ${wait} ms`);
      t.pass(1);
      await t.sender.sendDue();
      assert.equal(t.m.attempts.length, attempt + 1, `attempt ${attempt + 1} after ${wait} ms`);
    }
    assert.ok(backoffMs(4) > backoffMs(1), 'the waits grow');
    assert.equal((await stored('r1')).delivery.status, 'pending');
  });

  it('a +1 day jump that is corrected costs no more than the backoff', async () => {
    const t = setup();
    t.m.refusing = true;
    await queue(t.records, 'r1', T0);
    t.c.wallMs += DAY_MS; // the node's clock jumps a day ahead…
    await t.sender.sendDue();
    assert.equal(t.m.attempts.length, 1);
    t.c.wallMs -= DAY_MS; // …and is corrected
    t.m.refusing = false;
    t.pass(backoffMs(1));
    await t.sender.sendDue();
    assert.equal(t.m.sent.length, 1, 'sent after the backoff, not a day later');
  });

  it('after a restart, a wait the wall clock stretched beyond any backoff is not honoured', async () => {
    const t = setup();
    // Written by an earlier process while the clock was a day ahead.
    await queue(t.records, 'r1', T0, { attempts: 3, nextAttemptAt: T0 + DAY_MS });
    await t.sender.sendDue();
    assert.equal(t.m.sent.length, 1);
  });

  it('a +4 day jump during an outage does not give up a report', async () => {
    const t = setup();
    t.m.refusing = true;
    await queue(t.records, 'r1', T0);
    await t.sender.sendDue();
    t.c.wallMs += 4 * DAY_MS;
    t.c.monoMs += backoffMs(1);
    await t.sender.sendDue();
    assert.equal(t.m.attempts.length, 2);
    assert.equal((await stored('r1')).delivery.status, 'pending', 'still queued');
    t.m.refusing = false;
    t.pass(backoffMs(2));
    await t.sender.sendDue();
    assert.equal(t.m.sent.length, 1);
  });

  it('gives up after its attempts and three days, not before (ms, not s)', async () => {
    const t = setup();
    t.m.refusing = true;
    // Enough attempts already, but made two days ago: too early to give up.
    await queue(t.records, 'young', T0 - 2 * DAY_MS, { attempts: GIVE_UP_ATTEMPTS });
    await queue(t.records, 'old', T0 - GIVE_UP_AFTER_MS - 60_000, { attempts: GIVE_UP_ATTEMPTS });
    // Three days old by the wall clock, but only a few attempts made: the clock may have jumped.
    await queue(t.records, 'few', T0 - GIVE_UP_AFTER_MS - 60_000, { attempts: 2 });
    await t.sender.sendDue();
    assert.equal(t.m.attempts.length, 3);
    assert.equal((await stored('young')).delivery.status, 'pending');
    assert.equal((await stored('few')).delivery.status, 'pending');
    const old = await stored('old');
    assert.equal(old.delivery.status, 'failed');
    assert.equal(old.delivery.lastErrorCode, 'SMTP_TEMPORARY');
    assert.deepEqual((await admin.hKeys(K.outbox)).sort(), ['few', 'young']);
  });

  it('gives up on monotonic time too, when the wall clock went back', async () => {
    const t = setup();
    t.m.refusing = true;
    await queue(t.records, 'r1', T0, { attempts: GIVE_UP_ATTEMPTS });
    await t.sender.sendDue();
    assert.equal((await stored('r1')).delivery.status, 'pending');
    t.c.wallMs -= 30 * DAY_MS; // the wall clock goes a month back
    t.c.monoMs += GIVE_UP_AFTER_MS;
    await t.sender.sendDue();
    assert.equal((await stored('r1')).delivery.status, 'failed');
  });

  it('the attempts needed to give up are those three days of backoff make', () => {
    let elapsed = 0;
    let n = 0;
    while (elapsed < GIVE_UP_AFTER_MS) elapsed += backoffMs(++n);
    assert.equal(GIVE_UP_ATTEMPTS, n);
    assert.equal(GIVE_UP_AFTER_MS, 3 * DAY_MS);
  });
});
