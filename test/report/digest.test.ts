// SPDX-License-Identifier: GPL-3.0-or-later
// The digest mail's body read in 10 seconds (issue #21): worst plan first, the plan's state next
// to its name, one line per OK plan, details for problem plans only, no size for a failed run,
// the totals once. Both languages, text and HTML parts.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { digestContent } from '../../src/digest/content.js';
import { renderDigest, type DigestRenderOptions } from '../../src/report/digest.js';
import { everyState, WORST_FIRST } from '../digest/fixtures.js';

const O: DigestRenderOptions = {
  language: 'en',
  subjectPrefix: '[NS8 Backup]',
  timeZone: 'Europe/Rome',
  moduleId: 'backup-monitor1',
  frequency: 'daily',
};
const mail = (language: 'en' | 'it') => renderDigest(digestContent(everyState()), { ...O, language });

/** Lines of the text part that belong to plan `id`: its name line and the indented lines under it. */
function textCard(text: string, id: number): string[] {
  const lines = text.split('\n');
  const start = lines.findIndex((l) => l.includes(`(ID ${id}) — `));
  assert.ok(start >= 0, `plan ${id} is in the text part`);
  const end = lines.findIndex((l, i) => i > start && !l.startsWith('  '));
  return lines.slice(start, end < 0 ? undefined : end);
}

/** The HTML of plan `id`'s card. */
function htmlCard(html: string, id: number): string {
  const m = html.match(new RegExp(`<div data-plan="${id}"[\\s\\S]*?</td>`));
  assert.ok(m, `plan ${id} is in the HTML part`);
  return m[0];
}

/** What a reader sees: the HTML without its hidden inbox preview and tags. */
const visible = (html: string) =>
  html
    .replace(/<div style="display:none[^"]*">[^<]*<\/div>/, '')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&[a-z]+;|&#\d+;/g, ' ')
    .replace(/\s+/g, ' ');

const NAMES: Record<number, string> = {
  1: 'Fine',
  2: 'Paused',
  3: 'Warned',
  4: 'Unreachable NAS',
  5: 'Never',
  6: 'Missed',
  7: 'Half',
  8: 'Also fine',
};

/** The word next to each plan's name: its state, the admin page's words for it. */
const STATE_WORD = {
  en: {
    4: 'failed',
    7: 'partly failed',
    6: 'did not run',
    3: 'saved, with warnings',
    5: 'never ran',
    1: 'OK',
    2: 'disabled',
  },
  it: {
    4: 'fallito',
    7: 'parzialmente fallito',
    6: 'non eseguito',
    3: 'salvato, con avvisi',
    5: 'mai eseguito',
    1: 'OK',
    2: 'disabilitato',
  },
} as const;
const POLICY_WORDS = /problems mailed|every run mailed|digest only|problemi via mail|ogni esecuzione|solo riepilogo/;
const BYTES = /\d B\b|[KMGT]iB/;
const PROBLEMS = [4, 7, 6, 3];

for (const lang of ['en', 'it'] as const) {
  describe(`digest body (${lang})`, () => {
    const m = mail(lang);

    it('lists the plans worst first in both parts', () => {
      const ids = WORST_FIRST.map(([id]) => String(id));
      assert.deepEqual(
        [...m.html.matchAll(/data-plan="(\d+)"/g)].map((x) => x[1]),
        ids,
      );
      assert.deepEqual(
        [...m.text.matchAll(/\(ID (\d+)\) — /g)].map((x) => x[1]),
        ids,
      );
    });

    it("puts the plan's state next to its name, never its notify policy", () => {
      for (const [id, word] of Object.entries(STATE_WORD[lang])) {
        const first = textCard(m.text, Number(id))[0]!;
        assert.ok(first.includes(`${NAMES[Number(id)]} (ID ${id}) — ${word}`), `${lang}: ${first}`);
        assert.match(
          htmlCard(m.html, Number(id)),
          new RegExp(`\\(ID ${id}\\)</span> <span[^>]*>${word}[ <]`),
          `${lang}: plan ${id}`,
        );
      }
      assert.doesNotMatch(m.text, POLICY_WORDS);
      assert.doesNotMatch(m.html, POLICY_WORDS);
    });

    it('an OK or disabled plan is one line; a problem plan has a few lines of details', () => {
      for (const id of [1, 8, 2]) {
        assert.equal(textCard(m.text, id).length, 1, `plan ${id}: ${textCard(m.text, id).join(' / ')}`);
        assert.equal(htmlCard(m.html, id).match(/<div/g)?.length, 2, `plan ${id}: card and its name line only`);
      }
      for (const id of PROBLEMS) {
        const n = textCard(m.text, id).length;
        assert.ok(n >= 3 && n <= 4, `plan ${id} has ${n} lines`);
      }
    });

    it('a failed run shows no size and no change; an OK plan shows its own', () => {
      for (const id of [4, 7, 6]) {
        assert.doesNotMatch(textCard(m.text, id).join('\n'), BYTES, `plan ${id}`);
        assert.doesNotMatch(htmlCard(m.html, id), BYTES, `plan ${id}`);
      }
      assert.match(textCard(m.text, 1)[0]!, /10 GiB \(\+1 GiB\)/);
      assert.match(textCard(m.text, 3).join('\n'), /2 GiB \(±0 B\)/);
    });

    it('names the destination and its verdict for a failing plan', () => {
      const card = textCard(m.text, 4).join('\n');
      assert.match(card, /Dest <4>/);
      assert.match(card, lang === 'en' ? /could not be reached/ : /non è raggiungibile/);
    });

    it('tells the totals once', () => {
      const counts =
        lang === 'en' ? /\d+ runs saved|Runs in this period/g : /\d+ esecuzioni salvate|Esecuzioni nel periodo/g;
      assert.equal(m.text.match(counts)?.length, 1, m.text);
      assert.equal(visible(m.html).match(counts)?.length, 1);
    });
  });
}
