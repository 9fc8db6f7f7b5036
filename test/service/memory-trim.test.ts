// SPDX-License-Identifier: GPL-3.0-or-later
// The idle memory trim: when it runs, when it skips, that the service wires it, and that the
// image's command line really gives it V8's gc() on the runtime that ships.
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { memoryLogger } from '../../src/log.js';
import { MemoryTrimmer } from '../../src/service/memory-trim.js';
import { ensureBuilt, startInProcessService } from '../helpers/service.js';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { seedCluster } from '../sim/cluster.js';
import { REPO_ROOT, productionNodeFlags, shippedNode, shippedNodeVersion } from '../../scripts/entrypoint.mjs';

const MB = 1024 * 1024;

function trimmer(rss: number[], opts: { firstDelayMs?: number; periodMs?: number } = {}) {
  const log = memoryLogger();
  let calls = 0;
  let i = 0;
  const t = new MemoryTrimmer({
    gc: () => {
      calls++;
    },
    rssBytes: () => rss[Math.min(i++, rss.length - 1)]! * MB,
    log,
    firstDelayMs: opts.firstDelayMs ?? 60_000,
    periodMs: opts.periodMs ?? 60_000,
    minGrowthBytes: 4 * MB,
  });
  return { t, log, calls: () => calls };
}

describe('memory trim', () => {
  it('trims the first time, then only after the RSS grew by the threshold since the last trim', () => {
    // Each tick reads the RSS before, and after a trim once more.
    const { t, log, calls } = trimmer([100, 83, 86, 88, 83]);
    assert.equal(t.tick(), true, 'the first check always trims');
    assert.equal(t.tick(), false, '83 → 86: under 4 MB of growth');
    assert.equal(t.tick(), true, '83 → 88: 5 MB of growth');
    assert.equal(calls(), 2);
    assert.match(log.lines[0]!, /memory trimmed .*rss_before_mb=100\.0 .*rss_after_mb=83\.0/);
  });

  it('runs on its timer after the first delay, then every period, until stopped', async () => {
    const { t, calls } = trimmer([100, 50, 100, 50, 100, 50, 100, 50], { firstDelayMs: 20, periodMs: 20 });
    t.start();
    await new Promise((r) => setTimeout(r, 10));
    assert.equal(calls(), 0, 'nothing before the first delay');
    await new Promise((r) => setTimeout(r, 70));
    await t.stop();
    const seen = calls();
    assert.ok(seen >= 2, `trimmed ${seen} times`);
    await new Promise((r) => setTimeout(r, 60));
    assert.equal(calls(), seen, 'stop() ends it');
  });
});

describe('memory trim in the service', () => {
  let redis: RedisServer;
  before(async () => {
    redis = await startRedis();
    await seedCluster(redis);
  });
  after(async () => {
    await redis.stop();
  });

  it('the service trims once its start-up is over, and stops trimming when it stops', async () => {
    let calls = 0;
    const { service, log } = await startInProcessService(
      redis,
      {},
      {
        reducingGc: () => {
          calls++;
        },
        trimFirstDelayMs: 50,
      },
    );
    try {
      for (let waited = 0; calls === 0 && waited < 5000; waited += 50) await new Promise((r) => setTimeout(r, 50));
      assert.equal(calls, 1);
      assert.ok(log.lines.some((l) => /memory trimmed .*stage=memory/.test(l)));
    } finally {
      await service.stop();
    }
  });

  it("the image's command line on the image's Node gives the service V8's memory-reducing gc()", () => {
    const dist = ensureBuilt();
    const trimModule = path.join(dist, 'service', 'memory-trim.js');
    const script = `import(${JSON.stringify(trimModule)}).then((m) => {
      const gc = m.reducingGc();
      if (!gc) { console.log('no gc'); process.exit(3); }
      gc();
      console.log('trimmed', process.version);
    })`;
    const r = spawnSync(shippedNode(), [...productionNodeFlags(), '-e', script], { cwd: REPO_ROOT, encoding: 'utf8' });
    assert.equal(r.status, 0, `${r.stdout}${r.stderr}`);
    assert.equal(r.stdout.trim(), `trimmed v${shippedNodeVersion()}`);
    assert.equal(r.stderr, '', 'V8 takes the gc() options without a warning');
  });
});
