// SPDX-License-Identifier: GPL-3.0-or-later
// A real redis-server in a temp dir, loaded with NS8's ACL users (NS8.md §3).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freePort, waitForPort } from './ports.js';

export const CLUSTER_PASSWORD = 'cluster-secret';
export const MODULE_ID = 'backup-monitor1';
export const MODULE_PASSWORD = 'b6f3c2d0-module-secret';
export const nodePassword = (n: number) => `node-${n}-secret`;

const moduleAcl = (id: string, password: string) =>
  `user module/${id} on >${password} resetkeys ~module/${id}/* ~task/module/${id}/* ` +
  `%R~cluster/* %R~node/* %R~module/* %R~private/agents/* resetchannels ` +
  `&progress/module/${id}/* &module/${id}/event/* -@all +@read +@write +@transaction +@connection +publish -@admin`;

const nodeAcl = (n: number) =>
  `user node/${n} on >${nodePassword(n)} resetkeys ~node/${n}/* ~task/node/${n}/* ` +
  `%R~cluster/* %R~node/* %R~module/* %R~private/agents/* %R~private/nodes/* resetchannels ` +
  `&progress/node/${n}/* &node/${n}/event/* -@all +@read +@write +@transaction +@connection +publish -@admin`;

/** The ACL lines NS8 installs: default is read-only and may subscribe; cluster may do anything. */
export function ns8AclLines(opts: { nodes?: number[]; modules?: Record<string, string> } = {}): string[] {
  const nodes = opts.nodes ?? [1, 2];
  const modules = opts.modules ?? { [MODULE_ID]: MODULE_PASSWORD };
  return [
    'user default on nopass resetkeys ~cluster/* ~node/* ~module/* resetchannels &* -@all +@read +@connection +subscribe +psubscribe -@admin',
    `user cluster on >${CLUSTER_PASSWORD} ~* &* +@all`,
    ...nodes.map(nodeAcl),
    ...Object.entries(modules).map(([id, pw]) => moduleAcl(id, pw)),
  ];
}

export interface RedisServer {
  port: number;
  dir: string;
  /** URL for the given user (default: the passwordless `default` user). */
  url(user?: string, password?: string): string;
  adminUrl: string;
  moduleUrl: string;
  stop(): Promise<void>;
  /** Stop (SIGTERM saves the dataset) and start again on the same port with the same data. */
  restart(downMs?: number): Promise<void>;
}

export async function startRedis(
  opts: { nodes?: number[]; modules?: Record<string, string> } = {},
): Promise<RedisServer> {
  if (!existsSync('/usr/bin/redis-server'))
    throw new Error('redis-server is not installed: apt-get install redis-server');
  const dir = mkdtempSync(path.join(tmpdir(), 'ns8-redis-'));
  const port = await freePort();
  writeFileSync(path.join(dir, 'users.acl'), ns8AclLines(opts).join('\n') + '\n');
  writeFileSync(
    path.join(dir, 'redis.conf'),
    [
      `port ${port}`,
      'bind 127.0.0.1',
      `dir ${dir}`,
      'save 3600 1',
      'appendonly no', // RDB saved at SIGTERM; Redis 7.0 replays MULTI from an AOF as a client that NOPERM-fails
      'dbfilename dump.rdb',
      `aclfile ${path.join(dir, 'users.acl')}`,
      'protected-mode no',
      'loglevel warning',
      `logfile ${path.join(dir, 'redis.log')}`,
    ].join('\n') + '\n',
  );
  let child: ChildProcess | undefined;
  const launch = async () => {
    child = spawn('/usr/bin/redis-server', [path.join(dir, 'redis.conf')], { stdio: 'ignore' });
    await waitForPort(port);
  };
  const halt = async () => {
    const c = child;
    if (!c || c.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      c.once('exit', () => resolve());
      c.kill('SIGTERM');
    });
  };
  await launch();
  const url = (user = 'default', password = 'nopass') =>
    `redis://${encodeURIComponent(user)}:${encodeURIComponent(password)}@127.0.0.1:${port}`;
  return {
    port,
    dir,
    url,
    adminUrl: url('cluster', CLUSTER_PASSWORD),
    moduleUrl: url(`module/${MODULE_ID}`, MODULE_PASSWORD),
    async stop() {
      await halt();
      rmSync(dir, { recursive: true, force: true });
    },
    async restart(downMs = 200) {
      await halt();
      await new Promise((r) => setTimeout(r, downMs));
      await launch();
    },
  };
}
