// SPDX-License-Identifier: GPL-3.0-or-later
import { readFileSync } from "node:fs";
import { describe, expect, test } from "vitest";
import { afterAction, canAcknowledge, linkedPlan, localInput, silencesByPlan, snoozeRequest } from "../silences.js";

const NOW = 1_786_300_000;
const ack = { by: "admin", at: NOW, comment: "NAS", outcome: "PARTIAL", applications: ["mail1"] };

describe("silences", () => {
  test("list-silences output by plan id", () => {
    expect(silencesByPlan({ silences: [{ plan_id: 2, plan_name: "W", acknowledged: ack, snoozed: null }] })).toEqual({
      2: { acknowledged: ack, snoozed: null },
    });
    expect(silencesByPlan(null)).toEqual({});
  });
  test("an action's output updates only its own kind", () => {
    const snoozed = { by: "", at: NOW, comment: "", until: null, until_success: true };
    const both = afterAction(afterAction(undefined, { plan_id: 2, acknowledged: ack }), { plan_id: 2, snoozed });
    expect(both).toEqual({ acknowledged: ack, snoozed });
    expect(afterAction(both, { plan_id: 2, ended: "acknowledged" })).toEqual({ acknowledged: null, snoozed });
  });
  test("only a problem can be acknowledged", () => {
    expect(canAcknowledge({ last_outcome: "PARTIAL" })).toBe(true);
    expect(canAcknowledge({ last_outcome: "SUCCESS" })).toBe(false);
    expect(canAcknowledge({ last_outcome: null })).toBe(false);
  });
  test("a snooze ends within 30 days, or at the next full success", () => {
    const at = (s) => localInput(NOW + s);
    expect(snoozeRequest(2, { until: at(3600), comment: " x " }, NOW)).toEqual({
      data: { plan_id: 2, until: Math.floor(new Date(at(3600)).getTime() / 1000), comment: "x" },
    });
    expect(snoozeRequest(2, { untilSuccess: true }, NOW)).toEqual({ data: { plan_id: 2, until_success: true } });
    expect(snoozeRequest(2, {}, NOW).error).toBe("silences.snooze_without_end");
    expect(snoozeRequest(2, { until: at(-120) }, NOW).error).toBe("silences.snooze_in_past");
    expect(snoozeRequest(2, { until: at(31 * 86400) }, NOW).error).toBe("silences.snooze_too_long");
    expect(snoozeRequest(2, { until: "garbage" }, NOW).error).toBe("silences.until_invalid");
  });
  test("the plan a report links to, from the page's route or cluster-admin's", () => {
    expect(linkedPlan({}, { page: "status", plan: "3" })).toBe(3);
    expect(linkedPlan({ plan: "2" }, { plan: "3" })).toBe(2);
    expect(linkedPlan({ plan: "0" }, { plan: "x" }, null)).toBe(null);
    expect(linkedPlan(undefined)).toBe(null);
  });
  test("every error the form or the actions name has words in en and it", () => {
    const codes = ["until_invalid", "snooze_in_past", "snooze_too_long", "snooze_without_end", "plan_not_failing"];
    for (const lang of ["en", "it"]) {
      const t = JSON.parse(readFileSync(new URL(`../../../public/i18n/${lang}/translation.json`, import.meta.url)));
      for (const c of codes) expect(typeof t.silences[c], `${lang} silences.${c}`).toBe("string");
    }
  });
});
