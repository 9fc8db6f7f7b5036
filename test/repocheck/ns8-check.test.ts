// SPDX-License-Identifier: GPL-3.0-or-later
// Integration: the checker asks the simulated NS8 API server, whose cluster agent runs real
// restic against `rclone serve restic`. Repositories are made with real backups, then broken
// on purpose; each case asserts the verdict and the email section.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, rmSync, truncateSync, unlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { startHarness, runOn, repoPathOf, NOREADER_ID, NOREADER_PASSWORD, type Harness } from './harness.js';
import { makeRepository, GATEWAY_PASSWORD } from '../sim/restic-server.js';
import { MODULE_PASSWORD } from '../helpers/redis-server.js';
import { freePort } from '../helpers/ports.js';
import type { DestinationHealth } from '../../src/domain/destination.js';
import { createRepoChecker } from '../../src/repocheck/index.js';
import { renderDestination as renderDestinationSection } from '../../src/report/destination.js';
import { memoryLogger } from '../../src/log.js';
import { systemClock } from '../../src/clock.js';
import type { Config } from '../../src/config.js';

let h: Harness;
const PW = 'a1b2'.repeat(16);
const TPL = '00000000-0000-4000-8000-000000000000';
before(async () => {
  h = await startHarness();
  // Real repositories made once (restic's key derivation costs ~0.5 s per run), copied per case.
  await Promise.all([
    makeRepository(h.restic.repoUrl(TPL, 'nc-old'), PW, { snapshots: 2, time: new Date(Date.now() - 7 * 86400_000) }),
    makeRepository(h.restic.repoUrl(TPL, 'nc-other-password'), 'another-password'),
    makeRepository(h.restic.repoUrl(TPL, 'samba-new'), PW),
  ]);
});
after(async () => {
  await h?.stop();
});

const NC = repoPathOf('nextcloud1');
const SAMBA = repoPathOf('samba1');

function checker(over: Partial<Config['repoCheck']> = {}, user?: string, password?: string) {
  const logger = memoryLogger();
  const c = createRepoChecker({ config: h.config(over, user, password), logger, clock: systemClock, pollMs: 50 });
  return Object.assign(c, { logger });
}

/** A destination with real repositories for nextcloud1 (failed in the run) and samba1 (comparison). */
/**
 * `fresh`: a new repository (new id) for nextcloud1. Copies share the template's id, so the
 * agent's restic cache (as on NS8) already holds their snapshots and would hide damage to them.
 */
async function destination(
  name: string,
  opts: { otherPassword?: boolean; nc?: boolean; fresh?: boolean } = {},
): Promise<string> {
  const dest = await h.addDestination(name, PW);
  const copy = (from: string, to: string) =>
    cpSync(h.restic.repoDir(TPL, from), h.restic.repoDir(dest, to), { recursive: true });
  if (opts.fresh) await makeRepository(h.restic.repoUrl(dest, NC), PW, { snapshots: 2 });
  else if (opts.nc !== false) copy(opts.otherPassword ? 'nc-other-password' : 'nc-old', NC);
  copy('samba-new', SAMBA);
  return dest;
}

const START = Math.floor(Date.now() / 1000) - 60;
const run = (dest: string) => runOn(dest, { nextcloud1: 'failed', samba1: 'success' }, START);
const byModule = (d: DestinationHealth, id: string) => d.checks.find((c) => c.moduleId === id)!;

/** Both languages: the verdict words, the UI place, escaped HTML, and no secret anywhere. */
function assertSection(d: DestinationHealth, en: RegExp, it: RegExp, uiPlace?: RegExp) {
  const e = renderDestinationSection(d, 'en');
  const i = renderDestinationSection(d, 'it');
  assert.match(e.text, en);
  assert.match(e.html, en);
  assert.match(i.text, it);
  assert.match(i.html, it);
  if (uiPlace) assert.match(e.text, uiPlace);
  for (const s of [e.text, e.html, i.text, i.html]) {
    assert.ok(!s.includes(GATEWAY_PASSWORD), 'gateway password leaked');
    assert.ok(!s.includes(MODULE_PASSWORD), 'agent password leaked');
    assert.ok(!s.includes(PW), 'restic password leaked');
  }
  if (d.checks.some((c) => c.rawError)) {
    assert.match(e.html, /<details><summary[^>]*>Technical details[^<]*<\/summary><div[^>]*><span dir="auto">/);
    assert.match(e.text, /\n> /);
  }
}

