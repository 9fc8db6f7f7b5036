// SPDX-License-Identifier: GPL-3.0-or-later
// When the digest is due (issue #14): fixed clock, Europe/Rome, across DST, restarts and outages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  digestCalendar,
  digestDue,
  recordAfter,
  DEFAULT_DIGEST,
  type DigestRecord,
  type DigestSettings,
} from '../../src/digest/schedule.js';

const TZ = 'Europe/Rome';
const at = (iso: string) => Math.floor(Date.parse(iso) / 1000);
const iso = (s: number) => new Date(s * 1000).toISOString();
const DAILY: DigestSettings = { frequency: 'daily', weekday: 'mon', time: '08:00' };

/**
 * A service that checks every `stepS` from `start` to `end`, except while `down` (restarts and
 * outages): what it would send, as slot ISO times. The record survives like the Redis one does.
 */
function simulate(
  s: DigestSettings,
  start: number,
  end: number,
  stepS = 60,
  down: [number, number][] = [],
  rec: DigestRecord | null = null,
) {
  const sent: { slot: string; from: string; catchUp: boolean }[] = [];
  for (let now = start; now <= end; now += stepS) {
    if (down.some(([a, b]) => now >= a && now < b)) continue;
    const v = digestDue(s, rec, now, TZ);
    if (v.kind === 'arm') rec = v.record;
    if (v.kind === 'send') {
      sent.push({ slot: iso(v.slot), from: iso(v.from), catchUp: v.catchUp });
      rec = recordAfter(rec!, v.slot, now, `d${sent.length}`);
    }
  }
  return { sent, rec };
}

describe('digest schedule', () => {
  it('settings become an OnCalendar expression', () => {
    assert.equal(digestCalendar(DAILY), '*-*-* 08:00:00');
    assert.equal(digestCalendar(DEFAULT_DIGEST), 'Mon *-*-* 08:00:00');
    assert.equal(digestCalendar({ ...DAILY, frequency: 'off' }), null);
    assert.throws(() => digestCalendar({ ...DAILY, time: '25:00' }), /HH:MM/);
  });

  it('fires at 08:00 local time every day across the spring DST change', () => {
    const { sent } = simulate(DAILY, at('2026-03-27T12:00:00Z'), at('2026-03-31T12:00:00Z'), 300);
    assert.deepEqual(
      sent.map((x) => x.slot),
      ['2026-03-28T07:00:00.000Z', '2026-03-29T06:00:00.000Z', '2026-03-30T06:00:00.000Z', '2026-03-31T06:00:00.000Z'],
    );
    assert.ok(sent.every((x) => !x.catchUp));
    assert.equal(sent[1]!.from, '2026-03-28T07:00:00.000Z', 'each digest covers since the previous one');
  });

  it('and across the autumn change, weekly on Monday', () => {
    const { sent } = simulate(
      { ...DAILY, frequency: 'weekly' },
      at('2026-10-20T00:00:00Z'),
      at('2026-11-03T00:00:00Z'),
      600,
    );
    assert.deepEqual(
      sent.map((x) => x.slot),
      ['2026-10-26T07:00:00.000Z', '2026-11-02T07:00:00.000Z'],
    );
  });

  it('a new install (or a changed schedule) is armed: no digest for a slot already past', () => {
    const { sent } = simulate(DAILY, at('2026-06-10T07:00:00Z'), at('2026-06-11T05:59:00Z'));
    assert.deepEqual(sent, [], 'installed at 09:00 local: the 08:00 digest of that day is not sent');
  });

  it('a restart just before and just after the time gives exactly one digest', () => {
    const slot = at('2026-06-11T06:00:00Z');
    for (const [a, b] of [
      [slot - 120, slot - 30],
      [slot - 60, slot + 90],
      [slot + 30, slot + 240],
      [slot - 1, slot + 1],
    ]) {
      const { sent } = simulate(DAILY, at('2026-06-10T12:00:00Z'), at('2026-06-11T12:00:00Z'), 30, [[a!, b!]]);
      assert.deepEqual(
        sent.map((x) => x.slot),
        ['2026-06-11T06:00:00.000Z'],
        `down ${iso(a!)}..${iso(b!)}`,
      );
    }
  });

  it('a 3-day outage gives one catch-up covering everything since the previous digest', () => {
    const { sent } = simulate(DAILY, at('2026-06-10T05:00:00Z'), at('2026-06-15T05:00:00Z'), 60, [
      [at('2026-06-11T12:00:00Z'), at('2026-06-14T10:00:00Z')],
    ]);
    assert.deepEqual(sent, [
      { slot: '2026-06-10T06:00:00.000Z', from: '2026-06-09T06:00:00.000Z', catchUp: false },
      { slot: '2026-06-11T06:00:00.000Z', from: '2026-06-10T06:00:00.000Z', catchUp: false },
      { slot: '2026-06-14T06:00:00.000Z', from: '2026-06-11T06:00:00.000Z', catchUp: true },
    ]);
  });

  it('back just before the next slot: no catch-up minutes before the regular digest', () => {
    const { sent } = simulate(DAILY, at('2026-06-10T05:00:00Z'), at('2026-06-15T07:00:00Z'), 60, [
      [at('2026-06-11T12:00:00Z'), at('2026-06-15T05:00:00Z')],
    ]);
    assert.deepEqual(
      sent.map((x) => [x.slot, x.catchUp]),
      [
        ['2026-06-10T06:00:00.000Z', false],
        ['2026-06-11T06:00:00.000Z', false],
        ['2026-06-15T06:00:00.000Z', false],
      ],
    );
    assert.equal(sent[2]!.slot, '2026-06-15T06:00:00.000Z');
  });

  it('changing the time re-arms without firing at once', () => {
    let { rec } = simulate(DAILY, at('2026-06-10T05:00:00Z'), at('2026-06-10T09:00:00Z'));
    const later = { ...DAILY, time: '07:00' };
    const v = digestDue(later, rec, at('2026-06-10T09:00:00Z'), TZ);
    assert.equal(v.kind, 'arm');
    rec = (v as { record: DigestRecord }).record;
    assert.equal(digestDue(later, rec, at('2026-06-10T09:01:00Z'), TZ).kind, 'wait');
    assert.equal(rec.lastSentAt, at('2026-06-10T06:00:00Z'), 'the next digest still starts where the last one ended');
  });

  it('off is off', () => {
    assert.deepEqual(digestDue({ ...DAILY, frequency: 'off' }, null, at('2026-06-10T06:00:00Z'), TZ), { kind: 'off' });
  });
});
