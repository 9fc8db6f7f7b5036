// SPDX-License-Identifier: GPL-3.0-or-later
// Digest content and rendering (issue #14): counts per plan, sizes, coverage gaps, both languages.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { digestContent, type DigestInput } from '../../src/digest/content.js';
import { PLAN_STATES } from '../../src/domain/digest.js';
import { coverageGaps } from '../../src/digest/coverage.js';
import { renderDigest } from '../../src/report/digest.js';
import type { PlanState } from '../../src/domain/records.js';
import type { NotifySettings } from '../../src/domain/policy.js';
import { parsePlanPolicies } from '../../src/notify/policy.js';
import { D, entry, everyState, FROM, GIB, snap, status, TO, WORST_FIRST } from './fixtures.js';

const plans = (raw: string) => (parsePlanPolicies(raw) as { plans: NotifySettings['plans'] }).plans;

function input(over: Partial<DigestInput> = {}): DigestInput {
  const state: PlanState = {
    planId: 2,
    planName: 'Hourly mail',
    lastRunKey: '2:1',
    lastOutcome: 'PARTIAL',
    lastDigest: '',
    lastReportId: '',
    lastNotifiedAt: 0,
    failingSince: TO - 3600,
    lastSuccessAt: TO - 7200,
  };
  return {
    from: FROM,
    to: TO,
    catchUp: false,
    snapshots: [
      snap(2, 'Hourly mail', ['mail1'], true, [['mail1', status(5_000_000)]]),
      snap(3, 'Quiet', ['samba1'], true, [['samba1', status(100)]]),
      snap(4, 'Old plan', ['webtop1'], false),
      snap(5, 'Never', ['nextcloud1'], true),
      snap(6, 'Silenced', ['traefik2'], true, [['traefik2', status(1)]]),
    ],
    states: new Map([[2, state]]),
    runLog: [
      entry(2, 1, 'SUCCESS', FROM - 100, 4_000_000), // before the period: size base only
      entry(2, 2, 'SUCCESS', FROM + 10, 4_500_000),
      entry(2, 3, 'PARTIAL', FROM + 20, 4_600_000, 'locked'),
      entry(2, 3, 'PARTIAL', FROM + 25, 4_700_000), // update of run 3: counted once
      entry(2, 4, 'MISSING', FROM + 30),
      entry(2, 5, 'WARNING', FROM + 40),
      entry(2, 6, 'SUCCESS', TO + 10), // after the period: next digest
      entry(6, 1, 'REPO_FAILURE', FROM + 50),
    ],
    apps: [
      { id: 'mail1', uiName: 'Mail', flags: [] },
      { id: 'samba1', uiName: '', flags: [] },
      { id: 'webtop1', uiName: 'Webtop <Sales>', flags: [] },
      { id: 'traefik1', uiName: '', flags: ['core_module'] },
      { id: 'metrics1', uiName: '', flags: ['core_module', 'no_data_backup'] },
      { id: 'nextcloud1', uiName: '', flags: [] },
      { id: 'traefik2', uiName: '', flags: [] },
    ],
    notify: { defaultPolicy: 'problems', plans: plans('3:digest,6:off') },
    ...over,
  };
}

describe('coverage gaps', () => {
  it('follows list-backups: no_data_backup ignored; modules only in disabled plans are gaps too', () => {
    const g = coverageGaps(input().apps, [
      { id: 1, name: 'A', enabled: true, instances: ['mail1'], hasRun: true },
      { id: 4, name: 'Old', enabled: false, instances: ['webtop1', 'mail1'], hasRun: true },
      { id: 5, name: 'New', enabled: true, instances: [], hasRun: false },
    ]);
    assert.deepEqual(
      g.unprotected.map((a) => [a.id, a.inDisabledPlans]),
      [
        ['nextcloud1', []],
        ['samba1', []],
        ['traefik1', []],
        ['traefik2', []],
        ['webtop1', [4]],
      ],
    );
    assert.deepEqual(g.disabledPlans, [{ id: 4, name: 'Old' }]);
    assert.deepEqual(g.neverRan, [{ id: 5, name: 'New' }]);
  });
});

describe('digest content', () => {
  const c = digestContent(input());
  it('counts each run once, in the period where it was first seen', () => {
    assert.deepEqual(c.plans.find((p) => p.id === 2)!.runs, { saved: 1, warnings: 1, failed: 1, missed: 1 });
    assert.deepEqual(c.totals, { saved: 1, warnings: 1, failed: 1, missed: 1 });
  });
  it('size now against the start of the period; last check; failing since from the plan state', () => {
    const p = c.plans.find((x) => x.id === 2)!;
    assert.equal(p.totalSize, 5_000_000);
    assert.equal(p.sizeChange, 1_000_000);
    assert.deepEqual(p.health, { verdict: 'locked', at: FROM + 20 });
    assert.equal(p.failingSince, TO - 3600);
    // The newest SUCCESS run (run 2): WARNING run 5 saved everything but is no full success, run 6 is after the period.
    assert.equal(p.lastSuccessAt, 2);
  });
  it('a digest plan is listed, an off plan is not', () => {
    assert.deepEqual(
      c.plans.map((p) => [p.id, p.policy]).sort((a, b) => Number(a[0]) - Number(b[0])),
      [
        [2, 'problems'],
        [3, 'digest'],
        [4, 'problems'],
        [5, 'problems'],
      ],
    );
  });
  it('names the application in no plan and the disabled plan', () => {
    assert.deepEqual(
      c.gaps.unprotected.map((a) => a.id),
      ['traefik1', 'webtop1'],
    );
    assert.deepEqual(
      c.gaps.disabledPlans.map((p) => p.name),
      ['Old plan'],
    );
    assert.deepEqual(
      c.gaps.neverRan.map((p) => p.name),
      ['Never'],
    );
  });
});

