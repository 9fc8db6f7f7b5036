// SPDX-License-Identifier: GPL-3.0-or-later
// One OnCalendar grammar in two languages: the service's parser (src/schedule/calendar.ts) and the
// actions' check (backup_monitor/oncalendar.py, add-maintenance-window) answer the same cases,
// test/fixtures/oncalendar.json, with the same words.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { isCalendarError, parseCalendar } from '../../src/schedule/index.js';
import { IMAGEROOT, REPO_ROOT, SYSTEM_PATH } from '../sim/agent-runner.js';

const FIXTURE = path.join(REPO_ROOT, 'test/fixtures/oncalendar.json');
const cases = (JSON.parse(readFileSync(FIXTURE, 'utf8')) as { cases: { expr: string; problem: string | null }[] })
  .cases;

describe('OnCalendar: the service reads the shared cases', () => {
  it('has accepted and refused cases', () => {
    assert.ok(cases.some((c) => c.problem === null) && cases.some((c) => c.problem !== null));
  });
  for (const c of cases)
    it(`${c.problem === null ? 'reads' : 'refuses'} ${JSON.stringify(c.expr)}`, () => {
      const cal = parseCalendar(c.expr);
      assert.equal(isCalendarError(cal) ? cal.error : null, c.problem);
    });
});

describe('OnCalendar: the actions answer the shared cases alike', () => {
  it('test/imageroot/oncalendar_vectors.py passes', () => {
    const r = spawnSync('python3', [path.join(REPO_ROOT, 'test/imageroot/oncalendar_vectors.py'), FIXTURE], {
      encoding: 'utf8',
      env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') },
    });
    assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`);
    assert.equal(Number(/(\d+) cases/.exec(r.stdout)?.[1]), cases.length, 'every case ran');
  });
});
