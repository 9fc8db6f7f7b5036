// SPDX-License-Identifier: GPL-3.0-or-later
// Issues #22/#23/#24 on each channel: what the channel message (report/channel-message.ts) says
// about a snooze's end, an escalation, a repository another plan prunes and why a run is stuck
// reaches the reader through each channel's formatter, within its own size limit (the formatters
// cut steps, never the title; the reason a run is stuck is its first step). The signed webhook's
// document stays valid against docs/webhook/v1.schema.json and carries the facts as names.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { StoredReport } from '../../src/domain/records.js';
import type { ModuleRow, RunReport } from '../../src/domain/run.js';
import { channelMessage } from '../../src/report/channel-message.js';
import { TELEGRAM_TEXT_MAX, telegramText } from '../../src/channels/telegram/format.js';
import { NTFY_MESSAGE_MAX_BYTES, ntfyRequest } from '../../src/channels/ntfy/format.js';
import { requestBytes, TEAMS_CARD_MAX_BYTES, teamsRequest } from '../../src/channels/teams/format.js';
import { boundedBody, WEBHOOK_BODY_MAX_BYTES, webhookDocument } from '../../src/channels/webhook/format.js';
import { parseTelegramHtml } from '../sim/telegram.js';
import { decodeRfc2047 } from '../sim/ntfy.js';
import { report, RUN_PLAN2 } from '../imageroot/fixtures.js';

const O = { timeZone: 'Europe/Rome', moduleId: 'backup-monitor1' };
const NOW_MS = Date.UTC(2026, 7, 9, 1, 12, 0);
const SCHEMA = JSON.parse(readFileSync(new URL('../../docs/webhook/v1.schema.json', import.meta.url), 'utf8'));
const addFormats = (addFormatsModule as unknown as { default: (a: Ajv2020) => Ajv2020 }).default;
const ajv = addFormats(new Ajv2020({ allErrors: true, strict: true }));
const validate = ajv.compile(SCHEMA);

/** What a reader of each channel sees, as one text, and whether it kept within the channel's limit. */
const CHANNELS: Record<string, (r: StoredReport) => { shown: string; fits: boolean }> = {
  telegram(r) {
    const html = telegramText(channelMessage(r, O));
    return { shown: parseTelegramHtml(html).shown, fits: html.length <= TELEGRAM_TEXT_MAX };
  },
  ntfy(r) {
    const { headers, body } = ntfyRequest(channelMessage(r, O));
    const shown = `${decodeRfc2047(headers['x-title']!)}\n${body.toString('utf8')}`;
    return { shown, fits: body.length <= NTFY_MESSAGE_MAX_BYTES };
  },
  teams(r) {
    const request = teamsRequest(channelMessage(r, O));
    const texts: string[] = [];
    const walk = (items: unknown[]) => {
      for (const e of items as Record<string, unknown>[]) {
        if (e.type === 'RichTextBlock') for (const t of e.inlines as { text: string }[]) texts.push(t.text);
        if (e.type === 'Container') walk(e.items as unknown[]);
      }
    };
    walk(request.attachments[0].content.body);
    return { shown: texts.join('\n'), fits: requestBytes(request).length <= TEAMS_CARD_MAX_BYTES };
  },
  webhook(r) {
    const body = boundedBody(r, { ...O, nowMs: NOW_MS });
    const doc: unknown = JSON.parse(body.toString('utf8'));
    assert.ok(validate(doc), ajv.errorsText(validate.errors));
    const { title, steps } = doc as { title: string; steps: string[] };
    return { shown: [title, ...steps].join('\n'), fits: body.length <= WEBHOOK_BODY_MAX_BYTES };
  },
};

/** Bidi isolates around names (report/format.ts isolate) are not words: compare without them. */
const words = (text: string) => text.replace(/[\u2066-\u2069]/g, '');

/** Long names make every channel cut: 150 applications, each with a long name. */
const many = (over: Partial<ModuleRow>): ModuleRow[] =>
  Array.from({ length: 150 }, (_, i) => ({
    ...RUN_PLAN2.modules[2]!,
    moduleId: `webtop${i + 1}`,
    uiName: `Sales & Co <webmail> application number ${i + 1} with a long name`,
    ...over,
  }));
