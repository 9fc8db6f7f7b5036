// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24: every digest names the acknowledged plans with who, when and why, next to the snoozed
// line ("Weekly: acknowledged by admin on …: NAS replaced"), in English and Italian; a plan that
// recovered or is no longer in the cluster is left out; the comment cannot inject HTML.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { digestContent } from '../../src/digest/content.js';
import { renderDigest, type DigestRenderOptions } from '../../src/report/digest.js';
import { everyState, TO } from '../digest/fixtures.js';

const O: DigestRenderOptions = {
  language: 'en',
  subjectPrefix: '[NS8 Backup]',
  timeZone: 'UTC',
  moduleId: 'backup-monitor1',
  frequency: 'daily',
};
const AT = TO - 3600;
const acknowledged = [
  { planId: 4, by: 'admin', at: AT, comment: 'NAS <b>replaced</b> this week', outcome: 'REPO_FAILURE' as const },
  { planId: 7, by: '', at: AT, comment: '', outcome: 'PARTIAL' as const },
  { planId: 1, by: 'bob', at: AT, comment: 'recovered since', outcome: 'PARTIAL' as const },
  { planId: 99, by: 'bob', at: AT, comment: 'a removed plan', outcome: 'PARTIAL' as const },
];
/** The text without the bidi isolates that wrap names and comments. */
const plain = (t: string) => t.replace(/[\u2066-\u2069]/g, '');
const when = new Date(AT * 1000).toISOString().slice(0, 16).replace('T', ' ');

describe('acknowledged plans in the digest', () => {
  it('lists who, when and why for each plan still failing as acknowledged', () => {
    const c = digestContent(everyState({ acknowledged }));
    assert.deepEqual(
      c.acknowledged?.map((a) => a.id),
      [4, 7],
    );
    const { text: raw, html } = renderDigest(c, O);
    const text = plain(raw);
    assert.ok(
      text.includes(`Unreachable NAS: acknowledged by admin on ${when} UTC: NAS <b>replaced</b> this week.`),
      text,
    );
    assert.ok(text.includes(`Half: acknowledged from the admin page on ${when} UTC.`), text);
    assert.ok(!text.includes('recovered since') && !text.includes('a removed plan'));
    assert.ok(html.includes('NAS &lt;b&gt;replaced&lt;/b&gt; this week'), 'the comment is escaped in HTML');
    assert.ok(!html.includes('<b>replaced'));
  });
  it('in Italian', () => {
    const text = plain(renderDigest(digestContent(everyState({ acknowledged })), { ...O, language: 'it' }).text);
    assert.ok(
      text.includes(`Unreachable NAS: preso in carico da admin il ${when} UTC: NAS <b>replaced</b> this week.`),
      text,
    );
    assert.ok(text.includes(`Half: preso in carico dalla pagina di amministrazione il ${when} UTC.`), text);
  });
  it('says nothing when no plan is acknowledged', () => {
    const { text } = renderDigest(digestContent(everyState()), O);
    assert.ok(!/acknowledged/.test(text));
  });
});
