// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the module's record store in `module/<id>/…` (docs/ARCHITECTURE.md "Records in the module
// namespace"): reports, their history and index, per-plan state and the outbox (the queue of
// reports to send), written on the leader with the module's credentials. A report is stored (one
// MULTI) before any send attempt. The outbox holds one entry per report AND channel (issue #22,
// domain/records.ts outboxField); a delivery change rewrites the report with only its channel's
// state changed, re-read under a per-report lock, so two channels finishing at once lose nothing.
// Whatever reads the history and then writes it or the index runs as one change (changeHistory),
// so that the history, its index and the stored reports stay in step (bench/scale.ts found 5 plans
// decided at once leaving 19 history entries beside 110 index entries).
import {
  deliveriesOf,
  EMAIL_CHANNEL,
  HISTORY_MAX,
  outboxEntryOf,
  outboxField,
  withDelivery,
  type DeliveryState,
  HISTORY_MAX_BYTES,
  REPORT_TTL_SECONDS,
  moduleKeys,
  PLAN_STATE,
  STORED_MAIL,
  type PlanState,
  type StoredMail,
  type StoredReport,
} from '../domain/records.js';
import {
  facetsAfter,
  facetsOf,
  indexEntry,
  type HistoryFacets,
  type ReportIndexEntry,
} from '../domain/report-index.js';
import { WatchError } from 'redis';
import type { Redis } from '../ns8/redis.js';
import { isObject, parseRecord, recordProblem, silent, versioned, type RecordWarn } from '../domain/stored-record.js';

export interface RecordStore {
  planState(planId: number): Promise<PlanState | undefined>;
  /** Stores the report, the plan state and the history entry; queues it when `queue`. Atomic. */
  store(report: StoredReport, state: PlanState, queue: boolean): Promise<void>;
  saveState(state: PlanState): Promise<void>;
  /** Every queued delivery (report and channel) with its stored next attempt (unix ms), earliest first. */
  queued(): Promise<QueuedMail[]>;
  /** A queued mail, `gone` when its record no longer exists, `unreadable` when it cannot be sent as it is. */
  load(id: string): Promise<LoadedMail>;
  /** Takes a report's delivery on `channel` (default email) out of the outbox (its report is gone). */
  unqueue(id: string, channel?: string): Promise<void>;
  /**
   * Takes an unreadable report out of the outbox for good and, when it is in the history, marks
   * its index entry failed with `problem`, so the status page and list-reports say it was not mailed.
   */
  setAside(id: string, problem: string, nowMs: number, channel?: string): Promise<void>;
  /**
   * Rewrites the whole report; each channel stays queued at its delivery's `nextAttemptAt` while
   * pending, or leaves the queue (every channel when `queued` is false).
   */
  update(report: StoredMail, queued: boolean): Promise<void>;
  /**
   * The delivery of report `id` on `channel` becomes `state` (queued while pending), the rest of the
   * report as stored now. False when the report is gone or unreadable (its entry leaves the queue).
   */
  setDelivery(id: string, channel: string, state: DeliveryState): Promise<boolean>;
  /**
   * Issue #22: writes `deliveries` into the stored reports of an older version (history and
   * outbox), `delivery` as their email one. Idempotent; returns the reports rewritten.
   */
  addDeliveries(): Promise<number>;
  /** Failed reports newer than `sinceMs`, newest first (for a retry after a smarthost change). */
  recentFailed(sinceMs: number, limit?: number): Promise<StoredReport[]>;
  /** Every report queued for email becomes due now (the smarthost changed: the backoff no longer applies). */
  allDueNow(nowMs: number): Promise<number>;
  /**
   * Adds the index entry of every report in the history that has none (reports from older
   * versions), and the history's facets when they are missing. Returns the entries added.
   */
  indexMissing(): Promise<number>;
}

type Multi = ReturnType<Redis['multi']>;

/** Reports read at once by the `deliveries` migration (a report may be ~180 KB). */
const MIGRATE_CHUNK = 20;

/** Tries of a history change while another connection keeps changing the history (WATCH). */
const HISTORY_CHANGE_TRIES = 5;

