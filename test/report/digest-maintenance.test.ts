// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 3: every digest lists the maintenance windows next to the snoozed and acknowledged
// lines ("2 maintenance windows: Sun 02:00 for 3h, every plan; …"), in English and Italian; a
// window of a plan no longer in the cluster is left out; a calendar cannot inject HTML.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { digestContent } from '../../src/digest/content.js';
import type { MaintenanceWindow } from '../../src/notify/maintenance.js';
import { renderDigest, type DigestRenderOptions } from '../../src/report/digest.js';
import { everyState } from '../digest/fixtures.js';

const O: DigestRenderOptions = {
  language: 'en',
  subjectPrefix: '[NS8 Backup]',
  timeZone: 'UTC',
  moduleId: 'backup-monitor1',
  frequency: 'daily',
};
const win = (id: string, calendar: string, durationSeconds: number, planId: number | null): MaintenanceWindow => ({
  id,
  calendar,
  durationSeconds,
  planId,
  by: 'admin',
  at: 1,
  comment: '',
});
const maintenance = [
  win('a', 'Sun 02:00', 3 * 3600, null),
  win('b', 'Sat <b>03:00</b>', 5400, 4),
  win('c', 'daily', 600, 99),
];
/** The text without the bidi isolates that wrap names. */
const plain = (t: string) => t.replace(/[\u2066-\u2069]/g, '');

describe('maintenance windows in the digest', () => {
  it('lists each window with its calendar, length and plan; leaves out a removed plan', () => {
    const c = digestContent(everyState({ maintenance }));
    assert.deepEqual(
      c.maintenance?.map((w) => w.planId),
      [null, 4],
    );
    const { text: raw, html } = renderDigest(c, O);
    const text = plain(raw);
    assert.ok(
      text.includes(
        '2 maintenance windows: Sun 02:00 for 3h, every plan; Sat <b>03:00</b> for 1h 30m, Unreachable NAS.',
      ),
      text,
    );
    assert.ok(!text.includes('daily for'), 'the removed plan');
    assert.ok(html.includes('Sat &lt;b&gt;03:00&lt;/b&gt;'), 'the calendar is escaped in HTML');
    assert.ok(!html.includes('<b>03:00'));
  });
  it('in Italian, one window', () => {
    const c = digestContent(everyState({ maintenance: [maintenance[1]!] }));
    const text = plain(renderDigest(c, { ...O, language: 'it' }).text);
    assert.ok(text.includes('1 finestra di manutenzione: Sat <b>03:00</b> per 1h 30m, Unreachable NAS.'), text);
  });
  it('says nothing when there is no window', () => {
    const { text } = renderDigest(digestContent(everyState()), O);
    assert.ok(!/maintenance/.test(text));
  });
});
