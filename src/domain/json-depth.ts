// SPDX-License-Identifier: GPL-3.0-or-later
// PURE, no imports: how deep a JSON text nests, measured before JSON.parse sees it.
//
// V8's JSON.parse builds every level of `[[[…]]]` before it can fail, so 8 MB of brackets (under
// every answer cap) exhausts a 128 MB heap and kills the process (issue #25 item 2). Counting
// brackets first costs one pass over the text and no allocation. Brackets inside strings do not
// count; a backslash escapes the next character inside a string. The text need not be valid JSON:
// anything this lets through is still JSON.parse's to refuse.

const OPEN_ARRAY = 0x5b; // [
const CLOSE_ARRAY = 0x5d; // ]
const OPEN_OBJECT = 0x7b; // {
const CLOSE_OBJECT = 0x7d; // }
const QUOTE = 0x22; // "
const BACKSLASH = 0x5c; // \

/** True when `text` opens more than `maxDepth` arrays/objects inside one another. Linear time. */
export function jsonNestingExceeds(text: string, maxDepth: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_ARRAY || c === OPEN_OBJECT) {
      if (++depth > maxDepth) return true;
    } else if ((c === CLOSE_ARRAY || c === CLOSE_OBJECT) && depth > 0) {
      depth--;
    }
  }
  return false;
}
