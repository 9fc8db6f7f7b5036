// SPDX-License-Identifier: GPL-3.0-or-later
// The NS8 API server of the simulator (NS8.md §5.2, §5.4; core/api-server): login with agent
// credentials checked by Redis AUTH against the real ACL users, a signed bearer token, roles
// re-read from Redis on every POST (core methods/auth.go RedisAuthorization: HGET
// `roles/<user>` <agent> gives the roles, `<agent>/roles/<role>` SETs give the action globs,
// for the agent `cluster` or `node/<id>`), the client idle check of the target agent, LPUSH on
// `<agent>/tasks`, and the task status that answers 400 until error, output and exit_code all exist.
import { createHmac, randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import express, { type Request, type Response, type NextFunction } from 'express';
import { createClient } from 'redis';

export interface ApiServer {
  url: string;
  port: number;
  /** Tasks queued so far, by action. */
  stats(): { logins: number; tasks: number; byAction: Record<string, number>; lastExtra: unknown };
  /** Signs with a new key: every token issued so far is refused with 401. */
  revokeTokens(): void;
  stop(): Promise<void>;
}

export interface ApiServerOptions {
  /** Redis URL with full rights (the real api-server user reads roles and task keys, LPUSHes). */
  redisUrl: string;
  /** Redis host/port that logins are checked against (AUTH with the given user/password). */
  redisPort: number;
  tokenSeconds?: number;
  /** Max seconds since the target agent's last command (core: 8). */
  idleSeconds?: number;
}

/** NS8's built-in cluster roles (NS8.md §5.4). */
export const CLUSTER_ROLES: Record<string, string[]> = {
  owner: ['*'],
  reader: ['list-*', 'get-*', 'show-*', 'read-*'],
};

/** Writes the role definitions and grants `roles/<user>` {cluster: roles}, as add-module does. */
export async function grantClusterRoles(redisUrl: string, grants: Record<string, string>): Promise<void> {
  const c = createClient({ url: redisUrl });
  c.on('error', () => undefined);
  await c.connect();
  const m = c.multi();
  for (const [role, globs] of Object.entries(CLUSTER_ROLES)) m.sAdd(`cluster/roles/${role}`, globs);
  for (const [user, roles] of Object.entries(grants)) m.hSet(`roles/${user}`, 'cluster', roles);
  await m.exec();
  c.destroy();
}

/** Node roles core defines on every node (install-finalize.sh, cluster add-node/50update). */
export const NODE_ROLES: Record<string, string[]> = {
  portsadm: ['allocate-ports', 'deallocate-ports'],
};

/**
 * What core's cluster.grants.add_module_permissions does with an image's
 * `org.nethserver.authorizations` (at add-module and, before the module's own steps, at
 * update-module): for each `<agent>:<role>[,<role>]`, `<agent>` resolved (`cluster`, `node` = the
 * module's node, `self`), the roles are set in `roles/module/<id>` for that agent if the agent
 * defines them (`<agent>/roles/<role>` exists). The node roles are defined first, as a node's
 * install does. Returns the `roles/module/<id>` HASH.
 */
export async function grantModuleAuthorizations(
  redisUrl: string,
  moduleId: string,
  nodeId: number,
  authorizations: string[],
): Promise<Record<string, string>> {
  const c = createClient({ url: redisUrl });
  c.on('error', () => undefined);
  await c.connect();
  try {
    const m = c.multi();
    for (const [role, globs] of Object.entries(CLUSTER_ROLES)) m.sAdd(`cluster/roles/${role}`, globs);
    for (const [role, actions] of Object.entries(NODE_ROLES)) m.sAdd(`node/${nodeId}/roles/${role}`, actions);
    await m.exec();
    for (const authz of authorizations) {
      const [who, roles] = authz.split(':') as [string, string];
      const agent = who === 'node' ? `node/${nodeId}` : who === 'self' ? `module/${moduleId}` : who;
      const defined = [];
      for (const role of roles.split(',').map((r) => r.trim()))
        if (role && (await c.exists(`${agent}/roles/${role}`))) defined.push(role);
      if (defined.length) await c.hSet(`roles/module/${moduleId}`, agent, roles);
    }
    return { ...(await c.hGetAll(`roles/module/${moduleId}`)) };
  } finally {
    c.destroy();
  }
}

export async function startApiServer(opts: ApiServerOptions): Promise<ApiServer> {
  const rdb = createClient({ url: opts.redisUrl });
  rdb.on('error', () => undefined);
  await rdb.connect();
  let key = randomBytes(32);
  const counts = { logins: 0, tasks: 0, byAction: {} as Record<string, number>, lastExtra: null as unknown };
  const tokenSeconds = opts.tokenSeconds ?? 14 * 86400;

  const app = express();
  app.use(express.json({ limit: '1mb' }));
  const fail = (res: Response, code: number, message: string, data: unknown = null) => {
    res.status(code).json({ code, message, data });
  };

  app.post('/api/login', async (req, res) => {
    const { username, password } = (req.body ?? {}) as { username?: unknown; password?: unknown };
    if (
      typeof username !== 'string' ||
      typeof password !== 'string' ||
      username === 'default' ||
      !(await redisAuth(opts.redisPort, username, password))
    ) {
      fail(res, 401, 'incorrect Username or Password');
      return;
    }
    counts.logins++;
    const exp = Math.floor(Date.now() / 1000) + tokenSeconds;
    const token = sign(
      { id: username, role: '', actions: [], '2fa': false, exp, orig_iat: Math.floor(Date.now() / 1000) },
      key,
    );
    res.json({ code: 200, expire: new Date(exp * 1000).toISOString(), token });
  });

  /** gin-jwt: 401 for a missing, forged or expired token. */
  const authenticate = (req: Request, res: Response, next: NextFunction) => {
    const h = req.get('authorization') ?? '';
    if (!h.startsWith('Bearer ')) {
      fail(res, 401, 'auth header is empty');
      return;
    }
    const claims = verify(h.slice(7), key);
    if (!claims) {
      fail(res, 401, 'signature is invalid');
      return;
    }
    if (typeof claims.exp !== 'number' || claims.exp < Date.now() / 1000) {
      fail(res, 401, 'Token is expired');
      return;
    }
    res.locals.user = String(claims.id);
    next();
  };

  /** The agent a route names: `cluster` or `node/<id>` (api-server.go's task routes). */
  const agentOf = (req: Request): string | null => {
    const node = req.params.node;
    if (node === undefined) return 'cluster';
    return typeof node === 'string' && /^[1-9][0-9]*$/.test(node) ? `node/${node}` : null;
  };

  app.post(['/api/cluster/tasks', '/api/node/:node/tasks'], authenticate, async (req, res) => {
    // Authorizator: roles re-read from Redis on every POST; no match -> 403 (NS8.md §5.2).
    const target = agentOf(req);
    if (!target) {
      fail(res, 404, 'no such agent');
      return;
    }
    const action = (req.body as { action?: unknown } | undefined)?.action;
    if (typeof action !== 'string' || !(await allowed(rdb, res.locals.user as string, target, action))) {
      fail(res, 403, "you don't have permission to access this resource");
      return;
    }
    if (!(await agentAlive(rdb, target, opts.idleSeconds ?? 8))) {
      fail(res, 404, 'client idle check failed', `client ${target} not found or idle`);
      return;
    }
    const body = req.body as { data?: unknown; extra?: unknown; parent?: unknown };
    const task = {
      id: randomUUID(),
      action,
      data: body.data ?? null,
      extra: body.extra ?? null,
      queue: `${target}/tasks`,
      user: res.locals.user as string,
      timestamp: new Date().toISOString(),
      parent: typeof body.parent === 'string' ? body.parent : '',
    };
    await rdb.lPush(`${target}/tasks`, JSON.stringify(task));
    counts.tasks++;
    counts.byAction[action] = (counts.byAction[action] ?? 0) + 1;
    counts.lastExtra = task.extra;
    res.status(201).json({ code: 201, message: 'task queued successfully', data: task });
  });

  app.get(['/api/cluster/task/:id/status', '/api/node/:node/task/:id/status'], authenticate, async (req, res) => {
    const agent = agentOf(req);
    if (!agent) {
      fail(res, 404, 'no such agent');
      return;
    }
    const f = `task/${agent}/${req.params.id}`;
    const [error, output, exitCode] = await Promise.all([
      rdb.get(`${f}/error`),
      rdb.get(`${f}/output`),
      rdb.get(`${f}/exit_code`),
    ]);
    if (error === null) {
      fail(res, 400, 'error getting error status from redis', 'redis: nil');
      return;
    }
    if (output === null) {
      fail(res, 400, 'error getting output status from redis', 'redis: nil');
      return;
    }
    if (exitCode === null) {
      fail(res, 400, 'error getting exit code status from redis', 'redis: nil');
      return;
    }
    let decoded: unknown = output;
    try {
      decoded = JSON.parse(output);
    } catch {
      /* core returns non-JSON output as-is */
    }
    res.json({ code: 200, message: 'success', data: { error, output: decoded, exit_code: Number(exitCode), file: f } });
  });

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    stats: () => ({
      logins: counts.logins,
      tasks: counts.tasks,
      byAction: { ...counts.byAction },
      lastExtra: counts.lastExtra,
    }),
    revokeTokens: () => {
      key = randomBytes(32);
    },
    async stop() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      rdb.destroy();
    },
  };
}

