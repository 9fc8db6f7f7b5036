// SPDX-License-Identifier: GPL-3.0-or-later
// The calculator against the real thing: `systemd-analyze calendar --base-time --iterations`
// (systemd is what fires NS8 backup timers). Bases sit just before DST changes and month ends.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { parseCalendar, isCalendarError, previousRun, nextRun } from '../../src/schedule/index.js';

const run = promisify(execFile);

const EXPRESSIONS = [
  '*-*-* *:15:00',
  '*-*-* 01:30:00',
  '*-*-* 02:30:00',
  'Sun *-*-* 03:00:00',
  '*-*-01 02:00:00',
  '*-*-31 02:30:00',
  'Mon..Fri *-*-* 22:00:00',
  'Sat,Sun 10:00',
  '*-*-* 00/6:00:00',
  '*:0/20',
  '*-*-* 02,14:00:00',
  'Mon *-*-1..7 00:00',
  '*-*-29/2 03:00',
  'daily',
  'hourly',
  'weekly',
  'monthly',
  'quarterly',
  'semiannually',
  'yearly',
  'minutely',
];
/** Zone -> base times (UTC ISO), each a little before a DST change or a month end. */
const BASES: Record<string, string[]> = {
  'Europe/Rome': ['2026-10-24T23:00:00Z', '2027-03-27T23:00:00Z', '2027-02-27T12:00:00Z'],
  'America/New_York': ['2026-11-01T04:00:00Z', '2027-03-14T05:00:00Z'],
  'Australia/Sydney': ['2026-10-03T14:00:00Z', '2027-04-03T14:00:00Z'],
  'Asia/Kolkata': ['2028-02-27T12:00:00Z'],
};
const ITERATIONS = 8;

/** Trigger times systemd prints, per expression block, as unix ms. */
async function systemdRuns(zone: string, base: string): Promise<number[][]> {
  const at = `@${Date.parse(base) / 1000}`;
  const { stdout } = await run(
    'systemd-analyze',
    ['calendar', `--base-time=${at}`, `--iterations=${ITERATIONS}`, ...EXPRESSIONS],
    { env: { ...process.env, TZ: zone, LC_ALL: 'C' } },
  );
  return stdout
    .split(/\n\s*\n/)
    .filter((b) => b.includes('Normalized form'))
    .map((block) =>
      [...block.matchAll(/\(in UTC\): \w+ (\d{4}-\d\d-\d\d) (\d\d:\d\d:\d\d) UTC/g)].map((m) =>
        Date.parse(`${m[1]}T${m[2]}Z`),
      ),
    );
}

for (const [zone, bases] of Object.entries(BASES)) {
  test(`next ${ITERATIONS} runs match systemd-analyze in ${zone}`, async () => {
    for (const base of bases) {
      const expected = await systemdRuns(zone, base);
      assert.equal(expected.length, EXPRESSIONS.length, 'one block per expression');
      EXPRESSIONS.forEach((expr, i) => {
        const cal = parseCalendar(expr);
        if (isCalendarError(cal)) assert.fail(cal.error);
        const ours: number[] = [];
        let t = new Date(base);
        while (ours.length < expected[i]!.length) {
          const n = nextRun(cal, t, zone);
          if (!n) break;
          ours.push(n.getTime());
          t = n;
        }
        assert.deepEqual(ours.map(iso), expected[i]!.map(iso), `${expr} from ${base}`);
        // previousRun sees the same trigger set: each run is its own previous, and the one before the next.
        for (let k = 1; k < ours.length; k++) {
          assert.equal(
            previousRun(cal, new Date(ours[k]! - 1), zone)?.getTime(),
            ours[k - 1],
            `${expr} before ${iso(ours[k]!)}`,
          );
        }
      });
    }
  });
}

const iso = (ms: number) => new Date(ms).toISOString();
