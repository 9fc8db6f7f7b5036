// SPDX-License-Identifier: GPL-3.0-or-later
// How long a repository check takes through the simulated NS8 API server + cluster agent + real
// restic, and how many restic processes a burst of reports starts with and without the cache.
//   node --import tsx bench/repocheck.ts [reports=20]
import { startHarness, runOn, repoPathOf } from '../test/repocheck/harness.js';
import { makeRepository } from '../test/sim/restic-server.js';
import { createRepoChecker } from '../src/repocheck/index.js';
import { createLogger } from '../src/log.js';
import { systemClock } from '../src/clock.js';

const reports = Number(process.argv[2] ?? 20);
const h = await startHarness();
const logger = createLogger('error');
try {
  const dest = await h.addDestination('Bench NAS', 'bench-password');
  await Promise.all(
    ['nextcloud1', 'samba1'].map((id) => makeRepository(h.restic.repoUrl(dest, repoPathOf(id)), 'bench-password')),
  );
  const run = runOn(dest, { nextcloud1: 'failed', samba1: 'success' });
  const make = (cacheSeconds: number) =>
    createRepoChecker({ config: h.config({ cacheSeconds, concurrency: 2 }), logger, clock: systemClock, pollMs: 50 });

  const times: number[] = [];
  const cold = make(0);
  for (let i = 0; i < 5; i++) {
    const t = performance.now();
    await cold.check(run);
    times.push(performance.now() - t);
  }
  times.sort((a, b) => a - b);
  console.log(
    `one report (2 repositories, concurrency 2, poll 50 ms): median ${times[2]!.toFixed(0)} ms, min ${times[0]!.toFixed(0)} ms, max ${times[4]!.toFixed(0)} ms`,
  );

  for (const cacheSeconds of [0, 300]) {
    const c = make(cacheSeconds);
    const before = h.agent.stats().started;
    const t = performance.now();
    await Promise.all(Array.from({ length: reports }, () => c.check(run)));
    console.log(
      `${reports} simultaneous reports, cache ${cacheSeconds} s: ${h.agent.stats().started - before} restic processes, ${(performance.now() - t).toFixed(0)} ms`,
    );
  }
} finally {
  await h.stop();
}
