// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: when is a digest due, given its settings and the durable record of the last one (issue #14).
//
// The digest time is turned into an OnCalendar expression and evaluated by src/schedule/ in the
// module's time zone, so it follows the same DST rules as the backup timers (a wall time skipped by
// a spring-forward jump does not fire that day; the next digest covers both days).
// Exactly one digest per period, also across restarts and Redis outages:
// - the record (`module/<id>/digest`) holds the last slot sent; it is written in the same MULTI
//   that queues the digest mail, and read again before every decision, so a crash or a lost reply
//   can neither lose nor repeat a digest;
// - a schedule seen for the first time (new install, or the admin changed it) is only *armed*:
//   slots before that moment are never sent, so changing the time never fires a digest at once;
// - after an outage over several periods, only the latest slot counts: one catch-up digest that
//   covers everything since the previous digest, not one per missed period;
// - a catch-up whose next regular slot is near (DEFER_S) waits for it: that digest covers the same
//   time, and two digests minutes apart would be noise.
import { isCalendarError, nextRun, parseCalendar, previousRun, type Calendar } from '../schedule/index.js';

import type { DigestSettings } from '../domain/digest.js';

export {
  DEFAULT_DIGEST,
  type DigestSettings,
  FREQUENCIES,
  type Frequency,
  WEEKDAYS,
  type Weekday,
} from '../domain/digest.js';

/** A sent digest later than this after its slot is a catch-up (said so in the mail). */
export const LATE_S = 15 * 60;
/** A catch-up waits for the next slot when that is this close. */
export const DEFER_S = 2 * 3600;

/** `module/<id>/digest` (STRING, JSON). Unix seconds throughout. */
export interface DigestRecord {
  /** The OnCalendar expression the record was armed with. */
  schedule: string;
  /** When this schedule was first seen: earlier slots are never sent. */
  armedAt: number;
  /** The slot of the last digest queued, or null. */
  lastSlot: number | null;
  /** End of the period the last digest covered (= when it was made), or null. */
  lastSentAt: number | null;
  lastId: string | null;
}

export const isTime = (s: string): boolean => /^([01]\d|2[0-3]):[0-5]\d$/.test(s);

/** The settings as an OnCalendar expression, or null when off. */
export function digestCalendar(s: DigestSettings): string | null {
  if (s.frequency === 'off') return null;
  if (!isTime(s.time)) throw new Error(`digest time must be HH:MM, got ${JSON.stringify(s.time)}`);
  const day = s.frequency === 'weekly' ? `${s.weekday[0]!.toUpperCase()}${s.weekday.slice(1)} ` : '';
  return `${day}*-*-* ${s.time}:00`;
}

export type DigestVerdict =
  | { kind: 'off' }
  /** Save this record first (new or changed schedule); nothing is due yet. */
  | { kind: 'arm'; record: DigestRecord }
  /** Nothing due; `next` is the next slot (unix s). */
  | { kind: 'wait'; next: number | null }
  /** Send one digest for `slot`, covering `from`..`to`. */
  | { kind: 'send'; slot: number; from: number; to: number; catchUp: boolean };

function calendar(expr: string): Calendar {
  const cal = parseCalendar(expr);
  if (isCalendarError(cal)) throw new Error(cal.error);
  return cal;
}

const sec = (d: Date | null) => (d ? Math.floor(d.getTime() / 1000) : null);

export function digestDue(s: DigestSettings, rec: DigestRecord | null, nowS: number, timeZone: string): DigestVerdict {
  const expr = digestCalendar(s);
  if (expr === null) return { kind: 'off' };
  if (!rec || rec.schedule !== expr) {
    return {
      kind: 'arm',
      record: {
        schedule: expr,
        armedAt: nowS,
        lastSlot: rec?.lastSlot ?? null,
        lastSentAt: rec?.lastSentAt ?? null,
        lastId: rec?.lastId ?? null,
      },
    };
  }
  const cal = calendar(expr);
  const slot = sec(previousRun(cal, new Date(nowS * 1000), timeZone));
  const next = sec(nextRun(cal, new Date(nowS * 1000), timeZone));
  if (slot === null || slot <= rec.armedAt || (rec.lastSlot !== null && slot <= rec.lastSlot))
    return { kind: 'wait', next };
  const late = nowS - slot > LATE_S;
  if (late && next !== null && next - nowS < DEFER_S) return { kind: 'wait', next };
  const before = sec(previousRun(cal, new Date((slot - 1) * 1000), timeZone));
  return { kind: 'send', slot, from: rec.lastSentAt ?? before ?? slot - 86_400, to: nowS, catchUp: late };
}

/** The record once the digest for `slot` is queued. */
export const recordAfter = (rec: DigestRecord, slot: number, sentAt: number, id: string): DigestRecord => ({
  ...rec,
  lastSlot: slot,
  lastSentAt: sentAt,
  lastId: id,
});
