// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the NS8 API server, as `agent.tasks.run` uses it (NS8.md §5.1-§5.2): log in with the
// module's agent credentials, submit a task, poll its status until it has an exit code.
// Every failure is an ApiError with a stable code; credentials never appear in messages.
import { isRetryable } from '../errors.js';
import { type Secret, redact } from '../secret.js';
import type { Logger } from '../log.js';
import { retry, sleep as wait } from '../retry.js';
import { AnswerTooLargeError, requestJson } from './http-json.js';

/** Whether each is retryable is the error catalogue's `kind` (errors.json), never said here. */
export type ApiErrorCode =
  | 'API_UNREACHABLE' // connection refused, DNS, reset
  | 'API_AUTH' // login refused (wrong agent credentials, or `default`)
  | 'API_FORBIDDEN' // 403: the module's roles do not allow the action
  | 'API_AGENT_DOWN' // 404 "client idle check failed": the target agent is not running
  | 'API_NOT_LEADER' // 403 "task submission is forbidden in a worker node" (leader switch)
  | 'API_RATE_LIMITED' // 429
  | 'API_SERVER_ERROR' // 5xx
  | 'API_BAD_RESPONSE' // unexpected status or body
  | 'API_TIMEOUT' // the caller's signal fired (per-check timeout or budget)
  | 'API_ABORTED';

export class ApiError extends Error {
  readonly retryable: boolean;
  constructor(
    readonly code: ApiErrorCode,
    message: string,
    readonly status: number | null = null,
  ) {
    super(`${code}: ${message}`);
    this.name = 'ApiError';
    this.retryable = isRetryable(code); // the error catalogue's kind
  }
}

/** The three keys of a finished task (NS8.md §5.3). */
export interface TaskResult {
  exitCode: number;
  output: unknown;
  error: string;
  taskId: string;
}

export interface TaskRunner {
  /**
   * Runs `action` on the cluster agent and waits for its end; throws ApiError.
   * `onQueued` tells when NS8 accepted the task: a timeout after it is the task's, before it the API's.
   */
  runClusterTask(
    action: string,
    data: unknown,
    signal?: AbortSignal,
    onQueued?: (taskId: string) => void,
  ): Promise<TaskResult>;
}

export interface ApiClientOptions {
  /** e.g. http://cluster-leader:9311 */
  url: string;
  user: string;
  password: Secret;
  /** How often the task status is asked for; NS8's own client uses 5 s. */
  pollMs?: number;
  logger?: Logger;
}

interface Reply {
  status: number;
  body: Record<string, unknown>;
}

/** Task answers are small; a larger one is a fault, not something to parse. */
const MAX_ANSWER_BYTES = 4 * 1024 * 1024;
const CONNECT_RETRIES = 2;
/** 100 ms, then 300 ms. */
const CONNECT_BACKOFF = { firstMs: 100, factor: 3, maxMs: 900 };

