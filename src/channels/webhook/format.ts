// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: a run report as the signed webhook's JSON document, version 1 (docs/WEBHOOK.md, schema in
// docs/webhook/v1.schema.json). The words (title, steps, "what to do", where to open the plan)
// come from report/channel-message.ts; the rest is stable names and numbers for a machine: an RMM,
// a ticketing system, n8n or a dead-man's switch. The document is a contract: within version 1 a
// field is only ever added, never renamed, removed or given another type or meaning.
import { createHash, createHmac } from 'node:crypto';
import type { StoredReport } from '../../domain/records.js';
import type { ModuleRow } from '../../domain/run.js';
import { channelMessage, type ChannelMessageOptions } from '../../report/channel-message.js';
import { clean, LINE_MAX, NAME_MAX } from '../../report/format.js';
import { STRINGS } from '../../report/strings.js';

export const WEBHOOK_VERSION = 1;
/** The largest body we send: far below the megabytes common receivers accept (n8n: 16 MiB by default). */
export const WEBHOOK_BODY_MAX_BYTES = 64 * 1024;
/** Applications listed at most; `applications_omitted` counts the others. */
export const WEBHOOK_APPLICATIONS_MAX = 100;
/** Error lines kept per application (the last ones: the cluster log's closest to the failure). */
const ERROR_LINES_MAX = 3;
/** Longest title and step, in characters: a hostile plan name cannot make either unbounded. */
const TITLE_MAX = 300;
const STEP_MAX = 600;
const CUT = '…';

export interface WebhookApplication {
  id: string;
  name: string;
  node: { id: number; name: string } | null;
  result: ModuleRow['result'];
  size_bytes: number | null;
  error: string | null;
}

export interface WebhookDocumentV1 {
  version: 1;
  id: string;
  report_id: string;
  sent_at: string;
  module_id: string;
  plan: { id: number; name: string };
  destination: { id: string; name: string };
  outcome: StoredReport['run']['outcome'];
  reason: StoredReport['reason'];
  tone: 'success' | 'warning' | 'failure';
  title: string;
  steps_title: string;
  steps: string[];
  counts: { saved: number; failed: number; not_run: number; total: number };
  run: { start: string | null; end: string | null };
  link: string | null;
  open: string;
  open_label: string;
  language: StoredReport['language'];
  applications: WebhookApplication[];
  applications_omitted: number;
  /** Added within v1 (issue #24): what the title leads with besides the run; absent for a plain report. */
  notice?: 'snooze_ended' | 'escalated';
  /** Added within v1: when the plan's failure streak began (the title's "failing for 3 days"); absent when none is known. */
  failing_since?: string;
  /** Added within v1 (issue #24 item 5), on reason `stuck` only: why the run counts as stuck. */
  stuck?: { usual_seconds: number | null; maximum_seconds: number | null };
}

/**
 * The delivery id: the same on every attempt of one report, across restarts and a restore (made
 * of the report id only), so a receiver drops a retry it already handled. A UUID-shaped SHA-256.
 */