describe('digest order (issue #21)', () => {
  it('lists plans worst first: failing, missed, warning, never ran, OK, disabled', () => {
    const c = digestContent(everyState());
    assert.deepEqual(
      c.plans.map((p) => [p.id, p.state]),
      WORST_FIRST,
    );
  });
  it('inside a state, the longest failing first', () => {
    const i = everyState();
    const states = new Map(i.states);
    states.set(7, { ...states.get(7)!, lastOutcome: 'REPO_FAILURE', failingSince: FROM - 9 * D });
    const log = i.runLog.map((e) => (e.p === 7 && e.o === 'PARTIAL' ? { ...e, o: 'REPO_FAILURE' } : e));
    const c = digestContent({ ...i, states, runLog: log });
    assert.deepEqual(
      c.plans.slice(0, 2).map((p) => p.id),
      [7, 4],
    );
  });
  it("uses the admin page's states, in the admin page's order", async () => {
    // A JavaScript module of the admin page, read as data: no type declarations for tsc.
    const ui = '../../ui/src/lib/plan-status.js';
    const page = (await import(ui)) as { CLASSES: string[] };
    assert.deepEqual([...PLAN_STATES], page.CLASSES);
  });
  it('no size or change for a plan whose last run did not save everything', () => {
    const c = digestContent(everyState());
    const size = (id: number) => c.plans.filter((p) => p.id === id).map((p) => [p.totalSize, p.sizeChange])[0];
    assert.deepEqual(size(4), [null, null]); // unreachable: NS8 says 0 B, once 241 GiB
    assert.deepEqual(size(7), [null, null]);
    assert.deepEqual(size(6), [null, null]);
    assert.deepEqual(size(1), [10 * GIB, GIB]);
    assert.deepEqual(size(3), [2 * GIB, 0]);
  });
});

describe('digest mail', () => {
  const o = {
    language: 'en' as const,
    subjectPrefix: '[NS8 Backup]',
    timeZone: 'Europe/Rome',
    moduleId: 'backup-monitor1',
    frequency: 'weekly' as const,
  };
  it('subject, text and HTML in English', () => {
    const m = renderDigest(digestContent(input()), o);
    assert.match(m.subject, / · \[NS8 Backup\] Weekly backup digest: ⚠️ 2 of 3 plans need attention$/);
    assert.match(m.text, /1 runs saved · 1 with warnings · 1 failed · 1 missed/);
    assert.match(m.text, /Applications in no backup plan: traefik1\./);
    assert.match(m.text, /Applications only in disabled plans: Webtop <Sales> \(webtop1\)\./);
    assert.match(m.text, /Disabled plans: Old plan \(ID 4\)\./);
    assert.match(m.text, /Enabled plans that never ran: Never \(ID 5\)\./);
    assert.match(m.text, /\+976.56 KiB/);
    assert.doesNotMatch(m.text, /Silenced/);
    assert.deepEqual(
      [...m.html.matchAll(/data-plan="(\d+)"/g)].map((x) => x[1]),
      ['2', '5', '3', '4'],
    );
    assert.match(m.html, /Webtop &lt;Sales&gt; \(webtop1\)/);
    assert.match(m.html, /Dest &lt;2&gt;/);
    assert.doesNotMatch(m.html, /<Sales>|Dest <2>/);
  });
  it('in Italian, and says so when it is a catch-up', () => {
    const m = renderDigest(digestContent(input({ catchUp: true })), { ...o, language: 'it', frequency: 'daily' });
    assert.match(
      m.subject,
      / · \[NS8 Backup\] Riepilogo giornaliero dei backup: ⚠️ 2 piani su 3 richiedono attenzione$/,
    );
    assert.match(m.text, /non era in esecuzione/);
    assert.match(m.text, /Piani disabilitati: Old plan \(ID 4\)\./);
  });
  it('all good when nothing failed and nothing is missing', () => {
    const m = renderDigest(
      digestContent(
        input({
          snapshots: [snap(3, 'Quiet', ['samba1'], true, [['samba1', status(100)]])],
          states: new Map(),
          runLog: [entry(3, 1, 'SUCCESS', FROM + 5, 100)],
          apps: [{ id: 'samba1', uiName: '', flags: [] }],
        }),
      ),
      o,
    );
    assert.equal(m.subject, '✅ All OK · [NS8 Backup] Weekly backup digest: ✅ All backups are fine');
    assert.match(m.text, /Every application is in an enabled plan/);
  });
});

