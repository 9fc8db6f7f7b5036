// SPDX-License-Identifier: GPL-3.0-or-later
// Builds a Software Center repository for this module: the folder an administrator adds with
// `add-repository` (docs/MODULE.md). Layout and rules as NS8 reads them (ns8-core 4f41b35
// cluster/repodata-schema.json, pypkg/cluster/modules.py; ns8-repomd createrepo.py):
//
//   <out>/repodata.json                     [ {id, name, description, logo, screenshots, categories,
//                                              authors, docs, source, versions: [{tag, testing, labels}]} ]
//   <out>/backup-monitor/metadata.json      the catalogue entry (scripts/module-metadata.ts)
//   <out>/backup-monitor/logo.png           256x256 PNG
//   <out>/backup-monitor/screenshots/*.png  the admin page, taken by test/ns8-app/admin-page-mobile.test.ts
//
// Versions are the image's semver tags (no `v`), newest first: the newest prerelease if newer
// than the newest release (marked testing), then that release; other tags (latest, main,
// branches, v1.0.0) are not versions. The image is REPOBASE/backup-monitor (the one namespace variable, as build-images.sh).
//
//   REPOBASE=ghcr.io/<owner> node --import tsx scripts/make-repository.ts --out repo --from-registry   (skopeo, anonymous)
//   REPOBASE=localhost node --import tsx scripts/make-repository.ts --out repo --from-local             (podman images)
//   node --import tsx scripts/make-repository.ts --out repo --versions versions.json                    ([{tag, labels}])
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  LOGO_FILE,
  MODULE_NAME,
  REPO_ROOT,
  moduleMetadata,
  namespaceFrom,
  readMetadata,
  type Metadata,
} from './module-metadata.js';

export const SCREENSHOTS_DIR = path.join(REPO_ROOT, 'docs', 'screenshots');
/** Wide-screen pages first: the Software Center shows them in this order. */
const SCREENSHOT_ORDER = ['status.png', 'settings.png', 'mobile-status.png', 'mobile-menu.png', 'mobile-settings.png'];

export interface ImageVersion {
  tag: string;
  labels: Record<string, string>;
}
export interface RepoVersion extends ImageVersion {
  testing: boolean;
}
export interface RepoEntry extends Metadata {
  id: string;
  logo: string | null;
  screenshots: string[];
  versions: RepoVersion[];
}

// semver.org's regular expression for a version (no leading `v`).
const SEMVER =
  /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$/;

export const isSemver = (tag: string): boolean => SEMVER.test(tag);

/** semver precedence: <0 when a < b (build metadata ignored). */
export function compareSemver(a: string, b: string): number {
  const pa = SEMVER.exec(a)!;
  const pb = SEMVER.exec(b)!;
  for (let i = 1; i <= 3; i++) {
    const d = Number(pa[i]) - Number(pb[i]);
    if (d !== 0) return d;
  }
  const ra = pa[4];
  const rb = pb[4];
  if (!ra || !rb) return ra === rb ? 0 : ra ? -1 : 1; // a release outranks its prereleases
  const xa = ra.split('.');
  const xb = rb.split('.');
  for (let i = 0; i < Math.max(xa.length, xb.length); i++) {
    if (xa[i] === undefined) return -1;
    if (xb[i] === undefined) return 1;
    const na = /^\d+$/.test(xa[i]!);
    const nb = /^\d+$/.test(xb[i]!);
    if (na && nb) {
      const d = Number(xa[i]) - Number(xb[i]);
      if (d !== 0) return d;
      continue;
    }
    if (na !== nb) return na ? -1 : 1;
    if (xa[i] !== xb[i]) return xa[i]! < xb[i]! ? -1 : 1;
  }
  return 0;
}

/**
 * The versions the Software Center offers, as ns8-repomd createrepo.py picks them: newest
 * first, the newest prerelease if it is newer than the newest release (testing), then that release.
 */
