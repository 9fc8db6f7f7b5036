// SPDX-License-Identifier: GPL-3.0-or-later
// The signed webhook (issue #22 §2, §5) against a receiver that enforces its contract
// (test/sim/webhook.ts): every document, example and sent, validates against the published schema
// (docs/webhook/v1.schema.json, with ajv), and every signature is checked by an independent
// implementation (Python's hmac, through python3). Examples: UPDATE_GOLDEN=1 rewrites them from the
// fixtures (then read the diff).
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'node:http';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { StoredDigest, StoredReport, NotifyReason } from '../../src/domain/records.js';
import type { ModuleRow, RunReport } from '../../src/domain/run.js';
import { Secret } from '../../src/secret.js';
import { clean } from '../../src/report/format.js';
import { postToChannel } from '../../src/channels/http-post.js';
import type { Transport } from '../../src/channels/transport.js';
import {
  boundedBody,
  deliveryIdOf,
  serialize,
  signedHeaders,
  WEBHOOK_BODY_MAX_BYTES,
  webhookDocument,
} from '../../src/channels/webhook/format.js';
import type { WebhookSettings } from '../../src/channels/webhook/settings.js';
import { webhookChannel } from '../../src/channels/webhook/transport.js';
import { startWebhookSim, type WebhookSim } from '../sim/webhook.js';
import { report } from '../imageroot/fixtures.js';
import { RUNS } from '../report/fixtures.js';

const ROOT = new URL('../../', import.meta.url);
const SCHEMA = JSON.parse(readFileSync(new URL('docs/webhook/v1.schema.json', ROOT), 'utf8')) as object;
const addFormats = (addFormatsModule as unknown as { default: (a: Ajv2020) => Ajv2020 }).default;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
const validate = ajv.compile(SCHEMA);

function assertValid(doc: unknown, what: string): void {
  assert.ok(validate(doc), `${what}: ${ajv.errorsText(validate.errors)}`);
}

/** Python's hmac, not ours: each [secret, timestamp, body (base64), header] -> does a v1= match? */
function pythonVerifies(items: [string, string, Buffer, string][]): boolean[] {
  const code = `
import base64, hashlib, hmac, json, sys
out = []
for secret, ts, body, header in json.load(sys.stdin):
    mac = hmac.new(secret.encode(), ts.encode() + b"." + base64.b64decode(body), hashlib.sha256).hexdigest()
    out.append(any(hmac.compare_digest(mac, p.strip()[3:]) for p in header.split(",") if p.strip().startswith("v1=")))
print(json.dumps(out))`;
  const input = JSON.stringify(items.map(([s, t, b, h]) => [s, t, b.toString('base64'), h]));
  return JSON.parse(execFileSync('python3', ['-c', code], { input, encoding: 'utf8' })) as boolean[];
}

const NOW_MS = Date.UTC(2026, 7, 9, 1, 12, 0);
const OPTS = {
  timeZone: 'Europe/Rome',
  moduleId: 'backup-monitor1',
  clusterAdminUrl: 'https://leader.example.org/cluster-admin/',
};

/** A stored report of `run`, as the pipeline stores it. */
const storedOf = (id: string, run: RunReport, reason: NotifyReason = 'first', language: 'en' | 'it' = 'en') =>
  report(id, { run, reason, language, createdAt: NOW_MS - 60_000 });

/** One report per outcome, plus a reminder and a recovery: what the examples show. */
const CASES: { name: string; run: RunReport; reason: NotifyReason }[] = [
  { name: 'success', run: RUNS.success!, reason: 'success' },
  { name: 'warning', run: RUNS.warning!, reason: 'first' },
  { name: 'partial', run: RUNS.partial!, reason: 'first' },
  { name: 'repo_failure', run: RUNS.repo_failure!, reason: 'changed' },
  { name: 'missing', run: RUNS.missing!, reason: 'first' },
  { name: 'reminder', run: RUNS.repo_auth!, reason: 'reminder' },
  { name: 'recovered', run: RUNS.success!, reason: 'recovered' },
];

