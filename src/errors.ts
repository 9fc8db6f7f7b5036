// SPDX-License-Identifier: GPL-3.0-or-later
// Outbound failures: a stable code, whether a retry can help, and plain words. The words and
// kinds live in the one error catalogue shared with the actions and the admin page
// (imageroot/pypkg/backup_monitor/errors.json); this file names the service's codes for the
// type checker. Tests assert on codes, never on message text.
import type { Language } from './domain/language.js';
import { readShared } from './shared.js';

export type ErrorKind = 'retryable' | 'permanent';

export interface CatalogueEntry {
  area: string;
  kind: ErrorKind;
  en: string;
  it: string;
  page?: { en: string; it: string };
}

/** Every code of the module (service, repository check, actions), with its words. */
export const CATALOGUE: Readonly<Record<string, CatalogueEntry>> = readShared<{
  codes: Record<string, CatalogueEntry>;
}>('errors.json').codes;

/** The codes the service itself raises as MonitorError (test/errors.test.ts: all in the catalogue). */
export const SERVICE_CODES = [
  'SMTP_DISABLED',
  'SMTP_NOT_CONFIGURED',
  'SMTP_CONNECTION',
  'SMTP_TIMEOUT',
  'SMTP_TLS',
  'SMTP_AUTH',
  'SMTP_REJECTED',
  'SMTP_TEMPORARY',
  'NO_RECIPIENTS',
  'ALERTMANAGER_UNREACHABLE',
  'ALERTMANAGER_TIMEOUT',
  'ALERTMANAGER_HTTP',
  'ALERTMANAGER_BAD_RESPONSE',
  'REDIS_UNAVAILABLE',
  'INTERNAL',
] as const;

export type ErrorCode = (typeof SERVICE_CODES)[number];

export const CODES = Object.fromEntries(SERVICE_CODES.map((c) => [c, CATALOGUE[c]!])) as Record<
  ErrorCode,
  CatalogueEntry
>;

/**
 * Whether asking again later can help, for any code of the module: the catalogue's `kind` is the
 * one table of it (the service's errors, the API client, the repository check). Unknown: no.
 */
export const isRetryable = (code: string): boolean => CATALOGUE[code]?.kind === 'retryable';

/** The catalogue's words for a code in a language (the code itself when it is unknown). */
export const wordsFor = (code: string, lang: Language): string => CATALOGUE[code]?.[lang] ?? code;

/** code -> words of one area of the catalogue, e.g. the repository check's for the report. */
export const areaWords = (area: string, lang: Language): Record<string, string> =>
  Object.fromEntries(
    Object.entries(CATALOGUE)
      .filter(([, e]) => e.area === area)
      .map(([c, e]) => [c, e[lang]]),
  );

export class MonitorError extends Error {
  constructor(
    readonly code: ErrorCode,
    message?: string,
    options?: { cause?: unknown },
  ) {
    super(message ?? CODES[code].en, options);
    this.name = 'MonitorError';
  }
  get retryable(): boolean {
    return isRetryable(this.code);
  }
}

/** nodemailer / socket errors -> catalogue code. */
export function classifySmtpError(err: unknown): MonitorError {
  if (err instanceof MonitorError) return err;
  const e = (err ?? {}) as { code?: string; responseCode?: number; message?: string; command?: string };
  const detail = (e.message ?? String(err)).split('\n')[0]!.slice(0, 300);
  const rc = e.responseCode ?? 0;
  let code: ErrorCode;
  if (e.code === 'EAUTH' || rc === 535 || rc === 534 || rc === 530) code = 'SMTP_AUTH';
  else if (e.code === 'ETLS' || (/certificate|self[- ]signed|TLS|SSL/i.test(detail) && e.code !== 'ECONNECTION'))
    code = 'SMTP_TLS';
  else if (e.code === 'ETIMEDOUT' || e.code === 'ETIMEOUT') code = 'SMTP_TIMEOUT';
  else if (rc >= 400 && rc < 500) code = 'SMTP_TEMPORARY';
  else if (rc >= 500 || e.code === 'EENVELOPE' || e.code === 'EMESSAGE') code = 'SMTP_REJECTED';
  else if (
    e.code === 'ECONNECTION' ||
    e.code === 'ESOCKET' ||
    e.code === 'EDNS' ||
    /ECONNREFUSED|ENOTFOUND|EHOSTUNREACH|ECONNRESET/.test(detail)
  )
    code = 'SMTP_CONNECTION';
  else code = 'SMTP_CONNECTION';
  return new MonitorError(code, `${CODES[code].en} (${detail})`, { cause: err });
}
