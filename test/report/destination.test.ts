// SPDX-License-Identifier: GPL-3.0-or-later
// The destination part of a report: plain-language verdict, next step naming the NS8 UI place,
// repository lines, restic's words quoted and collapsible, secrets masked, HTML escaped; English
// and Italian. It says no more than a snapshot listing can know.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { renderDestination as renderDestinationSection } from '../../src/report/destination.js';
import type { DestinationHealth, RepoCheck, RepoVerdict } from '../../src/domain/destination.js';

const check = (over: Partial<RepoCheck> = {}): RepoCheck => ({
  moduleId: 'nextcloud1',
  uiName: 'Cloud',
  repoPath: 'nextcloud/3c9a7e5f',
  failedInRun: true,
  verdict: 'healthy',
  code: 'REPO_OK',
  latestSnapshot: 1785632404,
  snapshotCount: 4,
  totalBytes: 51998012876,
  lockAgeSeconds: null,
  snapshotOutdated: true,
  rawError: null,
  durationMs: 900,
  ...over,
});
const health = (verdict: RepoVerdict, checks: RepoCheck[], name = 'NAS share'): DestinationHealth => ({
  destinationId: '8e4a1d77',
  destinationName: name,
  verdict,
  checks,
  expectedRun: 1786237200,
  checkedAt: 0,
});

test('healthy destination, failed module: what listing snapshots proves and what it cannot; snapshot facts, outdated flag', () => {
  const h = health('healthy', [
    check(),
    check({
      moduleId: 'samba1',
      uiName: 'Domain controller',
      failedInRun: false,
      latestSnapshot: 1786238000,
      snapshotCount: 1,
      snapshotOutdated: false,
    }),
  ]);
  const en = renderDestinationSection(h, 'en', { timeZone: 'Europe/Rome' });
  assert.match(en.text, /^Destination NAS share\n/);
  assert.match(en.text, /\nThe destination answers: its repositories can be listed\.\n/);
  assert.match(en.html, /<strong>The destination answers: its repositories can be listed\.<\/strong>/);
  assert.ok(
    !/problem is in the application|not in the storage/.test(en.text),
    'no claim a snapshot listing cannot support',
  );
  assert.match(en.text, /does not read the saved data, so it cannot tell whether data files are missing or damaged/);
  assert.match(en.text, /Next step: .*error lines.*Run backup now in Backup and restore/);
  assert.match(
    en.text,
    /- Cloud \(nextcloud1\), failed in this run: snapshots listed \(latest snapshot 2026-08-02 03:00, 4 snapshots, 48\.43 GiB; older than the last expected run \(2026-08-09 03:00\)\)/,
  );
  assert.match(
    en.text,
    /- Domain controller \(samba1\), comparison, succeeded in this run: snapshots listed \(latest snapshot 2026-08-09 03:13, 1 snapshot, 48\.43 GiB\)\n/,
  );
  assert.ok(!en.html.includes('<details>'), 'nothing to quote for readable repositories');
  const it = renderDestinationSection(h, 'it', { timeZone: 'Europe/Rome' });
  assert.match(it.text, /^Destinazione NAS share\n/);
  assert.match(it.text, /\nLa destinazione risponde/);
  assert.match(it.text, /non legge i dati salvati/);
  assert.match(it.text, /Cosa fare: .*righe di errore.*Eseguire il backup ora in Backup e ripristino/);
  assert.match(
    it.text,
    /ultimo snapshot 2026-08-02 03:00, 4 snapshot, 48,43 GiB; più vecchio dell'ultima esecuzione prevista \(2026-08-09 03:00\)/,
  );
});

const RAW =
  'Fatal: unable to open config file: unexpected HTTP response (401): 401 Unauthorized\nIs there a repository at the following location?\nrest:http://node%2F1:gw-pass@127.0.0.1:4694/8e4a1d77/nextcloud/3c9a7e5f/';

