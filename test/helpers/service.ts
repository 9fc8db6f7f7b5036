// SPDX-License-Identifier: GPL-3.0-or-later
// Starts the real service against a test Redis, the way the image does: a child process running
// the compiled dist/ on the image's Node version with its node flags (one definition:
// build-images.sh, read by scripts/entrypoint.mjs), configured by environment variables only.
// dist/ is compiled once per source state (a hash of src/ and the tsconfigs), under a lock, so
// parallel test files share one build (~3 s) and a stale dist/ is never run.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { loadConfig } from '../../src/config.js';
import { memoryLogger } from '../../src/log.js';
import { startService, type RunningService, type ServiceOptions } from '../../src/service.js';
import { REPO_ROOT, productionCommand, shippedNode } from '../../scripts/entrypoint.mjs';
import { MODULE_ID, MODULE_PASSWORD, type RedisServer } from './redis-server.js';

/** What the tests' services share unless a test says otherwise. */
function testEnvironment(redis: RedisServer, env: Record<string, string>): Record<string, string> {
  return {
    MODULE_ID,
    TCP_PORT: '0',
    WAIT_SECONDS: '1',
    MAIL_TO: 'admin@example.org',
    MAIL_FROM: 'backup@example.org',
    REDIS_REPLICA_URL: `redis://127.0.0.1:${redis.port}`,
    REDIS_LEADER_URL: `redis://127.0.0.1:${redis.port}`,
    REDIS_USER: `module/${MODULE_ID}`,
    REDIS_PASSWORD: MODULE_PASSWORD,
    TZ: 'Europe/Rome',
    ALERTMANAGER_POLL_SECONDS: '0',
    REPO_CHECK_ENABLED: '0',
    // Most tests follow one run to its mail: every run is mailed (the module's default is `problems`, issue #14).
    NOTIFY_POLICY: 'always',
    ...env,
  };
}

const sourceFiles = (dir: string): string[] =>
  readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? sourceFiles(path.join(dir, e.name)) : [path.join(dir, e.name)]))
    .sort();

/** Compiles src/ into dist/ (as `npm run build`) unless dist/ was built from the same sources. */
export function ensureBuilt(): string {
  const inputs = [
    ...sourceFiles(path.join(REPO_ROOT, 'src')),
    path.join(REPO_ROOT, 'tsconfig.json'),
    path.join(REPO_ROOT, 'tsconfig.build.json'),
  ];
  const hash = createHash('sha256');
  for (const f of inputs) hash.update(f).update('\0').update(readFileSync(f)).update('\0');
  const digest = hash.digest('hex');
  const dist = path.join(REPO_ROOT, 'dist');
  const stamp = path.join(dist, '.source-hash');
  const current = () => {
    try {
      return readFileSync(stamp, 'utf8') === digest;
    } catch {
      return false;
    }
  };
  if (current()) return dist;
  const lock = path.join(REPO_ROOT, '.dist.lock');
  for (let waited = 0; ; waited += 100) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than two minutes belongs to a killed run.
      try {
        if (Date.now() - statSync(lock).mtimeMs > 120_000) rmSync(lock, { recursive: true, force: true });
      } catch {
        /* gone meanwhile */
      }
      if (waited > 180_000) throw new Error(`${lock} is held for 3 minutes`);
      spawnSync('sleep', ['0.1']);
    }
  }
  try {
    if (current()) return dist;
    const tsc = spawnSync(
      process.execPath,
      [path.join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', 'tsconfig.build.json'],
      { cwd: REPO_ROOT, encoding: 'utf8' },
    );
    if (tsc.status !== 0) throw new Error(`npm run build failed:\n${tsc.stdout}${tsc.stderr}`);
    writeFileSync(stamp, digest);
    return dist;
  } finally {
    rmSync(lock, { recursive: true, force: true });
  }
}

export interface ServiceProcess {
  port: number;
  pid: number;
  /** SIGTERM, as `podman stop`; rejects if the service exits non-zero or logged an unhandled rejection. */
  stop(): Promise<void>;
  /** Resolves with the exit code once the process is gone. */
  exited: Promise<number | null>;
}

