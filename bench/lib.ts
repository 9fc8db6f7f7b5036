// SPDX-License-Identifier: GPL-3.0-or-later
// What the benchmarks share: statistics, the machine's load, and /metrics scrapes of a running
// service. The Python action timings are in bench/lib-agent.ts.
import { readFileSync } from 'node:fs';
import http from 'node:http';

/** The q-quantile of xs (nearest rank, 0 ≤ q ≤ 1). */
export const quantile = (xs: number[], q: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
};

/** The 1, 5 and 15 minute load averages, as `uptime` shows them. */
export const loadAverage = (): string => readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ');

/** Resident memory of a process (MB), from /proc. */
export const rssMb = (pid: number): number =>
  Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))![1]) / 1024;

/** One GET with node:http (a plain client, as Prometheus' is): status, body, ms until the last byte. */
export function timedGet(url: string): Promise<{ status: number; body: string; took: number }> {
  return new Promise((resolve, reject) => {
    const t0 = performance.now();
    http
      .get(url, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const took = performance.now() - t0;
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString(), took });
        });
      })
      .on('error', reject);
  });
}

export interface ScrapeStats {
  /** ms until the last byte, one per measured scrape. */
  latencies: number[];
  /** The background refresh each scrape started, as the next scrape reports it (ms). */
  refreshes: number[];
  bytes: number;
  series: number;
  /** backup_monitor_metrics_application_pairs_dropped, or '?'. */
  dropped: string;
}

/**
 * `scrapes` scrapes of /metrics after `warmUp` unmeasured ones. A scrape is answered from the last
 * refresh and starts the next one (at most one per 5 s), so scrapes are at least 5.1 s and three
 * refresh times apart: every refresh is over before the next scrape, as with metrics1's 1-minute
 * interval.
 */
export async function scrapeMetrics(url: string, scrapes: number, warmUp = 3): Promise<ScrapeStats> {
  const out: ScrapeStats = { latencies: [], refreshes: [], bytes: 0, series: 0, dropped: '?' };
  let gap = 5100;
  for (let i = 0; i < scrapes + warmUp; i++) {
    await new Promise((r) => setTimeout(r, gap));
    const { status, body, took } = await timedGet(url);
    if (status !== 200) throw new Error(`scrape: HTTP ${status}`);
    const refreshMs = 1000 * Number(/^backup_monitor_metrics_refresh_seconds (\S+)/m.exec(body)![1]);
    gap = Math.max(5100, 3 * refreshMs);
    if (i >= warmUp) {
      out.latencies.push(took);
      out.refreshes.push(refreshMs);
    }
    out.bytes = Buffer.byteLength(body);
    out.series = body.split('\n').filter((l) => l && !l.startsWith('#')).length;
    out.dropped = /^backup_monitor_metrics_application_pairs_dropped (\d+)/m.exec(body)?.[1] ?? '?';
  }
  return out;
}
