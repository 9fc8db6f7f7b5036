// SPDX-License-Identifier: GPL-3.0-or-later
// build/ui-deps.mjs, build-images.sh's install of the admin page's dependencies: `npm ci` exactly
// when ui/node_modules was not installed from ui/package-lock.json as it is now. NS8's publish
// workflow restores a cached ui/node_modules keyed on ui/yarn.lock, which this project does not
// have: the key never changes, so the cache is whatever the first run installed.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { REPO_ROOT } from '../../scripts/module-metadata.js';

const SCRIPT = path.join(REPO_ROOT, 'build', 'ui-deps.mjs');
let root: string;
let fakeBin: string;
let calls: string;

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bm-ui-deps-'));
  fakeBin = path.join(root, 'bin');
  calls = path.join(root, 'npm-calls.log');
  mkdirSync(fakeBin);
  // npm as the script sees it: records where and how it was run, installs nothing.
  writeFileSync(path.join(fakeBin, 'npm'), `#!/bin/bash\necho "$PWD $*" >> "${calls}"\n`, { mode: 0o755 });
});
after(() => rmSync(root, { recursive: true, force: true }));

type Entry = Record<string, unknown>;
const LOCK: { packages: Record<string, Entry> } & Entry = {
  name: 'ui',
  version: '0.1.0',
  lockfileVersion: 3,
  requires: true,
  packages: {
    '': { name: 'ui', version: '0.1.0', devDependencies: { vite: '^7.0.0' } },
    'node_modules/vite': { version: '7.1.0', resolved: 'https://r/vite-7.1.0.tgz', integrity: 'sha512-a', dev: true },
    'node_modules/esbuild': { version: '0.25.0', resolved: 'https://r/e.tgz', integrity: 'sha512-b', dev: true },
    'node_modules/@esbuild/darwin-arm64': { version: '0.25.0', integrity: 'sha512-c', dev: true, optional: true },
  },
};

/** A ui/ folder whose node_modules npm installed from `installedFrom` (its hidden lockfile). */
function uiDir(name: string, lock: typeof LOCK, installedFrom: typeof LOCK | null): string {
  const dir = path.join(root, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(path.join(dir, 'package-lock.json'), JSON.stringify(lock, null, 2));
  if (installedFrom) {
    mkdirSync(path.join(dir, 'node_modules'));
    const { '': _root, 'node_modules/@esbuild/darwin-arm64': _other, ...installed } = installedFrom.packages;
    writeFileSync(
      path.join(dir, 'node_modules', '.package-lock.json'),
      JSON.stringify({ ...installedFrom, packages: installed }, null, 2),
    );
  }
  return dir;
}

function run(dir: string): { status: number | null; npm: string[]; stdout: string } {
  rmSync(calls, { force: true });
  const r = spawnSync(process.execPath, [SCRIPT, dir], {
    encoding: 'utf8',
    env: { ...process.env, PATH: `${fakeBin}:${process.env.PATH}` },
  });
  assert.equal(r.status, 0, r.stderr);
  const npm = existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : [];
  return { status: r.status, npm, stdout: r.stdout };
}

const bumped = (lock: typeof LOCK, key: string, change: Entry): typeof LOCK => ({
  ...lock,
  packages: { ...lock.packages, [key]: { ...lock.packages[key], ...change } },
});

describe('build/ui-deps.mjs', () => {
  test('node_modules installed from this lock (platform packages of other systems absent): no install', () => {
    assert.deepEqual(run(uiDir('current', LOCK, LOCK)).npm, []);
  });

  test("this repository's ui/, as scripts/setup.sh installed it, counts as current", () => {
    assert.deepEqual(run(path.join(REPO_ROOT, 'ui')).npm, []);
  });

  test('the lock moved on (a cached node_modules of an older lock): npm ci from the lock', () => {
    const newer = bumped(LOCK, 'node_modules/vite', { version: '7.2.0', integrity: 'sha512-z' });
    const dir = uiDir('stale', newer, LOCK);
    assert.deepEqual(run(dir).npm, [`${dir} ci --no-audit --no-fund`]);
  });

  test('no node_modules, or none installed by npm from a lock: npm ci', () => {
    const dir = uiDir('empty', LOCK, null);
    assert.deepEqual(run(dir).npm, [`${dir} ci --no-audit --no-fund`]);
    mkdirSync(path.join(dir, 'node_modules', '.bin'), { recursive: true });
    writeFileSync(path.join(dir, 'node_modules', '.bin', 'vite'), '', { mode: 0o755 });
    assert.deepEqual(run(dir).npm, [`${dir} ci --no-audit --no-fund`], 'vite alone is not enough');
  });

  test('a package the lock dropped is still installed: npm ci', () => {
    const { 'node_modules/esbuild': _gone, ...packages } = LOCK.packages;
    const dir = uiDir('dropped', { ...LOCK, packages }, LOCK);
    assert.deepEqual(run(dir).npm, [`${dir} ci --no-audit --no-fund`]);
  });

  test('a package the lock requires is missing: npm ci', () => {
    const added = bumped(LOCK, 'node_modules/rollup', { version: '4.0.0', integrity: 'sha512-r', dev: true });
    const dir = uiDir('added', added, LOCK);
    assert.deepEqual(run(dir).npm, [`${dir} ci --no-audit --no-fund`]);
  });
});
