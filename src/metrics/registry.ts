// SPDX-License-Identifier: GPL-3.0-or-later
// The prom-client registry: one gauge per model family (refilled from the model at every scrape)
// and the service's own counters (reports queued / sent / failed), which live in memory and start
// at 0 when the service starts (Prometheus' increase()/rate() handle the reset).
import { Counter, Gauge, Registry } from 'prom-client';
import { FAMILIES, type Family } from './model.js';

export interface ReportCounters {
  /** A report was stored in the outbox for sending. */
  queued(): void;
  /** One delivery attempt: sent, or failed (a report retried three times counts three failures). */
  attempt(ok: boolean): void;
}

export class MetricsRegistry implements ReportCounters {
  readonly registry = new Registry();
  private readonly gauges = new Map<string, Gauge>();
  private readonly refreshSeconds: Gauge;
  private readonly refreshedAt: Gauge;
  private readonly queuedTotal: Counter;
  private readonly sentTotal: Counter;
  private readonly failedTotal: Counter;

  constructor() {
    const registers = [this.registry];
    for (const f of Object.values(FAMILIES)) {
      this.gauges.set(f.name, new Gauge({ name: f.name, help: f.help, labelNames: [...f.labelNames], registers }));
    }
    this.refreshSeconds = new Gauge({
      name: 'backup_monitor_metrics_refresh_seconds',
      help: 'Time taken to read and map the state served by this scrape.',
      registers,
    });
    this.refreshedAt = new Gauge({
      name: 'backup_monitor_metrics_refresh_timestamp_seconds',
      help: 'When the state served by this scrape was read, unix seconds.',
      registers,
    });
    this.queuedTotal = new Counter({
      name: 'backup_monitor_reports_queued_total',
      help: 'Reports stored in the outbox for sending since the service started.',
      registers,
    });
    this.sentTotal = new Counter({
      name: 'backup_monitor_reports_sent_total',
      help: 'Reports sent through the smarthost since the service started.',
      registers,
    });
    this.failedTotal = new Counter({
      name: 'backup_monitor_report_send_failures_total',
      help: 'Failed send attempts since the service started (retries included).',
      registers,
    });
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  queued(): void {
    this.queuedTotal.inc();
  }
  attempt(ok: boolean): void {
    (ok ? this.sentTotal : this.failedTotal).inc();
  }

  /** Replaces every gauge's samples with the model's, then serializes the whole registry. */
  async render(families: Family[], refresh: { seconds: number; at: number }): Promise<string> {
    for (const f of families) {
      const g = this.gauges.get(f.name);
      if (!g) throw new Error(`metric family ${f.name} is not registered`);
      g.reset();
      for (const s of f.samples) {
        if (f.labelNames.length) g.set(s.labels, s.value);
        else g.set(s.value);
      }
    }
    this.refreshSeconds.set(refresh.seconds);
    this.refreshedAt.set(Math.floor(refresh.at));
    return await this.registry.metrics();
  }
}