export interface QueuedMail {
  id: string;
  /** The channel (src/channels/) the delivery goes through. */
  channel: string;
  /** Unix ms, as stored (written by the wall clock of whichever process queued it). */
  nextAttemptAt: number;
}

export type LoadedMail =
  | { state: 'ok'; mail: StoredMail }
  | { state: 'gone' }
  | { state: 'unreadable'; problem: string };

/**
 * Adds to a MULTI what writing a mail (report or digest) means: its JSON with every channel's
 * delivery, expiring; the index entry of a run report unless `indexed` is false (digests are not
 * in the history, nor is a queued report the history already let go); and its places in the
 * outbox, one per channel (only `onlyChannel`'s when given): due at the delivery's next attempt
 * while it is pending and `queued`, out of the queue otherwise.
 */
export function writeMail(
  m: Multi,
  k: ReturnType<typeof moduleKeys>,
  mail: StoredMail,
  queued: boolean,
  { onlyChannel, indexed = true }: { onlyChannel?: string; indexed?: boolean } = {},
): Multi {
  const deliveries = deliveriesOf(mail);
  m.set(k.report(mail.id), JSON.stringify(versioned({ ...mail, deliveries })), { EX: REPORT_TTL_SECONDS });
  if (mail.kind !== 'digest' && indexed) m.hSet(k.index, mail.id, JSON.stringify(indexEntry(mail)));
  for (const [channel, d] of Object.entries(deliveries)) {
    if (onlyChannel !== undefined && channel !== onlyChannel) continue;
    const field = outboxField(mail.id, channel);
    if (queued && d.status === 'pending') m.hSet(k.outbox, field, String(d.nextAttemptAt));
    else m.hDel(k.outbox, field);
  }
  return m;
}

/** Runs `work` after every earlier work on the same key (this process only). */
function serialPerKey() {
  const tails = new Map<string, Promise<unknown>>();
  return <T>(key: string, work: () => Promise<T>): Promise<T> => {
    const next = (tails.get(key) ?? Promise.resolve()).then(work, work);
    const tail = next.catch(() => undefined);
    tails.set(key, tail);
    void tail.then(() => tails.get(key) === tail && tails.delete(key));
    return next;
  };
}

/** The index entry of a report set aside: what it said, if anything, now failed with the problem. */
function setAsideEntry(raw: string | undefined | null, problem: string, nowMs: number): Partial<ReportIndexEntry> {
  let entry: unknown = null;
  try {
    entry = raw ? JSON.parse(raw) : null;
  } catch {
    /* rebuilt below */
  }
  // Without an entry the list still shows the id, dated when it was set aside.
  const e: Partial<ReportIndexEntry> = isObject(entry)
    ? entry
    : { createdAt: nowMs, planId: 0, subject: '(a report that cannot be read)' };
  // Delivery before modules, as indexEntry writes them: list-reports reads what precedes modules.
  const { modules, ...head } = e;
  return {
    ...head,
    delivery: {
      status: 'failed',
      attempts: e.delivery?.attempts ?? 0,
      sentAt: null,
      recipients: e.delivery?.recipients ?? [],
      lastError: `the stored report cannot be read (${problem}); it was not mailed`,
    },
    modules: modules ?? [],
  };
}

/** The deliveries a new run report gets on the channels besides email (src/channels/ firstDelivery). */
export type FirstDeliveries = (report: StoredReport) => Record<string, DeliveryState>;

/**
 * `warn` says which stored plan state or report was left out as unusable (stored-record.ts);
 * `firstDeliveries` fans a new run report out to the other configured channels.
 */
