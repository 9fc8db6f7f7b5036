// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: NS8 events on the read-only replica as `default` (module users cannot SUBSCRIBE,
// NS8.md §3). Pub/sub is fire-and-forget, so every (re)connect asks for a reconcile.
import { ns8Channels } from '../ns8/keys.js';
import type { Redis } from '../ns8/redis.js';
import type { Logger } from '../log.js';
import type { BackupEvent } from '../domain/backup.js';

export interface EventHandlers {
  backupEvent(e: BackupEvent): void;
  smarthostChanged(): void;
  moduleRemoved(moduleId: string): void;
  /** Called on every (re)subscription: events may have been missed. */
  resynced(): void;
}

/**
 * An NS8 module id: core's add-module names an instance <image name><sequence>, the image name
 * being the last path part of the image URL (agent.get_image_name_from_url), which the OCI name
 * grammar lets hold `.`, `_`, `__` and `-` runs between lowercase letters and digits.
 */
const MODULE_ID = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const MODULE_ID_MAX = 128;

const isModuleId = (v: unknown): v is string =>
  typeof v === 'string' && v.length <= MODULE_ID_MAX && MODULE_ID.test(v) && /\d$/.test(v);

/** PURE: the payload run-backup publishes, `{"node_id": 1, "backup_id": 2, "module_id": "nextcloud1"}`. */
export function parseBackupEvent(channel: string, message: string): BackupEvent | null {
  const m = /^node\/(\d+)\/event\/backup-status-changed$/.exec(channel);
  if (!m) return null; // only nodes publish this event; other sources are not trusted (NS8.md §4.1)
  let v: unknown;
  try {
    v = JSON.parse(message);
  } catch {
    return null;
  }
  if (typeof v !== 'object' || v === null) return null;
  const o = v as Record<string, unknown>;
  const planId = Number(o.backup_id);
  const nodeId = Number(o.node_id);
  if (!Number.isInteger(planId) || planId < 1 || !isModuleId(o.module_id)) return null;
  if (nodeId !== Number(m[1])) return null;
  return { nodeId, planId, moduleId: o.module_id };
}

export async function subscribeBackupEvents(sub: Redis, h: EventHandlers, log: Logger): Promise<void> {
  await sub.pSubscribe(ns8Channels.backupStatusChanged, (message, channel) => {
    const e = parseBackupEvent(channel, message);
    if (!e) {
      log.warning('ignored malformed backup event', { channel: channel.slice(0, 100) });
      return;
    }
    h.backupEvent(e);
  });
  await sub.subscribe(ns8Channels.smarthostChanged, () => h.smarthostChanged());
  await sub.subscribe(ns8Channels.moduleRemoved, (message) => {
    try {
      const m = (JSON.parse(message) as { module?: unknown }).module;
      if (typeof m === 'string') h.moduleRemoved(m);
    } catch {
      /* not ours to fix */
    }
  });
  // node-redis re-subscribes by itself after a reconnect; what was published meanwhile is lost.
  sub.on('ready', () => h.resynced());
}