export function createApiClient(opts: ApiClientOptions): TaskRunner & { login(signal?: AbortSignal): Promise<void> } {
  const base = opts.url.replace(/\/+$/, '');
  const pollMs = opts.pollMs ?? 1000;
  let token: string | null = null;
  let loggingIn: Promise<string> | null = null;
  const clean = (s: string) => redact(s, [opts.password]);

  async function call(
    method: string,
    path: string,
    body: unknown,
    signal?: AbortSignal,
    bearer?: string,
  ): Promise<Reply> {
    if (signal?.aborted) throw aborted(signal);
    const headers: Record<string, string> = {};
    if (bearer) headers.authorization = `Bearer ${bearer}`;
    // Connection errors are retried a few times, as NS8's own client does: a kept-alive socket
    // that the server has just closed fails once with ECONNRESET and works on a new one.
    const res = await retry(
      () => requestJson(base + path, { method, headers, body, signal, maxBytes: MAX_ANSWER_BYTES }),
      {
        backoff: CONNECT_BACKOFF,
        attempts: CONNECT_RETRIES + 1,
        signal,
        retryIf: (e) => !(e instanceof AnswerTooLargeError),
      },
    ).catch((e: unknown) => {
      if (signal?.aborted) throw aborted(signal);
      if (e instanceof AnswerTooLargeError) throw new ApiError('API_BAD_RESPONSE', `${method} ${path}: ${e.message}`);
      throw new ApiError('API_UNREACHABLE', clean(`${method} ${base}${path}: ${causeOf(e)}`));
    });
    const parsed = res.body && typeof res.body === 'object' ? (res.body as Record<string, unknown>) : {};
    return { status: res.status, body: parsed };
  }

  async function login(signal?: AbortSignal): Promise<string> {
    try {
      return await sharedLogin(signal);
    } catch (e) {
      // The shared login may have been cancelled by another caller's signal, not by ours.
      if (e instanceof ApiError && (e.code === 'API_ABORTED' || e.code === 'API_TIMEOUT') && !signal?.aborted)
        return await sharedLogin(signal);
      throw e;
    }
  }

  async function sharedLogin(signal?: AbortSignal): Promise<string> {
    // One login at a time: concurrent checks share the token instead of logging in N times.
    loggingIn ??= (async () => {
      const r = await call('POST', '/api/login', { username: opts.user, password: opts.password.reveal() }, signal);
      if (r.status === 200 && typeof r.body.token === 'string') return r.body.token;
      if (r.status === 401 || r.status === 403)
        throw new ApiError('API_AUTH', `login as ${opts.user} refused: ${msgOf(r)}`, r.status);
      throw statusError(r, 'login');
    })().finally(() => {
      loggingIn = null;
    });
    token = await loggingIn;
    return token;
  }

  /** An authenticated call; a 401 means the token expired or was revoked: log in once more. */
  async function authed(method: string, path: string, body: unknown, signal?: AbortSignal): Promise<Reply> {
    const r = await call(method, path, body, signal, token ?? (await login(signal)));
    if (r.status !== 401) return r;
    opts.logger?.debug('NS8 API token refused, logging in again', { path });
    token = null;
    return await call(method, path, body, signal, await login(signal));
  }

  async function submit(action: string, data: unknown, signal?: AbortSignal): Promise<string> {
    // Hidden: cluster-admin shows no toast while the check runs or when it completes. It shows an
    // aborted one anyway, in every open session (NS8.md §12.3), and read-backup-snapshots aborts
    // exactly when the destination cannot be read: that toast is this title over "generic error".
    const extra = {
      title: 'Backup monitor: a backup destination cannot be read',
      description: 'Checked after a backup run with problems: its report names the destination and what to do',
      isNotificationHidden: true,
    };
    const r = await authed('POST', '/api/cluster/tasks', { action, data, extra, parent: '' }, signal);
    const id = (r.body.data as Record<string, unknown> | undefined)?.id;
    if (r.status === 201 && typeof id === 'string') return id;
    throw statusError(r, `submit ${action}`);
  }

  async function poll(id: string, signal?: AbortSignal): Promise<TaskResult> {
    for (;;) {
      await sleep(pollMs, signal);
      const r = await authed('GET', `/api/cluster/task/${encodeURIComponent(id)}/status`, undefined, signal);
      // 400 and 404: not finished yet (one of error/output/exit_code is still missing).
      if (r.status === 400 || r.status === 404) continue;
      // A flaky poll must not lose a task that is still running: keep asking until the deadline.
      if (r.status === 429 || r.status >= 500) continue;
      const d = r.body.data as Record<string, unknown> | undefined;
      if (r.status === 200 && d && typeof d.exit_code === 'number') {
        return {
          taskId: id,
          exitCode: d.exit_code,
          output: d.output ?? null,
          error: typeof d.error === 'string' ? d.error : '',
        };
      }
      throw statusError(r, `status of task ${id}`);
    }
  }

  return {
    async login(signal) {
      await login(signal);
    },
    async runClusterTask(action, data, signal, onQueued) {
      const id = await submit(action, data, signal);
      opts.logger?.debug('NS8 task queued', { action, task: id });
      onQueued?.(id);
      return await poll(id, signal);
    },
  };
}

function statusError(r: Reply, what: string): ApiError {
  const m = `${what}: HTTP ${r.status} ${msgOf(r)}`;
  if (r.status === 403) {
    return /worker node/i.test(msgOf(r))
      ? new ApiError('API_NOT_LEADER', m, 403)
      : new ApiError('API_FORBIDDEN', m, 403);
  }
  if (r.status === 401) return new ApiError('API_AUTH', m, 401);
  if (r.status === 404) return new ApiError('API_AGENT_DOWN', m, 404);
  if (r.status === 429) return new ApiError('API_RATE_LIMITED', m, 429);
  if (r.status >= 500) return new ApiError('API_SERVER_ERROR', m, r.status);
  return new ApiError('API_BAD_RESPONSE', m, r.status);
}

const msgOf = (r: Reply) => (typeof r.body.message === 'string' ? r.body.message : '').slice(0, 200);

function causeOf(e: unknown): string {
  const err = e as { message?: string; cause?: { code?: string; message?: string } };
  return [err.message, err.cause?.code ?? err.cause?.message].filter(Boolean).join(': ');
}

function aborted(signal: AbortSignal): ApiError {
  const r = signal.reason as { name?: string } | undefined;
  return r?.name === 'TimeoutError'
    ? new ApiError('API_TIMEOUT', 'the check took longer than allowed')
    : new ApiError('API_ABORTED', 'the check was cancelled');
}

/** A wait that ends early, as an ApiError, when the check is cancelled. */
function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return wait(ms, signal).catch(() => {
    throw aborted(signal!);
  });
}
