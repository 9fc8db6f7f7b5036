// SPDX-License-Identifier: GPL-3.0-or-later
// Integration (issue #23 item 4): repositories nobody here owns, read through the simulated API
// server's read-backup-repositories (test/sim/cluster-agent.ts: rclone lsjson + manifests, as
// ns8-core's 50read) on real restic repositories made by the simulator's run-backup.
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { startHarness, repoPathOf, type Harness } from './harness.js';
import { runModuleBackup } from '../sim/run-backup.js';
import { readUnownedRepos } from '../../src/repocheck/unowned.js';
import { createApiClient } from '../../src/ns8/api-client.js';
import { unownedLines } from '../../src/report/digest.js';
import { DIGEST_STRINGS } from '../../src/report/digest-strings.js';
import type { DigestContent } from '../../src/domain/digest.js';

let h: Harness;
const PW = 'e5f6'.repeat(16);
before(async () => {
  h = await startHarness();
});
after(async () => {
  await h?.stop();
});

const backup = (dest: string, moduleId: string, repoPath: string, clusterUuid?: string) =>
  runModuleBackup({
    url: h.restic.repoUrl(dest, repoPath),
    password: PW,
    retention: 3,
    repoDir: h.restic.repoDir(dest, repoPath),
    moduleId,
    clusterUuid,
  });

test('repositories of removed applications and of another cluster are listed with what to do', async () => {
  const dest = await h.addDestination('NAS share', PW);
  const gone = `dokuwiki/${randomUUID()}`;
  const foreign = `mail/${randomUUID()}`;
  await backup(dest, 'nextcloud1', repoPathOf('nextcloud1')); // installed: owned
  await backup(dest, 'dokuwiki3', gone); // this cluster, application removed since
  await backup(dest, 'mail1', foreign, '0b9d7e55-other-cluster'); // another cluster, same destination
  const cfg = h.config();
  const api = createApiClient({
    url: cfg.repoCheck.apiUrl,
    user: cfg.redis.user!,
    password: cfg.redis.password!,
    pollMs: 50,
  });
  const rows = (await readUnownedRepos(api, 60))!;
  const mine = rows.filter((r) => r.destinationName === 'NAS share' && [gone, foreign].includes(r.path));
  assert.deepEqual(
    mine.map((r) => [r.kind, r.moduleId, r.path]),
    [
      ['other_cluster', 'mail1', foreign],
      ['removed', 'dokuwiki3', gone],
    ],
  );
  assert.ok(!rows.some((r) => r.path === repoPathOf('nextcloud1')), 'an installed application is owned');
  const o = {
    language: 'en',
    subjectPrefix: '',
    timeZone: 'UTC',
    moduleId: 'backup-monitor1',
    frequency: 'daily',
  } as const;
  const lines = unownedLines({ unowned: mine } as unknown as DigestContent, DIGEST_STRINGS.en, o);
  assert.match(lines[0]!, /mail1.* at .*NAS share.*: written by another cluster to the same destination/);
  assert.match(lines[1]!, /dokuwiki3.*: its application is no longer in the cluster; last backup \d{4}-\d\d-\d\d/);
  assert.match(lines.join('\n'), /delete that folder on the storage/);
  assert.match(lines.join('\n'), /give each cluster its own destination/);
  const it = unownedLines({ unowned: mine } as unknown as DigestContent, DIGEST_STRINGS.it, { ...o, language: 'it' });
  assert.match(it.join('\n'), /non è più nel cluster/);
});

test('no answer from NS8 within the budget: nothing is said, never a guess', async () => {
  const hung = {
    runClusterTask: (_a: string, _d: unknown, s?: AbortSignal) =>
      new Promise<never>((_, rej) => s?.addEventListener('abort', () => rej(new Error('aborted')))),
  };
  assert.equal(await readUnownedRepos(hung, 0.2), null);
});
