// SPDX-License-Identifier: GPL-3.0-or-later
// The Microsoft Teams channel (issue #22 §2, §3, §5) against a local Workflows webhook that
// enforces the documented contract (test/sim/teams.ts): one Adaptive Card per run report, in the
// report's language, within the size limit, hostile names shown as typed; the trigger's refusals
// classified, its key never repeated.
import assert from 'node:assert/strict';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { StoredReport } from '../../src/domain/records.js';
import type { ModuleRow, RunReport } from '../../src/domain/run.js';
import { postToChannel } from '../../src/channels/http-post.js';
import { TEAMS_CARD_MAX_BYTES, plainText, requestBytes, teamsRequest } from '../../src/channels/teams/format.js';
import type { TeamsSettings } from '../../src/channels/teams/settings.js';
import { teamsChannel } from '../../src/channels/teams/transport.js';
import type { Transport } from '../../src/channels/transport.js';
import { channelMessage } from '../../src/report/channel-message.js';
import { Secret } from '../../src/secret.js';
import { report } from '../imageroot/fixtures.js';
import { RUNS } from '../report/fixtures.js';
import { startTeamsSim, TEAMS_MESSAGE_MAX_BYTES, type TeamsSim } from '../sim/teams.js';

const OPTS = { timeZone: 'Europe/Rome', moduleId: 'backup-monitor1', clusterAdminUrl: null };
const NOW = 1786238420000;
let sim: TeamsSim;

before(async () => {
  sim = await startTeamsSim();
});
after(() => sim.close());
beforeEach(() => {
  sim.answers.length = 0;
  sim.accepted.length = 0;
  sim.requests.length = 0;
});

const settings = (over: Partial<TeamsSettings> = {}): TeamsSettings => ({
  webhookUrl: new Secret(sim.webhookUrl),
  level: 'problems',
  plans: null,
  ...over,
});
const channel = (over: Partial<TeamsSettings> = {}, opts: Partial<typeof OPTS> | object = {}): Transport =>
  teamsChannel(settings(over), { ...OPTS, ...opts, nowMs: () => NOW })!;
const send = (t: Transport, r: StoredReport, signal = AbortSignal.timeout(10_000)) =>
  t.send(r, t.firstDelivery!(r, NOW)?.recipients ?? ['host'], signal);

/** Every text of a card, by element kind: what a reader sees, and what a Markdown parser reads. */
function textsOf(card: Record<string, unknown>): { markdown: string[]; plain: string[] } {
  const out = { markdown: [] as string[], plain: [] as string[] };
  const walk = (items: unknown) => {
    for (const e of (items as Record<string, unknown>[]) ?? []) {
      if (e.type === 'TextBlock') out.markdown.push(e.text as string);
      if (e.type === 'RichTextBlock') for (const r of e.inlines as { text: string }[]) out.plain.push(r.text);
      if (e.type === 'Container') walk(e.items);
      if (e.type === 'FactSet')
        for (const f of e.facts as { title: string; value: string }[]) out.markdown.push(f.title, f.value);
    }
  };
  walk(card.body);
  return out;
}
const shown = (card: Record<string, unknown>) => {
  const t = textsOf(card);
  return [...t.markdown, ...t.plain].join('\n');
};

const success: RunReport = RUNS.success!;
const CASES: {
  name: string;
  run: RunReport;
  reason: StoredReport['reason'];
  language: 'en' | 'it';
  words: RegExp[];
}[] = [
  { name: 'SUCCESS', run: success, reason: 'success', language: 'en', words: [/saved 3\/3/] },
  { name: 'WARNING', run: RUNS.warning!, reason: 'first', language: 'en', words: [/What to do/] },
  { name: 'PARTIAL', run: RUNS.partial!, reason: 'first', language: 'it', words: [/Cosa fare/, /salvate 1\/3/] },
  { name: 'REPO_FAILURE', run: RUNS.repo_failure!, reason: 'first', language: 'en', words: [/What to do/] },
  { name: 'MISSING', run: RUNS.missing!, reason: 'first', language: 'it', words: [/Cosa fare/, /non eseguite 2/] },
  { name: 'a reminder', run: RUNS.partial!, reason: 'reminder', language: 'en', words: [/What to do/] },
  { name: 'a recovery', run: success, reason: 'recovered', language: 'it', words: [/salvate 3\/3/] },
];

