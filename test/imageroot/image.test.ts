// SPDX-License-Identifier: GPL-3.0-or-later
// build-images.sh runs to the end with a locally made Node base (no registry here), and the
// runtime image starts with the systemd unit's own podman flags, its ExecStartPre helper's
// env file and the module environment written by configure-module, then answers /healthz and
// stops cleanly with the unit's ExecStop.
//
// Two deviations from a real NS8 host, both forced by this machine and both kept out of the
// unit: `--runtime runc` (podman works here only with runc), and explicit --ulimit values
// (podman as root asks for nofile/nproc limits the sandbox refuses: "error setting rlimit
// type 7: operation not permitted"; nofile = this process's own, nproc 4096 found to pass).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startRedis, type RedisServer } from '../helpers/redis-server.js';
import { freePort } from '../helpers/ports.js';
import { seedCluster } from '../sim/cluster.js';
import { IMAGEROOT, REPO_ROOT, SYSTEM_PATH, agentEnvironment, installModule, readEnvFile, runAction, type AgentOptions } from '../sim/agent-runner.js';

const tag = `t${process.pid}`;
const repobase = 'localhost/bmtest';
const moduleImage = `${repobase}/backup-monitor:${tag}`;
const serviceImage = `${repobase}/backup-monitor-service:${tag}`;
const baseImage = `localhost/backup-monitor-node-base:${tag}`;
const name = `backup-monitor-${tag}`;

let redis: RedisServer;
let root: string;
let runtimeDir: string;
let o: AgentOptions;
let tcpPort: number;

function sh(cmd: string, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, ...env }, maxBuffer: 64 << 20 });
  assert.equal(r.error, undefined, `${cmd} must be installed`);
  return r;
}
const ok = (r: SpawnSyncReturns<string>) => { assert.equal(r.status, 0, `${r.stdout}\n${r.stderr}`); return r.stdout.trim(); };

/** A unit's command line: continuation lines joined, specifiers and ${VARS} expanded. */
function unitCommands(key: string, vars: Record<string, string>): string[][] {
  const text = readFileSync(path.join(IMAGEROOT, 'systemd', 'user', 'backup-monitor.service'), 'utf8').replace(/\\\n\s*/g, ' ');
  return text.split('\n').filter((l) => l.startsWith(`${key}=`)).map((l) => l.slice(key.length + 1).trim().split(/\s+/)
    .map((w) => w.replace(/%t/g, runtimeDir).replace(/%N/g, name).replace(/\$\{(\w+)\}/g, (_m, v: string) => vars[v] ?? '')));
}

const limit = (flag: string) => sh('bash', ['-c', `echo "$(ulimit -S${flag}):$(ulimit -H${flag})"`]).stdout.trim();

before(async () => {
  redis = await startRedis();
  await seedCluster(redis);
  root = mkdtempSync(path.join(tmpdir(), 'bm-image-'));
  runtimeDir = path.join(root, 'run');
  ok(sh('mkdir', ['-p', runtimeDir]));
  o = { stateDir: path.join(root, 'state'), redis };
  tcpPort = await freePort();
  assert.equal((await installModule({ ...o, tcpPort, image: `${repobase}/backup-monitor:${tag}` })).status, 'completed');
  assert.equal((await runAction('configure-module', { mail_to: ['ops@example.org'], language: 'it' }, o)).status, 'completed');
});

