// SPDX-License-Identifier: GPL-3.0-or-later
// Real parts for the repository-check tests: redis-server with NS8's ACL users, the simulated
// API server and cluster agent, `rclone serve restic` and real restic repositories.
import { randomUUID } from 'node:crypto';
import { createClient } from 'redis';
import { startRedis, MODULE_ID, MODULE_PASSWORD, type RedisServer } from '../helpers/redis-server.js';
import { seedCluster, MODULES } from '../sim/cluster.js';
import { startApiServer, grantClusterRoles, type ApiServer } from '../sim/api-server.js';
import { startClusterAgent, type ClusterAgent } from '../sim/cluster-agent.js';
import { startResticServer, GATEWAY_PASSWORD, GATEWAY_USER, type ResticServer } from '../sim/restic-server.js';
import { Secret } from '../../src/secret.js';
import type { Config } from '../../src/config.js';
import type { RunReport, ModuleRow } from '../../src/domain/run.js';

/** A module installed without the `cluster:reader` authorization. */
export const NOREADER_ID = 'noreader1';
export const NOREADER_PASSWORD = 'noreader-module-secret';

export interface Harness {
  redis: RedisServer;
  api: ApiServer;
  agent: ClusterAgent;
  restic: ResticServer;
  /** Gateway credentials the agent uses per destination (default: the right ones). */
  gatewayCreds: Map<string, { user: string; password: string }>;
  /** A new destination in Redis with its restic password; returns its uuid. */
  addDestination(name: string, resticPassword: string): Promise<string>;
  config(over?: Partial<Config['repoCheck']>, user?: string, password?: string): Pick<Config, 'repoCheck' | 'redis'>;
  stop(): Promise<void>;
}

export async function startHarness(): Promise<Harness> {
  const redis = await startRedis({ modules: { [MODULE_ID]: MODULE_PASSWORD, [NOREADER_ID]: NOREADER_PASSWORD } });
  const parts: { stop(): Promise<void> }[] = [];
  try {
    await seedCluster(redis);
    await grantClusterRoles(redis.adminUrl, {
      [`module/${MODULE_ID}`]: 'reader',
      [`module/${NOREADER_ID}`]: 'selfadm',
    });
    const restic = await startResticServer();
    parts.push(restic);
    const gatewayCreds = new Map<string, { user: string; password: string }>();
    const agent = await startClusterAgent({
      redisUrl: redis.adminUrl,
      destinationDir: (dest) => restic.repoDir(dest, ''),
      repoUrl: (dest, path) =>
        restic.repoUrl(dest, path, gatewayCreds.get(dest) ?? { user: GATEWAY_USER, password: GATEWAY_PASSWORD }),
    });
    parts.push(agent);
    const api = await startApiServer({ redisUrl: redis.adminUrl, redisPort: redis.port });
    parts.push(api);
    const admin = createClient({ url: redis.adminUrl });
    admin.on('error', () => undefined);
    await admin.connect();
    return {
      redis,
      api,
      agent,
      restic,
      gatewayCreds,
      async addDestination(name, resticPassword) {
        const id = randomUUID();
        await admin
          .multi()
          .hSet(`cluster/backup_repository/${id}`, { name, url: 'smb:ns8backup/test', provider: 'smb', basepath: '' })
          .hSet('private/agents/backup_destination/restic_password', id, resticPassword)
          .exec();
        return id;
      },
      config: (over = {}, user = `module/${MODULE_ID}`, password = MODULE_PASSWORD) => ({
        repoCheck: {
          enabled: true,
          timeout: 20,
          budget: 60,
          concurrency: 2,
          apiUrl: api.url,
          cacheSeconds: 0,
          verify: 'all',
          maxPerHour: 600,
          ...over,
        },
        redis: { replicaUrl: redis.url(), leaderUrl: redis.url(), socket: null, user, password: new Secret(password) },
      }),
      async stop() {
        admin.destroy();
        for (const p of parts.reverse()) await p.stop().catch(() => undefined);
        await redis.stop();
      },
    };
  } catch (e) {
    for (const p of parts.reverse()) await p.stop().catch(() => undefined);
    await redis.stop();
    throw e;
  }
}

const mod = (id: string) => {
  const m = MODULES.find((x) => x.id === id)!;
  const image = m.image.split('/').pop()!.split(':')[0]!;
  return { ...m, repoPath: `${image}/${m.uuid}` };
};

/** The repository path of a simulator module: `<image>/<uuid>` (NS8.md §1.8). */
export const repoPathOf = (id: string) => mod(id).repoPath;

/** A run of plan 2 ("Weekly SMB") on the given destination: results per module id. */
export function runOn(
  dest: string,
  results: Record<string, ModuleRow['result']>,
  start = Math.floor(Date.now() / 1000) - 30,
): RunReport {
  const modules: ModuleRow[] = Object.entries(results).map(([id, result]) => {
    const m = mod(id);
    return {
      moduleId: id,
      uiName: m.uiName ?? '',
      node: m.node,
      nodeName: `ns${m.node}`,
      result,
      start,
      end: start + 10,
      totalSize: 51998012876,
      totalFileCount: 1,
      snapshotsCount: 1,
      errors: result === 'failed' ? 1 : 0,
      repoPath: m.repoPath,
    };
  });
  const outcome = modules.every((m) => m.result === 'success')
    ? 'SUCCESS'
    : modules.some((m) => m.result === 'success')
      ? 'PARTIAL'
      : 'REPO_FAILURE';
  return {
    runKey: `2:${start}`,
    planId: 2,
    planName: 'Weekly SMB',
    destinationId: dest,
    destinationName: 'NAS share',
    outcome,
    start,
    end: start + 20,
    nodes: [{ id: 1, name: 'ns1' }],
    modules,
    triggers: ['event'],
  };
}
