// SPDX-License-Identifier: GPL-3.0-or-later
// A large NS8 cluster for bench/scale.ts, in the simulator's terms (test/sim/cluster.ts), and
// months of its backup runs written by the service's own pipeline: correlate, trends, decide,
// render, then the record store (reports, history, index, plan states, outbox), the run history
// and the run log, and the outbox sender marking each mail sent (or retrying it while the
// smarthost is down). Only the clock and the statuses of past runs are simulated: they are given
// to the pipeline as NS8 would have shown them at that hour.
import { loadConfig } from '../src/config.js';
import type { ModuleStatus, PlanSnapshot } from '../src/domain/backup.js';
import { moduleKeys } from '../src/domain/records.js';
import { createRunLog } from '../src/digest/run-log.js';
import { memoryLogger } from '../src/log.js';
import { OutboxSender } from '../src/notify/outbox-sender.js';
import { createRecordStore } from '../src/notify/record-store.js';
import type { Redis } from '../src/ns8/redis.js';
import { readSmarthost } from '../src/ns8/smarthost.js';
import { createPipeline } from '../src/pipeline.js';
import { thresholdsOf } from '../src/trends/anomaly.js';
import { createRunHistory } from '../src/trends/history.js';
import { MODULE_ID } from '../test/helpers/redis-server.js';
import { DEST_B2, DEST_SMB, type SimModule, type SimPlan } from '../test/sim/cluster.js';

const IMAGES = ['mail:1.7.2', 'nextcloud:2.4.0', 'samba:3.3.1', 'webtop:1.6.3', 'traefik:3.6.1'];

/** `apps` applications spread over `nodes` nodes, every third with a label. */
export function largeCluster(nodes: number, apps: number): SimModule[] {
  return Array.from({ length: apps }, (_, i) => ({
    id: `app${i + 1}`,
    node: (i % nodes) + 1,
    uuid: `00000000-0000-4000-8000-${(i + 1).toString(16).padStart(12, '0')}`,
    image: `ghcr.io/nethserver/${IMAGES[i % IMAGES.length]}`,
    ...(i % 3 === 0 ? { uiName: `Application ${i + 1}` } : {}),
  }));
}

/** `count` plans of `size` applications each (no application in two plans); the first `hourly` run every hour. */
export function largePlans(modules: SimModule[], count: number, size: number, hourly: number): SimPlan[] {
  return Array.from({ length: count }, (_, p) => ({
    id: p + 1,
    name: p < hourly ? `Hourly ${p + 1}` : `Nightly ${p + 1}`,
    repository: p % 2 ? DEST_SMB : DEST_B2,
    schedule: p < hourly ? '*-*-* *:00:00' : '*-*-* 01:30:00',
    retention: 7,
    instances: modules.slice(p * size, (p + 1) * size).map((m) => m.id),
    enabled: true,
  }));
}

/** The plan as NS8 shows it after a run that started at `start`: sizes grow slowly, one module in ~1,000 fails. */
export function runAt(snap: PlanSnapshot, start: number, hour: number): PlanSnapshot {
  const statuses = new Map<string, ModuleStatus>();
  snap.modules.forEach((m, j) => {
    const last = snap.statuses.get(m.id);
    const size = last?.totalSize ?? 1e9;
    statuses.set(m.id, {
      start: start + j * 7,
      end: start + j * 7 + 40 + (j % 11),
      errors: (hour * 7 + snap.plan.id * 13 + j) % 997 === 0 ? 1 : 0,
      totalSize: Math.round(size * (0.9 + hour / 50_000) + (hour % 5) * 1e6),
      totalFileCount: (last?.totalFileCount ?? 1000) + hour,
      snapshotsCount: 1,
    });
  });
  return { ...snap, statuses };
}

/**
 * The service's pipeline and outbox sender on `writer` (module credentials), with a clock the
 * caller moves. `smarthostDown` makes every send fail as a refused connection does.
 */
export function historyWriter(reader: Redis, writer: Redis, env: Record<string, string>) {
  const cfg = loadConfig({ MODULE_ID, MAIL_TO: 'ops@example.org', ...env });
  const state = { nowMs: 0, smarthostDown: false, plans: new Map<number, PlanSnapshot>() };
  const clock = { now: () => state.nowMs };
  const log = memoryLogger('error');
  const records = createRecordStore(writer, MODULE_ID);
  const pipeline = createPipeline({
    config: cfg,
    readPlan: async (id) => state.plans.get(id) ?? null,
    records,
    repoChecker: null,
    history: createRunHistory(writer, MODULE_ID),
    anomalyThresholds: thresholdsOf(cfg.anomaly),
    errorLines: null,
    notify: cfg.notify,
    runLog: createRunLog(writer, moduleKeys(MODULE_ID).runLog),
    onQueued: () => undefined,
    clock,
    log,
  });
  const sender = new OutboxSender({
    records,
    mailer: {
      send: async () => {
        if (state.smarthostDown)
          throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:25'), { code: 'ECONNECTION' });
        return { messageId: '<bench@example.org>' };
      },
    },
    smarthost: () => readSmarthost(reader),
    sender: () => 'backup@example.org',
    clock,
    monotonicMs: () => state.nowMs,
    log,
  });
  return { cfg, state, pipeline, sender, log };
}
