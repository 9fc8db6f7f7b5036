// SPDX-License-Identifier: GPL-3.0-or-later
// Lint of the .vue files, as NS8 module UIs do (ns8-kickstart ui/.eslintrc.js: eslint:recommended,
// eslint-plugin-vue's Vue 2 rules, prettier for the layout), in ESLint's flat config. The .js
// files are Biome's (biome.json at the repository root), so they are left out here.
import js from "@eslint/js";
import prettier from "eslint-config-prettier";
import vue from "eslint-plugin-vue";
import globals from "globals";

export default [
  { ignores: ["dist/", "node_modules/", "**/*.js"] },
  { files: ["**/*.vue"], ...js.configs.recommended },
  ...vue.configs["flat/vue2-recommended"],
  prettier,
  {
    files: ["**/*.vue"],
    languageOptions: { ecmaVersion: "latest", sourceType: "module", globals: { ...globals.browser } },
    rules: {
      "no-console": "off",
      // NS8 pages are one word (ns8-kickstart's views/Status.vue, Settings.vue, About.vue), and
      // so is our inline notification; none of them is an HTML element's name.
      "vue/multi-word-component-names": ["error", { ignores: ["About", "Settings", "Status", "Notice"] }],
      // The page's i18n strings are text, never HTML (escaping: STYLE.md).
      "vue/no-v-html": "error",
    },
  },
];
