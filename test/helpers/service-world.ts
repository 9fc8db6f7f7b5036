// SPDX-License-Identifier: GPL-3.0-or-later
// The world the service's end-to-end tests share: the store tests' Redis pair (a real
// redis-server with NS8's ACLs, emptied before each test), a real SMTP sink and, when asked, the
// Telegram Bot API simulator. Before each test the sinks forget, the cluster is seeded and, when
// asked, the module is installed as the agent installs it. The in-process service gets a clock
// the test moves ahead of wall time, and `quiet` waits for the work to be done, not for a time.
import { after, afterEach, before, beforeEach } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { moduleKeys } from '../../src/domain/records.js';
import type { ServiceOptions } from '../../src/service.js';
import { installModule, runAction, type AgentOptions } from '../sim/agent-runner.js';
import { PLANS, replayRun, seedCluster } from '../sim/cluster.js';
import { startTelegramSim, type TelegramSim } from '../sim/telegram.js';
import { freePort } from './ports.js';
import { useRedisPair, type RedisPair } from './redis-pair.js';
import { MODULE_ID, type RedisServer } from './redis-server.js';
import { startInProcessService } from './service.js';
import { startSmtpSink, type SmtpSink } from './smtp-sink.js';

const K = moduleKeys(MODULE_ID);
/** The chat the Telegram channel writes to, when the world has the simulator. */
export const TELEGRAM_CHAT = '-1001234567890';
/** The watchdog ticks every 200 ms in these tests: a second is five chances to send what is due. */
const WATCHDOG_TICK_MS = 200;

export interface WorldOptions {
  /** Plans run once a year (15 June), so a clock moved days ahead finds no run "missing". */
  yearlyPlans?: boolean;
  /** Installs the module before each test, in a new state dir: `agent`, `action` work. */
  installed?: boolean;
  /** Starts the Telegram simulator; the service gets a Telegram channel at level `problems`. */
  telegram?: boolean;
  /** The file's service settings; `start(env)` adds to them. */
  env?: Record<string, string>;
}

/** What `quiet` waits for besides an empty outbox: at least so many of each. */
export interface QuietUntil {
  /** Decided runs in the run log (the pipeline appends after queueing a report). */
  runs?: number;
  mails?: number;
  telegram?: number;
  timeoutMs?: number;
}

/** Runs of Weekly SMB start this far apart: more than the tests' MAX_RUN_SECONDS (3 h), or one would update the other. */
const WEEKLY_SMB_EVERY_S = 6 * 3600;

const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

export class ServiceWorld {
  redis!: RedisServer;
  smtp!: SmtpSink;
  /** Only with `telegram: true`. */
  telegram!: TelegramSim;
  /** Only with `installed: true`: the module's state dir, in a temp dir removed after each test. */
  agent!: AgentOptions;
  /** How far the service's clock runs ahead of wall time; 0 when a test starts. */
  offsetMs = 0;
  #pair!: RedisPair;
  #root: string | undefined;

  constructor(private readonly opts: WorldOptions) {}

  /** The service's clock set to `t` (unix s). */
  clockAt(t: number): void {
    this.offsetMs = t * 1000 - Date.now();
  }

  /** The service in this process, on the world's clock, with the file's settings and `env`. */
  start(env: Record<string, string> = {}, opts: Partial<ServiceOptions> = {}) {
    const telegram: Record<string, string> = this.opts.telegram
      ? {
          TELEGRAM_BOT_TOKEN: this.telegram.token,
          TELEGRAM_API_URL: this.telegram.url,
          TELEGRAM_CHAT_ID: TELEGRAM_CHAT,
          TELEGRAM_LEVEL: 'problems',
        }
      : {};
    return startInProcessService(
      this.redis,
      { ...telegram, ...this.opts.env, ...env },
      { clock: { now: () => Date.now() + this.offsetMs }, watchdogTickMs: WATCHDOG_TICK_MS, ...opts },
    );
  }

