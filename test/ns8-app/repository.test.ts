// SPDX-License-Identifier: GPL-3.0-or-later
// scripts/make-repository.ts builds a Software Center repository that NS8 core accepts and
// reads: repodata.json valid against core's own repodata-schema.json (what add-repository
// checks), plus what core's reader (pypkg/cluster/modules.py) needs beyond the schema (`id`,
// `screenshots`, files at <url>/<id>/<file>), served over HTTP and fetched the way core joins URLs.
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import express from 'express';
import { Ajv } from 'ajv';
import {
  compareSemver,
  makeRepository,
  pngSize,
  selectVersions,
  type RepoEntry,
} from '../../scripts/make-repository.js';
import { REPO_ROOT } from '../../scripts/module-metadata.js';

const SCHEMA = path.join(REPO_ROOT, 'test', 'fixtures', 'ns8', 'repodata-schema.json');
const LABELS = {
  'org.nethserver.rootfull': '0',
  'org.nethserver.tcp-ports-demand': '1',
  'org.nethserver.authorizations': 'cluster:reader',
};
const TAGS = [
  'latest',
  'main',
  'dev',
  'v1.3.0',
  '1.0.0',
  '1.2.0',
  '1.1.5',
  '1.3.0-rc.1',
  '1.3.0-rc.2',
  '1.2.0-rc.1',
  'feature-x',
];
const images = TAGS.map((tag) => ({ tag, labels: { ...LABELS, 'org.opencontainers.image.version': tag } }));

let root: string;

before(() => {
  root = mkdtempSync(path.join(tmpdir(), 'bm-repo-'));
});
after(() => {
  rmSync(root, { recursive: true, force: true });
});

function build(env: Record<string, string>, name: string): { out: string; entry: RepoEntry; repodata: unknown } {
  const out = path.join(root, name);
  mkdirSync(out, { recursive: true });
  const entry = makeRepository({ out, images, env });
  return { out, entry, repodata: JSON.parse(readFileSync(path.join(out, 'repodata.json'), 'utf8')) };
}

describe('versions', () => {
  test('semver tags only, newest first: the newest prerelease newer than the newest release, then that release', () => {
    assert.deepEqual(
      selectVersions(images).map((v) => [v.tag, v.testing]),
      [
        ['1.3.0-rc.2', true],
        ['1.2.0', false],
      ],
    );
    assert.deepEqual(
      selectVersions(images.filter((v) => !v.tag.includes('rc'))).map((v) => v.tag),
      ['1.2.0'],
    );
    assert.deepEqual(
      selectVersions(images.filter((v) => !/^\d/.test(v.tag))),
      [],
      'latest, main, v1.3.0 are not versions',
    );
    assert.ok(compareSemver('1.3.0-rc.10', '1.3.0-rc.2') > 0, 'numeric prerelease identifiers compare as numbers');
    assert.ok(compareSemver('1.3.0', '1.3.0-rc.2') > 0, 'a release outranks its prereleases');
  });
});