const SAVED: RunReport = {
  ...RUN_PLAN2,
  outcome: 'SUCCESS',
  modules: RUN_PLAN2.modules.map((x) => ({ ...x, result: 'success' as const, errors: 0 })),
  retention: 30,
  retentionConflicts: [{ application: 'nextcloud1', otherPlanId: 5, otherPlanName: 'Nightly', effectiveRetention: 3 }],
};
const OPEN: RunReport = {
  ...RUN_PLAN2,
  planName: 'Weekly SMB & <friends>'.repeat(4),
  modules: many({ result: 'not_run', start: null, end: null }),
};
const LONG_FAILED: RunReport = {
  ...RUN_PLAN2,
  planName: '&<>🚀 Weekly SMB'.repeat(6),
  modules: [...RUN_PLAN2.modules, ...many({ result: 'failed', errors: 1 })],
};

const CASES: { name: string; report: StoredReport; says: RegExp }[] = [
  {
    name: "a snooze's end leads the title, long names and steps cut",
    report: report('c1', { reason: 'reminder', notice: 'snoozeEnded', run: LONG_FAILED }),
    says: /Partly failed: .*Weekly SMB – Snooze ended: /u,
  },
  {
    name: 'an escalation leads the title, in Italian',
    report: report('c2', { reason: 'reminder', notice: 'escalated', run: LONG_FAILED, language: 'it' }),
    says: /Weekly SMB – Inoltrato: /u,
  },
  {
    name: 'a plain success names the repository another plan prunes',
    report: report('c3', { reason: 'success', run: SAVED }),
    says: /Cloud \(nextcloud1\): the shared repository keeps only the last 3 snapshots, not 30, because the plan Nightly \(ID 5\) writes to it too\./,
  },
  {
    name: 'a stuck run says why first, before 150 applications not reported yet',
    report: report('c4', { reason: 'stuck', run: OPEN, stuck: { usualSeconds: 3600, maximumSeconds: 7200 } }),
    says: /has been running since 2026-08-09 03:00 CEST, longer than the maximum of 2h set for this plan\./,
  },
];

for (const [channel, format] of Object.entries(CHANNELS)) {
  describe(channel, () => {
    for (const c of CASES) {
      it(c.name, () => {
        const { shown, fits } = format(c.report);
        assert.ok(fits, 'within the channel’s limit');
        assert.match(words(shown), c.says);
      });
    }
  });
}

describe('the webhook document names the facts (optional fields of version 1)', () => {
  const doc = (r: StoredReport) => webhookDocument(r, { ...O, nowMs: NOW_MS });

  it('notice, failing_since and stuck, valid against the schema', () => {
    const ended = doc(
      report('d1', { reason: 'reminder', notice: 'snoozeEnded', failingSince: RUN_PLAN2.start - 86400 }),
    );
    assert.equal(ended.notice, 'snooze_ended');
    assert.equal(ended.failing_since, '2026-08-08T01:00:01Z');
    assert.equal(doc(report('d2', { reason: 'reminder', notice: 'escalated' })).notice, 'escalated');
    const stuck = doc(report('d3', { reason: 'stuck', stuck: { usualSeconds: 3600 } }));
    assert.deepEqual(stuck.stuck, { usual_seconds: 3600, maximum_seconds: null });
    const half = doc(report('d6', { reason: 'stuck', stuck: { usualSeconds: 1800.5, maximumSeconds: 7200 } }));
    assert.deepEqual(half.stuck, { usual_seconds: 1801, maximum_seconds: 7200 }, 'a median of two: whole seconds');
    for (const d of [ended, stuck, half]) assert.ok(validate(d), ajv.errorsText(validate.errors));
  });

  it('a report of an older version: none of them, as version 1 always was', () => {
    const d = doc(report('d4'));
    assert.ok(!('notice' in d) && !('failing_since' in d) && !('stuck' in d));
    assert.ok(validate(d), ajv.errorsText(validate.errors));
  });

  it('the schema refuses a notice it does not know (so the checks above can fail)', () => {
    assert.equal(validate({ ...doc(report('d5')), notice: 'snoozeEnded' }), false);
  });
});
