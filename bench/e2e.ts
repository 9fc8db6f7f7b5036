// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #20: from the last module's `backup-status-changed` event to the mail accepted by the
// SMTP server, p50 and p99 over 50 runs in which every module of the plan reported.
//
// Real pieces: redis-server with NS8's ACLs, the shipped entrypoint (test/helpers/service.ts: the
// image's command line and Node build), node run-backup replayed as NS8's node writes it
// (test/sim/cluster.ts: HSET status + PUBLISH in one MULTI, with the node's credentials, nodes in
// parallel, modules of a node one after another), the smarthost an SMTP server
// (test/helpers/smtp-sink.ts).
//
// Settings: NOTIFY_POLICY=always (every run is mailed) and WAIT_SECONDS=30, the default: when every
// module of the plan has reported, the run is settled at once (triggers/run-tracker.ts), so the
// quiet time is not in the path; a p99 near 30 s would say it is. Each run is the first of its
// own plan: a second run of one plan within MAX_RUN_SECONDS (3 h) is a late result of the first.
// The clock starts when the last module's event reaches a subscriber beside the service (the
// `default` user, as the service subscribes) and stops when the SMTP server has the message.
// Run: npm run bench:e2e [runs]
import { execFileSync } from 'node:child_process';
import { createClient } from 'redis';
import { startRedis } from '../test/helpers/redis-server.js';
import { startSmtpSink } from '../test/helpers/smtp-sink.js';
import { startTestService } from '../test/helpers/service.js';
import { PLANS, replayRun, seedCluster, type SimPlan } from '../test/sim/cluster.js';
import { shippedNode } from '../scripts/entrypoint.mjs';
import { loadAverage, quantile } from './lib.js';

const RUNS = Number(process.argv[2] ?? 50);
/** What makes a report go out when every module reported; the rest is the test environment's. */
const SETTINGS = { NOTIFY_POLICY: 'always', WAIT_SECONDS: '30', MAIL_TO: 'ops@example.org' };
/** "Daily offsite": 4 applications, 3 on node 1 and 1 on node 2. */
const TEMPLATE = PLANS[0]!;
/** Plan 1 warms up (the first mail loads nodemailer); plans 2… are measured. */
const plans: SimPlan[] = Array.from({ length: RUNS + 1 }, (_, i) => ({
  ...TEMPLATE,
  id: i + 1,
  name: `Offsite ${i + 1}`,
}));

const redis = await startRedis();
const smtp = await startSmtpSink();
await seedCluster(redis, { smtpPort: smtp.port, plans });
const { service, log } = await startTestService(redis, SETTINGS);

/** Plan id -> when each of its events reached the subscriber (ms, performance.now()). */
const eventsAt = new Map<number, number[]>();
const events = createClient({ url: redis.url() });
await events.connect();
await events.pSubscribe('node/*/event/backup-status-changed', (message) => {
  const at = performance.now();
  const { backup_id: plan } = JSON.parse(message) as { backup_id: number };
  eventsAt.set(plan, [...(eventsAt.get(plan) ?? []), at]);
});

/** One run of the plan: ms from its last module's event to the mail at the SMTP server. */
async function oneRun(plan: SimPlan, mails: number): Promise<number> {
  const arrived = smtp.waitFor(mails, 60_000).then(() => performance.now());
  await replayRun(redis, plan.id, {}, { plans });
  const until = Date.now() + 10_000;
  while ((eventsAt.get(plan.id)?.length ?? 0) < plan.instances.length) {
    if (Date.now() > until) throw new Error(`plan ${plan.id}: the events did not all arrive`);
    await new Promise((r) => setTimeout(r, 5));
  }
  const ms = (await arrived) - Math.max(...eventsAt.get(plan.id)!);
  const subject = smtp.messages[mails - 1]?.subject ?? '';
  if (!subject.includes(plan.name)) throw new Error(`mail ${mails} is not about ${plan.name}: ${subject}`);
  return ms;
}

try {
  const loadBefore = loadAverage();
  const cold = await oneRun(plans[0]!, 1);
  const times: number[] = [];
  for (const plan of plans.slice(1)) times.push(await oneRun(plan, times.length + 2));
  const loadAfter = loadAverage();
  const settled = log.lines.filter((l) => l.includes('run settled')).length;
  const errors = log.lines.filter((l) => /^<[0-3]>/.test(l));
  // The service's own measure of the SMTP part: `report sent … ms=` (connect, dialogue, 250 reply).
  const smtpMs = log.lines.flatMap((l) => (l.includes('report sent') ? [Number(/ ms=(\d+)/.exec(l)?.[1])] : []));
  const version = execFileSync(shippedNode(), ['--version']).toString().trim();
  const f = (x: number) => x.toFixed(0);
  console.log(
    `## Last backup-status-changed event -> mail accepted by the SMTP server (${RUNS} runs)\n\n` +
      `The shipped entrypoint on node ${version}, ${Object.entries(SETTINGS)
        .map(([k, v]) => `${k}=${v}`)
        .join(' ')}; a plan of ${TEMPLATE.instances.length} applications on 2 nodes, every one reported ` +
      `(SUCCESS); load average ${loadBefore} before, ${loadAfter} after.\n\n` +
      '| runs | p50 (ms) | p99 (ms) | max (ms) | first mail after start (ms) | goal p99 < 2 s |\n' +
      '|---:|---:|---:|---:|---:|---|\n' +
      `| ${times.length} | ${f(quantile(times, 0.5))} | ${f(quantile(times, 0.99))} | ${f(Math.max(...times))} | ${f(cold)} | ${quantile(times, 0.99) < 2000 ? 'met' : 'NOT met'} |`,
  );
  console.log(
    `\nruns settled: ${settled}; mails: ${smtp.messages.length}; error lines: ${errors.length}; ` +
      `of each run, the SMTP delivery as the service logs it (report sent … ms=): p50 ${f(quantile(smtpMs, 0.5))} ms, p99 ${f(quantile(smtpMs, 0.99))} ms`,
  );
  for (const e of errors.slice(0, 5)) console.log(`  ${e}`);
  console.log(
    `\nsummary e2e runs=${times.length} p50=${f(quantile(times, 0.5))} p99=${f(quantile(times, 0.99))} load="${loadBefore} / ${loadAfter}"`,
  );
} finally {
  await events.quit();
  await service.stop();
  await smtp.stop();
  await redis.stop();
}
