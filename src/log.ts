// SPDX-License-Identifier: GPL-3.0-or-later
// journald-style logger: `<priority>message key=value…` on stdout, one line per event.
import type { LogLevel } from './domain/log-level.js';
import { Secret, redact } from './secret.js';

const PRIORITY: Record<LogLevel, number> = { error: 3, warning: 4, info: 6, debug: 7 };
export type Fields = Record<string, string | number | boolean | null | undefined | Secret>;

export interface Logger {
  debug(msg: string, fields?: Fields): void;
  info(msg: string, fields?: Fields): void;
  warning(msg: string, fields?: Fields): void;
  error(msg: string, fields?: Fields): void;
  child(fields: Fields): Logger;
}

const fmt = (v: Fields[string]) => {
  if (v instanceof Secret) return '<secret>';
  const s = String(v);
  return /[\s"=]/.test(s) ? JSON.stringify(s) : s;
};

export function createLogger(
  level: LogLevel = 'info',
  base: Fields = {},
  write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
  secrets: Secret[] = [],
): Logger {
  const max = PRIORITY[level];
  const emit = (lvl: LogLevel, msg: string, fields?: Fields) => {
    if (PRIORITY[lvl] > max) return;
    const all = { ...base, ...fields };
    const kv = Object.entries(all)
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => `${k}=${fmt(v)}`)
      .join(' ');
    write(redact(`<${PRIORITY[lvl]}>${msg}${kv ? ' ' + kv : ''}`.replace(/[\r\n]+/g, ' '), secrets));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warning: (m, f) => emit('warning', m, f),
    error: (m, f) => emit('error', m, f),
    child: (f) => createLogger(level, { ...base, ...f }, write, secrets),
  };
}

/** A logger that keeps lines in memory, for tests. */
export function memoryLogger(level: LogLevel = 'debug'): Logger & { lines: string[] } {
  const lines: string[] = [];
  return Object.assign(
    createLogger(level, {}, (l) => lines.push(l)),
    { lines },
  );
}
