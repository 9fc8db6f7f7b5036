// SPDX-License-Identifier: GPL-3.0-or-later
// Stands in for cluster-admin + API server + module agent around the admin page:
//   /cluster-admin/                 the parent page (parent-page.ts) with window.core
//   /cluster-admin/apps/<id>/       ui/dist, as cluster-admin serves it from the module image
//   /cluster-admin/css/core.css     Carbon's stylesheet (core.css carries it in NS8)
//   POST /cluster-admin/api/module/<id>/tasks   bearer check, 201 + task, then the real
//                                   imageroot action through test/sim/agent-runner.ts runAction
//   GET  /cluster-admin/api/harness/events      task ends pushed to the parent page
import express, { type Request, type Response } from 'express';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import path from 'node:path';
import { createClient } from 'redis';
import { runAction, REPO_ROOT, type ActionResult, type AgentOptions } from '../sim/agent-runner.js';
import type { RedisServer } from '../helpers/redis-server.js';
import { parentPage } from './parent-page.js';

export const UI_DIST = path.join(REPO_ROOT, 'ui', 'dist');
const CARBON_CSS = path.join(REPO_ROOT, 'ui', 'node_modules', 'carbon-components', 'css', 'carbon-components.min.css');

export interface TaskRecord {
  id: string;
  action: string;
  data: unknown;
  extra: Record<string, unknown>;
  result?: ActionResult;
}

export interface Harness {
  url: string;
  /** Every task the page submitted, in order, with its result once done. */
  tasks: TaskRecord[];
  /** Per action: reply to the POST with this HTTP status instead of running it. */
  httpFailure: Map<string, number>;
  /** Per action: finish as aborted with this stderr instead of running it. */
  abort: Map<string, string>;
  /** Per action: hold the task this long before running it (loading states). */
  delayMs: Map<string, number>;
  stop(): Promise<void>;
}

export async function startHarness(opts: {
  agent: AgentOptions;
  redis: RedisServer;
  moduleId: string;
}): Promise<Harness> {
  if (!existsSync(path.join(UI_DIST, 'index.html')))
    throw new Error('ui/dist is missing: run `npm --prefix ui run build` first');
  const token = `harness-${randomUUID()}`;
  const streams = new Set<Response>();
  const h: Omit<Harness, 'url' | 'stop'> = { tasks: [], httpFailure: new Map(), abort: new Map(), delayMs: new Map() };
  const app = express();
  app.use(express.json({ limit: '256kb' }));
  app.get('/cluster-admin/', (_req, res) => {
    res.type('html').send(parentPage({ moduleId: opts.moduleId, token }));
  });
  // NS8's light theme puts white tiles on a gray page; plain Carbon CSS has a white page.
  const coreCss = existsSync(CARBON_CSS) ? `${readFileSync(CARBON_CSS, 'utf8')}\nbody{background:#f4f4f4}\n` : '';
  app.get('/cluster-admin/css/core.css', (_req, res) => {
    res.type('css').send(coreCss);
  });
  app.use(`/cluster-admin/apps/${opts.moduleId}`, express.static(UI_DIST));
  app.get('/cluster-admin/api/harness/events', (req, res) => {
    res.writeHead(200, { 'Content-Type': 'text/event-stream', 'Cache-Control': 'no-cache', Connection: 'keep-alive' });
    res.write(': open\n\n');
    streams.add(res);
    req.on('close', () => streams.delete(res));
  });
  app.post('/cluster-admin/api/module/:id/tasks', (req: Request, res: Response) => {
    if (req.get('authorization') !== `Bearer ${token}`) {
      res.status(401).json({ code: 401, message: 'cookie token is empty' });
      return;
    }
    const { action, data, extra } = req.body ?? {};
    if (req.params.id !== opts.moduleId || typeof action !== 'string') {
      res.status(400).json({ code: 400, message: 'bad request' });
      return;
    }
    const failure = h.httpFailure.get(action);
    if (failure) {
      res.status(failure).json({ code: failure, message: 'harness failure' });
      return;
    }
    const task: TaskRecord = { id: randomUUID(), action, data, extra: extra ?? {} };
    h.tasks.push(task);
    res.status(201).json({
      code: 201,
      message: 'task queued successfully',
      data: { ...task, queue: `module/${opts.moduleId}/tasks`, user: 'admin' },
    });
    void execute(task).then((result) => {
      task.result = result;
      const msg = JSON.stringify({
        id: task.id,
        status: result.status,
        output: result.output,
        error: result.error,
        exit_code: result.exitCode,
        context: { id: task.id, action, data, extra: task.extra },
      });
      for (const s of streams) s.write(`data: ${msg}\n\n`);
    });
  });

  async function execute(task: TaskRecord): Promise<ActionResult> {
    const delay = h.delayMs.get(task.action) ?? 0;
    if (delay) await new Promise((r) => setTimeout(r, delay));
    const abort = h.abort.get(task.action);
    if (abort !== undefined) return { status: 'aborted', exitCode: 1, output: '', error: abort };
    if (task.action === 'get-name') return await getName();
    return await runAction(task.action, task.data, opts.agent);
  }

  // get-name is a base action of NS8 core (not in imageroot): read module/<id>/ui_name like it does.
  async function getName(): Promise<ActionResult> {
    const c = createClient({ url: opts.redis.url() });
    c.on('error', () => undefined);
    await c.connect();
    try {
      return {
        status: 'completed',
        exitCode: 0,
        output: { name: (await c.get(`module/${opts.moduleId}/ui_name`)) ?? '' },
        error: '',
      };
    } finally {
      await c.quit();
    }
  }

  const server: Server = await new Promise((resolve) => {
    const s = app.listen(0, '127.0.0.1', () => resolve(s));
  });
  const port = (server.address() as AddressInfo).port;
  return {
    ...h,
    url: `http://127.0.0.1:${port}/cluster-admin/`,
    async stop() {
      for (const s of streams) s.end();
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
}
