// SPDX-License-Identifier: GPL-3.0-or-later
// Gives the heap a waiting service no longer uses back to the system. On Node 24 V8 keeps the pages
// its collections free in a pool instead of returning them: 60 s after start the service holds
// ~42 MB anonymous memory, and half of its old space is empty. A memory-reducing collection (V8's
// `last-resort` flavour, reachable with the image's --expose-gc) returns them: about −17 MB for one
// pause of about 90 ms (README, "The service as it ships"). It runs once the start-up is over, then
// at most once per period and only when the RSS grew since the last trim, so a quiet service does
// not pay it again.
import type { Logger } from '../log.js';
import { Periodic } from '../periodic.js';

export type ReducingGc = () => void;

/** V8's memory-reducing gc() under --expose-gc (the image's entrypoint); null without the flag. */
export function reducingGc(): ReducingGc | null {
  const gc = (globalThis as { gc?: (options?: object) => void }).gc;
  if (typeof gc !== 'function') return null;
  return () => gc({ type: 'major', execution: 'sync', flavor: 'last-resort' });
}

export interface TrimOptions {
  gc: ReducingGc;
  rssBytes: () => number;
  log: Logger;
  /** The first trim, once the start-up garbage is there to give back. */
  firstDelayMs: number;
  periodMs: number;
  /** Growth of the RSS since the last trim below which a trim is skipped. */
  minGrowthBytes: number;
}

const MB = 1024 * 1024;

export class MemoryTrimmer {
  private rssAfterLastTrim = 0;
  private readonly periodic: Periodic;

  constructor(private readonly o: TrimOptions) {
    this.periodic = new Periodic(
      async () => this.tick(),
      () => o.periodMs,
    );
  }

  start(): void {
    this.periodic.start(this.o.firstDelayMs);
  }

  stop(): Promise<void> {
    return this.periodic.stop();
  }

  /** One check: true when it trimmed. */
  tick(): boolean {
    const before = this.o.rssBytes();
    if (before - this.rssAfterLastTrim < this.o.minGrowthBytes) return false;
    const started = performance.now();
    this.o.gc();
    this.rssAfterLastTrim = this.o.rssBytes();
    this.o.log.debug('memory trimmed', {
      rss_before_mb: (before / MB).toFixed(1),
      rss_after_mb: (this.rssAfterLastTrim / MB).toFixed(1),
      took_ms: (performance.now() - started).toFixed(0),
    });
    return true;
  }
}

/** Heap given back 30 s after start-up, then at most every 10 min when the RSS grew by 4 MiB. */
export const TRIM = { firstDelayMs: 30_000, periodMs: 10 * 60_000, minGrowthBytes: 4 * MB };

/**
 * The service's trimmer, started; null when there is no memory-reducing gc. `gc`: undefined = V8's
 * under --expose-gc (the image), null = never trim (tests).
 */
export function startTrimmer(gc: ReducingGc | null | undefined, log: Logger, firstDelayMs = TRIM.firstDelayMs) {
  const chosen = gc === undefined ? reducingGc() : gc;
  if (!chosen) return null;
  const trimmer = new MemoryTrimmer({
    ...TRIM,
    firstDelayMs,
    gc: chosen,
    rssBytes: () => process.memoryUsage.rss(),
    log,
  });
  trimmer.start();
  return trimmer;
}
