// SPDX-License-Identifier: GPL-3.0-or-later
// The reason of a failure from the cluster's Loki, against a stand-in that speaks query_range as
// Loki does: the right lines for the right module, masked and capped; Loki down, slow, refusing
// the credentials, empty, absent or answering garbage gives one status and never outlives the
// budget.
import { after, before, beforeEach, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  createErrorLineReader,
  discoverLoki,
  MAX_UNFINISHED_READS,
  redisReadAttempts,
  withErrorLines,
  type LokiTarget,
} from '../../src/ns8/loki.js';
import {
  attribute,
  buildQuery,
  maskLine,
  meaningful,
  nsWindow,
  parseQueryRange,
  LINES_PER_MODULE,
  LINE_CHARS,
} from '../../src/loki/lines.js';
import type { ModuleRow, RunReport } from '../../src/domain/run.js';
import { createLogger } from '../../src/log.js';
import { backupRunLines, startLoki, type LokiSim } from '../sim/loki.js';

const T = 1_786_237_200; // run start, unix s
const log = createLogger('error', {}, () => {});

const mod = (id: string, node: number, result: ModuleRow['result'], start = T + 1, end = T + 40): ModuleRow => ({
  moduleId: id,
  uiName: '',
  node,
  nodeName: '',
  result,
  start,
  end,
  totalSize: null,
  totalFileCount: null,
  snapshotsCount: null,
  errors: result === 'failed' ? 1 : 0,
  repoPath: '',
});
const run = (modules: ModuleRow[]): RunReport => ({
  runKey: `2:${T + 1}`,
  planId: 2,
  planName: 'Weekly SMB',
  destinationId: 'd',
  destinationName: 'NAS',
  outcome: 'PARTIAL',
  start: T + 1,
  end: T + 200,
  nodes: [
    { id: 1, name: '' },
    { id: 2, name: '' },
  ],
  modules,
  triggers: [],
});
const RUN = run([
  mod('nextcloud1', 1, 'failed'),
  mod('samba1', 1, 'success'),
  mod('webtop1', 2, 'failed'),
  mod('mail1', 2, 'success'),
]);

const RESTIC_URL = 's3:https://AKIAEXAMPLE:wJalrXUtnFEMI-secret@s3.eu.example.com/ns8-backups/nextcloud/3c9a';
const NC_LINES = [
  'Dumping state to Redis',
  `Repository is present at path ${RESTIC_URL}`,
  'Fatal: unable to open config file: Stat: 403 Forbidden',
  `Fatal: unable to open repository at ${RESTIC_URL}: Access Denied`,
  'Is there a repository at the following location?',
  RESTIC_URL,
  'error: environment RESTIC_PASSWORD=hunter2-very-secret AWS_SECRET_ACCESS_KEY="wJalrX secret" rejected',
  "[ERROR] restic backup failed: Command '['podman', 'run', '--rm']' returned non-zero exit status 1.",
];

let loki: LokiSim;
const target = (): LokiTarget => ({ url: loki.url, user: loki.user, password: loki.password });
const reader = (
  budgetSeconds = 5,
  discover: () => Promise<LokiTarget | null> = async () => target(),
  secrets?: () => Promise<(string | null)[]>,
) => createErrorLineReader({ discover, budgetSeconds, now: () => Date.now(), log, secrets });