export function deliveryIdOf(reportId: string): string {
  const h = createHash('sha256').update(`webhook:${reportId}`).digest('hex');
  const variant = ((Number.parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-8${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** Unix s as ISO 8601 UTC to the second ("2026-08-09T01:00:02Z"). */
const isoOf = (s: number): string => new Date(s * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
/** A run time; null for 0 (a run without any status has no time). */
const isoOfSeconds = (s: number): string | null => (s > 0 ? isoOf(s) : null);

/** Failed first, then not run, then saved: the first hundred are the ones to act on. */
const ORDER: Record<ModuleRow['result'], number> = { failed: 0, not_run: 1, success: 2 };

function applicationOf(m: ModuleRow, language: StoredReport['language']): WebhookApplication {
  const lines = (m.errorLines ?? []).slice(-ERROR_LINES_MAX).map((l) => clean(l, LINE_MAX));
  const problem = m.statusProblem ? STRINGS[language].statusProblem[m.statusProblem] : null;
  return {
    id: clean(m.moduleId, NAME_MAX),
    name: clean(m.uiName || m.moduleId, NAME_MAX),
    node: m.node === null ? null : { id: m.node, name: clean(m.nodeName, NAME_MAX) },
    result: m.result,
    size_bytes: m.totalSize,
    error: lines.length > 0 ? lines.join('\n') : problem,
  };
}

const count = (rows: readonly ModuleRow[], r: ModuleRow['result']) => rows.filter((m) => m.result === r).length;

/** The document for one attempt: `nowMs` is when it is sent; everything else is the report's. */
export function webhookDocument(
  report: StoredReport,
  o: ChannelMessageOptions & { nowMs: number },
  applicationsMax = WEBHOOK_APPLICATIONS_MAX,
): WebhookDocumentV1 {
  const m = channelMessage(report, o);
  const { run } = report;
  const rows = [...run.modules].sort((a, b) => ORDER[a.result] - ORDER[b.result]);
  const shown = rows.slice(0, applicationsMax);
  return {
    version: WEBHOOK_VERSION,
    id: deliveryIdOf(report.id),
    report_id: report.id,
    sent_at: isoOf(Math.floor(o.nowMs / 1000)),
    module_id: o.moduleId,
    plan: { id: run.planId, name: clean(run.planName, NAME_MAX) },
    destination: { id: clean(run.destinationId, NAME_MAX), name: clean(run.destinationName, NAME_MAX) },
    outcome: run.outcome,
    reason: report.reason,
    tone: m.tone,
    title: clean(m.title, TITLE_MAX),
    steps_title: m.stepsTitle,
    steps: m.steps.map((s) => clean(s, STEP_MAX)),
    counts: {
      saved: count(run.modules, 'success'),
      failed: count(run.modules, 'failed'),
      not_run: count(run.modules, 'not_run'),
      total: run.modules.length,
    },
    run: { start: isoOfSeconds(run.start), end: isoOfSeconds(run.end) },
    link: m.link,
    open: m.open,
    open_label: m.openLabel,
    language: report.language,
    applications: shown.map((x) => applicationOf(x, report.language)),
    applications_omitted: rows.length - shown.length,
    ...factsOf(report),
  };
}

/** Whole seconds (a usual duration is a median: it may be a half), or null. */
const wholeOrNull = (s: number | null | undefined): number | null =>
  typeof s === 'number' && Number.isFinite(s) && s >= 0 ? Math.round(s) : null;

const NOTICE_NAMES = { snoozeEnded: 'snooze_ended', escalated: 'escalated' } as const;

/** The optional fields added within v1, each only when the report records it (never on older reports). */
function factsOf(report: StoredReport): Pick<WebhookDocumentV1, 'notice' | 'failing_since' | 'stuck'> {
  const { notice, failingSince, stuck } = report;
  return {
    ...(notice && NOTICE_NAMES[notice] ? { notice: NOTICE_NAMES[notice] } : {}),
    ...(failingSince && failingSince > 0 ? { failing_since: isoOf(failingSince) } : {}),
    ...(report.reason === 'stuck' && stuck
      ? {
          stuck: { usual_seconds: wholeOrNull(stuck.usualSeconds), maximum_seconds: wholeOrNull(stuck.maximumSeconds) },
        }
      : {}),
  };
}

/**
 * The body as sent: JSON in UTF-8 with `<`, `>`, `&` and the JavaScript line separators as \u
 * escapes, so a receiver that pastes the raw body into HTML or a script cannot be tricked by a
 * plan or application name; JSON.parse gives the very same values back.
 */
export function serialize(doc: WebhookDocumentV1): Buffer {
  const text = JSON.stringify(doc).replace(
    /[<>&\u2028\u2029]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
  return Buffer.from(text, 'utf8');
}

/**
 * The body of one attempt within WEBHOOK_BODY_MAX_BYTES: fewer applications listed first (they
 * are counted in `applications_omitted`), then the last steps cut to "…"; never the title.
 */
export function boundedBody(report: StoredReport, o: ChannelMessageOptions & { nowMs: number }): Buffer {
  const fits = (b: Buffer) => b.length <= WEBHOOK_BODY_MAX_BYTES;
  let body = serialize(webhookDocument(report, o));
  if (fits(body)) return body;
  // The most applications that fit: binary search on the count (each try is one stringify).
  let lo = 0;
  let hi = Math.min(WEBHOOK_APPLICATIONS_MAX, report.run.modules.length);
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if (fits(serialize(webhookDocument(report, o, mid)))) lo = mid;
    else hi = mid - 1;
  }
  const doc = webhookDocument(report, o, lo);
  const steps = [...doc.steps];
  body = serialize(doc);
  while (!fits(body) && steps.length > 0) {
    steps.pop();
    doc.steps = [...steps, CUT];
    body = serialize(doc);
  }
  return body;
}

/** HMAC-SHA256 of `<timestamp>.<body>` with the shared secret, as lowercase hex (docs/WEBHOOK.md). */
export function signatureOf(secret: string, timestampS: number, body: Buffer): string {
  return createHmac('sha256', secret).update(`${timestampS}.`).update(body).digest('hex');
}

export const HEADER = {
  timestamp: 'X-Backup-Monitor-Timestamp',
  signature: 'X-Backup-Monitor-Signature',
  delivery: 'X-Backup-Monitor-Delivery',
} as const;

export const USER_AGENT = `ns8-backup-monitor-webhook/${WEBHOOK_VERSION}`;

/** The headers of one attempt: JSON, who sends it, the delivery id, the time and its signature. */
export function signedHeaders(secret: string, timestampS: number, body: Buffer, deliveryId: string) {
  return {
    'content-type': 'application/json',
    'user-agent': USER_AGENT,
    [HEADER.delivery]: deliveryId,
    [HEADER.timestamp]: String(timestampS),
    [HEADER.signature]: `v1=${signatureOf(secret, timestampS, body)}`,
  };
}
