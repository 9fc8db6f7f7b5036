// SPDX-License-Identifier: GPL-3.0-or-later
// The GitHub workflows keep their promises: the tests gate publishing, the tests are the
// README's command, and the Software Center repository checks Pages before building.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { load } from 'js-yaml';
import { REPO_ROOT } from '../scripts/module-metadata.js';

interface Job {
  uses?: string;
  needs?: string | string[];
  steps?: { uses?: string; run?: string }[];
}
interface Workflow {
  on: Record<string, unknown>;
  jobs: Record<string, Job>;
}
const workflow = (name: string) =>
  load(readFileSync(path.join(REPO_ROOT, '.github', 'workflows', name), 'utf8')) as Workflow;
const needsOf = (j: Job) => (Array.isArray(j.needs) ? j.needs : j.needs ? [j.needs] : []);
const README_COMMAND = 'bash scripts/setup.sh && npm test';

describe('.github/workflows', () => {
  test('test.yml runs the README test command on pull requests and when called', () => {
    const w = workflow('test.yml');
    assert.ok('pull_request' in w.on && 'workflow_call' in w.on);
    const runs = Object.values(w.jobs).flatMap((j) => (j.steps ?? []).map((s) => s.run ?? ''));
    assert.ok(runs.includes('bash .ci/run'), runs.join('\n'));
    assert.match(readFileSync(path.join(REPO_ROOT, '.ci', 'run'), 'utf8'), /^bash scripts\/setup\.sh && npm test$/m);
    assert.ok(readFileSync(path.join(REPO_ROOT, 'README.md'), 'utf8').includes(README_COMMAND));
  });

  test('publish-images.yml publishes only after the tests passed', () => {
    const w = workflow('publish-images.yml');
    const testJob = Object.entries(w.jobs).find(([, j]) => j.uses === './.github/workflows/test.yml')?.[0];
    assert.ok(testJob, 'a job calls test.yml');
    const publish = Object.values(w.jobs).find((j) => j.uses?.includes('/publish-branch.yml'));
    assert.ok(publish && needsOf(publish).includes(testJob));
  });

  test('software-repository.yml checks Pages first, then reads the registry', () => {
    const steps = workflow('software-repository.yml').jobs.build!.steps!;
    const pages = steps.findIndex((s) => s.uses?.startsWith('actions/configure-pages@'));
    const make = steps.findIndex(
      (s) => s.run?.includes('scripts/make-repository.ts') && s.run.includes('--from-registry'),
    );
    assert.ok(pages >= 0 && make > pages, 'configure-pages before make-repository');
  });
});