const settingsOf = (sim: { url: string; secret: string }, over: Partial<WebhookSettings> = {}): WebhookSettings => ({
  url: new Secret(sim.url),
  secret: new Secret(sim.secret),
  level: 'every',
  plans: null,
  ...over,
});

function channelOf(sim: { url: string; secret: string }, over: Partial<WebhookSettings> = {}, nowMs = () => NOW_MS) {
  const t = webhookChannel(settingsOf(sim, over), { ...OPTS, nowMs });
  assert.ok(t, 'configured');
  return t;
}

const send = (t: Transport, r: StoredReport, signal = new AbortController().signal) =>
  t.send(r, t.firstDelivery?.(r, NOW_MS)?.recipients ?? [], signal);

describe('the published examples', () => {
  for (const c of CASES)
    it(`${c.name}: validates against v1.schema.json and is what the formatter makes of its fixture`, () => {
      const file = new URL(`docs/webhook/examples/${c.name}.json`, ROOT);
      const id = `20260809T011100-${createHash('sha256').update(c.name).digest('hex').slice(0, 8)}`;
      const r = storedOf(id, c.run, c.reason);
      const withLink = c.name === 'missing' ? { ...OPTS, clusterAdminUrl: null } : OPTS;
      const made = JSON.parse(serialize(webhookDocument(r, { ...withLink, nowMs: NOW_MS })).toString('utf8'));
      if (process.env.UPDATE_GOLDEN || !existsSync(file)) writeFileSync(file, `${JSON.stringify(made, null, 2)}\n`);
      const example = JSON.parse(readFileSync(file, 'utf8')) as Record<string, unknown>;
      assertValid(example, c.name);
      assert.deepEqual(example, made, 'the example is what a receiver gets (UPDATE_GOLDEN=1 rewrites it)');
    });

  it('the schema refuses what v1 does not allow (so the checks above can fail)', () => {
    const doc = JSON.parse(
      serialize(webhookDocument(storedOf('r1', RUNS.partial!), { ...OPTS, nowMs: NOW_MS })).toString(),
    );
    assertValid(doc, 'as made');
    for (const broken of [
      { ...doc, version: 2 },
      { ...doc, outcome: 'FAILED' },
      { ...doc, extra: 1 },
      { ...doc, counts: { ...doc.counts, saved: -1 } },
      { ...doc, applications: [{ ...doc.applications[0], size_bytes: '1 GB' }] },
      (({ id: _id, ...rest }) => rest)(doc),
    ])
      assert.equal(validate(broken), false, JSON.stringify(broken).slice(0, 80));
  });
});