export function createRecordStore(
  writer: Redis,
  moduleId: string,
  warn: RecordWarn = silent,
  firstDeliveries: FirstDeliveries = () => ({}),
): RecordStore {
  const k = moduleKeys(moduleId);
  const serial = serialPerKey();
  const oneHistoryChange = serialPerKey();
  const report = (raw: string, id: string) => parseRecord(STORED_MAIL, raw, k.report(id), warn);

  /**
   * Runs `change` (reads, then one MULTI) so that nothing else changes the history in between: one
   * at a time in this process, on a connection of its own with the history WATCHed, and again
   * when another connection changed it meanwhile. EVAL is not in the module user's ACL, and a
   * WATCH on the shared writer would be lifted by (or abort) the other transactions sent on it.
   */
  function changeHistory<T>(change: (c: Redis) => Promise<T>): Promise<T> {
    return oneHistoryChange('history', async () => {
      const c = await historyConnection();
      try {
        for (let tries = 1; ; tries++) {
          await c.watch(k.history);
          try {
            return await change(c);
          } catch (err) {
            if (!(err instanceof WatchError) || tries >= HISTORY_CHANGE_TRIES) throw err;
          }
        }
      } catch (err) {
        // A change that failed midway may leave its WATCH behind (or the connection broken): start
        // the next one on a fresh connection.
        dropHistoryConnection();
        throw err;
      }
    });
  }

  /**
   * The connection history changes run on, opened at the first one and kept (changes are one at a
   * time, see changeHistory), so a report or delivery update costs no connect and AUTH. It goes
   * with the writer: a writer closed (the service stops, or shuts down during an outage) closes it.
   */
  let history: Promise<Redis> | null = null;
  function historyConnection(): Promise<Redis> {
    if (history) return history;
    const c = writer.duplicate() as Redis;
    // The writer's own connection reports trouble; a writer closed meanwhile ends the reconnecting here too.
    c.on('error', () => !writer.isOpen && c.isOpen && c.destroy());
    const opened = c.connect().then(
      () => c as Redis,
      (err: unknown) => {
        if (history === opened) history = null;
        if (c.isOpen) c.destroy();
        throw err;
      },
    );
    history = opened;
    return opened;
  }
  function dropHistoryConnection(): void {
    const dropped = history;
    history = null;
    void dropped?.then(
      (c) => c.isOpen && c.destroy(),
      () => undefined,
    );
  }
  writer.on('end', dropHistoryConnection);

  /** Writes a mail; its index entry only while it is in the history (what left must not come back). */
  function writeMailChecked(mail: StoredMail, queued: boolean, onlyChannel?: string): Promise<unknown> {
    if (mail.kind === 'digest') return writeMail(writer.multi(), k, mail, queued, { onlyChannel }).exec();
    return changeHistory(async (c) => {
      const indexed = (await c.lPos(k.history, mail.id)) !== null;
      return writeMail(c.multi(), k, mail, queued, { onlyChannel, indexed }).exec();
    });
  }
  /**
   * What of the current history stays beside a new report of `newBytes`: at most HISTORY_MAX
   * entries and HISTORY_MAX_BYTES of reports plus index entries, newest first; entries whose report
   * is gone (expired) leave too, and index entries of ids not in it (`orphans`). One pipelined
   * round trip of sizes (STRLEN, never the reports), the outbox's and the index's ids and the
   * facets; one more for the index entries of what leaves. `c` watches the history.
   */
  async function historyToKeep(c: Redis, newBytes: number) {
    const ids = await c.lRange(k.history, 0, -1);
    const p = c.multi();
    for (const id of ids) p.strLen(k.report(id)).hStrLen(k.index, id);
    p.hKeys(k.outbox).hGetAll(k.facets).hKeys(k.index);
    const answers = (await p.execAsPipeline()) as unknown[];
    const size = (i: number) => Number(answers[2 * i]);
    let total = newBytes;
    let kept = 0;
    let cut = ids.length;
    const gone: string[] = [];
    for (let i = 0; i < ids.length; i++) {
      if (size(i) === 0) {
        gone.push(ids[i]!);
        continue;
      }
      total += size(i) + Number(answers[2 * i + 1]);
      if (kept + 1 >= HISTORY_MAX || total > HISTORY_MAX_BYTES) {
        cut = i;
        break;
      }
      kept++;
    }
    const dropped = [...ids.slice(cut), ...gone.filter((id) => ids.indexOf(id) < cut)];
    const queued = new Set(answers[2 * ids.length] as string[]);
    const facets = answers[2 * ids.length + 1] as HistoryFacets;
    const inHistory = new Set(ids);
    const orphans = (answers[2 * ids.length + 2] as string[]).filter((id) => !inHistory.has(id));
    const droppedEntries = dropped.length ? await c.hmGet(k.index, dropped) : [];
    // Facets missing beside a history: an older version's or a restored one, rebuilt at start.
    const known = ids.length === 0 || Object.keys(facets).length > 0;
    return { cut, gone, dropped, orphans, queued, facets: known ? facets : null, droppedEntries };
  }

  /** Re-read under the report's lock: `deliveries` = its `delivery` as email; TTL and queue as they are. */
  async function addDeliveriesTo(id: string): Promise<boolean> {
    const got = await load(id);
    if (got.state !== 'ok' || got.mail.deliveries) return false;
    const mail = versioned({ ...got.mail, deliveries: deliveriesOf(got.mail) });
    return (await writer.set(k.report(id), JSON.stringify(mail), { KEEPTTL: true, XX: true })) === 'OK';
  }

  async function load(id: string): Promise<LoadedMail> {
    const raw = await writer.get(k.report(id));
    if (raw === null) return { state: 'gone' };
    let value: unknown;
    try {
      value = JSON.parse(raw);
    } catch (err) {
      return { state: 'unreadable', problem: `not JSON (${(err as Error).message})` };
    }
    const problem = recordProblem(STORED_MAIL, value);
    if (problem || (value as StoredMail).id !== id)
      return { state: 'unreadable', problem: problem ?? 'stored under another id' };
    return { state: 'ok', mail: value as StoredMail };
  }

  return {
    async planState(planId) {
      const raw = await writer.hGet(k.plans, String(planId));
      return (raw && parseRecord(PLAN_STATE, raw, `${k.plans} ${planId}`, warn)) || undefined;
    },
    async store(given, state, queue) {
      // Email's delivery is the pipeline's (`delivery`); the other channels' come from their transports.
      const report = { ...given, deliveries: { ...firstDeliveries(given), ...deliveriesOf(given) } };
      const entry = indexEntry(report);
      const newBytes = Buffer.byteLength(JSON.stringify(versioned(report))) + Buffer.byteLength(JSON.stringify(entry));
      await changeHistory(async (c) => {
        const h = await historyToKeep(c, newBytes);
        const m = c.multi();
        // Index entries without a history id (left by older versions) go; first, so that the new
        // report's own entry, written next, stays.
        if (h.orphans.length) m.hDel(k.index, h.orphans);
        writeMail(m, k, report, true);
        if (!queue) m.hDel(k.outbox, outboxField(report.id, EMAIL_CHANNEL));
        m.hSet(k.plans, String(state.planId), JSON.stringify(versioned(state)));
        m.lPush(k.history, report.id).lTrim(k.history, 0, h.cut);
        for (const id of h.gone) m.lRem(k.history, 0, id);
        // What leaves the history takes its index entry and stored copy along, unless it still waits to be sent.
        if (h.dropped.length) m.hDel(k.index, h.dropped);
        const unsent = h.dropped.filter((id) => !h.queued.has(id));
        if (unsent.length) m.del(unsent.map(k.report));
        if (h.facets) {
          const facets = facetsAfter(h.facets, [entry], h.droppedEntries);
          m.del(k.facets).hSet(k.facets, facets);
        }
        await m.exec();
      });
    },
    async saveState(state) {
      await writer.hSet(k.plans, String(state.planId), JSON.stringify(versioned(state)));
    },
    async queued() {
      const all = await writer.hGetAll(k.outbox);
      return Object.entries(all)
        .map(([field, at]) => ({ ...outboxEntryOf(field), nextAttemptAt: Number(at) || 0 }))
        .sort((a, b) => a.nextAttemptAt - b.nextAttemptAt);
    },
    load,
    async unqueue(id, channel = EMAIL_CHANNEL) {
      await writer.hDel(k.outbox, outboxField(id, channel));
    },
    async setAside(id, problem, nowMs, channel = EMAIL_CHANNEL) {
      await changeHistory(async (c) => {
        const [inHistory, raw] = await Promise.all([c.lPos(k.history, id), c.hGet(k.index, id)]);
        const m = c.multi().hDel(k.outbox, outboxField(id, channel));
        if (inHistory !== null) m.hSet(k.index, id, JSON.stringify(setAsideEntry(raw, problem, nowMs)));
        await m.exec();
      });
    },
    async update(report, queued) {
      await serial(report.id, () => writeMailChecked(report, queued));
    },
    setDelivery(id, channel, state) {
      return serial(id, async () => {
        const got = await load(id);
        if (got.state !== 'ok') {
          await writer.hDel(k.outbox, outboxField(id, channel));
          return false;
        }
        await writeMailChecked(withDelivery(got.mail, channel, state), true, channel);
        return true;
      });
    },
    async addDeliveries() {
      const [history, outbox] = await Promise.all([writer.lRange(k.history, 0, -1), writer.hKeys(k.outbox)]);
      const ids = [...new Set([...history, ...outbox.map((f) => outboxEntryOf(f).id)])];
      let added = 0;
      for (let i = 0; i < ids.length; i += MIGRATE_CHUNK) {
        const chunk = ids.slice(i, i + MIGRATE_CHUNK);
        const raws = await writer.mGet(chunk.map(k.report));
        for (const [j, raw] of raws.entries()) {
          if (raw === null || raw.includes('"deliveries":')) continue; // gone, or already has them
          if (await serial(chunk[j]!, () => addDeliveriesTo(chunk[j]!))) added++;
        }
      }
      return added;
    },
    async recentFailed(sinceMs, limit = 50) {
      const ids = await writer.lRange(k.history, 0, limit - 1);
      if (ids.length === 0) return [];
      const raws = await writer.mGet(ids.map(k.report));
      return raws
        .map((r, i) => (r ? report(r, ids[i]!) : null))
        .filter((r): r is StoredReport => !!r && r.kind !== 'digest')
        .filter((r) => r.delivery.status === 'failed' && r.createdAt >= sinceMs);
    },
    async allDueNow(nowMs) {
      // Email's entries only: the smarthost changed, the other channels' waits still hold.
      const ids = (await writer.hKeys(k.outbox)).filter((f) => outboxEntryOf(f).channel === EMAIL_CHANNEL);
      if (ids.length) await writer.hSet(k.outbox, Object.fromEntries(ids.map((id) => [id, String(nowMs)])));
      return ids.length;
    },
    indexMissing() {
      return changeHistory(async (c) => {
        const ids = await c.lRange(k.history, 0, -1);
        // Index entries whose report left the history (an older version's delivery attempts wrote
        // them back): list-reports would show reports that are no longer there.
        const inHistory = new Set(ids);
        const orphans = (await c.hKeys(k.index)).filter((id) => !inHistory.has(id));
        if (ids.length === 0) {
          if (orphans.length) await c.multi().hDel(k.index, orphans).exec();
          return 0;
        }
        const have = await c.hmGet(k.index, ids);
        const missing = ids.filter((_, i) => have[i] == null);
        const entries: Record<string, string> = {};
        for (let i = 0; i < missing.length; i += 50) {
          const chunk = missing.slice(i, i + 50);
          const raws = await c.mGet(chunk.map(k.report));
          raws.forEach((raw, j) => {
            // Unreadable: left out (the action skips it too).
            const r = raw ? report(raw, chunk[j]!) : null;
            if (r && r.kind !== 'digest') entries[chunk[j]!] = JSON.stringify(indexEntry(r));
          });
        }
        const m = c.multi();
        if (orphans.length) m.hDel(k.index, orphans);
        if (Object.keys(entries).length) m.hSet(k.index, entries);
        // The facets of a history from before they existed, or restored without them: read the
        // whole index once, here at start, so that list-reports never has to.
        if (!(await c.exists(k.facets))) {
          const index = await c.hmGet(k.index, ids);
          const facets = facetsOf(ids.map((id, i) => entries[id] ?? index[i]).reverse());
          if (Object.keys(facets).length) m.del(k.facets).hSet(k.facets, facets);
        }
        await m.exec();
        return Object.keys(entries).length;
      });
    },
  };
}