test("auth: verdict, the UI place, restic's message quoted and collapsible, credentials masked", () => {
  const h = health('auth', [
    check({
      verdict: 'auth',
      code: 'REPO_AUTH',
      latestSnapshot: null,
      snapshotCount: null,
      totalBytes: null,
      snapshotOutdated: false,
      rawError: RAW,
    }),
  ]);
  const en = renderDestinationSection(h, 'en');
  assert.match(en.text, /\nThe destination refused the credentials\./);
  assert.match(
    en.text,
    /Next step: check the credentials of \S.* \(access key, user name, password\) in Backup and restore > Backup destinations > Edit destination\./,
  );
  assert.match(
    en.text,
    /\nTechnical details \(Cloud \(nextcloud1\)\):\n> Fatal: unable to open config file: unexpected HTTP response \(401\): 401 Unauthorized\n> Is there a repository/,
  );
  assert.match(
    en.html,
    /<details><summary[^>]*>Technical details \(Cloud \(nextcloud1\)\)<\/summary><div[^>]*><span dir="auto">Fatal: unable to open config file/,
  );
  for (const s of [en.text, en.html]) {
    assert.ok(!s.includes('gw-pass'));
    assert.match(s, /rest:http:\/\/(&lt;|<)secret(&gt;|>)@127\.0\.0\.1/);
  }
  const it = renderDestinationSection(h, 'it');
  assert.match(it.text, /\nLa destinazione ha rifiutato le credenziali/);
  assert.match(it.text, /Backup e ripristino > Destinazioni backup > Modifica destinazione/);
  assert.match(it.html, /<summary[^>]*>Dettagli tecnici/);
});

test('everything that goes into HTML is escaped: names, labels, restic text', () => {
  const h = health(
    'corrupt',
    [
      check({
        uiName: 'Webtop <Sales & Co>',
        verdict: 'corrupt',
        code: 'REPO_CORRUPT',
        rawError: 'load <snapshot/2f04d82ebf>: invalid data returned "x"',
      }),
    ],
    'NAS <b>"quoted"</b>',
  );
  const { html, text } = renderDestinationSection(h, 'en');
  assert.ok(!/<b>|<snapshot|Sales &(?!amp;)/.test(html));
  assert.match(html, /Destination <span dir="auto">NAS &lt;b&gt;&quot;quoted&quot;&lt;\/b&gt;<\/span>/);
  assert.match(html, /Webtop &lt;Sales &amp; Co&gt;/);
  assert.match(html, /load &lt;snapshot\/2f04d82ebf&gt;: invalid data returned &quot;x&quot;/);
  assert.match(text, /Webtop <Sales & Co> \(nextcloud1\)/, 'plain text stays as written');
});

test("locked shows the lock's age; unknown size is said so", () => {
  const h = health('locked', [
    check({
      verdict: 'locked',
      code: 'REPO_LOCKED',
      lockAgeSeconds: 7530,
      latestSnapshot: null,
      snapshotCount: null,
      totalBytes: null,
      snapshotOutdated: false,
      rawError: 'repository is already locked exclusively by PID 7',
    }),
  ]);
  assert.match(renderDestinationSection(h, 'en').text, /locked by another operation \(lock created 2h 5m 30s ago\)/);
  assert.match(
    renderDestinationSection(h, 'it').text,
    /bloccato da un'altra operazione \(blocco creato 2h 5m 30s fa\)/,
  );
  const unknown = health('healthy', [check({ totalBytes: null, snapshotOutdated: false })]);
  assert.match(renderDestinationSection(unknown, 'en').text, /4 snapshots, size unknown/);
});

