// SPDX-License-Identifier: GPL-3.0-or-later
// Hostile round H8: add-maintenance-window refuses a calendar that never opens, one that never
// closes, and a window past the 50th; each lands on the calendar field with its own words.
import { describe, expect, test } from "vitest";
import en from "../../../public/i18n/en/translation.json";
import it from "../../../public/i18n/it/translation.json";
import { mapWindowErrors } from "../maintenance.js";

const lookup = (dict, key) => key.split(".").reduce((o, k) => (o ? o[k] : undefined), dict);

describe("maintenance window refusals of the hostile round", () => {
  for (const code of ["window_never_opens", "window_always_open", "too_many_windows"]) {
    test(`${code} is said on the calendar field, in English and Italian`, () => {
      const key = mapWindowErrors([{ field: "calendar", parameter: "calendar", value: "*:*:*", error: code }]).calendar;
      expect(key).toBe(`maintenance.error_${code}`);
      expect(lookup(en, key)).toMatch(/\w/);
      expect(lookup(it, key)).toMatch(/\w/);
    });
  }
});
