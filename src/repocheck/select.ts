// SPDX-License-Identifier: GPL-3.0-or-later
// PURE: which repositories a report checks, what one check means for this run, and the
// destination's overall verdict (issue #5).
import type { RunReport, ModuleRow } from '../domain/run.js';
import { redact, type Secret } from '../secret.js';
import type { RepoCheckClassification, RawOutcome } from './classify.js';
import type { RepoCheck, RepoVerdict } from '../domain/destination.js';

export interface Target {
  moduleId: string;
  uiName: string;
  repoPath: string;
  failedInRun: boolean;
  totalSize: number | null;
}

/**
 * Every module that did not succeed, then one module that did as a comparison: if the comparison
 * reads fine, the destination works and the failure is specific to the failed application.
 */
export function selectTargets(run: Pick<RunReport, 'modules'>): Target[] {
  const usable = run.modules.filter((m) => m.repoPath !== '');
  const affected = usable.filter((m) => m.result !== 'success');
  if (affected.length === 0) return [];
  const comparison = usable.find((m) => m.result === 'success');
  return [...affected, ...(comparison ? [comparison] : [])].map((m) => toTarget(m));
}

export const toTarget = (m: ModuleRow): Target => ({
  moduleId: m.moduleId,
  uiName: m.uiName,
  repoPath: m.repoPath,
  failedInRun: m.result !== 'success',
  totalSize: m.totalSize,
});

/** Verdicts that concern the whole destination (or the way to it), not one repository. */
export const DESTINATION_WIDE: ReadonlySet<RepoVerdict> = new Set([
  'unreachable',
  'auth',
  'timeout',
  'forbidden',
  'error',
]);

/** Worst first: the verdict the admin must act on before any other. */
const SEVERITY: RepoVerdict[] = [
  'forbidden',
  'unreachable',
  'auth',
  'timeout',
  'wrong_password',
  'missing',
  'corrupt',
  'locked',
  'error',
  'healthy',
  'skipped',
];

export function overallVerdict(checks: Pick<RepoCheck, 'verdict'>[]): RepoVerdict {
  let best = SEVERITY.length - 1;
  for (const c of checks) best = Math.min(best, SEVERITY.indexOf(c.verdict));
  return SEVERITY[best]!;
}

/** Restic's last lines matter most (the Fatal line): keep the tail of long messages. */
const MAX_RAW = 4000;

export function maskRaw(text: string, secrets: (Secret | string)[] = []): string | null {
  const t = redact(text.trim(), secrets);
  if (!t) return null;
  return t.length > MAX_RAW ? '…' + t.slice(-MAX_RAW) : t;
}

/** A latest snapshot a minute older than the run's start was not made by this run. */
const SLACK_S = 60;

export function toRepoCheck(
  t: Target,
  c: RepoCheckClassification,
  raw: RawOutcome & { message?: string },
  expectedRun: number | null,
  secrets: (Secret | string)[] = [],
): RepoCheck {
  const snaps = c.snapshots ?? [];
  // A snapshot dated ahead of the check's clock is counted, never the latest (issue #25).
  const believed = snaps.filter((s) => !s.ahead);
  const latest = believed.length ? believed.reduce((a, b) => (b.timestamp > a.timestamp ? b : a)) : null;
  const readable = c.snapshots !== null;
  const outdated = readable && expectedRun !== null && (latest === null || latest.timestamp < expectedRun - SLACK_S);
  const rawText = c.verdict === 'healthy' ? '' : raw.stderr || raw.message || '';
  return {
    moduleId: t.moduleId,
    uiName: t.uiName,
    repoPath: t.repoPath,
    failedInRun: t.failedInRun,
    verdict: c.verdict,
    code: c.code,
    latestSnapshot: latest?.timestamp ?? null,
    snapshotCount: readable ? snaps.length : null,
    // restic < 0.17 gives no size per snapshot (-1): fall back to what run-backup stored.
    totalBytes: readable ? (latest?.totalBytes ?? t.totalSize) : null,
    lockAgeSeconds: c.lockAgeSeconds,
    snapshotOutdated: outdated,
    rawError: maskRaw(rawText, secrets),
    durationMs: Math.round(raw.durationMs),
  };
}

/** A target that was not checked (budget spent, cancelled, or the destination already failed). */
export function skippedCheck(t: Target, code: string): RepoCheck {
  return {
    moduleId: t.moduleId,
    uiName: t.uiName,
    repoPath: t.repoPath,
    failedInRun: t.failedInRun,
    verdict: 'skipped',
    code,
    latestSnapshot: null,
    snapshotCount: null,
    totalBytes: null,
    lockAgeSeconds: null,
    snapshotOutdated: false,
    rawError: null,
    durationMs: 0,
  };
}
