// SPDX-License-Identifier: GPL-3.0-or-later
// The history index entry has one shape on both sides (issue #22): the service writes it
// (src/domain/report-index.ts indexEntry) and the actions build it themselves for reports written
// before the index existed (records.py index_entry). Both carry each channel's delivery besides
// email, and the actions' rows read it back with email's `skipped` kept.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { describe, it } from 'node:test';
import { skippedDelivery, type StoredReport } from '../../src/domain/records.js';
import { indexEntry } from '../../src/domain/report-index.js';
import { report } from '../imageroot/fixtures.js';
import { IMAGEROOT, SYSTEM_PATH } from '../sim/agent-runner.js';

const T0 = Date.UTC(2026, 7, 10, 3, 0, 0);

/** Email skipped (the plan's policy does not mail it), Telegram refused for good, ntfy sent. */
function channelOnlyReport(): StoredReport {
  const r = report('r1', { createdAt: T0 });
  const failed = {
    status: 'failed' as const,
    attempts: 1,
    nextAttemptAt: 0,
    lastError: 'the channel refused the credentials (401 Unauthorized): check the token',
    lastErrorCode: 'CHANNEL_CREDENTIALS',
    sentAt: null,
    recipients: ['-100123'],
  };
  const sent = { ...failed, status: 'sent' as const, lastError: null, lastErrorCode: null, sentAt: T0 + 1000 };
  const email = skippedDelivery();
  return { ...r, delivery: email, deliveries: { telegram: failed, email, ntfy: sent } };
}

function python(stored: StoredReport): { entry: unknown; row: { delivery: unknown; channels: unknown } } {
  const script = `
import json, sys
from backup_monitor import records
report = json.load(sys.stdin)
entry = records.index_entry(report)
json.dump({'entry': entry, 'row': records.history_row('r1', json.loads(json.dumps(entry)))}, sys.stdout)`;
  const r = spawnSync('python3', ['-c', script], {
    input: JSON.stringify(stored),
    encoding: 'utf8',
    env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') },
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

describe('history index entry', () => {
  it('the service and the actions build the same entry, channels included, before the applications', () => {
    const stored = channelOnlyReport();
    const ts = JSON.parse(JSON.stringify(indexEntry(stored)));
    const py = python(stored);
    assert.deepEqual(py.entry, ts);
    assert.deepEqual(Object.keys(ts.channels), ['ntfy', 'telegram'], 'email is `delivery`, not a channel here');
    const keys = Object.keys(ts);
    assert.ok(keys.indexOf('channels') < keys.indexOf('modules'), 'list-reports reads what precedes modules');
  });

  it("the actions' row keeps email's 'skipped' and each channel's status and error", () => {
    const { row } = python(channelOnlyReport());
    assert.deepEqual((row.delivery as { status: string }).status, 'skipped');
    assert.deepEqual(row.channels, [
      {
        channel: 'ntfy',
        status: 'sent',
        attempts: 1,
        sent_at: T0 + 1000,
        last_error: null,
        last_error_code: null,
      },
      {
        channel: 'telegram',
        status: 'failed',
        attempts: 1,
        sent_at: null,
        last_error: 'the channel refused the credentials (401 Unauthorized): check the token',
        last_error_code: 'CHANNEL_CREDENTIALS',
      },
    ]);
  });

  it('an entry of an older version (no channels) reads as email only', () => {
    const { row } = python(report('r1', { createdAt: T0 }));
    assert.deepEqual(row.channels, []);
  });
});
