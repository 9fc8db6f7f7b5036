// SPDX-License-Identifier: GPL-3.0-or-later
// One application's backup as NS8 runs it, with real restic against `rclone serve restic`
// (issue #23). It runs the same restic commands, in the same order, with the same error
// accounting as ns8-core 4f41b35:
//   core/imageroot/usr/local/agent/bin/module-backup: `restic snapshots` (else `restic init`),
//     then `restic backup`;
//   core/imageroot/var/lib/nethserver/node/bin/run-backup process_module: `restic stats --json
//     latest` (+1 error on failure, merged into the status), +1 when module-backup failed, then
//     only after a successful backup `restic forget --prune --keep-last=<retention>` (+1 on
//     failure); the status {start, total_size, total_file_count, snapshots_count, errors, end},
//     `end` taken after the stats, before the retention; then the manifest `<repo path>.json`
//     {module_id, module_ui_name, node_fqdn, cluster_uuid, uuid, timestamp, success} next to the
//     repository (update_repopath_json: success = module-backup and retention ok), written here
//     straight into the served directory where run-backup PUTs it through the gateway's WebDAV.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

export interface NodeBackupStatus {
  start: number;
  total_size: number;
  total_file_count: number;
  snapshots_count: number;
  errors: number;
  end: number;
}

export interface BackupOptions {
  /** restic URL of the repository, gateway credentials included. */
  url: string;
  password: string;
  retention: number;
  /** Where the manifest goes: the repository's directory on disk (`<dir>.json` beside it). */
  repoDir: string;
  moduleId: string;
  /** The manifest's cluster_uuid (default: the simulator's cluster, test/sim/cluster.ts). */
  clusterUuid?: string;
  /** Bytes of the application's data in this run. */
  data?: string;
  /** The time restic stamps the snapshot with (`--time`), as a node whose clock is off would. */
  snapshotTime?: string;
}

export async function runModuleBackup(o: BackupOptions): Promise<NodeBackupStatus> {
  const start = Math.floor(Date.now() / 1000);
  const src = mkdtempSync(path.join(tmpdir(), 'ns8-state-'));
  const cache = mkdtempSync(path.join(tmpdir(), 'ns8-restic-cache-'));
  const env = { RESTIC_REPOSITORY: o.url, RESTIC_PASSWORD: o.password, RESTIC_CACHE_DIR: cache };
  try {
    writeFileSync(path.join(src, 'environment'), o.data ?? `MODULE_ID=${o.moduleId}\n`);
    // module-backup
    if ((await restic(['snapshots'], env)).code !== 0 && (await restic(['init'], env)).code !== 0)
      return finish(o, start, { errors: 2 }, false);
    const backedUp =
      (await restic(['backup', '--host', 'ns1', ...(o.snapshotTime ? ['--time', o.snapshotTime] : []), src], env))
        .code === 0;
    // run-backup: stats of the latest snapshot, then the retention after a successful backup
    const stats = await restic(['stats', '--json', 'latest'], env);
    const status = { total_size: 0, total_file_count: 0, snapshots_count: 0, errors: 0 };
    if (stats.code === 0) Object.assign(status, JSON.parse(stats.stdout));
    else status.errors += 1;
    const end = Math.floor(Date.now() / 1000);
    let success = backedUp;
    if (!backedUp) status.errors += 1;
    else if ((await restic(['forget', '--prune', `--keep-last=${o.retention}`], env)).code !== 0) {
      success = false;
      status.errors += 1;
    }
    return finish(o, start, { ...status, end }, success);
  } finally {
    rmSync(src, { recursive: true, force: true });
    rmSync(cache, { recursive: true, force: true });
  }
}

function finish(o: BackupOptions, start: number, s: Partial<NodeBackupStatus>, success: boolean): NodeBackupStatus {
  const status: NodeBackupStatus = {
    start,
    total_size: 0,
    total_file_count: 0,
    snapshots_count: 0,
    errors: 0,
    end: Math.floor(Date.now() / 1000),
    ...s,
  };
  mkdirSync(path.dirname(o.repoDir), { recursive: true });
  const uuid = path.basename(o.repoDir);
  const manifest = {
    module_id: o.moduleId,
    module_ui_name: '',
    node_fqdn: 'ns1.example.org',
    cluster_uuid: o.clusterUuid ?? '3f6c2a1e-8b4d-4c2a-9e71-5d0b8a6f4c13',
    uuid,
    timestamp: Math.floor(Date.now() / 1000),
    success,
  };
  writeFileSync(`${o.repoDir}.json`, JSON.stringify(manifest));
  return status;
}

/**
 * Another restic operation holding a (non-exclusive) lock on the repository, as a stuck backup
 * or a stale lock after an update does (NethServer/dev#8077): backups still work, `forget
 * --prune` needs the exclusive lock and fails. `release()` ends it.
 */
export async function holdLock(url: string, password: string): Promise<{ release(): Promise<void> }> {
  const cache = mkdtempSync(path.join(tmpdir(), 'ns8-restic-cache-'));
  const child: ChildProcess = spawn('restic', ['backup', '--stdin', '--stdin-filename', 'dump.sql', '--host', 'ns9'], {
    env: {
      PATH: process.env.PATH ?? '/usr/bin:/bin',
      RESTIC_REPOSITORY: url,
      RESTIC_PASSWORD: password,
      RESTIC_CACHE_DIR: cache,
    },
    stdio: ['pipe', 'ignore', 'ignore'],
  });
  // The lock file appears once restic has opened the repository: wait until `forget` would see it.
  const env = { RESTIC_REPOSITORY: url, RESTIC_PASSWORD: password, RESTIC_CACHE_DIR: cache };
  for (let i = 0; i < 100; i++) {
    const r = await restic(['list', 'locks', '--no-lock'], env);
    if (r.stdout.trim()) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  return {
    async release() {
      await new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      });
      rmSync(cache, { recursive: true, force: true });
    },
  };
}

function restic(
  args: string[],
  env: Record<string, string>,
): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('restic', args, { env: { PATH: process.env.PATH ?? '/usr/bin:/bin', ...env } });
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