export function selectVersions(images: ImageVersion[]): RepoVersion[] {
  const sorted = images.filter((v) => isSemver(v.tag)).sort((a, b) => compareSemver(b.tag, a.tag));
  const out: RepoVersion[] = [];
  let testingFound = false;
  for (const v of sorted) {
    const testing = SEMVER.exec(v.tag)![4] !== undefined;
    if (testing && testingFound) continue;
    out.push({ tag: v.tag, testing, labels: v.labels });
    if (!testing) break;
    testingFound = true;
  }
  return out;
}

/** Width and height of a PNG, read from its IHDR chunk; null if the file is not a PNG. */
export function pngSize(file: string): { width: number; height: number } | null {
  const b = readFileSync(file);
  if (b.length < 24 || b.toString('latin1', 1, 4) !== 'PNG' || b.toString('latin1', 12, 16) !== 'IHDR') return null;
  return { width: b.readUInt32BE(16), height: b.readUInt32BE(20) };
}

const run = (cmd: string, args: string[]): string =>
  execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 << 20 });

/** A registry's answer to a client without credentials that may not read an image. */
const REFUSED = /\b(401|403)\b|unauthorized|authentication required|access to the resource is denied|\bdenied: /i;

/**
 * What to do when an image cannot be pulled anonymously. NS8 nodes pull without credentials
 * (add-module, update-module: podman-pull-missing), and GitHub makes a new package private.
 */
export function privatePackageAdvice(image: string, refusal: string): string {
  return (
    `${image} cannot be pulled anonymously, as NS8 nodes pull it (skopeo: ${refusal}). ` +
    'GitHub creates a new container package as private: make both packages public once, ' +
    'backup-monitor and backup-monitor-service (the package page on GitHub › Package settings › ' +
    'Change visibility › Public), then run this workflow again (docs/MODULE.md, "Publish").'
  );
}

/** skopeo without credentials, as a node pulls: a refusal becomes the advice above. */
function anonymousSkopeo(command: string, image: string, ...args: string[]): string {
  try {
    return execFileSync('skopeo', [command, '--no-creds', ...args, `docker://${image}`], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
      maxBuffer: 64 << 20,
    });
  } catch (err) {
    const e = err as { stderr?: string; message: string };
    const said = (e.stderr ?? '').trim().split('\n').pop() || e.message;
    const reason = /msg="(.*)"$/.exec(said)?.[1]?.replace(/\\"/g, '"') ?? said;
    if (REFUSED.test(reason)) throw new Error(privatePackageAdvice(image, reason));
    throw new Error(`skopeo ${command} ${image}: ${reason}`);
  }
}

/**
 * The versions the registry offers an anonymous client, with their labels; then every image a
 * version names in org.nethserver.images (the service image) must be pullable the same way.
 */
export function registryVersions(source: string): ImageVersion[] {
  const tags = (JSON.parse(anonymousSkopeo('list-tags', source)) as { Tags: string[] }).Tags;
  const wanted = selectVersions(tags.map((tag) => ({ tag, labels: {} })));
  const versions = wanted.map((v) => ({
    tag: v.tag,
    labels:
      (JSON.parse(anonymousSkopeo('inspect', `${source}:${v.tag}`, '--no-tags')) as { Labels: Record<string, string> })
        .Labels ?? {},
  }));
  for (const v of versions) {
    for (const image of (v.labels['org.nethserver.images'] ?? '').split(/\s+/).filter(Boolean))
      anonymousSkopeo('inspect', image, '--raw');
  }
  return versions;
}

export function localVersions(source: string): ImageVersion[] {
  const list = JSON.parse(run('podman', ['images', '--format', 'json', source])) as { Names?: string[] }[];
  const tags = [
    ...new Set(
      list
        .flatMap((i) => i.Names ?? [])
        .filter((n) => n.startsWith(`${source}:`))
        .map((n) => n.slice(source.length + 1)),
    ),
  ];
  return tags.filter(isSemver).map((tag) => ({
    tag,
    labels:
      (JSON.parse(
        run('podman', ['image', 'inspect', '--format', '{{json .Config.Labels}}', `${source}:${tag}`]),
      ) as Record<string, string>) ?? {},
  }));
}

