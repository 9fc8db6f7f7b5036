// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile round H8 on issue #23's repositories nobody owns: read-backup-repositories answers
// whatever its 4 MiB cap allows (tens of thousands of entries, megabyte names, HTML and terminal
// escapes, impossible times). What the service keeps from it goes to Redis (replicated to every
// node), the page, /metrics and every digest, so the parser bounds it: rows, text and times.
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { UNOWNED_ROWS_MAX, UNOWNED_TEXT_MAX, unownedRepos } from '../../src/repocheck/unowned.js';
import { digestContent } from '../../src/digest/content.js';
import { renderDigestHtml, renderDigestText } from '../../src/report/digest.js';
import { everyState } from '../digest/fixtures.js';

const entry = (i: number, over: Record<string, unknown> = {}) => ({
  path: `app${i}/u-${i}`,
  module_id: `app${i}`,
  module_ui_name: `App ${i}`,
  repository_name: 'NAS',
  is_generated_locally: i % 2 === 0,
  installed_instance: '',
  timestamp: 1_786_000_000 + i,
  ...over,
});

describe('unownedRepos: a hostile read-backup-repositories answer', () => {
  test('100,000 entries: at most UNOWNED_ROWS_MAX kept, both kinds, oldest first', () => {
    const rows = unownedRepos(Array.from({ length: 100_000 }, (_, i) => entry(i)));
    assert.equal(rows.length, UNOWNED_ROWS_MAX);
    assert.ok(UNOWNED_ROWS_MAX <= 500);
    assert.deepEqual(new Set(rows.map((r) => r.kind)), new Set(['removed', 'other_cluster']));
  });

  test('megabyte names: every text is clipped, the whole read stays small', () => {
    const huge = `<b>${'x'.repeat(1_000_000)}`;
    const out = unownedRepos(
      Array.from({ length: 3 }, (_, i) =>
        entry(i, { path: huge, module_id: huge, module_ui_name: huge, repository_name: huge }),
      ),
    );
    for (const r of out)
      for (const t of [r.path, r.moduleId, r.uiName, r.destinationName]) assert.ok(t.length <= UNOWNED_TEXT_MAX);
    assert.ok(
      JSON.stringify(unownedRepos(Array.from({ length: 100_000 }, (_, i) => entry(i, { path: huge })))).length <
        300_000,
    );
  });

  for (const t of [1e308, -1, Number.NaN, 1_786_000_000.5, '1786000000', 2 ** 53]) {
    test(`a last backup time of ${String(t)}: 0 (unknown), never a date centuries away`, () => {
      assert.equal(
        unownedRepos([entry(0, { timestamp: t })])[0]!.lastBackupAt,
        t === 1_786_000_000.5 ? 1_786_000_000 : 0,
      );
    });
  }

  test('HTML and terminal escapes in names reach the digest escaped and without control characters', () => {
    const rows = unownedRepos([
      entry(1, {
        module_ui_name: '<img src=x onerror=alert(1)>\u001b[31mRED',
        repository_name: '</td><script>x</script>',
      }),
    ]);
    const o = {
      language: 'en' as const,
      subjectPrefix: '[NS8 Backup]',
      timeZone: 'UTC',
      moduleId: 'backup-monitor1',
      frequency: 'daily' as const,
    };
    const content = digestContent(everyState({ unowned: rows }));
    const mail = { html: renderDigestHtml(content, o), text: renderDigestText(content, o) };
    assert.match(mail.text, /RED/, 'the row is in the digest');
    assert.doesNotMatch(mail.html, /<img src=x|<script>|\u001b/);
    assert.match(mail.html, /&lt;img src=x onerror=alert\(1\)&gt;/);
    assert.doesNotMatch(mail.text, /\u001b/);
  });
});
