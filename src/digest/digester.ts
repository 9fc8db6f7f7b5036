// SPDX-License-Identifier: GPL-3.0-or-later
// The digest loop (issue #14): every tick, read the durable record, ask schedule.ts whether a
// digest is due, and if so build it, render it and queue it in ONE MULTI together with the new
// record. Redis down: the tick fails, nothing is half-written, the next tick tries again.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../clock.js';
import type { Language } from '../config.js';
import type { Logger } from '../log.js';
import { Periodic } from '../periodic.js';
import type { PlanSnapshot } from '../domain/backup.js';
import type { UnownedRepoRow } from '../domain/digest.js';
import {
  firstDelivery,
  isQueued,
  moduleKeys,
  PLAN_STATE,
  type PlanState,
  type StoredDigest,
} from '../domain/records.js';
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
import type { Redis } from '../ns8/redis.js';
import type { NotifySettings } from '../domain/policy.js';
import { dedupe } from '../notify/policy.js';
import { writeMail } from '../notify/record-store.js';
import { renderDigest, type RenderedDigest } from '../report/digest.js';
import { type AcknowledgedPlan, digestContent } from './content.js';
import type { SnoozedPlan } from '../notify/silence.js';
import type { MaintenanceWindow } from '../notify/maintenance.js';
import type { ClusterApp } from './coverage.js';
import { createRunLog, type RunLogEntry } from './run-log.js';
import { digestDue, recordAfter, type DigestRecord, type DigestSettings, type DigestVerdict } from './schedule.js';

export interface DigestStore {
  loadRecord(): Promise<DigestRecord | null>;
  saveRecord(rec: DigestRecord): Promise<void>;
  planStates(): Promise<Map<number, PlanState>>;
  runLog(): Promise<RunLogEntry[]>;
  /** Stores the digest, queues it when it has recipients, and writes the record: one MULTI. */
  queue(mail: StoredDigest, rec: DigestRecord, queued: boolean): Promise<void>;
}

export interface DigesterDeps {
  digest: DigestSettings;
  notify: NotifySettings;
  mail: { to: readonly string[]; language: Language; subjectPrefix: string };
  timeZone: string;
  moduleId: string;
  readPlans(): Promise<PlanSnapshot[]>;
  readApps(): Promise<ClusterApp[]>;
  store: DigestStore;
  clock: Clock;
  log: Logger;
  /** Check period (default 1 min). */
  intervalMs?: number;
  onQueued(): void;
  newId?: () => string;
  /** Plans snoozed now (issue #24): listed in every digest. */
  readSnoozed?(nowS: number): Promise<SnoozedPlan[]>;
  /** Plans acknowledged now (issue #24): who, when and why, in every digest. */
  readAcknowledged?(): Promise<AcknowledgedPlan[]>;
  /** Maintenance windows (issue #24 item 3): listed in every digest beside the silences. */
  readMaintenance?(): Promise<MaintenanceWindow[]>;
  /** Issue #23 item 4: repositories nobody owns, read once per digest; null when NS8 did not answer. */
  readUnowned?(): Promise<UnownedRepoRow[] | null>;
  /** False on a standby instance (issue #25, one writer per namespace): only the writer sends digests. */
  mayWrite?: () => Promise<boolean>;
}

const WEEK_S = 7 * 86_400;

export class Digester {
  private readonly periodic = new Periodic(
    () => this.tick(),
    () => this.deps.intervalMs ?? 60_000,
  );

  constructor(private readonly deps: DigesterDeps) {}

