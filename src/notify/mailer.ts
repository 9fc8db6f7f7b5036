// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: one message to the smarthost with nodemailer. Failures come back classified.
import nodemailer from 'nodemailer';
import { hostname } from 'node:os';
import { MonitorError, classifySmtpError } from '../errors.js';
import type { Smarthost } from '../ns8/smarthost.js';

export interface OutgoingMail { from: string; to: string[]; subject: string; text: string; html: string; headers?: Record<string, string> }

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
    host: sh.host, port: sh.port,
    secure: sh.encryption === 'tls',
    requireTLS: sh.encryption === 'starttls',
    ignoreTLS: sh.encryption === 'none',
    auth: sh.username ? { user: sh.username, pass: sh.password?.reveal() ?? '' } : undefined,
    tls: { rejectUnauthorized: sh.tlsVerify },
    connectionTimeout: 15_000, greetingTimeout: 15_000, socketTimeout: 30_000,
  };
}

export function createMailer(): Mailer {
  return {
    async send(mail, sh) {
      if (!sh.host) throw new MonitorError('SMTP_NOT_CONFIGURED');
      if (!sh.enabled) throw new MonitorError('SMTP_DISABLED');
      if (mail.to.length === 0) throw new MonitorError('NO_RECIPIENTS');
      const transport = nodemailer.createTransport(transportOptions(sh));
      try {
        const info = await transport.sendMail({
          from: mail.from, to: mail.to, subject: mail.subject, text: mail.text, html: mail.html,
          headers: mail.headers, disableFileAccess: true, disableUrlAccess: true,
        });
        return { messageId: String(info.messageId ?? '') };
      } catch (err) {
        throw classifySmtpError(err);
      } finally {
        transport.close();
      }
    },
  };
}
