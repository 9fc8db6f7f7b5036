// SPDX-License-Identifier: GPL-3.0-or-later
// The cluster agent of the simulator (NS8.md §5.3, §5.5, §6): the task loop of test/sim/task-agent.ts
// as `cluster`. `read-backup-snapshots` runs real
// `restic snapshots --json` with the destination's password from
// `private/agents/backup_destination/restic_password`, mapped like core's 50read.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTaskLoop, type Task, type TaskResult as Result } from './task-agent.js';

export interface ClusterAgent {
  /** restic processes started so far (for the storm test) and those still running. */
  stats(): { started: number; running: number; maxRunning: number };
  stop(): Promise<void>;
}

export interface ClusterAgentOptions {
  /** Redis URL with the `cluster` credentials. */
  redisUrl: string;
  /** restic URL of `<destination>/<path>`, credentials included (the gateway's, NS8.md §6). */
  repoUrl(dest: string, repoPath: string): string;
  /** Seconds BRPOP waits; the real agent uses 5, the API server's idle check allows 8. */
  popTimeout?: number;
  /** The folder a destination's files are in (what rclone-gateway serves); none = no read-backup-repositories. */
  destinationDir?(dest: string): string;
}

export async function startClusterAgent(opts: ClusterAgentOptions): Promise<ClusterAgent> {
  const cacheDir = mkdtempSync(path.join(tmpdir(), 'ns8-restic-cache-'));
  const children = new Set<ChildProcess>();
  let started = 0;
  /** The most restic processes seen at once: the budget test's "never more than the concurrency". */
  let maxRunning = 0;
  const tasks = await startTaskLoop({
    redisUrl: opts.redisUrl,
    agentId: 'cluster',
    popTimeout: opts.popTimeout,
    handle: async (t: Task): Promise<Result> =>
      t.action === 'read-backup-snapshots'
        ? await readBackupSnapshots(t.data)
        : t.action === 'read-backup-repositories' && opts.destinationDir
          ? await readBackupRepositories(opts.destinationDir)
          : { output: '', error: `action ${t.action} is not defined\n`, exitCode: 8 },
    onStop: () => {
      for (const c of children) c.kill('SIGKILL');
    },
  });
  const rdb = tasks.rdb;

  async function readBackupSnapshots(data: unknown): Promise<Result> {
    const d = (data ?? {}) as Record<string, unknown>;
    const missing = ['repository', 'path'].filter((k) => typeof d[k] !== 'string');
    if (missing.length) {
      // The agent's JSON-schema check (validate-input.json), NS8.md §5.5.
      const errors = missing.map((k) => ({ parameter: k, error: 'required', value: '', field: k }));
      return { output: JSON.stringify(errors), error: '', exitCode: 10 };
    }
    const dest = d.repository as string;
    const password = await rdb.hGet('private/agents/backup_destination/restic_password', dest);
    if (!password)
      return { output: '', error: `Traceback (most recent call last):\nKeyError: '${dest}'\n`, exitCode: 1 };
    const r = await restic(['snapshots', '--json'], {
      RESTIC_REPOSITORY: opts.repoUrl(dest, d.path as string),
      RESTIC_PASSWORD: password,
    });
    if (r.code !== 0) return { output: '', error: r.stderr, exitCode: 1 };
    // core 50read: restic's warnings still reach the task's stderr when the exit code is 0.
    return { output: JSON.stringify(mapSnapshots(r.stdout)), error: r.stderr, exitCode: 0 };
  }

  /**
   * ns8-core 4f41b35 core/imageroot/var/lib/nethserver/cluster/actions/read-backup-repositories/50read:
   * per destination `rclone --max-depth=3 --include=config lsjson --files-only` (here on the served
   * folder, there through rclone-gateway's WebDAV), then each repository's `<image>/<uuid>.json`
   * manifest; is_generated_locally from the manifest's cluster_uuid, then installed instances from
   * cluster/module_uuid.
   */
  async function readBackupRepositories(dirOf: (dest: string) => string): Promise<Result> {
    const clusterUuid = (await rdb.get('cluster/uuid')) ?? '';
    const installed = new Map(Object.entries(await rdb.hGetAll('cluster/module_uuid')).map(([id, u]) => [u, id]));
    const out: Record<string, unknown>[] = [];
    for (const key of await rdb.keys('cluster/backup_repository/*')) {
      const dest = key.slice('cluster/backup_repository/'.length);
      const repo = await rdb.hGetAll(key);
      const dir = dirOf(dest);
      const ls = await run('rclone', ['--max-depth=3', '--include=config', 'lsjson', '--files-only', dir]);
      const files = ls.code === 0 ? (JSON.parse(ls.stdout || '[]') as { Path: string; ModTime: string }[]) : [];
      for (const f of files) {
        const parts = f.Path.split('/');
        if (parts.length !== 3) continue;
        const [prefix, uuid] = parts as [string, string];
        const meta = readManifest(path.join(dir, prefix, `${uuid}.json`));
        const id = installed.get(uuid);
        out.push({
          module_id: meta?.module_id ?? (id ? id : ''),
          module_ui_name: meta?.module_ui_name ?? '',
          node_fqdn: meta?.node_fqdn ?? '',
          path: `${prefix}/${uuid}`,
          name: prefix,
          uuid,
          timestamp: meta?.timestamp ?? Math.floor(Date.parse(f.ModTime) / 1000),
          repository_id: dest,
          repository_name: repo.name ?? '',
          repository_provider: repo.provider ?? '',
          repository_url: repo.url ?? '',
          installed_instance: id ?? '',
          installed_instance_ui_name: id ? ((await rdb.get(`module/${id}/ui_name`)) ?? '') : '',
          is_generated_locally: id ? true : meta ? meta.cluster_uuid === clusterUuid : null,
        });
      }
    }
    return { output: JSON.stringify(out), error: '', exitCode: 0 };
  }

  function run(cmd: string, args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(cmd, args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cacheDir } });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString('utf8');
      });
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString('utf8');
      });
      child.on('error', (e) => {
        stderr += String(e);
      });
      child.on('close', (code) => resolve({ code: code ?? 1, stdout, stderr }));
    });
  }

  function restic(
    args: string[],
    env: Record<string, string>,
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn('restic', args, {
        env: { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME: cacheDir, RESTIC_CACHE_DIR: cacheDir, ...env },
      });
      started++;
      children.add(child);
      maxRunning = Math.max(maxRunning, children.size);
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (b: Buffer) => {
        stdout += b.toString('utf8');
      });
      child.stderr.on('data', (b: Buffer) => {
        stderr += b.toString('utf8');
      });
      child.on('error', (e) => {
        stderr += String(e);
      });
      child.on('close', (code) => {
        children.delete(child);
        resolve({ code: code ?? 1, stdout, stderr });
      });
    });
  }

  return {
    stats: () => ({ started, running: children.size, maxRunning }),
    async stop() {
      await tasks.stop();
      rmSync(cacheDir, { recursive: true, force: true });
    },
  };
}

/** A repository's manifest (ns8-contract §2.8), or null when absent or unreadable (50read: fetch_meta). */
function readManifest(file: string): Record<string, string | number | boolean> | null {
  try {
    return JSON.parse(readFileSync(file, 'utf8')) as Record<string, string | number | boolean>;
  } catch {
    return null;
  }
}

/** core 50read: [{timestamp, id, total_bytes, backup_start, backup_end}] from `restic snapshots --json`. */
export function mapSnapshots(stdout: string): unknown[] {
  const list = JSON.parse(stdout || '[]') as { time: string; id: string; summary?: Record<string, unknown> }[];
  return list.map((s) => ({
    timestamp: Math.floor(Date.parse(s.time) / 1000),
    id: s.id,
    total_bytes: s.summary?.total_bytes_processed ?? -1,
    backup_start: s.summary?.backup_start ?? '',
    backup_end: s.summary?.backup_end ?? '',
  }));
}
