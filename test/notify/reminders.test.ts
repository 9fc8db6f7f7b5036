// SPDX-License-Identifier: GPL-3.0-or-later
// Reminders and held flap news reach the tracker only for plans whose policy mails per run
// (issue #14); a missing run is passed on for every plan (its report follows the policy).
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { watchdogSink } from '../../src/notify/reminders.js';
import type { NotifySettings } from '../../src/domain/policy.js';

it('reminds plans on always and problems; not those on digest or off', () => {
  const notify = {
    defaultPolicy: 'problems',
    plans: new Map([
      [2, { policy: 'always', mailTo: [] }],
      [3, { policy: 'digest', mailTo: [] }],
      [4, { policy: 'off', mailTo: [] }],
    ]),
  } as unknown as NotifySettings;
  const calls: string[] = [];
  const sink = watchdogSink(notify, {
    missing: (p, at, m) => calls.push(`missing ${p} ${at} ${m.join(',')}`),
    reminderDue: (p) => calls.push(`remind ${p}`),
  });
  for (const p of [1, 2, 3, 4]) sink.reminderDue(p);
  for (const p of [3, 4]) sink.missing(p, 1786237200, ['samba1']);
  assert.deepEqual(calls, ['remind 1', 'remind 2', 'missing 3 1786237200 samba1', 'missing 4 1786237200 samba1']);
});
