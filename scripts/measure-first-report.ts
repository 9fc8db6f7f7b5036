// SPDX-License-Identifier: GPL-3.0-or-later
// Install -> first report, in the simulator: how long from add-module until the administrator's
// first mail, step by step. Real pieces: Redis with NS8's ACLs, the module's create-module and
// configure-module steps (agent emulator), the compiled service, an SMTP sink as smarthost,
// node run-backup replayed into Redis (plan 2, one failing module).
//   node --import tsx scripts/measure-first-report.ts [wait_seconds]      (default 30, the default)
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { MODULE_ID, startRedis } from '../test/helpers/redis-server.js';
import { startSmtpSink } from '../test/helpers/smtp-sink.js';
import { startTestService } from '../test/helpers/service.js';
import { freePort } from '../test/helpers/ports.js';
import { replayRun, seedCluster } from '../test/sim/cluster.js';
import { installModule, readEnvFile, runAction } from '../test/sim/agent-runner.js';
import { moduleKeys } from '../src/domain/records.js';

const waitSeconds = Number(process.argv[2] ?? 30);
const redis = await startRedis();
const smtp = await startSmtpSink();
const root = mkdtempSync(path.join(tmpdir(), 'bm-first-'));
const o = { stateDir: path.join(root, 'state'), redis };
const marks: [string, number][] = [];
const t0 = Date.now();
const mark = (what: string) => marks.push([what, Date.now()]);
let service: Awaited<ReturnType<typeof startTestService>> | undefined;
try {
  await seedCluster(redis, { smtpPort: smtp.port });
  const tcpPort = await freePort();
  const installed = await installModule({ ...o, tcpPort });
  if (installed.status !== 'completed') throw new Error(installed.error);
  mark('add-module + create-module');
  const configured = await runAction(
    'configure-module',
    { mail_to: ['ops@example.org'], wait_seconds: waitSeconds },
    o,
  );
  if (configured.status !== 'completed') throw new Error(configured.error);
  mark('configure-module');
  const env = readEnvFile(path.join(o.stateDir, 'environment'));
  const token = readFileSync(path.join(o.stateDir, 'receiver.token'), 'utf8').trim();
  const settings = Object.fromEntries(
    Object.entries(env).filter(([k]) => /^(MAIL_|NOTIFY_|WAIT_|RECENT_|MISSED_|STALE_|REMINDER_|REPO_CHECK_)/.test(k)),
  );
  service = await startTestService(redis, {
    ...settings,
    RECEIVER_TOKEN: token,
    TCP_PORT: String(tcpPort),
    REPO_CHECK_ENABLED: '0',
  });
  mark('service ready');
  await replayRun(redis, 2, { nextcloud1: { errors: 1 } }, { skip: ['webtop1'] });
  mark('backup run finished (last status written)');
  const c = createClient({ url: redis.url() });
  await c.connect();
  for (const until = Date.now() + (waitSeconds + 60) * 1000; (await c.lLen(moduleKeys(MODULE_ID).history)) < 1; ) {
    if (Date.now() > until) throw new Error('no report');
    await new Promise((r) => setTimeout(r, 50));
  }
  await c.quit();
  mark('first report stored');
  await smtp.waitFor(1, 30_000);
  mark('first report mailed');
} finally {
  await service?.service.stop();
  await Promise.all([redis.stop(), smtp.stop()]);
  rmSync(root, { recursive: true, force: true });
}
let prev = t0;
for (const [what, at] of marks) {
  process.stdout.write(
    `${what.padEnd(44)} +${((at - prev) / 1000).toFixed(2).padStart(6)} s   ${((at - t0) / 1000).toFixed(2).padStart(6)} s\n`,
  );
  prev = at;
}
process.stdout.write(
  `(wait_seconds=${waitSeconds}: the quiet time after a plan's last result before the report is made)\n`,
);
