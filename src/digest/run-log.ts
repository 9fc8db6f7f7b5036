// SPDX-License-Identifier: GPL-3.0-or-later
// The run log: one small entry per run the pipeline decided, mailed or not (issue #14).
// Plan state keeps only the last run and history only what was mailed; the digest has to count
// every run of the period (an hourly plan on `problems` mails nothing for its 24 daily successes),
// so the pipeline appends here for every decision except a duplicate. LIST `module/<id>/runlog`,
// newest first, capped: bounded memory whatever the plans' frequency.
import type { RunReport } from '../domain/run.js';
import type { Redis } from '../ns8/redis.js';

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

export function createRunLog(writer: Redis, key: string): RunLog {
  return {
    async append(e) {
      await writer
        .multi()
        .lPush(key, JSON.stringify(e))
        .lTrim(key, 0, RUN_LOG_MAX - 1)
        .exec();
    },
    async read() {
      const out: RunLogEntry[] = [];
      for (const raw of await writer.lRange(key, 0, RUN_LOG_MAX - 1)) {
        try {
          const e = JSON.parse(raw) as RunLogEntry;
          if (typeof e.p === 'number' && typeof e.k === 'string' && typeof e.at === 'number') out.push(e);
        } catch {
          /* a damaged entry is skipped */
        }
      }
      return out;
    },
  };
}
