// SPDX-License-Identifier: GPL-3.0-or-later
// The printed receiver + route: exact content, never the token, and accepted by the real amtool.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { dump, load } from 'js-yaml';
import { renderRoute, routeDocument, TOKEN_PLACEHOLDER } from '../../src/triggers/alertmanager-route.js';

const run = promisify(execFile);
const opts = { url: 'http://127.0.0.1:9099/alert', receiverName: 'backup-monitor1', tokenRequired: false };

test('receiver and route carry the URL, send_resolved, the name matcher and metrics1 grouping', () => {
  const doc = load(renderRoute(opts)) as ReturnType<typeof routeDocument>;
  assert.deepEqual(doc.receivers, [
    {
      name: 'backup-monitor1',
      webhook_configs: [{ url: 'http://127.0.0.1:9099/alert', send_resolved: true, max_alerts: 0 }],
    },
  ]);
  const r = doc.route.routes[0]!;
  assert.deepEqual(r.matchers, [
    'alertname=~"BackupFailed|backup_failed|NsBackupFailed|NsBackupMissing|backup_missing"',
  ]);
  assert.deepEqual([r.receiver, r.group_by, r.continue], ['backup-monitor1', ['alertname', 'node'], true]);
  assert.match(renderRoute(opts), /^# Backup monitor/);
  assert.doesNotMatch(renderRoute(opts), /authorization|RECEIVER_TOKEN/);
});

test('with a token: an authorization placeholder, never a value', () => {
  const text = renderRoute({ ...opts, tokenRequired: true });
  const doc = load(text) as { receivers: { webhook_configs: { http_config: unknown }[] }[] };
  assert.deepEqual(doc.receivers[0]!.webhook_configs[0]!.http_config, {
    authorization: { type: 'Bearer', credentials: TOKEN_PLACEHOLDER },
  });
});

test('amtool check-config accepts it merged into a metrics1-like configuration', async (t) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ns8-amtool-'));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  for (const tokenRequired of [false, true]) {
    const ours = routeDocument({ ...opts, tokenRequired });
    const file = path.join(dir, `alertmanager-${tokenRequired}.yml`);
    writeFileSync(
      file,
      dump({
        route: {
          receiver: 'default-receiver',
          group_by: ['alertname', 'node'],
          routes: [...ours.route.routes, { receiver: 'default-receiver', matchers: ['service=~".*"'], continue: true }],
        },
        receivers: [
          { name: 'default-receiver', webhook_configs: [{ url: 'http://localhost:9095', send_resolved: true }] },
          ...ours.receivers,
        ],
      }),
    );
    const { stdout } = await run('amtool', ['check-config', file]);
    assert.match(stdout, /SUCCESS/);
    assert.match(stdout, /2 receivers/);
  }
});
