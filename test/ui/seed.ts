// SPDX-License-Identifier: GPL-3.0-or-later
// Older reports for the history list, written as the service writes them (src/domain/records.ts)
// with the module's Redis credentials, appended after the service's own (history is newest first).
import { createClient } from 'redis';
import { moduleKeys, type StoredReport } from '../../src/domain/records.js';
import type { RunReport } from '../../src/domain/run.js';
import { DEST_B2 } from '../sim/cluster.js';
import type { RedisServer } from '../helpers/redis-server.js';

const DAY = 86_400;

function run(planId: number, start: number, outcome: RunReport['outcome']): RunReport {
  return {
    runKey: `${planId}:${start}`,
    planId,
    planName: 'Daily offsite',
    destinationId: DEST_B2,
    destinationName: 'Backblaze ns8-backups',
    outcome,
    start,
    end: start + 600,
    nodes: [{ id: 1, name: 'ns1' }],
    modules: [],
    triggers: ['event'],
    staleSince: null,
  };
}

/** `count` older daily reports; the newest of them carries HTML that tries to run a script. */
export function olderReports(count: number, newestStart: number): StoredReport[] {
  return Array.from({ length: count }, (_, i) => {
    const start = newestStart - (i + 1) * DAY;
    const outcome = i % 4 === 1 ? 'REPO_FAILURE' : 'SUCCESS';
    const id = `old-${String(i + 1).padStart(2, '0')}`;
    const hostile = i === 0;
    return {
      id,
      createdAt: (start + 700) * 1000,
      reason: outcome === 'SUCCESS' ? 'success' : 'first',
      run: run(1, start, outcome),
      language: 'en',
      subject: `[NS8 Backup] ${outcome}: Daily offsite <${id}>`,
      text: `Daily offsite: ${outcome}\nPlain text of ${id}`,
      html: hostile
        ? `<h1 id="mail-title">Daily offsite &lt;${id}&gt;</h1><script>window.top.pwned = 1; document.title = 'pwned';</script><img src="x" onerror="window.top.pwned = 2">`
        : `<h1>Daily offsite ${outcome}</h1>`,
      delivery:
        outcome === 'SUCCESS'
          ? {
              status: 'sent',
              attempts: 1,
              nextAttemptAt: 0,
              lastError: null,
              lastErrorCode: null,
              sentAt: (start + 701) * 1000,
              recipients: ['ops@example.org'],
            }
          : {
              status: 'failed',
              attempts: 8,
              nextAttemptAt: 0,
              lastError: '535 5.7.8 <Authentication> failed',
              lastErrorCode: 'SMTP_AUTH',
              sentAt: null,
              recipients: ['ops@example.org'],
            },
    };
  });
}

export async function appendReports(redis: RedisServer, moduleId: string, reports: StoredReport[]): Promise<void> {
  const c = createClient({ url: redis.moduleUrl });
  c.on('error', () => undefined);
  await c.connect();
  const k = moduleKeys(moduleId);
  const m = c.multi();
  for (const r of reports) m.set(k.report(r.id), JSON.stringify(r)).rPush(k.history, r.id);
  await m.exec();
  await c.quit();
}
