// SPDX-License-Identifier: GPL-3.0-or-later
// The run report's words: golden subject + text for every outcome in both languages, the order an
// administrator on a phone needs, escaping of every outside field, one-line subjects, no 1970,
// isolated right-to-left names and bounded sizes. Goldens: UPDATE_GOLDEN=1 rewrites them (then
// read the diff).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RunReport } from '../../src/domain/run.js';
import type { NotifyReason } from '../../src/domain/records.js';
import { renderReport, subjectOf } from '../../src/report/render.js';
import { boundRun } from '../../src/report/bound.js';
import { OPTIONS as O, RUNS, T } from './fixtures.js';
import { fill, STRINGS } from '../../src/report/strings.js';
import type { RepoVerdict } from '../../src/domain/destination.js';

const GOLDEN = path.join(path.dirname(fileURLToPath(import.meta.url)), 'golden');
const REASON: Record<string, NotifyReason> = { success: 'success' };

describe('golden text of every outcome', () => {
  for (const [name, run] of Object.entries(RUNS)) {
    for (const language of ['en', 'it'] as const) {
      it(`${name} (${language})`, () => {
        const m = renderReport(run, REASON[name] ?? 'first', { ...O, language });
        const got = `Subject: ${m.subject}\n\n${m.text}`;
        const file = path.join(GOLDEN, `${name}.${language}.txt`);
        if (process.env.UPDATE_GOLDEN || !existsSync(file)) {
          mkdirSync(GOLDEN, { recursive: true });
          writeFileSync(file, got);
        }
        assert.equal(got, readFileSync(file, 'utf8'));
        assert.ok(!/\{\w+\}|undefined|NaN|null|1970/.test(got), 'every placeholder filled, no 1970');
        assert.ok(!/Seen through|Rilevato tramite|late result|backup event/.test(got), 'none of our own jargon');
      });
    }
  }
});