describe('the webhook channel against a receiver that enforces the contract', () => {
  let sim: WebhookSim;
  before(async () => {
    sim = await startWebhookSim({ nowMs: () => NOW_MS });
  });
  after(() => sim.stop());
  const fresh = () => {
    sim.answers.length = 0;
    sim.received.length = 0;
    sim.delivered.length = 0;
    sim.refused.length = 0;
  };

  it('every outcome, reminder and recovery, in English and Italian: one signed, valid document each', async () => {
    fresh();
    const t = channelOf(sim);
    const sent: StoredReport[] = [];
    for (const language of ['en', 'it'] as const)
      for (const c of CASES) {
        const r = storedOf(`r-${c.name}-${language}`, c.run, c.reason, language);
        const result = await send(t, r);
        assert.equal(result.ok, true, `${c.name}/${language}: ${result.detail}`);
        sent.push(r);
      }
    assert.deepEqual(sim.refused, []);
    assert.equal(sim.received.length, sent.length, 'exactly one request per report');
    assert.deepEqual(
      sim.delivered,
      sent.map((r) => deliveryIdOf(r.id)),
    );
    sim.received.forEach((got, i) => {
      const r = sent[i]!;
      assertValid(got.doc, r.id);
      assert.equal(got.headers['content-type'], 'application/json');
      assert.equal(got.headers['x-backup-monitor-delivery'], got.doc.id);
      assert.equal(got.headers['x-backup-monitor-timestamp'], String(NOW_MS / 1000));
      assert.ok(got.raw.length <= WEBHOOK_BODY_MAX_BYTES);
      assert.equal(got.doc.report_id, r.id);
      assert.equal(got.doc.language, r.language);
      assert.equal(got.doc.outcome, r.run.outcome);
      assert.equal(got.doc.reason, r.reason);
      assert.match(String(got.doc.title), /Weekly SMB/);
      assert.equal(got.doc.steps_title, r.language === 'it' ? 'Cosa fare' : 'What to do');
    });
    const verdicts = pythonVerifies(
      sim.received.map((g) => [
        sim.secret,
        String(g.headers['x-backup-monitor-timestamp']),
        g.raw,
        String(g.headers['x-backup-monitor-signature']),
      ]),
    );
    assert.deepEqual(
      verdicts,
      sent.map(() => true),
      'Python verifies every signature',
    );
    const first = sim.received[0]!;
    const tampered = Buffer.from(first.raw.toString().replace('"version":1', '"version":1 '));
    const ts = String(first.headers['x-backup-monitor-timestamp']);
    assert.deepEqual(
      pythonVerifies([
        [sim.secret, ts, tampered, String(first.headers['x-backup-monitor-signature'])],
        ['another secret', ts, first.raw, String(first.headers['x-backup-monitor-signature'])],
        [sim.secret, String(Number(ts) + 1), first.raw, String(first.headers['x-backup-monitor-signature'])],
      ]),
      [false, false, false],
      'and refuses a changed body, another secret or another time',
    );
  });

  it('hostile plan and application names arrive as the same text, never as markup', async () => {
    fresh();
    const hostile = '<b>Mail</b> *_[]()~` &amp; 🙂 \u202Eevil\u202C "q" \\ \u2028x';
    const rows: ModuleRow[] = RUNS.partial!.modules.map((m, i) => ({
      ...m,
      uiName: `${hostile} ${i}`,
      errorLines: i === 0 ? ['<script>alert(1)</script> & fail'] : m.errorLines,
    }));
    const r = storedOf('r-hostile', { ...RUNS.partial!, planName: hostile, destinationName: hostile, modules: rows });
    assert.equal((await send(channelOf(sim), r)).ok, true);
    const got = sim.received[0]!;
    const raw = got.raw.toString('utf8');
    for (const c of ['<', '>', '&', '\u202E', '\u2028'])
      assert.ok(!raw.includes(c), `raw body holds ${JSON.stringify(c)}`);
    assertValid(got.doc, 'hostile');
    const plan = got.doc.plan as { name: string };
    assert.equal(plan.name, clean(hostile), 'the cleaned name, as the mail prints it');
    assert.ok(plan.name.includes('<b>Mail</b>') && plan.name.includes('&amp;'), 'text, not HTML-escaped');
    assert.ok(!plan.name.includes('\u202E'), 'no bidi override');
    const apps = got.doc.applications as { name: string; error: string | null }[];
    assert.equal(apps[0]!.error, '<script>alert(1)</script> & fail');
    assert.ok(apps.every((a) => a.name.startsWith(clean(hostile))));
  });

  it('a huge run stays within the body limit: fewer applications listed and counted, the title whole', async () => {
    fresh();
    const big = 'N'.repeat(100_000);
    const modules: ModuleRow[] = Array.from({ length: 600 }, (_, i) => ({
      ...RUNS.partial!.modules[0]!,
      moduleId: `app${i}-${'x'.repeat(200)}`,
      uiName: `${big}<&>${i}`,
      nodeName: big,
      result: i % 2 ? 'failed' : 'success',
      errorLines: Array.from({ length: 8 }, () => '<&>'.repeat(2_000)),
    }));
    const r = storedOf('r-huge', { ...RUNS.partial!, planName: `🙂${big}`, modules });
    const body = boundedBody(r, { ...OPTS, nowMs: NOW_MS });
    assert.ok(body.length <= WEBHOOK_BODY_MAX_BYTES, `${body.length} bytes`);
    assert.equal((await send(channelOf(sim), r)).ok, true);
    const doc = sim.received[0]!.doc as unknown as ReturnType<typeof webhookDocument>;
    assertValid(doc, 'huge');
    assert.ok(sim.received[0]!.raw.length <= WEBHOOK_BODY_MAX_BYTES);
    assert.ok(doc.applications.length > 0 && doc.applications.length < 100, `${doc.applications.length} listed`);
    assert.equal(doc.applications.length + doc.applications_omitted, 600);
    assert.ok(
      doc.applications.every((a) => a.result === 'failed'),
      'the failed ones first',
    );
    assert.equal(doc.title, webhookDocument(r, { ...OPTS, nowMs: NOW_MS }).title, 'the title is never cut for size');
    assert.deepEqual(doc.counts, { saved: 300, failed: 300, not_run: 0, total: 600 });
  });

  it('a retry carries the same delivery id, a new timestamp and a new signature', async () => {
    fresh();
    let now = NOW_MS;
    const t = channelOf(sim, {}, () => now);
    sim.answers.push({ status: 503 });
    const r = storedOf('r-retry', RUNS.partial!);
    const first = await send(t, r);
    assert.deepEqual([first.ok, first.code, first.retryable], [false, 'CHANNEL_UNAVAILABLE', true]);
    now += 15_000;
    assert.equal((await send(t, r)).ok, true);
    const [a, b] = sim.received;
    assert.equal(a!.headers['x-backup-monitor-delivery'], b!.headers['x-backup-monitor-delivery']);
    assert.equal(a!.doc.id, deliveryIdOf('r-retry'));
    assert.equal(b!.doc.id, a!.doc.id);
    assert.notEqual(a!.headers['x-backup-monitor-timestamp'], b!.headers['x-backup-monitor-timestamp']);
    assert.notEqual(a!.headers['x-backup-monitor-signature'], b!.headers['x-backup-monitor-signature']);
    assert.deepEqual(sim.delivered, [deliveryIdOf('r-retry')]);
  });

  it('429 with Retry-After: retryable, with the wait it asked for', async () => {
    fresh();
    sim.answers.push({ status: 429, retryAfter: '120' });
    const res = await send(channelOf(sim), storedOf('r1', RUNS.partial!));
    assert.deepEqual([res.ok, res.code, res.retryable, res.retryAfterMs], [false, 'CHANNEL_BUSY', true, 120_000]);
  });

  it('5xx is retryable', async () => {
    fresh();
    for (const status of [500, 502, 503, 504]) {
      sim.answers.push({ status, body: '<html>Bad Gateway</html>' });
      const res = await send(channelOf(sim), storedOf('r1', RUNS.partial!));
      assert.deepEqual([res.ok, res.code, res.retryable], [false, 'CHANNEL_UNAVAILABLE', true]);
    }
  });

  it('401, 403, 404, 410 are permanent, with the receiver words and without the URL key or the secret', async () => {
    fresh();
    const key = new URL(sim.url).pathname.split('/').pop()!;
    for (const [status, words] of [
      [401, /credentials/],
      [403, /access/],
      [404, /URL/],
      [410, /refused/],
    ] as const) {
      sim.answers.push({
        status,
        body: JSON.stringify({
          error: `refused ${sim.url} ${new URL(sim.url).pathname} key=${key} secret=${sim.secret}`,
        }),
      });
      const res = await send(channelOf(sim), storedOf('r1', RUNS.partial!));
      assert.deepEqual(
        [res.ok, res.code, res.retryable],
        [false, status === 404 || status === 410 ? 'CHANNEL_NOT_FOUND' : 'CHANNEL_CREDENTIALS', false],
      );
      assert.match(res.detail ?? '', words);
      assert.match(res.detail ?? '', /refused/, "the receiver's own words follow");
      assert.ok(!res.detail!.includes(key), `no URL key in: ${res.detail}`);
      assert.ok(!res.detail!.includes(sim.secret), 'no secret');
    }
  });

  it("the receiver's own checks: a wrong secret is a 401, a wrong path a 404, a body over its limit a 413", async () => {
    fresh();
    const wrongSecret = await send(
      channelOf({ url: sim.url, secret: 'not-the-shared-secret' }),
      storedOf('r1', RUNS.partial!),
    );
    assert.deepEqual([wrongSecret.code, wrongSecret.retryable], ['CHANNEL_CREDENTIALS', false]);
    assert.match(wrongSecret.detail ?? '', /signature does not match/);
    const wrongPath = await send(
      channelOf({ url: `${new URL(sim.url).origin}/hooks/other`, secret: sim.secret }),
      storedOf('r1', RUNS.partial!),
    );
    assert.deepEqual([wrongPath.code, wrongPath.retryable], ['CHANNEL_NOT_FOUND', false]);
    const small = await startWebhookSim({ nowMs: () => NOW_MS, maxBodyBytes: 512 });
    try {
      const tooBig = await send(channelOf(small), storedOf('r1', RUNS.partial!));
      assert.deepEqual([tooBig.code, tooBig.retryable], ['CHANNEL_TOO_LARGE', false]);
      assert.match(tooBig.detail ?? '', /too large/);
    } finally {
      await small.stop();
    }
  });

  it('a redirect is not followed: permanent, saying to set the final address', async () => {
    fresh();
    sim.answers.push({ status: 302 });
    const res = await send(channelOf(sim), storedOf('r1', RUNS.partial!));
    assert.deepEqual([res.ok, res.code, res.retryable], [false, 'CHANNEL_REDIRECT', false]);
    assert.match(res.detail ?? '', /redirects are not followed/);
  });

  it('a hanging receiver: the signal ends the attempt, retryable', async () => {
    fresh();
    sim.answers.push('hang');
    const abort = new AbortController();
    const pending = send(channelOf(sim), storedOf('r1', RUNS.partial!), abort.signal);
    let settled = false;
    void pending.then(() => {
      settled = true;
    });
    for (let i = 0; i < 5000 && sim.received.length === 0; i++) await new Promise((r) => setImmediate(r));
    assert.equal(sim.received.length, 1, 'the request arrived');
    await new Promise((r) => setImmediate(r));
    assert.equal(settled, false, 'still waiting for the answer');
    abort.abort(new Error('attempt timed out'));
    const res = await pending;
    assert.deepEqual([res.ok, res.code, res.retryable], [false, 'CHANNEL_NETWORK', true]);
  });

  it('no receiver listening: retryable, without the URL key', async () => {
    const gone = await startWebhookSim();
    await gone.stop();
    const res = await send(channelOf(gone), storedOf('r1', RUNS.partial!));
    assert.deepEqual([res.ok, res.code, res.retryable], [false, 'CHANNEL_NETWORK', true]);
    assert.ok(!res.detail!.includes(new URL(gone.url).pathname));
  });

  it('no secret in the document or the headers; the settings print as <secret>', async () => {
    fresh();
    const s = settingsOf(sim);
    assert.ok(!JSON.stringify(s).includes(sim.secret) && !JSON.stringify(s).includes(sim.url));
    await send(channelOf(sim), storedOf('r1', RUNS.partial!));
    const got = sim.received[0]!;
    const all = `${got.raw.toString()}${JSON.stringify(got.headers)}`;
    assert.ok(!all.includes(sim.secret));
    assert.ok(!all.includes(new URL(sim.url).pathname), 'nor the URL key');
  });
});

