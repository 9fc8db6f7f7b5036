// SPDX-License-Identifier: GPL-3.0-or-later
// A realistic NS8 cluster written into Redis exactly as NS8 writes it (NS8.md §1, §10.2),
// and a replay of node run-backup (NS8.md §2.2): per node, modules one after another,
// HSET status + PUBLISH backup-status-changed in one MULTI, with the node's own credentials.
import { createClient } from 'redis';
import { nodePassword, type RedisServer } from '../helpers/redis-server.js';
import type { BackupPlan } from '../../src/domain/backup.js';
import { moduleKeys } from '../../src/domain/records.js';

export const DEST_B2 = '0c9b7e52-1f3a-5d8e-a4c6-7b2e9f10d3a8';
export const DEST_SMB = '8e4a1d77-2b6c-5f09-b3e1-46c9d0a7f2b5';

export interface SimModule {
  id: string;
  node: number;
  uuid: string;
  image: string;
  uiName?: string;
  flags?: string[];
}

export const MODULES: SimModule[] = [
  {
    id: 'samba1',
    node: 1,
    uuid: '1a7e5c3d-9f2b-4e68-8c10-3d5a7b9e2f41',
    image: 'ghcr.io/nethserver/samba:3.3.1',
    uiName: 'Domain controller',
  },
  { id: 'mail1', node: 1, uuid: '2b8f6d4e-0a3c-4f79-9d21-4e6b8c0f3a52', image: 'ghcr.io/nethserver/mail:1.7.2' },
  {
    id: 'nextcloud1',
    node: 1,
    uuid: '3c9a7e5f-1b4d-4a8a-ae32-5f7c9d1a4b63',
    image: 'ghcr.io/nethserver/nextcloud:2.4.0',
    uiName: 'Cloud',
  },
  {
    id: 'webtop1',
    node: 2,
    uuid: '4dab8f60-2c5e-4b9b-bf43-6a8d0e2b5c74',
    image: 'ghcr.io/nethserver/webtop:1.6.3',
    uiName: 'Webtop <Sales & Co>',
  },
  { id: 'traefik2', node: 2, uuid: '5ebc9a71-3d6f-4cac-8054-7b9e1f3c6d85', image: 'ghcr.io/nethserver/traefik:3.6.1' },
  { id: 'traefik1', node: 1, uuid: '6fcdab82-4e70-4dbd-9165-8cafa04d7e96', image: 'ghcr.io/nethserver/traefik:3.6.1' },
  {
    id: 'metrics1',
    node: 1,
    uuid: '70debc93-5f81-4ece-a276-9db0b15e8fa7',
    image: 'ghcr.io/nethserver/metrics:1.2.0',
    flags: ['core_module', 'no_data_backup', 'rootless'],
  },
];

/** A plan as the simulator stores it: exactly what NS8 stores (src/domain/backup.ts). */
export type SimPlan = BackupPlan;

export const PLANS: SimPlan[] = [
  {
    id: 1,
    name: 'Daily offsite',
    repository: DEST_B2,
    schedule: '*-*-* 01:30:00',
    retention: 7,
    instances: ['mail1', 'nextcloud1', 'samba1', 'webtop1'],
    enabled: true,
  },
  {
    id: 2,
    name: 'Weekly SMB',
    repository: DEST_SMB,
    schedule: 'Sun *-*-* 03:00:00',
    retention: 4,
    instances: ['nextcloud1', 'samba1', 'traefik2', 'webtop1'],
    enabled: true,
  },
];

