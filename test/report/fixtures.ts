// SPDX-License-Identifier: GPL-3.0-or-later
// Runs of every outcome, with trends, error lines and a destination check: the golden, escaping
// and browser tests render these.
import type { RunReport, ModuleRow } from '../../src/domain/run.js';
import type { DestinationHealth } from '../../src/domain/destination.js';

export const T = 1786237200; // 2026-08-09 03:00:00 CEST

const mod = (over: Partial<ModuleRow>): ModuleRow => ({
  moduleId: 'nextcloud1',
  uiName: 'Cloud',
  node: 1,
  nodeName: 'ns1',
  result: 'success',
  start: T + 2,
  end: T + 250,
  totalSize: 51998012876,
  totalFileCount: 390102,
  snapshotsCount: 12,
  errors: 0,
  repoPath: 'nextcloud/u1',
  trend: { runs: 5, medianSize: 51000000000, medianFiles: 389000, medianSeconds: 240, lastSuccessAt: T - 86400 },
  anomalies: [],
  ...over,
});

export const modules = {
  cloud: mod({}),
  mail: mod({
    moduleId: 'mail1',
    uiName: 'Mail',
    node: 2,
    nodeName: '',
    start: T + 24,
    end: T + 478,
    totalSize: 2210455120,
    totalFileCount: 15530,
    repoPath: 'mail/u2',
    trend: { runs: 5, medianSize: 2200000000, medianFiles: 15000, medianSeconds: 450, lastSuccessAt: T - 86400 },
  }),
  webtop: mod({
    moduleId: 'webtop1',
    uiName: '',
    node: 2,
    nodeName: '',
    start: T + 480,
    end: T + 560,
    totalSize: 1536,
    totalFileCount: 3,
    repoPath: 'webtop/u3',
    trend: { runs: 4, medianSize: 1500, medianFiles: 3, medianSeconds: 80, lastSuccessAt: T - 86400 },
  }),
};

const failedCloud = mod({
  result: 'failed',
  errors: 1,
  totalSize: 0,
  totalFileCount: 0,
  end: T + 31,
  errorLines: [
    "[ERROR] restic backup failed: Command '['podman', 'run', ...]' returned non-zero exit status 1.",
    'Fatal: unable to open config file: Stat: 403 Forbidden',
    'nextcloud1: backup 2 failed (exit code 1)',
  ],
});

const base = (over: Partial<RunReport>): RunReport => ({
  runKey: `2:${T + 2}`,
  planId: 2,
  planName: 'Weekly SMB',
  destinationId: '8e4a1d77',
  destinationName: 'NAS share',
  outcome: 'SUCCESS',
  start: T + 2,
  end: T + 560,
  nodes: [
    { id: 1, name: 'ns1' },
    { id: 2, name: '' },
  ],
  triggers: ['backup event'],
  modules: [modules.cloud, modules.mail, modules.webtop],
  seenAt: T + 700,
  trend: { runs: 5, saved: 5, lastFullSuccessAt: T + 2 },
  ...over,
});

export const health: DestinationHealth = {
  destinationId: '8e4a1d77',
  destinationName: 'NAS share',
  verdict: 'auth',
  expectedRun: T,
  checkedAt: 0,
  checks: [
    {
      moduleId: 'nextcloud1',
      uiName: 'Cloud',
      repoPath: 'nextcloud/u1',
      failedInRun: true,
      verdict: 'auth',
      code: 'REPO_AUTH',
      latestSnapshot: null,
      snapshotCount: null,
      totalBytes: null,
      lockAgeSeconds: null,
      snapshotOutdated: false,
      durationMs: 300,
      rawError:
        'Fatal: unable to open config file: Stat: 403 Forbidden\nIs there a repository at the following location?\ns3:https://AKIA:secretkey@s3.example.com/bucket/nextcloud/u1',
    },
  ],
};

/** One run per outcome (and the no-status case), as the pipeline would hand them to the renderer. */

/** An application of a plan whose run never started: no times, sizes or trend. */
const notRun = (m: ModuleRow): ModuleRow => ({
  ...m,
  result: 'not_run',
  start: null,
  end: null,
  totalSize: null,
  totalFileCount: null,
  trend: null,
});

export const RUNS: Record<string, RunReport> = {
  success: base({}),
  warning: base({
    outcome: 'WARNING',
    modules: [
      mod({ totalSize: 20000000000, anomalies: [{ kind: 'shrink', value: 20000000000, median: 51000000000 }] }),
      modules.mail,
      { ...modules.webtop, totalFileCount: 0, anomalies: [{ kind: 'zero_files', value: 0, median: 3 }] },
    ],
    trend: { runs: 5, saved: 5, lastFullSuccessAt: T - 86400 },
  }),
  partial: base({
    outcome: 'PARTIAL',
    modules: [
      failedCloud,
      modules.mail,
      { ...modules.webtop, result: 'not_run', start: null, end: null, totalSize: null, totalFileCount: null },
    ],
    errorLog: 'ok',
    trend: { runs: 5, saved: 4, lastFullSuccessAt: T - 86400 },
    destinationHealth: health,
  }),
  repo_failure: base({
    outcome: 'REPO_FAILURE',
    end: T + 40,
    modules: [
      { ...failedCloud, errorLines: undefined },
      mod({
        moduleId: 'mail1',
        uiName: 'Mail',
        node: 2,
        nodeName: '',
        result: 'failed',
        errors: 1,
        start: T + 3,
        end: T + 40,
        trend: { runs: 0, medianSize: null, medianFiles: null, medianSeconds: null, lastSuccessAt: null },
      }),
    ],
    errorLog: 'timeout',
    trend: { runs: 3, saved: 1, lastFullSuccessAt: null },
  }),
  /** Issue #21: every application failed and the check found the credentials refused. */
  repo_auth: base({
    outcome: 'REPO_FAILURE',
    end: T + 40,
    modules: [
      failedCloud,
      mod({
        moduleId: 'mail1',
        uiName: 'Mail',
        node: 2,
        nodeName: 'ns2',
        result: 'failed',
        errors: 1,
        start: T + 3,
        end: T + 40,
        errorLines: ['Fatal: unable to open config file: Stat: 403 Forbidden'],
      }),
    ],
    nodes: [
      { id: 1, name: 'ns1' },
      { id: 2, name: 'ns2' },
    ],
    errorLog: 'ok',
    trend: { runs: 5, saved: 2, lastFullSuccessAt: T - 3 * 86400 },
    destinationHealth: {
      ...health,
      checks: [health.checks[0]!, { ...health.checks[0]!, moduleId: 'mail1', uiName: 'Mail', repoPath: 'mail/u2' }],
    },
  }),
  missing: base({
    outcome: 'MISSING',
    start: T,
    end: T,
    runKey: `2:${T}`,
    trend: null,
    modules: [modules.cloud, modules.mail].map(notRun),
  }),
  no_status: base({
    outcome: 'REPO_FAILURE',
    start: 0,
    end: 0,
    runKey: '2:0',
    trend: null,
    modules: [modules.cloud, modules.mail].map(notRun),
  }),
};

export const OPTIONS = {
  language: 'en' as const,
  subjectPrefix: '[NS8 Backup]',
  timeZone: 'Europe/Rome',
  moduleId: 'backup-monitor1',
  logBudgetSeconds: 10,
};
