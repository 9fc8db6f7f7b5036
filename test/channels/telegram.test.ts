// SPDX-License-Identifier: GPL-3.0-or-later
// The Telegram channel against a Bot API simulator that enforces the documented contract
// (test/sim/telegram.ts): one message per report, in the report's language, within 4096
// characters, hostile names escaped; Telegram's refusals classified; the bot token never in a
// detail, a log line or an error.
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { StoredMail, StoredReport } from '../../src/domain/records.js';
import type { RunReport } from '../../src/domain/run.js';
import { telegramChannel } from '../../src/channels/telegram/transport.js';
import { telegramText, TELEGRAM_TEXT_MAX } from '../../src/channels/telegram/format.js';
import type { TelegramSettings } from '../../src/channels/telegram/settings.js';
import type { Transport } from '../../src/channels/transport.js';
import type { ChannelOptions } from '../../src/channels/options.js';
import { channelMessage } from '../../src/report/channel-message.js';
import { Secret } from '../../src/secret.js';
import { report } from '../imageroot/fixtures.js';
import { RUNS } from '../report/fixtures.js';
import { parseTelegramHtml, startTelegramSim, type TelegramSim } from '../sim/telegram.js';

const CHAT = '-1001234567890';
const OPTS: ChannelOptions = { timeZone: 'Europe/Rome', moduleId: 'backup-monitor1', clusterAdminUrl: null };
let sim: TelegramSim;

before(async () => {
  sim = await startTelegramSim();
});
after(() => sim.stop());
beforeEach(() => {
  sim.script.length = 0;
  sim.sent.length = 0;
  sim.statuses.length = 0;
});

const settings = (over: Partial<TelegramSettings> = {}): TelegramSettings => ({
  botToken: new Secret(sim.token),
  chatId: CHAT,
  apiUrl: sim.url,
  level: 'problems',
  plans: null,
  ...over,
});

const channel = (over: Partial<TelegramSettings> = {}, opts: Partial<ChannelOptions> = {}) =>
  telegramChannel(settings(over), { ...OPTS, ...opts, nowMs: () => 0 }) as Transport;

const send = (t: Transport, r: StoredMail, signal = AbortSignal.timeout(10_000)) => t.send(r, [CHAT], signal);

/** Every outcome with the reasons it is told with. */
const CASES: { outcome: string; run: RunReport; reason: StoredReport['reason'] }[] = [
  { outcome: 'SUCCESS', run: RUNS.success!, reason: 'success' },
  { outcome: 'SUCCESS', run: RUNS.success!, reason: 'recovered' },
  { outcome: 'WARNING', run: RUNS.warning!, reason: 'first' },
  { outcome: 'PARTIAL', run: RUNS.partial!, reason: 'first' },
  { outcome: 'PARTIAL', run: RUNS.partial!, reason: 'reminder' },
  { outcome: 'REPO_FAILURE', run: RUNS.repo_failure!, reason: 'first' },
  { outcome: 'REPO_FAILURE', run: RUNS.repo_failure!, reason: 'reminder' },
  { outcome: 'MISSING', run: RUNS.missing!, reason: 'first' },
];