/** Redis ACL decides, as core's RedisAuthentication does with AUTH <user> <password>. */
async function redisAuth(port: number, username: string, password: string): Promise<boolean> {
  const c = createClient({ socket: { host: '127.0.0.1', port, reconnectStrategy: false }, username, password });
  c.on('error', () => undefined);
  let ok = false;
  try {
    await c.connect();
    ok = true;
  } catch {
    /* WRONGPASS or no such user */
  }
  try {
    c.destroy();
  } catch {
    /* already closed after a refused AUTH */
  }
  return ok;
}

type Rdb = ReturnType<typeof createClient>;

async function allowed(rdb: Rdb, user: string, agent: string, action: string): Promise<boolean> {
  const roles = (await rdb.hGet(`roles/${user}`, agent)) ?? '';
  for (const role of roles
    .split(',')
    .map((r) => r.trim())
    .filter(Boolean)) {
    for (const glob of await rdb.sMembers(`${agent}/roles/${role}`)) if (globMatch(glob, action)) return true;
  }
  return false;
}

/** Go's filepath.Match for action names (no path separators in them). */
export function globMatch(glob: string, name: string): boolean {
  const re = glob
    .replace(/[.+^${}()|\\]/g, '\\$&')
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]')
    .replace(/\[!/g, '[^');
  try {
    return new RegExp(`^${re}$`).test(name);
  } catch {
    return false;
  }
}

/** core redis.CheckClientIdle: a client named after the agent with idle <= N seconds. */
async function agentAlive(rdb: Rdb, name: string, idleSeconds: number): Promise<boolean> {
  const list = (await rdb.sendCommand(['CLIENT', 'LIST'])) as string;
  return String(list)
    .split('\n')
    .some((line) => {
      const f = Object.fromEntries(line.split(' ').map((kv) => kv.split('=') as [string, string]));
      return f.name === name && Number(f.idle) <= idleSeconds;
    });
}

const b64 = (b: Buffer | string) => Buffer.from(b).toString('base64url');

function sign(claims: Record<string, unknown>, key: Buffer): string {
  const body = `${b64(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${b64(JSON.stringify(claims))}`;
  return `${body}.${createHmac('sha256', key).update(body).digest('base64url')}`;
}

function verify(token: string, key: Buffer): Record<string, unknown> | null {
  const [h, p, s] = token.split('.');
  if (!h || !p || !s) return null;
  const want = createHmac('sha256', key).update(`${h}.${p}`).digest();
  const got = Buffer.from(s, 'base64url');
  if (got.length !== want.length || !timingSafeEqual(got, want)) return null;
  try {
    return JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    return null;
  }
}