describe('report rendering', () => {
  it("subjects: state and plan first, then the prefix and the seed tool's words (issue #21)", () => {
    const r = RUNS.partial!;
    assert.equal(
      subjectOf(r, 'first', O),
      '⚠️ Partly failed: Weekly SMB – 2 of 3 applications not saved · [NS8 Backup] ⚠️ Backup partially failed',
    );
    assert.equal(
      subjectOf(RUNS.success!, 'success', O),
      '✅ OK: Weekly SMB · [NS8 Backup] ✅ Backup completed successfully',
    );
    assert.equal(
      subjectOf(RUNS.success!, 'recovered', O),
      '✅ Recovered: Weekly SMB · [NS8 Backup] ✅ Backup recovered',
    );
    assert.equal(
      subjectOf(RUNS.warning!, 'first', O),
      '⚠️ Warning: Weekly SMB – 2 to check · [NS8 Backup] ⚠️ Backup completed with warnings',
    );
    assert.equal(
      subjectOf(RUNS.repo_failure!, 'first', O),
      '❌ Failed: Weekly SMB · [NS8 Backup] ❌ Backup failed – possible repository error',
    );
    assert.equal(
      subjectOf(RUNS.missing!, 'first', O),
      '⏰ Did not run: Weekly SMB · [NS8 Backup] ⏰ Backup did not run',
    );
    assert.equal(
      subjectOf(r, 'reminder', O),
      '⚠️ Partly failed: Weekly SMB – 2 of 3 applications not saved · [NS8 Backup] 🔁 Reminder: ⚠️ Backup partially failed',
    );
    assert.equal(
      subjectOf(r, 'update', { ...O, language: 'it' }),
      '⚠️ Parziale: Weekly SMB – 2 applicazioni su 3 non salvate · [NS8 Backup] ⚠️ Backup parzialmente fallito [aggiornamento]',
    );
  });

  it('for a problem, "what to do", then the applications (failed rows first, error lines under the name), then the counts', () => {
    const { text, html } = renderReport(RUNS.partial!, 'first', O);
    const at = (s: string) => text.indexOf(s);
    assert.ok(
      at('WHAT TO DO') > 0 && at('WHAT TO DO') < at('Applications') && at('Applications') < at('1/3 saved'),
      text,
    );
    assert.ok(at('From the backup log:') < at('Ran 2026-08-09 03:00 CEST (29s'), 'the cause before the facts');
    const ok = renderReport(RUNS.success!, 'success', O).text;
    assert.ok(ok.indexOf('3/3 saved') < ok.indexOf('Applications'), 'a success opens with its counts');
    assert.deepEqual(
      [...html.matchAll(/data-module="([^"]+)" data-result="([^"]+)"/g)].map((m) => `${m[1]}=${m[2]}`),
      ['nextcloud1=failed', 'webtop1=not_run', 'mail1=success'],
    );
    assert.match(text, /> Fatal: unable to open config file: Stat: 403 Forbidden\n/);
    assert.match(text, /Last successful backup: 2026-08-08 03:00 CEST/);
    assert.match(text, /4 of the last 5 runs saved everything; last full success 2026-08-08 03:00 CEST\./);
    assert.ok(!renderReport(RUNS.success!, 'success', O).text.includes('WHAT TO DO'), 'no box when all is well');
  });

  it('the same sizes and dates as cluster-admin, one unit everywhere (destination part included)', () => {
    const { text } = renderReport(RUNS.partial!, 'first', O);
    assert.ok(!/\b(kB|KB|MB|GB|TB)\b/.test(text), 'binary units only');
    assert.match(text, /2\.06 GiB/);
    assert.match(text, /2026-08-09 03:00–03:09 CEST/);
    assert.ok(!/\d{1,2} (Aug|ago) 2026/.test(text), 'one date shape');
  });

  it('WARNING names the anomaly and what to check', () => {
    const { text } = renderReport(RUNS.warning!, 'first', O);
    assert.match(text, /Saved 18\.63 GiB: less than half of its usual 47\.5 GiB \(median of its last 5 backups\)\./);
    assert.match(text, /The backup holds no files\./);
    assert.match(text, /- Check Cloud, webtop1: /);
    const it = renderReport(RUNS.warning!, 'first', { ...O, language: 'it' }).text;
    assert.match(it, /meno della metà del solito 47,5 GiB/);
  });

  it('a reminder about warnings does not say the plan is failing', () => {
    const { text } = renderReport(RUNS.warning!, 'reminder', O);
    assert.match(text, /saved everything but is still unusual/);
    assert.ok(!/still failing/.test(text));
  });

  it('Loki that did not answer is one line, and the report goes on', () => {
    const { text } = renderReport(RUNS.repo_failure!, 'first', O);
    assert.equal(text.match(/Loki/g)?.length, 1);
    assert.match(text, /Error lines could not be read: the cluster log server \(Loki\) did not answer within 10 s\./);
    assert.match(text, /Applications\n-+\n/);
  });

  it('a run without any status says so and shows the alert time, never 1 January 1970', () => {
    for (const language of ['en', 'it'] as const) {
      const { text, html } = renderReport(RUNS.no_status!, 'first', { ...O, language });
      assert.ok(!/1970/.test(text + html));
      assert.match(
        text,
        language === 'en'
          ? /No application has reported a result yet · alert received 2026-08-09 03:11 CEST/
          : /Nessuna applicazione ha ancora registrato un risultato · allarme ricevuto 2026-08-09 03:11 CEST/,
      );
    }
  });
});