const hint = (interval: string, time: string, weekDay = 'sunday') =>
  JSON.stringify({ interval, minute: '0', time, weekDay, monthDay: '1', custom: '' })
    .replace(/":/g, '": ')
    .replace(/,"/g, ', "');

export type Admin = ReturnType<typeof createClient>;

export async function adminClient(redis: RedisServer): Promise<Admin> {
  const c = createClient({ url: redis.adminUrl });
  c.on('error', () => undefined);
  await c.connect();
  return c;
}

/** Writes topology, destinations, plans and smarthost (NS8.md §10.2). */
export async function seedCluster(
  redis: RedisServer,
  opts: { smtpPort?: number; plans?: SimPlan[]; modules?: SimModule[] } = {},
): Promise<void> {
  const c = await adminClient(redis);
  const modules = opts.modules ?? MODULES;
  const plans = opts.plans ?? PLANS;
  const m = c.multi();
  m.set('cluster/uuid', '3f6c2a1e-8b4d-4c2a-9e71-5d0b8a6f4c13');
  m.hSet('cluster/environment', { NODE_ID: '1' });
  m.set('cluster/network', '10.5.4.0/24');
  m.hSet('node/1/vpn', {
    ip_address: '10.5.4.1',
    endpoint: 'ns1.example.org:55820',
    public_key: 'pk1',
    destinations: '',
  });
  m.hSet('node/2/vpn', {
    ip_address: '10.5.4.2',
    endpoint: 'ns2.example.org:55820',
    public_key: 'pk2',
    destinations: '',
  });
  m.set('node/1/ui_name', 'ns1');
  for (const mod of modules) {
    m.hSet('cluster/module_node', mod.id, String(mod.node));
    m.hSet('cluster/module_uuid', mod.id, mod.uuid);
    m.hSet(`module/${mod.id}/environment`, {
      MODULE_ID: mod.id,
      NODE_ID: String(mod.node),
      MODULE_UUID: mod.uuid,
      IMAGE_URL: mod.image,
    });
    if (mod.uiName) m.set(`module/${mod.id}/ui_name`, mod.uiName);
    m.sAdd(`module/${mod.id}/flags`, mod.flags ?? ['rootless']);
  }
  m.set('cluster/default_instance/metrics', 'metrics1');
  m.hSet(`cluster/backup_repository/${DEST_B2}`, {
    name: 'Backblaze ns8-backups',
    url: 'b2:ns8-backups',
    provider: 'backblaze',
    basepath: '',
  });
  m.hSet(`cluster/backup_repository/${DEST_SMB}`, {
    name: 'NAS share',
    url: 'smb:ns8backup/cluster1',
    provider: 'smb',
    basepath: '',
  });
  m.hSet('private/agents/backup_destination/restic_password', {
    [DEST_B2]: '9f2c'.repeat(16),
    [DEST_SMB]: '51ab'.repeat(16),
  });
  for (const p of plans) {
    m.hSet(`cluster/backup/${p.id}`, {
      name: p.name,
      repository: p.repository,
      schedule: p.schedule,
      schedule_hint: hint(p.schedule.startsWith('Sun') ? 'weekly' : 'daily', p.schedule.slice(-8, -3)),
      retention: String(p.retention),
      instances: p.instances.join(' '),
      enabled: p.enabled ? '1' : '',
    });
  }
  m.set('cluster/backup_sequence', String(Math.max(0, ...plans.map((p) => p.id))));
  m.hSet('cluster/smarthost', {
    host: '127.0.0.1',
    port: String(opts.smtpPort ?? 25),
    username: '',
    password: '',
    enabled: '1',
    encrypt_smtp: 'none',
    tls_verify: '0',
  });
  await m.exec();
  await c.quit();
}

export interface ModuleResult {
  errors?: number;
  busyRetries?: number;
  ms?: number;
  sizeBytes?: number;
  files?: number;
  /** The run's start as the status says (unix s); default: now. For a service whose clock runs ahead. */
  startAt?: number;
}

/** Every application of the fixture's plan started at `startAt`; `more` overrides some (a replayRun argument). */
export function planRun(
  planId: number,
  startAt: number,
  more: Record<string, ModuleResult> = {},
): Record<string, ModuleResult> {
  const plan = PLANS.find((p) => p.id === planId);
  if (!plan) throw new Error(`no plan ${planId} in the fixture`);
  return Object.fromEntries(plan.instances.map((id) => [id, { startAt, ...more[id] }]));
}

/**
 * Waits until the module's run log holds at least `runs` decided runs and its outbox is empty: the
 * service has decided and said what it had to. Checks the work, not a fixed time.
 */
export async function runsDecided(redis: RedisServer, moduleId: string, runs: number, timeoutMs = 60_000) {
  const k = moduleKeys(moduleId);
  const c = await adminClient(redis);
  try {
    for (const until = Date.now() + timeoutMs; ; ) {
      const [logged, queued] = await Promise.all([c.lLen(k.runLog), c.hLen(k.outbox)]);
      if (logged >= runs && queued === 0) return;
      if (Date.now() > until) throw new Error(`not quiet: ${logged}/${runs} runs logged, ${queued} queued`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    await c.quit();
  }
}

/**
 * Replays `run-backup --backup=<planId>` on every node at once, as the node timers do.
 * Modules of one node run in plan order; `skip` lists modules whose node never writes
 * (node down, or busy for the whole hour).
 */
export async function replayRun(
  redis: RedisServer,
  planId: number,
  results: Record<string, ModuleResult>,
  opts: { skip?: string[]; modules?: SimModule[]; plans?: SimPlan[]; retryDelayMs?: number } = {},
): Promise<void> {
  const plan = (opts.plans ?? PLANS).find((p) => p.id === planId);
  if (!plan) throw new Error(`no plan ${planId} in the fixture`);
  const modules = opts.modules ?? MODULES;
  const byNode = new Map<number, string[]>();
  for (const id of plan.instances) {
    const mod = modules.find((x) => x.id === id);
    if (!mod || opts.skip?.includes(id)) continue;
    byNode.set(mod.node, [...(byNode.get(mod.node) ?? []), id]);
  }
  await Promise.all(
    [...byNode].map(async ([node, ids]) => {
      const c = createClient({ url: redis.url(`node/${node}`, nodePassword(node)) });
      c.on('error', () => undefined);
      await c.connect();
      const write = async (id: string) => {
        const r = results[id] ?? {};
        const start = r.startAt ?? Math.floor(Date.now() / 1000);
        await new Promise((res) => setTimeout(res, r.ms ?? 20));
        const status = {
          start,
          total_size: r.sizeBytes ?? 1_000_000 + id.length * 7919,
          total_file_count: r.files ?? 1000 + id.length,
          snapshots_count: 1,
          errors: r.errors ?? 0,
          end: r.startAt !== undefined ? r.startAt + 60 : Math.floor(Date.now() / 1000),
        };
        // Python json.dumps formatting, as run-backup writes it.
        const json = JSON.stringify(status).replace(/":/g, '": ').replace(/,"/g, ', "');
        await c
          .multi()
          .hSet(`node/${node}/backup_status/${planId}`, id, json)
          .publish(
            `node/${node}/event/backup-status-changed`,
            JSON.stringify({ node_id: node, backup_id: planId, module_id: id })
              .replace(/":/g, '": ')
              .replace(/,"/g, ', "'),
          )
          .exec();
      };
      const retry: string[] = [];
      for (const id of ids) {
        if ((results[id]?.busyRetries ?? 0) > 0) retry.push(id);
        else await write(id);
      }
      for (const id of retry) {
        await new Promise((res) => setTimeout(res, (opts.retryDelayMs ?? 200) * (results[id]?.busyRetries ?? 1)));
        await write(id);
      }
      await c.quit();
    }),
  );
}
