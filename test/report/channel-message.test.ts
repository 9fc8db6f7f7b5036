// SPDX-License-Identifier: GPL-3.0-or-later
// The one model every chat or push channel formats (issue #22 §3).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { CHANNEL_STEPS_MAX, channelMessage, planLink } from '../../src/report/channel-message.js';
import { report, RUN_PLAN2 } from '../imageroot/fixtures.js';

const O = { timeZone: 'Europe/Rome', moduleId: 'backup-monitor1' };

test('a partly failed run: state and plan first, the steps, the counts, no link without an address', () => {
  const withLines = {
    ...RUN_PLAN2,
    modules: RUN_PLAN2.modules.map((x) =>
      x.result === 'failed' ? { ...x, errorLines: ['Fatal: unable to open config'] } : x,
    ),
  };
  const m = channelMessage(report('r1', { run: withLines }), O);
  assert.match(m.title, /^⚠️ .*Weekly SMB/u);
  assert.doesNotMatch(m.title, /NS8 Backup|Backup partially failed/, 'the mail-filter tail is left out');
  assert.equal(m.tone, 'failure');
  assert.ok(m.steps.length > 0 && m.steps.length <= CHANNEL_STEPS_MAX);
  assert.doesNotMatch(m.steps.join('\n'), /below/, 'no error lines follow in a chat message');
  assert.equal(m.counts, 'saved 1/3 · failed 1 · not run 1');
  assert.equal(m.link, null);
  assert.equal(m.open, 'cluster-admin › backup-monitor1');
  assert.equal(m.openLabel, 'Open the plan');
  assert.deepEqual([m.outcome, m.reason, m.planId, m.reportId], ['PARTIAL', 'first', 2, 'r1']);
});

test('a recovery is good news without steps; Italian words in an Italian report', () => {
  const ok = {
    ...RUN_PLAN2,
    outcome: 'SUCCESS' as const,
    modules: RUN_PLAN2.modules.map((x) => ({ ...x, result: 'success' as const })),
  };
  const m = channelMessage(report('r2', { run: ok, reason: 'recovered', language: 'it' }), O);
  assert.equal(m.tone, 'success');
  assert.deepEqual(m.steps, []);
  assert.equal(m.stepsTitle, 'Cosa fare');
  assert.equal(m.openLabel, 'Aprire il piano');
  assert.equal(m.counts, 'salvate 3/3 · fallite 0 · non eseguite 0');
});

test('the plan link: only for an http(s) cluster-admin address, with the plan id', () => {
  assert.equal(
    planLink({ ...O, clusterAdminUrl: 'https://leader.example.org/cluster-admin/' }, 7),
    'https://leader.example.org/cluster-admin/#/apps/backup-monitor1?plan=7',
  );
  assert.equal(planLink({ ...O, clusterAdminUrl: 'javascript:alert(1)' }, 7), null);
  assert.equal(planLink({ ...O, clusterAdminUrl: 'not a url' }, 7), null);
});