describe('one message per report, as Telegram takes it', () => {
  for (const c of CASES)
    for (const language of ['en', 'it'] as const)
      it(`${c.outcome} ${c.reason} (${language})`, async () => {
        const t = channel({ level: 'every' });
        const r = report(`r-${c.outcome}-${c.reason}`, { run: c.run, reason: c.reason, language });
        assert.ok(t.firstDelivery?.(r, 0), 'the channel takes it at level every');
        const result = await send(t, r);
        assert.deepEqual([result.ok, result.code], [true, 'OK'], result.detail);
        assert.equal(sim.sent.length, 1, 'exactly one message');
        const m = sim.sent[0]!;
        assert.equal(m.chatId, CHAT);
        assert.ok(m.html.length <= TELEGRAM_TEXT_MAX, `${m.html.length} characters as sent`);
        assert.ok(m.linkPreviewDisabled);
        const words = channelMessage(r, OPTS);
        assert.ok(m.shown.startsWith(words.title), 'state and plan first');
        assert.match(m.shown, language === 'it' ? /salvate \d\/\d/ : /saved \d\/\d/);
        assert.match(
          m.shown,
          language === 'it' ? /Aprire il piano: cluster-admin › backup-monitor1/ : /Open the plan: /,
        );
        const problem = c.outcome !== 'SUCCESS';
        assert.equal(
          m.shown.includes(language === 'it' ? 'Cosa fare' : 'What to do'),
          problem,
          'steps for a problem only',
        );
        if (problem) assert.ok(m.shown.includes(words.steps[0]!), 'the cause and the fix first');
        if (c.reason === 'recovered') assert.match(m.shown, language === 'it' ? /Ripristinato|✅/ : /Recovered/);
      });

  it('hostile plan and application names arrive as their own characters, never as markup', async () => {
    const hostile = '<b>Evil</b> *_[]()~` &amp; 🚀 \u202Eevil <a href="x">';
    const run = {
      ...RUNS.partial!,
      planName: hostile,
      destinationName: `${hostile} NAS`,
      modules: RUNS.partial!.modules.map((m) => ({ ...m, uiName: `${hostile} ${m.moduleId}` })),
    };
    const t = channel({}, { clusterAdminUrl: 'https://leader.example.org/cluster-admin/' });
    const result = await send(t, report('r-hostile', { run }));
    assert.ok(result.ok, result.detail);
    const m = sim.sent[0]!;
    assert.deepEqual(m.tags, ['b', 'b', 'a'], 'only the message own tags: title, steps title, link');
    assert.ok(m.shown.includes('<b>Evil</b> *_[]()~` &amp; 🚀'), 'the name as written, entities shown literally');
    assert.doesNotMatch(m.shown, /\u202E/, 'no right-to-left override reaches the chat');
    assert.deepEqual(m.links, ['https://leader.example.org/cluster-admin/#/apps/backup-monitor1?plan=2']);
    assert.match(m.shown, /Open the plan$/);
  });

  it('a run of 400 failed applications is cut in its steps, never in its title, and says so', async () => {
    const long = (i: number) => `Application ${'x'.repeat(100)} ${i}`;
    const run = {
      ...RUNS.repo_failure!,
      planName: 'Nightly 🌙 <all>',
      modules: Array.from({ length: 400 }, (_, i) => ({
        ...RUNS.repo_failure!.modules[0]!,
        moduleId: `app${i}`,
        uiName: long(i),
      })),
    };
    const r = report('r-long', { run, language: 'it' });
    const result = await send(channel(), r);
    assert.ok(result.ok, result.detail);
    const m = sim.sent[0]!;
    assert.ok(m.html.length <= TELEGRAM_TEXT_MAX && m.html.length > TELEGRAM_TEXT_MAX - 200, `${m.html.length}`);
    assert.ok(m.shown.startsWith(channelMessage(r, OPTS).title), 'the title whole');
    assert.match(m.shown, /…/);
    assert.match(m.shown, /Aprire il piano/, 'the way to the plan kept after the cut');
  });

  it('the cut keeps whole characters and entities at any size', () => {
    const words = channelMessage(report('r-cut', { run: { ...RUNS.partial!, planName: '&<>🚀'.repeat(5) } }), OPTS);
    const steps = ['&<>🚀'.repeat(300), 'second step'];
    for (let max = 250; max <= 1200; max += 37) {
      const text = telegramText({ ...words, steps }, max);
      assert.ok(text.length <= max, `${text.length} > ${max}`);
      const shown = parseTelegramHtml(text).shown; // throws on a broken entity or tag
      assert.ok(shown.startsWith(words.title));
      assert.doesNotMatch(shown, /[\uD800-\uDBFF](?![\uDC00-\uDFFF])/, 'no half of an emoji');
    }
  });
});

describe('who the chat hears about', () => {
  const of = (reason: StoredReport['reason'], planId = 2) => report('r', { reason, run: { ...RUNS.partial!, planId } });

  it('problems: what the email policy problems mails; every: successes too', () => {
    const problems = channel();
    const every = channel({ level: 'every' });
    for (const reason of ['first', 'repeat', 'changed', 'update', 'reminder', 'recovered'] as const) {
      assert.deepEqual(problems.firstDelivery?.(of(reason), 5)?.recipients, [CHAT], reason);
      assert.equal(problems.firstDelivery?.(of(reason), 5)?.nextAttemptAt, 5);
    }
    assert.equal(problems.firstDelivery?.(of('success'), 5), null);
    assert.deepEqual(every.firstDelivery?.(of('success'), 5)?.status, 'pending');
    for (const reason of ['duplicate', 'muted'] as const) assert.equal(every.firstDelivery?.(of(reason), 5), null);
  });

  it('only the listed plans; a digest stays an email', () => {
    const t = channel({ plans: [7] });
    assert.equal(t.firstDelivery?.(of('first', 2), 5), null);
    assert.ok(t.firstDelivery?.(of('first', 7), 5));
    const digest = { ...of('first'), kind: 'digest' } as unknown as StoredReport;
    assert.equal(channel().firstDelivery?.(digest, 5), null);
  });

  it('off while the token or the chat is not set', () => {
    assert.equal(telegramChannel(null, OPTS), null);
    assert.equal(telegramChannel(settings({ botToken: new Secret('') }), OPTS), null);
    assert.equal(telegramChannel(settings({ chatId: ' ' }), OPTS), null);
  });
});

