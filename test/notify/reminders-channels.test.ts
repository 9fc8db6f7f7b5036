// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #22: reminders and the snooze-ended announcement reach the watchdog's tracker when email OR
// a channel besides email takes them for the plan; a snooze or an acknowledgement still holds them
// for every channel.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { watchdogSink } from '../../src/notify/reminders.js';
import type { NotifySettings } from '../../src/domain/policy.js';
import type { NotifyReason } from '../../src/domain/records.js';
import type { Silence } from '../../src/notify/silence.js';

const NOW_S = 1_786_237_200;
const notify = {
  defaultPolicy: 'problems',
  plans: new Map([
    [3, { policy: 'digest', recipients: [] }],
    [4, { policy: 'off', recipients: [] }],
    [5, { policy: 'digest', recipients: [] }],
  ]),
} as unknown as NotifySettings;

/** A channel besides email that takes reports of plans 3 and 4 only (its plan list). */
const asked: [number, NotifyReason][] = [];
const channelTakes = (planId: number, reason: NotifyReason) => {
  asked.push([planId, reason]);
  return planId === 3 || planId === 4;
};

function sinkWith(silences: Map<number, Silence>, calls: string[]) {
  return watchdogSink(
    notify,
    { missing: () => undefined, reminderDue: (p) => calls.push(`remind ${p}`) },
    {
      store: { load: async (p: number) => silences.get(p) },
      nowMs: () => NOW_S * 1000,
      onError: (e) => assert.fail(e),
    },
    channelTakes,
  );
}

/** The sink reads silences asynchronously: a turn of the event loop lets it answer. */
const settle = () => new Promise((r) => setImmediate(r));

describe('the watchdog lets a reminder through for email or a channel', () => {
  it('digest and off plans are reminded when a channel takes their reminders, not otherwise', async () => {
    const calls: string[] = [];
    const sink = sinkWith(new Map(), calls);
    for (const p of [1, 3, 4, 5]) sink.reminderDue(p);
    await settle();
    assert.deepEqual(calls, ['remind 1', 'remind 3', 'remind 4']);
    assert.ok(
      asked.some(([p, r]) => p === 5 && r === 'reminder'),
      'the channels are asked about a reminder',
    );
  });

  it('a snoozed or acknowledged plan stays silent on every channel', async () => {
    const silences = new Map<number, Silence>([
      [3, { snoozed: { by: '', at: NOW_S - 60, comment: '', until: NOW_S + 3600, untilSuccess: false } }],
      [4, { acknowledged: { by: 'admin', at: NOW_S - 60, comment: '', outcome: 'PARTIAL', failing: ['samba1'] } }],
    ]);
    const calls: string[] = [];
    const sink = sinkWith(silences, calls);
    for (const p of [3, 4]) sink.reminderDue(p);
    await settle();
    assert.deepEqual(calls, []);
  });

  it('the end of a snooze is announced on a channel of a digest plan, once the snooze ran out', async () => {
    const snooze = (until: number): Silence => ({
      snoozed: { by: '', at: NOW_S - 7200, comment: '', until, untilSuccess: false },
    });
    const calls: string[] = [];
    const sink = sinkWith(
      new Map([
        [3, snooze(NOW_S - 1)],
        [4, snooze(NOW_S + 3600)],
        [5, snooze(NOW_S - 1)],
      ]),
      calls,
    );
    for (const p of [3, 4, 5]) sink.stillFailing(p);
    await settle();
    assert.deepEqual(calls, ['remind 3'], 'plan 4 is still snoozed; plan 5 is told nowhere');
  });
});
