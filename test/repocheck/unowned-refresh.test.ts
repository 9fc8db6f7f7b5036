// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23 item 4: the list of repositories nobody owns stays fresh without digests. Read at
// start when older than a day, then at most once a day, on the destination checks' budget; a
// digest's read serves the refresh and the refresh's read serves a digest; an NS8 error keeps the
// previous list. Real redis-server, the simulated API server and cluster agent (read-backup-repositories
// = rclone lsjson + manifests, as ns8-core's 50read) on a real restic repository; a fake clock.
import { after, before, beforeEach, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { startHarness, type Harness } from './harness.js';
import { runModuleBackup } from '../sim/run-backup.js';
import { grantClusterRoles } from '../sim/api-server.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { createRepoChecker } from '../../src/repocheck/index.js';
import { createUnownedStore } from '../../src/repocheck/unowned.js';
import { unownedRefresher } from '../../src/repocheck/unowned-refresh.js';
import { moduleKeys } from '../../src/domain/records.js';
import { memoryLogger } from '../../src/log.js';
import type { Config } from '../../src/config.js';

const DAY_MS = 86_400_000;
const PW = 'a1b2'.repeat(16);
let h: Harness;
let redis: ReturnType<typeof createClient>;
let gone: string;

before(async () => {
  h = await startHarness();
  redis = createClient({ url: h.redis.moduleUrl });
  redis.on('error', () => undefined);
  await redis.connect();
  const dest = await h.addDestination('NAS share', PW);
  gone = `dokuwiki/${randomUUID()}`;
  // A repository of this cluster whose application was removed since.
  await runModuleBackup({
    url: h.restic.repoUrl(dest, gone),
    password: PW,
    retention: 3,
    repoDir: h.restic.repoDir(dest, gone),
    moduleId: 'dokuwiki3',
  });
});
after(async () => {
  redis?.destroy();
  await h?.stop();
});
beforeEach(async () => {
  await redis.del(moduleKeys(MODULE_ID).unownedRepositories);
  await grantClusterRoles(h.redis.adminUrl, { [`module/${MODULE_ID}`]: 'reader' });
});

const reads = () => h.api.stats().byAction['read-backup-repositories'] ?? 0;
const store = () => createUnownedStore(redis, MODULE_ID);

function setup(over: Partial<Config['repoCheck']> = {}) {
  const clock = { ms: Date.UTC(2026, 11, 7, 9, 0, 0), now: () => clock.ms };
  const logger = memoryLogger();
  const checker = createRepoChecker({
    config: h.config({ budget: 30, ...over }),
    logger,
    clock,
    pollMs: 50,
    unownedStore: store(),
  });
  return { clock, logger, checker };
}

test('digests off: read once at start, not again within the day, again after a day', async () => {
  const { clock, checker } = setup();
  const before = reads();
  assert.equal(await checker.refreshUnowned!(), 'read');
  assert.equal(reads(), before + 1);
  const first = await store().load();
  assert.equal(first?.at, Math.floor(clock.ms / 1000));
  assert.ok(first?.repositories.some((r) => r.path === gone && r.kind === 'removed'));
  for (const laterMs of [60_000, 3_600_000, DAY_MS - 60_000]) {
    clock.ms = first!.at * 1000 + laterMs;
    assert.equal(await checker.refreshUnowned!(), 'fresh');
  }
  assert.equal(reads(), before + 1, 'not asked again within the day');
  clock.ms = first!.at * 1000 + DAY_MS;
  assert.equal(await checker.refreshUnowned!(), 'read');
  assert.equal(reads(), before + 2);
  assert.equal((await store().load())?.at, Math.floor(clock.ms / 1000));
});

test('after a restart, a list younger than a day is not read again', async () => {
  const a = setup();
  await a.checker.refreshUnowned!();
  const before = reads();
  const b = setup(); // a new process, same Redis
  b.clock.ms = a.clock.ms + 2 * 3_600_000;
  assert.equal(await b.checker.refreshUnowned!(), 'fresh');
  assert.equal(reads(), before);
});

test("a digest just done: its read serves the refresh, and the refresh's read serves a digest", async () => {
  const { clock, checker } = setup();
  const before = reads();
  const rows = await checker.unowned!();
  assert.ok(rows?.some((r) => r.path === gone));
  clock.ms += 60_000;
  assert.equal(await checker.refreshUnowned!(), 'fresh');
  assert.equal(reads(), before + 1, 'one read serves both');

  const other = setup();
  other.clock.ms = clock.ms + DAY_MS;
  assert.equal(await other.checker.refreshUnowned!(), 'read');
  other.clock.ms += 60_000;
  assert.deepEqual(await other.checker.unowned!(), rows);
  assert.equal(reads(), before + 2, 'never two reads in a row');
});

test('a digest and a refresh at the same moment share one read', async () => {
  const { checker } = setup();
  const before = reads();
  const [digest, refresh] = await Promise.all([checker.unowned!(), checker.refreshUnowned!()]);
  assert.ok(digest?.some((r) => r.path === gone));
  assert.equal(refresh, 'read');
  assert.equal(reads(), before + 1);
});

test('NS8 refuses the read: the previous list stays, said once', async () => {
  const { clock, logger, checker } = setup();
  assert.equal(await checker.refreshUnowned!(), 'read');
  const kept = await store().load();
  await grantClusterRoles(h.redis.adminUrl, { [`module/${MODULE_ID}`]: 'selfadm' });
  for (let day = 1; day <= 2; day++) {
    clock.ms = kept!.at * 1000 + day * DAY_MS;
    assert.equal(await checker.refreshUnowned!(), 'failed');
    assert.deepEqual(await store().load(), kept, 'the previous list and its time stay');
  }
  clock.ms += 60_000;
  assert.equal(await checker.refreshUnowned!(), 'fresh', 'a failed attempt counts: not retried within the day');
  const said = logger.lines.filter((l) => l.includes('repositories nobody owns'));
  assert.equal(said.length, 1, said.join('\n'));
  assert.match(said[0]!, /API_FORBIDDEN/);
});

test("DESTINATION_VERIFY=off, or the hour's cap spent: NS8 is not asked", async () => {
  const before = reads();
  assert.equal(await setup({ verify: 'off' }).checker.refreshUnowned!(), 'off');
  assert.equal(await setup({ maxPerHour: 0 }).checker.refreshUnowned!(), 'skipped');
  assert.equal(reads(), before);
  assert.equal(await store().load(), null);
});

test('the timer loop reads at start, then ticks without asking NS8 within the day', async () => {
  const { clock, checker } = setup();
  const before = reads();
  const results: string[] = [];
  const refresh = async (signal?: AbortSignal) => {
    const r = await checker.refreshUnowned!(signal);
    results.push(r);
    clock.ms += 3_600_000; // each tick an hour later
    return r;
  };
  const loop = unownedRefresher(refresh, { log: memoryLogger(), tickMs: 1 });
  loop.start();
  while (results.length < 5) await new Promise((r) => setTimeout(r, 10));
  await loop.stop();
  assert.deepEqual(results.slice(0, 5), ['read', 'fresh', 'fresh', 'fresh', 'fresh']);
  assert.equal(reads(), before + 1);
});

test('NS8 hangs: the read ends with the budget, the previous list stays, said once', async () => {
  const { clock, checker } = setup();
  assert.equal(await checker.refreshUnowned!(), 'read');
  const kept = await store().load();
  // The API server accepts nothing and never answers (the simulator answers; this one is silent).
  const logger = memoryLogger();
  const hung = createRepoChecker({
    config: h.config({ budget: 0.3 }),
    logger,
    clock,
    api: {
      runClusterTask: (_a, _d, s) =>
        new Promise<never>((_, rej) => s?.addEventListener('abort', () => rej(new Error('aborted')))),
    },
    unownedStore: store(),
  });
  for (let day = 1; day <= 2; day++) {
    clock.ms = kept!.at * 1000 + day * DAY_MS;
    assert.equal(await hung.refreshUnowned!(), 'failed');
  }
  assert.deepEqual(await store().load(), kept);
  const said = logger.lines.filter((l) => l.includes('repositories nobody owns'));
  assert.equal(said.length, 1, said.join('\n'));
  assert.match(said[0]!, /no answer in time/);
});

test("the hour's cap spent or NS8 silent at digest time: the digest shows the kept list while it is under two days old", async () => {
  const a = setup();
  assert.equal(await a.checker.refreshUnowned!(), 'read');
  const kept = (await store().load())!;
  const capped = setup({ maxPerHour: 0 });
  capped.clock.ms = kept.at * 1000 + 3 * 3_600_000;
  assert.deepEqual(await capped.checker.unowned!(), kept.repositories, 'the kept list, a few hours old');
  capped.clock.ms = kept.at * 1000 + 2 * DAY_MS + 60_000;
  assert.equal(await capped.checker.unowned!(), null, 'too old to be told as current');
});
