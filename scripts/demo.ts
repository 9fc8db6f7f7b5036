// SPDX-License-Identifier: GPL-3.0-or-later
// The demo: the real service (src/main.ts, as a child process with embedded defaults) against a
// local Redis loaded with NS8's ACLs and a realistic 2-node cluster, an SMTP sink, and metrics1's
// Prometheus + Alertmanager, and the NS8 API server + cluster agent (simulated) running real restic
// against `rclone serve restic`. It replays a partly failed run of plan 2 "Weekly SMB", the node
// gauges fire BackupFailed, and one email comes out: saved under .demo/ and printed here.
// Run: bash scripts/setup.sh && npm run demo      (add -- --keep to leave everything running)
import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { startRedis, MODULE_ID, MODULE_PASSWORD } from '../test/helpers/redis-server.js';
import { startSmtpSink } from '../test/helpers/smtp-sink.js';
import { freePort, waitForPort } from '../test/helpers/ports.js';
import { startMetricsStack, eventually, activeAlerts } from '../test/helpers/prometheus.js';
import { replayRun, seedCluster, adminClient, MODULES, DEST_SMB } from '../test/sim/cluster.js';
import { startApiServer, grantClusterRoles } from '../test/sim/api-server.js';
import { startClusterAgent } from '../test/sim/cluster-agent.js';
import { startResticServer, makeRepository } from '../test/sim/restic-server.js';
import { imageName } from '../src/domain/backup.js';

const out = path.resolve('.demo');
const keep = process.argv.includes('--keep');
const step = (s: string) => process.stdout.write(`\n\x1b[1m==> ${s}\x1b[0m\n`);

step(
  'Starting Redis with NS8 ACL users, an SMTP sink, Prometheus, node_exporter x2, Alertmanager, restic server, NS8 API simulator',
);
const redis = await startRedis();
const smtp = await startSmtpSink();
const port = await freePort();
const metrics = await startMetricsStack({ webhookUrl: `http://127.0.0.1:${port}/alert` });
await seedCluster(redis, { smtpPort: smtp.port });
// The destination of plan 2, as real restic repositories: nextcloud1's newest snapshot is last
// week's (tonight its database dump fails); the others get tonight's, so the monitor, which
// checks every claim against the destination (issue #23), confirms them.
const restic = await startResticServer();
const admin = await adminClient(redis);
const resticPassword = (await admin.hGet('private/agents/backup_destination/restic_password', DEST_SMB))!;
await admin.close();
const repoPath = (id: string) => {
  const m = MODULES.find((x) => x.id === id)!;
  return `${imageName(m.image)}/${m.uuid}`;
};
await makeRepository(restic.repoUrl(DEST_SMB, repoPath('nextcloud1')), resticPassword, {
  time: new Date(Date.now() - 7 * 86400_000),
});
await Promise.all(
  ['samba1', 'webtop1', 'traefik2'].map((id) => makeRepository(restic.repoUrl(DEST_SMB, repoPath(id)), resticPassword)),
);
await grantClusterRoles(redis.adminUrl, { [`module/${MODULE_ID}`]: 'reader' }); // org.nethserver.authorizations=cluster:reader
const agent = await startClusterAgent({ redisUrl: redis.adminUrl, repoUrl: (dest, p) => restic.repoUrl(dest, p) });
const api = await startApiServer({ redisUrl: redis.adminUrl, redisPort: redis.port });
console.log(
  `redis 127.0.0.1:${redis.port}  smtp 127.0.0.1:${smtp.port}  alertmanager ${metrics.alertmanager.url}  prometheus ${metrics.prometheus.url}  NS8 API ${api.url}`,
);

step(`Starting the backup monitor on 127.0.0.1:${port} (logs below, journald style)`);
const service = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
  stdio: ['ignore', 'inherit', 'inherit'],
  env: {
    ...process.env,
    TCP_PORT: String(port),
    MAIL_TO: 'admin@example.org',
    WAIT_SECONDS: '5',
    REDIS_REPLICA_URL: `redis://127.0.0.1:${redis.port}`,
    REDIS_USER: `module/${MODULE_ID}`,
    REDIS_PASSWORD: MODULE_PASSWORD,
    ALERTMANAGER_URL: metrics.alertmanager.url,
    ALERTMANAGER_POLL_SECONDS: '5',
    API_SERVER_URL: api.url,
  },
});
await waitForPort(port, 20_000);

step('Replaying plan 2 "Weekly SMB" on nodes 1 and 2: nextcloud1 fails, the others are saved');
await replayRun(redis, 2, {
  nextcloud1: { errors: 1, ms: 400 },
  samba1: { ms: 600 },
  traefik2: { ms: 100 },
  webtop1: { ms: 700 },
});
metrics.writeGauge(1, 2, 'Weekly SMB', 0);
metrics.writeGauge(2, 2, 'Weekly SMB', 1);
await eventually(
  'BackupFailed firing in Alertmanager',
  () => activeAlerts(metrics.alertmanager),
  (a) => a.some((x) => x.labels.alertname === 'BackupFailed'),
  60_000,
);
console.log('BackupFailed is firing for plan 2 on node 1 (webhook + poller will see it too)');

const [mail] = await smtp.waitFor(1, 60_000);
await new Promise((r) => setTimeout(r, 8000)); // the alert paths must not add a second mail
mkdirSync(out, { recursive: true });
writeFileSync(path.join(out, 'report.html'), String(mail!.html));
writeFileSync(path.join(out, 'report.txt'), mail!.text ?? '');

step(`${smtp.messages.length} email(s) received by the SMTP sink — the report, as plain text:`);
console.log(`Subject: ${mail!.subject}\nTo: ${smtp.envelopes[0]!.to.join(', ')}\n`);
console.log(mail!.text);
step(`Saved: ${path.join(out, 'report.html')} (open it in a browser) and ${path.join(out, 'report.txt')}`);

if (keep) {
  console.log(`Still running. Try: curl -s http://127.0.0.1:${port}/healthz ; press Ctrl-C to stop.`);
  await new Promise((r) => process.once('SIGINT', r));
}
service.kill('SIGTERM');
await new Promise((r) => service.once('exit', r));
await metrics.stop();
await api.stop();
await agent.stop();
await restic.stop();
await smtp.stop();
await redis.stop();
