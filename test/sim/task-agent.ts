// SPDX-License-Identifier: GPL-3.0-or-later
// The task loop every NS8 agent runs (core: core/agent/agent.go, htask.go; NS8.md §5.3): a Redis
// client named after the agent (`cluster`, `node/<id>`: the API server's idle check looks for
// it in CLIENT LIST) BRPOPs `<agent>/tasks`; each task runs side by side with the others, as the
// Go agent's goroutines do, with its context, progress messages on `progress/<agent>/task/<id>`
// and its result under `task/<agent>/<id>/{output,error,exit_code}` (8 h).
import { createClient } from 'redis';

const TTL = 8 * 3600;

export interface Task {
  id: string;
  action: string;
  data: unknown;
  /** Who submitted it (the agent exports it to the steps as AGENT_TASK_USER). */
  user?: string;
}
export interface TaskResult {
  output: string;
  error: string;
  exitCode: number;
  /** `validation-failed` when a step set it (core: set-status), else from the exit code. */
  status?: 'completed' | 'aborted' | 'validation-failed';
}

export interface TaskLoop {
  /** Another connection with the same credentials, for the handlers' own reads. */
  rdb: ReturnType<typeof createClient>;
  stop(): Promise<void>;
}

export async function startTaskLoop(opts: {
  /** Redis URL with the agent's credentials. */
  redisUrl: string;
  /** `cluster` or `node/<id>`. */
  agentId: string;
  handle(task: Task): Promise<TaskResult>;
  /** Seconds BRPOP waits; the real agent uses 5, the API server's idle check allows 8. */
  popTimeout?: number;
  /** Called when the loop is stopping: e.g. kill child processes. */
  onStop?(): void;
}): Promise<TaskLoop> {
  const { agentId } = opts;
  const pop = createClient({ url: opts.redisUrl, name: agentId });
  const rdb = createClient({ url: opts.redisUrl });
  for (const c of [pop, rdb]) c.on('error', () => undefined);
  await Promise.all([pop.connect(), rdb.connect()]);
  let stopping = false;

  async function run(t: Task) {
    const k = `task/${agentId}/${t.id}`;
    await rdb.set(`${k}/context`, JSON.stringify(t), { EX: 60 });
    await rdb.publish(`progress/${agentId}/task/${t.id}`, JSON.stringify({ status: 'running', progress: 0 }));
    let r: TaskResult;
    try {
      r = await opts.handle(t);
    } catch (e) {
      r = { output: '', error: `Traceback (most recent call last):\n${String(e)}\n`, exitCode: 1 };
    }
    if (stopping) return;
    const status = r.status ?? (r.exitCode === 0 ? 'completed' : 'aborted');
    await rdb
      .multi()
      .set(`${k}/output`, r.output, { EX: TTL })
      .set(`${k}/error`, r.error, { EX: TTL })
      .set(`${k}/exit_code`, String(r.exitCode), { EX: TTL })
      .expire(`${k}/context`, TTL)
      .publish(`progress/${agentId}/task/${t.id}`, JSON.stringify({ status, progress: 100 }))
      .exec();
  }

  const loop = (async () => {
    while (!stopping) {
      let item: { key: string; element: string } | null = null;
      try {
        item = await pop.brPop(`${agentId}/tasks`, opts.popTimeout ?? 1);
      } catch {
        if (stopping) break;
        await new Promise((r) => setTimeout(r, 100));
        continue;
      }
      if (!item) continue;
      let task: Task;
      try {
        task = JSON.parse(item.element) as Task;
      } catch {
        continue;
      }
      void run(task).catch(() => undefined);
    }
  })();

  return {
    rdb,
    async stop() {
      if (stopping) return;
      stopping = true;
      opts.onStop?.();
      pop.destroy();
      await loop;
      rdb.destroy();
    },
  };
}
