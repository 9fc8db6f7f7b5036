// SPDX-License-Identifier: GPL-3.0-or-later
// The poller against a real Alertmanager (alerts posted through its v2 API, as Prometheus does),
// plus the pure mapping/diff on payloads captured from Alertmanager 0.25.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import {
  AlertmanagerPoller,
  alertsFromApi,
  diffPoll,
  pollDelayMs,
  type LinkHealth,
  type PolledAlert,
} from '../../src/triggers/alertmanager-poller.js';
import type { BackupAlert } from '../../src/domain/alert.js';
import { memoryLogger } from '../../src/log.js';
import { systemClock } from '../../src/clock.js';
import { startAlertmanager, eventually } from '../helpers/prometheus.js';

const fixture = (name: string) =>
  JSON.parse(readFileSync(path.join(import.meta.dirname, '../fixtures/alertmanager', name), 'utf8')) as unknown;

test('v2 API items map to backup alerts with per-alert plan ids (captured fixture)', () => {
  const alerts = alertsFromApi(fixture('api-v2-alerts-two.json'))!;
  assert.deepEqual(alerts.map((a) => [a.name, a.kind, a.planId, a.node, a.status, a.source, a.suppressed]).sort(), [
    ['BackupFailed', 'failed', 1, 1, 'firing', 'poll', false],
    ['BackupFailed', 'failed', 2, 1, 'firing', 'poll', false],
  ]);
  assert.ok(alerts.every((a) => a.startsAtMs > 0 && /^[0-9a-f]{16}$/.test(a.fingerprint)));
  assert.equal(alertsFromApi({ not: 'a list' }), null);
  assert.deepEqual(
    alertsFromApi([
      { labels: { alertname: 'DiskSpaceLow', node: '1' } },
      { labels: { alertname: 'NsBackupMissing', backup_id: '7' }, fingerprint: 'f' },
    ])!.map((a) => [a.kind, a.planId]),
    [['missing', 7]],
  );
});

const A = (fp: string, o: Partial<PolledAlert> = {}): PolledAlert => ({
  name: 'BackupFailed',
  kind: 'failed',
  planId: 2,
  node: 1,
  status: 'firing',
  startsAtMs: 1000,
  fingerprint: fp,
  source: 'poll',
  suppressed: false,
  ...o,
});

test('diffPoll: new fires once, silence is not recovery, absence resolves only after the grace', () => {
  const grace = 3000;
  const cases: {
    name: string;
    known: [string, number | null][];
    current: PolledAlert[];
    now: number;
    emit: string[];
    keep: string[];
  }[] = [
    { name: 'new alert fires', known: [], current: [A('a')], now: 0, emit: ['a:firing'], keep: ['a'] },
    { name: 'known alert is quiet', known: [['a', null]], current: [A('a')], now: 0, emit: [], keep: ['a'] },
    {
      name: 'new but silenced: not fired, not remembered',
      known: [],
      current: [A('a', { suppressed: true })],
      now: 0,
      emit: [],
      keep: [],
    },
    {
      name: 'known then silenced: kept, not resolved',
      known: [['a', null]],
      current: [A('a', { suppressed: true })],
      now: 0,
      emit: [],
      keep: ['a'],
    },
    { name: 'just vanished: kept', known: [['a', null]], current: [], now: 10_000, emit: [], keep: ['a'] },
    {
      name: 'absent for less than the grace: kept',
      known: [['a', 8000]],
      current: [],
      now: 10_000,
      emit: [],
      keep: ['a'],
    },
    {
      name: 'absent for the grace: resolved',
      known: [['a', 7000]],
      current: [],
      now: 10_000,
      emit: ['a:resolved'],
      keep: [],
    },
    {
      name: 'back before the grace: absence forgotten',
      known: [['a', 9000]],
      current: [A('a')],
      now: 10_000,
      emit: [],
      keep: ['a'],
    },
  ];
  for (const c of cases) {
    const known = new Map(
      c.known.map(([fp, absentSinceMs]) => {
        const { suppressed: _, ...alert } = A(fp);
        return [fp, { alert, absentSinceMs }];
      }),
    );
    const { emit, next } = diffPoll(known, c.current, c.now, grace);
    assert.deepEqual(
      emit.map((a) => `${a.fingerprint}:${a.status}`),
      c.emit,
      c.name,
    );
    assert.deepEqual([...next.keys()], c.keep, c.name);
    for (const e of emit) assert.ok(!('suppressed' in e), 'the sink gets plain BackupAlerts');
  }
});

test('pollDelayMs backs off up to 8 intervals, at most 5 minutes', () => {
  assert.deepEqual(
    [0, 1, 2, 3, 4, 10].map((f) => pollDelayMs(60_000, f)),
    [60_000, 120_000, 240_000, 300_000, 300_000, 300_000],
  );
  assert.deepEqual(
    [0, 1, 3, 9].map((f) => pollDelayMs(1000, f)),
    [1000, 2000, 8000, 8000],
  );
});

/** Posts alerts to Alertmanager's v2 API as Prometheus does; endsAt in the past = resolved. */
async function post(url: string, alerts: { labels: Record<string, string>; endsAt?: string }[]): Promise<void> {
  const r = await fetch(`${url}/api/v2/alerts`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(
      alerts.map((a) => ({
        startsAt: new Date(Date.now() - 1000).toISOString(),
        generatorURL: 'http://prometheus/graph',
        ...a,
      })),
    ),
  });
  assert.equal(r.status, 200, await r.text());
}
const failed = (id: string, node: string) => ({
  alertname: 'BackupFailed',
  id,
  name: `Plan ${id}`,
  node,
  severity: 'critical',
  service: 'backup',
  job: 'providers',
  target_type: 'node',
});

