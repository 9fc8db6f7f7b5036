// SPDX-License-Identifier: GPL-3.0-or-later
// What the imageroot tests share: one real Redis with NS8's ACLs and the contract's 2-node
// cluster per file, a freshly installed instance (add-module + create-module through
// test/sim/agent-runner.ts) per test, a client that is always closed, and a configure-module
// input that sets every field to something other than its default.
import { after, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { seedCluster } from '../sim/cluster.js';
import { installModule, type AgentOptions, type InstallOptions } from '../sim/agent-runner.js';

/** configure-module input with every field set, none to its default. */
export const FULL_SETTINGS = {
  mail_to: ['ops@example.org', 'backup-team@example.org'],
  mail_from: 'ns8-backup@example.org',
  subject_prefix: '[ACME backup]',
  language: 'it',
  notify_policy: 'always',
  wait_seconds: 60,
  recent_window: 7200,
  missed_run_grace: 10800,
  stale_age: 1209600,
  reminder_interval: 0,
  repo_check_enabled: false,
  repo_check_timeout: 120,
  plan_notifications: [{ plan_id: 2, policy: 'always', mail_to: ['owner@example.org'] }],
  digest_frequency: 'daily',
  digest_weekday: 'fri',
  digest_time: '07:30',
  failure_tolerance: 3,
  escalation_after: 172800,
  escalation_to: ['it-manager@example.org'],
  plan_escalation: '2:2:86400',
  // Issue #24 item 5: a maximum run duration for every plan, and plan 2's own.
  max_run_duration: 14400,
  plan_max_run_duration: '2:7200',
  // Issue #22: the channels' settings that are not secrets.
  cluster_admin_url: 'https://leader.example.org/cluster-admin/',
  telegram_chat_id: '-1001234567890',
  telegram_level: 'every',
  telegram_plans: '2',
  teams_level: 'every',
  teams_plans: '1,2',
  ntfy_level: 'every',
  ntfy_plans: '2',
  webhook_level: 'every',
  webhook_plans: '1',
};

/** Issue #22: a value for every channel secret, each findable by grep (`real-…-value`). */
export const CHANNEL_SECRETS = {
  telegram_bot_token: '123456:real-telegram-token-value',
  teams_webhook_url: 'https://prod.example.org/workflows/real-teams-sig-value',
  ntfy_topic_url: 'https://ntfy.example.org/real-ntfy-topic-value',
  ntfy_token: 'tk_real-ntfy-token-value',
  webhook_url: 'https://hooks.example.org/real-webhook-url-value',
  webhook_secret: 'real-webhook-secret-value',
};

export type Client = ReturnType<typeof createClient>;

/** Runs `fn` with a connected client for `url` and closes it whatever happens. */
export async function withClient<T>(url: string, fn: (c: Client) => Promise<T>): Promise<T> {
  const c = createClient({ url });
  c.on('error', () => undefined);
  await c.connect();
  try {
    return await fn(c);
  } finally {
    c.destroy();
  }
}

/** The copy of the module environment the agent keeps in Redis (module/<id>/environment). */
export const redisEnvironment = (redis: RedisServer, id = MODULE_ID): Promise<Record<string, string>> =>
  withClient(redis.url(), async (c) => ({ ...(await c.hGetAll(`module/${id}/environment`)) }));

export interface ModuleFixture {
  redis: RedisServer;
  /** This test's temp dir; the instance's state dir is `<root>/state`. */
  root: string;
  o: AgentOptions;
}

export interface FixtureOptions {
  /** startRedis options (e.g. more module users). */
  redis?: Parameters<typeof startRedis>[0];
  /** Run once the Redis is up and seeded (subscribers, API server, ...). */
  started?(f: ModuleFixture): Promise<void>;
  /** Run before the Redis stops. */
  stopping?(f: ModuleFixture): Promise<void>;
  /** Before each test's install: e.g. clear keys the previous test left. */
  reset?(f: ModuleFixture): Promise<void>;
  /** Agent options of each test's instance on top of {stateDir, redis}. */
  agent?(f: ModuleFixture): Partial<AgentOptions>;
  /** installModule options; `false`: the test installs the instance itself. */
  install?: Partial<InstallOptions> | false;
}

/**
 * Registers the file's hooks and returns the fixture they fill: `redis` for the file, `root`
 * and `o` new for each test (with the instance installed on port 20011 unless told otherwise).
 */
export function freshModule(prefix: string, opts: FixtureOptions = {}): ModuleFixture {
  const f = {} as ModuleFixture;
  before(async () => {
    f.redis = await startRedis(opts.redis);
    await seedCluster(f.redis);
    await opts.started?.(f);
  });
  after(async () => {
    await opts.stopping?.(f);
    await f.redis?.stop();
    if (f.root) rmSync(f.root, { recursive: true, force: true });
  });
  beforeEach(async () => {
    if (f.root) rmSync(f.root, { recursive: true, force: true });
    f.root = mkdtempSync(path.join(tmpdir(), prefix));
    f.o = { stateDir: path.join(f.root, 'state'), redis: f.redis };
    f.o = { ...f.o, ...opts.agent?.(f) };
    await opts.reset?.(f);
    if (opts.install === false) return;
    const created = await installModule({ ...f.o, tcpPort: 20011, ...opts.install });
    assert.equal(created.status, 'completed', created.error);
  });
  return f;
}
