// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: Alertmanager webhook payload (version "4") -> backup alerts, or the list of problems.
// Labels are read per alert, never from commonLabels: metrics1 groups by alertname+node, so two
// failed plans on one node arrive in one payload with no `id` in commonLabels (NS8.md §10.5).

/** An Alertmanager alert about a backup, from the webhook or the poller. */
export interface BackupAlert {
  /** Alert name as received (BackupFailed, backup_failed, NsBackupFailed, NsBackupMissing, backup_missing). */
  name: string;
  kind: 'failed' | 'missing';
  /** From the `id` or `backup_id` label; null when the alert names no plan. */
  planId: number | null;
  /** From the `node` label, when present. */
  node: number | null;
  status: 'firing' | 'resolved';
  /** Unix ms (Alertmanager's `startsAt`); 0 when absent or unreadable. */
  startsAtMs: number;
  fingerprint: string;
  source: 'webhook' | 'poll';
}

/** Accepted alert names: metrics1's current and legacy names, and the seed tool's. */
const ALERT_KINDS: ReadonlyMap<string, BackupAlert['kind']> = new Map([
  ['BackupFailed', 'failed'],
  ['backup_failed', 'failed'],
  ['NsBackupFailed', 'failed'],
  ['NsBackupMissing', 'missing'],
  ['backup_missing', 'missing'],
]);

/** The accepted names, for Alertmanager matchers. */
export const BACKUP_ALERT_NAMES: readonly string[] = [...ALERT_KINDS.keys()];

/** The kind of a backup alert name; undefined for every other name (`constructor` included: no plain-object lookup). */
export const backupAlertKind = (name: unknown): BackupAlert['kind'] | undefined =>
  typeof name === 'string' ? ALERT_KINDS.get(name) : undefined;

/** A 900 KB body can hold 300k bad alerts: the answer names the first few and counts the rest. */
export const MAX_PROBLEMS = 20;

export type ParseResult = { ok: true; alerts: BackupAlert[]; ignored: number } | { ok: false; problems: string[] };

const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A plan id label must be a positive integer in a string (Prometheus label values are strings). */
export function planIdOf(labels: Record<string, unknown>): number | null {
  for (const k of ['id', 'backup_id']) {
    const v = labels[k];
    if (typeof v === 'string' && /^[1-9]\d{0,8}$/.test(v.trim())) return Number(v);
  }
  return null;
}

export function parseAlertWebhook(body: unknown, source: BackupAlert['source'] = 'webhook'): ParseResult {
  if (!isObj(body)) return { ok: false, problems: ['body: must be a JSON object'] };
  if (body.version !== undefined && body.version !== '4') {
    // Never stringify what came in: a 10k-deep array overflows the stack.
    const got =
      typeof body.version === 'string'
        ? JSON.stringify(body.version.slice(0, 40))
        : Array.isArray(body.version)
          ? 'a list'
          : typeof body.version;
    return { ok: false, problems: [`version: only "4" is supported, got ${got}`] };
  }
  if (!Array.isArray(body.alerts)) return { ok: false, problems: ['alerts: must be a list'] };
  const problems: string[] = [];
  let more = 0;
  const problem = (p: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(p);
    else more++;
  };
  const alerts: BackupAlert[] = [];
  let ignored = 0;
  body.alerts.forEach((a: unknown, i: number) => {
    const where = `alerts[${i}]`;
    if (!isObj(a) || !isObj(a.labels)) {
      problem(`${where}.labels: must be an object`);
      return;
    }
    const name = a.labels.alertname;
    if (typeof name !== 'string') {
      problem(`${where}.labels.alertname: must be a string`);
      return;
    }
    const kind = backupAlertKind(name);
    if (!kind) {
      ignored++;
      return;
    }
    const status = a.status ?? body.status;
    if (status !== 'firing' && status !== 'resolved') {
      problem(`${where}.status: must be firing or resolved`);
      return;
    }
    const startsAt = typeof a.startsAt === 'string' ? Date.parse(a.startsAt) : NaN;
    const node = typeof a.labels.node === 'string' && /^\d+$/.test(a.labels.node) ? Number(a.labels.node) : null;
    alerts.push({
      name,
      kind,
      planId: planIdOf(a.labels),
      node,
      status,
      startsAtMs: Number.isFinite(startsAt) ? startsAt : 0,
      fingerprint: typeof a.fingerprint === 'string' ? a.fingerprint.slice(0, 64) : '',
      source,
    });
  });
  if (more) problems.push(`… and ${more} more problems`);
  if (problems.length) return { ok: false, problems };
  return { ok: true, alerts, ignored };
}