function recorder() {
  const got: BackupAlert[] = [];
  const health: LinkHealth[] = [];
  return {
    got,
    health,
    sink: {
      alert: (a: BackupAlert) => {
        got.push(a);
      },
    },
    reportHealth: (h: LinkHealth) => {
      health.push(h);
    },
  };
}

test('real Alertmanager: fires once per alert, resolves once, survives an outage without false recoveries', async (t) => {
  const root = mkdtempSync(path.join(tmpdir(), 'ns8-am-'));
  const am = await startAlertmanager(root);
  t.after(async () => {
    await am.stop();
    rmSync(root, { recursive: true, force: true });
  });
  const rec = recorder();
  const log = memoryLogger();
  const poller = new AlertmanagerPoller({
    url: am.url,
    intervalMs: 150,
    resolveAfterMs: 1500,
    sink: rec.sink,
    clock: systemClock,
    log,
    reportHealth: rec.reportHealth,
  });
  t.after(() => poller.stop());
  poller.start();

  await post(am.url, [
    { labels: failed('2', '1') },
    { labels: failed('1', '1') },
    { labels: { alertname: 'DiskSpaceLow', node: '1' } },
  ]);
  await eventually(
    'two firing alerts',
    async () => rec.got.length,
    (n) => n >= 2,
  );
  await new Promise((r) => setTimeout(r, 600)); // several more polls
  assert.deepEqual(rec.got.map((a) => `${a.planId}:${a.status}:${a.source}`).sort(), [
    '1:firing:poll',
    '2:firing:poll',
  ]);
  assert.ok(rec.health.at(-1)!.ok);

  // Outage: Alertmanager stops, health turns bad, nothing is resolved.
  await am.stop();
  await eventually(
    'link down',
    async () => rec.health.at(-1)!,
    (h) => !h.ok,
  );
  assert.equal(rec.health.at(-1)!.code, 'ALERTMANAGER_UNREACHABLE');
  assert.match(log.lines.join('\n'), /Alertmanager unreachable, will retry code=ALERTMANAGER_UNREACHABLE/);
  // It comes back empty (alerts live in memory); Prometheus re-sends plan 2 only a moment later.
  await am.start();
  await eventually(
    'link up',
    async () => rec.health.at(-1)!,
    (h) => h.ok,
  );
  await post(am.url, [{ labels: failed('2', '1') }]);
  // Plan 1 really is gone now: resolved once, after the grace; plan 2 neither re-fires nor resolves.
  await eventually(
    'plan 1 resolved',
    async () => rec.got.filter((a) => a.status === 'resolved').length,
    (n) => n >= 1,
    10_000,
  );
  await post(am.url, [{ labels: failed('2', '1') }]);
  await new Promise((r) => setTimeout(r, 500));
  const seen = rec.got.map((a) => `${a.planId}:${a.status}`);
  assert.deepEqual([...seen.slice(0, 2).sort(), ...seen.slice(2)], ['1:firing', '2:firing', '1:resolved']);

  // Prometheus resolves plan 2 (endsAt now): one resolved alert.
  await post(am.url, [{ labels: failed('2', '1'), endsAt: new Date().toISOString() }]);
  await eventually(
    'plan 2 resolved',
    async () => rec.got.filter((a) => a.status === 'resolved').length,
    (n) => n >= 2,
    10_000,
  );
  assert.equal(rec.got.length, 4);
});

test('HTTP errors and non-API answers get stable codes; the poller never throws', async (t) => {
  let mode: 'error' | 'html' = 'error';
  let auth: string | undefined;
  const srv = http.createServer((req, res) => {
    auth = req.headers.authorization;
    if (mode === 'error') res.writeHead(503).end('busy');
    else res.writeHead(200, { 'content-type': 'text/html' }).end('<html>login</html>');
  });
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', r));
  t.after(() => srv.close());
  const port = (srv.address() as { port: number }).port;
  const rec = recorder();
  const poller = new AlertmanagerPoller({
    url: `http://user:pw-123@127.0.0.1:${port}`,
    intervalMs: 1000,
    sink: rec.sink,
    clock: systemClock,
    log: memoryLogger(),
    reportHealth: rec.reportHealth,
  });
  assert.equal((await poller.pollOnce()).code, 'ALERTMANAGER_HTTP');
  mode = 'html';
  assert.equal((await poller.pollOnce()).code, 'ALERTMANAGER_BAD_RESPONSE');
  const closed = new AlertmanagerPoller({
    url: 'http://127.0.0.1:1',
    intervalMs: 1000,
    sink: rec.sink,
    clock: systemClock,
    log: memoryLogger(),
  });
  const h = await closed.pollOnce();
  assert.deepEqual([h.ok, h.code], [false, 'ALERTMANAGER_UNREACHABLE']);
  assert.ok(
    rec.health.every((x) => !JSON.stringify(x).includes('pw-123')),
    'credentials never reach health',
  );
  assert.equal(
    auth,
    `Basic ${Buffer.from('user:pw-123').toString('base64')}`,
    'URL credentials become a basic auth header',
  );
  assert.equal(rec.got.length, 0);
});
