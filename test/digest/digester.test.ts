// SPDX-License-Identifier: GPL-3.0-or-later
// The digest loop against a real redis-server with NS8's ACLs (issue #14): fixed clock, restarts
// (a new Digester on the same Redis is what a service restart is), a 3-day outage, a Redis outage
// at the digest time, and the cluster fixture's coverage gaps.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import type { UnownedRepoRow } from '../../src/domain/digest.js';
import { Digester, redisDigestStore } from '../../src/digest/digester.js';
import { readClusterApps } from '../../src/digest/read-cluster.js';
import { listPlanIds, readPlanSnapshots } from '../../src/correlate/read-plan.js';
import { moduleKeys, type StoredDigest } from '../../src/domain/records.js';
import type { Redis } from '../../src/ns8/redis.js';
import { memoryLogger } from '../../src/log.js';
import { startRedis, MODULE_ID, type RedisServer } from '../helpers/redis-server.js';
import { adminClient, seedCluster, PLANS } from '../sim/cluster.js';
import type { DigestSettings } from '../../src/digest/schedule.js';

const K = moduleKeys(MODULE_ID);
const DAILY: DigestSettings = { frequency: 'daily', weekday: 'mon', time: '08:00' };
const at = (iso: string) => Date.parse(iso);
let redis: RedisServer;
let writer: Redis;
let reader: Redis;

