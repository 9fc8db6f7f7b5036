// SPDX-License-Identifier: GPL-3.0-or-later
// The registry of delivery channels (issue #22): one line per channel, each a folder beside this
// file with its transport. The outbox sender tries every report on every channel it has a delivery
// for; a channel that is not configured returns no transport. Adding a channel: docs/ARCHITECTURE.md
// "Delivery seam".
import { emailTransport, type EmailDeps } from './email/transport.js';
import type { Transport } from './transport.js';
import type { Config } from '../config.js';
import type { DeliveryState, StoredReport } from '../domain/records.js';

/** What the channels may use to send: the settings (each channel reads its own) and the service's edges. */
export type ChannelDeps = EmailDeps & { config: Readonly<Config> };

/** A channel of the registry: its transport, or null when its settings leave it off. */
export type ChannelFactory = (deps: ChannelDeps) => Transport | null;

export const CHANNELS: readonly ChannelFactory[] = [emailTransport];

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