describe('repository folder', () => {
  test("repodata.json is valid against core's repodata-schema.json, with what core's reader needs", () => {
    const { out, entry, repodata } = build({ REPOBASE: 'ghcr.io/Acme-Ops' }, 'ghcr');
    const ajv = new Ajv({ allErrors: true, strict: false });
    const validate = ajv.compile({ ...(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object), $id: undefined });
    assert.equal(validate(repodata), true, JSON.stringify(validate.errors));
    // core's add-repository validates with Python jsonschema.validate: the same check, same library.
    const py = spawnSync(
      '/usr/bin/python3',
      [
        '-c',
        'import json, sys, jsonschema; jsonschema.validate(json.load(open(sys.argv[1])), json.load(open(sys.argv[2])))',
        path.join(out, 'repodata.json'),
        SCHEMA,
      ],
      { encoding: 'utf8' },
    );
    assert.equal(py.status, 0, py.stderr);
    assert.equal(entry.id, 'backup-monitor');
    assert.equal(entry.source, 'ghcr.io/acme-ops/backup-monitor', 'source follows REPOBASE, lowercased');
    assert.equal(entry.docs.code_url, 'https://github.com/acme-ops/ns8-backup-monitor');
    assert.equal(entry.docs.bug_url, 'https://github.com/acme-ops/ns8-backup-monitor/issues');
    assert.deepEqual(
      entry.versions.map((v) => v.tag),
      ['1.3.0-rc.2', '1.2.0'],
    );
    assert.deepEqual(entry.versions[1]!.labels, images.find((v) => v.tag === '1.2.0')!.labels);
    assert.deepEqual(pngSize(path.join(out, 'backup-monitor', 'logo.png')), { width: 256, height: 256 });
    assert.ok(entry.screenshots.length >= 2, 'screenshots of the admin page');
    assert.equal(entry.screenshots[0], 'screenshots/status.png');
    for (const s of entry.screenshots) assert.ok(pngSize(path.join(out, 'backup-monitor', s)), `${s} is a PNG`);
    const metadata = JSON.parse(readFileSync(path.join(out, 'backup-monitor', 'metadata.json'), 'utf8')) as {
      source: string;
    };
    assert.equal(metadata.source, entry.source);
    assert.doesNotMatch(
      JSON.stringify(repodata),
      /ghcr\.io\/nethserver|github\.com\/NethServer/i,
      'no namespace we do not own',
    );
    // cluster-admin's app info links each author as mailto:<email>: a placeholder would be a dead link.
    assert.doesNotMatch(
      JSON.stringify(repodata),
      /@(example\.(org|com|net)|yourmail\.org)\b/i,
      'no placeholder author e-mail in the catalogue',
    );
  });

  test('without REPOBASE: localhost, no docs URL, still valid', () => {
    const { entry, repodata } = build({}, 'local');
    const ajv = new Ajv({ strict: false });
    assert.equal(
      ajv.validate({ ...(JSON.parse(readFileSync(SCHEMA, 'utf8')) as object), $id: undefined }, repodata),
      true,
    );
    assert.equal(entry.source, 'localhost/backup-monitor');
    assert.deepEqual([entry.docs.code_url, entry.docs.documentation_url], ['', '']);
  });

  test('served over HTTP, every file is where core looks for it (<url>/<id>/<file>)', async () => {
    const { out } = build(
      { REPOBASE: 'registry.example.org/team', CODE_URL: 'https://git.example.org/team/ns8-backup-monitor' },
      'served',
    );
    const app = express();
    app.use('/repo', express.static(out));
    const server: Server = await new Promise((resolve) => {
      const s = app.listen(0, '127.0.0.1', () => resolve(s));
    });
    try {
      const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/repo/`;
      // core: urllib.parse.urljoin(url, "repodata.json"), then _urljoin(url, id, file) for logo and screenshots
      const res = await fetch(new URL('repodata.json', url));
      assert.equal(res.status, 200);
      const [pkg] = (await res.json()) as RepoEntry[];
      assert.equal(
        pkg!.docs.code_url,
        'https://git.example.org/team/ns8-backup-monitor',
        'CODE_URL for a registry other than ghcr.io',
      );
      for (const file of [pkg!.logo!, ...pkg!.screenshots]) {
        const r = await fetch([url, pkg!.id, file].map((p) => p.replace(/^\/+|\/+$/g, '')).join('/'));
        assert.equal(r.status, 200, file);
        assert.equal(r.headers.get('content-type'), 'image/png');
      }
    } finally {
      server.close();
    }
  });

  test('the command line refuses to publish nothing: no semver tag is a clear error', () => {
    const versions = path.join(root, 'no-release.json');
    writeFileSync(
      versions,
      JSON.stringify([
        { tag: 'latest', labels: {} },
        { tag: 'v1.0.0', labels: {} },
      ]),
    );
    const r = spawnSync(
      process.execPath,
      [
        '--import',
        'tsx',
        path.join(REPO_ROOT, 'scripts', 'make-repository.ts'),
        '--out',
        path.join(root, 'none'),
        '--versions',
        versions,
      ],
      { cwd: REPO_ROOT, encoding: 'utf8', env: { ...process.env, REPOBASE: 'ghcr.io/acme' } },
    );
    assert.equal(r.status, 1);
    assert.match(
      r.stderr,
      /no semver tag among latest, v1\.0\.0 of ghcr\.io\/acme\/backup-monitor: publish a release first/,
    );
  });
});

/**
 * A skopeo on PATH that answers like ghcr.io: every call is logged; an image named in
 * FAKE_SKOPEO_PRIVATE is refused as a private package is refused to an anonymous client, one in
 * FAKE_SKOPEO_DOWN as an unreachable registry.
 */
function fakeSkopeo(): { dir: string; log: string } {
  const dir = mkdtempSync(path.join(root, 'skopeo-'));
  const log = path.join(dir, 'calls.log');
  writeFileSync(
    path.join(dir, 'skopeo'),
    `#!/bin/bash
echo "$*" >> "${log}"
ref=\${*: -1}; ref=\${ref#docker://}
for p in $FAKE_SKOPEO_PRIVATE; do
  if [[ "$ref" == "$p" || "$ref" == "$p":* ]]; then
    if [[ $1 == list-tags ]]; then
      echo 'time="2026-01-01T00:00:00Z" level=fatal msg="Error listing repository tags: fetching tags list: requesting bearer token: invalid status code from registry 401 (Unauthorized)"' >&2
    else
      echo "time=\\"2026-01-01T00:00:00Z\\" level=fatal msg=\\"Error parsing image name \\\\\\"docker://$ref\\\\\\": reading manifest in $ref: unauthorized: authentication required\\"" >&2
    fi
    exit 1
  fi
done
for p in $FAKE_SKOPEO_DOWN; do
  if [[ "$ref" == "$p" || "$ref" == "$p":* ]]; then
    echo 'time="2026-01-01T00:00:00Z" level=fatal msg="Error listing repository tags: pinging container registry ghcr.io: Get \\"https://ghcr.io/v2/\\": dial tcp: lookup ghcr.io: no such host"' >&2
    exit 1
  fi
done
case "$1" in
  list-tags) echo '{"Repository": "'"$ref"'", "Tags": ["latest", "main", "1.0.0", "1.1.0-rc.1"]}' ;;
  inspect)
    if [[ " $* " == *" --raw "* ]]; then echo '{"schemaVersion": 2}'
    else echo '{"Labels": {"org.nethserver.rootfull": "0", "org.nethserver.images": "'"\${ref%/*}"'/backup-monitor-service:'"\${ref##*:}"'"}}'
    fi ;;
  *) exit 2 ;;
esac
`,
    { mode: 0o755 },
  );
  return { dir, log };
}

function fromRegistry(name: string, env: Record<string, string>) {
  const skopeo = fakeSkopeo();
  const out = path.join(root, name);
  const r = spawnSync(
    process.execPath,
    ['--import', 'tsx', path.join(REPO_ROOT, 'scripts', 'make-repository.ts'), '--out', out, '--from-registry'],
    {
      cwd: REPO_ROOT,
      encoding: 'utf8',
      env: { ...process.env, PATH: `${skopeo.dir}:${process.env.PATH}`, REPOBASE: 'ghcr.io/acme', ...env },
    },
  );
  const calls = readFileSync(skopeo.log, 'utf8').trim().split('\n');
  return { ...r, out, calls };
}

const PUBLISH_ADVICE =
  /cannot be pulled anonymously.*GitHub creates a new container package as private.*Change visibility.*Public.*docs\/MODULE\.md, "Publish"/;

describe('--from-registry: anonymously, as NS8 nodes pull', () => {
  test('public packages: versions and labels from the registry, every skopeo call without credentials', () => {
    const r = fromRegistry('registry-public', { FAKE_SKOPEO_PRIVATE: '' });
    assert.equal(r.status, 0, r.stderr);
    const [entry] = JSON.parse(readFileSync(path.join(r.out, 'repodata.json'), 'utf8')) as RepoEntry[];
    assert.deepEqual(
      entry!.versions.map((v) => [v.tag, v.testing]),
      [
        ['1.1.0-rc.1', true],
        ['1.0.0', false],
      ],
    );
    assert.equal(entry!.versions[1]!.labels['org.nethserver.images'], 'ghcr.io/acme/backup-monitor-service:1.0.0');
    assert.ok(
      r.calls.every((c) => c.split(' ').includes('--no-creds')),
      r.calls.join('\n'),
    );
    assert.ok(
      r.calls.some((c) => c.includes('docker://ghcr.io/acme/backup-monitor-service:1.0.0')),
      'the service image each version names is checked too',
    );
  });

  test('a private module package (the first publish): fails with what to do, writes nothing', () => {
    const r = fromRegistry('registry-private', {
      FAKE_SKOPEO_PRIVATE: 'ghcr.io/acme/backup-monitor',
      GITHUB_ACTIONS: 'true',
    });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ghcr\.io\/acme\/backup-monitor cannot be pulled anonymously/);
    assert.match(r.stderr, PUBLISH_ADVICE);
    assert.match(r.stderr, /401 \(Unauthorized\)/, "skopeo's own words");
    assert.match(r.stdout, /^::error title=.*::.*cannot be pulled anonymously/m, 'an annotation in GitHub Actions');
    assert.throws(() => readFileSync(path.join(r.out, 'repodata.json')));
  });

  test('a public module package whose service package is still private: fails naming the service image', () => {
    const r = fromRegistry('registry-service-private', { FAKE_SKOPEO_PRIVATE: 'ghcr.io/acme/backup-monitor-service' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /ghcr\.io\/acme\/backup-monitor-service:1\.1\.0-rc\.1 cannot be pulled anonymously/);
    assert.match(r.stderr, PUBLISH_ADVICE);
  });

  test('an unreachable registry is not mistaken for a private package', () => {
    const r = fromRegistry('registry-down', { FAKE_SKOPEO_DOWN: 'ghcr.io/acme/backup-monitor' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /no such host/);
    assert.doesNotMatch(r.stderr, /anonymously/);
  });
});
