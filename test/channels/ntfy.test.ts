// SPDX-License-Identifier: GPL-3.0-or-later
// The ntfy channel (issue #22 §2, §3, §5) against the ntfy simulator (test/sim/ntfy.ts), which
// enforces ntfy's publish contract: one message per run for every outcome and reason, in the
// report's language, within 4,096 bytes, hostile names shown as plain text, the state in the title,
// priority and tags, the plan's link as the click action; ntfy's refusals classified, no secret in
// any detail; and, through the real outbox and Redis, email on time while ntfy fails.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it, test } from 'node:test';
import { firstDelivery, moduleKeys, type PlanState, type StoredReport } from '../../src/domain/records.js';
import type { NotifyReason } from '../../src/domain/records.js';
import type { RunReport } from '../../src/domain/run.js';
import { channelMessage, type ChannelMessage } from '../../src/report/channel-message.js';
import { Secret } from '../../src/secret.js';
import { ntfyChannel, type NtfySettings } from '../../src/channels/ntfy/transport.js';
import { encodedWords, ntfyBody, ntfyRequest, NTFY_MESSAGE_MAX_BYTES } from '../../src/channels/ntfy/format.js';
import { topicUrlProblem } from '../../src/channels/ntfy/settings.js';
import { postToChannel } from '../../src/channels/http-post.js';
import { emailTransport } from '../../src/channels/email/transport.js';
import { firstDeliveriesOf } from '../../src/channels/index.js';
import type { Transport } from '../../src/channels/transport.js';
import type { ChannelOptions } from '../../src/channels/options.js';
import { memoryLogger } from '../../src/log.js';
import type { Mailer, OutgoingMail } from '../../src/notify/mailer.js';
import { backoffMs, OutboxSender } from '../../src/notify/outbox-sender.js';
import { createRecordStore } from '../../src/notify/record-store.js';
import { parseSmarthost } from '../../src/ns8/smarthost.js';
import type { Redis } from '../../src/ns8/redis.js';
import { decodeRfc2047, NTFY_SIM_MESSAGE_MAX_BYTES, startNtfy, type NtfySim } from '../sim/ntfy.js';
import { report as fixtureReport } from '../imageroot/fixtures.js';
import { RUNS } from '../report/fixtures.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { useRedisPair } from '../helpers/redis-pair.js';

const TOPIC = 'backups_Xk3p9Qz7';
const TOKEN = 'tk_AgQdq7mVBoFD37zQVN29RhuMzNIz2';
const OPTS: ChannelOptions = { timeZone: 'Europe/Rome', moduleId: 'backup-monitor1', clusterAdminUrl: null };
const ADMIN_URL = 'https://leader.example.org/cluster-admin/';
const HOSTILE = '<b>*_[x](y)~`&amp; 🚀 \u202Eevil';

let sim: NtfySim;

function settings(over: Partial<NtfySettings> = {}): NtfySettings {
  return { topicUrl: new Secret(`${sim.url}/${TOPIC}`), token: null, level: 'every', plans: null, ...over };
}

function channel(over: Partial<NtfySettings> = {}, opts: Partial<ChannelOptions> = {}) {
  return ntfyChannel(settings(over), { ...OPTS, ...opts })!;
}

function reportOf(run: RunReport, reason: NotifyReason, language: 'en' | 'it' = 'en', id = 'r1'): StoredReport {
  return fixtureReport(id, { run, reason, language });
}

const send = (t: Transport, r: StoredReport) => t.send(r, ['x'], new AbortController().signal);

/** What ntfy shows: the tag's emoji before the title. */
const EMOJI: Record<string, string> = { x: '❌', warning: '⚠️', alarm_clock: '⏰', white_check_mark: '✅' };

before(async () => {
  sim = await startNtfy();
});
after(async () => {
  await sim.stop();
});
beforeEach(() => {
  sim.messages.length = 0;
  sim.requests.length = 0;
  sim.faults.length = 0;
  sim.tokens.clear();
  sim.protectedTopics.clear();
});

