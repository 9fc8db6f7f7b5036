// SPDX-License-Identifier: GPL-3.0-or-later
// The email channel: the report as a mail to the cluster smarthost through the nodemailer edge
// (notify/mailer.ts, shared with the test mail). Every guarantee of the mail stays here: the same
// Message-ID on every attempt of one report, the envelope's recipients exactly as stored, and SMTP
// errors classified by the catalogue (src/errors.ts) — SMTP_AUTH or SMTP_REJECTED are permanent.
import { classifySmtpError } from '../../errors.js';
import type { Smarthost } from '../../ns8/smarthost.js';
import type { StoredMail } from '../../domain/records.js';
import { stableMessageId, type Mailer } from '../../notify/mailer.js';
import type { DeliveryResult, Transport } from '../transport.js';

export interface EmailDeps {
  mailer: Mailer;
  /** The cluster smarthost, read at each attempt (a change applies to the next one). */
  smarthost(): Promise<Smarthost>;
  /** The From address for this smarthost (MAIL_FROM or its default). */
  sender(sh: Smarthost): string;
}

/**
 * nodemailer gives up by itself (15 s to connect, 30 s of silence); this only bounds an attempt
 * that keeps trickling. A mail cut off here and accepted anyway carries the same Message-ID.
 */
const EMAIL_ATTEMPT_TIMEOUT_MS = 5 * 60_000;

/** Headers that let mail filters sort reports by plan and outcome, and digests apart. */
function headersOf(report: StoredMail): Record<string, string> {
  return report.kind === 'digest'
    ? { 'X-NS8-Backup-Digest': `${report.period.from}-${report.period.to}` }
    : { 'X-NS8-Backup-Plan': String(report.run.planId), 'X-NS8-Backup-Outcome': report.run.outcome };
}

export function emailTransport(deps: EmailDeps): Transport {
  return {
    channel: 'email',
    attemptTimeoutMs: EMAIL_ATTEMPT_TIMEOUT_MS,
    async send(report, target): Promise<DeliveryResult> {
      // Not an attempt when the smarthost cannot be read (Redis down): the error goes up.
      const sh = await deps.smarthost();
      const from = deps.sender(sh);
      try {
        const { messageId } = await deps.mailer.send(
          {
            from,
            to: [...target],
            subject: report.subject,
            text: report.text,
            html: report.html,
            messageId: stableMessageId(report.id, from),
            headers: headersOf(report),
          },
          sh,
        );
        return { ok: true, code: 'OK', retryable: false, detail: `to ${target.join(',')} as ${messageId}` };
      } catch (err) {
        const e = classifySmtpError(err);
        return { ok: false, code: e.code, retryable: e.retryable, detail: e.message };
      }
    },
  };
}
