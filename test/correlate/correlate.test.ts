// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { ModuleStatus, PlanSnapshot } from '../../src/domain/backup.js';
import { correlate, missingRun } from '../../src/correlate/correlate.js';
import { inferRunStart } from '../../src/domain/run.js';
import { parseModuleStatus } from '../../src/domain/backup.js';
import { moduleStatus } from '../fixtures/module-status.js';

const T = 1786237200; // 2026-08-09 03:00 CEST, NS8.md §10
const st = moduleStatus;

function snap(statuses: Record<string, ModuleStatus>, opts: { removed?: string[] } = {}): PlanSnapshot {
  const mods = [
    { id: 'nextcloud1', node: 1, uiName: 'Cloud' },
    { id: 'samba1', node: 1, uiName: 'Domain controller' },
    { id: 'traefik2', node: 2, uiName: '' },
    { id: 'webtop1', node: 2, uiName: '' },
  ];
  return {
    plan: {
      id: 2,
      name: 'Weekly SMB',
      repository: 'dest',
      schedule: 'Sun *-*-* 03:00:00',
      retention: 4,
      instances: mods.map((m) => m.id),
      enabled: true,
    },
    destination: { id: 'dest', name: 'NAS share', url: 'smb:x', provider: 'smb' },
    modules: mods.map((m) => ({
      ...m,
      node: opts.removed?.includes(m.id) ? null : m.node,
      uuid: `${m.id}-uuid`,
      image: m.id.replace(/\d+$/, ''),
    })),
    statuses: new Map(Object.entries(statuses)),
    nodeNames: new Map([
      [1, 'ns1'],
      [2, ''],
    ]),
  };
}
const W = { since: null, maxRunSeconds: 3 * 3600 };
const results = (r: ReturnType<typeof correlate>) => Object.fromEntries(r.modules.map((m) => [m.moduleId, m.result]));

describe('correlate', () => {
  const table: [string, Record<string, ModuleStatus>, string, Record<string, string>][] = [
    [
      'all saved',
      { nextcloud1: st(T + 2), samba1: st(T + 250), traefik2: st(T + 1), webtop1: st(T + 24) },
      'SUCCESS',
      { nextcloud1: 'success', samba1: 'success', traefik2: 'success', webtop1: 'success' },
    ],
    [
      'one failed (NS8.md §10 plan 2)',
      { nextcloud1: st(T + 2, 1), samba1: st(T + 252), traefik2: st(T + 1), webtop1: st(T + 24) },
      'PARTIAL',
      { nextcloud1: 'failed', samba1: 'success', traefik2: 'success', webtop1: 'success' },
    ],
    [
      'all failed',
      { nextcloud1: st(T + 2, 2), samba1: st(T + 252, 1), traefik2: st(T + 1, 3), webtop1: st(T + 24, 1) },
      'REPO_FAILURE',
      { nextcloud1: 'failed', samba1: 'failed', traefik2: 'failed', webtop1: 'failed' },
    ],
    [
      'no status at all',
      {},
      'REPO_FAILURE',
      { nextcloud1: 'not_run', samba1: 'not_run', traefik2: 'not_run', webtop1: 'not_run' },
    ],
    [
      "node 2 did not run this week (last week's statuses)",
      { nextcloud1: st(T + 2), samba1: st(T + 252), traefik2: st(T - 604800), webtop1: st(T - 604790) },
      'PARTIAL',
      { nextcloud1: 'success', samba1: 'success', traefik2: 'not_run', webtop1: 'not_run' },
    ],
    [
      'failed and not run only',
      { nextcloud1: st(T + 2, 1), samba1: st(T - 604800) },
      'REPO_FAILURE',
      { nextcloud1: 'failed', samba1: 'not_run', traefik2: 'not_run', webtop1: 'not_run' },
    ],
    // Issue #10 item 12: the boundary between PARTIAL and REPO_FAILURE, one saved application.
    [
      'exactly one saved',
      { nextcloud1: st(T + 2, 1), samba1: st(T + 252), traefik2: st(T + 1, 2), webtop1: st(T + 24, 1) },
      'PARTIAL',
      { nextcloud1: 'failed', samba1: 'success', traefik2: 'failed', webtop1: 'failed' },
    ],
    [
      'exactly one saved, the others not run',
      { samba1: st(T + 252) },
      'PARTIAL',
      { nextcloud1: 'not_run', samba1: 'success', traefik2: 'not_run', webtop1: 'not_run' },
    ],
  ];
  for (const [name, statuses, outcome, expected] of table) {
    it(name, () => {
      const r = correlate(snap(statuses), W);
      assert.equal(r.outcome, outcome);
      assert.deepEqual(results(r), expected);
    });
  }

  it('keys the run by plan and earliest start, so every trigger finds the same run', () => {
    const s = { nextcloud1: st(T + 2, 1), samba1: st(T + 252), traefik2: st(T + 1), webtop1: st(T + 24) };
    assert.equal(correlate(snap(s), W).runKey, `2:${T + 1}`);
    assert.equal(correlate(snap(s), { since: T + 1, maxRunSeconds: 3 * 3600 }).runKey, `2:${T + 1}`);
  });

  it('leaves out modules removed from the cluster', () => {
    const r = correlate(snap({ nextcloud1: st(T) }, { removed: ['webtop1'] }), W);
    assert.deepEqual(
      r.modules.map((m) => m.moduleId),
      ['nextcloud1', 'samba1', 'traefik2'],
    );
  });

  it('fills rows from statuses: node names, repo paths, durations', () => {
    const r = correlate(snap({ nextcloud1: st(T + 2, 1, 248) }), W);
    const row = r.modules[0]!;
    assert.deepEqual(
      [row.nodeName, row.repoPath, row.end! - row.start!, row.errors],
      ['ns1', 'nextcloud/nextcloud1-uuid', 248, 1],
    );
    assert.deepEqual(r.nodes, [
      { id: 1, name: 'ns1' },
      { id: 2, name: '' },
    ]);
  });

  it('infers the latest run from the newest start', () => {
    assert.equal(inferRunStart([st(T + 5), st(T + 1), st(T - 604800)], 3 * 3600), T + 1);
    assert.equal(inferRunStart([], 3600), null);
  });

  it('marks a missed run MISSING at the expected time', () => {
    const r = missingRun(snap({ nextcloud1: st(T - 604800) }), T, []);
    assert.equal(r.outcome, 'MISSING');
    assert.equal(r.runKey, `2:${T}`);
    assert.ok(r.modules.every((m) => m.result === 'not_run'));
  });
});