const CASES: { run: RunReport; reason: NotifyReason; priority: number; tag: string }[] = [
  { run: RUNS.success!, reason: 'success', priority: 2, tag: 'white_check_mark' },
  { run: RUNS.success!, reason: 'recovered', priority: 2, tag: 'white_check_mark' },
  { run: RUNS.warning!, reason: 'first', priority: 3, tag: 'warning' },
  { run: RUNS.warning!, reason: 'reminder', priority: 3, tag: 'warning' },
  { run: RUNS.partial!, reason: 'first', priority: 4, tag: 'warning' },
  { run: RUNS.partial!, reason: 'reminder', priority: 4, tag: 'warning' },
  { run: RUNS.repo_failure!, reason: 'first', priority: 4, tag: 'x' },
  { run: RUNS.repo_failure!, reason: 'reminder', priority: 4, tag: 'x' },
  { run: RUNS.missing!, reason: 'first', priority: 4, tag: 'alarm_clock' },
  { run: RUNS.missing!, reason: 'reminder', priority: 4, tag: 'alarm_clock' },
];

describe('one ntfy message per run, in the report language, within the limit', () => {
  for (const language of ['en', 'it'] as const)
    for (const c of CASES)
      it(`${c.run.outcome} ${c.reason} (${language})`, async () => {
        const r = reportOf(c.run, c.reason, language);
        const result = await send(channel(), r);
        assert.equal(result.ok, true, result.detail);
        assert.equal(sim.messages.length, 1, 'exactly one message');
        const m = sim.messages[0]!;
        const words = channelMessage(r, OPTS);
        assert.equal(m.topic, TOPIC);
        assert.equal(`${EMOJI[m.tags[0]!]} ${m.title}`, words.title, 'the state emoji once, from the tag');
        assert.deepEqual([m.priority, m.tags], [c.priority, [c.tag]]);
        assert.equal(m.markdown, false, 'plain text');
        assert.ok(m.bytes <= NTFY_MESSAGE_MAX_BYTES);
        assert.ok(m.message.includes(words.counts), 'the counts');
        assert.match(m.message, language === 'it' ? /salvate \d/ : /saved \d/);
        if (words.steps.length)
          assert.ok(m.message.startsWith(`${words.stepsTitle}:\n• ${words.steps[0]}`), 'cause and fix first');
        else assert.equal(words.tone, 'success');
        assert.ok(m.message.includes(`${words.openLabel}: ${words.open}`), 'how to open the plan without a link');
        assert.equal(m.click, null);
        assert.match(result.detail ?? '', /^ntfy message m\d+$/);
      });
});

test('the plan link is the click action and is in the body when the cluster-admin address is known', async () => {
  const r = reportOf(RUNS.partial!, 'first');
  await send(channel({}, { clusterAdminUrl: ADMIN_URL }), r);
  const m = sim.messages[0]!;
  assert.equal(m.click, 'https://leader.example.org/cluster-admin/#/apps/backup-monitor1?plan=2');
  assert.ok(m.message.endsWith(`Open the plan: ${m.click}`));
});

test('hostile plan and application names arrive as plain text, headers ASCII, no bidi override', async () => {
  const run: RunReport = {
    ...RUNS.partial!,
    planName: HOSTILE,
    modules: RUNS.partial!.modules.map((x) => ({ ...x, uiName: `${HOSTILE} ${x.uiName}` })),
  };
  const r = reportOf(run, 'first');
  const result = await send(channel(), r);
  assert.equal(result.ok, true, result.detail);
  const m = sim.messages[0]!;
  assert.ok(m.title?.includes('<b>*_[x](y)~`&amp; 🚀'), `title as written: ${m.title}`);
  assert.ok(!m.title?.includes('\u202e') && !m.message.includes('\u202e'), 'no right-to-left override');
  assert.equal(m.markdown, false, 'nothing is read as Markdown');
  for (const v of Object.values(m.headers)) assert.match(v, /^[\x20-\x7e]*$/, 'headers are ASCII');
  assert.ok(m.message.includes('<b>*_[x](y)~`&amp; 🚀'), 'the step names the application as written');
});

test('a plan named like an encoded-word keeps its name', async () => {
  const r = reportOf({ ...RUNS.warning!, planName: '=?UTF-8?B?SGFja2Vk?=' }, 'first');
  await send(channel(), r);
  assert.ok(sim.messages[0]!.title?.includes('=?UTF-8?B?SGFja2Vk?='), sim.messages[0]!.title ?? '');
});

test('RFC 2047 words: at most 75 characters, whole characters, one line; decode back to the title', () => {
  const title = `⚠️ Partly failed: ${'ÄÖÜ 🚀 مرحبا '.repeat(20)}`;
  const header = encodedWords(title);
  assert.doesNotMatch(header, /[\r\n]/);
  for (const w of header.split(' ')) assert.ok(w.length <= 75, `${w.length}: ${w}`);
  assert.equal(decodeRfc2047(header), title);
});