before(async () => {
  loki = await startLoki();
});
after(async () => {
  await loki.stop();
});
beforeEach(() => {
  loki.delayMs = 0;
  loki.rawBody = null;
  loki.refuseWith = null;
  loki.queries.length = 0;
  loki.password = 'c3b2a1f0-loki-pass';
  loki.entries = [
    // plan 2 on node 1: nextcloud1 fails, samba1 saves
    ...backupRunLines({
      node: 1,
      planId: 2,
      at: (T + 1) * 1000,
      modules: [
        { id: 'nextcloud1', ok: false, lines: NC_LINES },
        { id: 'samba1', ok: true, lines: ['Fatal: not really (samba1 line)'] },
      ],
    }),
    // plan 2 on node 2, a manual run ("Run backup now") inside the node agent, among other tasks
    {
      node: 2,
      at: (T + 5) * 1000,
      unit: 'agent@node.service',
      message: 'task node/2/list-updates: error: unrelated task failed',
    },
    ...backupRunLines({
      node: 2,
      planId: 2,
      at: (T + 10) * 1000,
      unit: 'agent@node.service',
      modules: [
        {
          id: 'webtop1',
          ok: false,
          lines: [
            'pg_dump: error: connection to server on socket "/run/postgresql/.s.PGSQL.5432" failed: No such file or directory',
            'x'.repeat(5000) + ' error at the end',
            ...Array.from({ length: 20 }, (_, i) => `error: file ${i} could not be read`),
          ],
        },
        { id: 'mail1', ok: true },
      ],
    }),
    {
      node: 2,
      at: (T + 190) * 1000,
      unit: 'agent@node.service',
      message: 'task node/2/get-facts: error: another unrelated failure',
    },
    // another plan, and an older run of plan 2: never mixed in
    ...backupRunLines({
      node: 1,
      planId: 3,
      at: (T + 30) * 1000,
      unit: 'backup3.service',
      modules: [{ id: 'nextcloud1', ok: false, lines: ['Fatal: plan 3 line'] }],
    }),
    ...backupRunLines({
      node: 1,
      planId: 2,
      at: (T - 86400) * 1000,
      modules: [{ id: 'nextcloud1', ok: false, lines: ['Fatal: yesterday'] }],
    }),
  ];
});

