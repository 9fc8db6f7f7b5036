// SPDX-License-Identifier: GPL-3.0-or-later
// The module's whole NS8 life, replayed the way core runs it, always onto a FRESH instance:
// - backup: core's module-backup (bin/module-dump-state, restic backup of state/environment +
//   etc/state-include.conf, bin/module-cleanup-state) into a real local restic repository;
// - restore: cluster restore-module/50restore_module (restic dump of state/environment,
//   add-module of a new instance, then restore-module with request.environment), the module's
//   steps squashed with core's base steps (test/sim/core, restic restore for real);
// - clone and move: cluster clone-module/50clone_module (add-module, transfer-state on the
//   source, clone-module on the target; a move then removes the source and its keys).
// Real Redis with NS8's ACLs: each instance writes with its own module user.
import { after, before, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { createClient } from 'redis';
import { MODULE_ID, MODULE_PASSWORD, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { seedCluster } from '../sim/cluster.js';
import {
  agentEnvironment,
  CORE_ACTIONS,
  IMAGEROOT,
  installModule,
  readEnvFile,
  runAction,
  stubCalls,
  SYSTEM_PATH,
  type ActionResult,
  type AgentOptions,
} from '../sim/agent-runner.js';
import { report, writeServiceRecords } from './fixtures.js';
import { CHANNEL_SECRETS, FULL_SETTINGS } from './harness.js';
import { SETTINGS } from '../../src/settings.js';
import { moduleKeys, type StoredReport } from '../../src/domain/records.js';
import { indexEntry } from '../../src/domain/report-index.js';
import { memoryLogger } from '../../src/log.js';
import { migrateDeliveries } from '../../src/notify/delivery-migration.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import type { Redis } from '../../src/ns8/redis.js';

const run = promisify(execFile);
const TARGET = 'backup-monitor2';
const TARGET_PASSWORD = 'c0ffee-target-secret';
const IMAGE = 'ghcr.io/example/backup-monitor:1.2.0';
const RESTIC_PASSWORD = 'sim-restic-password';
const DESTINATION = '8e4a1d77-2b6c-5f09-b3e1-46c9d0a7f2b5';
// One restic repository for the whole file (restic init is slow): every test backs up the same
// source UUID and restores `latest`, so each sees its own snapshot.
const SOURCE_UUID = 'a5c1e6f2-7d3b-4c9a-8e10-2f4b6d8a0c13';
const DAY = 24 * 3600;

// Every setting away from its default; a digest policy also proves the policy survives.
const FULL = { ...FULL_SETTINGS, notify_policy: 'digest' };

let redis: RedisServer;
let root: string;
let resticDir: string;
let resticRoot: string;
let transferDir: string;
let source: AgentOptions;
let target: AgentOptions;

const SIM_ENV = () => ({
  SIM_RESTIC_REPOSITORY: resticRoot,
  RESTIC_PASSWORD,
  RESTIC_CACHE_DIR: path.join(resticDir, 'cache'),
  SIM_TRANSFER_DIR: transferDir,
});

function instance(id: string, password: string): AgentOptions {
  const home = path.join(root, id);
  return {
    stateDir: path.join(home, 'state'),
    redis,
    moduleId: id,
    redisUser: `module/${id}`,
    redisPassword: password,
    baseActionsDirs: [CORE_ACTIONS],
    env: SIM_ENV(),
  };
}
const homeOf = (o: AgentOptions) => path.dirname(o.stateDir);
const envOf = (o: AgentOptions) => readEnvFile(path.join(o.stateDir, 'environment'));

async function admin() {
  const c = createClient({ url: redis.adminUrl });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Everything the service keeps for an instance, with TTLs, as comparable data. */
async function serviceState(id: string) {
  const c = await admin();
  try {
    const k = moduleKeys(id);
    const reportKeys = (await c.keys(`module/${id}/report/*`)).sort();
    const reports: Record<string, { value: string | null; ttl: number }> = {};
    // The expiry as "none" or the day it falls on: exact seconds tick during the test.
    for (const key of reportKeys) {
      const ttl = await c.ttl(key);
      reports[key.slice(`module/${id}/`.length)] = {
        value: await c.get(key),
        ttl: ttl < 0 ? ttl : Math.round(ttl / DAY),
      };
    }
    return {
      history: await c.lRange(k.history, 0, -1),
      plans: { ...(await c.hGetAll(k.plans)) },
      outbox: { ...(await c.hGetAll(k.outbox)) },
      watchdog: { ...(await c.hGetAll(k.watchdog)) },
      runLog: await c.lRange(k.runLog, 0, -1),
      digest: await c.get(k.digest),
      index: { ...(await c.hGetAll(k.index)) },
      runs: { ...(await c.hGetAll(k.runs)) },
      silences: { ...(await c.hGetAll(k.silences)) },
      maintenance: { ...(await c.hGetAll(k.maintenance)) },
      reports,
    };
  } finally {
    await c.quit();
  }
}

/** The administrator's work on the source: settings, three reports, plan state, watchdog, a pending mail. */
async function populateSource() {
  const res = await runAction('configure-module', { ...FULL, ...CHANNEL_SECRETS }, source);
  assert.equal(res.status, 'completed', res.error);
  // A setting the docs say an administrator sets by hand in the module environment.
  const file = path.join(source.stateDir, 'environment');
  writeFileSync(file, readFileSync(file, 'utf8') + 'LOG_LEVEL=debug\n');
  await writeServiceRecords(redis, MODULE_ID, [report('r-0003'), report('r-0002'), report('r-0001')], {
    outbox: { 'r-0003': 1786238480000 },
    health: { redis: { ok: true, checkedAt: 1786238400000, error: null } },
  });
  const c = await admin();
  await c.hSet(
    moduleKeys(MODULE_ID).watchdog,
    '1',
    JSON.stringify({ planId: 1, lastMissedAt: 1786230000, reported: ['1:1786230000'] }),
  );
  await c.expire(moduleKeys(MODULE_ID).report('r-0001'), 30 * DAY);
  await c.lPush(moduleKeys(MODULE_ID).runLog, [
    JSON.stringify({ planId: 2, outcome: 'PARTIAL' }),
    JSON.stringify({ planId: 1, outcome: 'SUCCESS' }),
  ]);
  await c.hSet(moduleKeys(MODULE_ID).index, 'r-0003', JSON.stringify({ id: 'r-0003', planId: 2, outcome: 'PARTIAL' }));
  await c.hSet(moduleKeys(MODULE_ID).runs, '2', JSON.stringify([{ runKey: '2:1786237201', outcome: 'PARTIAL' }]));
  await c.set(moduleKeys(MODULE_ID).digest, JSON.stringify({ lastSentAt: 1786200000000, schedule: 'daily' }));
  await c.quit();
  // Issue #24: what the administrator silenced, through the actions as the page does.
  for (const [action, input] of [
    ['acknowledge-plan', { plan_id: 2, comment: 'NAS replaced this week' }],
    ['snooze-plan', { plan_id: 1, until_success: true }],
    ['add-maintenance-window', { calendar: 'Sat *-*-* 22:00:00', duration_seconds: 14400 }],
  ] as const) {
    const silenced = await runAction(action, input, source);
    assert.equal(silenced.status, 'completed', silenced.error);
  }
}

/** A step program run like core runs module-backup's hooks: the module's agent environment, cwd = state dir. */
async function runHook(o: AgentOptions, program: string) {
  const env = { ...agentEnvironment(o), ...o.env };
  return await run(path.join(IMAGEROOT, 'bin', program), [], { cwd: o.stateDir, env });
}

async function restic(args: string[], cwd: string, repoPath: string) {
  const env = {
    PATH: SYSTEM_PATH,
    HOME: root,
    RESTIC_PASSWORD,
    RESTIC_REPOSITORY: path.join(resticRoot, repoPath),
    RESTIC_CACHE_DIR: path.join(resticDir, 'cache'),
  };
  return await run('restic', args, { cwd, env, maxBuffer: 16 * 1024 * 1024 });
}

/** core usr/local/agent/bin/module-backup: dump hook, restic backup, cleanup hook. Returns the repo path. */
async function moduleBackup(o: AgentOptions): Promise<string> {
  const env = envOf(o);
  const repoPath = `${DESTINATION}/backup-monitor/${env.MODULE_UUID}`;
  await runHook(o, 'module-dump-state');
  if (!existsSync(path.join(resticRoot, repoPath, 'config'))) await restic(['init'], homeOf(o), repoPath);
  await restic(
    ['backup', '--quiet', 'state/environment', `--files-from=${path.join(IMAGEROOT, 'etc', 'state-include.conf')}`],
    homeOf(o),
    repoPath,
  );
  await runHook(o, 'module-cleanup-state');
  return repoPath;
}

/** The parts of cluster restore-module/50restore_module that touch the module. */
async function clusterRestore(
  repoPath: string,
  over: { environment?: (e: Record<string, string>) => Record<string, string> } = {},
) {
  const { stdout } = await restic(['dump', 'latest', 'state/environment'], root, repoPath);
  const envFile = path.join(root, 'restored.environment');
  writeFileSync(envFile, stdout);
  let original = readEnvFile(envFile);
  if (over.environment) original = over.environment(original);
  const added = await installModule({
    ...target,
    tcpPort: 20022,
    image: original.IMAGE_URL,
    moduleUuid: original.MODULE_UUID,
  });
  assert.equal(added.status, 'completed', added.error);
  const [repository, ...rest] = repoPath.split('/');
  return await runAction(
    'restore-module',
    { repository, path: rest.join('/'), snapshot: '', environment: original, replace: false },
    target,
  );
}

/** The parts of cluster clone-module/50clone_module that touch the modules; replace = move. */
async function clusterClone(replace: boolean): Promise<{ transfer: ActionResult; clone: ActionResult }> {
  const sourceUuid = envOf(source).MODULE_UUID;
  const added = await installModule({
    ...target,
    tcpPort: 20022,
    nodeId: 2,
    image: envOf(source).IMAGE_URL,
    moduleUuid: replace ? sourceUuid : undefined,
  });
  assert.equal(added.status, 'completed', added.error);
  const credentials = [MODULE_ID, 'rsync-secret'];
  const transfer = await runAction(
    'transfer-state',
    { replace, credentials, address: '10.5.4.2', port: 20099 },
    { ...source, env: { ...SIM_ENV(), SIM_DEFAULT_TARGET_WANTS: 'backup-monitor.service' } },
  );
  const clone = await runAction('clone-module', { replace, credentials, port: 20099, volumes: [] }, target);
  if (replace && transfer.status === 'completed' && clone.status === 'completed') {
    // cluster remove-module of the source: its home and every module/<id>/* key go away.
    const c = await admin();
    const keys = await c.keys(`module/${MODULE_ID}/*`);
    if (keys.length) await c.del(keys);
    await c.quit();
    rmSync(homeOf(source), { recursive: true, force: true });
  }
  return { transfer, clone };
}

/** Issue #22: the channels' secrets are on the instance's disk, reported "set", and nowhere in Redis. */
async function assertChannelSecretsKept(o: AgentOptions) {
  const stored = JSON.parse(readFileSync(path.join(o.stateDir, 'channel-secrets.json'), 'utf8'));
  assert.deepEqual(stored, CHANNEL_SECRETS);
  const got = await runAction('get-configuration', {}, o);
  assert.deepEqual(
    (got.output as { secrets: unknown }).secrets,
    Object.fromEntries(Object.keys(CHANNEL_SECRETS).map((k) => [k, 'set'])),
  );
  const c = await admin();
  for (const key of await c.keys('*')) {
    const type = await c.type(key);
    const dump = JSON.stringify(
      type === 'hash'
        ? await c.hGetAll(key)
        : type === 'string'
          ? await c.get(key)
          : type === 'list'
            ? await c.lRange(key, 0, -1)
            : '',
    );
    for (const v of Object.values(CHANNEL_SECRETS)) assert.ok(!dump.includes(v), `${key} holds a channel secret`);
  }
  await c.quit();
}

async function getConfiguration(o: AgentOptions) {
  const got = await runAction('get-configuration', {}, o);
  assert.equal(got.status, 'completed', got.error);
  const { smarthost: _s, plans: _p, secrets: _x, ...settings } = got.output as Record<string, unknown>;
  return settings;
}

const settingVariables = (env: Record<string, string>) =>
  Object.keys(env)
    .filter((k) => /^(MAIL_|NOTIFY_|WAIT_|RECENT_|MISSED_|STALE_|REMINDER_|REPO_CHECK_)/.test(k))
    .sort();

before(async () => {
  redis = await startRedis({ modules: { [MODULE_ID]: MODULE_PASSWORD, [TARGET]: TARGET_PASSWORD } });
  await seedCluster(redis);
  resticDir = mkdtempSync(path.join(tmpdir(), 'bm-life-restic-'));
  resticRoot = path.join(resticDir, 'repos');
});
after(async () => {
  await redis.stop();
  for (const d of [root, resticDir]) if (d) rmSync(d, { recursive: true, force: true });
});

beforeEach(async () => {
  if (root) rmSync(root, { recursive: true, force: true });
  root = mkdtempSync(path.join(tmpdir(), 'bm-life-'));
  transferDir = path.join(root, 'transfer');
  mkdirSync(transferDir);
  const c = await admin();
  const stale = [...(await c.keys(`module/${MODULE_ID}/*`)), ...(await c.keys(`module/${TARGET}/*`))];
  if (stale.length) await c.del(stale);
  await c.quit();
  source = instance(MODULE_ID, MODULE_PASSWORD);
  target = instance(TARGET, TARGET_PASSWORD);
  const created = await installModule({ ...source, tcpPort: 20011, image: IMAGE, moduleUuid: SOURCE_UUID });
  assert.equal(created.status, 'completed', created.error);
});

describe('create-module', () => {
  test('writes no setting, only what add-module wrote, and a private token', () => {
    const env = envOf(source);
    assert.deepEqual(settingVariables(env), []);
    assert.deepEqual(Object.keys(env).sort(), [
      'BACKUP_MONITOR_SERVICE_IMAGE',
      'IMAGE_URL',
      'MODULE_ID',
      'MODULE_UUID',
      'NODE_ID',
      'TCP_PORT',
      'TCP_PORTS',
      'TCP_PORTS_RANGE',
    ]);
    assert.ok(readFileSync(path.join(source.stateDir, 'receiver.token'), 'utf8').trim().length >= 40);
  });
});

describe('restore onto a fresh instance', () => {
  test('every setting, the history, plan states, watchdog, outbox and token come back under the new id', async () => {
    await populateSource();
    const before = await serviceState(MODULE_ID);
    const token = readFileSync(path.join(source.stateDir, 'receiver.token'), 'utf8');
    const repoPath = await moduleBackup(source);
    assert.ok(
      !existsSync(path.join(source.stateDir, 'backup-monitor-state.json')),
      'module-cleanup-state removed the dump',
    );
    // Disaster: the old instance and its keys are gone.
    const c = await admin();
    await c.del(await c.keys(`module/${MODULE_ID}/*`));
    await c.quit();

    // Every administrator's setting the old instance had (configure-module's and the environment's).
    const had = envOf(source);
    const copied = SETTINGS.filter((s) => (s.source === 'action' || s.source === 'environment') && s.env in had);
    const res = await clusterRestore(repoPath);
    assert.equal(res.status, 'completed', res.error);
    assert.match(res.error, new RegExp(`\\b${copied.length} settings copied`));
    assert.deepEqual(await getConfiguration(target), FULL);
    const env = envOf(target);
    assert.equal(env.LOG_LEVEL, 'debug', 'hand-set settings too');
    assert.equal(env.MODULE_ID, TARGET);
    assert.equal(env.TCP_PORT, '20022', "the new instance's own values are kept");
    assert.deepEqual(await serviceState(TARGET), before);
    assert.equal(before.history.length, 3);
    assert.equal(before.runLog.length, 2);
    assert.ok(before.digest);
    assert.equal(Object.keys(before.index).length >= 1, true);
    assert.deepEqual(Object.keys(before.runs), ['2']);
    assert.deepEqual(Object.keys(before.silences).sort(), ['1', '2'], 'acknowledged and snoozed plans come back');
    assert.equal(Object.keys(before.maintenance).length, 1, 'the maintenance window comes back');
    assert.equal(before.reports['report/r-0001']!.ttl, 30, 'reports keep their expiry (days), not a fresh one');
    const a = await admin();
    assert.equal(
      await a.exists(`module/${TARGET}/health`),
      0,
      'link health is not carried over: the service rebuilds it',
    );
    await a.quit();
    assert.equal(
      readFileSync(path.join(target.stateDir, 'receiver.token'), 'utf8'),
      token,
      'configured webhooks keep working',
    );
    assert.ok(!existsSync(path.join(target.stateDir, 'backup-monitor-state.json')), 'the dump is deleted once loaded');
    await assertChannelSecretsKept(target);
    assert.deepEqual(stubCalls(target).slice(-2), [
      'systemctl --user enable backup-monitor.service',
      'systemctl --user restart backup-monitor.service',
    ]);
  });

  // Issue #22: the previous version stored one `delivery` per report and index entries without
  // `channels`, as populateSource writes them; its dump must still show and migrate them.
  test('an old state backup restores and its history still shows its deliveries', async () => {
    await populateSource();
    const c = await admin();
    for (const id of ['r-0001', 'r-0002', 'r-0003']) {
      const { channels: _new, ...entry } = indexEntry(report(id));
      await c.hSet(moduleKeys(MODULE_ID).index, id, JSON.stringify(entry));
    }
    await c.quit();
    const old = await serviceState(MODULE_ID);
    for (const { value } of Object.values(old.reports)) assert.ok(!('deliveries' in JSON.parse(value!)));
    for (const entry of Object.values(old.index)) assert.ok(!('channels' in JSON.parse(entry)));
    const repoPath = await moduleBackup(source);
    const res = await clusterRestore(repoPath);
    assert.equal(res.status, 'completed', res.error);

    const listed = await runAction('list-reports', {}, target);
    assert.equal(listed.status, 'completed', listed.error);
    const shown = (listed.output as { reports: { id: string; delivery: unknown }[] }).reports;
    const sent = report('x').delivery;
    const asShown = { status: sent.status, attempts: sent.attempts, sent_at: sent.sentAt, recipients: sent.recipients };
    assert.deepEqual(
      shown.map((r) => r.id),
      ['r-0003', 'r-0002', 'r-0001'],
    );
    for (const r of shown) assert.deepEqual(r.delivery, { ...asShown, last_error: null }, r.id);

    // What the service does once at start, on the restored Redis with the new instance's user.
    const writer = createClient({ url: redis.url(`module/${TARGET}`, TARGET_PASSWORD) }) as Redis;
    writer.on('error', () => undefined);
    await writer.connect();
    try {
      const migrated = await migrateDeliveries(createRecordStore(writer, TARGET), async () => true, memoryLogger());
      assert.equal(migrated, 3);
    } finally {
      await writer.quit();
    }
    for (const [key, { value }] of Object.entries((await serviceState(TARGET)).reports)) {
      const stored = JSON.parse(value!) as StoredReport;
      assert.deepEqual(stored.deliveries?.email, stored.delivery, key);
    }
  });

  test('a backup from an older release without a newer setting: that setting takes its default', async () => {
    await populateSource();
    const repoPath = await moduleBackup(source);
    const res = await clusterRestore(repoPath, {
      environment: (e) => {
        const { REPO_CHECK_TIMEOUT_SECONDS: _gone, ...rest } = e;
        return rest;
      },
    });
    assert.equal(res.status, 'completed', res.error);
    assert.deepEqual(await getConfiguration(target), { ...FULL, repo_check_timeout: 60 });
    assert.ok(!('REPO_CHECK_TIMEOUT_SECONDS' in envOf(target)), 'the default lives in code, not in the environment');
  });

  test('a backup made before the state dump existed: settings restored, empty history, no error', async () => {
    await runAction('configure-module', FULL, source);
    const repoPath = `${DESTINATION}/backup-monitor/${envOf(source).MODULE_UUID}`;
    if (!existsSync(path.join(resticRoot, repoPath, 'config'))) await restic(['init'], homeOf(source), repoPath);
    await restic(['backup', '--quiet', 'state/environment'], homeOf(source), repoPath);
    const res = await clusterRestore(repoPath);
    assert.equal(res.status, 'completed', res.error);
    assert.deepEqual(await getConfiguration(target), FULL);
    assert.deepEqual((await serviceState(TARGET)).history, []);
  });

  test('a value that cannot be one env-file line is refused field by field; nothing is written or restored', async () => {
    await populateSource();
    const repoPath = await moduleBackup(source);
    const res = await clusterRestore(repoPath, {
      environment: (e) => ({ ...e, MAIL_TO: 'ops@example.org\nREDIS_PASSWORD=x', MAIL_FROM: 'a\rb' }),
    });
    assert.equal(res.status, 'validation-failed');
    assert.equal(res.exitCode, 3);
    assert.deepEqual(res.output, [
      { field: 'environment.MAIL_FROM', parameter: 'environment', value: 'a\rb', error: 'unsafe_environment_value' },
      {
        field: 'environment.MAIL_TO',
        parameter: 'environment',
        value: 'ops@example.org\nREDIS_PASSWORD=x',
        error: 'unsafe_environment_value',
      },
    ]);
    assert.deepEqual(settingVariables(envOf(target)), []);
    assert.ok(!existsSync(path.join(target.stateDir, 'backup-monitor-state.json')), '10restore did not run');
    assert.deepEqual((await serviceState(TARGET)).history, []);
    assert.deepEqual(stubCalls(target), []);
  });

  test("core's schema refuses a non-text variable before any step", async () => {
    assert.equal((await installModule({ ...target, tcpPort: 20022 })).status, 'completed');
    const environment = { MAIL_TO: 42 };
    const res = await runAction(
      'restore-module',
      { repository: DESTINATION, path: 'backup-monitor/x', snapshot: '', environment },
      target,
    );
    assert.equal(res.status, 'validation-failed');
    assert.deepEqual(
      (res.output as { field: string }[]).map((e) => e.field),
      ['environment.MAIL_TO'],
    );
    assert.deepEqual(settingVariables(envOf(target)), []);
  });

  test('a value this release refuses is left out with a warning: its default applies, the rest is restored', async () => {
    await populateSource();
    const repoPath = await moduleBackup(source);
    const res = await clusterRestore(repoPath, {
      environment: (e) => ({ ...e, MAIL_LANGUAGE: 'de', WAIT_SECONDS: '-5', MAIL_FROM: 'me@' }),
    });
    assert.equal(res.status, 'completed', res.error);
    assert.match(res.error, /MAIL_LANGUAGE='de' refused: enum; the default applies/);
    assert.match(res.error, /WAIT_SECONDS='-5' refused: number_gte; the default applies/);
    assert.match(res.error, /MAIL_FROM='me@' refused: invalid_email; the default applies/);
    assert.deepEqual(await getConfiguration(target), { ...FULL, language: 'en', wait_seconds: 30, mail_from: '' });
  });

  test('a damaged dump fails the restore step with a clear error and loads nothing', async () => {
    await populateSource();
    await runHook(source, 'module-dump-state');
    const dump = path.join(source.stateDir, 'backup-monitor-state.json');
    const doc = JSON.parse(readFileSync(dump, 'utf8')) as { keys: { key: string; payload: string }[] };
    doc.keys.at(-1)!.payload = Buffer.from('not a redis dump').toString('base64');
    writeFileSync(dump, JSON.stringify(doc));
    const repoPath = `${DESTINATION}/backup-monitor/${envOf(source).MODULE_UUID}`;
    if (!existsSync(path.join(resticRoot, repoPath, 'config'))) await restic(['init'], homeOf(source), repoPath);
    await restic(
      ['backup', '--quiet', 'state/environment', 'state/backup-monitor-state.json'],
      homeOf(source),
      repoPath,
    );
    const res = await clusterRestore(repoPath);
    assert.equal(res.status, 'aborted');
    assert.match(res.error, /backup-monitor state not loaded: Redis refused the state of/);
    const c = await admin();
    // environment and the metrics registration are written by the fresh instance's create-module, not by the restore.
    assert.deepEqual(
      await c
        .keys(`module/${TARGET}/*`)
        .then((k) => k.filter((x) => !/\/(environment|metrics_targets|metrics_dashboards)$/.test(x))),
      [],
    );
    await c.quit();
  });
});

// Issue #25 item 9: a malformed dump is refused before the live state is touched. The step that
// restore-module and clone-module run (20loadstate) loads a dump onto an instance that already
// has state, so "nothing loaded" is visible as "everything as it was".
describe('a malformed dump is refused and the live state is kept', () => {
  interface DumpEntry {
    key: string;
    expires_at: number | null;
    payload: string;
  }
  const dumpFile = () => path.join(source.stateDir, 'backup-monitor-state.json');

  /** Dumps the source, lets `damage` edit the document, then runs 20loadstate on the same instance. */
  async function loadDamaged(damage: (keys: DumpEntry[]) => void) {
    await populateSource();
    await runHook(source, 'module-dump-state');
    const doc = JSON.parse(readFileSync(dumpFile(), 'utf8')) as { keys: DumpEntry[] };
    damage(doc.keys);
    writeFileSync(dumpFile(), JSON.stringify(doc));
    const before = await serviceState(MODULE_ID);
    const env = { ...agentEnvironment(source), ...source.env };
    const step = path.join(IMAGEROOT, 'actions', 'restore-module', '20loadstate');
    const res = await run(step, [], { cwd: source.stateDir, env }).then(
      (r) => ({ code: 0, stderr: r.stderr }),
      (e: { code: number; stderr: string }) => ({ code: e.code, stderr: e.stderr }),
    );
    const c = await admin();
    const staging = await c.keys(`module/${MODULE_ID}/restoring/*`);
    await c.quit();
    return { res, before, after: await serviceState(MODULE_ID), staging };
  }
  const entry = (keys: DumpEntry[], name: string) => keys.find((k) => k.key === name)!;

  test('a key of the wrong Redis type (a string where the plan states are a hash)', async () => {
    const { res, before, after, staging } = await loadDamaged((keys) => {
      entry(keys, 'plans').payload = entry(keys, 'digest').payload;
    });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /backup-monitor state not loaded: .*plans is a string, the service keeps a hash there/);
    assert.doesNotMatch(res.stderr, /Traceback/);
    assert.deepEqual(after, before);
    assert.deepEqual(staging, [], 'nothing staged is left behind');
  });

  test('a report stored as a list', async () => {
    const { res, before, after } = await loadDamaged((keys) => {
      entry(keys, 'report/r-0002').payload = entry(keys, 'history').payload;
    });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /report\/r-0002 is a list, the service keeps a string there/);
    assert.deepEqual(after, before);
  });

  test('a key listed twice', async () => {
    const { res, before, after, staging } = await loadDamaged((keys) => {
      keys.push({ ...entry(keys, 'history') });
    });
    assert.equal(res.code, 2, res.stderr);
    assert.match(res.stderr, /backup-monitor state not loaded: .*history is listed twice/);
    assert.doesNotMatch(res.stderr, /Traceback/);
    assert.deepEqual(after, before);
    assert.deepEqual(staging, []);
  });

  test('a sound dump replaces the live state (the check refuses nothing good)', async () => {
    const { res, before, after } = await loadDamaged(() => undefined);
    assert.equal(res.code, 0, res.stderr);
    assert.deepEqual(after, before);
    assert.ok(!existsSync(dumpFile()), 'the dump is deleted once loaded');
  });
});

describe('clone and move to another node', () => {
  test('clone: the copy has every setting and the whole state; the source keeps running with its own', async () => {
    await populateSource();
    const before = await serviceState(MODULE_ID);
    const { transfer, clone } = await clusterClone(false);
    assert.equal(transfer.status, 'completed', transfer.error);
    assert.equal(clone.status, 'completed', clone.error);
    assert.deepEqual(await getConfiguration(target), FULL);
    const env = envOf(target);
    assert.equal(env.MODULE_ID, TARGET);
    assert.equal(env.NODE_ID, '2');
    assert.notEqual(env.MODULE_UUID, envOf(source).MODULE_UUID, 'a clone is a new instance');
    assert.deepEqual(await serviceState(TARGET), before);
    assert.deepEqual(await serviceState(MODULE_ID), before, 'the source is untouched');
    assert.deepEqual(stubCalls(source).slice(-3), [
      'systemctl --user stop backup-monitor.service',
      'systemctl --user isolate transfer-state.target',
      'systemctl --user isolate default.target',
    ]);
    assert.deepEqual(stubCalls(target).slice(-2), [
      'systemctl --user enable backup-monitor.service',
      'systemctl --user isolate default.target',
    ]);
    for (const o of [source, target])
      assert.ok(!existsSync(path.join(o.stateDir, 'backup-monitor-state.json')), 'no copy of the reports left behind');
    await assertChannelSecretsKept(target);
  });

  test('move: the old keys are erased, the new instance has everything', async () => {
    await populateSource();
    const before = await serviceState(MODULE_ID);
    const uuid = envOf(source).MODULE_UUID;
    const { transfer, clone } = await clusterClone(true);
    assert.equal(transfer.status, 'completed', transfer.error);
    assert.equal(clone.status, 'completed', clone.error);
    const c = await admin();
    assert.deepEqual(await c.keys(`module/${MODULE_ID}/*`), []);
    await c.quit();
    assert.deepEqual(await getConfiguration(target), FULL);
    assert.equal(envOf(target).MODULE_UUID, uuid, 'a move keeps the UUID (same backup repository)');
    await assertChannelSecretsKept(target);
    assert.deepEqual(await serviceState(TARGET), before);
  });
});

describe('the dump covers what the service keeps', () => {
  test('the Redis type the restore expects of each key is the one docs/ARCHITECTURE.md "Records" states', async () => {
    const { stdout } = await run(
      '/usr/bin/python3',
      ['-c', 'import json; from backup_monitor import statedump as s; print(json.dumps(s.STATE_TYPES))'],
      { env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg'), PYTHONDONTWRITEBYTECODE: '1' } },
    );
    const types = JSON.parse(stdout) as Record<string, string>;
    const doc = readFileSync(path.join(IMAGEROOT, '..', 'docs', 'ARCHITECTURE.md'), 'utf8');
    const documented = Object.fromEntries(
      [...doc.matchAll(/^\| `module\/<id>\/([^`]+)` \| (\w+) \|/gm)].map(([, key, type]) => [
        key!.replace('<report id>', '*'),
        type!.toLowerCase(),
      ]),
    );
    for (const [key, type] of Object.entries(types))
      assert.equal(documented[key], type, `module/<id>/${key}: ${type} in statedump.py`);
  });

  test('every key in src/domain/records.ts moduleKeys is either dumped or declared transient', async () => {
    const { stdout } = await run(
      '/usr/bin/python3',
      [
        '-c',
        'import json; from backup_monitor import statedump as s; print(json.dumps([s.STATE_KEYS, s.STATE_PATTERNS, s.TRANSIENT_KEYS]))',
      ],
      { env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg'), PYTHONDONTWRITEBYTECODE: '1' } },
    );
    const [keys, patterns, transient] = JSON.parse(stdout) as string[][];
    const k = moduleKeys('x');
    const names = Object.entries(k).map(([, v]) => (typeof v === 'function' ? v('*') : v).slice('module/x/'.length));
    for (const name of names) {
      assert.ok(
        [...keys!, ...patterns!, ...transient!].includes(name),
        `module/<id>/${name} is neither dumped nor declared transient in statedump.py`,
      );
    }
  });
});
