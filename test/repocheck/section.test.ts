// SPDX-License-Identifier: GPL-3.0-or-later
// The destination section: plain-language verdict, next step naming the NS8 UI place, repository
// lines, restic's words quoted and collapsible, secrets masked, HTML escaped; English and Italian.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDestinationSection } from '../../src/repocheck/section.js';
import type { DestinationHealth, RepoCheck, RepoVerdict } from '../../src/repocheck/types.js';

const check = (over: Partial<RepoCheck> = {}): RepoCheck => ({
  moduleId: 'nextcloud1', uiName: 'Cloud', repoPath: 'nextcloud/3c9a7e5f', failedInRun: true, verdict: 'healthy', code: 'REPO_OK',
  latestSnapshot: 1785632404, snapshotCount: 4, totalBytes: 51998012876, lockAgeSeconds: null, snapshotOutdated: true,
  rawError: null, durationMs: 900, ...over,
});
const health = (verdict: RepoVerdict, checks: RepoCheck[], name = 'NAS share'): DestinationHealth =>
  ({ destinationId: '8e4a1d77', destinationName: name, verdict, checks, expectedRun: 1786237200, checkedAt: 0 });

test('healthy destination, failed module: the problem is the application; snapshot facts and outdated flag', () => {
  const h = health('healthy', [check(), check({ moduleId: 'samba1', uiName: 'Domain controller', failedInRun: false, latestSnapshot: 1786238000, snapshotCount: 1, snapshotOutdated: false })]);
  const en = renderDestinationSection(h, 'en', { timeZone: 'Europe/Rome' });
  assert.equal(en.title, 'Destination "NAS share"');
  assert.match(en.text, /^The destination works: its repositories can be read\.\n/);
  assert.match(en.html, /<strong>The destination works: its repositories can be read\.<\/strong>/);
  assert.match(en.text, /problem is in the application, not in the storage/);
  assert.match(en.text, /Next step: .*System logs.*Run backup now in Backup and restore/);
  assert.match(en.text, /- Cloud \(nextcloud1\), failed in this run: readable \(latest snapshot 2 Aug 2026, 03:00, 4 snapshots, 52 GB; older than the last expected run \(9 Aug 2026, 03:00\)\)/);
  assert.match(en.text, /- Domain controller \(samba1\), comparison, succeeded in this run: readable \(latest snapshot 9 Aug 2026, 03:13, 1 snapshot, 52 GB\)\n/);
  assert.ok(!en.html.includes('<details>'), 'nothing to quote for readable repositories');
  const it = renderDestinationSection(h, 'it', { timeZone: 'Europe/Rome' });
  assert.equal(it.title, 'Destinazione "NAS share"');
  assert.match(it.text, /^La destinazione funziona/);
  assert.match(it.text, /Cosa fare: .*Log di sistema.*Eseguire il backup ora in Backup e ripristino/);
  assert.match(it.text, /ultimo snapshot 2 ago 2026, 03:00, 4 snapshot, 52 GB; più vecchio dell'ultima esecuzione prevista \(9 ago 2026, 03:00\)/);
});

const RAW = 'Fatal: unable to open config file: unexpected HTTP response (401): 401 Unauthorized\nIs there a repository at the following location?\nrest:http://node%2F1:gw-pass@127.0.0.1:4694/8e4a1d77/nextcloud/3c9a7e5f/';

test('auth: verdict, the UI place, restic\'s message quoted and collapsible, credentials masked', () => {
  const h = health('auth', [check({ verdict: 'auth', code: 'REPO_AUTH', latestSnapshot: null, snapshotCount: null, totalBytes: null, snapshotOutdated: false, rawError: RAW })]);
  const en = renderDestinationSection(h, 'en');
  assert.match(en.text, /^The destination refused the credentials\./);
  assert.match(en.text, /Next step: check the destination's credentials .* in Backup and restore > Backup destinations > Edit destination\./);
  assert.match(en.text, /\nTechnical details \(Cloud \(nextcloud1\)\):\n> Fatal: unable to open config file: unexpected HTTP response \(401\): 401 Unauthorized\n> Is there a repository/);
  assert.match(en.html, /<details><summary>Technical details \(Cloud \(nextcloud1\)\)<\/summary><blockquote[^>]*><pre[^>]*>Fatal: unable to open config file/);
  for (const s of [en.text, en.html]) { assert.ok(!s.includes('gw-pass')); assert.match(s, /rest:http:\/\/(&lt;|<)secret(&gt;|>)@127\.0\.0\.1/); }
  const it = renderDestinationSection(h, 'it');
  assert.match(it.text, /^La destinazione ha rifiutato le credenziali/);
  assert.match(it.text, /Backup e ripristino > Destinazioni backup > Modifica destinazione/);
  assert.match(it.html, /<summary>Dettagli tecnici/);
});

test('everything that goes into HTML is escaped: names, labels, restic text', () => {
  const h = health('corrupt', [check({ uiName: 'Webtop <Sales & Co>', verdict: 'corrupt', code: 'REPO_CORRUPT', rawError: 'load <snapshot/2f04d82ebf>: invalid data returned "x"' })], 'NAS <b>"quoted"</b>');
  const { html, text } = renderDestinationSection(h, 'en');
  assert.ok(!/<b>|<snapshot|Sales &(?!amp;)/.test(html));
  assert.equal(renderDestinationSection(h, 'en').title, 'Destination "NAS <b>"quoted"</b>"', 'the renderer escapes the title');
  assert.match(html, /Webtop &lt;Sales &amp; Co&gt;/);
  assert.match(html, /load &lt;snapshot\/2f04d82ebf&gt;: invalid data returned &quot;x&quot;/);
  assert.match(text, /Webtop <Sales & Co> \(nextcloud1\)/, 'plain text stays as written');
});

test('locked shows the lock\'s age; unknown size is said so', () => {
  const h = health('locked', [check({ verdict: 'locked', code: 'REPO_LOCKED', lockAgeSeconds: 7530, latestSnapshot: null, snapshotCount: null, totalBytes: null, snapshotOutdated: false, rawError: 'repository is already locked exclusively by PID 7' })]);
  assert.match(renderDestinationSection(h, 'en').text, /locked by another operation \(lock created 2 h 5 min ago\)/);
  assert.match(renderDestinationSection(h, 'it').text, /bloccato da un'altra operazione \(blocco creato 2 h 5 min fa\)/);
  const unknown = health('healthy', [check({ totalBytes: null, snapshotOutdated: false })]);
  assert.match(renderDestinationSection(unknown, 'en').text, /4 snapshots, size unknown/);
});

test('error and skipped verdicts explain themselves by code', () => {
  const api = health('error', [check({ verdict: 'error', code: 'API_UNREACHABLE', latestSnapshot: null, snapshotCount: null, snapshotOutdated: false, rawError: 'API_UNREACHABLE: POST http://cluster-leader:9311/api/login: fetch failed' })]);
  assert.match(renderDestinationSection(api, 'en').text, /^The destination could not be checked: the NS8 API server did not answer\.\nNext step: this says nothing about the destination itself/);
  assert.match(renderDestinationSection(api, 'it').text, /non è stato possibile controllare la destinazione: il server API di NS8 non ha risposto/);
  const skipped = health('skipped', [check({ verdict: 'skipped', code: 'CHECK_SKIPPED_BUDGET', latestSnapshot: null, snapshotCount: null, snapshotOutdated: false })]);
  assert.match(renderDestinationSection(skipped, 'en').text, /^Not checked: the time allowed for checks ran out/);
});

test('every verdict has words and a next step in both languages', () => {
  const verdicts: RepoVerdict[] = ['healthy', 'unreachable', 'auth', 'missing', 'wrong_password', 'locked', 'corrupt', 'timeout', 'forbidden', 'error', 'skipped'];
  const seen = new Set<string>();
  for (const v of verdicts) for (const lang of ['en', 'it'] as const) {
    const { text } = renderDestinationSection(health(v, [check({ verdict: v })]), lang);
    const lines = text.split('\n');
    const next = lines.find((l) => /^(Next step|Cosa fare): \S/.test(l));
    assert.ok(lines[0] && !text.includes('undefined') && next, `${v}/${lang}`);
    seen.add(`${lang}:${next}`);
  }
  assert.equal(seen.size, verdicts.length * 2, 'a different next step for every verdict');
});

test('every code an error or skipped check can carry has words in both languages', async () => {
  const { STRINGS } = await import('../../src/repocheck/strings.js');
  const codes = ['API_UNREACHABLE', 'API_AUTH', 'API_AGENT_DOWN', 'API_NOT_LEADER', 'API_RATE_LIMITED', 'API_SERVER_ERROR',
    'API_BAD_RESPONSE', 'API_ABORTED', 'API_TIMEOUT', 'TASK_ACTION_MISSING', 'TASK_INPUT_INVALID', 'TASK_OUTPUT_INVALID', 'REPO_ERROR',
    'CHECK_SKIPPED_BUDGET', 'CHECK_SKIPPED_DESTINATION', 'CHECK_INTERNAL_ERROR'];
  for (const lang of ['en', 'it'] as const) {
    assert.deepEqual(codes.filter((c) => !STRINGS[lang].codes[c]), [], lang);
    assert.deepEqual(Object.keys(STRINGS[lang].codes).sort(), [...codes].sort(), `${lang}: no stale codes`);
  }
});
