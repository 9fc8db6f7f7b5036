// SPDX-License-Identifier: GPL-3.0-or-later
import { describe, expect, test } from "vitest";
import { codeWords } from "../errors.js";
import { deliveryError, deliveryLines, reportDeliveries, retryAtMs, undeliveredOf } from "../deliveries.js";

const sent = { status: "sent", attempts: 1, sent_at: 1, recipients: ["ops@example.org"], last_error: null };
const telegramFailed = {
  channel: "telegram",
  status: "failed",
  attempts: 1,
  sent_at: null,
  last_error: "401 Unauthorized",
  last_error_code: "CHANNEL_CREDENTIALS",
};

describe("deliveries", () => {
  test("email first, then each other channel", () => {
    const list = reportDeliveries({ delivery: sent, channels: [telegramFailed] });
    expect(list.map((d) => [d.channel, d.status])).toEqual([
      ["email", "sent"],
      ["telegram", "failed"],
    ]);
  });

  test("a row of an older version (no channels) is email only", () => {
    expect(reportDeliveries({ delivery: sent }).map((d) => d.channel)).toEqual(["email"]);
  });

  test("skipped email is not undelivered; a failed or waiting channel is", () => {
    const skipped = { ...sent, status: "skipped", attempts: 0 };
    expect(undeliveredOf({ delivery: skipped, channels: [] })).toEqual([]);
    expect(undeliveredOf({ delivery: skipped, channels: [telegramFailed] }).map((d) => d.channel)).toEqual([
      "telegram",
    ]);
    expect(
      undeliveredOf({ delivery: sent, channels: [{ ...telegramFailed, status: "pending" }] }).map((d) => d.channel),
    ).toEqual(["telegram"]);
  });

  test("the catalogue's words for a code, in the language; the channel's text without one", () => {
    expect(deliveryError(telegramFailed, "en")).toMatch(/refused the credentials/);
    expect(deliveryError(telegramFailed, "it")).toMatch(/rifiutato le credenziali/);
    expect(deliveryError(telegramFailed, "fr")).toMatch(/refused the credentials/);
    expect(deliveryError({ ...telegramFailed, last_error_code: null }, "en")).toBe("401 Unauthorized");
    expect(deliveryError({ ...telegramFailed, last_error_code: "NO_SUCH_CODE" }, "en")).toBe("401 Unauthorized");
    expect(deliveryError({ ...telegramFailed, status: "sent" }, "en")).toBe("");
  });

  // Issue #22: the report window draws one line per delivery, email first, each the same way.
  test("the window's lines: email first, then each channel, each named beside another", () => {
    const ntfySent = { channel: "ntfy", status: "sent", attempts: 1, sent_at: 2, last_error: null };
    const lines = deliveryLines({ delivery: sent, channels: [telegramFailed, ntfySent] });
    expect(lines.map((d) => [d.channel, d.status, d.named])).toEqual([
      ["email", "sent", true],
      ["telegram", "failed", true],
      ["ntfy", "sent", true],
    ]);
    // A report of email only: its state alone, as before the channels.
    expect(deliveryLines({ delivery: sent, channels: [] }).map((d) => [d.channel, d.named])).toEqual([
      ["email", false],
    ]);
    expect(deliveryLines(null)).toEqual([]);
  });

  test("email's line waiting after a failed attempt: its words and its next try, as a channel's", () => {
    const emailRetrying = {
      ...sent,
      status: "pending",
      attempts: 2,
      sent_at: null,
      last_error: "451 4.3.0 try again later",
      last_error_code: "SMTP_TEMPORARY",
      next_attempt_at: 1786238480000,
    };
    const [email] = deliveryLines({ delivery: emailRetrying, channels: [telegramFailed] });
    expect(retryAtMs(email)).toBe(1786238480000);
    expect(deliveryError(email, "en")).toBe(codeWords("SMTP_TEMPORARY", "en"));
    expect(deliveryError(email, "en")).not.toBe("");
  });

  test("the next retry: only while waiting after a failed attempt", () => {
    const waiting = { ...telegramFailed, status: "pending", attempts: 2, next_attempt_at: 1786238480000 };
    expect(retryAtMs(waiting)).toBe(1786238480000);
    expect(retryAtMs({ ...waiting, attempts: 0 })).toBeNull(); // queued, not tried yet: no retry
    expect(retryAtMs({ ...waiting, status: "failed" })).toBeNull(); // given up
    expect(retryAtMs({ ...waiting, next_attempt_at: null })).toBeNull(); // an older get-report
    expect(retryAtMs({ ...waiting, next_attempt_at: undefined })).toBeNull();
  });
});
