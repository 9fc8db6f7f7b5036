// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: one message to the smarthost with nodemailer. Failures come back classified.
import { hostname } from 'node:os';
import { MonitorError, classifySmtpError } from '../errors.js';
import { redact } from '../secret.js';
import type { Smarthost } from '../ns8/smarthost.js';

export interface OutgoingMail {
  from: string;
  to: string[];
  subject: string;
  text: string;
  html: string;
  headers?: Record<string, string>;
  /** `<id@domain>`, the same on every attempt of one report, so receivers can drop a second copy (issue #10). */
  messageId?: string;
}

/** A Message-ID that stays the same for one report across retries: the report id at the sender's domain. */
export function stableMessageId(reportId: string, from: string): string {
  const domain = /@([A-Za-z0-9.-]+)>?$/.exec(from)?.[1] ?? 'backup-monitor.invalid';
  return `<${reportId.replace(/[^A-Za-z0-9._-]/g, '')}@${domain}>`;
}

/**
 * The error without the smarthost password, also when the server repeats it in its reply (a 535
 * echoing what it was given) or in the base64 forms AUTH PLAIN and AUTH LOGIN send.
 */
function withoutPassword(e: MonitorError, sh: Smarthost): MonitorError {
  const pass = sh.password?.reveal() ?? '';
  if (pass.length < 3) return e;
  const forms = [
    pass,
    Buffer.from(pass).toString('base64'),
    Buffer.from(`\0${sh.username}\0${pass}`).toString('base64'),
    Buffer.from(`${sh.username}\0${sh.username}\0${pass}`).toString('base64'),
  ];
  if (!forms.some((f) => e.message.includes(f))) return e;
  // The cause (nodemailer's error, with the raw reply) is dropped: it would carry the password on.
  return new MonitorError(e.code, redact(e.message, forms));
}

export interface Mailer {
  send(mail: OutgoingMail, smarthost: Smarthost): Promise<{ messageId: string }>;
}

const SIMPLE_EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

/** MAIL_FROM, or the smarthost user when it is an address, or no-reply@<host> like ns8-sendmail. */
export function senderAddress(configured: string, sh: Smarthost): string {
  if (configured) return configured;
  if (SIMPLE_EMAIL.test(sh.username)) return sh.username;
  const h = hostname();
  return `no-reply@${h.includes('.') ? h : `${h}.localdomain`}`;
}

export function transportOptions(sh: Smarthost) {
  return {
    host: sh.host,
    port: sh.port,
    secure: sh.encryption === 'tls',
    requireTLS: sh.encryption === 'starttls',
    ignoreTLS: sh.encryption === 'none',
    auth: sh.username ? { user: sh.username, pass: sh.password?.reveal() ?? '' } : undefined,
    tls: { rejectUnauthorized: sh.tlsVerify },
    connectionTimeout: 15_000,
    greetingTimeout: 15_000,
    socketTimeout: 30_000,
  };
}

// nodemailer is loaded with the first mail, not at start: most of the time the service waits for
// a backup to end, and it need not hold the mail stack meanwhile (issue #10, idle memory).
let nodemailerLoad: Promise<typeof import('nodemailer')> | null = null;
const loadNodemailer = () => (nodemailerLoad ??= import('nodemailer'));

export function createMailer(): Mailer {
  return {
    async send(mail, sh) {
      if (!sh.host) throw new MonitorError('SMTP_NOT_CONFIGURED');
      if (!sh.enabled) throw new MonitorError('SMTP_DISABLED');
      if (mail.to.length === 0) throw new MonitorError('NO_RECIPIENTS');
      const { default: nodemailer } = await loadNodemailer();
      const transport = nodemailer.createTransport(transportOptions(sh));
      try {
        const info = await transport.sendMail({
          from: mail.from,
          to: mail.to,
          subject: mail.subject,
          text: mail.text,
          html: mail.html,
          headers: mail.headers,
          messageId: mail.messageId,
          disableFileAccess: true,
          disableUrlAccess: true,
        });
        return { messageId: String(info.messageId ?? '') };
      } catch (err) {
        throw withoutPassword(classifySmtpError(err), sh);
      } finally {
        transport.close();
      }
    },
  };
}
