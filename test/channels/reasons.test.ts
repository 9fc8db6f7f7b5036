// SPDX-License-Identifier: GPL-3.0-or-later
// Which reports the channels besides email take (issues #22 and #24 item 5): what the email policy
// of their level mails, and the "⏳ Still running" notice of a stuck run, which is not a mail reason
// (MAILED: it does not count as told). One rule for the four channels, asked per report (the
// record store's fan-out) and per plan and reason (the watchdog, before a reminder is made).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { NotifyReason, StoredReport } from '../../src/domain/records.js';
import { CHANNEL_REASONS, MAILED } from '../../src/notify/decide.js';
import { channelsTake } from '../../src/channels/index.js';
import type { ChannelOptions } from '../../src/channels/options.js';
import { ntfyChannel } from '../../src/channels/ntfy/transport.js';
import { teamsChannel } from '../../src/channels/teams/transport.js';
import { telegramChannel } from '../../src/channels/telegram/transport.js';
import type { Transport } from '../../src/channels/transport.js';
import { webhookChannel } from '../../src/channels/webhook/transport.js';
import { Secret } from '../../src/secret.js';
import { report } from '../imageroot/fixtures.js';
import { fakeChannel } from './fake-transport.js';

const OPTS: ChannelOptions = { timeZone: 'Europe/Rome', moduleId: 'backup-monitor1', clusterAdminUrl: null };
type Level = 'every' | 'problems';

/** Each channel configured, at a level and for a list of plans (null = every plan). */
const CHANNELS: Record<string, (level: Level, plans: number[] | null) => Transport | null> = {
  telegram: (level, plans) =>
    telegramChannel(
      { botToken: new Secret('123:abc'), chatId: '-100', apiUrl: 'http://127.0.0.1:1', level, plans },
      OPTS,
    ),
  teams: (level, plans) =>
    teamsChannel({ webhookUrl: new Secret('https://example.org/workflows/x'), level, plans }, OPTS),
  ntfy: (level, plans) =>
    ntfyChannel({ topicUrl: new Secret('https://ntfy.example.org/backups'), token: null, level, plans }, OPTS),
  webhook: (level, plans) =>
    webhookChannel({ url: new Secret('https://example.org/hook'), secret: new Secret('s3cret'), level, plans }, OPTS),
};

const of = (reason: NotifyReason, planId = 2): StoredReport =>
  report('r', { reason, run: { ...report('r').run, planId } });

describe('the reasons channels take', () => {
  it('every mail reason and the still-running notice; the notice is not a mail reason', () => {
    for (const r of MAILED) assert.ok(CHANNEL_REASONS.has(r), r);
    assert.ok(CHANNEL_REASONS.has('stuck'));
    assert.ok(!MAILED.has('stuck'), 'a still-running notice does not count as told');
    for (const r of ['duplicate', 'muted'] as const) assert.ok(!CHANNEL_REASONS.has(r), r);
  });

  for (const [name, make] of Object.entries(CHANNELS)) {
    it(`${name}: a stuck run's notice at both levels, for its plans only`, () => {
      for (const level of ['every', 'problems'] as const) {
        const t = make(level, null)!;
        assert.ok(t.firstDelivery?.(of('stuck'), 5), `${level}: report`);
        assert.equal(t.takes?.(2, 'stuck'), true, `${level}: plan and reason`);
      }
      const listed = make('problems', [7])!;
      assert.equal(listed.firstDelivery?.(of('stuck', 2), 5), null);
      assert.equal(listed.takes?.(2, 'stuck'), false);
      assert.equal(listed.takes?.(7, 'stuck'), true);
    });

    it(`${name}: asked by plan and reason, it says what it says of a report`, () => {
      const reasons: NotifyReason[] = [...CHANNEL_REASONS, 'duplicate', 'muted'];
      for (const level of ['every', 'problems'] as const)
        for (const plans of [null, [7]])
          for (const planId of [2, 7])
            for (const reason of reasons) {
              const t = make(level, plans)!;
              assert.equal(
                t.takes?.(planId, reason),
                t.firstDelivery?.(of(reason, planId), 5) !== null,
                `${level} ${plans} plan ${planId} ${reason}`,
              );
            }
      assert.equal(make('problems', null)!.takes?.(2, 'reminder'), true);
      assert.equal(make('problems', null)!.takes?.(2, 'success'), false);
    });
  }

  it('channelsTake: any configured channel that takes the plan and reason; email is not asked', () => {
    const email = fakeChannel(() => 0).transport; // a channel without a plan rule of its own
    const chat = CHANNELS.telegram!('problems', [3])!;
    const take = channelsTake([email, chat]);
    assert.equal(take(3, 'reminder'), true);
    assert.equal(take(2, 'reminder'), false);
    assert.equal(take(3, 'success'), false);
    assert.equal(channelsTake([email])(3, 'reminder'), false);
  });
});