after(async () => {
  spawnSync('podman', ['--runtime', 'runc', 'rm', '--ignore', '-f', name]);
  spawnSync('podman', ['rmi', '--ignore', moduleImage, serviceImage, baseImage]);
  await redis?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('build-images.sh', () => {
  test('builds both images with a local base and the NS8 labels', () => {
    ok(sh(path.join(REPO_ROOT, 'build', 'make-local-node-base.sh'), [baseImage]));
    const out = ok(sh(path.join(REPO_ROOT, 'build-images.sh'), [], { NODE_BASE_IMAGE: baseImage, REPOBASE: repobase, IMAGETAG: tag, CI: '' }));
    assert.match(out, new RegExp(`buildah push ${moduleImage}`));
    const labels = JSON.parse(ok(sh('podman', ['image', 'inspect', '--format', '{{json .Config.Labels}}', moduleImage]))) as Record<string, string>;
    assert.equal(labels['org.nethserver.rootfull'], '0');
    assert.equal(labels['org.nethserver.tcp-ports-demand'], '1');
    assert.equal(labels['org.nethserver.authorizations'], 'cluster:reader');
    assert.equal(labels['org.nethserver.images'], serviceImage);
    assert.match(labels['org.nethserver.min-core'] ?? '', /^3\.2\d\.\d+/);
    const cid = ok(sh('podman', ['create', moduleImage, 'none']));
    const listing = ok(sh('bash', ['-c', `podman export ${cid} | tar t; podman rm ${cid} >/dev/null`]));
    for (const f of ['imageroot/actions/configure-module/validate-input.json', 'imageroot/systemd/user/backup-monitor.service',
      'imageroot/bin/write-service-env', 'ui/index.html', 'ui/metadata.json']) {
      assert.ok(listing.split('\n').includes(f), `${f} in the module image`);
    }
    assert.doesNotMatch(listing, /__pycache__/);
    const cfg = JSON.parse(ok(sh('podman', ['image', 'inspect', '--format', '{{json .Config}}', serviceImage]))) as { User: string; Entrypoint: string[] };
    assert.equal(cfg.User, '1000:1000');
    // A small V8 young generation keeps the idle service well under 100 MB (bench/run.ts).
    assert.deepEqual(cfg.Entrypoint, ['node', '--max-semi-space-size=1', '--max-old-space-size=128', '--lite-mode', '/app/dist/main.js']);
  });

  test('the runtime image runs with the unit flags, answers /healthz and stops cleanly', async () => {
    // ExecStartPre: the helper writes the secret env file, as `runagent` would run it.
    ok(sh(path.join(IMAGEROOT, 'bin', 'write-service-env'), [path.join(runtimeDir, 'backup-monitor.env')], { ...agentEnvironment(o) }));
    const moduleEnv: Record<string, string> = { PATH: SYSTEM_PATH, ...readEnvFile(path.join(o.stateDir, 'environment')) };
    assert.equal(moduleEnv.BACKUP_MONITOR_SERVICE_IMAGE, `${repobase}/backup-monitor-service:${tag}`);
    for (const pre of unitCommands('ExecStartPre', moduleEnv).filter((c) => c[0] === '/bin/rm')) ok(sh(pre[0]!, pre.slice(1)));
    const [start] = unitCommands('ExecStart', moduleEnv);
    assert.equal(start![0], '/usr/bin/podman');
    const args = ['--runtime', 'runc', start![1]!, `--ulimit=nofile=${limit('n')}`, '--ulimit=nproc=4096:4096', ...start!.slice(2)];
    const r = spawnSync('podman', args, { cwd: o.stateDir, encoding: 'utf8', env: moduleEnv });
    assert.equal(r.status, 0, r.stderr);

    const health = await waitForHealth(`http://127.0.0.1:${tcpPort}/healthz`);
    assert.equal(health.links.redis?.ok, true, JSON.stringify(health));
    const inside = ok(sh('podman', ['--runtime', 'runc', 'exec', name, 'node', '-e',
      'console.log(process.getuid(), process.env.MAIL_LANGUAGE, process.env.TZ, process.env.REDIS_LEADER_URL)']));
    assert.equal(inside, `1000 it ${readEnvFile(path.join(runtimeDir, 'backup-monitor.env')).TZ} redis://127.0.0.1:${redis.port}`);

    const [stop] = unitCommands('ExecStop', moduleEnv);
    ok(sh('podman', ['--runtime', 'runc', ...stop!.slice(1)]));
    const exit = ok(sh('podman', ['inspect', '--format', '{{.State.ExitCode}}', name]));
    assert.equal(exit, '0', `service exit code after SIGTERM; logs:\n${sh('podman', ['logs', name]).stdout}`);
    for (const post of unitCommands('ExecStopPost', moduleEnv)) ok(sh(post[0] === '/usr/bin/podman' ? 'podman' : post[0]!, post.slice(1)));
    assert.equal(sh('podman', ['container', 'exists', name]).status, 1, 'container removed');
  });
});

async function waitForHealth(url: string): Promise<{ links: Record<string, { ok: boolean }> }> {
  const until = Date.now() + 30_000;
  for (;;) {
    try {
      const res = await fetch(url);
      return await res.json() as { links: Record<string, { ok: boolean }> };
    } catch (err) {
      if (Date.now() > until) throw new Error(`no answer from ${url}: ${(err as Error).message}\n${sh('podman', ['logs', name]).stderr}`);
      await new Promise((r) => setTimeout(r, 250));
    }
  }
}
