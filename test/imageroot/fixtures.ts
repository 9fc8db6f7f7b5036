// SPDX-License-Identifier: GPL-3.0-or-later
// Records as the service writes them (src/domain/records.ts), typed so that a change of
// shape there breaks the typecheck here and the actions get updated with it.
import { createClient } from 'redis';
import { moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import type { RunReport } from '../../src/domain/run.js';
import { DEST_SMB } from '../sim/cluster.js';
import type { RedisServer } from '../helpers/redis-server.js';

export const RUN_PLAN2: RunReport = {
  runKey: '2:1786237201',
  planId: 2,
  planName: 'Weekly SMB',
  destinationId: DEST_SMB,
  destinationName: 'NAS share',
  outcome: 'PARTIAL',
  start: 1786237201,
  end: 1786238370,
  nodes: [
    { id: 1, name: 'ns1' },
    { id: 2, name: '' },
  ],
  modules: [
    {
      moduleId: 'nextcloud1',
      uiName: 'Cloud',
      node: 1,
      nodeName: 'ns1',
      result: 'failed',
      start: 1786237202,
      end: 1786237450,
      totalSize: 51998012876,
      totalFileCount: 390102,
      snapshotsCount: 1,
      errors: 1,
      repoPath: 'nextcloud/3c9a7e5f-1b4d-4a8a-ae32-5f7c9d1a4b63',
    },
    {
      moduleId: 'samba1',
      uiName: 'Domain controller',
      node: 1,
      nodeName: 'ns1',
      result: 'success',
      start: 1786237452,
      end: 1786238370,
      totalSize: 96309876544,
      totalFileCount: 1203350,
      snapshotsCount: 1,
      errors: 0,
      repoPath: 'samba/1a7e5c3d-9f2b-4e68-8c10-3d5a7b9e2f41',
    },
    {
      moduleId: 'webtop1',
      uiName: 'Webtop <Sales & Co>',
      node: 2,
      nodeName: '',
      result: 'not_run',
      start: null,
      end: null,
      totalSize: null,
      totalFileCount: null,
      snapshotsCount: null,
      errors: null,
      repoPath: 'webtop/4dab8f60-2c5e-4b9b-bf43-6a8d0e2b5c74',
    },
  ],
  triggers: ['event'],
  staleSince: null,
};

export function report(id: string, over: Partial<StoredReport> = {}): StoredReport {
  return {
    id,
    createdAt: 1786238420000,
    reason: 'first',
    run: RUN_PLAN2,
    language: 'en',
    subject: `[NS8 Backup] PARTIAL: Weekly SMB (${id})`,
    text: 'Weekly SMB: 1 of 3 applications failed',
    html: '<p>Weekly SMB &lt;x&gt;</p>',
    delivery: {
      status: 'sent',
      attempts: 1,
      nextAttemptAt: 1786238420000,
      lastError: null,
      lastErrorCode: null,
      sentAt: 1786238421000,
      recipients: ['ops@example.org'],
    },
    ...over,
  };
}

export const STATE_PLAN2: PlanState = {
  planId: 2,
  planName: 'Weekly SMB',
  lastRunKey: '2:1786237201',
  lastOutcome: 'PARTIAL',
  lastDigest: 'd1',
  lastReportId: 'r-0003',
  lastNotifiedAt: 1786238420000,
  failingSince: 1786237201,
  lastSuccessAt: 1785632404,
};

/** Writes reports (newest first in history), plan states, outbox and health with the module's credentials. */
export async function writeServiceRecords(
  redis: RedisServer,
  moduleId: string,
  reports: StoredReport[],
  extra: { outbox?: Record<string, number>; health?: Record<string, unknown> } = {},
): Promise<void> {
  const c = createClient({ url: redis.moduleUrl });
  c.on('error', () => undefined);
  await c.connect();
  const k = moduleKeys(moduleId);
  const m = c.multi().del([k.history, k.plans, k.outbox, k.health, k.index, k.watchdog]);
  for (const r of reports) m.set(k.report(r.id), JSON.stringify(r)).rPush(k.history, r.id);
  m.hSet(k.plans, '2', JSON.stringify(STATE_PLAN2));
  for (const [id, at] of Object.entries(extra.outbox ?? {})) m.hSet(k.outbox, id, String(at));
  for (const [name, v] of Object.entries(extra.health ?? {})) m.hSet(k.health, name, JSON.stringify(v));
  await m.exec();
  await c.quit();
}
