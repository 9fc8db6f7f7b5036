// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { RunReport } from '../../src/domain/run.js';
import { renderReport, subjectOf } from '../../src/report/render.js';

const T = 1786237200;
const run = (over: Partial<RunReport> = {}): RunReport => ({
  runKey: `2:${T + 1}`, planId: 2, planName: 'Weekly SMB', destinationId: 'd', destinationName: 'NAS share', outcome: 'PARTIAL',
  start: T + 1, end: T + 1170, nodes: [{ id: 1, name: 'ns1' }, { id: 2, name: '' }], triggers: ['backup event'],
  modules: [
    { moduleId: 'nextcloud1', uiName: 'Cloud', node: 1, nodeName: 'ns1', result: 'failed', start: T + 2, end: T + 250, totalSize: 51998012876, totalFileCount: 390102, snapshotsCount: 1, errors: 1, repoPath: 'nextcloud/u1' },
    { moduleId: 'webtop1', uiName: '', node: 2, nodeName: '', result: 'success', start: T + 24, end: T + 478, totalSize: 2210455120, totalFileCount: 15530, snapshotsCount: 1, errors: 0, repoPath: 'webtop/u2' },
  ],
  ...over,
});
const O = { language: 'en' as const, subjectPrefix: '[NS8 Backup]', timeZone: 'Europe/Rome', moduleId: 'backup-monitor1' };

describe('report rendering', () => {
  it('subjects follow the seed tool, per outcome and reason', () => {
    assert.equal(subjectOf(run(), 'first', O), '[NS8 Backup] ⚠️ Backup partially failed: Weekly SMB (1 of 2 applications not saved)');
    assert.equal(subjectOf(run({ outcome: 'SUCCESS' }), 'success', O), '[NS8 Backup] ✅ Backup completed successfully: Weekly SMB');
    assert.equal(subjectOf(run({ outcome: 'SUCCESS' }), 'recovered', O), '[NS8 Backup] ✅ Backup recovered: Weekly SMB');
    assert.equal(subjectOf(run({ outcome: 'REPO_FAILURE' }), 'first', O), '[NS8 Backup] ❌ Backup failed – possible repository error: Weekly SMB');
    assert.equal(subjectOf(run({ outcome: 'MISSING' }), 'first', O), '[NS8 Backup] ⏰ Backup did not run: Weekly SMB');
    assert.equal(subjectOf(run(), 'reminder', O), '[NS8 Backup] 🔁 Reminder: ⚠️ Backup partially failed: Weekly SMB (1 of 2 applications not saved)');
    assert.equal(subjectOf(run(), 'update', { ...O, language: 'it' }), '[NS8 Backup] ⚠️ Backup parzialmente fallito: Weekly SMB (1 applicazioni su 2 non salvate) [aggiornamento]');
  });

  it('text has the facts, one row per module and the next step', () => {
    const { text } = renderReport(run(), 'first', O);
    assert.match(text, /^Plan: Weekly SMB \(ID 2\)$/m);
    assert.match(text, /^Destination: NAS share$/m);
    assert.match(text, /^Nodes: ns1 \(1\), node 2$/m);
    assert.match(text, /^Started: 9 Aug 2026, 03:00:01 CEST$/m);
    assert.match(text, /^Duration: 19 min 29 s$/m);
    assert.match(text, /^Cloud\s+nextcloud1\s+ns1 \(1\)\s+FAILED\s+4 min 8 s\s+52 GB\s+390,102\s+1\s+1$/m);
    assert.match(text, /^webtop1\s+webtop1\s+node 2\s+saved\s+7 min 34 s\s+2\.2 GB/m);
    assert.match(text, /Failed on node 1: Cloud \(nextcloud1\)\..*journalctl -u backup2/);
  });

  it('Italian text', () => {
    const { text } = renderReport(run(), 'first', { ...O, language: 'it' });
    assert.match(text, /^Piano: Weekly SMB \(ID 2\)$/m);
    assert.match(text, /^Inizio: 9 ago 2026, 03:00:01 CEST$/m);
    assert.match(text, /FALLITO/);
    assert.match(text, /Cosa fare/);
  });

  it('escapes everything from Redis in HTML and keeps the subject on one line', () => {
    const evil = '<img src=x onerror=alert(1)>\r\nBcc: victim@example.org';
    const r = run({ planName: evil, destinationName: '"><script>x</script>', modules: [{ ...run().modules[0]!, uiName: '<b>&amp;</b>', moduleId: 'nextcloud1' }] });
    const mail = renderReport(r, 'first', O);
    assert.ok(!/<img|<script|<b>/.test(mail.html), 'no markup from data');
    assert.match(mail.html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.match(mail.html, /&lt;b&gt;&amp;amp;&lt;\/b&gt;/);
    assert.ok(!/[\r\n]/.test(mail.subject));
    assert.match(mail.subject, /Bcc: victim@example.org/, 'the text stays, as part of the one subject line');
  });

  it('HTML carries one table row per module with the result', () => {
    const { html } = renderReport(run(), 'first', O);
    const rows = [...html.matchAll(/<tr data-module="([^"]+)">/g)].map((m) => m[1]);
    assert.deepEqual(rows, ['nextcloud1', 'webtop1']);
    assert.match(html, /<html lang="en">/);
  });

  it('mentions since when a plan has been failing', () => {
    const { text } = renderReport(run(), 'repeat', { ...O, failingSince: T - 604800 });
    assert.match(text, /Failing since 2 Aug 2026, 03:00:00 CEST\./);
  });

  it('includes extra sections (the destination check)', () => {
    const { text, html } = renderReport(run(), 'first', { ...O, sections: [{ title: 'Destination check', text: 'unreachable', html: '<p>unreachable</p>' }] });
    assert.match(text, /Destination check\n-+\nunreachable/);
    assert.match(html, /<h3>Destination check<\/h3>\n<p>unreachable<\/p>/);
  });
});

describe('stale plans', () => {
  it('says since when no success was seen, in both languages', () => {
    const r = run({ staleSince: T - 10 * 86400 });
    assert.match(renderReport(r, 'repeat', O).text, /No successful backup of this plan since 30 Jul 2026, 03:00:00 CEST/);
    assert.match(renderReport(r, 'repeat', { ...O, language: 'it' }).html, /Nessun backup riuscito di questo piano dal 30 lug 2026, 03:00:00 CEST/);
  });
});
