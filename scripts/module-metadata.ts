// SPDX-License-Identifier: GPL-3.0-or-later
// The module's catalogue entry (ui/public/metadata.json) for one image namespace. One rule, used
// by build-images.sh (the metadata.json inside the image) and scripts/make-repository.ts (the
// Software Center repository): REPOBASE decides `source`, and the docs URLs follow it.
//
//   node --import tsx scripts/module-metadata.ts <metadata.json to rewrite in place>
//   (REPOBASE, CODE_URL, GITHUB_SERVER_URL/GITHUB_REPOSITORY from the environment)
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const MODULE_NAME = 'backup-monitor';
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const METADATA_FILE = path.join(REPO_ROOT, 'ui', 'public', 'metadata.json');
/** 256x256 PNG: the Software Center's logo, and the one cluster-admin finds as apps/<id>/img/*logo*png. */
export const LOGO_FILE = path.join(REPO_ROOT, 'ui', 'public', 'img', 'backup-monitor-logo.png');

export interface Metadata {
  name: string;
  description: Record<string, string>;
  categories: string[];
  authors: { name: string; email: string }[];
  docs: { documentation_url: string; bug_url: string; code_url: string; [k: string]: string };
  source: string;
  [k: string]: unknown;
}

export interface Namespace {
  repobase: string;
  codeUrl: string;
}

/**
 * The namespace of a build: REPOBASE (default `localhost`, podman's local prefix: claims no
 * registry namespace), lowercased. Docs: the building repository in GitHub Actions, else
 * github.com/<owner>/ns8-backup-monitor for ghcr.io/<owner>, else CODE_URL (may be empty).
 */
export function namespaceFrom(env: NodeJS.ProcessEnv): Namespace {
  const repobase = (env.REPOBASE || 'localhost').toLowerCase().replace(/\/+$/, '');
  if (!/^[a-z0-9._:-]+(\/[a-z0-9._-]+)*$/.test(repobase))
    throw new Error(`REPOBASE=${repobase} is not an image namespace`);
  let codeUrl = env.CODE_URL ?? '';
  if (env.GITHUB_SERVER_URL && env.GITHUB_REPOSITORY) codeUrl = `${env.GITHUB_SERVER_URL}/${env.GITHUB_REPOSITORY}`;
  else if (repobase.startsWith('ghcr.io/')) codeUrl = `https://github.com/${repobase.split('/')[1]}/ns8-${MODULE_NAME}`;
  if (codeUrl && !/^https?:\/\/[^\s"<>]+$/.test(codeUrl)) throw new Error(`CODE_URL=${codeUrl} is not a web URL`);
  return { repobase, codeUrl: codeUrl.replace(/\/+$/, '') };
}

export function moduleMetadata(base: Metadata, ns: Namespace): Metadata {
  const code = ns.codeUrl;
  return {
    ...base,
    source: `${ns.repobase}/${MODULE_NAME}`,
    docs: {
      ...base.docs,
      documentation_url: code ? `${code}/blob/main/docs/MODULE.md` : '',
      bug_url: code ? `${code}/issues` : '',
      code_url: code,
    },
  };
}

export const readMetadata = (file = METADATA_FILE): Metadata => JSON.parse(readFileSync(file, 'utf8')) as Metadata;

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const file = process.argv[2];
  if (!file) {
    process.stderr.write('usage: module-metadata.ts <metadata.json>\n');
    process.exit(2);
  }
  const m = moduleMetadata(readMetadata(file), namespaceFrom(process.env));
  writeFileSync(file, JSON.stringify(m, null, 2) + '\n');
  process.stdout.write(`${m.source} ${m.docs.code_url || '(no docs URL)'}\n`);
}