test("healthy destination: the failed module's latest snapshot is flagged outdated, the comparison is not", async () => {
  const dest = await destination('Healthy NAS');
  const d = (await checker().check(run(dest)))!;
  assert.equal(d.verdict, 'healthy');
  const nc = byModule(d, 'nextcloud1');
  assert.deepEqual([nc.verdict, nc.failedInRun, nc.snapshotCount, nc.snapshotOutdated], ['healthy', true, 2, true]);
  assert.ok(nc.latestSnapshot! < run(dest).start);
  // restic 0.14 gives no per-snapshot size: the size NS8 stored for the run is shown instead.
  assert.equal(nc.totalBytes, 51998012876);
  const samba = byModule(d, 'samba1');
  assert.deepEqual(
    [samba.verdict, samba.failedInRun, samba.snapshotCount, samba.snapshotOutdated],
    ['healthy', false, 1, false],
  );
  assertSection(d, /The destination answers/, /La destinazione risponde/, /Run backup now/);
  assert.match(renderDestinationSection(d, 'en').text, /older than the last expected run/);
});

test('wrong password -> wrong_password', async () => {
  const dest = await destination('Re-created NAS', { otherPassword: true });
  const d = (await checker().check(run(dest)))!;
  assert.equal(byModule(d, 'nextcloud1').verdict, 'wrong_password');
  assert.equal(byModule(d, 'samba1').verdict, 'healthy');
  assert.equal(d.verdict, 'wrong_password');
  assert.match(byModule(d, 'nextcloud1').rawError!, /wrong password or no key found/);
  assertSection(
    d,
    /does not accept the encryption password/,
    /non accetta la password di crittografia/,
    /Backup and restore > Backup destinations/,
  );
});

test('server down -> unreachable, and the other repositories are not asked again', async () => {
  const dest = await destination('Offline NAS');
  await h.restic.down();
  try {
    const d = (await checker({ concurrency: 1 }).check(run(dest)))!;
    assert.equal(d.verdict, 'unreachable');
    assert.equal(byModule(d, 'nextcloud1').code, 'REPO_UNREACHABLE');
    assert.deepEqual(
      [byModule(d, 'samba1').verdict, byModule(d, 'samba1').code],
      ['skipped', 'CHECK_SKIPPED_DESTINATION'],
    );
    assert.match(byModule(d, 'nextcloud1').rawError!, /connection refused/);
    assertSection(d, /could not be reached/, /non è raggiungibile/, /Edit destination/);
  } finally {
    await h.restic.up();
  }
});

test('authentication refused by the repository server -> auth', async () => {
  const dest = await destination('NAS with new password');
  h.gatewayCreds.set(dest, { user: 'node/1', password: 'stale-password' });
  const d = (await checker().check(run(dest)))!;
  assert.equal(d.verdict, 'auth');
  assert.match(byModule(d, 'nextcloud1').rawError!, /401 Unauthorized/);
  assert.ok(!byModule(d, 'nextcloud1').rawError!.includes('stale-password'));
  assertSection(
    d,
    /refused the credentials/,
    /ha rifiutato le credenziali/,
    /Backup and restore > Backup destinations > Edit destination/,
  );
});

test('repository path missing -> missing; the comparison shows the destination works', async () => {
  const dest = await destination('Emptied share', { nc: false });
  const d = (await checker().check(run(dest)))!;
  assert.equal(byModule(d, 'nextcloud1').verdict, 'missing');
  assert.equal(byModule(d, 'samba1').verdict, 'healthy');
  assert.equal(d.verdict, 'missing');
  assertSection(d, /does not exist or is not initialised/, /non esiste o non è inizializzato/, /Run backup now/);
});

test('config deleted -> missing', async () => {
  const dest = await destination('Share without config');
  unlinkSync(path.join(h.restic.repoDir(dest, NC), 'config'));
  const d = (await checker().check(run(dest)))!;
  assert.equal(byModule(d, 'nextcloud1').verdict, 'missing');
  assert.match(byModule(d, 'nextcloud1').rawError!, /<config\/> does not exist/);
});

test('damaged snapshot files -> corrupt (restic exits 0 and only warns)', async () => {
  const dest = await destination('Damaged share', { fresh: true });
  const snaps = path.join(h.restic.repoDir(dest, NC), 'snapshots');
  for (const f of readdirSync(snaps)) truncateSync(path.join(snaps, f), 10);
  const d = (await checker().check(run(dest)))!;
  assert.equal(byModule(d, 'nextcloud1').verdict, 'corrupt');
  assert.match(byModule(d, 'nextcloud1').rawError!, /invalid data returned/);
  assertSection(d, /the repository is damaged/, /il repository è danneggiato/, /restic check/);
});

