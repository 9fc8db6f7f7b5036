// SPDX-License-Identifier: GPL-3.0-or-later
// The Teams channel on the real delivery seam (issue #22 §1, §5): the real outbox sender and record
// store on a real Redis with NS8's ACLs, email beside it, the Workflows simulator as Teams, fake
// wall and monotonic clocks. A hung or throttling Teams never holds email back; Teams gets its card
// once, when it answers, even across a restart.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import { emailTransport } from '../../src/channels/email/transport.js';
import { firstDeliveriesOf } from '../../src/channels/index.js';
import { teamsChannel } from '../../src/channels/teams/transport.js';
import { firstDelivery, moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import { memoryLogger } from '../../src/log.js';
import type { Mailer, OutgoingMail } from '../../src/notify/mailer.js';
import { backoffMs, OutboxSender } from '../../src/notify/outbox-sender.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import { parseSmarthost } from '../../src/ns8/smarthost.js';
import type { Redis } from '../../src/ns8/redis.js';
import { Secret } from '../../src/secret.js';
import { useRedisPair } from '../helpers/redis-pair.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { report as fixtureReport } from '../imageroot/fixtures.js';
import { startTeamsSim, type TeamsSim } from '../sim/teams.js';

const K = moduleKeys(MODULE_ID);
const T0 = Date.UTC(2026, 7, 10, 3, 0, 0);
let writer: Redis;
let admin: Redis;
let sim: TeamsSim;

useRedisPair((p) => {
  writer = p.writer;
  admin = p.admin;
});
before(async () => {
  sim = await startTeamsSim();
});
after(() => sim.close());
beforeEach(() => {
  sim.answers.length = 0;
  sim.accepted.length = 0;
  sim.requests.length = 0;
});

function world() {
  const c = { wallMs: T0, monoMs: 1_000 };
  const sent: OutgoingMail[] = [];
  const mailer: Mailer = {
    async send(mail) {
      sent.push(mail);
      return { messageId: mail.messageId ?? '' };
    },
  };
  /** One service process; a restart makes another on the same Redis and clocks. */
  const processOf = () => {
    const email = emailTransport({
      mailer,
      smarthost: async () => parseSmarthost({ enabled: '1', host: 'smtp.example.org', port: '587' }),
      sender: () => 'backup@example.org',
    });
    const teams = teamsChannel(
      { webhookUrl: new Secret(sim.webhookUrl), level: 'problems', plans: null },
      { timeZone: 'Europe/Rome', moduleId: MODULE_ID, clusterAdminUrl: null, nowMs: () => c.wallMs },
    )!;
    // A short limit: a hang is cut in a test's time, as the 30 s limit cuts it in the service.
    const transports = [{ ...teams, attemptTimeoutMs: 250 }, email];
    const records = createRecordStore(writer, MODULE_ID, undefined, firstDeliveriesOf(transports));
    const sender = new OutboxSender({
      records,
      transports,
      clock: { now: () => c.wallMs },
      monotonicMs: () => c.monoMs,
      log: memoryLogger(),
    });
    return { records, sender };
  };
  const pass = (ms: number) => {
    c.wallMs += ms;
    c.monoMs += ms;
  };
  return { c, sent, processOf, pass };
}

async function queue(records: ReturnType<typeof createRecordStore>, id: string) {
  const r: StoredReport = { ...fixtureReport(id), createdAt: T0, delivery: firstDelivery(['ops@example.org'], T0) };
  await records.store(r, { planId: 2, planName: 'Weekly SMB' } as PlanState, true);
}

const stored = async (id: string) => JSON.parse((await admin.get(K.report(id)))!) as StoredReport;
const teamsState = async (id: string) => (await stored(id)).deliveries!.teams!;

async function until(check: () => Promise<boolean> | boolean, what: string): Promise<void> {
  for (let i = 0; i < 5000; i++) {
    if (await check()) return;
    await new Promise((r) => setImmediate(r));
  }
  assert.fail(`never happened: ${what}`);
}

describe('Teams and email on one outbox (issue #22)', () => {
  it('a hung Teams: email goes at once; Teams is cut, retried, and gets one card', async () => {
    const w = world();
    const p = w.processOf();
    sim.answers.push('hang');
    await queue(p.records, 'r1');
    assert.deepEqual((await admin.hKeys(K.outbox)).sort(), ['r1', 'r1#teams'], 'one entry per channel');
    const firstPass = p.sender.sendDue();
    await until(async () => (await stored('r1')).delivery.status === 'sent', 'email sent');
    assert.equal((await teamsState('r1')).attempts, 0, 'the Teams attempt had not ended yet');
    assert.deepEqual(
      sim.requests.map((q) => q.status),
      ['hang'],
      'email went while Teams was still hanging',
    );
    await firstPass;
    const cut = await teamsState('r1');
    assert.deepEqual([cut.status, cut.lastErrorCode, cut.attempts], ['pending', 'CHANNEL_TIMEOUT', 1]);

    const restarted = w.processOf();
    w.pass(backoffMs(1));
    await restarted.sender.sendDue();
    assert.equal(sim.accepted.length, 1, 'one card');
    assert.equal((await teamsState('r1')).status, 'sent');
    w.pass(3_600_000);
    await restarted.sender.sendDue();
    assert.equal(sim.accepted.length, 1, 'never twice');
    assert.equal(w.sent.length, 1, 'one mail');
    assert.deepEqual(await admin.hKeys(K.outbox), []);
  });

  it('429 with Retry-After: email at once; Teams waits as told, then gets its card', async () => {
    const w = world();
    const p = w.processOf();
    sim.answers.push({ status: 429, retryAfter: '120' });
    await queue(p.records, 'r1');
    await p.sender.sendDue();
    assert.equal(w.sent.length, 1, 'email on the first pass');
    const throttled = await teamsState('r1');
    assert.deepEqual([throttled.status, throttled.lastErrorCode], ['pending', 'CHANNEL_BUSY']);
    assert.equal(throttled.nextAttemptAt, T0 + 120_000, 'when Teams said');
    w.pass(119_000);
    await p.sender.sendDue();
    assert.equal(sim.requests.length, 1, 'not before');
    w.pass(1_000);
    await p.sender.sendDue();
    assert.equal(sim.accepted.length, 1);
    assert.equal((await teamsState('r1')).status, 'sent');
  });

  it('a wrong key (401) is permanent and stored in words, without the key; email is sent', async () => {
    const w = world();
    const p = w.processOf();
    sim.answers.push({ status: 401, echoAddress: true });
    await queue(p.records, 'r1');
    await p.sender.sendDue();
    assert.equal(w.sent.length, 1);
    const failed = await teamsState('r1');
    assert.deepEqual([failed.status, failed.lastErrorCode], ['failed', 'CHANNEL_CREDENTIALS']);
    assert.match(failed.lastError ?? '', /refused the credentials \(401 Unauthorized\)/);
    const everything = JSON.stringify(await admin.get(K.report('r1')));
    assert.doesNotMatch(everything, /S1gn4tur3|sig=/, 'the key is nowhere in the stored report');
  });
});