  /**
   * The counts are reached and the outbox is empty (delivery removes a report once its sink took
   * it): the service has said what it had to. Checks the work, not a fixed time.
   */
  async quiet(until: QuietUntil): Promise<void> {
    const timeoutMs = until.timeoutMs ?? 20_000;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const [runs, queued] = await Promise.all([this.#pair.admin.lLen(K.runLog), this.#pair.admin.hLen(K.outbox)]);
      const seen = { runs, mails: this.smtp.messages.length, telegram: this.telegram?.sent.length ?? 0 };
      const short = (['runs', 'mails', 'telegram'] as const).filter((k) => seen[k] < (until[k] ?? 0));
      if (short.length === 0 && queued === 0) return;
      if (Date.now() > deadline) {
        const counts = short.map((k) => `${seen[k]}/${until[k]} ${k}`);
        throw new Error(`not quiet after ${timeoutMs} ms: ${[...counts, `${queued} queued`].join(', ')}`);
      }
      await sleep(100);
    }
  }

  /** A second of watchdog ticks: five chances to send what is due (and must not be). */
  someTicks(): Promise<void> {
    return sleep(1000);
  }

  /** The subjects of the mails so far. */
  subjects(): string[] {
    return this.smtp.messages.map((m) => m.subject ?? '');
  }

  /**
   * A stuck run of Weekly SMB (issue #24 item 5): three complete runs of a minute each, a day from
   * now (the history rule: stuck after 31 minutes), each decided; then a run in which webtop1, the
   * last application of node 2, never reports, and a second of ticks. The clock stands two
   * minutes into that run. Returns its start (unix s) and the applications that reported.
   */
  async openRunWithoutWebtop(): Promise<{ since: number; others: string[] }> {
    const apps = PLANS.find((p) => p.id === 2)!.instances;
    const t0 = Math.floor(Date.now() / 1000 / 3600) * 3600 + 24 * 3600;
    for (const i of [0, 1, 2]) {
      this.clockAt(t0 + i * WEEKLY_SMB_EVERY_S + 120);
      const startAt = t0 + i * WEEKLY_SMB_EVERY_S;
      await replayRun(this.redis, 2, Object.fromEntries(apps.map((id) => [id, { startAt }])));
      await this.quiet({ runs: i + 1 });
    }
    const since = t0 + 3 * WEEKLY_SMB_EVERY_S;
    this.clockAt(since + 120);
    const others = apps.filter((id) => id !== 'webtop1');
    await replayRun(this.redis, 2, Object.fromEntries(others.map((id) => [id, { startAt: since }])), {
      skip: ['webtop1'],
    });
    await this.someTicks();
    return { since, others };
  }

  /** Runs a module action as the agent does; it must complete. */
  async action(name: string, input: unknown) {
    const res = await runAction(name, input, this.agent);
    assert.equal(res.status, 'completed', `${name}: ${res.error}${res.output}`);
    // biome-ignore lint/suspicious/noExplicitAny: the action's output, as its validate-output.json says
    return res.output as any;
  }

  /** Registers the file's hooks (see useServiceWorld). */
  hooks(): void {
    useRedisPair((p) => {
      this.#pair = p;
      this.redis = p.server;
    });
    before(async () => {
      [this.smtp, this.telegram] = await Promise.all([
        startSmtpSink(),
        this.opts.telegram ? startTelegramSim() : (undefined as unknown as TelegramSim),
      ]);
    });
    // Whatever failed before: a server left open keeps the test process, and `npm test`, from ending (issue #25).
    after(async () => {
      await Promise.allSettled([this.telegram?.stop(), this.smtp?.stop()]);
    });
    beforeEach(() => this.#reset());
    afterEach(() => {
      if (this.#root) rmSync(this.#root, { recursive: true, force: true });
      this.#root = undefined;
    });
  }

  async #reset(): Promise<void> {
    this.smtp.messages.length = 0;
    this.smtp.envelopes.length = 0;
    if (this.telegram) this.telegram.sent.length = 0;
    this.offsetMs = 0;
    const yearly = PLANS.map((p) => ({ ...p, schedule: '*-06-15 03:00:00' }));
    await seedCluster(this.redis, { smtpPort: this.smtp.port, plans: this.opts.yearlyPlans ? yearly : PLANS });
    if (!this.opts.installed) return;
    this.#root = mkdtempSync(path.join(tmpdir(), 'bm-world-'));
    this.agent = { stateDir: path.join(this.#root, 'state'), redis: this.redis };
    assert.equal((await installModule({ ...this.agent, tcpPort: await freePort() })).status, 'completed');
  }
}

/**
 * One world per test file: call at the top level, before the file's own hooks (they run after
 * the world's, so they see an emptied, seeded Redis).
 */
export function useServiceWorld(opts: WorldOptions = {}): ServiceWorld {
  const world = new ServiceWorld(opts);
  world.hooks();
  return world;
}
