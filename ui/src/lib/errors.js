// SPDX-License-Identifier: GPL-3.0-or-later
// The module's error catalogue (shared with the service and the actions): the page's words for
// the codes it shows come from there, not from translation.json.
import catalogue from "../../../imageroot/pypkg/backup_monitor/errors.json";

/** Codes the page has its own (longer, with advice) words for. */
export const PAGE_CODES = new Set(Object.keys(catalogue.codes).filter((c) => catalogue.codes[c].page));

/**
 * translation.json messages + `settings.test_error_<CODE>` from the catalogue, in `lang`
 * (English when the catalogue has no such language).
 */
export function catalogueMessages(messages, lang) {
  const words = {};
  for (const code of PAGE_CODES) {
    const page = catalogue.codes[code].page;
    words[`test_error_${code}`] = page[lang] || page.en;
  }
  return { ...messages, settings: { ...(messages.settings || {}), ...words } };
}

/** The catalogue's words for `code` in `lang` (English when it has no such language); "" for an unknown code. */
export function codeWords(code, lang) {
  const entry = typeof code === "string" && Object.hasOwn(catalogue.codes, code) ? catalogue.codes[code] : null;
  return entry ? entry[lang] || entry.en || "" : "";
}