const running = new Set<ChildProcess>();
process.once('exit', () => {
  for (const c of running) c.kill('SIGKILL');
});

/**
 * The service as the image runs it. `log.lines` are its stdout lines (journald format, the default
 * log level unless env sets LOG_LEVEL); `log.stderr` is what node itself printed.
 */
export async function startTestService(redis: RedisServer, env: Record<string, string> = {}) {
  ensureBuilt();
  const [, ...args] = productionCommand();
  // The image's node (build-images.sh's base, unpacked by scripts/shipped-node.sh), not the test runner's.
  const child = spawn(shippedNode(), args, {
    cwd: REPO_ROOT,
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what the unit passes: no NODE_OPTIONS or loader of the test runner leaks in.
    env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...testEnvironment(redis, env) },
  });
  running.add(child);
  const log = { lines: [] as string[], stderr: '' };
  let partial = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    const parts = (partial + chunk).split('\n');
    partial = parts.pop()!;
    log.lines.push(...parts);
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    log.stderr += chunk;
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once('exit', (code) => {
      running.delete(child);
      resolve(code);
    }),
  );
  const output = () => `stdout:\n${log.lines.join('\n')}${partial}\nstderr:\n${log.stderr}`;

  const port = await new Promise<number>((resolve, reject) => {
    // Generous: on the shared 2-core machine a cold node start has taken more than 20 s.
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the service did not get ready in 60 s\n${output()}`));
    }, 60_000);
    const look = () => {
      const ready = log.lines.map((l) => /^<6>backup monitor ready listen=[^ ]*:(\d+)/.exec(l)).find(Boolean);
      if (ready) {
        clearTimeout(timer);
        child.stdout!.off('data', look);
        resolve(Number(ready[1]));
      }
    };
    child.stdout!.on('data', look);
    void exited.then((code) => {
      clearTimeout(timer);
      reject(new Error(`the service exited with ${code} before it was ready\n${output()}`));
    });
  });

  const service: ServiceProcess = {
    port,
    pid: child.pid!,
    exited,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const code = await exited;
      if (code !== 0) throw new Error(`the service exited with ${code} after SIGTERM\n${output()}`);
      const crash = log.lines.find((l) => l.includes('unhandled rejection'));
      if (crash) throw new Error(`the service logged: ${crash}`);
    },
  };
  const waitMs = Number(testEnvironment(redis, env).WAIT_SECONDS) * 1000;
  /**
   * Resolves once the service has been quiet (no log line) for longer than its correlation wait
   * twice over: every trigger, correlation, queued and sent report logs a line, so "exactly one
   * mail" is checked after the work is done, not after a fixed window (issue #10 item 12).
   */
  const settled = async (quietMs = 2 * waitMs + 1500, timeoutMs = 60_000) => {
    const until = Date.now() + timeoutMs;
    let seen = -1;
    let since = Date.now();
    for (;;) {
      if (log.lines.length !== seen) {
        seen = log.lines.length;
        since = Date.now();
      } else if (Date.now() - since >= quietMs) return;
      if (Date.now() > until)
        throw new Error(`the service kept logging for ${timeoutMs} ms:\n${log.lines.slice(-5).join('\n')}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  return { service, log, settled, url: `http://127.0.0.1:${port}` };
}

/**
 * The service in this process, for the few tests that must inject what the environment cannot
 * carry (a clock that runs ahead of wall time, faster watchdog ticks). Everything else uses
 * startTestService, which runs what ships.
 */
export async function startInProcessService(
  redis: RedisServer,
  env: Record<string, string> = {},
  opts: Partial<ServiceOptions> = {},
) {
  const cfg = loadConfig(testEnvironment(redis, env));
  const log = memoryLogger();
  const service: RunningService = await startService(cfg, { log, deliveryTickMs: 200, ...opts });
  return { service, log, cfg, url: `http://127.0.0.1:${service.port}` };
}
