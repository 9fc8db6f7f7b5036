// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import { formatBytes, formatElapsed, formatTime, outcomeTag } from "../format.js";
import { testEmailMessage } from "../test-email.js";

describe("format", () => {
  test.each([[0, "0 B"], [1536, "1.5 KiB"], [5 * 1024 ** 3, "5.0 GiB"], [null, "-"], [-1, "-"]])("%s bytes", (n, s) => expect(formatBytes(n)).toBe(s));
  test.each([[0, 45, "45 s"], [0, 3720, "1 h 2 min"], [10, 10, "0 s"], [null, 5, "-"]])("%s..%s", (a, b, s) => expect(formatElapsed(a, b)).toBe(s));
  test("time in s and ms agree, absent is a dash", () => {
    expect(formatTime(1700000000, "en")).toBe(formatTime(1700000000000, "en", "ms"));
    expect(formatTime(null, "en")).toBe("-");
  });
  test("outcome colours", () => {
    expect(outcomeTag("SUCCESS")).toBe("green");
    expect(outcomeTag("REPO_FAILURE")).toBe("red");
    expect(outcomeTag(null)).toBe("gray");
  });
});

describe("testEmailMessage", () => {
  test.each([
    [{ ok: true, recipients: ["a@x.org", "b@x.org"], message_id: "<1@x>" }, { kind: "success", key: "settings.test_sent", params: { recipients: "a@x.org, b@x.org" } }],
    [{ ok: false, code: "SMTP_AUTH", error: "535 bad" }, { kind: "error", key: "settings.test_error_SMTP_AUTH", params: { detail: "535 bad" } }],
    [{ ok: false, code: "WEIRD", error: "boom" }, { kind: "error", key: "settings.test_error_generic", params: { detail: "boom" } }],
    [null, { kind: "error", key: "settings.test_error_generic", params: { detail: "" } }],
  ])("%o", (out, msg) => expect(testEmailMessage(out)).toEqual(msg));
});
