// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #21 / #20 ("one place for each fact"): the digest's "last full success" is the status
// page's: the newest SUCCESS run. A WARNING run saved everything but is no full success, so a plan
// whose run last night was a WARNING names the SUCCESS of 3 days ago in the digest and on the page.
// The real stack: Redis with NS8's ACLs, the module installed, the service, an SMTP sink.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { startTestService } from '../helpers/service.js';
import { freePort } from '../helpers/ports.js';
import { adminClient, planRun, replayRun, runsDecided, seedCluster, type ModuleResult } from '../sim/cluster.js';
import { moduleKeys } from '../../src/domain/records.js';
import { formatDateTime } from '../../src/domain/format.js';
import { installModule, runAction, type AgentOptions } from '../sim/agent-runner.js';

const DAY_S = 86_400;
const PLAN_ID = 2;
const NOW_S = Math.floor(Date.now() / 1000);
/** Three SUCCESS runs (5, 4 and 3 days ago), then last night's run that saves 1 kB of samba1: WARNING (shrink). */
const SUCCESS_STARTS = [5, 4, 3].map((d) => NOW_S - d * DAY_S);
const WARNING_START = NOW_S - 8 * 3600;

let redis: RedisServer;
let smtp: SmtpSink;
let root: string;
let o: AgentOptions;
let service: Awaited<ReturnType<typeof startTestService>>;

before(async () => {
  [redis, smtp] = await Promise.all([startRedis(), startSmtpSink()]);
  await seedCluster(redis, { smtpPort: smtp.port });
  root = mkdtempSync(path.join(tmpdir(), 'bm-lfs-'));
  o = { stateDir: path.join(root, 'state'), redis };
  const tcpPort = await freePort();
  const created = await installModule({ ...o, tcpPort });
  assert.equal(created.status, 'completed', created.error);
  const token = readFileSync(path.join(o.stateDir, 'receiver.token'), 'utf8').trim();
  service = await startTestService(redis, {
    RECEIVER_TOKEN: token,
    MAIL_TO: 'ops@example.org',
    NOTIFY_POLICY: 'problems',
    TCP_PORT: String(tcpPort),
    REPO_CHECK_ENABLED: '0',
    METRICS_HOST: '127.0.0.3',
    METRICS_PORT: '0',
  });
});
after(async () => {
  await service?.service.stop();
  await Promise.all([redis?.stop(), smtp?.stop()]);
  rmSync(root, { recursive: true, force: true });
});

const quiet = (runs: number) => runsDecided(redis, MODULE_ID, runs);
const runOf = (startAt: number, more: Record<string, ModuleResult> = {}) => planRun(PLAN_ID, startAt, more);

test('a WARNING last night after a SUCCESS 3 days ago: digest and page name the same date', async () => {
  const runs = [...SUCCESS_STARTS.map((t) => runOf(t)), runOf(WARNING_START, { samba1: { sizeBytes: 1000 } })];
  for (const [i, results] of runs.entries()) {
    await replayRun(redis, PLAN_ID, results);
    await quiet(i + 1);
  }
  const c = await adminClient(redis);
  try {
    const state = JSON.parse((await c.hGet(moduleKeys(MODULE_ID).plans, String(PLAN_ID)))!) as {
      lastOutcome: string;
      lastSuccessAt: number;
    };
    assert.equal(state.lastOutcome, 'WARNING', 'the shrink made the last run a WARNING');
    assert.equal(state.lastSuccessAt, WARNING_START, 'the plan state counts the WARNING as saved (staleness)');
  } finally {
    await c.quit();
  }

  const res = await runAction('get-monitor-status', {}, o);
  assert.equal(res.status, 'completed', res.error);
  const plan = (res.output as { plans: { id: number; last_full_success_at: number | null }[] }).plans.find(
    (p) => p.id === PLAN_ID,
  )!;
  assert.equal(plan.last_full_success_at, SUCCESS_STARTS[2], 'the page: the SUCCESS of 3 days ago');

  const mailed = smtp.messages.length;
  const sample = await runAction('send-test-notification', { kind: 'digest' }, o);
  assert.equal(sample.status, 'completed', sample.error);
  const [digest] = (await smtp.waitFor(mailed + 1)).slice(mailed);
  const at = (s: number) => formatDateTime(s, { timeZone: 'Europe/Rome', zoneName: true, seconds: false });
  const said = /Last full success: ([^·\n]+?)(?: ·|\n|$)/.exec(String(digest!.text))?.[1];
  assert.equal(said, at(plan.last_full_success_at!), 'the digest names the date the page names');
  assert.notEqual(said, at(WARNING_START));
});

// docs/METRICS.md: the /metrics series is the newest run that saved everything (PlanState.lastSuccessAt,
// what staleness and the BackupNotSuccessful alert read), WARNING included: not the page's date.
test('/metrics after the runs above: the last-success series counts the WARNING run, as documented', async () => {
  const ready = service.log.lines.map((l) => /metrics listener ready .*listen=[^ ]*:(\d+)/.exec(l)).find(Boolean);
  assert.ok(ready, 'the metrics listener is up');
  const metricsUrl = `http://127.0.0.3:${ready[1]}/metrics`;
  const series = new RegExp(
    `^backup_monitor_plan_last_success_timestamp_seconds\\{[^}]*plan_id="${PLAN_ID}"[^}]*\\} (\\d+)$`,
    'm',
  );
  // A scrape answers from the last refresh and starts the next: read until it holds the last run.
  let value: number | null = null;
  for (const until = Date.now() + 30_000; value !== WARNING_START && Date.now() < until; ) {
    const m = series.exec(await (await fetch(metricsUrl)).text());
    value = m ? Number(m[1]) : null;
    if (value !== WARNING_START) await new Promise((r) => setTimeout(r, 200));
  }
  assert.equal(value, WARNING_START);
});