describe('error lines from Loki', () => {
  it('each failed module gets its own last meaningful lines, masked and capped', async () => {
    const got = await reader().read(RUN);
    assert.equal(got.status, 'ok');
    assert.deepEqual([...got.lines.keys()].sort(), ['nextcloud1', 'webtop1']);
    const nc = got.lines.get('nextcloud1')!;
    assert.ok(nc.some((l) => l === 'Fatal: unable to open config file: Stat: 403 Forbidden'));
    assert.equal(nc.at(-1), 'nextcloud1: backup 2 failed (exit code 1)');
    const all = [...got.lines.values()].flat().join('\n');
    for (const secret of ['wJalrXUtnFEMI-secret', 'AKIAEXAMPLE', 'hunter2', 'wJalrX secret', loki.password])
      assert.ok(!all.includes(secret), secret);
    assert.match(all, /s3:https:\/\/<secret>@s3\.eu\.example\.com/);
    assert.match(all, /RESTIC_PASSWORD=<secret>/);
    assert.ok(!/yesterday|plan 3 line|samba1 line|unrelated/.test(all), 'only this run, this plan, this module');
    const wt = got.lines.get('webtop1')!;
    assert.equal(wt.length, LINES_PER_MODULE);
    assert.ok(wt.every((l) => [...l].length <= LINE_CHARS));
    assert.equal(wt.at(-1), 'webtop1: backup 2 failed (exit code 1)', 'a manual run under agent@node.service');
  });

  it('asks Loki for the units of the run on each node, in the run window, with basic auth', async () => {
    await reader().read(RUN);
    assert.equal(loki.queries.length, 2);
    const q = loki.queries.find((p) => p.get('query')!.startsWith('{node_id="1"}'))!;
    assert.equal(q.get('query'), buildQuery(1, 2));
    assert.match(q.get('query')!, /unit="backup2\.service" or unit="agent@node\.service"/);
    assert.equal(q.get('start'), `${T + 1 - 120}000000000`);
    assert.match(q.get('end')!, /^\d{19}$/);
    assert.equal(q.get('direction'), 'backward');
  });

  it('the run gets the lines and the status', async () => {
    const r = withErrorLines(RUN, await reader().read(RUN));
    assert.equal(r.errorLog, 'ok');
    assert.ok(r.modules.find((m) => m.moduleId === 'nextcloud1')!.errorLines!.length > 0);
    assert.equal(r.modules.find((m) => m.moduleId === 'samba1')!.errorLines, undefined);
  });

  const timed = async (budget: number, discover?: () => Promise<LokiTarget | null>) => {
    const t0 = Date.now();
    const got = await reader(budget, discover).read(RUN);
    return { ...got, ms: Date.now() - t0 };
  };

  // Bounds leave room for a loaded machine; the point is "the budget, not the 10 s Loki delay".
  it('Loki down: unreachable, at once', async () => {
    const down = await startLoki();
    await down.stop();
    const got = await timed(5, async () => ({ url: down.url, user: 'loki', password: 'x' }));
    assert.equal(got.status, 'unreachable');
    assert.ok(got.ms < 4000, `${got.ms} ms`);
  });

  it('Loki slow: timeout within the budget', async () => {
    loki.delayMs = 10_000;
    const got = await timed(1);
    assert.equal(got.status, 'timeout');
    assert.ok(got.ms >= 950 && got.ms < 4000, `${got.ms} ms`);
  });

  it('Loki discovery hangs: still the budget', async () => {
    const got = await timed(1, () => new Promise(() => {}));
    assert.equal(got.status, 'timeout');
    assert.ok(got.ms < 4000, `${got.ms} ms`);
  });

  it('wrong credentials: auth (401)', async () => {
    const old = target();
    loki.password = 'rotated';
    assert.equal((await reader(5, async () => old).read(RUN)).status, 'auth');
  });

  it('credentials refused after login (403): auth, not a generic error', async () => {
    loki.refuseWith = 403;
    const got = await reader().read(RUN);
    assert.equal(got.status, 'auth');
    assert.equal(loki.queries.length, 2, 'Loki was asked, and refused');
  });

  it("masks Loki's own password and the caller's secrets (smarthost, Redis) in every line", async () => {
    const secrets = ['smarthost-Pa55', 'redis-Pa55-module'];
    loki.entries = backupRunLines({
      node: 1,
      planId: 2,
      at: (T + 1) * 1000,
      modules: [
        {
          id: 'nextcloud1',
          ok: false,
          lines: [
            `error: login loki ${loki.password} refused`,
            `error: relay refused smarthost-Pa55 for backup@example.org`,
            `error: NOAUTH redis-Pa55-module refused`,
          ],
        },
      ],
    });
    const got = await reader(5, undefined, async () => secrets).read(run([mod('nextcloud1', 1, 'failed')]));
    const nc = got.lines.get('nextcloud1')!;
    assert.deepEqual(nc.slice(0, 3), [
      'error: login loki <secret> refused',
      'error: relay refused <secret> for backup@example.org',
      'error: NOAUTH <secret> refused',
    ]);
  });

  it('a journal entry of 128,000 lines: the report keeps the last lines of the module', async () => {
    loki.entries = backupRunLines({
      node: 1,
      planId: 2,
      at: (T + 1) * 1000,
      modules: [
        {
          id: 'nextcloud1',
          ok: false,
          lines: [`${Array.from({ length: 128_000 }, (_, i) => `chunk ${i} failed`).join('\n')}\nFatal: out of space`],
        },
      ],
    });
    const got = await reader().read(run([mod('nextcloud1', 1, 'failed')]));
    const nc = got.lines.get('nextcloud1')!;
    assert.equal(nc.length, LINES_PER_MODULE);
    assert.deepEqual(nc.slice(-2), ['Fatal: out of space', 'nextcloud1: backup 2 failed (exit code 1)']);
  });

  it('8 MB of nested arrays: a classified error, not a parse', async () => {
    const half = 4 * 1024 * 1024;
    loki.rawBody = '['.repeat(half) + ']'.repeat(half);
    assert.equal((await reader().read(RUN)).status, 'error');
  });

  it('nothing in the logs: empty', async () => {
    loki.entries = [];
    const got = await reader().read(RUN);
    assert.equal(got.status, 'empty');
    assert.equal(got.lines.size, 0);
  });

  it('no Loki in the cluster: no_loki, without asking anything', async () => {
    assert.equal((await reader(5, async () => null).read(RUN)).status, 'no_loki');
    assert.equal(loki.queries.length, 0);
  });

  it('garbage, or an answer that is not streams: error', async () => {
    for (const body of [
      'not json',
      '{"status":"error"}',
      '{"status":"success","data":{"resultType":"matrix","result":[]}}',
    ]) {
      loki.rawBody = body;
      assert.equal((await reader().read(RUN)).status, 'error', body);
    }
  });

  it("entries dated outside the run's window are dropped: planted lines never replace the run's own", async () => {
    // Issue #25: Loki's entry times are outside input. A Loki (or a node's journal) answering
    // entries dated far ahead or far back would have them sorted after (or before) the run's own
    // lines, and a forged marker pair with ten Fatal lines would push the real reason out.
    const planted = [
      'nextcloud1: starting backup 2 at Sun Aug  9 03:00:01 2286',
      ...Array.from({ length: 10 }, (_, i) => `Fatal: planted ${i}`),
      'nextcloud1: backup 2 failed (exit code 1)',
    ].join('\n');
    const ns = (s: number) => `${s}000000000`;
    loki.rawBody = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'streams',
        result: [
          {
            stream: { node_id: '1' },
            values: [
              ['9999999999999999999', planted], // year 2286: the largest 19-digit time
              [ns(T + 86400 * 365), planted], // a year ahead of the run
              [ns(T + 3), 'nextcloud1: backup 2 failed (exit code 1)'],
              [ns(T + 2), 'Fatal: the real reason'],
              [ns(T + 1), 'nextcloud1: starting backup 2 at Sun Aug  9 03:00:01 2026'],
              [ns(T - 86400), planted], // a day before the run, inside Loki's answer all the same
              ['1', planted], // 1970
              ['abc', planted], // not a number
              [`1${'0'.repeat(30)}`, planted], // 10^30 ns
              [`-${ns(T + 2)}`, planted],
            ],
          },
        ],
      },
    });
    const got = await reader().read(run([mod('nextcloud1', 1, 'failed')]));
    assert.equal(got.status, 'ok');
    const nc = got.lines.get('nextcloud1')!;
    assert.deepEqual(nc, ['Fatal: the real reason', 'nextcloud1: backup 2 failed (exit code 1)']);
  });

  it('an answer over 8 MB is refused, not read into memory', async () => {
    loki.rawBody = JSON.stringify({
      status: 'success',
      data: {
        resultType: 'streams',
        result: [{ stream: {}, values: [[`${T}000000000`, 'x'.repeat(9 * 1024 * 1024)]] }],
      },
    });
    assert.equal((await reader().read(RUN)).status, 'error');
  });

  it('nothing failed: Loki is not asked', async () => {
    const ok = run([mod('samba1', 1, 'success')]);
    assert.equal((await reader().read(ok)).status, 'empty');
    assert.equal(loki.queries.length, 0);
  });
});