/** A message whose steps alone are far beyond the limit. */
function longMessage(): ChannelMessage {
  const base = channelMessage(reportOf(RUNS.partial!, 'first'), { ...OPTS, clusterAdminUrl: ADMIN_URL });
  return { ...base, steps: ['🚀'.repeat(900), 'è'.repeat(2500), 'third step'] };
}

test('the steps are cut with "…" to fit 4,096 bytes; the title and the tail are whole; ntfy takes it', async () => {
  const m = longMessage();
  const body = ntfyBody(m);
  assert.ok(Buffer.byteLength(body) <= NTFY_MESSAGE_MAX_BYTES, `${Buffer.byteLength(body)} bytes`);
  assert.match(body, /…\n\n/);
  assert.ok(body.endsWith(`${m.counts}\n${m.when}\nOpen the plan: ${m.link}`));
  assert.doesNotMatch(body, /\ufffd/, 'no character cut in half');
  const req = ntfyRequest(m);
  const answer = await postToChannel(`${sim.url}/${TOPIC}`, { ...req, signal: new AbortController().signal });
  assert.equal(answer.status, 200, answer.text);
  assert.equal(decodeRfc2047(req.headers['x-title']!), m.title.replace(/^⚠️ /, ''), 'the title is never cut');
});

test('the simulator refuses a message over 4,096 bytes as ntfy without attachments does', async () => {
  const body = Buffer.from('x'.repeat(NTFY_SIM_MESSAGE_MAX_BYTES + 1));
  const answer = await postToChannel(`${sim.url}/${TOPIC}`, {
    headers: {},
    body,
    signal: new AbortController().signal,
  });
  assert.equal(answer.status, 400);
  assert.equal(JSON.parse(answer.text).code, 40014);
  // And our body cut to one byte less than the cut would need is refused too: the limit is real.
  const over = Buffer.concat([
    Buffer.from(ntfyBody(longMessage())),
    Buffer.from('x'.repeat(NTFY_SIM_MESSAGE_MAX_BYTES)),
  ]);
  const refused = await postToChannel(`${sim.url}/${TOPIC}`, {
    headers: {},
    body: over,
    signal: new AbortController().signal,
  });
  assert.equal(refused.status, 400);
});

describe('who the topic hears about', () => {
  const at = 1_786_238_420_000;
  it('problems: failures, reminders and recoveries, not plain successes', () => {
    const t = channel({ level: 'problems' });
    assert.equal(t.firstDelivery!(reportOf(RUNS.success!, 'success'), at), null);
    assert.equal(t.firstDelivery!(reportOf(RUNS.success!, 'muted'), at), null);
    for (const reason of ['first', 'reminder', 'recovered', 'changed'] as const)
      assert.equal(t.firstDelivery!(reportOf(RUNS.partial!, reason), at)?.status, 'pending', reason);
  });
  it('every: also the plain successes; never a muted or duplicate run', () => {
    const t = channel({ level: 'every' });
    assert.equal(t.firstDelivery!(reportOf(RUNS.success!, 'success'), at)?.status, 'pending');
    assert.equal(t.firstDelivery!(reportOf(RUNS.success!, 'duplicate'), at), null);
    assert.equal(t.firstDelivery!(reportOf(RUNS.partial!, 'muted'), at), null);
  });
  it('plans: only the listed ones; a digest stays an email', () => {
    const t = channel({ plans: [7] });
    assert.equal(t.firstDelivery!(reportOf(RUNS.partial!, 'first'), at), null, 'plan 2 is not listed');
    assert.ok(channel({ plans: [2] }).firstDelivery!(reportOf(RUNS.partial!, 'first'), at));
    const digest = { ...fixtureReport('d1'), kind: 'digest' } as unknown as StoredReport;
    assert.equal(channel().firstDelivery!(digest, at), null);
  });
  it('the stored target is the server, never the topic or the token', () => {
    const d = channel({ token: new Secret(TOKEN) }).firstDelivery!(reportOf(RUNS.partial!, 'first'), at)!;
    assert.deepEqual(d.recipients, [new URL(sim.url).host]);
    assert.doesNotMatch(JSON.stringify(d), new RegExp(`${TOPIC}|${TOKEN}`));
  });
  it('no settings, no channel', () => {
    assert.equal(ntfyChannel(null, OPTS), null);
  });
});

