// SPDX-License-Identifier: GPL-3.0-or-later
// Digest inputs built from plain data: plans, module statuses, run-log entries, plan states.
// `everyState()` is a cluster with one plan in each state the admin page knows (failing twice,
// missed, warning, never ran, OK twice, disabled), in an id order that is NOT worst first.
import type { DigestInput } from '../../src/digest/content.js';
import type { RunLogEntry } from '../../src/digest/run-log.js';
import type { ModuleStatus, PlanSnapshot } from '../../src/domain/backup.js';
import type { Outcome } from '../../src/domain/outcome.js';
import type { PlanState } from '../../src/domain/records.js';

export const D = 86_400;
export const GIB = 1024 ** 3;
export const FROM = 1_781_000_000;
export const TO = FROM + 7 * D;

export const status = (totalSize: number, errors = 0): ModuleStatus => ({
  start: TO - D,
  end: TO - D + 60,
  errors,
  totalSize,
  totalFileCount: 1,
  snapshotsCount: 1,
});

export function snap(
  id: number,
  name: string,
  instances: string[],
  enabled = true,
  statuses: [string, ModuleStatus][] = [],
): PlanSnapshot {
  return {
    plan: { id, name, repository: `dest-${id}`, schedule: '*-*-* 01:00:00', retention: 3, instances, enabled },
    destination: { id: `dest-${id}`, name: `Dest <${id}>`, url: '', provider: '' },
    modules: instances.map((m) => ({ id: m, uiName: '', node: 1, uuid: '', image: m })),
    statuses: new Map(statuses),
    nodeNames: new Map(),
  };
}

export const entry = (
  p: number,
  k: number,
  o: string,
  at: number,
  z: number | null = null,
  h: string | null = null,
): RunLogEntry => ({ p, k: `${p}:${k}`, o, t: k, z, h, at });

export function planState(planId: number, lastOutcome: Outcome, failingSince: number | null): PlanState {
  return {
    planId,
    planName: '',
    lastRunKey: `${planId}:1`,
    lastOutcome,
    lastDigest: '',
    lastReportId: '',
    lastNotifiedAt: 0,
    failingSince,
    lastSuccessAt: FROM - 3 * D,
  };
}

/** Plan ids of everyState() in the order the digest must list them, with the state of each. */
export const WORST_FIRST: [number, string][] = [
  [4, 'failing'], // REPO_FAILURE ranks before PARTIAL
  [7, 'failing'],
  [6, 'missed'],
  [3, 'warning'],
  [5, 'never'],
  [8, 'ok'], // "Also fine" before "Fine": by name inside a state
  [1, 'ok'],
  [2, 'disabled'],
];

export function everyState(over: Partial<DigestInput> = {}): DigestInput {
  const failing = (id: number, o: Outcome) => planState(id, o, FROM - 2 * D);
  return {
    from: FROM,
    to: TO,
    catchUp: false,
    snapshots: [
      snap(1, 'Fine', ['samba1'], true, [['samba1', status(10 * GIB)]]),
      snap(2, 'Paused', ['webtop1'], false, [['webtop1', status(GIB)]]),
      snap(3, 'Warned', ['mail1'], true, [['mail1', status(2 * GIB)]]),
      // The destination refused every run: NS8's status says 0 B, the last good size was 241 GiB.
      snap(4, 'Unreachable NAS', ['nextcloud1'], true, [['nextcloud1', status(0, 1)]]),
      snap(5, 'Never', ['dokuwiki1']),
      snap(6, 'Missed', ['roundcube1'], true, [['roundcube1', status(3 * GIB)]]),
      snap(7, 'Half', ['ejabberd1', 'mattermost1'], true, [
        ['ejabberd1', status(GIB)],
        ['mattermost1', status(0, 1)],
      ]),
      snap(8, 'Also fine', ['nethvoice1'], true, [['nethvoice1', status(5 * GIB)]]),
    ],
    states: new Map([
      [3, planState(3, 'WARNING', FROM + D)],
      [4, failing(4, 'REPO_FAILURE')],
      [6, failing(6, 'MISSING')],
      [7, failing(7, 'PARTIAL')],
    ]),
    runLog: [
      entry(1, 1, 'SUCCESS', FROM - D, 9 * GIB),
      entry(1, 2, 'SUCCESS', FROM + D, 10 * GIB),
      entry(2, 1, 'SUCCESS', FROM - 9 * D, GIB),
      entry(3, 1, 'WARNING', FROM + D, 2 * GIB),
      entry(4, 1, 'SUCCESS', FROM - 3 * D, 241 * GIB),
      entry(4, 2, 'REPO_FAILURE', FROM + D, 0, 'unreachable'),
      entry(6, 1, 'MISSING', FROM + D),
      entry(7, 1, 'SUCCESS', FROM - 3 * D, 2 * GIB),
      entry(7, 2, 'PARTIAL', FROM + D, GIB, 'healthy'),
      entry(8, 1, 'SUCCESS', FROM + D, 5 * GIB),
    ],
    apps: ['samba1', 'webtop1', 'mail1', 'nextcloud1', 'dokuwiki1', 'roundcube1', 'ejabberd1', 'mattermost1'].map(
      (id) => ({ id, uiName: '', flags: [] }),
    ),
    notify: { defaultPolicy: 'problems', plans: new Map() },
    ...over,
  };
}
