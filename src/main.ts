// SPDX-License-Identifier: GPL-3.0-or-later
// Composition root: config -> service; SIGTERM/SIGINT stop it cleanly.
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from './config.js';
import { createLogger } from './log.js';
import { redact } from './secret.js';
import { startService } from './service.js';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { config: { type: 'string' } } });
  let cfg;
  try {
    cfg = loadConfig(process.env, values.config);
  } catch (err) {
    if (err instanceof ConfigError) {
      process.stderr.write(`<3>${err.message}\n`);
      process.exit(2);
    }
    throw err;
  }
  const secrets = [cfg.redis.password, cfg.receiver.token].filter((s) => s !== null);
  const log = createLogger(cfg.logging.level, {}, undefined, secrets);
  const service = await startService(cfg, { log });
  const stop = async (signal: string) => {
    log.info('stopping', { signal });
    await service.stop();
    process.exit(0);
  };
  process.once('SIGTERM', () => void stop('SIGTERM'));
  process.once('SIGINT', () => void stop('SIGINT'));
}

process.on('unhandledRejection', (err) => {
  process.stdout.write(`<3>unhandled rejection: ${(err as Error)?.message ?? err}\n`);
});
// A start that fails (port in use, ...) must end the process: systemd restarts it (Restart=always).
main().catch((err: Error) => {
  process.stdout.write(
    `<3>${redact(String(err?.message ?? err), [process.env.REDIS_PASSWORD]).replace(/[\r\n]+/g, ' ')}\n`,
  );
  process.exit(1);
});
