// SPDX-License-Identifier: GPL-3.0-or-later
// The service's links have one list, src/domain/link.ts. Whoever cannot import it repeats it
// here under test: the actions (status.py), get-monitor-status' output schema and the page's words.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { LINK_NAMES, PAGE_LINKS } from '../../src/domain/link.js';
import { IMAGEROOT, REPO_ROOT, SYSTEM_PATH } from '../sim/agent-runner.js';

describe('link names', () => {
  it('the page shows links of the list, api_server left out', () => {
    assert.deepEqual(
      PAGE_LINKS,
      LINK_NAMES.filter((n) => n !== 'api_server'),
    );
  });

  it('get-monitor-status (status.py) reports the page links, read from the health hash', () => {
    const r = spawnSync(
      'python3',
      ['-c', 'import json\nfrom backup_monitor import status\nprint(json.dumps(list(status.LINKS)))'],
      { encoding: 'utf8', env: { PATH: SYSTEM_PATH, PYTHONPATH: path.join(IMAGEROOT, 'pypkg') } },
    );
    assert.equal(r.status, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout), PAGE_LINKS);
  });

  it("get-monitor-status' output schema requires exactly the page links", () => {
    const schema = JSON.parse(
      readFileSync(path.join(IMAGEROOT, 'actions/get-monitor-status/validate-output.json'), 'utf8'),
    ) as { properties: { links: { required: string[]; properties: Record<string, unknown> } } };
    assert.deepEqual(schema.properties.links.required, PAGE_LINKS);
    assert.deepEqual(Object.keys(schema.properties.links.properties), PAGE_LINKS);
  });

  for (const lang of ['en', 'it']) {
    it(`the page names every page link in ${lang}`, () => {
      const t = JSON.parse(readFileSync(path.join(REPO_ROOT, 'ui/public/i18n', lang, 'translation.json'), 'utf8')) as {
        status: Record<string, string>;
      };
      const named = Object.keys(t.status)
        .filter((k) => k.startsWith('link_') && !k.startsWith('link_state_'))
        .map((k) => k.slice('link_'.length));
      assert.deepEqual(named.sort(), [...PAGE_LINKS].sort());
    });
  }

  it('the page component takes its list from the domain, not its own', () => {
    const vue = readFileSync(path.join(REPO_ROOT, 'ui/src/components/LinksHealth.vue'), 'utf8');
    assert.match(vue, /from "\.\.\/\.\.\/\.\.\/src\/domain\/link\.ts"/);
    assert.doesNotMatch(vue, /\["redis"/);
  });
});
