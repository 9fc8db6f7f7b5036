// SPDX-License-Identifier: GPL-3.0-or-later
// Starts the real service in-process against a test Redis, with config from env-style values.
import { loadConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/log.js';
import { startService, type RunningService, type ServiceOptions } from '../../src/service.js';
import { MODULE_ID, MODULE_PASSWORD, type RedisServer } from './redis-server.js';

export async function startTestService(redis: RedisServer, env: Record<string, string> = {}, opts: Partial<ServiceOptions> = {}) {
  const cfg = loadConfig({
    MODULE_ID, TCP_PORT: '0', WAIT_SECONDS: '1', MAIL_TO: 'admin@example.org', MAIL_FROM: 'backup@example.org',
    REDIS_REPLICA_URL: `redis://127.0.0.1:${redis.port}`, REDIS_LEADER_URL: `redis://127.0.0.1:${redis.port}`,
    REDIS_USER: `module/${MODULE_ID}`, REDIS_PASSWORD: MODULE_PASSWORD, TZ: 'Europe/Rome', ALERTMANAGER_POLL_SECONDS: '0', REPO_CHECK_ENABLED: '0',
    ...env,
  });
  const log = memoryLogger();
  const service: RunningService = await startService(cfg, { log, deliveryTickMs: 200, ...opts });
  return { service, log, cfg, url: `http://127.0.0.1:${service.port}` };
}
