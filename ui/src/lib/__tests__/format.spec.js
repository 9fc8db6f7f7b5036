// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import { formatBytes, formatElapsed, formatTime, outcomeTag } from "../format.js";
import { testEmailMessage } from "../test-email.js";

describe("format", () => {
  test.each([
    [0, "0 B"],
    [1536, "1.5 KiB"],
    [5 * 1024 ** 3, "5 GiB"],
    [228.4e9, "212.71 GiB"],
    [null, "-"],
    [-1, "-"],
    ["x", "-"],
  ])("%s bytes", (n, s) => expect(formatBytes(n)).toBe(s));
  test("sizes follow the page language", () => expect(formatBytes(1536, "it")).toBe("1,5 KiB"));
  test.each([
    [0, 45, "45s"],
    [0, 3720, "1h 2m"],
    [10, 10, "0s"],
    [null, 5, "-"],
    [9, 5, "-"],
  ])("%s..%s", (a, b, s) => expect(formatElapsed(a, b)).toBe(s));
  test("dates look like cluster-admin's, in s or ms; absent or zero is a dash, never 1970", () => {
    // The expected text is built from Date's own local fields, not by calling formatTime twice
    // (issue #10 item 12: comparing the function with itself could not fail).
    const d = new Date(1700000000 * 1000);
    const p = (n) => String(n).padStart(2, "0");
    const local = `${d.getFullYear()}-${p(d.getMonth() + 1)}-${p(d.getDate())} ${p(d.getHours())}:${p(d.getMinutes())}:${p(d.getSeconds())}`;
    expect(formatTime(1700000000)).toBe(local);
    expect(formatTime(1700000000000, "ms")).toBe(local);
    expect(formatTime(1700000000)).not.toBe(formatTime(1700003600));
    expect(formatTime(null)).toBe("-");
    expect(formatTime(0)).toBe("-");
  });
  test("outcome colours", () => {
    expect(outcomeTag("SUCCESS")).toBe("green");
    expect(outcomeTag("WARNING")).toBe("magenta");
    expect(outcomeTag("REPO_FAILURE")).toBe("red");
    expect(outcomeTag(null)).toBe("gray");
  });
});

describe("testEmailMessage", () => {
  test.each([
    [
      { ok: true, recipients: ["a@x.org", "b@x.org"], message_id: "<1@x>" },
      { kind: "success", key: "settings.test_sent", params: { recipients: "a@x.org, b@x.org" } },
    ],
    [
      { ok: false, code: "SMTP_AUTH", error: "535 bad" },
      { kind: "error", key: "settings.test_error_SMTP_AUTH", params: { detail: "535 bad" } },
    ],
    [
      { ok: false, code: "WEIRD", error: "boom" },
      { kind: "error", key: "settings.test_error_generic", params: { detail: "boom" } },
    ],
    [null, { kind: "error", key: "settings.test_error_generic", params: { detail: "" } }],
  ])("%o", (out, msg) => expect(testEmailMessage(out)).toEqual(msg));
});