describe('a read that never finished is not started forever', () => {
  /** The two hash commands the attempts use, on a Map, as Redis answers them. */
  const hash = () => {
    const fields = new Map<string, number>();
    return {
      fields,
      redis: {
        hIncrBy: async (_k: string, f: string, by: number) => {
          fields.set(f, (fields.get(f) ?? 0) + by);
          return fields.get(f)!;
        },
        hDel: async (_k: string, f: string) => Number(fields.delete(f)),
      } as never,
    };
  };
  const guarded = (redis: never) =>
    createErrorLineReader({
      discover: async () => target(),
      budgetSeconds: 5,
      now: () => Date.now(),
      log,
      attempts: redisReadAttempts(redis, 'module/backup-monitor1/loki-reads'),
    });

  it('a finished read leaves nothing behind', async () => {
    const h = hash();
    assert.equal((await guarded(h.redis).read(RUN)).status, 'ok');
    assert.equal(h.fields.size, 0);
  });

  it('after the service died in the read of a run that many times, Loki is not asked again for it', async () => {
    const h = hash();
    const attempts = redisReadAttempts(h.redis, 'module/backup-monitor1/loki-reads');
    // Each start of the service that died while reading (e.g. a heap OOM on a poisoned answer).
    for (let i = 0; i < MAX_UNFINISHED_READS; i++) await attempts.begin(RUN.runKey);
    const got = await guarded(h.redis).read(RUN);
    assert.equal(got.status, 'error');
    assert.equal(loki.queries.length, 0, 'the poisoned answer is not read again');
    assert.equal(h.fields.size, 0, 'the run is skipped once, then forgotten');
  });

  it('one unfinished read (a restart during it) is tried again', async () => {
    const h = hash();
    await redisReadAttempts(h.redis, 'k').begin(RUN.runKey);
    assert.equal((await guarded(h.redis).read(RUN)).status, 'ok');
  });
});

