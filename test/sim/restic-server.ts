// SPDX-License-Identifier: GPL-3.0-or-later
// The repository server of the simulator: `rclone serve restic` with HTTP basic auth on a
// loopback port, standing in for NS8's rclone-gateway (NS8.md §6). Top-level directories are
// destination uuids, as in the gateway's combine remote. It can be stopped (connection refused),
// started again on the same port, and frozen with SIGSTOP (accepts, never answers: a hung NAS).
import { spawn, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from '../helpers/ports.js';

export const GATEWAY_USER = 'node/1';
export const GATEWAY_PASSWORD = 'node-1-gateway-secret';

export interface ResticServer {
  port: number;
  /** Where the destinations live on disk: `<dataDir>/<destination uuid>/<image>/<module uuid>`. */
  dataDir: string;
  /** restic repository URL with the credentials in it (Debian's restic 0.14 ignores RESTIC_REST_*). */
  repoUrl(dest: string, repoPath: string, creds?: { user: string; password: string }): string;
  /** Directory of one repository on disk, to break it on purpose. */
  repoDir(dest: string, repoPath: string): string;
  pid(): number | null;
  /** Stop the server: clients get "connection refused". */
  down(): Promise<void>;
  /** Start it again on the same port with the same data. */
  up(): Promise<void>;
  /** Freeze (SIGSTOP) or thaw (SIGCONT) the server: connections hang without an answer. */
  hang(on: boolean): void;
  stop(): Promise<void>;
}

function requireBinary(name: string): string {
  const found = ['/usr/bin', '/usr/local/bin', '/bin'].map((d) => path.join(d, name)).find((p) => existsSync(p));
  if (!found) throw new Error(`${name} is not installed: apt-get install ${name}`);
  return found;
}

export async function startResticServer(opts: { user?: string; password?: string } = {}): Promise<ResticServer> {
  const rclone = requireBinary('rclone');
  requireBinary('restic');
  const user = opts.user ?? GATEWAY_USER;
  const password = opts.password ?? GATEWAY_PASSWORD;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'ns8-restic-'));
  const port = await freePort();
  let child: ChildProcess | null = null;
  let frozen = false;

  const up = async () => {
    child = spawn(
      rclone,
      [
        'serve',
        'restic',
        '--addr',
        `127.0.0.1:${port}`,
        '--user',
        user,
        '--pass',
        password,
        '--cache-objects=false',
        '--config',
        '/dev/null',
        dataDir,
      ],
      { stdio: 'ignore' },
    );
    await waitForPort(port);
  };
  const down = async () => {
    const c = child;
    child = null;
    if (!c || c.exitCode !== null || c.signalCode !== null) return;
    if (frozen) {
      c.kill('SIGCONT');
      frozen = false;
    }
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await up();
  const enc = encodeURIComponent;
  return {
    port,
    dataDir,
    repoUrl: (dest, repoPath, creds = { user, password }) =>
      `rest:http://${enc(creds.user)}:${enc(creds.password)}@127.0.0.1:${port}/${dest}/${repoPath}`,
    repoDir: (dest, repoPath) => path.join(dataDir, dest, repoPath),
    pid: () => child?.pid ?? null,
    down,
    up,
    hang(on) {
      if (!child?.pid) return;
      process.kill(child.pid, on ? 'SIGSTOP' : 'SIGCONT');
      frozen = on;
    },
    async stop() {
      await down();
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Makes a real repository with real backups, as module-backup would (restic init + backup).
 * Asynchronous on purpose: the simulated API server and agent share this process.
 */
export async function makeRepository(
  url: string,
  resticPassword: string,
  opts: { snapshots?: number; time?: Date } = {},
): Promise<void> {
  const src = mkdtempSync(path.join(tmpdir(), 'ns8-src-'));
  const cache = mkdtempSync(path.join(tmpdir(), 'ns8-restic-cache-'));
  const env = { ...process.env, RESTIC_PASSWORD: resticPassword, RESTIC_CACHE_DIR: cache };
  try {
    await restic(['-r', url, 'init'], env);
    for (let i = 0; i < (opts.snapshots ?? 1); i++) {
      writeFileSync(path.join(src, `dump-${i}.sql`), `state ${i}\n`);
      const at = opts.time
        ? ['--time', new Date(opts.time.getTime() + i * 1000).toISOString().slice(0, 19).replace('T', ' ')]
        : [];
      await restic(['-r', url, 'backup', '--host', 'ns1', ...at, src], env);
    }
  } finally {
    rmSync(cache, { recursive: true, force: true });
    rmSync(src, { recursive: true, force: true });
  }
}

function restic(args: string[], env: NodeJS.ProcessEnv): Promise<void> {
  return new Promise((resolve, reject) => {
    const child = spawn('restic', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (b: Buffer) => {
      err += b.toString('utf8');
    });
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolve()
        : reject(new Error(`restic ${args[2]} failed: ${err.replace(/\/\/[^@\s]*@/g, '//<secret>@')}`)),
    );
  });
}