test("deleted data pack: `restic snapshots` cannot see it, so NS8's read-backup-snapshots reports healthy", async () => {
  const dest = await destination('Share missing a pack');
  const data = path.join(h.restic.repoDir(dest, NC), 'data');
  for (const sub of readdirSync(data)) rmSync(path.join(data, sub), { recursive: true, force: true });
  const d = (await checker().check(run(dest)))!;
  assert.equal(byModule(d, 'nextcloud1').verdict, 'healthy');
  assert.equal(byModule(d, 'nextcloud1').snapshotCount, 2);
});

test("locked by a running restic holding an exclusive lock -> locked, with the lock's age", async () => {
  const dest = await destination('Busy share');
  const dir = mkdtempSync(path.join(tmpdir(), 'ns8-lock-'));
  const fifo = path.join(dir, 'fifo');
  execFileSync('mkfifo', [fifo]);
  // `key passwd` takes the exclusive lock (like prune after a backup), then blocks on the FIFO.
  const holder = spawn(
    'restic',
    ['--no-cache', '-r', h.restic.repoUrl(dest, NC), 'key', 'passwd', '--new-password-file', fifo],
    { env: { ...process.env, RESTIC_PASSWORD: PW }, stdio: 'ignore' },
  );
  try {
    const locks = path.join(h.restic.repoDir(dest, NC), 'locks');
    while (readdirSync(locks).length === 0) await new Promise((r) => setTimeout(r, 50));
    const d = (await checker().check(run(dest)))!;
    const nc = byModule(d, 'nextcloud1');
    assert.equal(nc.verdict, 'locked');
    assert.equal(typeof nc.lockAgeSeconds, 'number');
    assert.match(nc.rawError!, /already locked exclusively by PID \d+/);
    assertSection(d, /locked by another operation.*\n?/, /il repository è bloccato/, /restic unlock/);
    assert.match(renderDestinationSection(d, 'en').text, /lock created \d+s ago/);
  } finally {
    holder.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  }
});

test('hung server -> timeout within the per-check timeout; the report is not held', async () => {
  const dest = await destination('Hung NAS');
  h.restic.hang(true);
  try {
    const d = (await checker({ timeout: 1.5, concurrency: 1 }).check(run(dest)))!;
    assert.equal(d.verdict, 'timeout');
    assert.deepEqual([byModule(d, 'nextcloud1').verdict, byModule(d, 'nextcloud1').code], ['timeout', 'REPO_TIMEOUT']);
    assert.equal(byModule(d, 'samba1').verdict, 'skipped');
    assertSection(d, /did not answer in time/, /non ha risposto in tempo/);
  } finally {
    h.restic.hang(false);
  }
});

test('overall budget: checks still running when it ends are skipped, never awaited', async () => {
  const dest = await destination('Hung NAS again');
  h.restic.hang(true);
  try {
    const d = (await checker({ timeout: 30, budget: 1 }).check(run(dest)))!;
    assert.deepEqual(
      d.checks.map((c) => [c.verdict, c.code]),
      [
        ['skipped', 'CHECK_SKIPPED_BUDGET'],
        ['skipped', 'CHECK_SKIPPED_BUDGET'],
      ],
    );
    assertSection(d, /Not checked: the time allowed for checks ran out/, /Non controllato/);
  } finally {
    h.restic.hang(false);
  }
});

test('module without cluster:reader -> forbidden (403 from the API server)', async () => {
  const dest = await destination('Any NAS');
  const d = (await checker({}, `module/${NOREADER_ID}`, NOREADER_PASSWORD).check(run(dest)))!;
  assert.equal(d.verdict, 'forbidden');
  assert.equal(byModule(d, 'nextcloud1').code, 'API_FORBIDDEN');
  assertSection(d, /lacks the cluster reader role/, /non ha il ruolo reader/, /Software center/);
  assert.match(renderDestinationSection(d, 'en').text, /^Destination NAS share\n/);
});

test('API server unreachable -> an "error" verdict naming the API, no throw, no restic started', async () => {
  const dest = await destination('Unchecked NAS');
  const before = h.agent.stats().started;
  const c = checker({ apiUrl: `http://127.0.0.1:${await freePort()}` });
  const d = (await c.check(run(dest)))!;
  assert.deepEqual([d.verdict, byModule(d, 'nextcloud1').code], ['error', 'API_UNREACHABLE']);
  assert.equal(h.agent.stats().started, before);
  assertSection(
    d,
    /could not be checked: the NS8 API server did not answer/,
    /server API di NS8 non ha risposto/,
    /System logs/,
  );
  assert.ok(c.logger.lines.every((l) => !l.includes(MODULE_PASSWORD)));
});