  start(): void {
    if (this.deps.digest.frequency === 'off') return;
    this.periodic.start();
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One check; returns what was decided (errors are logged and retried at the next tick). */
  async tick(): Promise<DigestVerdict | { kind: 'standby' } | { kind: 'error'; error: string }> {
    try {
      if (this.deps.mayWrite && !(await this.deps.mayWrite())) return { kind: 'standby' };
      const nowS = Math.floor(this.deps.clock.now() / 1000);
      const rec = await this.deps.store.loadRecord();
      const v = digestDue(this.deps.digest, rec, nowS, this.deps.timeZone);
      if (v.kind === 'arm') {
        await this.deps.store.saveRecord(v.record);
        this.deps.log.info('digest scheduled', { schedule: v.record.schedule, zone: this.deps.timeZone });
      }
      if (v.kind === 'send') await this.send(rec!, v);
      return v;
    } catch (err) {
      this.deps.log.warning('digest check failed, will retry', { error: (err as Error).message });
      return { kind: 'error', error: (err as Error).message };
    }
  }

  /** A digest of the time since the last one (or the last week), not recorded: the test email. */
  async sample(): Promise<RenderedDigest> {
    const nowS = Math.floor(this.deps.clock.now() / 1000);
    const rec = await this.deps.store.loadRecord().catch(() => null);
    // Periods are [from, to): the sample ends after this second, so a run decided just now is in it.
    return this.render(rec?.lastSentAt ?? nowS - WEEK_S, nowS + 1, false, true);
  }

  private async render(from: number, to: number, catchUp: boolean, sample = false): Promise<RenderedDigest> {
    const [snapshots, apps, states, runLog, snoozed, acknowledged, unowned, maintenance] = await Promise.all([
      this.deps.readPlans(),
      this.deps.readApps(),
      this.deps.store.planStates(),
      this.deps.store.runLog(),
      this.deps.readSnoozed?.(Math.floor(this.deps.clock.now() / 1000)) ?? [],
      this.deps.readAcknowledged?.() ?? [],
      this.deps.readUnowned?.().catch(() => null) ?? null,
      this.deps.readMaintenance?.() ?? [],
    ]);
    const content = digestContent({
      from,
      to,
      catchUp,
      snapshots,
      apps,
      states,
      runLog,
      notify: this.deps.notify,
      snoozed,
      acknowledged,
      maintenance,
      ...(unowned ? { unowned } : {}),
    });
    return renderDigest(content, {
      language: this.deps.mail.language,
      subjectPrefix: this.deps.mail.subjectPrefix,
      timeZone: this.deps.timeZone,
      moduleId: this.deps.moduleId,
      frequency: this.deps.digest.frequency === 'daily' ? 'daily' : 'weekly',
      sample,
    });
  }

  private async send(rec: DigestRecord, v: Extract<DigestVerdict, { kind: 'send' }>): Promise<void> {
    const mail = await this.render(v.from, v.to, v.catchUp);
    const nowMs = this.deps.clock.now();
    const id =
      this.deps.newId?.() ??
      `digest-${new Date(v.slot * 1000).toISOString().replace(/[-:]/g, '').slice(0, 13)}-${randomUUID().slice(0, 8)}`;
    const digest: StoredDigest = {
      id,
      kind: 'digest',
      createdAt: nowMs,
      language: this.deps.mail.language,
      period: { from: v.from, to: v.to, slot: v.slot, catchUp: v.catchUp },
      ...mail,
      // One mail per mailbox, as for run reports (issue #25 item 11: MAIL_TO may list one twice).
      delivery: firstDelivery(dedupe(this.deps.mail.to), nowMs),
    };
    await this.deps.store.queue(digest, recordAfter(rec, v.slot, v.to, id), isQueued(digest));
    this.deps.log.info('digest queued', {
      digest: id,
      slot: new Date(v.slot * 1000).toISOString(),
      catch_up: v.catchUp,
      subject: mail.subject,
    });
    if (isQueued(digest)) this.deps.onQueued();
  }
}

/** Guard of the digest record read back: one it cannot use is armed again, as on a first start. */
export const DIGEST_RECORD: RecordShape<DigestRecord> = {
  name: 'digest record',
  problem(v) {
    if (typeof v.schedule !== 'string' || !isNumber(v.armedAt)) return 'no schedule or arming time';
    if (!isNumberOrNull(v.lastSlot) || !isNumberOrNull(v.lastSentAt)) return 'last slot or sending time not a number';
    return isStringOrNull(v.lastId) ? null : 'last digest id not a text';
  },
};

/** EDGE: the digest's records in the module namespace (module credentials, leader); `warn` names a record left out. */
export function redisDigestStore(writer: Redis, moduleId: string, warn: RecordWarn = silent): DigestStore {
  const k = moduleKeys(moduleId);
  const runLog = createRunLog(writer, k.runLog, warn);
  return {
    async loadRecord() {
      const raw = await writer.get(k.digest);
      return raw ? parseRecord(DIGEST_RECORD, raw, k.digest, warn) : null;
    },
    async saveRecord(rec) {
      await writer.set(k.digest, JSON.stringify(versioned(rec)));
    },
    async planStates() {
      const out = new Map<number, PlanState>();
      for (const [f, v] of Object.entries(await writer.hGetAll(k.plans))) {
        const state = parseRecord(PLAN_STATE, v, `${k.plans} ${f}`, warn);
        if (state) out.set(Number(f), state); // a damaged state is left out
      }
      return out;
    },
    runLog: () => runLog.read(),
    async queue(mail, rec, queued) {
      await writeMail(writer.multi(), k, mail, queued)
        .set(k.digest, JSON.stringify(versioned(rec)))
        .exec();
    },
  };
}
