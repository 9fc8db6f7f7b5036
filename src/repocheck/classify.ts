// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: what one `read-backup-snapshots` task (or the failure to run it) says about a repository.
// Patterns come from restic's real messages (test/fixtures/restic, captured with restic 0.14
// behind `rclone serve restic`), plus the JSON exit line of restic >= 0.17 (NS8.md §5.5).
import { CLOCK_TOLERANCE_SECONDS } from '../domain/backup.js';
import type { RepoVerdict } from '../domain/destination.js';
import { isRetryable } from '../errors.js';

/** Everything the edge observed about one check, before any interpretation. */
export interface RawOutcome {
  /** The task's exit_code; null when no task result was obtained. */
  exitCode: number | null;
  /** The task's `error` key: restic's stderr. */
  stderr: string;
  /** The task's `output`: the snapshot list on success. */
  output: unknown;
  /** The per-check timeout fired before the task ended. */
  timedOut: boolean;
  /** Stable code of an API failure (API_FORBIDDEN, API_UNREACHABLE...), null when the task ran. */
  apiError: string | null;
  httpStatus?: number | null;
  durationMs: number;
}

export interface Snapshot {
  /** Unix s, as restic stamped it with the clock of the node that made it. */
  timestamp: number;
  id: string;
  totalBytes: number | null;
  /**
   * Dated more than CLOCK_TOLERANCE_SECONDS after the check's clock (issue #25): a node's clock
   * was ahead, or milliseconds were written as seconds. Still counted, but its time is not believed.
   */
  ahead: boolean;
}

/** A healthy list that holds a snapshot dated ahead of the check's clock (see Snapshot.ahead). */
export const SNAPSHOT_AHEAD = 'REPO_SNAPSHOT_AHEAD';

export interface RepoCheckClassification {
  verdict: RepoVerdict;
  /** Stable code for logs and wording; API_* codes are passed through. */
  code: string;
  /** Whether asking again later may give another answer. */
  retryable: boolean;
  lockAgeSeconds: number | null;
  /** Snapshots, oldest first, when the repository could be listed. */
  snapshots: Snapshot[] | null;
}

/** The code of each verdict; whether it is retryable is the error catalogue's `kind` (src/errors.ts). */
const CODES: Record<RepoVerdict, string> = {
  healthy: 'REPO_OK',
  unreachable: 'REPO_UNREACHABLE',
  auth: 'REPO_AUTH',
  missing: 'REPO_MISSING',
  wrong_password: 'REPO_WRONG_PASSWORD',
  locked: 'REPO_LOCKED',
  corrupt: 'REPO_CORRUPT',
  timeout: 'REPO_TIMEOUT',
  forbidden: 'API_FORBIDDEN',
  error: 'REPO_ERROR',
  skipped: 'CHECK_SKIPPED',
};

type Extra = Partial<Omit<RepoCheckClassification, 'verdict' | 'retryable'>>;

function result(verdict: RepoVerdict, extra: Extra = {}): RepoCheckClassification {
  const code = extra.code ?? CODES[verdict];
  return { verdict, lockAgeSeconds: null, snapshots: null, ...extra, code, retryable: isRetryable(code) };
}

/** Ordered: the first match wins. Network errors come before "Is there a repository" hints. */
const RULES: [RepoVerdict, RegExp][] = [
  ['locked', /repository is already locked|unable to create lock in backend/i],
  ['wrong_password', /wrong password or no key found/i],
  [
    'auth',
    /\((401|403)\)|\b40[13] (Unauthorized|Forbidden)\b|AccessDenied|InvalidAccessKeyId|SignatureDoesNotMatch|bad_auth_token|unauthorized|NT_STATUS_LOGON_FAILURE|NT_STATUS_ACCESS_DENIED/i,
  ],
  ['timeout', /context deadline exceeded|Client\.Timeout exceeded|i\/o timeout|TLS handshake timeout/i],
  [
    'unreachable',
    /connection refused|no such host|network is unreachable|no route to host|connection reset|server misbehaving|\((50[0-4])\)|\b50[234] (Bad Gateway|Service Unavailable|Gateway Timeout)\b|dial tcp|NT_STATUS_(HOST_UNREACHABLE|IO_TIMEOUT|CONNECTION_REFUSED)/i,
  ],
  [
    'missing',
    /does not exist|\(404\)|404 Not Found|Is there a repository at the following location\?|repository does not exist/i,
  ],
  [
    'corrupt',
    /ciphertext verification failed|is damaged|invalid data returned|could not load snapshot|unexpected end of JSON|checksum|decoding .* failed|corrupt/i,
  ],
];

/** restic >= 0.17 ends a failed `--json` run with `{"message_type":"exit_error","code":N,...}`. */
const EXIT_CODES: Record<number, RepoVerdict> = { 10: 'missing', 11: 'locked', 12: 'wrong_password' };

