// SPDX-License-Identifier: GPL-3.0-or-later
// Stuck runs (issue #24 item 5), end to end: NS8 runs replayed on a real redis-server with NS8's
// ACLs, the real service (in this process: its clock is moved ahead of wall time, and the replayed
// runs are dated by that clock) and a real SMTP sink. Weekly SMB has three complete past runs (a
// minute each: stuck after 31 minutes by the history rule); in the new run webtop1, the last
// application of node 2, never reports. Plans are scheduled once a year, so moving the clock
// hours ahead makes no run "missing".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { useServiceWorld } from '../helpers/service-world.js';
import { PLANS, replayRun } from '../sim/cluster.js';

const HOUR = 3600;
const MAX_RUN_SECONDS = 3 * HOUR;
const APPS = PLANS.find((p) => p.id === 2)!.instances;
const world = useServiceWorld({
  yearlyPlans: true,
  env: {
    NOTIFY_POLICY: 'always',
    REMINDER_INTERVAL_SECONDS: '0',
    DIGEST_FREQUENCY: 'off',
    MAX_RUN_SECONDS: String(MAX_RUN_SECONDS),
  },
});
/** Three complete runs of Weekly SMB, each mailed (policy always), then the run without webtop1; returns its start. */
async function runWithoutWebtop(): Promise<number> {
  const { since } = await world.openRunWithoutWebtop();
  assert.equal(world.smtp.messages.length, 3, `an open run says nothing yet: ${world.subjects().join(' | ')}`);
  return since;
}

/** Past the history rule's stuck time: exactly one "still running" mail, also after more ticks. */
async function stillRunningOnce(since: number): Promise<void> {
  world.clockAt(since + 40 * 60);
  await world.quiet({ mails: 4 });
  await world.someTicks();
  const added = world.subjects().slice(3);
  assert.equal(added.length, 1, added.join(' | '));
  assert.match(added[0]!, /^⏳ Still running: Weekly SMB – since /u);
  const text = world.smtp.messages[3]!.text ?? '';
  assert.match(text, /it usually takes 1m\./);
  assert.match(text, /Not reported yet: Webtop <Sales & Co>/);
}

describe('a run whose last application never reports', () => {
  it('one still-running mail, then the normal report when the application reports', async () => {
    const svc = await world.start();
    try {
      const since = await runWithoutWebtop();
      await stillRunningOnce(since);
      world.clockAt(since + 50 * 60);
      const others = APPS.filter((id) => id !== 'webtop1');
      await replayRun(world.redis, 2, { webtop1: { startAt: since + 40 * 60 } }, { skip: others });
      await world.quiet({ mails: 5 });
      await world.someTicks();
      const added = world.subjects().slice(4);
      assert.equal(added.length, 1, added.join(' | '));
      assert.match(added[0]!, /^✅ .*Weekly SMB/u, 'its normal report: all saved');
    } finally {
      await svc.service.stop();
    }
  });

  it('one still-running mail, then "not run" once MAX_RUN_SECONDS have passed', async () => {
    const svc = await world.start();
    try {
      const since = await runWithoutWebtop();
      await stillRunningOnce(since);
      world.clockAt(since + MAX_RUN_SECONDS + 60);
      await world.quiet({ mails: 5 });
      await world.someTicks();
      const added = world.subjects().slice(4);
      assert.equal(added.length, 1, added.join(' | '));
      assert.match(added[0]!, /Weekly SMB – 1 of 4 applications not saved/u);
      assert.match(world.smtp.messages[4]!.text ?? '', /Webtop <Sales & Co>[^\n]*\n?[^\n]*not run/i);
    } finally {
      await svc.service.stop();
    }
  });

  it('with a maximum set for the plan: still running past it, the notice names the maximum', async () => {
    const svc = await world.start({ PLAN_MAX_RUN_DURATION: '2:1200' });
    try {
      const since = await runWithoutWebtop();
      world.clockAt(since + 25 * 60); // before the history rule (31 min), past the plan's 20 minutes
      await world.quiet({ mails: 4 });
      await world.someTicks();
      assert.equal(world.smtp.messages.length, 4, world.subjects().join(' | '));
      assert.match(world.subjects()[3]!, /^⏳ Still running: Weekly SMB/u);
      assert.match(world.smtp.messages[3]!.text ?? '', /longer than the maximum of 20m set for this plan/);
    } finally {
      await svc.service.stop();
    }
  });
});