async function connect(url: string): Promise<Redis> {
  const c = createClient({ url, socket: { reconnectStrategy: () => 100, connectTimeout: 1000 } }) as Redis;
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

before(async () => {
  redis = await startRedis();
  writer = await connect(redis.moduleUrl);
  reader = await connect(redis.url());
});
after(async () => {
  await writer.quit().catch(() => undefined);
  await reader.quit().catch(() => undefined);
  await redis.stop();
});
beforeEach(async () => {
  const c = await adminClient(redis);
  await c.flushAll();
  await c.quit();
  await seedCluster(redis, {
    plans: [
      ...PLANS,
      {
        id: 3,
        name: 'Old <NAS> plan',
        repository: PLANS[1]!.repository,
        schedule: '*-*-* 04:00:00',
        retention: 3,
        instances: ['traefik2'],
        enabled: false,
      },
    ],
  });
});

function digester(
  clock: { now(): number },
  settings = DAILY,
  to = ['admin@example.org'],
  mayWrite?: () => Promise<boolean>,
  readUnowned?: () => Promise<UnownedRepoRow[] | null>,
) {
  let kicks = 0;
  const d = new Digester({
    mayWrite,
    readUnowned,
    digest: settings,
    notify: { defaultPolicy: 'problems', plans: new Map() },
    mail: { to, language: 'en', subjectPrefix: '[NS8 Backup]' },
    timeZone: 'Europe/Rome',
    moduleId: MODULE_ID,
    readPlans: async () => readPlanSnapshots(reader, await listPlanIds(reader)),
    readApps: () => readClusterApps(reader),
    store: redisDigestStore(writer, MODULE_ID),
    clock,
    log: memoryLogger(),
    onQueued: () => {
      kicks++;
    },
  });
  return { d, kicks: () => kicks };
}

async function queued(): Promise<StoredDigest[]> {
  const ids = Object.keys(await writer.hGetAll(K.outbox));
  const out: StoredDigest[] = [];
  for (const id of ids) out.push(JSON.parse((await writer.get(K.report(id)))!) as StoredDigest);
  return out.sort((a, b) => a.period.slot - b.period.slot);
}

/** Runs the service's minute ticks over [fromMs, toMs), with a fresh Digester after each restart. */
async function run(fromMs: number, toMs: number, restarts: number[] = [], down: [number, number][] = []) {
  let now = fromMs;
  const clock = { now: () => now };
  let current = digester(clock).d;
  for (; now < toMs; now += 60_000) {
    if (down.some(([a, b]) => now >= a && now < b)) continue;
    if (restarts.some((r) => r <= now && r > now - 60_000)) current = digester(clock).d;
    await current.tick();
  }
}

describe('digest loop on a real Redis', () => {
  it('a restart just before the time: exactly one digest', async () => {
    await run(at('2026-06-10T06:30:00Z'), at('2026-06-12T06:30:00Z'), [
      at('2026-06-11T05:59:30Z'),
      at('2026-06-12T06:00:30Z'),
      at('2026-06-12T06:01:00Z'),
    ]);
    const q = await queued();
    assert.deepEqual(
      q.map((x) => new Date(x.period.slot * 1000).toISOString()),
      ['2026-06-11T06:00:00.000Z', '2026-06-12T06:00:00.000Z'],
      "installed at 08:30 local: that day's 08:00 is not sent; then one digest per day, whatever the restarts",
    );
    assert.deepEqual(q[0]!.delivery.recipients, ['admin@example.org']);
  });

  it('a standby instance (no writer lease) never sends the digest the writer sends', async () => {
    let now = at('2026-06-10T06:30:00Z');
    const clock = { now: () => now };
    const writerD = digester(clock, DAILY, ['admin@example.org'], async () => true).d;
    const standby = digester(clock, DAILY, ['admin@example.org'], async () => false).d;
    for (; now < at('2026-06-11T06:30:00Z'); now += 60_000) {
      assert.equal((await standby.tick()).kind, 'standby');
      await writerD.tick();
    }
    assert.equal((await queued()).length, 1, 'one digest for two instances');
  });

  it('repositories nobody owns are read once per digest and listed; a failed read is no digest lost', async () => {
    let reads = 0;
    const row: UnownedRepoRow = {
      kind: 'removed',
      moduleId: 'oldwiki1',
      uiName: 'Old wiki',
      path: 'dokuwiki/0b0e',
      destinationName: 'NAS share',
      lastBackupAt: at('2026-05-01T01:00:00Z') / 1000,
    };
    const read = async () => (++reads === 1 ? [row] : null);
    let now = at('2026-06-10T06:30:00Z');
    const clock = { now: () => now };
    const d = digester(clock, DAILY, ['admin@example.org'], undefined, read).d;
    for (; now < at('2026-06-12T06:30:00Z'); now += 60_000) await d.tick();
    const q = await queued();
    assert.equal(q.length, 2);
    assert.equal(reads, 2, 'one read per digest, none per tick');
    assert.match(q[0]!.text, /oldwiki1/);
    assert.doesNotMatch(q[1]!.text, /oldwiki1/, 'no answer: the section is left out, the digest still goes');
  });

  it('a 3-day outage: one catch-up digest', async () => {
    await run(
      at('2026-06-09T12:00:00Z'),
      at('2026-06-15T05:00:00Z'),
      [],
      [[at('2026-06-11T12:00:00Z'), at('2026-06-14T10:00:00Z')]],
    );
    const q = await queued();
    assert.deepEqual(
      q.map((x) => [new Date(x.period.slot * 1000).toISOString(), x.period.catchUp]),
      [
        ['2026-06-10T06:00:00.000Z', false],
        ['2026-06-11T06:00:00.000Z', false],
        ['2026-06-14T06:00:00.000Z', true],
      ],
    );
    assert.equal(q[2]!.period.from, q[1]!.period.to, 'the catch-up starts where the previous digest ended');
    assert.match(q[2]!.text, /was not running when this digest was due/);
  });

  it('Redis down at the digest time: no digest lost, none doubled', async () => {
    let now = at('2026-06-10T12:00:00Z');
    const { d, kicks } = digester({ now: () => now });
    assert.equal((await d.tick()).kind, 'arm');
    now = at('2026-06-11T05:59:00Z');
    // Ticks keep coming (20 s of service time every 50 ms) while Redis stops and starts again.
    const kinds: string[] = [];
    let done = false;
    const restarting = redis.restart(1500).finally(() => {
      done = true;
    });
    while (!done || kinds.length < 5) {
      now += 20_000;
      kinds.push((await d.tick()).kind);
      await new Promise((r) => setTimeout(r, 50));
    }
    await restarting;
    for (let i = 0; i < 3; i++) {
      now += 60_000;
      kinds.push((await d.tick()).kind);
    }
    assert.equal(kinds.filter((k) => k === 'send').length, 1, kinds.join(','));
    assert.equal((await queued()).length, 1);
    assert.equal(kicks(), 1);
  });

  it('names the application in no plan and the disabled plan; metrics1 (no_data_backup) is not a gap', async () => {
    const { d } = digester({ now: () => at('2026-06-10T12:00:00Z') });
    const m = await d.sample();
    assert.match(m.text, /Applications in no backup plan: traefik1\./);
    assert.match(m.text, /Disabled plans: Old <NAS> plan \(ID 3\)\./);
    assert.match(m.html, /Old &lt;NAS&gt; plan \(ID 3\)/);
    assert.doesNotMatch(m.text, /metrics1/);
    assert.match(m.text, /Enabled plans that never ran: Daily offsite \(ID 1\), Weekly SMB \(ID 2\)\./);
    assert.match(m.subject, / · \[NS8 Backup\] Sample backup digest: /);
    assert.equal(await writer.get(K.digest), null, 'a sample changes no record');
  });
});