// Issue #10 item 11: a status whose errors field is not a number counted the module as saved.
describe('parseModuleStatus', () => {
  const raw = (errors: unknown) =>
    JSON.stringify({ start: T, total_size: 1, total_file_count: 1, snapshots_count: 1, errors, end: T + 10 });
  it("reads NS8's numbers", () => {
    assert.equal(parseModuleStatus(raw(0), T + 3600)!.errors, 0);
    assert.equal(parseModuleStatus(raw(2), T + 3600)!.errors, 2);
  });
  it('an errors field that is not a whole number >= 0 is a failure, never a save', () => {
    for (const bad of ['none', '0', null, [], {}, -1, 0.5, true]) {
      assert.ok(parseModuleStatus(raw(bad), T + 3600)!.errors > 0, JSON.stringify(bad));
    }
  });
  it('an unreadable status is a failed module in the run, not a saved one', () => {
    const r = correlate(snap({ nextcloud1: parseModuleStatus(raw('none'), T + 3600)!, samba1: st(T + 5) }), W);
    assert.equal(results(r).nextcloud1, 'failed');
  });
});

// Issue #25: a status not taken at face value (dated in the future, or unreadable) is a module of
// the run that was not saved, named as such; its times never place or date the run.
describe('statuses not taken at face value', () => {
  const NOW = T + 3600;
  const future = JSON.stringify({ start: NOW + 365 * 86400, end: NOW + 365 * 86400 + 9, errors: 0, total_size: 1 });
  const nan = `{"start": ${T + 5}, "end": ${T + 9}, "errors": NaN, "total_size": 1}`;
  const clockAhead = parseModuleStatus(future, NOW)!;
  const unreadable = parseModuleStatus(nan, NOW)!;
  const bad = { traefik2: clockAhead, webtop1: unreadable };

  it('a clock-ahead status never makes the run a success, nor dates it', () => {
    const r = correlate(snap({ nextcloud1: st(T + 2), samba1: st(T + 250), ...bad }), W);
    assert.deepEqual(results(r), { nextcloud1: 'success', samba1: 'success', traefik2: 'failed', webtop1: 'failed' });
    assert.equal(r.outcome, 'PARTIAL');
    assert.equal(r.runKey, `2:${T + 2}`);
    assert.ok(r.end <= NOW, `run end ${r.end} after now`);
    const rows = Object.fromEntries(r.modules.map((m) => [m.moduleId, m]));
    assert.deepEqual(
      [rows.traefik2!.statusProblem, rows.traefik2!.start, rows.traefik2!.end],
      ['clock_ahead', null, null],
    );
    assert.equal(rows.webtop1!.statusProblem, 'unreadable');
    assert.equal(rows.nextcloud1!.statusProblem, undefined);
  });

  it('a plan whose only status is dated in the future is a failure at the time the tracker saw it', () => {
    const only = snap({ traefik2: clockAhead });
    const r = correlate(only, { since: NOW, maxRunSeconds: 3 * 3600 });
    assert.equal(r.outcome, 'REPO_FAILURE');
    assert.equal(r.runKey, `2:${NOW}`);
    assert.equal(results(r).traefik2, 'failed');
    // Without a run to place it in (a reminder, /metrics), it dates nothing in the future either.
    const latest = correlate(only, W);
    assert.notEqual(latest.outcome, 'SUCCESS');
    assert.ok(latest.start <= NOW && latest.end <= NOW);
  });

  it('an unreadable status is in the run it arrived in, with the run still reported', () => {
    const r = correlate(snap({ nextcloud1: st(T + 2), webtop1: parseModuleStatus('{"start": "x"}', NOW)! }), {
      since: T + 2,
      maxRunSeconds: 3 * 3600,
    });
    assert.deepEqual(
      [results(r).webtop1, r.modules.find((m) => m.moduleId === 'webtop1')!.statusProblem],
      ['failed', 'unreadable'],
    );
  });
});
