#!/usr/bin/env node
// SPDX-License-Identifier: GPL-3.0-or-later
//
// node build/ui-deps.mjs <dir>: install <dir>'s npm dependencies from its package-lock.json
// (`npm ci`) unless <dir>/node_modules was installed from that lock as it is now. Used by
// build-images.sh for ui/.
//
// Why not "install when vite is missing": NS8's reusable publish workflow (ns8-github-actions
// publish-branch.yml) restores ui/node_modules from a cache keyed on ui/yarn.lock, which this
// project does not have; the key never changes, so the cache holds whatever the first run
// installed, vite included, and a later lock was never installed.
//
// "Installed from this lock": npm writes node_modules/.package-lock.json (its hidden lockfile)
// with the lock's entry of every package it installed. They must be the lock's entries, all of
// them except optional packages of other platforms (e.g. @esbuild/darwin-arm64 on Linux).
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { isDeepStrictEqual } from 'node:util';

const readJson = (file) => (existsSync(file) ? JSON.parse(readFileSync(file, 'utf8')) : null);

/** Why node_modules does not match the lock, or null when it does. */
function staleReason(dir) {
  const lock = readJson(path.join(dir, 'package-lock.json'))?.packages;
  if (!lock) return 'no package-lock.json';
  const installed = readJson(path.join(dir, 'node_modules', '.package-lock.json'))?.packages;
  if (!installed) return 'node_modules was not installed by npm from a lock';
  for (const [name, entry] of Object.entries(installed)) {
    if (!isDeepStrictEqual(entry, lock[name])) return `${name} differs from the lock`;
  }
  for (const [name, entry] of Object.entries(lock)) {
    if (name && !installed[name] && !entry.optional) return `${name} is missing`;
  }
  return null;
}

const dir = process.argv[2];
if (!dir) {
  process.stderr.write('usage: ui-deps.mjs <dir with package-lock.json>\n');
  process.exit(2);
}
const reason = staleReason(dir);
if (!reason) {
  process.stdout.write(`${dir}/node_modules matches its package-lock.json\n`);
  process.exit(0);
}
process.stdout.write(`${dir}: npm ci (${reason})\n`);
// Carbon's packages start IBM's telemetry collector from their postinstall (as scripts/setup.sh).
const r = spawnSync('npm', ['ci', '--no-audit', '--no-fund'], {
  cwd: dir,
  stdio: 'inherit',
  env: { ...process.env, IBM_TELEMETRY_DISABLED: 'true' },
});
process.exit(r.status ?? 1);
