// SPDX-License-Identifier: GPL-3.0-or-later
// One catalogue of outbound failures: a stable code, whether a retry can help, and plain words.
// Tests assert on codes, never on message text.

export type ErrorKind = 'retryable' | 'permanent';

export const CODES = {
  SMTP_DISABLED: { kind: 'retryable', en: 'the cluster smarthost is disabled: enable it in Settings > Smarthost' },
  SMTP_NOT_CONFIGURED: { kind: 'retryable', en: 'no smarthost is configured: set it in Settings > Smarthost' },
  SMTP_CONNECTION: { kind: 'retryable', en: 'the mail server could not be reached' },
  SMTP_TIMEOUT: { kind: 'retryable', en: 'the mail server did not answer in time' },
  SMTP_TLS: { kind: 'permanent', en: 'the TLS handshake with the mail server failed (certificate or encryption settings)' },
  SMTP_AUTH: { kind: 'permanent', en: 'the mail server refused the smarthost username or password' },
  SMTP_REJECTED: { kind: 'permanent', en: 'the mail server rejected the message or its recipients' },
  SMTP_TEMPORARY: { kind: 'retryable', en: 'the mail server asked to try again later' },
  NO_RECIPIENTS: { kind: 'permanent', en: 'no recipient is configured: add one in the backup monitor settings' },
  ALERTMANAGER_UNREACHABLE: { kind: 'retryable', en: "metrics1's Alertmanager could not be reached" },
  ALERTMANAGER_TIMEOUT: { kind: 'retryable', en: "metrics1's Alertmanager did not answer in time" },
  ALERTMANAGER_HTTP: { kind: 'retryable', en: "metrics1's Alertmanager answered with an HTTP error" },
  ALERTMANAGER_BAD_RESPONSE: { kind: 'retryable', en: "metrics1's Alertmanager answered with something that is not a list of alerts" },
  REDIS_UNAVAILABLE: { kind: 'retryable', en: 'the cluster database is unreachable' },
  INTERNAL: { kind: 'permanent', en: 'an internal error occurred' },
} as const satisfies Record<string, { kind: ErrorKind; en: string }>;

export type ErrorCode = keyof typeof CODES;

export class MonitorError extends Error {
  constructor(readonly code: ErrorCode, message?: string, options?: { cause?: unknown }) {
    super(message ?? CODES[code].en, options);
    this.name = 'MonitorError';
  }
  get retryable(): boolean { return CODES[this.code].kind === 'retryable'; }
}

/** nodemailer / socket errors -> catalogue code. */
export function classifySmtpError(err: unknown): MonitorError {
  if (err instanceof MonitorError) return err;
  const e = (err ?? {}) as { code?: string; responseCode?: number; message?: string; command?: string };
  const detail = (e.message ?? String(err)).split('\n')[0]!.slice(0, 300);
  const rc = e.responseCode ?? 0;
  let code: ErrorCode;
  if (e.code === 'EAUTH' || rc === 535 || rc === 534 || rc === 530) code = 'SMTP_AUTH';
  else if (e.code === 'ETLS' || /certificate|self[- ]signed|TLS|SSL/i.test(detail) && e.code !== 'ECONNECTION') code = 'SMTP_TLS';
  else if (e.code === 'ETIMEDOUT' || e.code === 'ETIMEOUT') code = 'SMTP_TIMEOUT';
  else if (rc >= 400 && rc < 500) code = 'SMTP_TEMPORARY';
  else if (rc >= 500 || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') code = 'SMTP_REJECTED';
  else if (e.code === 'ECONNECTION' || e.code === 'ESOCKET' || e.code === 'EDNS' || /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET/.test(detail)) code = 'SMTP_CONNECTION';
  else code = 'SMTP_CONNECTION';
  return new MonitorError(code, `${CODES[code].en} (${detail})`, { cause: err });
}