describe('discovery from Redis keys', () => {
  const fake = (kv: Record<string, string | null>, env: Record<string, string>) =>
    ({
      get: async (k: string) => kv[k] ?? null,
      hGetAll: async () => env,
    }) as never;
  it('reads the default instance and its environment', async () => {
    const t = await discoverLoki(
      fake(
        { 'cluster/default_instance/loki': 'loki1' },
        { LOKI_ADDR: '10.5.4.1', LOKI_HTTP_PORT: '20001', LOKI_API_AUTH_USERNAME: 'loki', LOKI_API_AUTH_PASSWORD: 'p' },
      ),
    );
    assert.deepEqual(t, { url: 'http://10.5.4.1:20001', user: 'loki', password: 'p' });
  });
  it('no instance, a bad port or a strange address: no Loki', async () => {
    assert.equal(await discoverLoki(fake({}, {})), null);
    assert.equal(
      await discoverLoki(
        fake({ 'cluster/default_instance/loki': 'loki1' }, { LOKI_ADDR: '10.5.4.1', LOKI_HTTP_PORT: '0' }),
      ),
      null,
    );
    assert.equal(
      await discoverLoki(
        fake({ 'cluster/default_instance/loki': 'loki1' }, { LOKI_ADDR: 'evil@host/x', LOKI_HTTP_PORT: '80' }),
      ),
      null,
    );
    assert.equal(await discoverLoki(fake({ 'cluster/default_instance/loki': '../x' }, {})), null);
  });
});

describe('pure parts', () => {
  it('parses query_range and orders by the nanosecond timestamps', () => {
    const { entries: e } = parseQueryRange(
      {
        status: 'success',
        data: {
          resultType: 'streams',
          result: [
            {
              stream: {},
              values: [
                ['1786237202000000001', '{"MESSAGE":"b"}'],
                ['1786237202000000000', 'plain a'],
                ['bad', 'x'],
                [1, 'y'],
              ],
            },
          ],
        },
      },
      nsWindow(T, T + 3600),
    );
    assert.deepEqual(
      e.map((x) => x.message),
      ['plain a', 'b'],
    );
  });
  it("attributes only between a module's markers of this plan", () => {
    const lines = [
      'x: starting backup 2 at now',
      'in x',
      'error in x',
      'x: backup 2 failed (exit code 3)',
      'after',
      'y: starting backup 9 at now',
      'in y',
    ];
    const m = attribute(
      lines.map((message, i) => ({ ns: BigInt(i), message })),
      2,
      new Set(['x', 'y']),
    );
    assert.deepEqual(Object.fromEntries(m.modules), { x: ['error in x', 'x: backup 2 failed (exit code 3)'] });
  });
  it('masks secrets in every usual shape', () => {
    assert.equal(maskLine('rest:http://node%2F1:gw-pass@127.0.0.1:4694/x'), 'rest:http://<secret>@127.0.0.1:4694/x');
    assert.equal(maskLine('B2_ACCOUNT_KEY=K005abc password: "p w"'), 'B2_ACCOUNT_KEY=<secret> password: <secret>');
    assert.equal(maskLine('Authorization: Basic bG9raTpw'), 'Authorization: Basic <secret>');
    assert.equal(maskLine('the value 7h1s-1s-s3cr37 leaked', ['7h1s-1s-s3cr37']), 'the value <secret> leaked');
  });
  it('prefers meaningful lines, and keeps the last ones', () => {
    assert.deepEqual(meaningful(['a', 'Fatal: b', 'c']), ['Fatal: b']);
    assert.deepEqual(meaningful(['a', 'c']), ['a', 'c'], 'nothing meaningful: the last lines');
  });
});
