// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #24 item 5 on the signed webhook: a stuck run's notice is a v1 document with reason
// `stuck` that validates against the published schema (docs/webhook/v1.schema.json, with ajv), and
// the published example docs/webhook/examples/stuck.json is what the formatter makes of its fixture.
import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { RunReport } from '../../src/domain/run.js';
import { serialize, webhookDocument } from '../../src/channels/webhook/format.js';
import { report } from '../imageroot/fixtures.js';
import { RUNS } from '../report/fixtures.js';

const ROOT = new URL('../../', import.meta.url);
const SCHEMA = JSON.parse(readFileSync(new URL('docs/webhook/v1.schema.json', ROOT), 'utf8')) as object;
const addFormats = (addFormatsModule as unknown as { default: (a: Ajv2020) => Ajv2020 }).default;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
const validate = ajv.compile(SCHEMA);
const NOW_MS = Date.UTC(2026, 7, 9, 1, 12, 0);
const OPTS = {
  timeZone: 'Europe/Rome',
  moduleId: 'backup-monitor1',
  clusterAdminUrl: 'https://leader.example.org/cluster-admin/',
  maxRunSeconds: 10_800,
  nowMs: NOW_MS,
};

/** The partly failed fixture while it runs: the first application saved, the others not reported yet. */
const OPEN: RunReport = {
  ...RUNS.partial!,
  modules: RUNS.partial!.modules.map((m, i) =>
    i === 0 ? m : { ...m, result: 'not_run' as const, start: null, end: null, errorLines: [] },
  ),
};

it('stuck: a v1 document that validates, and the published example is what the formatter makes', () => {
  const id = `20260809T011100-${createHash('sha256').update('stuck').digest('hex').slice(0, 8)}`;
  const r = report(id, { run: OPEN, reason: 'stuck', createdAt: NOW_MS - 60_000 });
  const made = JSON.parse(serialize(webhookDocument(r, OPTS)).toString('utf8')) as Record<string, unknown>;
  assert.ok(validate(made), ajv.errorsText(validate.errors));
  assert.equal(made.reason, 'stuck');
  assert.equal(made.tone, 'warning');
  assert.match(String(made.title), /^⏳ Still running: /u);
  const file = new URL('docs/webhook/examples/stuck.json', ROOT);
  if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`);
  assert.deepEqual(JSON.parse(readFileSync(file, 'utf8')), made, 'UPDATE_GOLDEN=1 rewrites it');
});
