// SPDX-License-Identifier: GPL-3.0-or-later
// POST /test-notification {kind: 'channel', channel}: one sample run report through a configured
// chat or push channel (issue #22 §4, the page's Send test), answered with the channel's own
// words when it refuses: 200 sent, 400 not configured, 502 the channel said no or did not answer.
import type { Config } from '../config.js';
import type { StoredReport } from '../domain/records.js';
import type { Transport } from '../channels/transport.js';
import { redact, type Secret } from '../secret.js';
import type { TestMailResult } from '../triggers/webhook.js';

/** A test must not hang the page: at most this long, or the channel's own limit if shorter. */
const TEST_TIMEOUT_MS = 30_000;

/** The sample plan's name says what the message is: no one should act on it. */
const SAMPLE_PLAN = {
  en: 'Test message from the backup monitor (no action needed)',
  it: 'Messaggio di prova del monitor dei backup (nessuna azione richiesta)',
};

/** A failed run of a sample plan: one application saved, one not; every channel's level takes it. */
export function sampleChannelReport(cfg: Readonly<Config>, planId: number, nowMs: number): StoredReport {
  const end = Math.floor(nowMs / 1000);
  const row = (moduleId: string, uiName: string, result: 'success' | 'failed') => ({
    moduleId,
    uiName,
    node: 1,
    nodeName: 'node 1',
    result,
    start: end - 300,
    end,
    totalSize: result === 'success' ? 1_073_741_824 : null,
    totalFileCount: null,
    snapshotsCount: null,
    errors: result === 'failed' ? 1 : 0,
    repoPath: `${moduleId}/00000000-0000-0000-0000-000000000000`,
  });
  const pending = { status: 'pending' as const, attempts: 0, nextAttemptAt: nowMs, lastError: null };
  return {
    id: `test-${nowMs}`,
    createdAt: nowMs,
    reason: 'first',
    language: cfg.mail.language,
    subject: SAMPLE_PLAN[cfg.mail.language],
    text: '',
    html: '',
    delivery: { ...pending, lastErrorCode: null, sentAt: null, recipients: [] },
    run: {
      runKey: `${planId}:${end - 300}`,
      planId,
      planName: SAMPLE_PLAN[cfg.mail.language],
      destinationId: 'sample',
      destinationName: 'Sample destination',
      outcome: 'PARTIAL',
      start: end - 300,
      end,
      nodes: [{ id: 1, name: 'node 1' }],
      modules: [row('nextcloud1', 'Nextcloud', 'failed'), row('mail1', 'Mail', 'success')],
      triggers: ['test'],
    },
  };
}

/** Every secret of the configured channels, so no answer can carry one back. */
function secretsOf(cfg: Readonly<Config>): Secret[] {
  return Object.values(cfg.channels).flatMap((c) =>
    c ? Object.values(c).filter((v): v is Secret => v !== null && typeof v === 'object' && 'reveal' in v) : [],
  );
}

export interface TestChannelDeps {
  config: Readonly<Config>;
  transports: readonly Transport[];
  nowMs?: () => number;
}

export function testChannelSender(deps: TestChannelDeps): (channel: string) => Promise<TestMailResult> {
  const cfg = deps.config;
  const now = deps.nowMs ?? Date.now;
  return async (channel) => {
    const t = deps.transports.find((x) => x.channel === channel && channel !== 'email');
    if (!t) {
      return {
        ok: false,
        status: 400,
        body: { ok: false, code: 'CHANNEL_OFF', error: `the ${channel} channel is not configured` },
      };
    }
    const plans = cfg.channels[channel as keyof Config['channels']]?.plans;
    const report = sampleChannelReport(cfg, plans?.[0] ?? 1, now());
    const target = t.firstDelivery?.(report, report.createdAt)?.recipients ?? [];
    const signal = AbortSignal.timeout(Math.min(t.attemptTimeoutMs, TEST_TIMEOUT_MS));
    const r = await t.send(report, target, signal).catch((err: unknown) => ({
      ok: false,
      code: signal.aborted ? 'TIMEOUT' : 'ERROR',
      retryable: true,
      detail: signal.aborted ? `no answer within ${TEST_TIMEOUT_MS / 1000} s` : String((err as Error).message),
    }));
    if (r.ok) return { ok: true, status: 200, body: { ok: true, channel, code: r.code } };
    const error = redact(r.detail ?? r.code, secretsOf(cfg));
    return { ok: false, status: 502, body: { ok: false, channel, code: r.code, error } };
  };
}
