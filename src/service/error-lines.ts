// SPDX-License-Identifier: GPL-3.0-or-later
// The Loki reader of a failed backup's error lines (ns8/loki.ts), as the service uses it: Loki
// found through the cluster, a run whose read never finished counted in `module/<id>/loki-reads`
// (a read that crashed the service twice is not tried a third time), and the passwords a
// backup's log line may repeat masked besides Loki's own (issue #25).
import type { Clock } from '../clock.js';
import type { Config } from '../config.js';
import { moduleKeys } from '../domain/records.js';
import type { Logger } from '../log.js';
import { createErrorLineReader, discoverLoki, redisReadAttempts, type ErrorLineReader } from '../ns8/loki.js';
import type { Redis } from '../ns8/redis.js';
import { readSmarthost } from '../ns8/smarthost.js';

/**
 * The passwords to mask in a line: the Redis one of the service and the smarthost's, read on every
 * use (the admin may change the smarthost). Rejects when the smarthost cannot be read: then no
 * line is shown rather than an unmasked one.
 */
export function secretsToMask(cfg: Pick<Config, 'redis'>, reader: Redis): () => Promise<(string | undefined)[]> {
  return async () => [cfg.redis.password?.reveal(), (await readSmarthost(reader)).password?.reveal()];
}

export function errorLineReaderFor(
  cfg: Pick<Config, 'redis' | 'loki' | 'moduleId'>,
  redis: { reader: Redis; writer: Redis },
  clock: Clock,
  log: Logger,
): ErrorLineReader {
  return createErrorLineReader({
    discover: () => discoverLoki(redis.reader),
    budgetSeconds: cfg.loki.budget,
    now: () => clock.now(),
    log,
    secrets: secretsToMask(cfg, redis.reader),
    attempts: redisReadAttempts(redis.writer, moduleKeys(cfg.moduleId).lokiReads),
  });
}
