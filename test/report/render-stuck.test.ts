// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 5: the still-running notice says which rule made the run stuck — the plan's
// usual duration, or the maximum run duration set for it — in both languages, and keeps a plan
// name with markup as text.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { renderStuck } from '../../src/report/render.js';
import { OPTIONS as O, RUNS, T } from './fixtures.js';

const partial = RUNS.partial!;
const run = { ...partial, modules: partial.modules.map((m, i) => (i === 0 ? { ...m, start: null, end: null } : m)) };

it('a maximum set for the plan: the notice names it, not the usual duration', () => {
  const stuck = { since: T, usualSeconds: 2400, maxAt: T + 10800, maximumSeconds: 7200 };
  const en = renderStuck(run, stuck, O);
  assert.match(en.text, /longer than the maximum of 2h set for this plan\./);
  assert.doesNotMatch(en.text, /usually takes/);
  const it_ = renderStuck(run, stuck, { ...O, language: 'it' });
  assert.match(it_.text, /oltre il massimo di 2h impostato per questo piano\./);
  assert.match(it_.subject, /^⏳ Ancora in corso: /u);
});

it('from the history: the usual duration, in both languages', () => {
  const stuck = { since: T, usualSeconds: 2400, maxAt: T + 10800 };
  assert.match(renderStuck(run, stuck, O).text, /it usually takes 40m\./);
  assert.match(renderStuck(run, stuck, { ...O, language: 'it' }).text, /di solito dura 40m\./);
});

it('a plan name with markup stays text in the HTML', () => {
  const named = { ...run, planName: 'Nightly <b>&</b>' };
  const mail = renderStuck(named, { since: T, usualSeconds: null, maxAt: T + 10800, maximumSeconds: 3600 }, O);
  assert.match(mail.html, /Nightly &lt;b&gt;&amp;&lt;\/b&gt;/);
  assert.doesNotMatch(mail.html, /<b>&<\/b>/);
});
