// SPDX-License-Identifier: GPL-3.0-or-later
// Reading back what the service keeps in Redis. Every record it writes carries `v`, the version of
// its shape. A record read back may come from an older version (no `v`: read as v1 after the same
// check), a restored state dump, a newer version after a downgrade, or a hand edit, so it is
// checked before use. One that cannot be used is left out with one log line: it never stops the
// loop that reads it, and the reader carries on as if the record were absent.

/** The version of the stored shapes this version writes and reads. */
export const RECORD_VERSION = 1;

/** A record as stored. */
export type Versioned<T> = T & { v: typeof RECORD_VERSION };

/** What a guard knows of one stored record type. */
export interface RecordShape<T> {
  /** The record in the admin's words, for the log line: "plan state", "watchdog record"… */
  name: string;
  /** Why the parsed object cannot be used as a T, or null when it can. */
  problem(v: Record<string, unknown>): string | null;
  /** Only for the type: never set. */
  readonly _type?: T;
}

/** Where a reader says that a record was left out (one line per record and problem, see warnOnce). */
export type RecordWarn = (message: string, fields: { record: string; key: string; problem: string }) => void;

export const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
export const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);
export const isNumberOrNull = (v: unknown): boolean => v === null || isNumber(v);
export const isStringOrNull = (v: unknown): boolean => v === null || typeof v === 'string';

/** `rec` as it is written: with this version's `v`, first, whatever `v` it was read with. */
export function versioned<T extends object>(rec: T): Versioned<T> {
  const { v: _old, ...rest } = rec as T & { v?: unknown };
  return { v: RECORD_VERSION, ...rest } as Versioned<T>;
}

/** PURE: why `v` is not a usable record of `shape`, or null. A record without `v` is a v1 one. */
export function recordProblem<T>(shape: RecordShape<T>, v: unknown): string | null {
  if (!isObject(v)) return 'not a JSON object';
  if ('v' in v && v.v !== RECORD_VERSION) return `version ${JSON.stringify(v.v)} is not one this version reads`;
  return shape.problem(v);
}

/**
 * The record stored under `key` as a T, or null (with one `warn`) when it is not JSON or not a
 * usable T. The message never quotes the stored text: a report may hold anything.
 */
export function parseRecord<T>(shape: RecordShape<T>, raw: string, key: string, warn: RecordWarn): T | null {
  let v: unknown;
  let problem: string | null;
  try {
    v = JSON.parse(raw);
    problem = recordProblem(shape, v);
  } catch {
    problem = 'not JSON (truncated or damaged)';
  }
  if (problem === null) return v as T;
  warn(`a stored ${shape.name} cannot be used: it is left out`, { record: shape.name, key, problem });
  return null;
}

/**
 * A RecordWarn that logs each record and problem once (the readers run every minute; one line per
 * damaged record says it, a line per tick would drown the journal). Forgets after `max` records.
 */
export function warnOnce(log: { warning(msg: string, fields?: Record<string, string>): void }, max = 256): RecordWarn {
  const said = new Set<string>();
  return (message, fields) => {
    const id = `${fields.key}\n${fields.problem}`;
    if (said.has(id)) return;
    if (said.size >= max) said.clear();
    said.add(id);
    log.warning(message, fields);
  };
}

/** A RecordWarn that says nothing: for readers whose caller already reports (a scrape, a test). */
export const silent: RecordWarn = () => {};
