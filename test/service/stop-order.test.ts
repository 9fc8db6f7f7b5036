// SPDX-License-Identifier: GPL-3.0-or-later
// stopService's order on its own (the whole service during a Redis outage: stop.test.ts): waits
// end first, then the listener closes, then work finishes; work stuck on Redis past the grace
// gets the connections destroyed, and stop still returns.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { memoryLogger } from '../../src/log.js';
import { settlesWithin, stopService } from '../../src/service/stop.js';

function deps(finish: () => Promise<unknown>, close: () => Promise<unknown> = async () => {}) {
  const calls: string[] = [];
  const shutdown = new AbortController();
  const log = memoryLogger();
  const d = {
    shutdown,
    closeListener: async () => {
      calls.push(`close listener (aborted: ${shutdown.signal.aborted})`);
    },
    finishWork: () => {
      calls.push('finish work');
      return finish();
    },
    redis: {
      close: () => {
        calls.push('close redis');
        return close();
      },
      destroy: () => calls.push('destroy redis'),
    },
    log,
    graceMs: 50,
  };
  return { d, calls, log };
}

it('aborts waits, closes the listener, lets work finish, then closes Redis', async () => {
  const { d, calls, log } = deps(async () => {});
  await stopService(d);
  assert.deepEqual(calls, ['close listener (aborted: true)', 'finish work', 'close redis']);
  assert.deepEqual(log.lines, []);
});

it('work stuck on Redis past the grace: one warning, the connections destroyed, stop returns', async () => {
  const { d, calls, log } = deps(
    () => new Promise(() => {}),
    () => new Promise(() => {}),
  );
  await stopService(d);
  assert.deepEqual(calls, [
    'close listener (aborted: true)',
    'finish work',
    'destroy redis',
    'close redis',
    'destroy redis',
  ]);
  assert.deepEqual(log.lines, ['<4>stopping while Redis is unreachable: pending work is given up grace_ms=50']);
});

it('settlesWithin: true for a promise that settles either way, false for one that does not', async () => {
  assert.equal(await settlesWithin(Promise.resolve(1), 50), true);
  assert.equal(await settlesWithin(Promise.reject(new Error('x')), 50), true);
  assert.equal(await settlesWithin(new Promise(() => {}), 10), false);
});
