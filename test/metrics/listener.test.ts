// SPDX-License-Identifier: GPL-3.0-or-later
// The /metrics listener under hostile or broken conditions: a burst of scrapes, Redis gone, an
// address that is not (yet) on this host. Real Redis; the service in-process to reach its parts.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { startInProcessService, startTestService, type ServiceProcess } from '../helpers/service.js';
import { startSmtpSink, type SmtpSink } from '../helpers/smtp-sink.js';
import { eventually } from '../helpers/prometheus.js';
import { replayRun, seedCluster } from '../sim/cluster.js';

const VPN = '127.0.0.3';
let redis: RedisServer;
let smtp: SmtpSink;

// A real smarthost: with none, the report of the failed run below stays queued and its failed
// deliveries make /healthz answer 503 as soon as the first one is tried.
before(async () => {
  redis = await startRedis();
  smtp = await startSmtpSink();
  await seedCluster(redis, { smtpPort: smtp.port });
  await replayRun(redis, 2, { nextcloud1: { errors: 1 } });
});
after(async () => {
  await smtp.stop();
  await redis.stop();
});

const scrape = async (port: number) => {
  const r = await fetch(`http://${VPN}:${port}/metrics`);
  return { status: r.status, body: await r.text() };
};
const value = (body: string, series: string) => {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

/**
 * A slowloris on the VPN: `count` connections that each send a request line and then one header
 * line per second, never finishing their request head; with `comeBack`, each one the listener
 * drops reconnects at once. `connected` is how many are open; `dropped` counts the ones it closed.
 */
function slowloris(host: string, port: number, count: number, comeBack: boolean) {
  const sockets = new Set<net.Socket>();
  const state = { connected: 0, dropped: 0, stopped: false };
  const open = () => {
    if (state.stopped) return;
    const s = net.connect(port, host);
    sockets.add(s);
    let trickle: NodeJS.Timeout | undefined;
    let wasConnected = false;
    s.once('connect', () => {
      wasConnected = true;
      state.connected++;
      s.write('GET /metrics HTTP/1.1\r\nHost: x\r\n');
      trickle = setInterval(() => s.write('X-Slow: 1\r\n'), 1000);
    });
    s.resume(); // reads, so a close by the listener is seen at once
    s.on('error', () => undefined);
    s.once('close', () => {
      clearInterval(trickle);
      sockets.delete(s);
      if (wasConnected) state.connected--;
      if (state.stopped) return;
      state.dropped++;
      if (comeBack) setTimeout(open, 100);
    });
  };
  for (let i = 0; i < count; i++) open();
  return {
    state,
    stop() {
      state.stopped = true;
      for (const s of sockets) s.destroy();
    },
  };
}

// The service as the image runs it (issue #25 item 5 was measured there: 0 of 18 scrapes in 90 s).
describe('/metrics listener of the shipped entrypoint under a slowloris', () => {
  let service: ServiceProcess;
  let port: number;
  before(async () => {
    const started = await startTestService(redis, { METRICS_HOST: VPN, METRICS_PORT: '0' });
    service = started.service;
    const ready = await eventually(
      'the metrics listener is ready',
      async () => started.log.lines.map((l) => /metrics listener ready .*listen=[^ ]*:(\d+)/.exec(l)).find(Boolean),
      (m) => m !== undefined,
      20_000,
    );
    port = Number(ready?.[1]);
  });
  after(async () => {
    await service?.stop();
  });

  test('a connection that never finishes its request head is dropped after the 5 s header timeout, not at 30 s', async () => {
    const slow = slowloris(VPN, port, 1, false);
    try {
      await eventually(
        'the slow connection is dropped',
        async () => slow.state.dropped,
        (n) => n === 1,
        12_000,
      );
    } finally {
      slow.stop();
    }
  });

  test('40 slow connections that keep coming back: every scrape still answers within seconds', async () => {
    assert.equal((await scrape(port)).status, 200, 'answers before the attack');
    const attack = slowloris(VPN, port, 40, true);
    try {
      // More than the cap of 32 open at once, and the listener already turning some away.
      await eventually(
        'the attack fills the listener',
        async () => ({ ...attack.state }),
        (s) => s.connected >= 32 && s.dropped > 0,
        20_000,
      );
      for (let i = 0; i < 3; i++) {
        const r = await fetch(`http://${VPN}:${port}/metrics`, { signal: AbortSignal.timeout(5_000) });
        assert.equal(r.status, 200, `scrape ${i + 1} during the attack`);
        assert.match(await r.text(), /backup_monitor_link_up\{link="redis"\} 1/);
      }
    } finally {
      attack.stop();
    }
  });
});

describe('/metrics listener', () => {
  test('a burst of 30 parallel scrapes (the cap is 32 connections) reads the cluster state once and answers them all', async () => {
    const { service } = await startInProcessService(redis, { METRICS_HOST: VPN, METRICS_PORT: '0' });
    try {
      const port = await service.metrics!.ready;
      const first = await scrape(port);
      const refreshedAt = value(first.body, 'backup_monitor_metrics_refresh_timestamp_seconds');
      const all = await Promise.all(Array.from({ length: 30 }, () => scrape(port)));
      assert.ok(all.every((r) => r.status === 200));
      assert.equal(new Set(all.map((r) => value(r.body, 'backup_monitor_metrics_refresh_timestamp_seconds'))).size, 1);
      assert.equal(
        value(all[0]!.body, 'backup_monitor_metrics_refresh_timestamp_seconds'),
        refreshedAt,
        'within 5 s: the same refresh',
      );
      assert.equal(
        value(first.body, 'backup_monitor_application_last_success{plan_id="2",plan="Weekly SMB",module="nextcloud1"}'),
        0,
      );
    } finally {
      await service.stop();
    }
  });

  test('Redis gone: scrapes still answer at once, then say redis is down and drop the plan series', async () => {
    const { service } = await startInProcessService(redis, { METRICS_HOST: VPN, METRICS_PORT: '0' });
    const port = await service.metrics!.ready;
    assert.equal(value((await scrape(port)).body, 'backup_monitor_link_up{link="redis"}'), 1);
    const back = redis.restart(25_000); // down now, back in 25 s
    try {
      const t0 = Date.now();
      const r = await scrape(port);
      assert.equal(r.status, 200);
      assert.ok(Date.now() - t0 < 2000, 'the answer does not wait for Redis');
      const later = await eventually(
        'redis down in the exposition',
        () => scrape(port),
        (x) => value(x.body, 'backup_monitor_link_up{link="redis"}') === 0,
        22_000,
      );
      assert.ok(!later.body.includes('backup_monitor_plan_enabled{'), 'no plan series from an unreadable state');
    } finally {
      await back;
      await service.stop();
    }
  });

  test('an address that is not on this host: the service runs, the listener keeps retrying', async () => {
    const { service, log } = await startInProcessService(redis, { METRICS_HOST: '192.0.2.1', METRICS_PORT: '0' });
    try {
      // The links are checked just after start: wait for the first healthy answer, not the very first one.
      await eventually(
        'the webhook and mail keep working',
        async () => (await fetch(`http://127.0.0.1:${service.port}/healthz`)).status,
        (status) => status === 200,
        10_000,
      );
      await eventually(
        'listener error logged',
        async () => log.lines,
        (lines) => lines.some((l) => l.includes('metrics listener cannot open, retrying')),
        10_000,
      );
    } finally {
      await service.stop();
    }
  });

  test('METRICS_ENABLED=0 or no address: no listener at all', async () => {
    for (const env of [{ METRICS_ENABLED: '0', METRICS_HOST: VPN }, {}] as Record<string, string>[]) {
      const { service } = await startInProcessService(redis, env);
      try {
        assert.equal(service.metrics, null);
      } finally {
        await service.stop();
      }
    }
  });
});
