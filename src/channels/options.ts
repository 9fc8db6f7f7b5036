// SPDX-License-Identifier: GPL-3.0-or-later
// What every chat or push channel (src/channels/<kind>/) needs besides its own settings: the words
// of its messages come from report/channel-message.ts, which needs the zone, the module and the
// cluster-admin address for the plan's link.

export interface ChannelOptions {
  /** The module's time zone (SCHEDULE_TIMEZONE): when a run ran. */
  timeZone: string;
  /** The module's id (`backup-monitor1`): how to open its page when there is no link. */
  moduleId: string;
  /** The cluster-admin address (`https://leader.example.org/cluster-admin/`), or null when unknown. */
  clusterAdminUrl: string | null;
  /** MAX_RUN_SECONDS: a stuck run's message says by when its silent applications count as not run. */
  maxRunSeconds?: number;
  /** Unix ms now (a channel's Retry-After as an HTTP date); Date.now by default. */
  nowMs?: () => number;
}