export interface RepositoryOptions {
  out: string;
  images: ImageVersion[];
  env?: NodeJS.ProcessEnv;
  screenshots?: string;
}

/** Writes the repository folder; returns the repodata.json entry. Throws when there is nothing to offer. */
export function makeRepository(o: RepositoryOptions): RepoEntry {
  const metadata = moduleMetadata(readMetadata(), namespaceFrom(o.env ?? process.env));
  const versions = selectVersions(o.images);
  if (!versions.length) {
    throw new Error(
      `no semver tag among ${o.images.map((v) => v.tag).join(', ') || 'no tags'} of ${metadata.source}: ` +
        'publish a release first (git tag 1.0.0 && git push origin 1.0.0)',
    );
  }
  const size = pngSize(LOGO_FILE);
  if (!size || size.width !== 256 || size.height !== 256) throw new Error(`${LOGO_FILE} must be a 256x256 PNG`);
  const dir = path.join(o.out, MODULE_NAME);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(path.join(dir, 'screenshots'), { recursive: true });
  copyFileSync(LOGO_FILE, path.join(dir, 'logo.png'));
  const shotsDir = o.screenshots ?? SCREENSHOTS_DIR;
  const available = existsSync(shotsDir)
    ? readdirSync(shotsDir).filter((f) => f.endsWith('.png') && pngSize(path.join(shotsDir, f)))
    : [];
  const ordered = [
    ...SCREENSHOT_ORDER.filter((f) => available.includes(f)),
    ...available.filter((f) => !SCREENSHOT_ORDER.includes(f)).sort(),
  ];
  for (const f of ordered) copyFileSync(path.join(shotsDir, f), path.join(dir, 'screenshots', f));
  writeFileSync(path.join(dir, 'metadata.json'), JSON.stringify(metadata, null, 2) + '\n');
  const entry: RepoEntry = {
    id: MODULE_NAME,
    ...metadata,
    logo: 'logo.png',
    screenshots: ordered.map((f) => `screenshots/${f}`),
    versions,
  };
  writeFileSync(path.join(o.out, 'repodata.json'), JSON.stringify([entry]));
  return entry;
}

/** A workflow command's message: %, CR and LF escaped as GitHub Actions reads them. */
const annotation = (m: string) => m.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const value = (flag: string) => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const out = value('--out');
  const source = moduleMetadata(readMetadata(), namespaceFrom(process.env)).source;
  const from = ['--from-registry', '--from-local', '--versions'].find((f) => args.includes(f));
  if (!out || !from || (from === '--versions' && !value('--versions'))) {
    process.stderr.write(
      'usage: make-repository.ts --out <dir> (--from-registry | --from-local | --versions <file>) [--screenshots <dir>]\n',
    );
    process.exit(2);
  }
  try {
    const images =
      from === '--from-registry'
        ? registryVersions(source)
        : from === '--from-local'
          ? localVersions(source)
          : (JSON.parse(readFileSync(value('--versions')!, 'utf8')) as ImageVersion[]);
    mkdirSync(out, { recursive: true });
    const entry = makeRepository({ out, images, screenshots: value('--screenshots') });
    process.stdout.write(
      `${path.join(out, 'repodata.json')}: ${entry.source} ${entry.versions.map((v) => v.tag + (v.testing ? ' (testing)' : '')).join(', ')}\n`,
    );
  } catch (err) {
    const message = (err as Error).message;
    process.stderr.write(`make-repository: ${message}\n`);
    // In GitHub Actions, also an annotation on the run's summary page.
    if (process.env.GITHUB_ACTIONS === 'true')
      process.stdout.write(`::error title=Software Center repository::${annotation(message)}\n`);
    process.exit(1);
  }
}
