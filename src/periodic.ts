// SPDX-License-Identifier: GPL-3.0-or-later
// One piece of work run again and again: on start (at once unless given a first delay), then each
// time after a pause that starts when the previous run ended (runs never overlap). stop() cancels
// the next run and waits for the one in progress. The digest, the missed-run watchdog, the
// Alertmanager poller and the memory trim use it.
export class Periodic {
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<unknown> | null = null;
  private stopped = true;

  /** `work` handles its own errors; `nextDelayMs` is asked after each run. */
  constructor(
    private readonly work: () => Promise<unknown>,
    private readonly nextDelayMs: () => number,
  ) {}

  /** False when it was running already. */
  start(firstDelayMs = 0): boolean {
    if (!this.stopped) return false;
    this.stopped = false;
    this.schedule(firstDelayMs);
    return true;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.running;
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.running = this.work().finally(() => {
        this.running = null;
        this.schedule(this.nextDelayMs());
      });
    }, delayMs);
    this.timer.unref?.();
  }
}