describe('outside text', () => {
  const evil = '<img src=x onerror=alert(1)>\r\nBcc: victim@example.org';
  const hostile = (): RunReport => ({
    ...RUNS.partial!,
    planName: evil,
    destinationName: '"><script>x</script>',
    nodes: [{ id: 1, name: '<i>ns1</i>' }],
    modules: RUNS.partial!.modules.map((m) => ({
      ...m,
      uiName: `<b>&amp;${m.moduleId}</b>`,
      nodeName: '<u>node</u>',
      errorLines: m.errorLines?.map((l) => `${l} <script>alert(1)</script>`),
    })),
    destinationHealth: { ...RUNS.partial!.destinationHealth!, destinationName: '<svg onload=x>' },
  });

  it('every field is escaped in HTML and stays readable in text', () => {
    for (const language of ['en', 'it'] as const) {
      const m = renderReport(hostile(), 'first', { ...O, language });
      assert.ok(!/<img|<script|<b>|<i>|<u>|<svg/.test(m.html), 'no markup from data');
      assert.match(m.html, /&lt;img src=x onerror=alert\(1\)&gt;/);
      assert.match(m.html, /&lt;b&gt;&amp;amp;nextcloud1&lt;\/b&gt;/);
      assert.match(m.html, /&lt;svg onload=x&gt;/);
      assert.match(m.html, /&lt;script&gt;alert\(1\)&lt;\/script&gt;/, 'error lines escaped');
      assert.match(m.text, /<b>&amp;nextcloud1<\/b>/, 'text is not escaped');
    }
  });

  it('no header injection: one subject line whatever the names and the prefix', () => {
    const m = renderReport(hostile(), 'first', { ...O, subjectPrefix: '[X]\r\nBcc: a@b.c' });
    assert.ok(!/[\r\n]/.test(m.subject));
    assert.match(m.subject, / · \[X\] Bcc: a@b\.c ⚠️/);
  });

  it('right-to-left names are isolated and bidi overrides removed', () => {
    const r: RunReport = {
      ...RUNS.success!,
      planName: 'גיבוי ‮lanigiro',
      modules: [{ ...RUNS.success!.modules[0]!, uiName: 'שרת ‏קבצים' }],
    };
    const m = renderReport(r, 'success', O);
    assert.ok(!/[\u202a-\u202e\u200f]/.test(m.subject + m.text + m.html), 'no override or mark from data');
    assert.match(m.subject, /^✅ OK: \u2068גיבוי lanigiro\u2069 · /, 'FSI … PDI around the plan in the subject');
    assert.match(m.text, /\u2068שרת קבצים\u2069 — saved/);
    assert.match(m.html, /<span dir="auto">שרת קבצים<\/span>/);
    assert.ok(
      !renderReport(RUNS.success!, 'success', O).subject.includes('\u2068'),
      'left-to-right names are left alone',
    );
  });

  it('huge names and error lines are bounded in the mail and in what is stored', () => {
    const line = 'E'.repeat(10_000);
    const big: RunReport = {
      ...RUNS.partial!,
      planName: 'P'.repeat(200_000),
      destinationName: 'D'.repeat(100_000),
      modules: Array.from({ length: 300 }, (_, i) => ({
        ...RUNS.partial!.modules[0]!,
        moduleId: `m${i}`,
        uiName: 'U'.repeat(50_000),
        nodeName: 'N'.repeat(50_000),
        errorLines: Array.from({ length: 500 }, () => line),
      })),
    };
    const stored = boundRun(big);
    assert.ok(JSON.stringify(stored).length < 900_000, `stored run ${JSON.stringify(stored).length} B`);
    assert.equal([...stored.planName].length, 120);
    const m = renderReport(stored, 'first', O);
    assert.ok(m.html.length + m.text.length < 1_500_000, `mail ${m.html.length + m.text.length} B`);
    assert.ok(m.subject.length <= 250);
    assert.match(m.text, /nextcloud|m99/);
    assert.ok(!m.text.includes('m100 '), 'at most 100 problem rows');
  });
});

describe('stored size', () => {
  it('a plan of ten applications with 100 kB names stores a report of a few kB, not megabytes', () => {
    const name = 'N'.repeat(100_000);
    const r: RunReport = boundRun({
      ...RUNS.partial!,
      planName: name,
      destinationName: name,
      modules: Array.from({ length: 10 }, (_, i) => ({
        ...RUNS.partial!.modules[i % 3]!,
        moduleId: `app${i}`,
        uiName: name,
        nodeName: name,
      })),
    });
    const m = renderReport(r, 'first', O);
    const stored = JSON.stringify({ run: r, ...m });
    assert.ok(stored.length < 120_000, `${stored.length} B`);
  });
});