describe('one card per run report, in its language, within the limit', () => {
  for (const c of CASES)
    it(c.name, async () => {
      const t = channel({ level: 'every' });
      const r = report(`r-${c.reason}`, { run: c.run, reason: c.reason, language: c.language });
      const result = await send(t, r);
      assert.equal(result.ok, true, result.detail);
      assert.equal(result.code, 'OK');
      assert.deepEqual(
        sim.requests.map((q) => q.status),
        [202],
        'exactly one message',
      );
      const card = sim.accepted[0]!;
      const text = shown(card);
      const m = channelMessage(r, OPTS);
      assert.ok(text.startsWith(m.title), 'the state and plan first');
      for (const w of c.words) assert.match(text, w);
      if (c.reason === 'recovered' || c.reason === 'success') assert.doesNotMatch(text, /What to do|Cosa fare/);
      for (const step of m.steps) assert.ok(text.includes(`• ${step}`), `the step "${step}" is on the card`);
      assert.ok(requestBytes(teamsRequest(m)).length <= TEAMS_CARD_MAX_BYTES);
      assert.deepEqual(card.actions, [], 'no link without the cluster address');
      assert.match(
        text,
        c.language === 'it'
          ? /Aprire il piano: cluster-admin › backup-monitor1/
          : /Open the plan: cluster-admin › backup-monitor1/,
      );
    });

  it('with the cluster address, the plan is one button (Action.OpenUrl)', async () => {
    const t = channel({}, { clusterAdminUrl: 'https://leader.example.org/cluster-admin/' });
    assert.equal((await send(t, report('r1'))).ok, true);
    assert.deepEqual(sim.accepted[0]!.actions, [
      {
        type: 'Action.OpenUrl',
        title: 'Open the plan',
        url: 'https://leader.example.org/cluster-admin/#/apps/backup-monitor1?plan=2',
      },
    ]);
    assert.doesNotMatch(shown(sim.accepted[0]!), /cluster-admin ›/);
  });
});

describe('who gets what', () => {
  const run = (reason: StoredReport['reason'], over: Partial<StoredReport> = {}) => report('r1', { reason, ...over });
  it('problems: what the email policy `problems` mails, never a plain success, muted or duplicate', () => {
    const t = channel();
    for (const reason of ['first', 'repeat', 'changed', 'update', 'reminder', 'recovered'] as const)
      assert.ok(t.firstDelivery!(run(reason), NOW), reason);
    for (const reason of ['success', 'muted', 'duplicate'] as const)
      assert.equal(t.firstDelivery!(run(reason), NOW), null, reason);
  });
  it('every: the successes too; plans: only those', () => {
    assert.ok(channel({ level: 'every' }).firstDelivery!(run('success'), NOW));
    assert.equal(channel({ plans: [7] }).firstDelivery!(run('first'), NOW), null);
    assert.ok(channel({ plans: [7, 2] }).firstDelivery!(run('first'), NOW));
  });
  it('a digest stays an email', () => {
    const digest = { ...report('d1'), kind: 'digest' } as unknown as StoredReport;
    assert.equal(channel({ level: 'every' }).firstDelivery!(digest, NOW), null);
  });
  it('the delivery names the host only: the key stays out of stored reports', () => {
    const d = channel().firstDelivery!(run('first'), NOW)!;
    assert.deepEqual([d.status, d.nextAttemptAt, d.recipients], ['pending', NOW, [new URL(sim.webhookUrl).host]]);
    assert.doesNotMatch(JSON.stringify(d), /sig|S1gn4tur3|workflows/);
  });
  it('not configured: no transport', () => {
    assert.equal(teamsChannel(null, OPTS), null);
  });
});

describe('hostile names', () => {
  const HOSTILE =
    '<b>Mail</b> *_[x](https://evil.example)_* ~~`rm`~~ &amp; 🙂 \u202Egnp.exe {{DATE(2017-02-14T06:08:00Z, SHORT)}}';
  const hostileRun = (): RunReport => {
    const r = RUNS.partial!;
    return {
      ...r,
      planName: HOSTILE,
      modules: r.modules.map((m: ModuleRow, i: number) => (i === 0 ? { ...m, uiName: HOSTILE } : m)),
    };
  };
  it('reach Teams as typed, never as Markdown, a link or a date', async () => {
    const t = channel();
    const r = report('r1', { run: hostileRun() });
    assert.equal((await send(t, r)).ok, true);
    const card = sim.accepted[0]!;
    const { markdown, plain } = textsOf(card);
    assert.deepEqual(markdown, [], 'no value goes through a Markdown parser (TextBlock, Fact)');
    const title = plain[0]!;
    assert.ok(title.includes('<b>Mail</b> *_[x](https://evil.example)_* ~~`rm`~~ &amp; 🙂 '), title);
    assert.ok(!plain.join('').includes('\u202E'), 'no right-to-left override');
    assert.ok(!plain.join('').includes('{{DATE('), 'no DATE() function');
    assert.deepEqual(card.actions, [], 'no button but the plan link');
  });
  it('plainText: one line, no controls or overrides, the title’s isolates kept', () => {
    assert.equal(plainText('a\nb\r\n\tc\u0007\u202Ed\u2068e\u2069 {{x}}'), 'a b cd\u2068e\u2069 {\u2060{x}}');
  });
});

