// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 6, "from the mail to the plan": when the cluster-admin address is known every
// report links to its plan on the module's page (`#/apps/<module>?plan=<id>`, channel-message.ts
// planLink), where a failing plan is acknowledged or snoozed; without it (or with a non-web
// address) there is no link at all, never a broken one.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport, renderStuck } from '../../src/report/render.js';
import { OPTIONS as O, RUNS, T } from './fixtures.js';

const URL_BASE = 'https://leader.example.org/cluster-admin/';
const partial = RUNS.partial!;
const link = `${URL_BASE}#/apps/${O.moduleId}?plan=${partial.planId}`;

it('a problem links to its plan and says acknowledge or snooze are there, in both languages', () => {
  const mail = renderReport(partial, 'first', { ...O, clusterAdminUrl: URL_BASE });
  assert.ok(mail.text.includes(`Open the plan: ${link}`), mail.text);
  assert.match(mail.text, /acknowledge or snooze it there/i);
  assert.ok(mail.html.includes(`href="${link.replace(/&/g, '&amp;')}"`), 'an <a> to the plan');
  const it_ = renderReport(partial, 'first', { ...O, language: 'it', clusterAdminUrl: URL_BASE });
  assert.ok(it_.text.includes(`Aprire il piano: ${link}`), it_.text);
  assert.match(it_.text, /prenderlo in carico o sospenderlo/);
});

it('a success and a stuck run link to the plan too', () => {
  const ok = RUNS.success ?? Object.values(RUNS).find((r) => r.outcome === 'SUCCESS')!;
  const mail = renderReport(ok, 'success', { ...O, clusterAdminUrl: URL_BASE });
  assert.ok(mail.text.includes(`${URL_BASE}#/apps/${O.moduleId}?plan=${ok.planId}`));
  assert.doesNotMatch(mail.text, /acknowledge or snooze/i, 'nothing to silence after a success');
  const stuck = renderStuck(
    partial,
    { since: T, usualSeconds: null, maxAt: T + 10800 },
    { ...O, clusterAdminUrl: URL_BASE },
  );
  assert.ok(stuck.text.includes(link));
});

it('no address known, or not a web one: no link', () => {
  for (const clusterAdminUrl of [undefined, null, '', 'javascript:alert(1)//', 'not a url']) {
    const mail = renderReport(partial, 'first', { ...O, clusterAdminUrl });
    assert.doesNotMatch(mail.text, /Open the plan/, String(clusterAdminUrl));
    assert.doesNotMatch(mail.html, /\?plan=/, String(clusterAdminUrl));
  }
});
