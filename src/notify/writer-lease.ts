// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: one writer per module namespace (issue #25 item 12). Two service instances on one
// `module/<id>/…` (a restore or clone started beside the old one, a unit started twice) both
// decided every run and both drained the outbox: 7 mails for 2 runs. The instance that holds the
// lease `module/<id>/writer` (STRING: its token, expiring) decides runs and sends; another stands
// by and takes over once the lease expires.
//
// The module's Redis user may not run scripts (NS8.md §3: no @scripting), and WATCH needs a
// connection of its own, so a renewal is GET + PTTL in one MULTI, then SET XX only while the
// lease is ours with more than a third of its time left: a renewal that comes that late lets
// the lease lapse instead of overwriting a successor's.
import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.js';
import type { Redis } from '../ns8/redis.js';
import { monotonicMs } from '../retry.js';

export interface WriterLease {
  /** Whether this instance is the writer now; takes or renews the lease when it is due. Rejects while Redis cannot answer. */
  holds(): Promise<boolean>;
  /** Looks every third of the lease's lifetime: the writer renews it, a standby takes it once free. */
  start(): void;
  /** Stops looking and gives the lease up (at shutdown), so a standby takes over at its next look. */
  release(): Promise<void>;
}

export interface WriterLeaseDeps {
  redis: Redis;
  /** `moduleKeys(id).writer`. */
  key: string;
  log: Logger;
  /** Lease lifetime; renewed after a third of it. Default 60 s: longer than one SMTP attempt. */
  ttlMs?: number;
  token?: string;
  monotonicMs?: () => number;
  /** This instance stood by and is now the writer: e.g. reconcile what the previous one left open. */
  onTakeover?: () => void;
}

export function createWriterLease(deps: WriterLeaseDeps): WriterLease {
  const ttlMs = deps.ttlMs ?? 60_000;
  const token = deps.token ?? randomUUID();
  const mono = deps.monotonicMs ?? monotonicMs;
  const { redis, key, log } = deps;
  /** Monotonic ms until which the lease counts as held without asking Redis. */
  let freshUntil = 0;
  /** null until the first look. */
  let held: boolean | null = null;
  let stoodBy = false;
  let timer: NodeJS.Timeout | null = null;
  let pending: Promise<boolean> | null = null;

  const changed = (now: boolean) => {
    if (now === held) return;
    held = now;
    if (now) {
      log.info('this instance writes the module records and sends the mail', { lease: key });
      if (stoodBy) deps.onTakeover?.();
    } else log.warning('another instance holds the writer lease: standing by', { lease: key });
  };

  async function ask(): Promise<boolean> {
    const asked = mono();
    try {
      const [value, pttl] = (await redis.multi().get(key).pTTL(key).exec()) as unknown as [string | null, number];
      let ok = false;
      if (value === null) ok = (await redis.set(key, token, { NX: true, PX: ttlMs })) === 'OK';
      else if (value === token && pttl > ttlMs / 3)
        ok = (await redis.set(key, token, { XX: true, PX: ttlMs })) === 'OK';
      freshUntil = ok ? asked + ttlMs / 3 : 0;
      if (!ok && value !== null && value !== token) stoodBy = true;
      changed(ok);
      return ok;
    } catch (err) {
      // Redis unreachable: nobody can write anyway. The caller's work fails and is retried (a run
      // is not dropped as if another instance had it).
      freshUntil = 0;
      throw err;
    }
  }

  const lease: WriterLease = {
    holds() {
      if (held && mono() < freshUntil) return Promise.resolve(true);
      // Concurrent callers (the outbox and a run) share one round trip.
      pending ??= ask().finally(() => {
        pending = null;
      });
      return pending;
    },
    start() {
      timer ??= setInterval(() => lease.holds().catch(() => undefined), ttlMs / 3);
      timer.unref?.();
    },
    async release() {
      if (timer) clearInterval(timer);
      timer = null;
      freshUntil = 0;
      if (!held) return;
      held = false;
      try {
        const value = await redis.get(key);
        if (value === token) await redis.del(key);
      } catch {
        /* it expires by itself */
      }
    },
  };
  return lease;
}
