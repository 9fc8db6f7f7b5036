// SPDX-License-Identifier: GPL-3.0-or-later
// What follows a mail through the service besides the outbox itself: the /metrics counters
// (metrics/registry.ts ReportCounters, null when /metrics is off) and the `smtp` link the status
// page and /healthz show.
import type { LinkName } from '../domain/link.js';

interface Counters {
  queued(): void;
  attempt(ok: boolean): void;
}

/** A mail was queued (run report or digest): counted, and the outbox tries it now. */
export function queuedMailKicker(metrics: Counters | null, delivery: { kick(): void }): () => void {
  return () => {
    metrics?.queued();
    delivery.kick();
  };
}

/** After each delivery attempt: counted, and the `smtp` link says the refusal as "CODE: message". */
export function deliveryObserver(
  metrics: Counters | null,
  setLink: (name: LinkName, ok: boolean, error: string | null) => void,
): (ok: boolean, err: { code: string; message: string } | null) => void {
  return (ok, err) => {
    metrics?.attempt(ok);
    setLink('smtp', ok, err ? `${err.code}: ${err.message}` : null);
  };
}
