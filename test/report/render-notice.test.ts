// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24: the mails with words of their own — a snooze's end, an escalation, a stuck run —
// keep state and plan first and the prefix with the seed-style words after them.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { renderReport, renderStuck } from '../../src/report/render.js';
import { OPTIONS as O, RUNS, T } from './fixtures.js';

const partial = RUNS.partial!;

it('a snooze end and an escalation say so after state and plan, in both languages', () => {
  const ended = renderReport(partial, 'reminder', { ...O, notice: 'snoozeEnded' });
  assert.match(ended.subject, /^⚠️ Partly failed: .+ – Snooze ended: .* · \[NS8 Backup\] 🔁 Reminder/u);
  assert.match(ended.text, /Snooze ended: .+ is still failing\./);
  const esc = renderReport(partial, 'reminder', { ...O, notice: 'escalated', failingSince: T - 3 * 86400 });
  assert.match(esc.subject, /^⚠️ Partly failed: .+ – Escalated: /u);
  assert.match(
    renderReport(partial, 'reminder', { ...O, language: 'it', notice: 'snoozeEnded' }).text,
    /Sospensione finita/,
  );
  assert.doesNotMatch(renderReport(partial, 'reminder', O).subject, /Snooze ended|Escalated/);
});

it('a stuck run: still running since, its usual duration, what has not reported', () => {
  const run = { ...partial, modules: partial.modules.map((m, i) => (i === 0 ? { ...m, start: null, end: null } : m)) };
  const mail = renderStuck(run, { since: T, usualSeconds: 3600, maxAt: T + 10800 }, O);
  assert.match(
    mail.subject,
    /^⏳ Still running: .+ – since 2026-08-09 03:00.* · \[NS8 Backup\] ⏳ Backup still running$/u,
  );
  assert.match(mail.text, /usually takes 1h\./);
  assert.match(mail.text, /Not reported yet: /);
  assert.match(mail.html, /Backup still running/);
});