describe("ntfy's refusals and faults", () => {
  const r = () => reportOf(RUNS.repo_failure!, 'first');
  const noSecret = (text: string | undefined) => {
    assert.ok(text, 'a detail for the page');
    assert.ok(!text.includes(TOPIC) && !text.includes(TOKEN) && !text.includes(sim.url + '/'), text);
  };

  it('a protected topic with the right token: sent, with Authorization: Bearer', async () => {
    sim.protectedTopics.add(TOPIC);
    sim.tokens.set(TOKEN, [TOPIC]);
    const result = await send(channel({ token: new Secret(TOKEN) }), r());
    assert.equal(result.ok, true, result.detail);
    assert.equal(sim.messages[0]!.headers.authorization, `Bearer ${TOKEN}`);
  });
  it('401 (unknown token): permanent, says check the token, no secret', async () => {
    sim.protectedTopics.add(TOPIC);
    const result = await send(channel({ token: new Secret(TOKEN) }), r());
    assert.deepEqual([result.ok, result.retryable, result.code], [false, false, 'CHANNEL_CREDENTIALS']);
    assert.match(result.detail ?? '', /check the token: 40101 unauthorized/);
    noSecret(result.detail);
  });
  it("403 (no write access): permanent, with ntfy's code", async () => {
    sim.protectedTopics.add(TOPIC);
    const result = await send(channel(), r());
    assert.deepEqual([result.ok, result.retryable, result.code], [false, false, 'CHANNEL_CREDENTIALS']);
    assert.match(result.detail ?? '', /refused access \(403 Forbidden\).*: 40301 forbidden/);
    noSecret(result.detail);
  });
  it('404 (not an ntfy topic path): permanent, check the URL', async () => {
    const t = channel({ topicUrl: new Secret(`${sim.url}/prefix/${TOPIC}`) });
    const result = await send(t, r());
    assert.deepEqual([result.ok, result.retryable, result.code], [false, false, 'CHANNEL_NOT_FOUND']);
    assert.match(result.detail ?? '', /check the URL, topic or chat: 40401 page not found/);
    noSecret(result.detail);
  });
  it('a proxy page that echoes the topic URL: its words without the secret', async () => {
    sim.faults.push({ status: 404, text: `<html><h1>Not Found</h1><p>${sim.url}/${TOPIC} ${TOKEN}</p></html>` });
    const result = await send(channel({ token: new Secret(TOKEN) }), r());
    assert.equal(result.code, 'CHANNEL_NOT_FOUND');
    assert.match(result.detail ?? '', /Not Found/);
    noSecret(result.detail);
  });
  it('429 with Retry-After: retryable, after the wait it asked for', async () => {
    sim.faults.push({ status: 429, code: 42901, retryAfter: '120' });
    const result = await send(channel(), r());
    assert.deepEqual(
      [result.ok, result.retryable, result.code, result.retryAfterMs],
      [false, true, 'CHANNEL_BUSY', 120_000],
    );
    assert.match(result.detail ?? '', /42901 limit reached: too many requests/);
    assert.equal(sim.messages.length, 0);
  });
  it('429 without Retry-After (as ntfy itself answers): retryable, the outbox backoff decides', async () => {
    sim.faults.push({ status: 429, code: 42908, error: 'limit reached: daily message quota reached' });
    const result = await send(channel(), r());
    assert.deepEqual([result.retryable, result.retryAfterMs], [true, undefined]);
  });
  it('5xx: retryable', async () => {
    sim.faults.push({ status: 500, code: 50001 }, { status: 502, text: 'Bad Gateway' });
    for (const code of ['CHANNEL_UNAVAILABLE', 'CHANNEL_UNAVAILABLE']) {
      const result = await send(channel(), r());
      assert.deepEqual([result.ok, result.retryable, result.code], [false, true, code]);
    }
  });
  it('a server that hangs: the signal ends the attempt', async () => {
    sim.faults.push('hang');
    const abort = new AbortController();
    const attempt = channel().send(r(), ['x'], abort.signal);
    while (sim.requests.length === 0) await new Promise((res) => setImmediate(res));
    assert.equal(sim.requests[0]!.answer, 'hang');
    abort.abort(new Error('attempt timed out'));
    await assert.rejects(attempt);
    assert.equal(sim.messages.length, 0);
  });
  it('a server that is not there: retryable, no secret', async () => {
    const gone = await startNtfy();
    await gone.stop();
    const result = await send(channel({ topicUrl: new Secret(`${gone.url}/${TOPIC}`) }), r());
    assert.deepEqual([result.ok, result.retryable, result.code], [false, true, 'CHANNEL_NETWORK']);
    noSecret(result.detail);
  });
  it('a topic URL that cannot be used: permanent, said without repeating it', async () => {
    for (const bad of [
      'ftp://ntfy.sh/x',
      'https://user:pw@ntfy.sh/topic',
      'https://ntfy.sh/',
      'https://ntfy.sh/a b',
      'nope',
    ]) {
      assert.ok(topicUrlProblem(bad), bad);
      const result = await send(channel({ topicUrl: new Secret(bad) }), r());
      assert.deepEqual([result.ok, result.retryable, result.code], [false, false, 'CHANNEL_ADDRESS'], bad);
      assert.ok(!result.detail?.includes(bad), result.detail);
    }
    assert.equal(topicUrlProblem('https://ntfy.sh/backups_Xk3p9Qz7'), null);
    assert.equal(topicUrlProblem('https://example.org/ntfy/backups'), null, 'behind a path prefix');
  });
  it('a digest is never sent on ntfy', async () => {
    const digest = { ...fixtureReport('d1'), kind: 'digest' } as unknown as StoredReport;
    const result = await send(channel(), digest);
    assert.equal(result.ok, false);
    assert.equal(sim.requests.length, 0);
  });
});

