// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { parseAlertWebhook } from '../../src/domain/alert.js';

const fixtures = new URL('../fixtures/alertmanager/', import.meta.url);
const load = (name: string) => JSON.parse(readFileSync(new URL(name, fixtures), 'utf8'));

describe('Alertmanager webhook parsing', () => {
  it('reads plan ids per alert, not from commonLabels (two plans on one node)', () => {
    const files = readdirSync(fixtures).filter((f) => f.endsWith('.json'));
    const two = files.find((f) => /^firing-two/.test(f));
    assert.ok(two, `a two-alert fixture in ${files.join(', ')}`);
    const body = load(two);
    assert.equal(body.commonLabels.id, undefined);
    const r = parseAlertWebhook(body);
    assert.ok(r.ok);
    assert.deepEqual(r.alerts.map((a) => a.planId).sort(), [1, 2]);
    assert.ok(r.alerts.every((a) => a.kind === 'failed' && a.name === 'BackupFailed' && a.node === 1));
  });

  it('accepts every known alert name and the seed backup_id label', () => {
    const names = ['BackupFailed', 'backup_failed', 'NsBackupFailed', 'NsBackupMissing', 'backup_missing'];
    const r = parseAlertWebhook({
      version: '4',
      status: 'firing',
      alerts: names.map((n, i) => ({ status: 'firing', labels: { alertname: n, backup_id: String(i + 1) } })),
    });
    assert.ok(r.ok);
    assert.deepEqual(
      r.alerts.map((a) => [a.name, a.kind, a.planId]),
      [
        ['BackupFailed', 'failed', 1],
        ['backup_failed', 'failed', 2],
        ['NsBackupFailed', 'failed', 3],
        ['NsBackupMissing', 'missing', 4],
        ['backup_missing', 'missing', 5],
      ],
    );
  });

  it('ignores other alerts and keeps alerts without a plan id (fallback to recent plans)', () => {
    const r = parseAlertWebhook({
      alerts: [
        { status: 'firing', labels: { alertname: 'DiskSpaceLow' } },
        { status: 'firing', labels: { alertname: 'BackupFailed', id: 'x' } },
      ],
    });
    assert.ok(r.ok);
    assert.equal(r.ignored, 1);
    assert.equal(r.alerts[0]!.planId, null);
  });

  const bad: [string, unknown, string][] = [
    ['not an object', [1, 2], 'body: must be a JSON object'],
    ['wrong version', { version: '3', alerts: [] }, 'version: only "4" is supported, got "3"'],
    ['alerts missing', { version: '4' }, 'alerts: must be a list'],
    ['labels missing', { alerts: [{ status: 'firing' }] }, 'alerts[0].labels: must be an object'],
    [
      'bad status',
      { alerts: [{ status: 'maybe', labels: { alertname: 'BackupFailed' } }] },
      'alerts[0].status: must be firing or resolved',
    ],
  ];
  for (const [name, body, problem] of bad) {
    it(`rejects ${name}`, () => assert.deepEqual(parseAlertWebhook(body), { ok: false, problems: [problem] }));
  }
});
