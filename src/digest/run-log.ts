// SPDX-License-Identifier: GPL-3.0-or-later
// The run log: one small entry per run the pipeline decided, mailed or not (issue #14).
// Plan state keeps only the last run and history only what was mailed; the digest has to count
// every run of the period (an hourly plan on `problems` mails nothing for its 24 daily successes),
// so the pipeline appends here for every decision except a duplicate. LIST `module/<id>/runlog`,
// newest first, capped: bounded memory whatever the plans' frequency.
import type { RunReport } from '../domain/run.js';
import type { Redis } from '../ns8/redis.js';
import {
  isNumber,
  isNumberOrNull,
  isStringOrNull,
  parseRecord,
  silent,
  versioned,
  type RecordShape,
  type RecordWarn,
} from '../domain/stored-record.js';

/** Compact on purpose: thousands of these are read for one digest. Unix seconds. */
export interface RunLogEntry {
  /** Plan id. */
  p: number;
  /** Run key `<plan id>:<run start>`; an update of the same run appends again (the newest wins). */
  k: string;
  /** Outcome (SUCCESS, PARTIAL, REPO_FAILURE, MISSING, and any outcome added later). */
  o: string;
  /** Run start. */
  t: number;
  /** Sum of the modules' total size, or null when no module reported one. */
  z: number | null;
  /** Verdict of the destination check made for this run, or null when none was made. */
  h: string | null;
  /** When the run was decided (unix s): the digest period it belongs to. */
  at: number;
}

/** Guard of a run log entry read back (the digest counts what it passes). */
export const RUN_LOG_ENTRY: RecordShape<RunLogEntry> = {
  name: 'run log entry',
  problem(v) {
    if (!Number.isInteger(v.p) || typeof v.k !== 'string' || typeof v.o !== 'string') return 'no plan, run or outcome';
    if (!isNumber(v.t) || !isNumber(v.at)) return 'no run start or decision time';
    return isNumberOrNull(v.z) && isStringOrNull(v.h) ? null : 'size or destination check of the wrong type';
  },
};

/** ~100 bytes each: 10 000 entries are one month of ten hourly plans, about 1 MB. */
export const RUN_LOG_MAX = 10_000;

export function runLogEntry(run: RunReport, atMs: number): RunLogEntry {
  const sizes = run.modules.map((m) => m.totalSize).filter((z): z is number => typeof z === 'number');
  return {
    p: run.planId,
    k: run.runKey,
    o: run.outcome,
    t: run.start,
    z: sizes.length ? sizes.reduce((a, b) => a + b, 0) : null,
    h: run.destinationHealth?.verdict ?? null,
    at: Math.floor(atMs / 1000),
  };
}

export interface RunLog {
  append(e: RunLogEntry): Promise<void>;
  /** Every entry kept, newest first; damaged ones are skipped. */
  read(): Promise<RunLogEntry[]>;
}

/** `warn` says which entry was left out as unusable (stored-record.ts). */
export function createRunLog(writer: Redis, key: string, warn: RecordWarn = silent): RunLog {
  return {
    async append(e) {
      await writer
        .multi()
        .lPush(key, JSON.stringify(versioned(e)))
        .lTrim(key, 0, RUN_LOG_MAX - 1)
        .exec();
    },
    async read() {
      const out: RunLogEntry[] = [];
      const raws = await writer.lRange(key, 0, RUN_LOG_MAX - 1);
      raws.forEach((raw, i) => {
        const e = parseRecord(RUN_LOG_ENTRY, raw, `${key} ${i}`, warn);
        if (e) out.push(e);
      });
      return out;
    },
  };
}
