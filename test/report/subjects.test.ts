// SPDX-License-Identifier: GPL-3.0-or-later
// Every subject the product sends, as an inbox on a phone shows it (issue #21): about 40
// characters fit on one line, so the state and the plan name come first; the configured prefix
// and the seed tool's outcome words follow, so existing mail filters still match.
//
// "Characters" are UTF-16 code units (String#length), the strictest usual count: an emoji such
// as ⚠️ counts 2, as wide as it is drawn.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { loadConfig } from '../../src/config.js';
import { digestContent } from '../../src/digest/content.js';
import type { DigestContent } from '../../src/domain/digest.js';
import { isOutcome } from '../../src/domain/outcome.js';
import type { NotifyReason } from '../../src/domain/records.js';
import type { RunReport } from '../../src/domain/run.js';
import { subjectOf } from '../../src/report/render.js';
import { STRINGS } from '../../src/report/strings.js';
import { renderTestMail } from '../../src/report/test-mail.js';
import { digestSubject } from '../../src/report/digest.js';
import { everyState } from '../digest/fixtures.js';
import { OPTIONS, RUNS, T } from './fixtures.js';

const PLAN = 'Mail to NAS (nightly)';
const VISIBLE = 40;
const DAY = 86400;
const REASONS: NotifyReason[] = ['first', 'changed', 'repeat', 'update', 'reminder', 'recovered', 'success'];
const LANGS = ['en', 'it'] as const;

/** The reasons a run of this outcome can be mailed with (recovered and success: saved runs only). */
const reasonsOf = (run: RunReport) =>
  REASONS.filter((r) =>
    r === 'recovered' || r === 'success'
      ? run.outcome === 'SUCCESS'
      : run.outcome !== 'SUCCESS' || r === 'first' || r === 'update',
  );

/** The state word the subject must open with. */
const stateOf = (run: RunReport, reason: NotifyReason, lang: 'en' | 'it') =>
  reason === 'recovered' ? STRINGS[lang].subjectState.recovered : STRINGS[lang].subjectState[run.outcome];

/** The seed tool's words, as its subjects said them after the prefix. */
function seedWords(run: RunReport, reason: NotifyReason, lang: 'en' | 'it'): string {
  const s = STRINGS[lang];
  const head = reason === 'recovered' ? s.recovered : s.headline[run.outcome];
  return reason === 'reminder' ? `${s.reminder}: ${head}` : head;
}

describe('run report subjects: state and plan first (issue #21)', () => {
  for (const lang of LANGS) {
    for (const [name, fixture] of Object.entries(RUNS)) {
      const run: RunReport = { ...fixture, planName: PLAN };
      for (const reason of reasonsOf(run)) {
        it(`${name}, ${reason} (${lang})`, () => {
          const o = { ...OPTIONS, language: lang, failingSince: run.start - 3 * DAY };
          const subject = subjectOf(run, reason, o);
          const head = subject.slice(0, VISIBLE);
          const state = stateOf(run, reason, lang);
          assert.ok(subject.startsWith(`${state}: ${PLAN}`), subject);
          assert.ok(head.includes(PLAN), `plan within ${VISIBLE}: ${head}`);
          assert.ok(
            subject.includes(`[NS8 Backup] ${seedWords(run, reason, lang)}`),
            `prefix and seed words: ${subject}`,
          );
          assert.ok(!subject.includes('\n'));
        });
      }
    }
  }

  it('a reminder says for how long the plan has been failing; recovered, for how long it was down', () => {
    const failing = { ...RUNS.repo_failure!, planName: PLAN, seenAt: T + 3 * DAY + 600 };
    const o = { ...OPTIONS, failingSince: T };
    assert.match(subjectOf(failing, 'reminder', o), /^❌ Failed: Mail to NAS \(nightly\) – failing for 3 days · /);
    assert.match(
      subjectOf(failing, 'reminder', { ...o, language: 'it' }),
      /^❌ Fallito: Mail to NAS \(nightly\) – in errore da 3 giorni · /,
    );
    const back = { ...RUNS.success!, planName: PLAN, start: T + 5 * 3600, end: T + 5 * 3600 + 500 };
    assert.match(subjectOf(back, 'recovered', o), /^✅ Recovered: Mail to NAS \(nightly\) – down for 5 hours · /);
    assert.match(
      subjectOf(back, 'recovered', { ...o, language: 'it' }),
      /^✅ Di nuovo OK: Mail to NAS \(nightly\) – dopo 5 ore in errore · /,
    );
    assert.doesNotMatch(subjectOf(failing, 'reminder', OPTIONS), /failing for/, 'no streak start, no duration');
  });

  it('without a prefix, no stray separator', () => {
    assert.equal(
      subjectOf({ ...RUNS.missing!, planName: PLAN }, 'first', { ...OPTIONS, subjectPrefix: '' }),
      '⏰ Did not run: Mail to NAS (nightly) · ⏰ Backup did not run',
    );
  });
});

describe('test message subject', () => {
  for (const lang of LANGS) {
    it(`state first, then the prefix and the old words (${lang})`, () => {
      const cfg = loadConfig({ MAIL_TO: 'admin@example.org', MAIL_LANGUAGE: lang });
      const { subject } = renderTestMail(cfg);
      const words =
        lang === 'en' ? 'Test message from the backup monitor' : 'Messaggio di prova dal monitor dei backup';
      assert.ok(subject.startsWith(STRINGS[lang].subjectState.testMail), subject);
      assert.ok(subject.includes(`[NS8 Backup] ${words}`), subject);
    });
  }
});

describe('digest subject: the worst plan that needs attention first', () => {
  const all = digestContent(everyState());
  const fine = all.plans.filter((p) => p.state === 'ok' || p.state === 'disabled');
  const o = { ...OPTIONS, frequency: 'daily' as const };
  for (const lang of LANGS) {
    const words = STRINGS[lang].subjectState;
    for (const p of all.plans.filter((x) => !fine.includes(x))) {
      it(`a ${p.state} plan (${p.lastOutcome ?? 'never ran'}, ${lang})`, () => {
        const c: DigestContent = { ...all, plans: [{ ...p, name: PLAN }, ...fine], attention: 1 };
        const subject = digestSubject(c, { ...o, language: lang });
        const state = p.lastOutcome && isOutcome(p.lastOutcome) ? words[p.lastOutcome] : words.neverRan;
        assert.ok(subject.startsWith(`${state}: ${PLAN} · [NS8 Backup] `), subject);
        assert.ok(subject.slice(0, VISIBLE).includes(PLAN));
      });
    }
    it(`several plans: the worst one and how many more; all fine says so (${lang})`, () => {
      const worst = all.plans[0]!;
      const subject = digestSubject(all, { ...o, language: lang });
      assert.ok(subject.startsWith(`${words.REPO_FAILURE}: ${worst.name} +${all.attention - 1} · `), subject);
      const ok = digestSubject({ ...all, plans: fine, attention: 0 }, { ...o, language: lang });
      assert.ok(ok.startsWith(`${words.allFine} · [NS8 Backup] `), ok);
    });
  }
  it('keeps the old words after the prefix', () => {
    assert.equal(
      digestSubject({ ...all, plans: fine, attention: 0 }, o),
      '✅ All OK · [NS8 Backup] Daily backup digest: ✅ All backups are fine',
    );
    assert.match(
      digestSubject(all, { ...o, sample: true }),
      / · \[NS8 Backup\] Sample backup digest: ⚠️ \d of \d plans need attention$/,
    );
  });
});