describe("Telegram's refusals", () => {
  const r = () => report('r-fault', { run: RUNS.partial! });
  const noToken = (text: string | undefined) => {
    assert.ok(!text?.includes(sim.token), `token in: ${text}`);
    assert.ok(!text?.includes(sim.token.split(':')[1]!), `token's secret in: ${text}`);
  };

  it('429 with parameters.retry_after: retryable after that many seconds', async () => {
    sim.script.push({ status: 429, description: 'Too Many Requests: retry after 7', retryAfterS: 7 });
    const res = await send(channel(), r());
    assert.deepEqual([res.ok, res.code, res.retryable, res.retryAfterMs], [false, 'CHANNEL_BUSY', true, 7000]);
    assert.match(res.detail ?? '', /Too Many Requests: retry after 7/);
    assert.equal(sim.sent.length, 0);
  });

  it('429 without parameters: the Retry-After header', async () => {
    sim.script.push({ status: 429, retryAfterHeader: '11' });
    const res = await send(channel(), r());
    assert.deepEqual([res.retryable, res.retryAfterMs], [true, 11_000]);
  });

  it('5xx, JSON or a proxy page: retryable', async () => {
    sim.script.push(
      { status: 500, description: 'Internal Server Error' },
      { status: 502, page: '<html>Bad Gateway</html>' },
    );
    for (const code of ['CHANNEL_UNAVAILABLE', 'CHANNEL_UNAVAILABLE']) {
      const res = await send(channel(), r());
      assert.deepEqual([res.ok, res.code, res.retryable], [false, code, true]);
      assert.doesNotMatch(res.detail ?? '', /<html>/);
    }
  });

  it('401 for a wrong token: permanent, says to check the token, without it', async () => {
    const res = await send(channel({ botToken: new Secret('987654321:WrongSecretValue_abc') }), r());
    assert.deepEqual([res.ok, res.code, res.retryable], [false, 'CHANNEL_CREDENTIALS', false]);
    assert.match(res.detail ?? '', /check the token: Unauthorized/);
    assert.doesNotMatch(res.detail ?? '', /WrongSecretValue/);
  });

  it('400 chat not found, 403 blocked, 404: permanent with Telegram own words', async () => {
    const unknown = channel({ chatId: '42' });
    const res400 = await unknown.send(r(), ['42'], AbortSignal.timeout(10_000));
    assert.deepEqual([res400.code, res400.retryable], ['CHANNEL_REFUSED', false]);
    assert.match(res400.detail ?? '', /chat not found/);
    sim.blocked.add(CHAT);
    try {
      const res403 = await send(channel(), r());
      assert.deepEqual([res403.code, res403.retryable], ['CHANNEL_CREDENTIALS', false]);
      assert.match(res403.detail ?? '', /bot was blocked by the user/);
    } finally {
      sim.blocked.delete(CHAT);
    }
    const res404 = await send(channel({ apiUrl: `${sim.url}/wrong/prefix` }), r());
    assert.deepEqual([res404.code, res404.retryable], ['CHANNEL_NOT_FOUND', false]);
    assert.match(res404.detail ?? '', /check the URL, topic or chat: Not Found/);
  });

  it('a group that became a supergroup: permanent, with the new chat id to set', async () => {
    sim.script.push({
      status: 400,
      description: 'Bad Request: group chat was upgraded to a supergroup chat',
      migrateTo: -1009876,
    });
    const res = await send(channel(), r());
    assert.equal(res.retryable, false);
    assert.match(res.detail ?? '', /upgraded to a supergroup chat \(new chat id: -1009876\)/);
  });

  it('413 from the front proxy: permanent', async () => {
    sim.script.push({ status: 413, page: '<html>413 Request Entity Too Large</html>' });
    const res = await send(channel(), r());
    assert.deepEqual([res.code, res.retryable], ['CHANNEL_TOO_LARGE', false]);
  });

  it('a hanging server: the signal ends the attempt, retryable, no token in the detail', async () => {
    sim.script.push('hang');
    const res = await send(channel(), r(), AbortSignal.timeout(200));
    assert.deepEqual([res.ok, res.code, res.retryable], [false, 'CHANNEL_NETWORK', true]);
    noToken(res.detail);
  });

  it('the token never leaves: an echoing server, a closed port, the settings printed', async () => {
    sim.script.push('echo-path');
    const echoed = await send(channel(), r());
    assert.match(echoed.detail ?? '', /\/bot<secret>\/sendMessage/, 'the echo is there, the token is not');
    noToken(echoed.detail);
    const closed = await send(channel({ apiUrl: 'http://127.0.0.1:9' }), r());
    assert.equal(closed.retryable, true);
    noToken(closed.detail);
    for (const printed of [JSON.stringify(settings()), inspect(settings()), `${settings().botToken}`]) noToken(printed);
  });

  it('a token that is not a bot token is refused before any request', async () => {
    const res = await send(channel({ botToken: new Secret('123:abc/../../getMe?x=') }), r());
    assert.deepEqual([res.code, res.retryable], ['CHANNEL_CREDENTIALS', false]);
    assert.equal(sim.statuses.length, 0, 'nothing sent');
    assert.doesNotMatch(res.detail ?? '', /getMe/);
  });

  it('a digest is never sent', async () => {
    const digest = { ...r(), kind: 'digest' } as unknown as StoredMail;
    const res = await send(channel(), digest);
    assert.deepEqual([res.ok, res.retryable], [false, false]);
    assert.equal(sim.statuses.length, 0);
  });
});
