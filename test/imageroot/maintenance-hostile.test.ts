// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile round on issue #24's maintenance windows (task H8), through add-maintenance-window as
// the NS8 agent runs it. A calendar that can never open again (`2099-02-30`, a past date) would
// hold nothing and cost the service a 30-year search on every check; one whose openings are
// never further apart than its length (`*:*:*` for a minute) would hold every mail of the plan
// forever. And the windows are listed in every digest and on the page: their number is bounded.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { createClient } from 'redis';
import { moduleKeys } from '../../src/domain/records.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { runAction } from '../sim/agent-runner.js';
import { freshModule } from './harness.js';

const h = freshModule('bm-maintenance-hostile-');

async function storedWindows(): Promise<number> {
  const c = createClient({ url: h.redis.adminUrl });
  await c.connect();
  try {
    return await c.hLen(moduleKeys(MODULE_ID).maintenance);
  } finally {
    await c.quit();
  }
}

async function clearWindows(): Promise<void> {
  const c = createClient({ url: h.redis.adminUrl });
  await c.connect();
  try {
    await c.del(moduleKeys(MODULE_ID).maintenance);
  } finally {
    await c.quit();
  }
}

const add = (input: Record<string, unknown>) => runAction('add-maintenance-window', input, h.o);

describe('add-maintenance-window: calendars that never open or never close', () => {
  for (const [calendar, duration, error] of [
    ['2099-02-30', 3600, 'window_never_opens'],
    ['*-02-30 22:00', 3600, 'window_never_opens'],
    ['*-04-31', 3600, 'window_never_opens'],
    ['2000-01-01 00:00', 3600, 'window_never_opens'],
    ['2199-01-01', 3600, 'window_never_opens'],
    ['*:*:*', 60, 'window_always_open'],
    ['*-*-* *:*:00', 60, 'window_always_open'],
    ['minutely', 3600, 'window_always_open'],
    ['hourly', 3600, 'window_always_open'],
    ['*-*-* 00,12:00', 43200, 'window_always_open'],
    ['Mon *-*-* 00:00', 604800, 'window_always_open'],
  ] as const) {
    test(`${calendar} for ${duration} s is refused (${error}), nothing stored`, async () => {
      await clearWindows();
      const res = await add({ calendar, duration_seconds: duration });
      assert.equal(res.status, 'validation-failed', res.error);
      assert.deepEqual(res.output, [{ field: 'calendar', parameter: 'calendar', value: calendar, error }]);
      assert.equal(await storedWindows(), 0);
    });
  }

  for (const [calendar, duration] of [
    ['hourly', 3599],
    ['Mon *-*-* 00:00', 604799],
    ['*-*-* 00,12:00', 43199],
    ['*-02-29 02:00', 3600],
    ['Sat *-*-* 22:00:00', 14400],
    ['*:0/5', 240],
  ] as const) {
    test(`${calendar} for ${duration} s opens and closes: stored`, async () => {
      await clearWindows();
      const res = await add({ calendar, duration_seconds: duration });
      assert.equal(res.status, 'completed', `${res.error} ${JSON.stringify(res.output)}`);
      assert.equal(await storedWindows(), 1);
    });
  }
});

describe('add-maintenance-window: how many', () => {
  test('50 windows are kept; the 51st is refused (too_many_windows) and not stored', async () => {
    await clearWindows();
    for (let i = 0; i < 50; i++) {
      const res = await add({ calendar: `*-*-* 02:${String(i).padStart(2, '0')}`, duration_seconds: 60 });
      assert.equal(res.status, 'completed', res.error);
    }
    const res = await add({ calendar: 'Sun *-*-* 03:00', duration_seconds: 60, comment: 'one more' });
    assert.equal(res.status, 'validation-failed');
    assert.deepEqual(res.output, [
      { field: 'calendar', parameter: 'calendar', value: 'Sun *-*-* 03:00', error: 'too_many_windows' },
    ]);
    assert.equal(await storedWindows(), 50);
    const listed = await runAction('list-silences', {}, h.o);
    assert.equal(listed.status, 'completed', listed.error);
    assert.equal((listed.output as { maintenance_windows: unknown[] }).maintenance_windows.length, 50);
  });
});
