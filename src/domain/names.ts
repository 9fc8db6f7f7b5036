// SPDX-License-Identifier: GPL-3.0-or-later
// PURE, no imports: the invisible characters removed from every name that comes from outside
// (plan, application, node, destination) before it reaches a subject, a mail, a /metrics label or
// the admin page (issue #25: "Backup\u200b" looked like "Backup"; U+202E reversed a label).
// imageroot/pypkg/backup_monitor/names.py holds the same list for the actions; the test
// test/domain/names.test.ts checks both remove exactly the same code points.

/**
 * Code point ranges (inclusive) that print nothing or reorder what follows: zero-width spaces and
 * joiners, direction marks, embeddings, overrides and isolates, word joiner and invisible
 * operators, deprecated format characters, byte order mark, fillers that render blank, annotation
 * controls and tag characters. Zero-width joiners go too: an emoji sequence splits into its
 * emoji, but no name can hide a look-alike behind them.
 */
export const INVISIBLE_RANGES: readonly (readonly [number, number])[] = [
  [0x00ad, 0x00ad], // soft hyphen
  [0x034f, 0x034f], // combining grapheme joiner
  [0x061c, 0x061c], // arabic letter mark
  [0x115f, 0x1160], // hangul choseong/jungseong fillers
  [0x17b4, 0x17b5], // khmer inherent vowels
  [0x180e, 0x180e], // mongolian vowel separator
  [0x200b, 0x200f], // zero-width space, non-joiner, joiner, LRM, RLM
  [0x202a, 0x202e], // LRE, RLE, PDF, LRO, RLO
  [0x2060, 0x2064], // word joiner, invisible operators
  [0x2066, 0x2069], // LRI, RLI, FSI, PDI
  [0x206a, 0x206f], // deprecated format characters
  [0x3164, 0x3164], // hangul filler
  [0xfeff, 0xfeff], // zero-width no-break space (BOM)
  [0xffa0, 0xffa0], // halfwidth hangul filler
  [0xfff9, 0xfffb], // interlinear annotation controls
  [0x1bca0, 0x1bca3], // shorthand format controls
  [0x1d173, 0x1d17a], // musical symbol format controls
  [0xe0000, 0xe007f], // tag characters
];

const hex = (n: number) => `\\u{${n.toString(16)}}`;
const INVISIBLE = new RegExp(
  `[${INVISIBLE_RANGES.map(([a, b]) => (a === b ? hex(a) : `${hex(a)}-${hex(b)}`)).join('')}]`,
  'gu',
);

/** The name without invisible characters; nothing else changes. */
export const stripInvisible = (s: string): string => s.replace(INVISIBLE, '');