describe('through the real outbox: email on time, ntfy once it answers', () => {
  const K = moduleKeys(MODULE_ID);
  const T0 = Date.UTC(2026, 7, 10, 3, 0, 0);
  let writer: Redis;
  let admin: Redis;
  useRedisPair((p) => {
    writer = p.writer;
    admin = p.admin;
  });

  it('ntfy answers 503 then 429 with Retry-After: email goes at once, ntfy gets exactly one message', async () => {
    const c = { wallMs: T0, monoMs: 1_000 };
    const sent: OutgoingMail[] = [];
    const mailer: Mailer = {
      async send(mail) {
        sent.push(mail);
        return { messageId: mail.messageId ?? '' };
      },
    };
    const email = emailTransport({
      mailer,
      smarthost: async () => parseSmarthost({ enabled: '1', host: 'smtp.example.org', port: '587' }),
      sender: () => 'backup@example.org',
    });
    const ntfy = ntfyChannel(settings({ token: null }), { ...OPTS, nowMs: () => c.wallMs })!;
    const transports = [ntfy, email]; // ntfy first: a lane that waited for it would hold email back
    const records = createRecordStore(writer, MODULE_ID, undefined, firstDeliveriesOf(transports));
    const log = memoryLogger();
    const sender = new OutboxSender({
      records,
      transports,
      clock: { now: () => c.wallMs },
      monotonicMs: () => c.monoMs,
      log,
    });
    const pass = (ms: number) => {
      c.wallMs += ms;
      c.monoMs += ms;
    };
    const report: StoredReport = {
      ...reportOf(RUNS.partial!, 'first', 'it', 'r1'),
      createdAt: T0,
      delivery: firstDelivery(['ops@example.org'], T0),
    };
    await records.store(report, { planId: 2, planName: 'Weekly SMB' } as PlanState, true);
    assert.deepEqual((await admin.hKeys(K.outbox)).sort(), ['r1', 'r1#ntfy']);
    const ntfyState = async () => (JSON.parse((await admin.get(K.report('r1')))!) as StoredReport).deliveries!.ntfy!;

    sim.faults.push({ status: 503, code: 50301 }, { status: 429, code: 42901, retryAfter: '300' });
    await sender.sendDue();
    assert.equal(sent.length, 1, 'email on the first pass');
    assert.equal((await ntfyState()).lastErrorCode, 'CHANNEL_UNAVAILABLE');

    pass(backoffMs(1));
    await sender.sendDue();
    const limited = await ntfyState();
    assert.deepEqual(
      [limited.status, limited.lastErrorCode, limited.nextAttemptAt],
      ['pending', 'CHANNEL_BUSY', c.wallMs + 300_000],
    );

    pass(300_000 - 1);
    await sender.sendDue();
    assert.equal(sim.requests.length, 2, 'not before the 300 s it asked for');
    pass(1);
    await sender.sendDue();
    assert.equal(sim.messages.length, 1);
    assert.match(sim.messages[0]!.message, /^Cosa fare:/, 'in the report language');
    assert.equal((await ntfyState()).status, 'sent');
    assert.equal(sent.length, 1, 'email not sent again');
    assert.deepEqual(await admin.hKeys(K.outbox), []);
    const stored = (await admin.get(K.report('r1')))!;
    assert.ok(!stored.includes(TOPIC), 'the topic is not stored');
    assert.ok(!log.lines.join('\n').includes(TOPIC), 'nor logged');
  });
});
