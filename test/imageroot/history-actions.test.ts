// SPDX-License-Identifier: GPL-3.0-or-later
// list-reports filters and get-trends (issue #15) on a 510-run history stored by the service's
// own record store (so the history index is the one the service writes, trimmed to 500), run as the NS8
// agent runs actions (input and output schemas checked) against a real Redis with NS8's ACLs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createClient } from 'redis';
import { HISTORY_MAX, moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import type { Redis } from '../../src/ns8/redis.js';
import { MODULE_ID, startRedis, type RedisServer } from '../helpers/redis-server.js';
import { adminClient, seedCluster } from '../sim/cluster.js';
import { agentEnvironment, IMAGEROOT, installModule, runAction, type AgentOptions } from '../sim/agent-runner.js';
import { HISTORY_PLANS, historyReports } from '../fixtures/history.js';

const COUNT = 510;
const NEWEST = Math.floor(Date.now() / 1000) - 3600;

let redis: RedisServer;
let root: string;
let o: AgentOptions;
let writer: Redis;
let stored: StoredReport[]; // newest first, as the history holds them

type Row = { id: string; plan_id: number; outcome: string; run_start: number | null; delivery: { status: string } };
type Page = {
  total: number;
  total_all: number;
  page: number;
  per_page: number;
  plans: { id: number; name: string }[];
  outcomes: string[];
  reports: Row[];
};

async function list(input: Record<string, unknown>): Promise<Page> {
  const res = await runAction('list-reports', input, o);
  assert.equal(res.status, 'completed', `${res.error} ${JSON.stringify(res.output)}`);
  return res.output as Page;
}

/** Runs the step itself with raw JSON on stdin: what a client sends, e.g. `2.0`, reaches Python as is. */
function rawStep(action: string, json: string): { code: number; stdout: string } {
  const r = spawnSync(path.join(IMAGEROOT, 'actions', action, '20read'), [], {
    input: json,
    env: { ...agentEnvironment(o), AGENT_COMFD: '2' },
    cwd: o.stateDir,
    encoding: 'utf8',
  });
  return { code: r.status ?? -1, stdout: r.stdout };
}

before(async () => {
  redis = await startRedis();
  await seedCluster(redis);
  root = mkdtempSync(path.join(tmpdir(), 'bm-history-'));
  o = { stateDir: path.join(root, 'state'), redis };
  assert.equal((await installModule({ ...o, tcpPort: 20012 })).status, 'completed');
  writer = createClient({ url: redis.moduleUrl }) as Redis;
  writer.on('error', () => undefined);
  await writer.connect();
  const records = createRecordStore(writer, MODULE_ID);
  const all = historyReports(COUNT, NEWEST);
  for (const r of all) {
    const state = { planId: r.run.planId, planName: r.run.planName } as PlanState;
    await records.store(r, state, r.delivery.status === 'pending');
  }
  // A delivery that failed after it was stored: the index follows the report.
  const changed = all.at(-2)!;
  await records.update(
    { ...changed, delivery: { ...changed.delivery, status: 'failed', lastError: '550 refused' } },
    false,
  );
  all[all.length - 2] = { ...changed, delivery: { ...changed.delivery, status: 'failed', lastError: '550 refused' } };
  stored = all.slice(-HISTORY_MAX).reverse();
});

after(async () => {
  await writer?.quit();
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('history index', () => {
  test('one entry per report in the history: the 10 trimmed reports took theirs with them', async () => {
    const k = moduleKeys(MODULE_ID);
    assert.equal(await writer.lLen(k.history), HISTORY_MAX);
    assert.equal(await writer.hLen(k.index), HISTORY_MAX);
    assert.equal(await writer.hGet(k.index, historyReports(COUNT, NEWEST)[0]!.id), null);
  });
});

describe('list-reports reads a page, not the whole index (issue #25)', () => {
  /** Bytes Redis sent to its clients while `fn` ran (INFO stats). */
  async function redisSentBytes(fn: () => Promise<unknown>): Promise<number> {
    const admin = await adminClient(redis);
    try {
      const sent = async () => Number(/total_net_output_bytes:(\d+)/.exec(await admin.info('stats'))![1]);
      const before = await sent();
      await fn();
      return (await sent()) - before;
    } finally {
      await admin.quit();
    }
  }

  test('a page of 10 without filters costs Redis a fraction of the index', async () => {
    const k = moduleKeys(MODULE_ID);
    const indexBytes = Object.values(await writer.hGetAll(k.index)).reduce((n, v) => n + v.length, 0);
    let page: Page | undefined;
    const sent = await redisSentBytes(async () => {
      page = await list({ page: 3, per_page: 10 });
    });
    assert.deepEqual(
      page!.reports.map((r) => r.id),
      stored.slice(20, 30).map((r) => r.id),
    );
    assert.ok(sent < indexBytes / 4, `Redis sent ${sent} bytes for one page; the index is ${indexBytes}`);
  });

  test('without the facets (a history from an older version): the same answer, from the whole index', async () => {
    const k = moduleKeys(MODULE_ID);
    const admin = await adminClient(redis);
    const withFacets = [await list({ per_page: 7, page: 2 }), await list({ plan_id: 2, per_page: 5 })];
    const facets = await admin.hGetAll(k.facets);
    try {
      await admin.del(k.facets);
      assert.deepEqual([await list({ per_page: 7, page: 2 }), await list({ plan_id: 2, per_page: 5 })], withFacets);
    } finally {
      await admin.hSet(k.facets, { ...facets });
      await admin.quit();
    }
  });
});

describe('list-reports', () => {
  test('no filter: newest first, totals, the plans and outcomes found', async () => {
    const page = await list({ per_page: 25 });
    assert.equal(page.total, HISTORY_MAX);
    assert.equal(page.total_all, HISTORY_MAX);
    assert.deepEqual(
      page.reports.map((r) => r.id),
      stored.slice(0, 25).map((r) => r.id),
    );
    assert.deepEqual(
      page.plans,
      HISTORY_PLANS.map((p) => ({ id: p.id, name: p.name })),
    );
    assert.deepEqual(page.outcomes, ['MISSING', 'PARTIAL', 'REPO_FAILURE', 'SUCCESS', 'WARNING']);
    assert.equal(page.reports[0]!.run_start, stored[0]!.run.start, 'the time of the run, not of the report');
  });

  test('each filter and their combination return exactly the matching reports, paged', async () => {
    const from = stored[300]!.run.start;
    const to = stored[100]!.run.start;
    const cases: [Record<string, unknown>, (r: StoredReport) => boolean][] = [
      [{ plan_id: 4 }, (r) => r.run.planId === 4],
      [{ outcome: ['REPO_FAILURE', 'WARNING'] }, (r) => ['REPO_FAILURE', 'WARNING'].includes(r.run.outcome)],
      [{ delivery: 'failed' }, (r) => r.delivery.status === 'failed'],
      [{ delivery: 'pending' }, (r) => r.delivery.status === 'pending'],
      [{ from, to }, (r) => r.run.start >= from && r.run.start <= to],
      [
        { plan_id: 1, outcome: ['SUCCESS'], delivery: 'sent', from },
        (r) => r.run.planId === 1 && r.run.outcome === 'SUCCESS' && r.delivery.status === 'sent' && r.run.start >= from,
      ],
      [{ plan_id: 99 }, () => false],
    ];
    for (const [filter, want] of cases) {
      const expected = stored.filter(want).map((r) => r.id);
      const first = await list({ ...filter, per_page: 10 });
      assert.equal(first.total, expected.length, JSON.stringify(filter));
      assert.deepEqual(
        first.reports.map((r) => r.id),
        expected.slice(0, 10),
        JSON.stringify(filter),
      );
      if (expected.length > 10) {
        const second = await list({ ...filter, page: 2, per_page: 10 });
        assert.deepEqual(
          second.reports.map((r) => r.id),
          expected.slice(10, 20),
          `${JSON.stringify(filter)} page 2`,
        );
      }
    }
    assert.ok(
      (await list({ delivery: 'failed', per_page: 5 })).reports.some((r) => r.id === stored[1]!.id),
      'a delivery that failed after the report was stored is found as failed',
    );
  });

  test('bad filters are validation errors, nothing runs', async () => {
    for (const [input, error] of [
      [{ outcome: ['success'] }, 'outcome_pattern'],
      [{ delivery: 'lost' }, 'delivery_enum'],
      [{ from: -1 }, 'from_number_gte'],
      [{ plan_id: 'two' }, 'plan_id_invalid_type'],
      [{ page: 1.5 }, 'page_invalid_type'],
      [{ outcome: 'SUCCESS' }, 'outcome_invalid_type'],
    ] as const) {
      const res = await runAction('list-reports', input, o);
      assert.equal(res.status, 'validation-failed', JSON.stringify(input));
      assert.deepEqual(
        (res.output as { error: string }[]).map((e) => e.error),
        [error],
        JSON.stringify(input),
      );
    }
    const reversed = await runAction('list-reports', { from: 2000, to: 1000 }, o);
    assert.equal(reversed.status, 'validation-failed');
    assert.deepEqual(reversed.output, [{ field: 'to', parameter: 'to', value: 1000, error: 'to_before_from' }]);
  });

  test('page 2.0 as a client sends it is page 2; 2.5 (past the schema) is a clear error, not a traceback', () => {
    const ok = rawStep('list-reports', '{"page": 2.0, "per_page": 3.0}');
    assert.equal(ok.code, 0);
    assert.deepEqual(
      JSON.parse(ok.stdout).reports.map((r: Row) => r.id),
      stored.slice(3, 6).map((r) => r.id),
    );
    const bad = rawStep('list-reports', '{"page": 2.5}');
    assert.equal(bad.code, 2);
    assert.deepEqual(JSON.parse(bad.stdout), [
      { field: 'page', parameter: 'page', value: 2.5, error: 'page_not_integer' },
    ]);
  });

  test('reports without an index entry (stored by an older version) are read in full, same rows', async () => {
    const before = await list({ plan_id: 2, per_page: 100 });
    const k = moduleKeys(MODULE_ID);
    const saved = await writer.hGetAll(k.index);
    await writer.del(k.index);
    try {
      assert.deepEqual(await list({ plan_id: 2, per_page: 100 }), before);
      const added = await createRecordStore(writer, MODULE_ID).indexMissing();
      assert.equal(added, HISTORY_MAX);
      assert.deepEqual(await writer.hGetAll(k.index), saved, 'the service rebuilds the very same entries');
    } finally {
      await writer.hSet(k.index, saved);
    }
  });
});

describe('get-trends', () => {
  test('per plan the last 30 outcomes oldest first; per application size and duration per run', async () => {
    const res = await runAction('get-trends', {}, o);
    assert.equal(res.status, 'completed', res.error); // the output schema is checked by the runner
    type Trend = {
      id: number;
      name: string;
      outcomes: { report_id: string; at: number; outcome: string }[];
      applications: {
        module_id: string;
        ui_name: string;
        sizes: (number | null)[];
        seconds: (number | null)[];
        failed: number[];
      }[];
    };
    const plans = (res.output as { plans: Trend[] }).plans;
    // Plans 1 and 2 exist in the cluster (first, in id order); the others only in the history.
    assert.deepEqual(
      plans.map((p) => [p.id, p.name]),
      [
        [1, 'Daily offsite'],
        [2, 'Weekly SMB'],
        [3, 'Hourly mail'],
        [4, 'Nightly <DB> & files'],
        [5, 'Cloud only'],
      ],
    );
    for (const p of plans) {
      const runs = stored.filter((r) => r.run.planId === p.id);
      assert.deepEqual(
        p.outcomes.map((x) => x.report_id),
        runs
          .slice(0, 30)
          .reverse()
          .map((r) => r.id),
        `plan ${p.id}`,
      );
      assert.deepEqual(
        p.outcomes.map((x) => x.outcome),
        runs
          .slice(0, 30)
          .reverse()
          .map((r) => r.run.outcome),
      );
      const mods = HISTORY_PLANS.find((x) => x.id === p.id)!.modules;
      assert.deepEqual(p.applications.map((a) => a.module_id).sort(), [...mods].sort());
      for (const a of p.applications) {
        const drawn = runs
          .slice(0, 30) // the runs of the strip: a line per application beside the strip's cells
          .reverse()
          .map((r) => r.run.modules.find((x) => x.moduleId === a.module_id)!);
        // Parallel lists, oldest first: what the page draws of each run, and nothing else.
        const want = {
          sizes: drawn.map((m) => (m.result === 'success' ? m.totalSize : null)), // a failure is a mark, not 0 B (issue #21)
          seconds: drawn.map((m) => (m.start === null || m.end === null ? null : m.end - m.start)),
          failed: drawn.flatMap((m, i) => (m.result === 'success' ? [] : [i])),
        };
        assert.deepEqual({ sizes: a.sizes, seconds: a.seconds, failed: a.failed }, want, `${p.id}/${a.module_id}`);
        assert.deepEqual(Object.keys(a).sort(), ['failed', 'module_id', 'seconds', 'sizes', 'ui_name']);
      }
    }
    assert.equal(plans[0]!.applications.find((a) => a.module_id === 'webtop1')!.ui_name, 'Webtop <Sales & Co>');
  });

  test('an empty history is an empty answer', async () => {
    const k = moduleKeys(MODULE_ID);
    const ids = await writer.lRange(k.history, 0, -1);
    await writer.rename(k.history, `${k.history}-aside`);
    try {
      const res = await runAction('get-trends', null, o);
      assert.equal(res.status, 'completed', res.error);
      assert.deepEqual(res.output, { plans: [] });
      const page = await list({});
      assert.deepEqual([page.total, page.reports.length], [0, 0]);
    } finally {
      await writer.rename(`${k.history}-aside`, k.history);
    }
    assert.equal(ids.length, HISTORY_MAX);
  });
});

// Issue #25: a plan name with zero-width or bidi-control characters (NS8 stores what the admin
// typed) reached get-trends raw: U+202E reversed it on the admin page, U+200B made look-alikes.
describe('names with invisible characters', () => {
  const INVISIBLE = '\u200b\u200d\u202e\u2066\ufeff';
  test('get-trends and list-reports answer the plan and application names without them', async () => {
    const k = moduleKeys(MODULE_ID);
    const admin = await adminClient(redis);
    const plan1 = await admin.hGet('cluster/backup/1', 'name');
    const [newest] = await writer.lRange(k.history, 0, 0);
    const entry = (await writer.hGet(k.index, newest!))!;
    const hostile = JSON.parse(entry) as { planName: string; modules: { name: string | null }[] };
    hostile.planName = `Cloud${INVISIBLE} only`;
    hostile.modules[0]!.name = `Web${INVISIBLE}top`;
    try {
      await admin.hSet('cluster/backup/1', 'name', `Daily${INVISIBLE} offsite`);
      await writer.hSet(k.index, newest!, JSON.stringify(hostile));
      const res = await runAction('get-trends', {}, o);
      assert.equal(res.status, 'completed', res.error);
      const out = JSON.stringify(res.output);
      const names = (res.output as { plans: { name: string; applications: { ui_name: string }[] }[] }).plans;
      assert.equal(names[0]!.name, 'Daily offsite');
      assert.ok(
        names.some((p) => p.applications.some((a) => a.ui_name === 'Webtop')),
        out.slice(0, 300),
      );
      assert.ok(![...INVISIBLE].some((c) => out.includes(c)), 'no invisible character in get-trends');
      const page = await list({ per_page: 5 });
      assert.equal((page.reports[0] as Row & { plan_name: string }).plan_name, 'Cloud only');
      assert.ok(![...INVISIBLE].some((c) => JSON.stringify(page).includes(c)), 'none in list-reports');
    } finally {
      await admin.hSet('cluster/backup/1', 'name', plan1!);
      await writer.hSet(k.index, newest!, entry);
      await admin.quit();
    }
  });
});
