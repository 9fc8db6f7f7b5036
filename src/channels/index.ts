// SPDX-License-Identifier: GPL-3.0-or-later
// The registry of delivery channels (issue #22): one line per channel, each a folder beside this
// file with its transport. The outbox sender tries every report on every channel it has a delivery
// for; a channel that is not configured returns no transport. Adding a channel: docs/ARCHITECTURE.md
// "Delivery seam".
import { emailTransport, type EmailDeps } from './email/transport.js';
import { ntfyChannel } from './ntfy/transport.js';
import type { ChannelOptions } from './options.js';
import { teamsChannel } from './teams/transport.js';
import { telegramChannel } from './telegram/transport.js';
import type { Transport } from './transport.js';
import { webhookChannel } from './webhook/transport.js';
import type { Config } from '../config.js';
import type { DeliveryState, NotifyReason, StoredReport } from '../domain/records.js';

/** What the channels may use to send: the settings (each channel reads its own) and the service's edges. */
export type ChannelDeps = EmailDeps & { config: Readonly<Config> };

/** A channel of the registry: its transport, or null when its settings leave it off. */
export type ChannelFactory = (deps: ChannelDeps) => Transport | null;

/** What every chat or push channel needs besides its settings: zone, module, cluster-admin address, longest run. */
export const channelOptionsOf = (cfg: Readonly<Config>): ChannelOptions => ({
  timeZone: cfg.schedule.timezone,
  moduleId: cfg.moduleId,
  clusterAdminUrl: cfg.clusterAdminUrl,
  maxRunSeconds: cfg.correlator.maxRunSeconds,
});

export const CHANNELS: readonly ChannelFactory[] = [
  emailTransport,
  (d) => telegramChannel(d.config.channels.telegram, channelOptionsOf(d.config)),
  (d) => teamsChannel(d.config.channels.teams, channelOptionsOf(d.config)),
  (d) => ntfyChannel(d.config.channels.ntfy, channelOptionsOf(d.config)),
  (d) => webhookChannel(d.config.channels.webhook, channelOptionsOf(d.config)),
];

/** The transports of the configured channels, email first. */
export const transportsFor = (deps: ChannelDeps): Transport[] =>
  CHANNELS.map((make) => make(deps)).filter((t): t is Transport => t !== null);

export type { DeliveryResult, Transport } from './transport.js';

/** The deliveries a new run report starts with on the channels besides email (record store fan-out). */
export const firstDeliveriesOf =
  (transports: readonly Transport[]) =>
  (report: StoredReport): Record<string, DeliveryState> => {
    const out: Record<string, DeliveryState> = {};
    for (const t of transports) {
      const d = t.firstDelivery?.(report, report.createdAt);
      if (d) out[t.channel] = d;
    }
    return out;
  };

/**
 * Whether a configured channel besides email takes a run report of `reason` about the plan, before
 * a report exists (issue #22): the watchdog lets a reminder through for these (notify/reminders.ts).
 */
export const channelsTake =
  (transports: readonly Transport[]) =>
  (planId: number, reason: NotifyReason): boolean =>
    transports.some((t) => t.takes?.(planId, reason) ?? false);