describe('the size limit', () => {
  const huge = () => {
    const m = channelMessage(report('r1'), OPTS);
    return { ...m, steps: ['𝕏'.repeat(5000), 'ü'.repeat(4000), 'é'.repeat(4000), 'x'.repeat(4000)] };
  };
  it('long steps are shortened, then the last ones cut with "…"; the title never', () => {
    const m = huge();
    const request = teamsRequest(m, 6_000);
    assert.ok(requestBytes(request).length <= 6_000, `${requestBytes(request).length} bytes`);
    const texts = textsOf(request.attachments[0].content as unknown as Record<string, unknown>).plain;
    assert.equal(texts[0], plainText(m.title));
    assert.ok(texts.includes('…'), 'says where it was cut');
    assert.ok(texts.length < 5 + m.steps.length, 'steps were cut');
    const full = teamsRequest(m);
    assert.ok(requestBytes(full).length <= TEAMS_CARD_MAX_BYTES);
  });
  it('the simulator refuses what Teams cannot post (over 28 KB); the channel stays far below', async () => {
    const request = teamsRequest(huge(), 1e9);
    const card = request.attachments[0].content;
    const tooBig = {
      ...request,
      attachments: [
        {
          ...request.attachments[0],
          content: { ...card, body: [...card.body, ...card.body, ...card.body, ...card.body] },
        },
      ],
    };
    const body = requestBytes(tooBig as typeof request);
    assert.ok(body.length > TEAMS_MESSAGE_MAX_BYTES, `${body.length} bytes`);
    const a = await postToChannel(sim.webhookUrl, {
      headers: { 'content-type': 'application/json' },
      body,
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(a.status, 413);
    assert.ok(requestBytes(request).length < TEAMS_MESSAGE_MAX_BYTES / 2, 'the longest card the channel makes');
  });
});

describe('the trigger refuses or fails', () => {
  const noKey = (detail: string | undefined) => {
    assert.ok(detail);
    assert.doesNotMatch(detail, /S1gn4tur3|sig=|\/workflows\//, 'neither the key nor the address');
  };
  it('429 with Retry-After: retryable, after the wait it asked for', async () => {
    sim.answers.push({ status: 429, retryAfter: '30' });
    const r = await send(channel(), report('r1'));
    assert.deepEqual([r.ok, r.code, r.retryable, r.retryAfterMs], [false, 'CHANNEL_BUSY', true, 30_000]);
    assert.match(r.detail!, /WorkflowRequestsThrottled/);
  });
  it('429 with an HTTP date', async () => {
    sim.answers.push({ status: 429, retryAfter: new Date(NOW + 90_000).toUTCString() });
    assert.equal((await send(channel(), report('r1'))).retryAfterMs, 90_000);
  });
  it('5xx: retryable', async () => {
    for (const status of [500, 502, 503]) {
      sim.answers.push({ status });
      const r = await send(channel(), report('r1'));
      assert.deepEqual([r.ok, r.code, r.retryable], [false, 'CHANNEL_UNAVAILABLE', true]);
    }
  });
  it('401, a wrong key: permanent, in words, without the key', async () => {
    const r = await send(channel({ webhookUrl: new Secret(sim.wrongKeyUrl) }), report('r1'));
    assert.deepEqual([r.ok, r.code, r.retryable], [false, 'CHANNEL_CREDENTIALS', false]);
    assert.match(r.detail!, /refused the credentials \(401 Unauthorized\).*DirectApiInvalidAuthorizationSignature/);
    noKey(r.detail);
  });
  it('404, an unknown or deleted workflow: permanent', async () => {
    const r = await send(channel({ webhookUrl: new Secret(sim.unknownWorkflowUrl) }), report('r1'));
    assert.deepEqual([r.ok, r.code, r.retryable], [false, 'CHANNEL_NOT_FOUND', false]);
    assert.match(r.detail!, /does not know this address \(404 Not Found\).*WorkflowNotFound/);
    noKey(r.detail);
  });
  it('403 from a server that echoes the request address: the address and its key are redacted', async () => {
    sim.answers.push({ status: 403, echoAddress: true });
    const r = await send(channel(), report('r1'));
    assert.deepEqual([r.ok, r.code, r.retryable], [false, 'CHANNEL_CREDENTIALS', false]);
    assert.match(r.detail!, /refused access \(403 Forbidden\).*<secret>/);
    noKey(r.detail);
  });
  it('400: the simulator holds the envelope (a retired MessageCard is refused)', async () => {
    const legacy = { '@type': 'MessageCard', '@context': 'https://schema.org/extensions', text: 'x' };
    const a = await postToChannel(sim.webhookUrl, {
      headers: { 'content-type': 'application/json' },
      body: Buffer.from(JSON.stringify(legacy)),
      signal: AbortSignal.timeout(5000),
    });
    assert.equal(a.status, 400);
    assert.deepEqual(sim.requests.at(-1), { status: 400, problem: 'type must be "message", not undefined' });
  });
  it('a server that hangs: the signal ends the attempt, retryable', async () => {
    sim.answers.push('hang');
    const r = await send(channel(), report('r1'), AbortSignal.timeout(300));
    assert.deepEqual([r.ok, r.code, r.retryable], [false, 'CHANNEL_ABORTED', true]);
    assert.deepEqual(sim.requests, [{ status: 'hang' }]);
  });
  it('nobody listening: retryable, without the key', async () => {
    const url = sim.webhookUrl.replace(/:\d+\//, ':1/');
    const r = await send(channel({ webhookUrl: new Secret(url) }), report('r1'));
    assert.deepEqual([r.ok, r.code, r.retryable], [false, 'CHANNEL_NETWORK', true]);
    noKey(r.detail);
  });
});