describe('who the webhook tells', () => {
  const sim = { url: 'https://hooks.example.org:8443/webhook/9f3a6c1e2b7d4f80a1c5', secret: 's3cr3t-shared' };
  const ok = { ...RUNS.success!, planId: 2 };

  it('level every: successes too; problems: what the email policy problems mails', () => {
    const every = channelOf(sim, { level: 'every' });
    const problems = channelOf(sim, { level: 'problems' });
    const plain = storedOf('s', ok, 'success');
    assert.ok(every.firstDelivery!(plain, NOW_MS));
    assert.equal(problems.firstDelivery!(plain, NOW_MS), null);
    for (const reason of ['first', 'repeat', 'changed', 'update', 'reminder', 'recovered'] as const)
      assert.ok(problems.firstDelivery!(storedOf('p', RUNS.partial!, reason), NOW_MS), reason);
    for (const reason of ['muted', 'duplicate'] as const)
      assert.equal(every.firstDelivery!(storedOf('p', RUNS.partial!, reason), NOW_MS), null, reason);
  });

  it('plans: only the listed ones; a digest stays an email', async () => {
    const only3 = channelOf(sim, { plans: [3] });
    assert.equal(only3.firstDelivery!(storedOf('p', RUNS.partial!), NOW_MS), null);
    assert.ok(only3.firstDelivery!(storedOf('p', { ...RUNS.partial!, planId: 3 }), NOW_MS));
    const digest = { ...report('d'), kind: 'digest', period: { from: 0, to: 1, slot: 1, catchUp: false } };
    const d = digest as unknown as StoredDigest;
    assert.equal(channelOf(sim).firstDelivery!(d as unknown as StoredReport, NOW_MS), null);
    const res = await channelOf(sim).send(d, [], new AbortController().signal);
    assert.deepEqual([res.ok, res.code, res.retryable], [false, 'CHANNEL_EMAIL_ONLY', false]);
  });

  it('the delivery names the receiver by its host, never its path (the key)', () => {
    const d = channelOf(sim).firstDelivery!(storedOf('p', RUNS.partial!), NOW_MS)!;
    assert.deepEqual([d.status, d.recipients], ['pending', ['hooks.example.org:8443']]);
  });

  it('not configured without a URL or a secret; a URL that is not http(s) is a permanent failure', async () => {
    assert.equal(webhookChannel(null, OPTS), null);
    assert.equal(webhookChannel(settingsOf({ url: ' ', secret: 'x' }), OPTS), null);
    assert.equal(webhookChannel(settingsOf({ url: sim.url, secret: '' }), OPTS), null);
    for (const url of ['ftp://hooks.example.org/x', 'not a url']) {
      const res = await send(channelOf({ url, secret: 'x' }), storedOf('p', RUNS.partial!));
      assert.deepEqual([res.ok, res.code, res.retryable], [false, 'CHANNEL_ADDRESS', false]);
    }
  });

  it('the delivery id: the same for a report on every attempt, another for another report, UUID-shaped', () => {
    assert.equal(deliveryIdOf('r1'), deliveryIdOf('r1'));
    assert.notEqual(deliveryIdOf('r1'), deliveryIdOf('r2'));
    assert.match(deliveryIdOf('r1'), /^[0-9a-f]{8}-[0-9a-f]{4}-8[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });
});

describe('the receiver simulator enforces the contract', () => {
  let sim: WebhookSim;
  before(async () => {
    sim = await startWebhookSim({ nowMs: () => NOW_MS });
  });
  after(() => sim.stop());

  const body = serialize(webhookDocument(storedOf('r1', RUNS.partial!), { ...OPTS, nowMs: NOW_MS }));
  const ts = NOW_MS / 1000;
  const post = (headers: Record<string, string>, b: Buffer = body, url = sim.url) =>
    postToChannel(url, { headers, body: b, signal: new AbortController().signal });
  const good = () => signedHeaders(sim.secret, ts, body, deliveryIdOf('r1'));
  const without = (h: Record<string, string>, name: string) =>
    Object.fromEntries(Object.entries(h).filter(([k]) => k !== name));

  it('accepts a signed document, and refuses each break of the contract with its status', async () => {
    assert.equal((await post(good())).status, 200);
    const cases: [Record<string, string>, number, Buffer?, string?][] = [
      [{ ...good(), 'content-type': 'text/plain' }, 415],
      [without(good(), 'X-Backup-Monitor-Signature'), 400],
      [without(good(), 'X-Backup-Monitor-Timestamp'), 400],
      [without(good(), 'X-Backup-Monitor-Delivery'), 400],
      [{ ...good(), 'X-Backup-Monitor-Signature': 'sha256=abc' }, 400],
      [signedHeaders('wrong', ts, body, 'd'), 401],
      [signedHeaders(sim.secret, ts - 301, body, 'd'), 401],
      [good(), 401, Buffer.concat([body, Buffer.from(' ')])],
      [signedHeaders(sim.secret, ts, Buffer.from('[1]'), 'd'), 400, Buffer.from('[1]')],
      [good(), 404, body, `${new URL(sim.url).origin}/other`],
    ];
    for (const [headers, status, b, url] of cases) assert.equal((await post(headers, b, url)).status, status);
    const big = Buffer.alloc(sim.maxBodyBytes + 1, 0x20);
    assert.equal((await post(signedHeaders(sim.secret, ts, big, 'd'), big)).status, 413);
    const get = await new Promise<number>((resolve, reject) =>
      request(sim.url, { method: 'GET' }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end(),
    );
    assert.equal(get, 405);
    assert.equal(sim.received.length, 1, 'only the good one was taken');
  });
});

describe('the verification snippets of docs/WEBHOOK.md', () => {
  const DOC = readFileSync(new URL('docs/WEBHOOK.md', ROOT), 'utf8');
  const block = (lang: string) => {
    const m = DOC.match(new RegExp('```' + lang + '\\n([\\s\\S]*?)```'));
    assert.ok(m, `a ${lang} block in WEBHOOK.md`);
    return m[1]!;
  };
  let sim: WebhookSim;
  before(async () => {
    sim = await startWebhookSim(); // on the real clock: the snippets check the time
  });
  after(() => sim.stop());

  it('Python, Node and the OpenSSL line accept a real delivery and refuse a changed one', async () => {
    const t = webhookChannel(settingsOf(sim), OPTS)!;
    assert.equal((await send(t, storedOf('r-doc', RUNS.partial!))).ok, true);
    const got = sim.received[0]!;
    const ts = String(got.headers['x-backup-monitor-timestamp']);
    const sig = String(got.headers['x-backup-monitor-signature']);
    const old = String(Number(ts) - 301);
    const oldSig = signedHeaders(sim.secret, Number(old), got.raw, 'd')['X-Backup-Monitor-Signature'];
    const cases = [
      [sim.secret, got.raw, ts, sig],
      [sim.secret, Buffer.concat([got.raw, Buffer.from('\n')]), ts, sig],
      ['another-secret', got.raw, ts, sig],
      [sim.secret, got.raw, old, oldSig],
    ] as const;
    const input = JSON.stringify(cases.map(([s, b, t2, h]) => [s, b.toString('base64'), t2, h]));
    const expected = [true, false, false, false];

    const py = `${block('python')}
import base64, json, sys
print(json.dumps([verify(s.encode(), base64.b64decode(b), t, h) for s, b, t, h in json.load(sys.stdin)]))`;
    assert.deepEqual(JSON.parse(execFileSync('python3', ['-c', py], { input, encoding: 'utf8' })), expected);

    const js = `${block('js')}
const cases = JSON.parse(require('node:fs').readFileSync(0, 'utf8'));
console.log(JSON.stringify(cases.map(([s, b, t, h]) => verify(s, Buffer.from(b, 'base64'), t, h))));`;
    assert.deepEqual(JSON.parse(execFileSync(process.execPath, ['-e', js], { input, encoding: 'utf8' })), expected);

    const line = DOC.match(/`(printf '%s\.' "\$TS" \| cat - body\.json \| openssl [^`]+)`/)?.[1];
    assert.ok(line, 'the OpenSSL line');
    const dir = mkdtempSync(join(tmpdir(), 'webhook-'));
    try {
      writeFileSync(join(dir, 'body.json'), got.raw);
      const out = execFileSync('bash', ['-c', line], {
        cwd: dir,
        env: { ...process.env, TS: ts, SECRET: sim.secret },
        encoding: 'utf8',
      });
      assert.equal(out.trim().split(/\s+/).pop(), sig.slice(3), 'OpenSSL computes the same signature');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
