// SPDX-License-Identifier: GPL-3.0-or-later
// Translations live in public/i18n/<lang>/translation.json (NS8 layout, Weblate-friendly) and
// are fetched at start: the browser's language, with English always loaded as the fallback.
import Vue from "vue";
import VueI18n from "vue-i18n";
import { catalogueMessages } from "./lib/errors.js";

Vue.use(VueI18n);

async function fetchMessages(lang) {
  const res = await fetch(`i18n/${lang}/translation.json`);
  if (!res.ok) throw new Error(`no ${lang} translation (HTTP ${res.status})`);
  return res.json();
}

export async function createI18n(browserLang) {
  const lang = String(browserLang || "en")
    .slice(0, 2)
    .toLowerCase();
  const i18n = new VueI18n({ locale: "en", fallbackLocale: "en", silentFallbackWarn: true });
  i18n.setLocaleMessage("en", catalogueMessages(await fetchMessages("en").catch(() => ({})), "en"));
  if (lang !== "en") {
    try {
      i18n.setLocaleMessage(lang, catalogueMessages(await fetchMessages(lang), lang));
      i18n.locale = lang;
    } catch (err) {
      console.warn(`Cannot load ${lang} messages, falling back to English.`, err);
    }
  }
  return i18n;
}