// Issue #23 item 2: two enabled plans saving nextcloud1 to one destination share its repository.
describe('digest: plans that prune each other', () => {
  const shared = (id: number, name: string, retention: number, instances: string[]) => {
    const s = snap(id, name, instances);
    return {
      ...s,
      plan: { ...s.plan, repository: 'nas', retention },
      destination: { ...s.destination!, id: 'nas', name: 'NAS share' },
    };
  };
  const sharing = (): DigestInput => ({
    ...everyState(),
    snapshots: [shared(1, 'Plan A', 30, ['nextcloud1', 'mail1']), shared(2, 'Plan B', 3, ['nextcloud1'])],
    states: new Map(),
    runLog: [],
  });

  it('names the application, the destination, each plan and the retention really kept', () => {
    assert.deepEqual(digestContent(sharing()).sharedRetention, [
      {
        application: 'nextcloud1',
        uiName: '',
        destinationName: 'NAS share',
        plans: [
          { id: 1, name: 'Plan A', retention: 30 },
          { id: 2, name: 'Plan B', retention: 3 },
        ],
        effectiveRetention: 3,
      },
    ]);
  });

  it('the mail says it with the fix, in English and Italian', () => {
    const opts = {
      subjectPrefix: '[NS8 Backup]',
      timeZone: 'UTC',
      moduleId: 'backup-monitor1',
      frequency: 'weekly',
    } as const;
    const en = renderDigest(digestContent(sharing()), { ...opts, language: 'en' });
    assert.match(en.text, /PLANS THAT PRUNE EACH OTHER/);
    assert.match(
      en.text,
      /nextcloud1 at .*NAS share.*: .*Plan A.* \(ID 1\) keeps 30, .*Plan B.* \(ID 2\) keeps 3 .*only 3 are kept/,
    );
    assert.match(en.text, /Give both plans the same retention, or back up the application with one plan/);
    assert.match(en.html, /Plans that prune each other/);
    const it = renderDigest(digestContent(sharing()), { ...opts, language: 'it' });
    assert.match(it.text, /ne restano solo 3/);
  });

  it('nothing when the plans keep the same number, or one is disabled', () => {
    const same = sharing();
    const [a, b] = same.snapshots;
    const equal = { ...same, snapshots: [a!, { ...b!, plan: { ...b!.plan, retention: 30 } }] };
    assert.deepEqual(digestContent(equal).sharedRetention, []);
    const off = { ...same, snapshots: [a!, { ...b!, plan: { ...b!.plan, enabled: false } }] };
    assert.deepEqual(digestContent(off).sharedRetention, []);
    assert.doesNotMatch(
      renderDigest(digestContent(off), {
        subjectPrefix: '',
        timeZone: 'UTC',
        moduleId: 'm',
        frequency: 'daily',
        language: 'en',
      }).text,
      /PRUNE EACH OTHER/,
    );
  });
});

describe('digest: last full success, the rule of the status page (issue #21)', () => {
  const lastOf = (runLog: DigestInput['runLog'], planId = 2) =>
    digestContent(input({ runLog })).plans.find((p) => p.id === planId)!;
  it('a WARNING last night after a SUCCESS 3 days ago names the SUCCESS, not the last saved run', () => {
    const p = lastOf([
      entry(2, TO - 3 * D, 'SUCCESS', TO - 3 * D + 60),
      entry(2, TO - 8 * 3600, 'WARNING', TO - 8 * 3600 + 60),
    ]);
    assert.equal(p.lastOutcome, 'WARNING');
    assert.equal(p.lastSuccessAt, TO - 3 * D);
  });
  it('a run updated from SUCCESS to WARNING is no full success: its newest entry wins', () => {
    const p = lastOf([
      entry(2, FROM, 'SUCCESS', FROM + 60),
      entry(2, FROM + D, 'SUCCESS', FROM + D + 60),
      entry(2, FROM + D, 'WARNING', FROM + D + 120),
    ]);
    assert.equal(p.lastSuccessAt, FROM);
  });
  it('no SUCCESS in the log: never, even when the plan state counts a saved run', () => {
    assert.equal(lastOf([entry(2, FROM + D, 'WARNING', FROM + D + 60)]).lastSuccessAt, null);
  });
  it('no run logged (a version before the run log): the last success of the plan state, as on the page', () => {
    assert.equal(lastOf([]).lastSuccessAt, TO - 7200);
  });
  it('runs decided in the same second, read newest first: the newest run is the last one', () => {
    const p = lastOf([entry(2, FROM + 20, 'WARNING', FROM + 100), entry(2, FROM + 10, 'SUCCESS', FROM + 100)]);
    assert.equal(p.lastOutcome, 'WARNING');
    assert.equal(p.state, 'warning');
    assert.equal(p.lastSuccessAt, FROM + 10);
  });
});
