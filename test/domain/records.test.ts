// SPDX-License-Identifier: GPL-3.0-or-later
// Guards of the records in src/domain/records.ts (issue #20): a plan state and a stored mail read
// back from Redis are used only when their shape is the one the readers expect.
import { describe } from 'node:test';
import {
  PLAN_STATE,
  STORED_MAIL,
  WATCH_RECORD,
  type PlanState,
  type StoredDigest,
  type WatchRecord,
} from '../../src/domain/records.js';
import { report } from '../imageroot/fixtures.js';
import { guardCases } from './guard-cases.js';

const STATE: PlanState = {
  planId: 2,
  planName: 'Weekly SMB',
  lastRunKey: '2:1786237201',
  lastOutcome: 'PARTIAL',
  lastDigest: 'nextcloud1=failed',
  lastReportId: 'r-1',
  lastNotifiedAt: 1786238420000,
  failingSince: 1786237201,
  lastSuccessAt: null,
  mailedOutcome: 'PARTIAL',
  flips: [1786237201],
  lastRealRunStart: 1786237201,
};

describe('PLAN_STATE guard', () => {
  guardCases(PLAN_STATE, STATE, [
    { ...STATE, planId: '2' },
    { ...STATE, lastRunKey: undefined },
    { ...STATE, lastOutcome: 7 },
    { ...STATE, lastNotifiedAt: 'yesterday' },
    { ...STATE, failingSince: 'x' },
    { ...STATE, flips: 'x' },
    { ...STATE, mailedOutcome: 3 },
  ]);
  // The first versions wrote neither flips nor mailedOutcome, and JSON drops an undefined time.
  const { flips: _f, mailedOutcome: _m, lastRealRunStart: _l, lastSuccessAt: _s, ...oldest } = STATE;
  describe('a state from before flap damping', () =>
    guardCases(PLAN_STATE, oldest as PlanState, [{ ...oldest, planId: null }]));
});

const DIGEST: StoredDigest = {
  id: 'd-1',
  kind: 'digest',
  createdAt: 1786238420000,
  language: 'en',
  period: { from: 1786150000, to: 1786238400, slot: 1786238400, catchUp: false },
  subject: 'Backup digest',
  text: 'All good',
  html: '<p>All good</p>',
  delivery: report('x').delivery,
};

describe('STORED_MAIL guard: a run report', () => {
  const good = report('r-1');
  guardCases(STORED_MAIL, good, [
    { ...good, delivery: null },
    { ...good, delivery: { ...good.delivery, attempts: '1' } },
    { ...good, delivery: { ...good.delivery, recipients: [1] } },
    { ...good, id: 5 },
    { ...good, html: undefined },
    { ...good, run: { planId: 2 } },
  ]);
});

describe('STORED_MAIL guard: a digest', () => {
  guardCases(STORED_MAIL, DIGEST, [
    { ...DIGEST, period: null },
    { ...DIGEST, period: { to: 1 } },
  ]);
});

const WATCH: WatchRecord = {
  schedule: '*-*-* 01:30:00',
  enabled: true,
  firstSeen: 1786000000,
  reported: null,
  nextRunAt: 1786239000,
};

describe('WATCH_RECORD guard', () => {
  guardCases(WATCH_RECORD, WATCH, [
    { ...WATCH, schedule: null },
    { ...WATCH, enabled: 'yes' },
    { ...WATCH, firstSeen: null },
    { ...WATCH, reported: '1786000000' },
    { ...WATCH, nextRunAt: 'soon' },
  ]);
  const { nextRunAt: _n, ...before } = WATCH;
  describe('a record from before nextRunAt', () => guardCases(WATCH_RECORD, before, [{ ...before, enabled: 1 }]));
});