test('error and skipped verdicts explain themselves by code', () => {
  const api = health('error', [
    check({
      verdict: 'error',
      code: 'API_UNREACHABLE',
      latestSnapshot: null,
      snapshotCount: null,
      snapshotOutdated: false,
      rawError: 'API_UNREACHABLE: POST http://cluster-leader:9311/api/login: fetch failed',
    }),
  ]);
  assert.match(
    renderDestinationSection(api, 'en').text,
    /\nThe destination could not be checked: the NS8 API server did not answer\.\n\nNext step: this says nothing about the destination itself/,
  );
  assert.match(
    renderDestinationSection(api, 'it').text,
    /non è stato possibile controllare la destinazione: il server API di NS8 non ha risposto/,
  );
  const skipped = health('skipped', [
    check({
      verdict: 'skipped',
      code: 'CHECK_SKIPPED_BUDGET',
      latestSnapshot: null,
      snapshotCount: null,
      snapshotOutdated: false,
    }),
  ]);
  assert.match(renderDestinationSection(skipped, 'en').text, /\nNot checked: the time allowed for checks ran out/);
});

test('API server down: one story, no repository line that contradicts it', () => {
  const off = { latestSnapshot: null, snapshotCount: null, snapshotOutdated: false };
  const h = health('error', [
    check({ verdict: 'error', code: 'API_UNREACHABLE', ...off, rawError: 'API_UNREACHABLE: fetch failed' }),
    check({
      moduleId: 'samba1',
      uiName: 'DC',
      failedInRun: false,
      verdict: 'skipped',
      code: 'CHECK_SKIPPED_DESTINATION',
      ...off,
    }),
    check({ moduleId: 'mail1', uiName: 'Mail', verdict: 'skipped', code: 'CHECK_SKIPPED_DESTINATION', ...off }),
  ]);
  for (const lang of ['en', 'it'] as const) {
    const { text } = renderDestinationSection(h, lang);
    assert.ok(
      !/destination itself failed|destinazione stessa ha fallito/.test(text),
      `${lang}: no "the destination failed" beside "says nothing about the destination"`,
    );
    assert.ok(!/samba1|mail1/.test(text), `${lang}: skipped repositories are covered by the verdict`);
  }
});

test('every verdict has words and a next step in both languages', () => {
  const verdicts: RepoVerdict[] = [
    'healthy',
    'unreachable',
    'auth',
    'missing',
    'wrong_password',
    'locked',
    'corrupt',
    'timeout',
    'forbidden',
    'error',
    'skipped',
  ];
  const seen = new Set<string>();
  for (const v of verdicts)
    for (const lang of ['en', 'it'] as const) {
      const { text } = renderDestinationSection(health(v, [check({ verdict: v })]), lang);
      const lines = text.split('\n');
      const next = lines.find((l) => /^(Next step|Cosa fare): \S/.test(l));
      assert.ok(lines[0] && !text.includes('undefined') && !/\{\w+\}/.test(text) && next, `${v}/${lang}`);
      seen.add(`${lang}:${next}`);
    }
  assert.equal(seen.size, verdicts.length * 2, 'a different next step for every verdict');
});

test('every code an error or skipped check can carry has words in both languages', async () => {
  const { STRINGS: ALL } = await import('../../src/report/strings.js');
  const STRINGS = { en: ALL.en.destination, it: ALL.it.destination };
  const codes = [
    'API_UNREACHABLE',
    'API_AUTH',
    'API_AGENT_DOWN',
    'API_NOT_LEADER',
    'API_RATE_LIMITED',
    'API_SERVER_ERROR',
    'API_BAD_RESPONSE',
    'API_ABORTED',
    'API_TIMEOUT',
    'TASK_ACTION_MISSING',
    'TASK_INPUT_INVALID',
    'TASK_OUTPUT_INVALID',
    'REPO_ERROR',
    'REPO_SNAPSHOT_AHEAD',
    'CHECK_SKIPPED_BUDGET',
    'CHECK_SKIPPED_DESTINATION',
    'CHECK_SKIPPED_HOURLY_CAP',
    'CHECK_INTERNAL_ERROR',
  ];
  for (const lang of ['en', 'it'] as const) {
    assert.deepEqual(
      codes.filter((c) => !STRINGS[lang].codes[c]),
      [],
      lang,
    );
    assert.deepEqual(Object.keys(STRINGS[lang].codes).sort(), [...codes].sort(), `${lang}: no stale codes`);
  }
});
