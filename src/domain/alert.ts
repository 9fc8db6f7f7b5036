// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: Alertmanager webhook payload (version "4") -> backup alerts, or the list of problems.
// Labels are read per alert, never from commonLabels: metrics1 groups by alertname+node, so two
// failed plans on one node arrive in one payload with no `id` in commonLabels (contract §10.5).
import type { BackupAlert } from '../triggers/types.js';

/** Accepted alert names: metrics1's current and legacy names, and the seed tool's. */
export const BACKUP_ALERTS: Record<string, BackupAlert['kind']> = {
  BackupFailed: 'failed', backup_failed: 'failed', NsBackupFailed: 'failed',
  NsBackupMissing: 'missing', backup_missing: 'missing',
};

export type ParseResult =
  | { ok: true; alerts: BackupAlert[]; ignored: number }
  | { ok: false; problems: string[] };

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
  if (body.version !== undefined && body.version !== '4') return { ok: false, problems: [`version: only "4" is supported, got ${JSON.stringify(body.version)}`] };
  if (!Array.isArray(body.alerts)) return { ok: false, problems: ['alerts: must be a list'] };
  const problems: string[] = [];
  const alerts: BackupAlert[] = [];
  let ignored = 0;
  body.alerts.forEach((a: unknown, i: number) => {
    const where = `alerts[${i}]`;
    if (!isObj(a) || !isObj(a.labels)) { problems.push(`${where}.labels: must be an object`); return; }
    const name = a.labels.alertname;
    if (typeof name !== 'string') { problems.push(`${where}.labels.alertname: must be a string`); return; }
    const kind = BACKUP_ALERTS[name];
    if (!kind) { ignored++; return; }
    const status = a.status ?? body.status;
    if (status !== 'firing' && status !== 'resolved') { problems.push(`${where}.status: must be firing or resolved`); return; }
    const startsAt = typeof a.startsAt === 'string' ? Date.parse(a.startsAt) : NaN;
    const node = typeof a.labels.node === 'string' && /^\d+$/.test(a.labels.node) ? Number(a.labels.node) : null;
    alerts.push({
      name, kind, planId: planIdOf(a.labels), node, status,
      startsAt: Number.isFinite(startsAt) ? startsAt : 0,
      fingerprint: typeof a.fingerprint === 'string' ? a.fingerprint.slice(0, 64) : '',
      source,
    });
  });
  if (problems.length) return { ok: false, problems };
  return { ok: true, alerts, ignored };
}
