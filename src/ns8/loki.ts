// SPDX-License-Identifier: GPL-3.0-or-later
// EDGE: the error lines of failed backups, read from the cluster's Loki (issue #13). The parsing,
// attribution and masking are pure (src/loki/lines.ts); this file finds Loki and asks it.
//
// Where Loki is: `cluster/default_instance/loki` names the instance, `module/<id>/environment`
// holds LOKI_ADDR, LOKI_HTTP_PORT and LOKI_API_AUTH_USERNAME/PASSWORD (ns8-loki
// actions/create-module/10env; read the same way by core's usr/local/bin/logcli). Both are read
// on every use: a `default-instance-changed` event can move Loki to another node.
//
// Bounded: one budget for the whole read (all nodes in parallel) and a cap on each answer's size.
import { AnswerTooLargeError, requestJson } from './http-json.js';
import type { Logger } from '../log.js';
import type { ErrorLogStatus, RunReport } from '../domain/run.js';
import {
  attribute,
  LokiFormatError,
  meaningful,
  MODULES_WITH_LINES,
  nsWindow,
  parseQueryRange,
  queryParams,
} from '../loki/lines.js';
import type { Redis } from './redis.js';

export interface LokiTarget {
  url: string;
  user: string;
  password: string;
}

/** The result of one read: per module its lines, and how the read went. */
export interface ErrorLog {
  status: ErrorLogStatus;
  lines: Map<string, string[]>;
}

export interface ErrorLineReader {
  /** Never throws and never outlives its budget. */
  read(run: RunReport): Promise<ErrorLog>;
  /** The budget in seconds (the report says it when Loki did not answer in time). */
  readonly budgetSeconds: number;
}

/** Largest answer read from Loki; beyond it the read counts as an unexpected answer. */
export const MAX_ANSWER_BYTES = 8 * 1024 * 1024;
/** Lines before the run's first start and after its end that still belong to it (seconds). */
export const WINDOW_BEFORE_S = 120;
export const WINDOW_AFTER_S = 900;

/** Loki's address and credentials from Redis, or null when the cluster has no Loki. */
export async function discoverLoki(reader: Pick<Redis, 'get' | 'hGetAll'>): Promise<LokiTarget | null> {
  const id = await reader.get('cluster/default_instance/loki');
  if (!id || !/^[a-z0-9_-]{1,64}$/i.test(id)) return null;
  const env = await reader.hGetAll(`module/${id}/environment`);
  const host = env.LOKI_ADDR;
  const port = Number(env.LOKI_HTTP_PORT);
  if (!host || !/^[0-9a-fA-F.:]+$|^[a-z0-9.-]+$/i.test(host) || !Number.isInteger(port) || port < 1 || port > 65535)
    return null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    user: env.LOKI_API_AUTH_USERNAME ?? '',
    password: env.LOKI_API_AUTH_PASSWORD ?? '',
  };
}

class HttpStatusError extends Error {
  constructor(readonly status: number) {
    super(`HTTP ${status}`);
  }
}