describe('stale plans and failing streaks', () => {
  it('says since when, in both languages', () => {
    const r = { ...RUNS.partial!, staleSince: T - 10 * 86400 };
    assert.match(renderReport(r, 'repeat', O).text, /No successful backup of this plan since 2026-07-30 03:00 CEST/);
    assert.match(
      renderReport(r, 'repeat', { ...O, language: 'it' }).html,
      /Nessun backup riuscito di questo piano dal 2026-07-30 03:00 CEST/,
    );
    assert.match(
      renderReport(RUNS.partial!, 'repeat', { ...O, failingSince: T - 604800 }).text,
      /Failing since 2026-08-02 03:00 CEST\./,
    );
  });
});

// Issue #25: statuses not taken at face value, names with invisible characters, absurd sizes.
describe('statuses not taken at face value', () => {
  const problem = (statusProblem: 'clock_ahead' | 'unreadable'): RunReport => ({
    ...RUNS.partial!,
    outcome: 'PARTIAL',
    modules: [
      RUNS.success!.modules[0]!,
      {
        ...RUNS.success!.modules[1]!,
        result: 'failed',
        errors: 1,
        start: null,
        end: null,
        statusProblem,
        trend: null,
        anomalies: [],
      },
    ],
    destinationHealth: null,
  });

  it("a status dated in the future says that the node's clock is off, naming the node, in both languages", () => {
    const words = {
      en: [/The clock of node 2 is off: Mail \(mail1\)/, /Mail — dated in the future/],
      it: [/L'orologio di nodo 2 non è corretto: Mail \(mail1\)/, /Mail — datato nel futuro/],
    };
    for (const language of ['en', 'it'] as const) {
      const { text, html } = renderReport(problem('clock_ahead'), 'first', { ...O, language });
      for (const re of words[language]) assert.match(text, re);
      assert.match(html, /timedatectl/);
      assert.doesNotMatch(text, /^- (Failed|Fallito): /m, 'not advice for a failed backup');
    }
  });

  it('an unreadable status is named as such, in both languages', () => {
    assert.match(renderReport(problem('unreadable'), 'first', O).text, /Mail — status unreadable/);
    assert.match(
      renderReport(problem('unreadable'), 'first', { ...O, language: 'it' }).text,
      /Mail — stato illeggibile/,
    );
  });

  it('a run whose only status has no trusted time is not "no result yet"', () => {
    const only = { ...problem('clock_ahead'), outcome: 'REPO_FAILURE' as const };
    only.modules = only.modules.slice(1);
    const { text } = renderReport(only, 'first', O);
    assert.doesNotMatch(text, /no backup result for this plan yet|No application has reported/);
    assert.match(text, /The clock of node 2 is off/);
  });
});

describe('names and sizes from outside', () => {
  it('zero-width and bidi characters never reach the subject, text or HTML', () => {
    const invisible =
      '\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2060\u2066\u2067\u2068\u2069\ufeff';
    const r = boundRun({
      ...RUNS.success!,
      planName: `Week${invisible}ly SMB`,
      modules: [{ ...RUNS.success!.modules[0]!, uiName: `Cl${invisible}oud` }],
    });
    const m = renderReport(r, 'success', O);
    assert.match(m.subject, /^✅ OK: Weekly SMB · /, 'a look-alike plan name reads as what it is');
    assert.match(m.text, /Cloud — saved/);
    const found = [...(m.subject + m.text + m.html)].filter(
      (c) => invisible.includes(c) && c !== '\u2068' && c !== '\u2069',
    );
    assert.deepEqual(found, []);
  });

  it('an absurd size is capped with a clear mark, not 300 digits', () => {
    const r = { ...RUNS.success!, modules: [{ ...RUNS.success!.modules[0]!, totalSize: 1e308, trend: null }] };
    const { text } = renderReport(r, 'success', O);
    assert.match(text, /Size > 1,024 PiB/);
    assert.ok(!/\d{30}/.test(text), 'no 300-digit number');
  });
});

// Issue #21: what the destination check found is the first thing to do, named, in the banner too.
describe('the cause and the fix first', () => {
  const whatToDo = (text: string) =>
    text
      .slice(text.search(/^(WHAT TO DO|COSA FARE)$/m))
      .split('\n\n')[0]!
      .split('\n')
      .slice(1);
  const withVerdict = (verdict: RepoVerdict): RunReport => ({
    ...RUNS.repo_auth!,
    destinationHealth: { ...RUNS.repo_auth!.destinationHealth!, verdict },
  });

  it('credentials refused: the fix is the first bullet and names the destination (en, it)', () => {
    const en = whatToDo(renderReport(RUNS.repo_auth!, 'first', O).text);
    assert.equal(
      en[0],
      '- Check the credentials of NAS share (access key, user name, password) in Backup and restore > Backup destinations > Edit destination.',
    );
    const italian = whatToDo(renderReport(RUNS.repo_auth!, 'first', { ...O, language: 'it' }).text);
    assert.equal(
      italian[0],
      '- Verificare le credenziali di NAS share (chiave di accesso, utente, password) in Backup e ripristino > Destinazioni backup > Modifica destinazione.',
    );
  });

  it('the banner says the cause on its second line; the headline drops "possible" once confirmed', () => {
    const lines = renderReport(RUNS.repo_auth!, 'first', O).text.split('\n');
    assert.deepEqual(lines.slice(0, 3), [
      '❌ Backup failed – repository error',
      'Plan Weekly SMB · destination NAS share',
      'The destination NAS share refused the credentials',
    ]);
    const italian = renderReport(RUNS.repo_auth!, 'first', { ...O, language: 'it' }).text.split('\n');
    assert.deepEqual(italian.slice(0, 3), [
      '❌ Backup fallito – errore del repository',
      'Piano Weekly SMB · destinazione NAS share',
      'La destinazione NAS share ha rifiutato le credenziali',
    ]);
    assert.match(renderReport(RUNS.repo_failure!, 'first', O).text, /^❌ Backup failed – possible repository error$/m);
  });

  it('every conclusive verdict comes first; "possible" stays when the check proves nothing about the repository', () => {
    const cases: [RepoVerdict, boolean, boolean][] = [
      // verdict, first bullet is its fix, headline confirmed
      ['auth', true, true],
      ['wrong_password', true, true],
      ['missing', true, true],
      ['locked', true, true],
      ['unreachable', true, true],
      ['corrupt', true, true],
      ['timeout', true, false],
      ['forbidden', true, false],
      ['healthy', false, false],
      ['error', false, false],
      ['skipped', false, false],
    ];
    for (const [verdict, first, confirmed] of cases) {
      const { text } = renderReport(withVerdict(verdict), 'first', O);
      const action = fill(STRINGS.en.destination.action[verdict], { destination: 'NAS share' });
      const bullet = whatToDo(text)[0]!;
      assert.equal(bullet.includes('NAS share') && bullet.includes(action.slice(1)), first, `${verdict}: ${bullet}`);
      assert.equal(!text.startsWith('❌ Backup failed – possible'), confirmed, verdict);
      assert.equal(
        /reachable, credentials, free space/.test(text),
        !first,
        `${verdict}: generic advice only without a verdict`,
      );
    }
  });

  it('one "read the logs" bullet for every node, naming the nodes', () => {
    const steps = whatToDo(renderReport(RUNS.repo_auth!, 'first', O).text);
    const logs = steps.filter((l) => l.includes('System logs'));
    assert.equal(logs.length, 1, steps.join('\n'));
    assert.match(logs[0]!, /Cloud \(nextcloud1\), Mail \(mail1\)/);
    assert.match(logs[0]!, /ns1 \(node 1\), ns2 \(node 2\)/);
    const italian = whatToDo(renderReport(RUNS.repo_auth!, 'first', { ...O, language: 'it' }).text);
    assert.equal(italian.filter((l) => l.includes('Log di sistema')).length, 1, italian.join('\n'));
  });
});