/** `nowS`: the check's own clock (unix s), against which the snapshot times are bounded. */
export function classifyRepoCheck(raw: RawOutcome, nowS = Date.now() / 1000): RepoCheckClassification {
  if (raw.apiError) return fromApi(raw.apiError);
  if (raw.timedOut) return result('timeout');
  if (raw.exitCode === null) return result('error');
  if (raw.exitCode === 0) return fromSuccess(raw, nowS);
  // Exit codes of the NS8 agent itself (NS8.md §5.3): not restic's words.
  if (raw.exitCode === 8) return result('error', { code: 'TASK_ACTION_MISSING' });
  if (raw.exitCode === 10 && !raw.stderr.trim()) return result('error', { code: 'TASK_INPUT_INVALID' });
  return fromStderr(raw.stderr);
}

function fromApi(code: string): RepoCheckClassification {
  if (code === 'API_FORBIDDEN') return result('forbidden');
  return result('error', { code });
}

function fromSuccess(raw: RawOutcome, nowS: number): RepoCheckClassification {
  const snapshots = parseSnapshots(raw.output, nowS);
  // restic exits 0 when a snapshot file cannot be read; it only warns on stderr.
  if (RULES.find(([v]) => v === 'corrupt')![1].test(raw.stderr)) return result('corrupt', { snapshots });
  if (!snapshots) return result('error', { code: 'TASK_OUTPUT_INVALID' });
  return result('healthy', { snapshots, ...(snapshots.some((x) => x.ahead) ? { code: SNAPSHOT_AHEAD } : {}) });
}

function fromStderr(stderr: string): RepoCheckClassification {
  const exit = jsonExitError(stderr);
  const fromCode = exit ? EXIT_CODES[exit.code] : undefined;
  const text = exit ? `${exit.message}\n${stderr}` : stderr;
  const verdict = fromCode ?? RULES.find(([, re]) => re.test(text))?.[0] ?? 'error';
  return result(verdict, verdict === 'locked' ? { lockAgeSeconds: lockAge(text) } : {});
}

function jsonExitError(stderr: string): { code: number; message: string } | null {
  for (const line of stderr.split('\n').reverse()) {
    if (!line.trim().startsWith('{')) continue;
    try {
      const o = JSON.parse(line) as Record<string, unknown>;
      if (o.message_type === 'exit_error' && typeof o.code === 'number')
        return { code: o.code, message: String(o.message ?? '') };
    } catch {
      /* a non-JSON line that starts with a brace */
    }
  }
  return null;
}

/** "lock was created at 2026-11-26 05:39:27 (1h2m3.5s ago)": Go duration, in seconds. */
export function lockAge(text: string): number | null {
  const m = /lock was created at [^(\n]*\(([0-9hmsµun.]+) ago\)/.exec(text);
  return m ? parseGoDuration(m[1]!) : null;
}

export function parseGoDuration(s: string): number | null {
  const unit: Record<string, number> = { h: 3600, m: 60, s: 1, ms: 1e-3, us: 1e-6, µs: 1e-6, ns: 1e-9 };
  let total = 0;
  let seen = false;
  for (const [, n, u] of s.matchAll(/([0-9.]+)(ms|us|µs|ns|h|m|s)/g)) {
    total += Number(n) * unit[u!]!;
    seen = true;
  }
  return seen && Number.isFinite(total) ? Math.round(total) : null;
}

/**
 * read-backup-snapshots output: [{timestamp, id, total_bytes (-1 when unknown), ...}], timestamp in
 * unix s (core's 50read converts restic's time). A timestamp that is not a finite number (restic's
 * own time string, JSON's 1e400 = Infinity) makes the list unreadable; one later than `nowS` +
 * CLOCK_TOLERANCE_SECONDS is kept and marked `ahead`. Past times need no bound: a snapshot older
 * than a run can only ever be "not this run's".
 */
export function parseSnapshots(output: unknown, nowS = Date.now() / 1000): Snapshot[] | null {
  let v = output;
  if (typeof v === 'string') {
    try {
      v = JSON.parse(v);
    } catch {
      return null;
    }
  }
  if (!Array.isArray(v)) return null;
  const out: Snapshot[] = [];
  for (const s of v) {
    const t = (s as { timestamp?: unknown } | null)?.timestamp;
    if (!s || typeof s !== 'object' || typeof t !== 'number' || !Number.isFinite(t)) return null;
    const o = s as { timestamp: number; id?: unknown; total_bytes?: unknown };
    const bytes = typeof o.total_bytes === 'number' && o.total_bytes >= 0 ? o.total_bytes : null;
    const ahead = t > nowS + CLOCK_TOLERANCE_SECONDS;
    out.push({ timestamp: t, id: String(o.id ?? ''), totalBytes: bytes, ahead });
  }
  return out;
}
