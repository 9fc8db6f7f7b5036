// SPDX-License-Identifier: GPL-3.0-or-later
// Issue #23 item 4: the digest's read of repositories nobody owns is kept in the module's Redis
// namespace (module/<id>/unowned-repositories), so the page and /metrics show it between digests.
// Real redis-server; NS8's API is the only thing answered here (read-backup-repositories' output shape).
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { useRedisPair, type RedisPair } from '../helpers/redis-pair.js';
import { MODULE_ID } from '../helpers/redis-server.js';
import { createRepoChecker } from '../../src/repocheck/index.js';
import { createUnownedStore } from '../../src/repocheck/unowned.js';
import { moduleKeys } from '../../src/domain/records.js';
import { memoryLogger } from '../../src/log.js';
import type { TaskRunner } from '../../src/ns8/api-client.js';
import type { Config } from '../../src/config.js';

let r: RedisPair;
useRedisPair((p) => {
  r = p;
});

const NOW_S = 1_786_300_000;
/** What core's read-backup-repositories 50read answers: one installed, one removed, one of another cluster. */
const LISTED = [
  {
    path: 'nextcloud/u-1',
    module_id: 'nextcloud1',
    module_ui_name: 'Cloud',
    repository_name: 'NAS',
    is_generated_locally: true,
    installed_instance: 'nextcloud1',
    timestamp: NOW_S - 100,
  },
  {
    path: 'dokuwiki/u-2',
    module_id: 'dokuwiki3',
    module_ui_name: 'Wiki',
    repository_name: 'NAS',
    is_generated_locally: true,
    installed_instance: '',
    timestamp: NOW_S - 9_000,
  },
  {
    path: 'mail/u-3',
    module_id: 'mail1',
    module_ui_name: '',
    repository_name: 'NAS',
    is_generated_locally: false,
    timestamp: NOW_S - 500,
  },
];

const answering = (exitCode: number, output: unknown): TaskRunner => ({
  runClusterTask: async () => ({ exitCode, output, error: exitCode ? 'failed' : '', taskId: 't' }),
});

function checker(api: TaskRunner) {
  const config = {
    repoCheck: {
      enabled: true,
      timeout: 5,
      budget: 5,
      concurrency: 1,
      apiUrl: '',
      cacheSeconds: 0,
      verify: 'all',
      maxPerHour: 10,
    },
    redis: { user: 'module/x', password: 'p' },
  } as unknown as Pick<Config, 'repoCheck' | 'redis'>;
  return createRepoChecker({
    config,
    logger: memoryLogger(),
    clock: { now: () => NOW_S * 1000 },
    api,
    unownedStore: createUnownedStore(r.writer, MODULE_ID),
  });
}

describe('repositories nobody owns, kept between digests', () => {
  test("a digest's read is stored with its time; the store reads it back", async () => {
    const rows = await checker(answering(0, LISTED)).unowned!();
    assert.deepEqual(
      rows?.map((x) => x.moduleId),
      ['mail1', 'dokuwiki3'],
    );
    const kept = await createUnownedStore(r.writer, MODULE_ID).load();
    assert.equal(kept?.at, NOW_S);
    assert.deepEqual(kept?.repositories, rows);
    const raw = JSON.parse((await r.admin.get(moduleKeys(MODULE_ID).unownedRepositories))!);
    assert.equal(raw.v, 1);
  });

  test('a read that finds nothing is kept too: the page then says nothing', async () => {
    await checker(answering(0, LISTED)).unowned!();
    await checker(answering(0, [LISTED[0]])).unowned!();
    assert.deepEqual((await createUnownedStore(r.writer, MODULE_ID).load())?.repositories, []);
  });

  test('NS8 did not answer: the last read stays as it was, never replaced by a guess', async () => {
    await checker(answering(0, LISTED)).unowned!();
    const kept = await createUnownedStore(r.writer, MODULE_ID).load();
    assert.equal(kept?.repositories.length, 2);
    // The digest then shows the last answered read (repocheck/unowned-refresh.ts keptForDigest), as it was.
    assert.deepEqual(await checker(answering(1, null)).unowned!(), kept!.repositories);
    assert.deepEqual(await createUnownedStore(r.writer, MODULE_ID).load(), kept);
  });

  test('a damaged record is left out, and said once', async () => {
    await r.admin.set(
      moduleKeys(MODULE_ID).unownedRepositories,
      JSON.stringify({ v: 1, at: 5, repositories: [{ kind: 'gone' }] }),
    );
    const said: string[] = [];
    assert.equal(await createUnownedStore(r.writer, MODULE_ID, (_m, f) => said.push(f.problem)).load(), null);
    assert.deepEqual(said, ['a repository of another shape']);
  });
});