test('API server that accepts but never answers -> API_TIMEOUT, not a destination timeout', async () => {
  const dest = await destination('NAS behind a hung API');
  const { createServer } = await import('node:net');
  const sockets = new Set<import('node:net').Socket>();
  const hung = createServer((s) => {
    sockets.add(s);
  });
  await new Promise<void>((r) => hung.listen(0, '127.0.0.1', () => r()));
  try {
    const port = (hung.address() as import('node:net').AddressInfo).port;
    const d = (await checker({ apiUrl: `http://127.0.0.1:${port}`, timeout: 1, concurrency: 1 }).check(run(dest)))!;
    assert.deepEqual(
      [d.verdict, byModule(d, 'nextcloud1').code, byModule(d, 'samba1').code],
      ['error', 'API_TIMEOUT', 'CHECK_SKIPPED_DESTINATION'],
    );
    assertSection(d, /NS8 API server did not answer in time/, /non ha risposto in tempo/);
  } finally {
    for (const s of sockets) s.destroy();
    await new Promise((r) => hung.close(r));
  }
});

test('wrong agent credentials -> API_AUTH', async () => {
  const dest = await destination('Another NAS');
  const d = (await checker({}, 'module/backup-monitor1', 'not-the-password').check(run(dest)))!;
  assert.deepEqual([d.verdict, byModule(d, 'nextcloud1').code], ['error', 'API_AUTH']);
  assert.ok(!JSON.stringify(d).includes('not-the-password'));
});

test('a burst of reports on one destination starts one restic per repository; the cache ends after cacheSeconds', async () => {
  const dest = await destination('Popular NAS');
  let now = Date.now();
  const c = createRepoChecker({
    config: h.config({ cacheSeconds: 300 }),
    logger: memoryLogger(),
    clock: { now: () => now },
    pollMs: 50,
  });
  const tasks = h.api.stats().tasks;
  const started = h.agent.stats().started;
  const results = await Promise.all(Array.from({ length: 6 }, () => c.check(run(dest))));
  assert.ok(results.every((d) => d!.verdict === 'healthy'));
  now += 299_000;
  await c.check(run(dest));
  assert.equal(h.api.stats().tasks - tasks, 2, 'one task per repository for 7 reports');
  // cluster-admin hides the task while it runs and when it completes, but shows an aborted one
  // anyway (core's notification.js): its toast is the title over "generic error", so the title
  // alone must say what failed.
  assert.deepEqual(
    h.api.stats().lastExtra,
    {
      title: 'Backup monitor: a backup destination cannot be read',
      description: 'Checked after a backup run with problems: its report names the destination and what to do',
      isNotificationHidden: true,
    },
    'hidden unless the destination is broken, then a toast that says so',
  );
  assert.equal(h.agent.stats().started - started, 2, 'one restic per repository for 7 reports');
  now += 2_000;
  await c.check(run(dest));
  assert.equal(h.agent.stats().started - started, 4, 'checked again once the cache time has passed');
});

test('cluster agent not running -> API_AGENT_DOWN (404 "client idle check failed")', async () => {
  const dest = await destination('Leaderless NAS');
  const { startApiServer } = await import('../sim/api-server.js');
  // An idle limit no agent can meet stands for an agent that stopped polling its queue.
  const api = await startApiServer({ redisUrl: h.redis.adminUrl, redisPort: h.redis.port, idleSeconds: -1 });
  try {
    const d = (await checker({ apiUrl: api.url }).check(run(dest)))!;
    assert.deepEqual([d.verdict, byModule(d, 'nextcloud1').code], ['error', 'API_AGENT_DOWN']);
    assertSection(d, /cluster agent on the leader node is not running/, /agente del cluster/);
  } finally {
    await api.stop();
  }
});

test('revoked token: one re-login, then the check goes on', async () => {
  const dest = await destination('Token NAS');
  const c = checker();
  await c.check(run(dest));
  const logins = h.api.stats().logins;
  h.api.revokeTokens();
  const d = (await c.check(run(dest)))!;
  assert.equal(d.verdict, 'healthy');
  assert.equal(h.api.stats().logins, logins + 1);
});

test('off, or nothing failed: no check at all', async () => {
  const dest = await destination('Quiet NAS');
  assert.equal(await checker({ enabled: false }).check(run(dest)), null);
  assert.equal(await checker().check(runOn(dest, { nextcloud1: 'success', samba1: 'success' })), null);
});
