// SPDX-License-Identifier: GPL-3.0-or-later
// The production command line has ONE definition: the runtime image's `--entrypoint='[...]'` in
// build-images.sh. `npm start`, the integration tests (test/helpers/service.ts) and the benchmark
// read it from there, so what they run is what the image runs. The image's working directory is
// /app and the entrypoint names `dist/main.js` relative to it: run from the repository root, the
// same argv starts the locally built dist/.
//
//   node scripts/entrypoint.mjs           prints the argv, one per line
//   node scripts/entrypoint.mjs --print0  NUL-separated, for scripts/start.sh
//   node scripts/entrypoint.mjs --node-version   the image's Node version (scripts/shipped-node.sh)
//   node scripts/entrypoint.mjs --node-path      where scripts/shipped-node.sh unpacks that node
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = fileURLToPath(new URL('..', import.meta.url));

const buildScript = () => readFileSync(new URL('../build-images.sh', import.meta.url), 'utf8');

/** The Node version of the runtime image: build-images.sh's default base, e.g. node:24.16.0-slim. */
export function shippedNodeVersion() {
  const m = /node_base="\$\{NODE_BASE_IMAGE:-[^}]*\/node:(\d+\.\d+\.\d+)[^}]*\}"/.exec(buildScript());
  if (!m) throw new Error('build-images.sh: the default NODE_BASE_IMAGE names no node:X.Y.Z image');
  return m[1];
}

/** Where scripts/shipped-node.sh unpacks the image's node binary (it may not be there yet). */
export function shippedNodePath() {
  return fileURLToPath(new URL(`../.cache/node-v${shippedNodeVersion()}/bin/node`, import.meta.url));
}

/**
 * The node binary the image runs, as scripts/shipped-node.sh unpacked it from npm's
 * node-linux-<arch> package (the official build of that exact version). Tests, the benchmark and
 * the locally made image base run it, so what they measure is the runtime that ships.
 */
export function shippedNode() {
  const bin = shippedNodePath();
  if (!existsSync(bin))
    throw new Error(`Node ${shippedNodeVersion()} (the image's runtime) is not unpacked: run bash scripts/setup.sh`);
  return bin;
}

/** The runtime image's entrypoint argv, e.g. ['node', '--max-old-space-size=128', 'dist/main.js']. */
export function productionCommand() {
  const m = /--entrypoint='(\[[^']*\])'/.exec(buildScript());
  if (!m) throw new Error("build-images.sh has no --entrypoint='[...]' line");
  const argv = JSON.parse(m[1]);
  if (!Array.isArray(argv) || argv[0] !== 'node' || argv.some((a) => typeof a !== 'string')) {
    throw new Error(`build-images.sh: the entrypoint must be ["node", ...flags, script], not ${m[1]}`);
  }
  return argv;
}

/** The node options of the entrypoint (everything between `node` and the script). */
export function productionNodeFlags() {
  return productionCommand()
    .slice(1)
    .filter((a) => a.startsWith('-'));
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const argv = productionCommand();
  if (process.argv[2] === '--node-version') process.stdout.write(`${shippedNodeVersion()}\n`);
  else if (process.argv[2] === '--node-path') process.stdout.write(`${shippedNodePath()}\n`);
  else
    process.stdout.write(process.argv[2] === '--print0' ? argv.map((a) => `${a}\0`).join('') : `${argv.join('\n')}\n`);
}