/** GET `url` with basic auth; JSON body; aborts with `signal`; refuses answers over MAX_ANSWER_BYTES. */
async function getJson(url: URL, user: string, password: string, signal: AbortSignal): Promise<unknown> {
  const authorization = `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;
  const res = await requestJson(url, { headers: { authorization }, signal, maxBytes: MAX_ANSWER_BYTES }).catch(
    (err: unknown) => {
      // Too many bytes, or nested too deep to parse (AnswerTooDeepError is a kind of it).
      throw err instanceof AnswerTooLargeError ? new LokiFormatError(err.message) : err;
    },
  );
  if (res.status < 200 || res.status > 299) throw new HttpStatusError(res.status);
  if (res.body === undefined) throw new LokiFormatError('answer is not JSON');
  return res.body;
}

function statusOf(err: unknown, timedOut: boolean): ErrorLogStatus {
  if (timedOut) return 'timeout';
  if (err instanceof HttpStatusError) return err.status === 401 || err.status === 403 ? 'auth' : 'error';
  if (err instanceof LokiFormatError) return 'error';
  return 'unreachable';
}

/** Worst first: when every node failed, the report names the most useful reason. */
const SEVERITY: ErrorLogStatus[] = ['auth', 'timeout', 'unreachable', 'error'];

/**
 * Starts of one run's read that may end without finishing (the service stopped or died in it)
 * before the run is read no more. A poisoned answer that kills the service would otherwise be
 * read again after every restart, as every unreported failure is (issue #25: 12 crashes in 75 s).
 * Two, so one ordinary restart in the middle of a read costs nothing.
 */
export const MAX_UNFINISHED_READS = 2;

/** The reads started and not finished, per run, kept where a restart finds them. */
export interface ReadAttempts {
  /** Counts a start; resolves to the starts of this run's read that did not finish, this one excluded. */
  begin(runKey: string): Promise<number>;
  /** The read finished, or was skipped: forget the run. */
  end(runKey: string): Promise<void>;
}

/** ReadAttempts in a Redis HASH of the module (run key -> starts). */
export function redisReadAttempts(redis: Pick<Redis, 'hIncrBy' | 'hDel'>, key: string): ReadAttempts {
  return {
    begin: async (runKey) => (await redis.hIncrBy(key, runKey, 1)) - 1,
    end: async (runKey) => {
      await redis.hDel(key, runKey);
    },
  };
}

export interface ErrorLineReaderDeps {
  discover(): Promise<LokiTarget | null>;
  /** Seconds for the whole read. */
  budgetSeconds: number;
  /** Unix ms. */
  now(): number;
  log: Logger;
  /**
   * Values masked in any line besides the usual patterns and Loki's own password: the smarthost
   * and Redis passwords. Read on every use (the admin may change the smarthost). If they cannot be
   * read, no line is shown.
   */
  secrets?: () => Promise<(string | null | undefined)[]>;
  /** Where unfinished reads are counted; without it, every read is tried. */
  attempts?: ReadAttempts;
}

export function createErrorLineReader(deps: ErrorLineReaderDeps): ErrorLineReader {
  const log = deps.log.child({ stage: 'loki' });
  return {
    budgetSeconds: deps.budgetSeconds,
    async read(run) {
      const failed = run.modules.filter((m) => m.result === 'failed' && m.node !== null).slice(0, MODULES_WITH_LINES);
      if (failed.length === 0) return { status: 'empty', lines: new Map() };
      const ctl = new AbortController();
      let timedOut = false;
      const timer = setTimeout(
        () => {
          timedOut = true;
          ctl.abort();
        },
        Math.max(0, deps.budgetSeconds * 1000),
      );
      const started = deps.now();
      try {
        const aborted = new Promise<never>((_, reject) =>
          ctl.signal.addEventListener('abort', () => reject(new Error('aborted')), { once: true }),
        );
        aborted.catch(() => {}); // raced below; an abort after the read is no rejection to report
        const unfinished = deps.attempts
          ? await Promise.race([deps.attempts.begin(run.runKey).catch(() => 0), aborted])
          : 0;
        if (unfinished >= MAX_UNFINISHED_READS) {
          log.warning('error lines not read: the service stopped during each of the last reads for this run', {
            run: run.runKey,
            unfinished,
          });
          return { status: 'error', lines: new Map() };
        }
        const target = await Promise.race([deps.discover(), aborted]);
        if (!target) {
          log.info('no Loki instance in the cluster: no error lines in the report');
          return { status: 'no_loki', lines: new Map() };
        }
        const nowS = Math.floor(deps.now() / 1000);
        const starts = failed.map((m) => m.start ?? run.start).filter((t) => t > 0);
        const ends = failed.map((m) => m.end ?? run.end).filter((t) => t > 0);
        const from = (starts.length ? Math.min(...starts) : run.start) - WINDOW_BEFORE_S;
        const to = Math.min(nowS, Math.max(...ends, run.end) + WINDOW_AFTER_S);
        // Asked of Loki, and the only times believed in its answer (issue #25).
        const until = Math.max(to, from + 1);
        const secrets = [target.password, ...((await Promise.race([deps.secrets?.(), aborted])) ?? [])];
        const nodes = [...new Set(failed.map((m) => m.node!))];
        // Each answer is reduced to its few masked lines as soon as it is read, so at most one
        // parsed answer is in memory at a time, whatever the number of nodes.
        const results = await Promise.allSettled(
          nodes.map(async (node) => {
            const url = new URL(`/loki/api/v1/query_range?${queryParams(node, run.planId, from, until)}`, target.url);
            const body = await getJson(url, target.user, target.password, ctl.signal);
            const { entries, outsideWindow } = parseQueryRange(body, nsWindow(from, until));
            if (outsideWindow)
              log.info("Loki entries dated outside the run's window were dropped", {
                run: run.runKey,
                node,
                entries: outsideWindow,
              });
            const found = attribute(
              entries,
              run.planId,
              new Set(failed.filter((m) => m.node === node).map((m) => m.moduleId)),
            );
            if (found.truncated)
              log.info('long Loki answer: only its newest lines were read', {
                run: run.runKey,
                node,
                entries: entries.length,
                lines_read: found.linesRead,
              });
            return [...found.modules].map(([m, l]) => [m, meaningful(l, secrets)] as const);
          }),
        );
        const lines = new Map<string, string[]>();
        const errors: ErrorLogStatus[] = [];
        for (const r of results) {
          if (r.status === 'fulfilled') for (const [m, l] of r.value) lines.set(m, l);
          else errors.push(statusOf(r.reason, timedOut));
        }
        const answered = results.some((r) => r.status === 'fulfilled');
        const status: ErrorLogStatus = !answered
          ? (SEVERITY.find((s) => errors.includes(s)) ?? 'error')
          : [...lines.values()].some((l) => l.length)
            ? 'ok'
            : 'empty';
        log.info('error lines read from Loki', {
          run: run.runKey,
          status,
          modules: lines.size,
          nodes: nodes.length,
          ms: deps.now() - started,
        });
        return { status, lines };
      } catch (err) {
        const status = statusOf(err, timedOut);
        log.warning('cannot read error lines from Loki', { run: run.runKey, status, error: (err as Error).message });
        return { status, lines: new Map() };
      } finally {
        clearTimeout(timer);
        // Not awaited: a Redis that hangs must not hold the report past the budget.
        deps.attempts
          ?.end(run.runKey)
          .catch((err: Error) =>
            log.warning('cannot clear the read of error lines', { run: run.runKey, error: err.message }),
          );
      }
    },
  };
}

/** The run with each failed module's error lines and the read's status (pure). */
export function withErrorLines(run: RunReport, log: ErrorLog): RunReport {
  return {
    ...run,
    errorLog: log.status,
    modules: run.modules.map((m) =>
      log.lines.get(m.moduleId)?.length ? { ...m, errorLines: log.lines.get(m.moduleId)! } : m,
    ),
  };
}
